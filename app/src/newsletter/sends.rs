//! (server) The only SQL of the newsletter's sends: queueing an edition or a story for every
//! confirmed subscriber, the workers' claims on deliveries, their outcomes, and the status.
//!
//! Dependable by construction: a send and all its deliveries are queued in one transaction
//! (one `INSERT … SELECT`, however many subscribers); each delivery is keyed (send,
//! subscriber), so nobody is queued twice; a worker claims deliveries for a lease, so a
//! process killed mid-send leaves only what it had claimed to be tried again.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::edition::{EditionStory, Newsletter};
use super::token::Token;
use super::types::{SubscriberStatus, TokenPurpose};
use crate::core::{paths, Email, SiteUrl, Slug, Timestamp};
use crate::db::Db;

/// Unsubscribe links in a newsletter keep working this long.
const UNSUBSCRIBE_VALID_FOR: Duration = Duration::days(3650);
/// A delivery that keeps failing temporarily is given up after this many attempts (the
/// backoff makes that about a day).
pub const MAX_ATTEMPTS: i64 = 12;

/// What kind of send, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendKind {
    Edition,
    Article,
}

impl SendKind {
    fn stored(self) -> &'static str {
        match self {
            SendKind::Edition => "edition",
            SendKind::Article => "article",
        }
    }
}

#[derive(FromRow)]
struct StoryRow {
    id: i64,
    slug: Slug,
    title: String,
    summary: String,
    section: String,
    image: Option<String>,
}

impl StoryRow {
    fn story(self, site: &SiteUrl) -> EditionStory {
        let image = self.image.map(|src| if src.starts_with('/') { site.join(&src) } else { src });
        EditionStory {
            url: site.join(&paths::article(&self.slug)),
            title: self.title,
            summary: self.summary,
            section: self.section,
            image: image.filter(|src| src.starts_with("https://") || src.starts_with("http://")),
        }
    }
}

const STORY_COLUMNS: &str = "SELECT a.id, a.slug, a.title, a.summary, c.name AS section, a.image \
     FROM articles a JOIN categories c ON c.id = a.category_id";

/// The stories published after `after` up to `until`, newest first.
pub async fn stories_between(
    db: &Db,
    site: &SiteUrl,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<EditionStory>> {
    let rows: Vec<StoryRow> = crate::on!(db, |ex| {
        sqlx::query_as(&format!(
        "{STORY_COLUMNS} WHERE a.published_at > $1 AND a.published_at <= $2 ORDER BY a.published_at DESC, a.id DESC LIMIT 40"
    ))
    .bind(Timestamp::from(after))
    .bind(Timestamp::from(until))
    .fetch_all(ex)
    .await
    })?;
    Ok(rows.into_iter().map(|row| row.story(site)).collect())
}

/// One story and its id, for a single-story send.
pub async fn story(db: &Db, site: &SiteUrl, slug: &Slug) -> sqlx::Result<Option<(i64, EditionStory)>> {
    let row: Option<StoryRow> = crate::on!(db, |ex| sqlx::query_as(&format!("{STORY_COLUMNS} WHERE a.slug = $1"))
        .bind(slug)
        .fetch_optional(ex)
        .await)?;
    Ok(row.map(|row| (row.id, row.story(site))))
}

/// Where the previous edition's stories ended, if there was one.
pub async fn last_edition_until(db: &Db) -> sqlx::Result<Option<DateTime<Utc>>> {
    let until: Option<Timestamp> = crate::on!(db, |ex| sqlx::query_scalar(
        "SELECT MAX(covers_until) FROM newsletter_sends WHERE kind = 'edition'"
    )
    .fetch_one(ex)
    .await)?;
    Ok(until.map(Timestamp::time))
}

/// The key of a single-story send: each story goes out once.
pub fn article_key(article_id: i64) -> String {
    format!("article:{article_id}")
}

/// What queueing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Queued {
    /// A new send, with this many recipients.
    New { id: i64, recipients: i64 },
    /// This key was queued before (another node, an earlier run, a second click): nothing new.
    AlreadyQueued { at: DateTime<Utc> },
}

