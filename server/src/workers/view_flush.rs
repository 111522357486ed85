//! Writes the counted article views every few seconds and keeps the Popular list fresh, until
//! the server stops — then writes what was counted since the last time (a crash loses at most
//! one interval of views, acceptable for a popularity list).

use std::time::Duration;

use app::db::Db;
use app::discovery::views::Readership;
use tokio::sync::watch;

pub async fn run(readership: Readership, db: Db, every: Duration, stopping: watch::Receiver<bool>) {
    let stopped = super::stopped(stopping);
    tokio::pin!(stopped);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut stopped => {
                if let Err(error) = readership.flush(&db).await {
                    tracing::warn!(%error, "view counts could not be written at shutdown");
                }
                return;
            }
        }
        if let Err(error) = readership.flush(&db).await {
            tracing::warn!(%error, "view counts could not be written; retrying");
        }
        if readership.popular_is_stale() {
            if let Err(error) = readership.refresh_popular(&db).await {
                tracing::warn!(%error, "the Popular list could not be read");
            }
        }
    }
}
