-- Expired no-JavaScript drafts are deleted by age on every refused post: by index, not by
-- scanning the table (a flood of refusals made a legitimate comment wait seconds).
CREATE INDEX comment_drafts_by_age ON comment_drafts (created_at);
