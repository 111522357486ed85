-- The optional second factor (RFC 6238 codes): the confirmed secret, the one being set up, and
-- the last 30-second step a code was accepted for (no code counts twice); hashed one-time
-- recovery codes; and half-done sign-ins awaiting their code, hashed and shared by every node.
ALTER TABLE staff ADD COLUMN totp_secret TEXT COLLATE "C";
ALTER TABLE staff ADD COLUMN totp_pending_secret TEXT COLLATE "C";
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE staff_recovery_codes (
    staff_id  BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT COLLATE "C" NOT NULL,
    used_at   TEXT COLLATE "C",
    PRIMARY KEY (staff_id, code_hash)
);

CREATE TABLE sign_in_challenges (
    id_hash    TEXT COLLATE "C" PRIMARY KEY,
    staff_id   BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL
);
