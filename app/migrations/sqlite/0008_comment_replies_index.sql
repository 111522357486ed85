-- Threads are read by following replies to their parents. Without this index SQLite built a
-- temporary one over every comment on each page view: ~70 ms per article page with 100,000
-- comments in the database (found by the benchmark harness).
CREATE INDEX comments_by_parent ON comments (parent_id, status);
