-- "Notify me of follow-up comments by email". An address confirms once by mail (double
-- opt-in); after that, ticking the box under a comment follows that comment straight away.
CREATE TABLE reply_readers (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    -- 'stopped': the reader asked for no reply mail at all (until they tick the box and
    -- confirm again).
    status           TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'stopped')),
    created_at       TEXT NOT NULL,
    -- When the last confirmation mail was queued: asking again re-sends at most this often.
    confirm_sent_at  TEXT,
    confirmed_at     TEXT,
    stopped_at       TEXT
);

-- One followed comment (a thread): its direct replies are mailed to its author.
CREATE TABLE reply_follows (
    comment_id      INTEGER PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    reader_id       INTEGER NOT NULL REFERENCES reply_readers (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    -- The reader stopped mail about this thread.
    stopped_at      TEXT,
    -- When unmailed replies were first seen: they are gathered for a short while.
    waiting_since   TEXT,
    -- At most one mail per thread per interval.
    last_mailed_at  TEXT
);
CREATE INDEX reply_follows_by_reader ON reply_follows (reader_id);
CREATE INDEX reply_follows_waiting ON reply_follows (waiting_since) WHERE waiting_since IS NOT NULL;

-- Replies already mailed to the followed comment's author (a reply has one parent, so its id
-- is the key). A reply approved late, after newer ones were mailed, is still mailed.
CREATE TABLE reply_mailed (
    reply_id   INTEGER PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    mailed_at  TEXT NOT NULL
);

-- Links mailed to a reader: 'confirm' (the opt-in) and 'stop' (this thread, or with
-- scope=all every thread). Only the SHA-256 of each token is kept.
CREATE TABLE reply_tokens (
    token_hash  TEXT PRIMARY KEY,
    reader_id   INTEGER NOT NULL REFERENCES reply_readers (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm', 'stop')),
    -- The thread a 'stop' link is about.
    comment_id  INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) WITHOUT ROWID;
CREATE INDEX reply_tokens_by_reader ON reply_tokens (reader_id);
