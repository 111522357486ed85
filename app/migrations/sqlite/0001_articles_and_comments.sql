-- Times are stored as RFC 3339 UTC text ("2026-11-20T08:30:00Z"): sortable, and portable
-- to PostgreSQL's text or timestamptz through the store modules.
CREATE TABLE authors (
    id    INTEGER PRIMARY KEY,
    slug  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL,
    bio   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE categories (
    id    INTEGER PRIMARY KEY,
    slug  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES authors (id),
    category_id   INTEGER NOT NULL REFERENCES categories (id),
    published_at  TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX articles_by_date ON articles (published_at DESC, id DESC);
CREATE INDEX articles_by_category ON articles (category_id, published_at DESC, id DESC);

CREATE TABLE tags (
    id    INTEGER PRIMARY KEY,
    slug  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL
);

CREATE TABLE article_tags (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_name   TEXT NOT NULL,
    author_email  TEXT NOT NULL,
    author_url    TEXT,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'approved'
                  CHECK (status IN ('approved', 'pending', 'spam')),
    created_at    TEXT NOT NULL
);
CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
