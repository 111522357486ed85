-- PostgreSQL tells every node of a change (LISTEN/NOTIFY, its 0026). SQLite's processes share
-- one machine and look every 250 ms: nothing to create here; the file keeps both folders in step.
SELECT 1;
