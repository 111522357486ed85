-- A hash of each comment's text, indexed, so that the duplicate check finds a repeated comment
-- without reading every comment its author left on the article.
ALTER TABLE comments ADD COLUMN body_sha256 TEXT COLLATE "C";
CREATE INDEX comments_by_text ON comments (article_id, body_sha256);
