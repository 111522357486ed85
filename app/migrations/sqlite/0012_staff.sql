-- Staff accounts: who signs in to the desk, and with which role. One account per e-mail
-- address, whatever its case. A disabled account keeps its row (and its name on what it did).
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'moderator')),
    password_hash TEXT NOT NULL,
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_by_email ON staff (lower(email));
