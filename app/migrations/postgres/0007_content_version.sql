-- A single counter that moves whenever anything a page shows changes, so the server's cache of
-- anonymous pages knows to start afresh; triggers keep it right whoever writes. Comments count
-- only when they are or were approved; authors only when their name or bio really changes.
-- PostgreSQL triggers call a function: one shared function bumps the counter, and the
-- triggers keep SQLite's names and WHEN conditions (IS NOT becomes IS DISTINCT FROM).
CREATE TABLE content_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 0);

CREATE FUNCTION content_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER content_version_comment_added AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved') EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_comment_changed AFTER UPDATE ON comments
    FOR EACH ROW WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
    EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_comment_removed AFTER DELETE ON comments
    FOR EACH ROW WHEN (OLD.status = 'approved') EXECUTE FUNCTION content_version_bump();

CREATE TRIGGER content_version_article_added AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_article_changed AFTER UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_article_removed AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_tags_added AFTER INSERT ON article_tags
    FOR EACH ROW EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_tags_removed AFTER DELETE ON article_tags
    FOR EACH ROW EXECUTE FUNCTION content_version_bump();
CREATE TRIGGER content_version_author_changed AFTER UPDATE ON authors
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.bio IS DISTINCT FROM NEW.bio)
    EXECUTE FUNCTION content_version_bump();
