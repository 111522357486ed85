-- One number that changes whenever the stories themselves change (text, dates, section, tags,
-- their "More like this" words) but not with comments: lists worked out from the archive —
-- Related, More like this — stay valid while it stays. Triggers keep it true for every writer.
CREATE TABLE articles_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO articles_version (id, version) VALUES (1, 0);

CREATE TRIGGER articles_version_article_added AFTER INSERT ON articles BEGIN
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER articles_version_article_changed AFTER UPDATE ON articles BEGIN
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER articles_version_article_removed AFTER DELETE ON articles BEGIN
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER articles_version_tags_added AFTER INSERT ON article_tags BEGIN
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER articles_version_tags_removed AFTER DELETE ON article_tags BEGIN
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER articles_version_keywords_added AFTER INSERT ON article_keywords BEGIN
    UPDATE articles_version SET version = version + 1;
END;
CREATE TRIGGER articles_version_keywords_changed AFTER UPDATE ON article_keywords BEGIN
    UPDATE articles_version SET version = version + 1;
END;
