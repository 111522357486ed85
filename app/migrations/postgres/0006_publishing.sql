-- Publishing: the picture an article's social card shows (a site path or an absolute URL; NULL
-- for the site's default card), and an index for feeds and the sitemap, which list articles by
-- when they last changed.
ALTER TABLE articles ADD COLUMN image TEXT COLLATE "C";
CREATE INDEX articles_by_update ON articles (updated_at DESC, id DESC);
