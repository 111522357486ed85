-- The newsletter going out: the weekly edition and single stories sent to every confirmed
-- subscriber.

-- One row per send. `send_key` makes queueing idempotent: the edition of ISO week
-- '2026-W49' or the story 'article:42' can be queued once, however many nodes or restarts try.
CREATE TABLE newsletter_sends (
    id            INTEGER PRIMARY KEY,
    send_key      TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('edition', 'article')),
    subject       TEXT NOT NULL,
    -- The mail's parts with the recipient's unsubscribe link left as a placeholder.
    text_body     TEXT NOT NULL,
    html_body     TEXT NOT NULL,
    -- An edition covers the stories published after the previous one's end, up to this.
    covers_until  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    recipients    INTEGER NOT NULL DEFAULT 0
);

-- One row per (send, subscriber): the idempotency key of every mail. Queued in one
-- INSERT … SELECT; a worker claims rows by moving `next_attempt_at` past a lease, so a
-- process killed mid-send leaves only the claimed rows to be tried again.
CREATE TABLE newsletter_deliveries (
    send_id          INTEGER NOT NULL REFERENCES newsletter_sends (id) ON DELETE CASCADE,
    subscriber_id    INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    status           TEXT NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'sent', 'bounced', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    finished_at      TEXT,
    PRIMARY KEY (send_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX newsletter_deliveries_due ON newsletter_deliveries (next_attempt_at) WHERE status = 'queued';

-- A permanent refusal (SMTP 5xx) stops all mail to an address until it subscribes again and
-- confirms (double opt-in clears it).
ALTER TABLE subscribers ADD COLUMN bounced_at TEXT;
ALTER TABLE subscribers ADD COLUMN bounce_reason TEXT;
