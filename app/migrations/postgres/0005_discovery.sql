-- Discovery: full-text search over every article, the word statistics "More like this" picks
-- its words from, each story's chosen words, tag and author lookups, and daily view counts.
-- PostgreSQL has no FTS5: `article_search` is a plain table (rowid = articles.id) whose
-- weighted tsvector column `document` is kept by PostgreSQL itself and searched through a GIN
-- index, and `article_search_terms` is a view over ts_stat with fts5vocab's 'row' columns.
-- The 'simple' configuration with unaccent stands in for `unicode61 remove_diacritics 2`
-- (lower-cased words, accents removed, no stemming). unaccent ships with the server package.
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- unaccent() is only STABLE (its dictionary could change); a generated column needs an
-- IMMUTABLE function, so this wrapper names the dictionary outright and promises that.
CREATE FUNCTION article_search_fold(value TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN public.unaccent('public.unaccent'::regdictionary, value);

-- Body text is the article's HTML reduced to plain text by the discovery store.
CREATE TABLE article_search (
    rowid     BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    title     TEXT COLLATE "C",
    summary   TEXT COLLATE "C",
    body      TEXT COLLATE "C",
    document  tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('simple', article_search_fold(coalesce(title, ''))), 'A')
                  || setweight(to_tsvector('simple', article_search_fold(coalesce(summary, ''))), 'B')
                  || setweight(to_tsvector('simple', article_search_fold(coalesce(body, ''))), 'C')
              ) STORED
);
CREATE INDEX article_search_by_document ON article_search USING GIN (document);

-- Per word: in how many articles it appears (doc) and how often in all (cnt). ts_stat reads
-- every document on each query; the word itself compares byte by byte, as in SQLite.
CREATE VIEW article_search_terms AS
    SELECT word COLLATE "C" AS term, ndoc::BIGINT AS doc, nentry::BIGINT AS cnt
    FROM ts_stat('SELECT document FROM article_search');

-- The words "More like this" searches with for each story, chosen when it is saved, and the
-- size of the archive they were chosen among.
CREATE TABLE article_keywords (
    article_id    BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    terms         TEXT COLLATE "C" NOT NULL,
    archive_size  BIGINT NOT NULL
);

-- As in SQLite, a deleted article leaves the index (the foreign key's cascade already does it).
CREATE FUNCTION article_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM article_search WHERE rowid = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_search_forget AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION article_search_forget();

CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);
CREATE INDEX articles_by_author ON articles (author_id, published_at DESC, id DESC);

-- Reader views per article and UTC day ("2026-11-27"), written in batches by the server.
CREATE TABLE article_views (
    article_id  BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day         TEXT COLLATE "C" NOT NULL,
    views       BIGINT NOT NULL,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX article_views_by_day ON article_views (day, article_id, views);
