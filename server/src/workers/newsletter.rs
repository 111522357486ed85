//! The newsletter's two background workers, run by every node: the schedule queues the weekly
//! edition when it is due (once per week however many nodes try: the send's key), and the
//! sender drains the queued deliveries over the shared transport.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::core::{Email, SiteUrl, Slug};
use app::db::Db;
use app::newsletter::edition::{Newsletter, Schedule};
use app::newsletter::mail::{self, MailSettings};
use app::newsletter::sends::{self, Claimed, Outcome, Queued, SendKind};
use app::newsletter::signup::MailQueue;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::watch;

use super::mailer::{self, Transport, CONNECTIONS};

/// Deliveries claimed at a time. A process killed mid-batch sends at most these again.
const BATCH: i64 = 32;
/// How long a claim keeps other workers off a delivery. A batch stops starting new mails well
/// before it runs out, so a lease never expires under a mail being sent.
const LEASE: chrono::Duration = chrono::Duration::seconds(30);
const STOP_STARTING_AFTER: Duration = Duration::from_secs(20);
/// How often an idle sender looks for sends queued elsewhere (the command line, another node).
const IDLE_LOOK: Duration = Duration::from_secs(5);
/// An edition not sent at its time (the site was down) still goes out within this window.
const CATCH_UP: chrono::Duration = chrono::Duration::hours(24);
/// The first edition covers this much when there was none before.
const FIRST_EDITION_COVERS: chrono::Duration = chrono::Duration::days(7);

/// The edition for `now`: its key and text, or `None` when nothing was published since the last.
pub async fn compose_edition(
    db: &Db,
    schedule: &Schedule,
    site: &SiteUrl,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(String, Newsletter)>> {
    let after = sends::last_edition_until(db).await?.unwrap_or(now - FIRST_EDITION_COVERS);
    let stories = sends::stories_between(db, site, after, now).await?;
    Ok(Newsletter::edition(&stories, site, now).map(|letter| (schedule.edition_key(now), letter)))
}

/// Queues this week's edition if it is due, not yet queued and something was published.
pub async fn queue_due_edition(
    db: &Db,
    schedule: &Schedule,
    site: &SiteUrl,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Queued>> {
    let due_at = schedule.this_week(now);
    // Checked once a minute for a day after it is due: a read, not a write, once it is queued.
    if now < due_at || now >= due_at + CATCH_UP || sends::is_queued(db, &schedule.edition_key(now)).await? {
        return Ok(None);
    }
    let Some((key, letter)) = compose_edition(db, schedule, site, now).await? else { return Ok(None) };
    sends::queue(db, &key, SendKind::Edition, &letter, now, now).await.map(Some)
}

/// A single story for `slug`, composed: `None` when there is no such story.
pub async fn compose_story(db: &Db, site: &SiteUrl, slug: &Slug) -> sqlx::Result<Option<(String, Newsletter)>> {
    Ok(sends::story(db, site, slug)
        .await?
        .map(|(id, story)| (sends::article_key(id), Newsletter::single(&story, site))))
}

/// Queues the story for every subscriber, once per story.
pub async fn queue_story(db: &Db, site: &SiteUrl, slug: &Slug, now: DateTime<Utc>) -> sqlx::Result<Option<Queued>> {
    let Some((key, letter)) = compose_story(db, site, slug).await? else { return Ok(None) };
    sends::queue(db, &key, SendKind::Article, &letter, now, now).await.map(Some)
}

/// Looks once a minute whether the edition is due.
pub async fn schedule(
    db: Db,
    schedule: Schedule,
    site: SiteUrl,
    sender: MailQueue,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        match queue_due_edition(&db, &schedule, &site, Utc::now()).await {
            Ok(Some(Queued::New { id, recipients })) => {
                tracing::info!(send = id, recipients, "newsletter edition queued");
                sender.wake();
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "newsletter edition could not be queued"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stopping.changed() => return,
        }
    }
}

/// Sends queued deliveries until the server stops.
pub async fn send(
    db: Db,
    transport: Transport,
    settings: MailSettings,
    woken: MailQueue,
    mut stopping: watch::Receiver<bool>,
) {
    let mut letters: HashMap<i64, Arc<Newsletter>> = HashMap::new();
    loop {
        if *stopping.borrow() {
            return;
        }
        let claimed = match sends::claim(&db, Utc::now(), BATCH, LEASE).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(%error, "newsletter deliveries could not be claimed");
                Vec::new()
            }
        };
        if !claimed.is_empty() {
            deliver_batch(&db, &transport, &settings, &mut letters, &claimed).await;
            continue;
        }
        if !mailer::rest(sends::next_due(&db).await, IDLE_LOOK, &woken, &mut stopping).await {
            return;
        }
    }
}

