//! Publishes scheduled stories when their time comes: looks every second, and sleeps to the
//! exact moment when one falls due sooner, so a story appears on time and not before.

use std::time::Duration;

use app::articles::store::desk;
use app::core::Timestamp;
use app::db::Db;
use app::staff::audit::{self, Action};
use tokio::sync::watch;

/// How often the schedule is read (a story scheduled meanwhile is seen within this).
const LOOK: Duration = Duration::from_secs(1);

pub async fn run(db: Db, mut stopping: watch::Receiver<bool>) {
    loop {
        if let Err(error) = release_due(&db).await {
            tracing::error!(%error, "scheduled stories could not be published");
        }
        let wait = match desk::next_due(&db).await {
            Ok(Some(at)) => (at.time() - chrono::Utc::now()).to_std().unwrap_or_default().min(LOOK),
            _ => LOOK,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopping.changed() => return,
        }
    }
}

/// Publishes every story that is due, each in its own transaction (and indexed for search).
pub async fn release_due(db: &Db) -> sqlx::Result<usize> {
    let now = Timestamp::now();
    let mut released = 0;
    for id in desk::due(db, now).await? {
        let mut tx = db.write().await?;
        if let Some(story) = desk::release(&mut tx, id, now).await? {
            app::discovery::store::index_article(&mut tx, id, &story.title, &story.summary, &story.body_html).await?;
            tx.commit().await?;
            tracing::info!(id, "published a scheduled story");
            let detail = format!("#{id} {}", story.title);
            // The story is out; a failed log line must not hold back the next due one.
            if let Err(error) = audit::record(db, None, Action::StoryReleased, &detail, "").await {
                tracing::error!(%error, id, "the release could not be written to the audit log");
            }
            released += 1;
        }
    }
    Ok(released)
}
