-- Newsletter subscribers: pending until the address owner confirms from their inbox.
CREATE TABLE subscribers (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    created_at       TEXT NOT NULL,
    -- When the last confirmation mail was queued: a repeated sign-up re-sends at most this often.
    confirm_sent_at  TEXT,
    confirmed_at     TEXT,
    unsubscribed_at  TEXT
);

-- Links mailed to a subscriber. Only the SHA-256 of each token is kept: a copy of the
-- database does not let anyone confirm or unsubscribe others.
CREATE TABLE subscriber_tokens (
    token_hash     TEXT PRIMARY KEY,
    subscriber_id  INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL CHECK (purpose IN ('confirm', 'unsubscribe')),
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT
);
CREATE INDEX subscriber_tokens_by_subscriber ON subscriber_tokens (subscriber_id, purpose);

-- Every mail the site sends, written in the same transaction as the change that caused it
-- and sent by the server's mail worker, retried with backoff until it goes out.
CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    sender           TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    message          BLOB NOT NULL,
    -- The link the mail is about (confirmation), logged when mails go to files instead of SMTP.
    action_url       TEXT,
    created_at       TEXT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    sent_at          TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);
