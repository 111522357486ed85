-- The picture social cards and structured data show for an article (front matter `image`):
-- a site path ("/media/x.png") or an absolute URL; NULL means the site's default card.
ALTER TABLE articles ADD COLUMN image TEXT;
-- Feeds and the sitemap list articles by when they last changed.
CREATE INDEX articles_by_update ON articles (updated_at DESC, id DESC);
