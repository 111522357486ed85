-- The optional second factor (RFC 6238 codes from an authenticator app). `totp_secret` is set
-- once its owner has typed a code from it; `totp_pending_secret` is the one being set up until
-- then. `totp_last_step` is the last 30-second step a code was accepted for: no code counts twice.
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One-time recovery codes, for a lost phone: only their hashes are kept.
CREATE TABLE staff_recovery_codes (
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (staff_id, code_hash)
);

-- A sign-in halfway: the password was right and the code is still to come. In the database
-- (hashed, as sessions) so that the second step may reach any node.
CREATE TABLE sign_in_challenges (
    id_hash    TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
