-- Why a comment was held or marked spam when it came in (links, the trap field, a ban), for
-- the moderation queue. Older comments have none.
ALTER TABLE comments ADD COLUMN held_reason TEXT CHECK (held_reason IN ('links', 'honeypot', 'ban'));

-- Banned commenters: by e-mail address (lower-cased) or by address hash. Their comments go
-- straight to spam.
CREATE TABLE comment_bans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'address')),
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    UNIQUE (kind, value)
);
