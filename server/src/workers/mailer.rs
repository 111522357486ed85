//! The mailer, a background worker: drains the outbox over SMTP (or into `.eml` files when no SMTP server is
//! configured), retrying failures with backoff. Requests never wait for it.

use std::{num::NonZeroU32, path::PathBuf, sync::Arc, time::Duration};

use app::db::Db;
use app::newsletter::{signup::MailQueue, store};
use chrono::Utc;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use lettre::transport::smtp::PoolConfig;
use lettre::{address::Envelope, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;

use super::smtp_pool::NoDelayPool;

/// Where mails go, at what pace. Cheap to clone: clones share the SMTP connection pool and
/// the pace, so the newsletter and the confirmation mails together stay within the relay's limits.
#[derive(Clone)]
pub struct Transport {
    way: Way,
    pace: Arc<Pace>,
}

#[derive(Clone)]
enum Way {
    /// `smtp://`: connections opened with Nagle off (see `smtp_pool`).
    Relay(Arc<NoDelayPool>),
    /// `smtps://`: lettre's pooled transport.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder; the confirmation link is logged (development, offline).
    Files(PathBuf),
}

/// How fast mail may go out: `SMTP_RATE_PER_SECOND` and `SMTP_RATE_PER_HOUR` (0 = no limit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MailRates {
    pub per_second: u32,
    pub per_hour: u32,
}

struct Pace {
    per_second: Option<DefaultDirectRateLimiter>,
    per_hour: Option<DefaultDirectRateLimiter>,
}

impl Pace {
    fn new(rates: MailRates) -> Pace {
        let limiter = |quota: Option<Quota>| quota.map(RateLimiter::direct);
        Pace {
            per_second: limiter(NonZeroU32::new(rates.per_second).map(Quota::per_second)),
            per_hour: limiter(NonZeroU32::new(rates.per_hour).map(Quota::per_hour)),
        }
    }
}

/// Why a mail did not go out.
#[derive(Debug)]
pub struct Refusal {
    /// The server refused it for good (SMTP 5xx): do not try this address again.
    pub permanent: bool,
    pub message: String,
}

impl Refusal {
    fn temporary(message: impl Into<String>) -> Refusal {
        Refusal { permanent: false, message: message.into() }
    }
}

/// Mails sent in parallel over the pooled SMTP connections.
pub const CONNECTIONS: u32 = 8;

impl Transport {
    /// `smtp://host:port` (plain, or `?tls=required` for STARTTLS), `smtps://user:pass@host`
    /// (TLS); without a URL, files in `dir`.
    pub fn new(smtp_url: Option<&str>, dir: PathBuf, rates: MailRates) -> anyhow::Result<Transport> {
        let way = match smtp_url {
            Some(url) => {
                if let Some(pool) = NoDelayPool::from_url(url, CONNECTIONS as usize, Duration::from_secs(15))
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a usable SMTP address: {e}"))?
                {
                    return Ok(Transport { way: Way::Relay(Arc::new(pool)), pace: Arc::new(Pace::new(rates)) });
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a usable SMTP address: {e}"))?
                    .timeout(Some(Duration::from_secs(15)))
                    .pool_config(PoolConfig::new().max_size(CONNECTIONS))
                    .build();
                Way::Smtp(transport)
            }
            None => Way::Files(dir),
        };
        Ok(Transport { way, pace: Arc::new(Pace::new(rates)) })
    }

    /// Sends one composed message, waiting for the pace first.
    pub async fn send_raw(
        &self,
        sender: &str,
        recipient: &str,
        message: &[u8],
        link: Option<&str>,
    ) -> Result<(), Refusal> {
        let envelope = Envelope::new(
            Some(sender.parse().map_err(|e| Refusal::temporary(format!("sender: {e}")))?),
            vec![recipient.parse().map_err(|e| Refusal { permanent: true, message: format!("recipient: {e}") })?],
        )
        .map_err(|e| Refusal::temporary(e.to_string()))?;
        if let Some(limit) = &self.pace.per_hour {
            limit.until_ready().await;
        }
        if let Some(limit) = &self.pace.per_second {
            limit.until_ready().await;
        }
        match &self.way {
            Way::Relay(pool) => pool.send(&envelope, message).await,
            Way::Smtp(smtp) => smtp
                .send_raw(&envelope, message)
                .await
                .map(drop)
                .map_err(|e| Refusal { permanent: e.is_permanent(), message: e.to_string() }),
            Way::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| Refusal::temporary(format!("{}: {e}", dir.display())))?;
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send_raw(&envelope, message)
                    .await
                    .map_err(|e| Refusal::temporary(e.to_string()))?;
                let file = dir.join(format!("{id}.eml"));
                match link {
                    Some(url) => tracing::info!(file = %file.display(), link = %url, "mail written (no SMTP_URL)"),
                    None => tracing::debug!(file = %file.display(), "mail written (no SMTP_URL)"),
                }
                Ok(())
            }
        }
    }

    async fn send(&self, mail: &store::QueuedMail) -> Result<(), Refusal> {
        self.send_raw(&mail.sender, &mail.recipient, &mail.message, mail.action_url.as_deref()).await
    }
}

