-- Every server process serving this database, so a node can tell that it is not alone: with
-- more than one, each must know the site's public address (SITE_URL). A node refreshes its row
-- while it serves and removes it when it stops; a row not refreshed for a while is a node gone.
CREATE TABLE nodes (
    name     TEXT PRIMARY KEY, -- host name and listen address: a restarted node is the same node
    site_url TEXT,             -- its SITE_URL; NULL when it runs without one
    seen_at  TEXT NOT NULL     -- when it last said it was serving
) WITHOUT ROWID;
