-- One number that changes whenever the moderation queue changes: a comment arrives (in any
-- status), changes status, or goes. The desk's open queue pages watch it to update live, also
-- for changes made by `server comments` or by another process.
CREATE TABLE queue_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO queue_version (id, version) VALUES (1, 0);

CREATE TRIGGER queue_version_comment_added AFTER INSERT ON comments BEGIN
    UPDATE queue_version SET version = version + 1;
END;
CREATE TRIGGER queue_version_comment_moved AFTER UPDATE OF status ON comments
    WHEN old.status IS NOT new.status BEGIN
    UPDATE queue_version SET version = version + 1;
END;
CREATE TRIGGER queue_version_comment_removed AFTER DELETE ON comments BEGIN
    UPDATE queue_version SET version = version + 1;
END;
