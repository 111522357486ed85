-- Comments gain a 'trash' status (and can be restored from it).
-- PostgreSQL can replace a CHECK constraint in place, so the table is not rebuilt as in
-- SQLite: its columns, rows, ids, indexes and triggers stay exactly as they were.
ALTER TABLE comments
    DROP CONSTRAINT comments_status_check,
    ADD CONSTRAINT comments_status_check CHECK (status IN ('approved', 'pending', 'spam', 'trash'));
