-- One number that changes whenever something a page shows changes: the server's render cache
-- of anonymous pages compares it and starts afresh. Triggers keep it true for every writer —
-- the server, `server import` and `server comments` running beside it.
CREATE TABLE content_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 0);

-- A comment matters to pages only when it is (or was) approved: pending and spam never show.
CREATE TRIGGER content_version_comment_added AFTER INSERT ON comments WHEN new.status = 'approved' BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_comment_changed AFTER UPDATE ON comments
    WHEN old.status = 'approved' OR new.status = 'approved' BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_comment_removed AFTER DELETE ON comments WHEN old.status = 'approved' BEGIN
    UPDATE content_version SET version = version + 1;
END;

CREATE TRIGGER content_version_article_added AFTER INSERT ON articles BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_article_changed AFTER UPDATE ON articles BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_article_removed AFTER DELETE ON articles BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_tags_added AFTER INSERT ON article_tags BEGIN
    UPDATE content_version SET version = version + 1;
END;
CREATE TRIGGER content_version_tags_removed AFTER DELETE ON article_tags BEGIN
    UPDATE content_version SET version = version + 1;
END;
-- Importing re-saves every author's name and bio; only a real change counts.
CREATE TRIGGER content_version_author_changed AFTER UPDATE ON authors
    WHEN old.name IS NOT new.name OR old.bio IS NOT new.bio BEGIN
    UPDATE content_version SET version = version + 1;
END;
