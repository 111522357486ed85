-- Drafts are capped per address (every refused no-JavaScript post keeps one for an hour):
-- the address hash, and an index to find one address's drafts newest first.
ALTER TABLE comment_drafts ADD COLUMN ip_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX comment_drafts_by_address ON comment_drafts (ip_hash, created_at);
