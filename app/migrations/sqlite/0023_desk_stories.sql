-- The desk writes stories; readers see only the published ones. The table of every story
-- becomes `stories` (drafts and scheduled ones too) and `articles` becomes the view of the
-- published stories, so every reader query — pages, lists, Popular, Related, search, feeds,
-- the sitemap, comment posting — keeps reading `articles` and cannot show a draft by mistake.
-- Renaming keeps every id, so comments, tags, views and the search index stay attached.
ALTER TABLE articles RENAME TO stories;

ALTER TABLE stories ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'scheduled', 'published'));
-- The Markdown as written in the desk or imported; NULL for stories imported before it was kept.
ALTER TABLE stories ADD COLUMN markdown TEXT;
-- Bumped by every save: a save from an editor opened at an older revision is refused.
ALTER TABLE stories ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- The staff account the story belongs to (authors see and change only their own); NULL for
-- imported stories, which only editors and admins change.
ALTER TABLE stories ADD COLUMN owner_id INTEGER REFERENCES staff (id);
ALTER TABLE stories ADD COLUMN changed_by INTEGER REFERENCES staff (id);
ALTER TABLE stories ADD COLUMN changed_at TEXT;
CREATE INDEX stories_due ON stories (status, published_at);
CREATE INDEX stories_by_owner ON stories (owner_id, updated_at DESC);

CREATE VIEW articles AS
    SELECT id, slug, title, summary, body_html, author_id, category_id, published_at, updated_at, image
    FROM stories WHERE status = 'published';

-- Every desk save keeps the full text, so an editor can see and restore what was there.
CREATE TABLE story_revisions (
    id         INTEGER PRIMARY KEY,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    staff_id   INTEGER REFERENCES staff (id),
    saved_at   TEXT NOT NULL,
    title      TEXT NOT NULL,
    slug       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    section    TEXT NOT NULL,
    author     TEXT NOT NULL,
    tags       TEXT NOT NULL,
    image      TEXT,
    markdown   TEXT NOT NULL
);
CREATE INDEX story_revisions_by_story ON story_revisions (story_id, revision DESC);

-- Only what readers can see moves the version numbers the caches compare: a draft saved a
-- hundred times leaves every cached page valid.
DROP TRIGGER content_version_article_added;
DROP TRIGGER content_version_article_changed;
DROP TRIGGER content_version_article_removed;
DROP TRIGGER content_version_tags_added;
DROP TRIGGER content_version_tags_removed;
DROP TRIGGER articles_version_article_added;
DROP TRIGGER articles_version_article_changed;
DROP TRIGGER articles_version_article_removed;
DROP TRIGGER articles_version_tags_added;
DROP TRIGGER articles_version_tags_removed;

CREATE TRIGGER content_version_story_added AFTER INSERT ON stories WHEN new.status = 'published' BEGIN
    UPDATE content_version SET version = version + 1;
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER content_version_story_changed AFTER UPDATE ON stories
    WHEN old.status = 'published' OR new.status = 'published' BEGIN
    UPDATE content_version SET version = version + 1;
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER content_version_story_removed AFTER DELETE ON stories WHEN old.status = 'published' BEGIN
    UPDATE content_version SET version = version + 1;
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER content_version_tags_added AFTER INSERT ON article_tags
    WHEN (SELECT status FROM stories WHERE id = new.article_id) = 'published' BEGIN
    UPDATE content_version SET version = version + 1;
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER content_version_tags_removed AFTER DELETE ON article_tags
    WHEN COALESCE((SELECT status FROM stories WHERE id = old.article_id), 'published') = 'published' BEGIN
    UPDATE content_version SET version = version + 1;
    UPDATE articles_version SET version = version + 1;
END;
