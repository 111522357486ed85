//! Tells the moderators when comments are held: watches the queue's version (kept by triggers,
//! so comments held through any node or command count) and mails at most once per interval.

use std::time::Duration;

use app::comments::queue;
use app::core::Email;
use app::db::Db;
use app::newsletter::mail::{self, MailSettings};
use app::newsletter::signup::MailQueue;
use chrono::Utc;
use tokio::sync::watch;

/// At most one mail per this long, listing everything held since the previous one.
pub const EVERY: chrono::Duration = chrono::Duration::minutes(10);
/// How often the queue's version is looked at.
const LOOK: Duration = Duration::from_secs(2);
/// A notice held back by the interval is tried again this often even when nothing changes.
const RETRY: Duration = Duration::from_secs(60);

pub async fn run(
    db: Db,
    settings: MailSettings,
    fallback: Option<Email>,
    mailer: MailQueue,
    mut stopping: watch::Receiver<bool>,
) {
    let mut seen = None;
    let mut last_try = tokio::time::Instant::now();
    loop {
        let version = queue::version(&db).await.ok();
        if version != seen || last_try.elapsed() >= RETRY {
            seen = version;
            last_try = tokio::time::Instant::now();
            let compose =
                |to: &Email, held: &[queue::HeldComment], more| mail::held_comments(&settings, to, held, more);
            match queue::notify_held(&db, Utc::now(), EVERY, fallback.as_ref(), compose).await {
                Ok(0) => {}
                Ok(listed) => {
                    tracing::info!(listed, "moderators told about held comments");
                    mailer.wake();
                }
                Err(error) => tracing::error!(%error, "moderators could not be told about held comments"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(LOOK) => {}
            _ = stopping.changed() => return,
        }
    }
}
