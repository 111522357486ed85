//! (PostgreSQL) Hears the database's `newsroom_changes` notices, sent when any node or command
//! commits a change a page shows or a comment becoming visible, and makes this node look at
//! once: its render cache re-reads the versions, its live relay reads the new events. The
//! 250 ms looks go on beside it, so a notice lost with a connection costs at most that; after
//! a reconnect the node looks once to catch up with what it did not hear.

use std::time::Duration;

use app::comments::live::CommentFeed;
use app::db::{Db, Engine};
use sqlx::postgres::PgListener;
use tokio::sync::watch;

use crate::middleware::page_cache::PageCache;

const CHANNEL: &str = "newsroom_changes";
/// Every post sends notices to every node: under a burst, the notices of this long share one
/// look (without it each node re-read the versions and the events once per post).
const GATHER: Duration = Duration::from_millis(20);

pub async fn run(db: Db, feed: CommentFeed, cache: PageCache, mut stopping: watch::Receiver<bool>) {
    let Engine::Postgres(pool) = db.engine() else { return };
    let look = || async {
        feed.wake();
        cache.check_version().await;
    };
    loop {
        match listen(pool).await {
            Ok(mut listener) => {
                look().await;
                loop {
                    tokio::select! {
                        notice = listener.try_recv() => match notice {
                            Ok(Some(_)) => {
                                // Every notice of the next moment (a comment sends two), then
                                // one look for them all.
                                let until = tokio::time::Instant::now() + GATHER;
                                let gathered = loop {
                                    tokio::select! {
                                        more = tokio::time::timeout_at(until, listener.try_recv()) => match more {
                                            Ok(Ok(Some(_))) => continue,
                                            // The moment is over, or the connection dropped (the
                                            // next call reconnects).
                                            Err(_) | Ok(Ok(None)) => break Ok(()),
                                            Ok(Err(error)) => break Err(error),
                                        },
                                        _ = stopping.changed() => return,
                                    }
                                };
                                look().await;
                                if let Err(error) = gathered {
                                    tracing::warn!(%error, "change notices: the listening connection failed");
                                    break;
                                }
                            }
                            // The connection dropped; the next call reconnects. Whatever was
                            // said meanwhile is caught up by looking.
                            Ok(None) => look().await,
                            Err(error) => {
                                tracing::warn!(%error, "change notices: the listening connection failed");
                                break;
                            }
                        },
                        _ = stopping.changed() => return,
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "change notices: cannot listen; the 250 ms looks go on"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stopping.changed() => return,
        }
    }
}

async fn listen(pool: &sqlx::PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
