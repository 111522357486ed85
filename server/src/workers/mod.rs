//! Background workers the server starts beside the requests: the mailer drains the outbox,
//! the newsletter workers queue the weekly edition and send what is queued, and the
//! moderators are told when comments are held, readers when their comments get replies, and
//! scheduled stories are published on time; the live relay hands comments that became
//! visible anywhere to this process's live readers; on PostgreSQL the change notices make a
//! node look at once when another one wrote.

pub mod change_notices;
pub mod live_relay;
pub mod mailer;
pub mod moderation_notice;
pub mod newsletter;
pub mod presence;
pub mod reply_mail;
pub mod scheduler;
pub mod smtp_pool;

/// Completes once the server is stopping (or the sender is gone).
pub async fn stopped(mut stopping: tokio::sync::watch::Receiver<bool>) {
    while !*stopping.borrow_and_update() {
        if stopping.changed().await.is_err() {
            return;
        }
    }
}

pub mod view_flush;
