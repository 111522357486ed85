//! Relays comments that became visible (the database's `comment_events`) to this process's
//! live readers. Every process reads the same events, so a comment approved anywhere — a
//! reader's post or the desk on any node, `server comments approve` — reaches every reader
//! within `LOOK`, and at once when the change was made here (the feed is woken).

use std::time::Duration;

use app::comments::live::CommentFeed;
use app::comments::store;
use app::db::Db;
use tokio::sync::watch;

/// How often the events are read when nothing here woke the relay.
const LOOK: Duration = Duration::from_millis(250);
/// Events read at most per look (a burst is caught up over the next looks).
const BATCH: i64 = 500;
/// Events kept for readers whose stream reconnects (`Last-Event-ID`), and how often the rest
/// are dropped.
const KEEP: i64 = 10_000;
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Looks woken by posts are at least this far apart: under a burst of posts one look relays
/// many, instead of one query per post on every node.
const SPACING: Duration = Duration::from_millis(20);

pub async fn run(db: Db, feed: CommentFeed, mut stopping: watch::Receiver<bool>) {
    // Only what happens from now on: earlier comments are in the pages already.
    let mut after = loop {
        match store::last_event(&db).await {
            Ok(seq) => break seq,
            Err(error) => tracing::warn!(%error, "live comments: the event log cannot be read; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stopping.changed() => return,
        }
    };
    let mut pruned = tokio::time::Instant::now() - PRUNE_EVERY;
    loop {
        let looked = tokio::time::Instant::now();
        match store::events_after(&db, after, None, BATCH).await {
            Ok(events) => {
                for event in events {
                    after = event.seq;
                    feed.publish(event);
                }
            }
            Err(error) => tracing::warn!(%error, "live comments: the event log cannot be read"),
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = tokio::time::Instant::now();
            if let Err(error) = store::prune_events(&db, KEEP).await {
                tracing::warn!(%error, "live comments: old events could not be dropped");
            }
        }
        tokio::select! {
            _ = feed.woken() => {}
            _ = tokio::time::sleep(LOOK) => {}
            _ = stopping.changed() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep_until(looked + SPACING) => {}
            _ = stopping.changed() => return,
        }
    }
}
