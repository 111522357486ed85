-- When moderators were last mailed about held comments, and the newest comment that mail
-- listed: one row shared by every process, so at most one mail goes out per interval.
CREATE TABLE moderation_notice (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    last_sent_at     TEXT COLLATE "C",
    last_comment_id  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO moderation_notice (id, last_comment_id) SELECT 1, COALESCE(MAX(id), 0) FROM comments;
