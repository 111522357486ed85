-- Every server process serving this database, so a node can tell that it is not alone: with
-- more than one, each must know the site's public address (SITE_URL). A node refreshes its row
-- while it serves and removes it when it stops; a row not refreshed for a while is a node gone.
CREATE TABLE nodes (
    name     TEXT COLLATE "C" PRIMARY KEY, -- host name and listen address
    site_url TEXT COLLATE "C",             -- its SITE_URL; NULL when it runs without one
    seen_at  TEXT COLLATE "C" NOT NULL     -- when it last said it was serving
);
