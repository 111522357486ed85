-- The newsletter sign-up allowance per client address, shared by every node and kept over
-- restarts: per address, the moment (Unix milliseconds) its allowance is full again (the GCRA's
-- theoretical arrival time). Rows whose moment has passed are dropped.
-- PostgreSQL tables have no rowid, so SQLite's WITHOUT ROWID has nothing to translate to.
CREATE TABLE signup_allowance (
    client  TEXT COLLATE "C" PRIMARY KEY,
    full_at BIGINT NOT NULL
);

CREATE INDEX signup_allowance_by_time ON signup_allowance (full_at);
