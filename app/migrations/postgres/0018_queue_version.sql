-- A counter for the moderation queue: it moves when a comment arrives (any status), changes
-- status or is deleted, so open desk queue pages can update live whoever made the change.
-- PostgreSQL: the triggers share one function; `IS NOT` becomes `IS DISTINCT FROM`.
CREATE TABLE queue_version (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO queue_version (id, version) VALUES (1, 0);

CREATE FUNCTION queue_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE queue_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER queue_version_comment_added AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION queue_version_bump();
CREATE TRIGGER queue_version_comment_moved AFTER UPDATE OF status ON comments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION queue_version_bump();
CREATE TRIGGER queue_version_comment_removed AFTER DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION queue_version_bump();