/// Queues `letter` for every confirmed subscriber who never bounced, under `key`.
pub async fn queue(
    db: &Db,
    key: &str,
    kind: SendKind,
    letter: &Newsletter,
    covers_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Queued> {
    let mut tx = db.write().await?;
    let id: Option<i64> = crate::on!(tx, |ex| sqlx::query_scalar(
        "INSERT INTO newsletter_sends (send_key, kind, subject, text_body, html_body, covers_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (send_key) DO NOTHING RETURNING id",
    )
    .bind(key)
    .bind(kind.stored())
    .bind(&letter.subject)
    .bind(&letter.text)
    .bind(&letter.html)
    .bind(Timestamp::from(covers_until))
    .bind(Timestamp::from(now))
    .fetch_optional(ex)
    .await)?;
    let Some(id) = id else {
        let at: Timestamp =
            crate::on!(tx, |ex| sqlx::query_scalar("SELECT created_at FROM newsletter_sends WHERE send_key = $1")
                .bind(key)
                .fetch_one(ex)
                .await)?;
        return Ok(Queued::AlreadyQueued { at: at.time() });
    };
    let recipients = crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO newsletter_deliveries (send_id, subscriber_id, next_attempt_at) \
         SELECT $1, id, $2 FROM subscribers WHERE status = $3 AND bounced_at IS NULL",
    )
    .bind(id)
    .bind(Timestamp::from(now))
    .bind(SubscriberStatus::Confirmed)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))? as i64;
    crate::on!(tx, |ex| sqlx::query("UPDATE newsletter_sends SET recipients = $1 WHERE id = $2")
        .bind(recipients)
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(Queued::New { id, recipients })
}

/// Whether a send with this key was queued (a cheap read before composing one).
pub async fn is_queued(db: &Db, key: &str) -> sqlx::Result<bool> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM newsletter_sends WHERE send_key = $1)")
        .bind(key)
        .fetch_one(ex)
        .await)
}

/// A send's stored text.
pub async fn letter(db: &Db, send_id: i64) -> sqlx::Result<Option<Newsletter>> {
    let row: Option<(String, String, String)> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT subject, text_body, html_body FROM newsletter_sends WHERE id = $1"
    )
    .bind(send_id)
    .fetch_optional(ex)
    .await)?;
    Ok(row.map(|(subject, text, html)| Newsletter { subject, text, html }))
}

/// A delivery a worker claimed: who, which send, and the unsubscribe link made for this mail.
pub struct Claimed {
    pub send_id: i64,
    pub subscriber_id: i64,
    pub email: Email,
    pub attempts: i64,
    pub unsubscribe: Token,
}

#[derive(FromRow)]
struct DueRow {
    send_id: i64,
    subscriber_id: i64,
    email: Email,
    attempts: i64,
    deliverable: bool,
}

/// Claims up to `limit` due deliveries for `lease`. Deliveries to subscribers who left or
/// bounced since the send was queued are closed as skipped: they get nothing more. Each
/// claimed mail gets its own unsubscribe token (only its hash is stored, as for every link).
pub async fn claim(db: &Db, now: DateTime<Utc>, limit: i64, lease: Duration) -> sqlx::Result<Vec<Claimed>> {
    let mut tx = db.write().await?;
    let due: Vec<DueRow> = crate::on!(tx, |ex| sqlx::query_as(
        "SELECT d.send_id, d.subscriber_id, s.email, d.attempts, \
                (s.status = $1 AND s.bounced_at IS NULL) AS deliverable \
         FROM newsletter_deliveries d JOIN subscribers s ON s.id = d.subscriber_id \
         WHERE d.status = 'queued' AND d.next_attempt_at <= $2 \
         ORDER BY d.next_attempt_at LIMIT $3",
    )
    .bind(SubscriberStatus::Confirmed)
    .bind(Timestamp::from(now))
    .bind(limit)
    .fetch_all(ex)
    .await)?;
    let mut claimed = Vec::with_capacity(due.len());
    for row in due {
        if !row.deliverable {
            crate::on!(tx, |ex| {
                sqlx::query(
                "UPDATE newsletter_deliveries SET status = 'skipped', finished_at = $1 WHERE send_id = $2 AND subscriber_id = $3",
            )
            .bind(Timestamp::from(now))
            .bind(row.send_id)
            .bind(row.subscriber_id)
            .execute(ex)
            .await.map(|done| done.rows_affected())
            })?;
            continue;
        }
        crate::on!(tx, |ex| {
            sqlx::query(
            "UPDATE newsletter_deliveries SET next_attempt_at = $1, attempts = attempts + 1 WHERE send_id = $2 AND subscriber_id = $3",
        )
        .bind(Timestamp::from(now + lease))
        .bind(row.send_id)
        .bind(row.subscriber_id)
        .execute(ex)
        .await.map(|done| done.rows_affected())
        })?;
        let token = Token::generate();
        crate::on!(tx, |ex| {
            sqlx::query(
            "INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token.hash())
        .bind(row.subscriber_id)
        .bind(TokenPurpose::Unsubscribe)
        .bind(Timestamp::from(now))
        .bind(Timestamp::from(now + UNSUBSCRIBE_VALID_FOR))
        .execute(ex)
        .await.map(|done| done.rows_affected())
        })?;
        claimed.push(Claimed {
            send_id: row.send_id,
            subscriber_id: row.subscriber_id,
            email: row.email,
            attempts: row.attempts + 1,
            unsubscribe: token,
        });
    }
    tx.commit().await?;
    Ok(claimed)
}

/// How one claimed delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// A permanent refusal (SMTP 5xx): the address is marked bounced and mailed no more.
    Bounced(String),
    /// A temporary failure: tried again at `retry_at` (or given up after [`MAX_ATTEMPTS`]).
    Retry {
        error: String,
        retry_at: DateTime<Utc>,
    },
    /// Claimed but not tried (the lease was running out): free for any worker now.
    Untried,
}

