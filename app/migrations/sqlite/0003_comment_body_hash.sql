-- Duplicate detection looks comments up by a hash of their text instead of scanning every
-- comment of the same author on the article.
ALTER TABLE comments ADD COLUMN body_sha256 TEXT;
CREATE INDEX comments_by_text ON comments (article_id, body_sha256);
