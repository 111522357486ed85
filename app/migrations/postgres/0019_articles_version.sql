-- A counter that moves when the stories themselves change (text, dates, section, tags, their
-- "More like this" words) but not with comments, so lists worked out from the archive (Related,
-- More like this) stay valid while it stays. Triggers keep it right for every writer.
-- PostgreSQL: the triggers share one function.
CREATE TABLE articles_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO articles_version (id, version) VALUES (1, 0);

CREATE FUNCTION articles_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_version_article_added AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
CREATE TRIGGER articles_version_article_changed AFTER UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
CREATE TRIGGER articles_version_article_removed AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
CREATE TRIGGER articles_version_tags_added AFTER INSERT ON article_tags
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
CREATE TRIGGER articles_version_tags_removed AFTER DELETE ON article_tags
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
CREATE TRIGGER articles_version_keywords_added AFTER INSERT ON article_keywords
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
CREATE TRIGGER articles_version_keywords_changed AFTER UPDATE ON article_keywords
    FOR EACH ROW EXECUTE FUNCTION articles_version_bump();
