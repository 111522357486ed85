//! Mails readers the replies to comments they follow: watches the comment queue's version
//! (kept by triggers, so replies approved on any node or by `server comments` count) and runs
//! a pass when it changes or when gathered replies fall due.

use std::time::Duration;

use app::comments::{queue, reply_mail};
use app::core::paths;
use app::db::Db;
use app::newsletter::mail::{self, MailSettings};
use app::newsletter::signup::MailQueue;
use chrono::Utc;
use tokio::sync::watch;

/// How often the queue's version is looked at.
const LOOK: Duration = Duration::from_secs(1);
/// A pass runs this often even when nothing seems to change (a missed version, a clock jump).
const RETRY: Duration = Duration::from_secs(60);

pub async fn run(
    db: Db,
    settings: MailSettings,
    pacing: reply_mail::Pacing,
    mailer: MailQueue,
    mut stopping: watch::Receiver<bool>,
) {
    let mut seen = None;
    let mut due = None;
    let mut last_pass = tokio::time::Instant::now();
    loop {
        let version = queue::version(&db).await.ok();
        let now = Utc::now();
        if version != seen || due.is_some_and(|at| at <= now) || last_pass.elapsed() >= RETRY {
            seen = version;
            last_pass = tokio::time::Instant::now();
            let compose = |notice: &reply_mail::Notice, stop: &app::newsletter::token::Token| {
                let thread = settings.site_url.join(&paths::replies_stop(stop.as_str(), false));
                let all = settings.site_url.join(&paths::replies_stop(stop.as_str(), true));
                mail::replies(&settings, notice, &thread, &all)
            };
            match reply_mail::notify(&db, now, pacing, compose).await {
                Ok(pass) => {
                    due = pass.next_due;
                    if pass.mailed > 0 {
                        tracing::info!(threads = pass.mailed, "reply mail queued");
                        mailer.wake();
                    }
                }
                Err(error) => tracing::error!(%error, "reply mail could not be queued"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(LOOK) => {}
            _ = stopping.changed() => return,
        }
    }
}
