-- Threads are read by following replies to their parents. Without this index SQLite built a
-- temporary one over every comment on each page view: ~70 ms per article page with 100,000
-- comments in the database (found by the benchmark harness). Partial (replies only): a full
-- index on parent_id made the duplicate check before each new comment (`parent_id IS ?`)
-- walk every top-level comment instead of using comments_by_text — 30 ms per post.
CREATE INDEX comments_by_parent ON comments (parent_id, status) WHERE parent_id IS NOT NULL;
