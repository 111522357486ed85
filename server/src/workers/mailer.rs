//! The mailer, a background worker: drains the outbox over SMTP (or into `.eml` files when no SMTP server is
//! configured), retrying failures with backoff. Requests never wait for it.

use std::{path::PathBuf, time::Duration};

use app::db::Db;
use app::newsletter::{signup::MailQueue, store};
use chrono::Utc;
use lettre::{address::Envelope, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;

/// Where mails go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder; the confirmation link is logged (development, offline).
    Files(PathBuf),
}

impl Transport {
    /// `smtp://host:port` (plain, or `?tls=required` for STARTTLS), `smtps://user:pass@host`
    /// (TLS); without a URL, files in `dir`.
    pub fn new(smtp_url: Option<&str>, dir: PathBuf) -> anyhow::Result<Transport> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a usable SMTP address: {e}"))?
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Ok(Transport::Smtp(transport))
            }
            None => Ok(Transport::Files(dir)),
        }
    }

    async fn send(&self, mail: &store::QueuedMail) -> Result<(), String> {
        let envelope = Envelope::new(
            Some(mail.sender.parse().map_err(|e| format!("sender: {e}"))?),
            vec![mail.recipient.parse().map_err(|e| format!("recipient: {e}"))?],
        )
        .map_err(|e| e.to_string())?;
        match self {
            Transport::Smtp(smtp) => smtp.send_raw(&envelope, &mail.message).await.map(drop).map_err(|e| e.to_string()),
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| format!("{}: {e}", dir.display()))?;
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send_raw(&envelope, &mail.message)
                    .await
                    .map_err(|e| e.to_string())?;
                let file = dir.join(format!("{id}.eml"));
                match &mail.action_url {
                    Some(url) => {
                        tracing::info!(id = mail.id, file = %file.display(), link = %url, "mail written (no SMTP_URL)")
                    }
                    None => tracing::info!(id = mail.id, file = %file.display(), "mail written (no SMTP_URL)"),
                }
                Ok(())
            }
        }
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
        let wait = match store::next_due(&db).await {
            Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(IDLE_LOOK),
            _ => IDLE_LOOK,
        };
        tokio::select! {
            _ = queue.woken() => {}
            _ = tokio::time::sleep(wait.max(Duration::from_millis(50))) => {}
            _ = stopping.changed() => return,
        }
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
