-- Comment posting: a salted hash of the poster's address (never the address itself), the
-- browser, and a token that lets the author's own browser see a comment still in moderation;
-- the site's self-made secrets; and the drafts kept for readers without JavaScript whose
-- form was refused.
ALTER TABLE comments ADD COLUMN ip_hash TEXT COLLATE "C";
ALTER TABLE comments ADD COLUMN user_agent TEXT COLLATE "C";
ALTER TABLE comments ADD COLUMN author_token TEXT COLLATE "C";
CREATE INDEX comments_by_poster ON comments (ip_hash, created_at);
CREATE INDEX comments_by_author_email ON comments (article_id, author_email);
CREATE INDEX comments_by_token ON comments (author_token);

CREATE TABLE site_secrets (
    name   TEXT COLLATE "C" PRIMARY KEY,
    value  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE comment_drafts (
    token       TEXT COLLATE "C" PRIMARY KEY,
    article_id  BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    form_json   TEXT COLLATE "C" NOT NULL,
    errors_json TEXT COLLATE "C" NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL
);