async fn deliver_batch(
    db: &Db,
    transport: &Transport,
    settings: &MailSettings,
    letters: &mut HashMap<i64, Arc<Newsletter>>,
    claimed: &[Claimed],
) {
    let missing: std::collections::BTreeSet<i64> =
        claimed.iter().map(|d| d.send_id).filter(|id| !letters.contains_key(id)).collect();
    for send_id in missing {
        match sends::letter(db, send_id).await {
            Ok(Some(letter)) => {
                letters.insert(send_id, Arc::new(letter));
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "newsletter text could not be read"),
        }
    }
    let stop_starting = tokio::time::Instant::now() + STOP_STARTING_AFTER;
    let attempts: Vec<_> = claimed
        .iter()
        .map(|delivery| attempt(transport, settings, letters.get(&delivery.send_id).cloned(), delivery, stop_starting))
        .collect();
    let outcomes: Vec<(&Claimed, Outcome)> =
        futures::stream::iter(attempts).buffer_unordered(CONNECTIONS as usize).collect().await;
    let sent = outcomes.iter().filter(|(_, o)| *o == Outcome::Sent).count();
    let bounced = outcomes.iter().filter(|(_, o)| matches!(o, Outcome::Bounced(_))).count();
    if bounced > 0 {
        tracing::warn!(bounced, "newsletter addresses refused permanently; no more mail goes to them");
    }
    tracing::debug!(sent, claimed = claimed.len(), "newsletter batch");
    if let Err(error) = sends::record(db, &outcomes, Utc::now()).await {
        // The leases run out and these are tried again: sent twice rather than lost.
        tracing::error!(%error, "newsletter outcomes could not be recorded");
    }
}

async fn attempt<'a>(
    transport: &Transport,
    settings: &MailSettings,
    letter: Option<Arc<Newsletter>>,
    delivery: &'a Claimed,
    stop_starting: tokio::time::Instant,
) -> (&'a Claimed, Outcome) {
    if tokio::time::Instant::now() >= stop_starting {
        return (delivery, Outcome::Untried);
    }
    let Some(letter) = letter else {
        return (delivery, retry(delivery, "the send's text could not be read".into()));
    };
    (delivery, deliver(transport, settings, &letter, delivery).await)
}

async fn deliver(transport: &Transport, settings: &MailSettings, letter: &Newsletter, delivery: &Claimed) -> Outcome {
    let unsubscribe = settings.site_url.join(&app::core::paths::newsletter_unsubscribe(delivery.unsubscribe.as_str()));
    let mail = match mail::newsletter(settings, &delivery.email, letter, &unsubscribe) {
        Ok(mail) => mail,
        Err(error) => return Outcome::Bounced(format!("the address cannot be written in a mail: {error}")),
    };
    match transport.send_raw(&mail.sender, &mail.recipient, &mail.message, None).await {
        Ok(()) => Outcome::Sent,
        Err(refusal) if refusal.permanent => Outcome::Bounced(refusal.message),
        Err(refusal) => retry(delivery, refusal.message),
    }
}

fn retry(delivery: &Claimed, error: String) -> Outcome {
    let wait = mailer::backoff(delivery.attempts);
    Outcome::Retry { error, retry_at: Utc::now() + chrono::Duration::from_std(wait).unwrap_or(LEASE) }
}

/// Sends `letter` to one address now, outside the queue (`server newsletter test`).
pub async fn send_test(
    transport: &Transport,
    settings: &MailSettings,
    letter: &Newsletter,
    to: &Email,
) -> Result<(), mailer::Refusal> {
    let unsubscribe = settings.site_url.join(&app::core::paths::newsletter_unsubscribe("test-mail-not-a-subscriber"));
    let mail = mail::newsletter(settings, to, letter, &unsubscribe)
        .map_err(|e| mailer::Refusal { permanent: true, message: e.to_string() })?;
    transport.send_raw(&mail.sender, &mail.recipient, &mail.message, None).await
}
