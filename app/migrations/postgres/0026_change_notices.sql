-- Every node hears at once that the site changed (a version moved, a comment became visible)
-- instead of at its next look: the servers LISTEN on newsroom_changes. Notices are sent when
-- the writing transaction commits, once per transaction and table.
CREATE FUNCTION newsroom_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('newsroom_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER content_version_notice AFTER UPDATE ON content_version
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_changed();
CREATE TRIGGER comment_events_notice AFTER INSERT ON comment_events
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_changed();
