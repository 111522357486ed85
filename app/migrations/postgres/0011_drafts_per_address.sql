-- Drafts are capped per client address: the address hash on each draft, and an index to find
-- one address's drafts newest first.
ALTER TABLE comment_drafts ADD COLUMN ip_hash TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX comment_drafts_by_address ON comment_drafts (ip_hash, created_at);
