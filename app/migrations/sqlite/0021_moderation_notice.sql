-- When the moderators were last told about held comments: one row, shared by every process,
-- so they get at most one mail per interval however many nodes watch the queue.
CREATE TABLE moderation_notice (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    last_sent_at     TEXT,
    -- The newest held comment a mail listed: the next mail lists the ones after it.
    last_comment_id  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO moderation_notice (id, last_comment_id) SELECT 1, COALESCE(MAX(id), 0) FROM comments;