/// Seconds to wait before attempt `n + 1` after `n` failed ones: 5, 10, 20, … capped at 5 min.
pub fn backoff(failed_attempts: i64) -> Duration {
    let exponent = (failed_attempts.max(1) - 1).min(16) as u32;
    Duration::from_secs((5u64 << exponent).min(300))
}

/// How long the worker sleeps when nothing is due and nobody wakes it.
const IDLE_LOOK: Duration = Duration::from_secs(30);

pub async fn run(db: Db, transport: Transport, queue: MailQueue, mut stopping: watch::Receiver<bool>) {
    loop {
        if *stopping.borrow() {
            return;
        }
        let sent_some = match store::claim_due(&db, Utc::now(), 10).await {
            Ok(mails) => {
                for mail in &mails {
                    deliver(&db, &transport, mail).await;
                }
                !mails.is_empty()
            }
            Err(error) => {
                tracing::error!(%error, "mail outbox could not be read");
                false
            }
        };
        if sent_some {
            continue;
        }
        if !rest(store::next_due(&db).await, IDLE_LOOK, &queue, &mut stopping).await {
            return;
        }
    }
}

/// A worker with nothing to do waits until its next item is due (at most `longest`), it is
/// woken, or the server stops; `false` when stopping.
pub async fn rest(
    next_due: sqlx::Result<Option<chrono::DateTime<Utc>>>,
    longest: Duration,
    woken: &MailQueue,
    stopping: &mut watch::Receiver<bool>,
) -> bool {
    let wait = match next_due {
        Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(longest),
        _ => longest,
    };
    tokio::select! {
        _ = woken.woken() => true,
        _ = tokio::time::sleep(wait.max(Duration::from_millis(50))) => true,
        _ = stopping.changed() => false,
    }
}

async fn deliver(db: &Db, transport: &Transport, mail: &store::QueuedMail) {
    let result = transport.send(mail).await;
    let now = Utc::now();
    let recorded = match &result {
        Ok(()) => {
            // Readers' addresses stay out of the log; the outbox row has them.
            tracing::info!(id = mail.id, subject = %mail.subject, "mail sent");
            store::mark_sent(db, mail.id, now).await
        }
        Err(error) => {
            let delay = backoff(mail.attempts + 1);
            let error = &error.message;
            tracing::warn!(id = mail.id, attempt = mail.attempts + 1, %error, retry_in_s = delay.as_secs(), "mail not sent");
            store::mark_failed(db, mail.id, error, now + delay).await
        }
    };
    if let Err(error) = recorded {
        // The claim's lease runs out and the mail is tried again: sent twice rather than lost.
        tracing::error!(%error, id = mail.id, "mail outcome could not be recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_retry_is_within_ten_seconds_and_the_wait_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(3), Duration::from_secs(20));
        assert_eq!(backoff(7), Duration::from_secs(300));
        assert_eq!(backoff(1000), Duration::from_secs(300));
    }
}
