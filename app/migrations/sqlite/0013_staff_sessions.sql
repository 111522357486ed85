-- Staff sessions live in the database, so that they hold on every node. Only a hash of the
-- session id is kept: a copy of the database signs nobody in. The form token goes into the
-- desk's forms (a second check beside the same-origin one).
CREATE TABLE staff_sessions (
    id_hash      TEXT PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    form_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Failed sign-ins of the last minutes, by client address hash and by account address: what
-- the sign-in limit counts.
CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, at);

-- Who did what in the desk, and every sign-in, for admins to read.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '',
    ip_hash  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log (at);
