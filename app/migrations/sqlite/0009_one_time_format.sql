-- One storage format for every moment: UTC, RFC 3339 with milliseconds, fixed width
-- (2026-11-20T08:30:00.000Z), so comparing the text compares the times. Articles, comments
-- and drafts were stored to the second (2026-11-20T08:30:00Z); the newsletter already used
-- milliseconds. Nothing is lost: the seconds gain ".000".
UPDATE articles SET published_at = substr(published_at, 1, 19) || '.000Z'
    WHERE length(published_at) = 20 AND published_at LIKE '____-__-__T__:__:__Z';
UPDATE articles SET updated_at = substr(updated_at, 1, 19) || '.000Z'
    WHERE length(updated_at) = 20 AND updated_at LIKE '____-__-__T__:__:__Z';
UPDATE comments SET created_at = substr(created_at, 1, 19) || '.000Z'
    WHERE length(created_at) = 20 AND created_at LIKE '____-__-__T__:__:__Z';
UPDATE comment_drafts SET created_at = substr(created_at, 1, 19) || '.000Z'
    WHERE length(created_at) = 20 AND created_at LIKE '____-__-__T__:__:__Z';
