-- Expired no-JavaScript drafts are deleted by age on every refused post: an index on their age
-- keeps that from scanning the whole table.
CREATE INDEX comment_drafts_by_age ON comment_drafts (created_at);