/// Records a batch's outcomes in one transaction.
pub async fn record(db: &Db, outcomes: &[(&Claimed, Outcome)], now: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    for (delivery, outcome) in outcomes {
        if let Outcome::Bounced(error) = outcome {
            crate::on!(tx, |ex| sqlx::query(
                "UPDATE subscribers SET bounced_at = $1, bounce_reason = $2 WHERE id = $3"
            )
            .bind(Timestamp::from(now))
            .bind(short(error))
            .bind(delivery.subscriber_id)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
        }
        crate::on!(tx, |ex| {
            let query = match outcome {
                Outcome::Sent => sqlx::query(
                    "UPDATE newsletter_deliveries SET status = 'sent', finished_at = $1, last_error = NULL \
                     WHERE send_id = $2 AND subscriber_id = $3",
                )
                .bind(Timestamp::from(now)),
                Outcome::Bounced(error) => {
                    sqlx::query(
                        "UPDATE newsletter_deliveries SET status = 'bounced', finished_at = $1, last_error = $2 \
                         WHERE send_id = $3 AND subscriber_id = $4",
                    )
                    .bind(Timestamp::from(now))
                    .bind(short(error))
                }
                Outcome::Retry { error, .. } if delivery.attempts >= MAX_ATTEMPTS => sqlx::query(
                    "UPDATE newsletter_deliveries SET status = 'failed', finished_at = $1, last_error = $2 \
                     WHERE send_id = $3 AND subscriber_id = $4",
                )
                .bind(Timestamp::from(now))
                .bind(short(error)),
                Outcome::Retry { error, retry_at } => sqlx::query(
                    "UPDATE newsletter_deliveries SET next_attempt_at = $1, last_error = $2 WHERE send_id = $3 AND subscriber_id = $4",
                )
                .bind(Timestamp::from(*retry_at))
                .bind(short(error)),
                Outcome::Untried => sqlx::query(
                    "UPDATE newsletter_deliveries SET next_attempt_at = $1, attempts = attempts - 1 \
                     WHERE send_id = $2 AND subscriber_id = $3",
                )
                .bind(Timestamp::from(now)),
            };
            query.bind(delivery.send_id).bind(delivery.subscriber_id).execute(ex).await.map(|done| done.rows_affected())
        })?;
    }
    tx.commit().await
}

fn short(error: &str) -> String {
    error.chars().take(500).collect()
}

/// When the earliest queued delivery is due, if any.
pub async fn next_due(db: &Db) -> sqlx::Result<Option<DateTime<Utc>>> {
    let at: Option<Timestamp> = crate::on!(db, |ex| sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) FROM newsletter_deliveries WHERE status = 'queued'"
    )
    .fetch_one(ex)
    .await)?;
    Ok(at.map(Timestamp::time))
}

/// One send as `server newsletter status` shows it.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct SendStatus {
    pub id: i64,
    pub send_key: String,
    pub subject: String,
    pub created_at: Timestamp,
    pub recipients: i64,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub skipped: i64,
    /// Deliveries that failed at least once and wait for another try.
    pub retrying: i64,
}

