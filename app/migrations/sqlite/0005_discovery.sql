-- Discovery: full-text search, "More like this", tag and author listings, view counts.

-- The searchable text of every article (rowid = articles.id). Body text is the article's HTML
-- reduced to plain text by the discovery store when an article is saved, so markup never
-- reaches the index or the snippets. FTS5 is SQLite's; PostgreSQL would use a tsvector column.
CREATE VIRTUAL TABLE article_search USING fts5 (
    title,
    summary,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- How many articles each indexed word appears in: "More like this" picks the words that are
-- frequent in a story but rare in the archive.
CREATE VIRTUAL TABLE article_search_terms USING fts5vocab (article_search, 'row');
-- The words "More like this" searches with for each story, chosen when the story is saved
-- (choosing them reads the word statistics, too slow to repeat on every view). `archive_size`
-- is the number of stories they were chosen among; words chosen in a tiny archive are chosen
-- again once it has grown.
CREATE TABLE article_keywords (
    article_id    INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    terms         TEXT NOT NULL,
    archive_size  INTEGER NOT NULL
);
CREATE TRIGGER article_search_forget AFTER DELETE ON articles BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;

-- Tag pages and "Related" look articles up by tag; author pages by author.
CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);
CREATE INDEX articles_by_author ON articles (author_id, published_at DESC, id DESC);

-- Reader views per article and UTC day ("2026-11-27"), written in batches by the server.
-- One row per article a day keeps "Popular" a small sum over the last seven days.
CREATE TABLE article_views (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    views       INTEGER NOT NULL,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX article_views_by_day ON article_views (day, article_id, views);
