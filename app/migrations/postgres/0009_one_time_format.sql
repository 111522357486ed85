-- One text format for every moment: UTC RFC 3339 with milliseconds at fixed width
-- (2026-11-20T08:30:00.000Z), so that text order is time order. Values stored to the second
-- gain ".000"; the newsletter's already had milliseconds.
UPDATE articles SET published_at = substr(published_at, 1, 19) || '.000Z'
    WHERE length(published_at) = 20 AND published_at LIKE '____-__-__T__:__:__Z';
UPDATE articles SET updated_at = substr(updated_at, 1, 19) || '.000Z'
    WHERE length(updated_at) = 20 AND updated_at LIKE '____-__-__T__:__:__Z';
UPDATE comments SET created_at = substr(created_at, 1, 19) || '.000Z'
    WHERE length(created_at) = 20 AND created_at LIKE '____-__-__T__:__:__Z';
UPDATE comment_drafts SET created_at = substr(created_at, 1, 19) || '.000Z'
    WHERE length(created_at) = 20 AND created_at LIKE '____-__-__T__:__:__Z';