/// The newest sends first.
pub async fn status(db: &Db, limit: i64) -> sqlx::Result<Vec<SendStatus>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT s.id, s.send_key, s.subject, s.created_at, s.recipients, \
           COUNT(*) FILTER (WHERE d.status = 'queued') AS queued, COUNT(*) FILTER (WHERE d.status = 'sent') AS sent, \
           COUNT(*) FILTER (WHERE d.status = 'failed') AS failed, \
           COUNT(*) FILTER (WHERE d.status = 'bounced') AS bounced, \
           COUNT(*) FILTER (WHERE d.status = 'skipped') AS skipped, \
           COUNT(*) FILTER (WHERE d.status = 'queued' AND d.last_error IS NOT NULL) AS retrying \
         FROM newsletter_sends s LEFT JOIN newsletter_deliveries d ON d.send_id = s.id \
         GROUP BY s.id ORDER BY s.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn with_subscribers(emails: &[&str]) -> (Db, tempfile::TempDir) {
        let (db, dir) = Db::temporary().await;
        for email in emails {
            crate::on!(db, |ex| sqlx::query("INSERT INTO subscribers (email, status, created_at) VALUES ($1, 'confirmed', '2026-01-01T00:00:00.000Z')")
                .bind(email)
                .execute(ex)
                .await.map(|done| done.rows_affected()))
                .unwrap();
        }
        (db, dir)
    }

    fn letter() -> Newsletter {
        Newsletter { subject: "S".into(), text: "T".into(), html: "H".into() }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-04T07:00:00Z").unwrap().with_timezone(&Utc) + Duration::seconds(seconds)
    }

    #[tokio::test]
    async fn claims_are_exclusive_until_the_lease_runs_out_and_leavers_are_skipped() {
        let (db, _dir) = with_subscribers(&["a@example.org", "b@example.org", "c@example.org"]).await;
        let queued = queue(&db, "edition:2026-W49", SendKind::Edition, &letter(), at(0), at(0)).await.unwrap();
        assert!(matches!(queued, Queued::New { recipients: 3, .. }));
        let again = queue(&db, "edition:2026-W49", SendKind::Edition, &letter(), at(5), at(5)).await.unwrap();
        assert!(matches!(again, Queued::AlreadyQueued { .. }), "the same week's edition is queued once");

        // c leaves while the send runs: it gets nothing more.
        crate::on!(db, |ex| sqlx::query(
            "UPDATE subscribers SET status = 'unsubscribed' WHERE email = 'c@example.org'"
        )
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
        let first = claim(&db, at(1), 1, Duration::seconds(30)).await.unwrap();
        assert_eq!(first.len(), 1);
        let second = claim(&db, at(2), 10, Duration::seconds(30)).await.unwrap();
        let emails: Vec<&str> = first.iter().chain(&second).map(|c| c.email.as_str()).collect();
        assert_eq!(emails.len(), 2, "a claimed delivery is not claimed again within its lease: {emails:?}");
        assert!(!emails.contains(&"c@example.org"));
        assert!(claim(&db, at(3), 10, Duration::seconds(30)).await.unwrap().is_empty());

        // The worker holding `first` died: after the lease, another takes it.
        record(&db, &[(&second[0], Outcome::Sent)], at(4)).await.unwrap();
        let retaken = claim(&db, at(32), 10, Duration::seconds(30)).await.unwrap();
        assert_eq!(retaken.iter().map(|c| c.email.as_str()).collect::<Vec<_>>(), [first[0].email.as_str()]);
        assert_eq!(retaken[0].attempts, 2);
        record(&db, &[(&retaken[0], Outcome::Sent)], at(33)).await.unwrap();

        let status = &status(&db, 10).await.unwrap()[0];
        assert_eq!((status.recipients, status.sent, status.skipped, status.queued), (3, 2, 1, 0));
        // Each claimed mail carried its own unsubscribe link.
        let tokens: i64 = crate::on!(db, |ex| sqlx::query_scalar(
            "SELECT COUNT(*) FROM subscriber_tokens WHERE purpose = 'unsubscribe'"
        )
        .fetch_one(ex)
        .await)
        .unwrap();
        assert_eq!(tokens, 3);
    }

    #[tokio::test]
    async fn untried_deliveries_are_free_at_once_and_do_not_count_as_attempts() {
        let (db, _dir) = with_subscribers(&["a@example.org"]).await;
        queue(&db, "article:1", SendKind::Article, &letter(), at(0), at(0)).await.unwrap();
        let claimed = claim(&db, at(1), 10, Duration::seconds(30)).await.unwrap();
        record(&db, &[(&claimed[0], Outcome::Untried)], at(2)).await.unwrap();
        let again = claim(&db, at(3), 10, Duration::seconds(30)).await.unwrap();
        assert_eq!(again[0].attempts, 1);
    }
}
