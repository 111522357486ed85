-- Every time a comment becomes visible to readers, in order. Each server process relays the
-- new rows to its live readers, whoever made the change (a reader's post, the desk on any
-- node, `server comments approve`), and a reader whose stream reconnects asks for what came
-- after the last event it saw (Last-Event-ID). Old rows are pruned by the relay.
CREATE TABLE comment_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id INTEGER NOT NULL
);

CREATE TRIGGER comment_event_added AFTER INSERT ON comments WHEN new.status = 'approved' BEGIN
    INSERT INTO comment_events (comment_id) VALUES (new.id);
END;

CREATE TRIGGER comment_event_approved AFTER UPDATE OF status ON comments
    WHEN new.status = 'approved' AND old.status IS NOT 'approved' BEGIN
    INSERT INTO comment_events (comment_id) VALUES (new.id);
END;
