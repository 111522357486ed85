-- Threads are read by following replies to their parents: an index on replies only (a partial
-- index; top-level comments stay out of it, so the duplicate check keeps using comments_by_text).
CREATE INDEX comments_by_parent ON comments (parent_id, status) WHERE parent_id IS NOT NULL;
