-- Who posted (salted hash of the address, never the address), from what browser, and a token
-- that lets the author's own browser see its comment while it awaits moderation.
ALTER TABLE comments ADD COLUMN ip_hash TEXT;
ALTER TABLE comments ADD COLUMN user_agent TEXT;
ALTER TABLE comments ADD COLUMN author_token TEXT;
CREATE INDEX comments_by_poster ON comments (ip_hash, created_at);
CREATE INDEX comments_by_author_email ON comments (article_id, author_email);
CREATE INDEX comments_by_token ON comments (author_token);

-- Secrets the site makes for itself on first start (the salt for address hashes).
CREATE TABLE site_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- What a reader without JavaScript typed into a form that was refused, kept briefly so the
-- page they are sent back to can show it again with the messages.
CREATE TABLE comment_drafts (
    token       TEXT PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    form_json   TEXT NOT NULL,
    errors_json TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
