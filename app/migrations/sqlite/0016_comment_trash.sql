-- Comments can go to the trash (and be restored from it). SQLite cannot widen a CHECK
-- constraint in place, so the table is rebuilt with the same columns, rows, indexes and
-- triggers. Nothing references `comments` from another table; its own replies point at the
-- new table (ids are kept).
CREATE TABLE comments_rebuilt (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES comments_rebuilt (id) ON DELETE CASCADE,
    author_name   TEXT NOT NULL,
    author_email  TEXT NOT NULL,
    author_url    TEXT,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'approved'
                  CHECK (status IN ('approved', 'pending', 'spam', 'trash')),
    created_at    TEXT NOT NULL,
    ip_hash       TEXT,
    user_agent    TEXT,
    author_token  TEXT,
    body_sha256   TEXT,
    held_reason   TEXT CHECK (held_reason IN ('links', 'honeypot', 'ban')),
    staff_id      INTEGER REFERENCES staff (id) ON DELETE SET NULL
);
INSERT INTO comments_rebuilt (id, article_id, parent_id, author_name, author_email, author_url, body, status,
    created_at, ip_hash, user_agent, author_token, body_sha256, held_reason, staff_id)
SELECT id, article_id, parent_id, author_name, author_email, author_url, body, status,
    created_at, ip_hash, user_agent, author_token, body_sha256, held_reason, staff_id
FROM comments;
DROP TABLE comments;
ALTER TABLE comments_rebuilt RENAME TO comments;

CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
CREATE INDEX comments_by_poster ON comments (ip_hash, created_at);
CREATE INDEX comments_by_author_email ON comments (article_id, author_email);
CREATE INDEX comments_by_token ON comments (author_token);
CREATE INDEX comments_by_text ON comments (article_id, body_sha256);
CREATE INDEX comments_by_parent ON comments (parent_id, status) WHERE parent_id IS NOT NULL;

CREATE TRIGGER content_version_comment_added AFTER INSERT ON comments WHEN new.status = 'approved' BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_comment_changed AFTER UPDATE ON comments
    WHEN old.status = 'approved' OR new.status = 'approved' BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_comment_removed AFTER DELETE ON comments WHEN old.status = 'approved' BEGIN
    UPDATE content_version SET version = version + 1;
END;
