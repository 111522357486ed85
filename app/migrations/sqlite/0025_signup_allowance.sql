-- The newsletter's sign-up allowance per client address, shared by every node and kept over
-- restarts (it was in each process's memory). One row per address: the moment (Unix
-- milliseconds) its allowance is full again — the GCRA's "theoretical arrival time". A row
-- is dropped once that moment has passed, so an address is kept an hour at most.
CREATE TABLE signup_allowance (
    client  TEXT PRIMARY KEY,
    full_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX signup_allowance_by_time ON signup_allowance (full_at);
