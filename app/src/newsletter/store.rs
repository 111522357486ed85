//! The only place that writes SQL for the newsletter: subscribers, their mailed tokens and
//! the mail outbox. Every change and the mail it causes commit together.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::mail::{ComposeError, OutgoingMail};
use super::token::{self, Token};
use super::types::{SubscriberStatus, TokenPurpose};
use crate::core::{Email, Timestamp};
use crate::db::Db;

/// A confirmation link works this long.
pub const CONFIRM_VALID_FOR: Duration = Duration::days(7);
/// A pending address that signs up again is mailed again at most this often.
pub const RESEND_AFTER: Duration = Duration::minutes(5);
/// Unsubscribe links in old mails keep working for years.
const UNSUBSCRIBE_VALID_FOR: Duration = Duration::days(3650);
/// A claimed mail that is neither sent nor failed after this (the sender died) is retried.
const CLAIM_LEASE: Duration = Duration::seconds(120);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Compose(#[from] ComposeError),
}

/// What a sign-up did. The reader is told the same thing in every case (no enumeration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// A confirmation mail was queued.
    ConfirmationQueued,
    /// Pending, but a confirmation went out less than `RESEND_AFTER` ago.
    RecentlyMailed,
    AlreadyConfirmed,
}

/// New, pending or unsubscribed addresses become pending with a fresh confirmation link;
/// `confirmation_mail` composes the mail for that link.
pub async fn sign_up(
    db: &Db,
    email: &Email,
    now: DateTime<Utc>,
    confirmation_mail: impl FnOnce(&Token) -> Result<OutgoingMail, ComposeError>,
) -> Result<SignUp, StoreError> {
    let mut tx = db.write().await?;
    let row: Option<(i64, SubscriberStatus, Option<Timestamp>, bool)> = crate::on!(tx, |ex| sqlx::query_as(
        "SELECT id, status, confirm_sent_at, bounced_at IS NOT NULL FROM subscribers WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(ex)
    .await)?;
    let id = match row {
        None => crate::on!(tx, |ex| sqlx::query_scalar(
            "INSERT INTO subscribers (email, status, created_at) VALUES ($1, $2, $3) RETURNING id"
        )
        .bind(email)
        .bind(SubscriberStatus::Pending)
        .bind(Timestamp::from(now))
        .fetch_one(ex)
        .await)?,
        Some((id, status, sent_at, bounced)) => {
            // An address that bounced is mailed again only after it confirms again.
            if status == SubscriberStatus::Confirmed && !bounced {
                return Ok(SignUp::AlreadyConfirmed);
            }
            if status == SubscriberStatus::Pending && sent_at.is_some_and(|at| at > Timestamp::from(now - RESEND_AFTER))
            {
                return Ok(SignUp::RecentlyMailed);
            }
            id
        }
    };
    let token = Token::generate();
    insert_token(&mut tx, &token, id, TokenPurpose::Confirm, now, now + CONFIRM_VALID_FOR).await?;
    crate::on!(tx, |ex| sqlx::query("UPDATE subscribers SET status = $1, confirm_sent_at = $2 WHERE id = $3")
        .bind(SubscriberStatus::Pending)
        .bind(Timestamp::from(now))
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    enqueue(&mut tx, &confirmation_mail(&token)?, now).await?;
    tx.commit().await?;
    Ok(SignUp::ConfirmationQueued)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The link is good: the reader may confirm (opening a link confirms nothing).
    Ready,
    Confirmed,
    AlreadyConfirmed,
    Expired,
    /// Used before (the subscriber has since left), or never ours.
    Invalid,
}

#[derive(FromRow)]
struct ConfirmRow {
    id: i64,
    email: Email,
    status: SubscriberStatus,
    expires_at: Timestamp,
    used_at: Option<Timestamp>,
}

/// The link's subscriber (id, address) and what confirming it now would do.
async fn confirmation_state(
    conn: &mut impl crate::db::Link,
    raw_token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<(Confirmation, Option<(i64, Email)>)> {
    if !token::looks_valid(raw_token) {
        return Ok((Confirmation::Invalid, None));
    }
    let row: Option<ConfirmRow> = crate::on!(conn, |ex| sqlx::query_as(
        "SELECT s.id, s.email, s.status, t.expires_at, t.used_at FROM subscriber_tokens t \
         JOIN subscribers s ON s.id = t.subscriber_id WHERE t.token_hash = $1 AND t.purpose = $2",
    )
    .bind(token::hash(raw_token))
    .bind(TokenPurpose::Confirm)
    .fetch_optional(ex)
    .await)?;
    let Some(ConfirmRow { id, email, status, expires_at, used_at }) = row else {
        return Ok((Confirmation::Invalid, None));
    };
    let state = if status == SubscriberStatus::Confirmed {
        Confirmation::AlreadyConfirmed
    } else if used_at.is_some() {
        Confirmation::Invalid
    } else if expires_at <= Timestamp::from(now) {
        Confirmation::Expired
    } else {
        Confirmation::Ready
    };
    Ok((state, Some((id, email))))
}

/// What a confirmation link would do, changing nothing (mail scanners open links; a GET or
/// HEAD must not confirm anyone).
pub async fn check_confirmation(db: &Db, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Confirmation> {
    Ok(confirmation_state(&mut db.connection().await?, raw_token, now).await?.0)
}

/// Confirms the subscription a confirmation link belongs to (the reader pressed the button)
/// and queues the welcome mail, which carries a fresh unsubscribe link made by `welcome_mail`.
pub async fn confirm(
    db: &Db,
    raw_token: &str,
    now: DateTime<Utc>,
    welcome_mail: impl FnOnce(&Email, &Token) -> Result<OutgoingMail, ComposeError>,
) -> Result<Confirmation, StoreError> {
    let mut tx = db.write().await?;
    let (state, subscriber) = confirmation_state(&mut tx, raw_token, now).await?;
    let (Confirmation::Ready, Some((id, email))) = (state, subscriber) else { return Ok(state) };
    crate::on!(tx, |ex| sqlx::query(
        "UPDATE subscribers SET status = $1, confirmed_at = $2, bounced_at = NULL, bounce_reason = NULL WHERE id = $3",
    )
    .bind(SubscriberStatus::Confirmed)
    .bind(Timestamp::from(now))
    .bind(id)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| sqlx::query("UPDATE subscriber_tokens SET used_at = $1 WHERE token_hash = $2")
        .bind(Timestamp::from(now))
        .bind(token::hash(raw_token))
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    let unsubscribe = Token::generate();
    insert_token(&mut tx, &unsubscribe, id, TokenPurpose::Unsubscribe, now, now + UNSUBSCRIBE_VALID_FOR).await?;
    enqueue(&mut tx, &welcome_mail(&email, &unsubscribe)?, now).await?;
    tx.commit().await?;
    Ok(Confirmation::Confirmed)
}

/// Whose unsubscribe link this is, and whether they are still subscribed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    Subscribed(Email),
    Unsubscribed(Email),
    Invalid,
}

pub async fn membership(db: &Db, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Membership> {
    if !token::looks_valid(raw_token) {
        return Ok(Membership::Invalid);
    }
    let row: Option<(Email, SubscriberStatus)> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT s.email, s.status FROM subscriber_tokens t JOIN subscribers s ON s.id = t.subscriber_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.expires_at > $3",
    )
    .bind(token::hash(raw_token))
    .bind(TokenPurpose::Unsubscribe)
    .bind(Timestamp::from(now))
    .fetch_optional(ex)
    .await)?;
    Ok(match row {
        None => Membership::Invalid,
        Some((email, SubscriberStatus::Confirmed)) => Membership::Subscribed(email),
        Some((email, _)) => Membership::Unsubscribed(email),
    })
}

/// Unsubscribes the owner of an unsubscribe link; doing it twice is harmless.
pub async fn unsubscribe(db: &Db, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Membership> {
    let membership = membership(db, raw_token, now).await?;
    if let Membership::Subscribed(email) = membership {
        let mut tx = db.write().await?;
        crate::on!(tx, |ex| sqlx::query(
            "UPDATE subscribers SET status = $1, unsubscribed_at = $2 WHERE email = $3 AND status = $4"
        )
        .bind(SubscriberStatus::Unsubscribed)
        .bind(Timestamp::from(now))
        .bind(&email)
        .bind(SubscriberStatus::Confirmed)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        return Ok(Membership::Unsubscribed(email));
    }
    Ok(membership)
}

async fn insert_token(
    tx: &mut impl crate::db::Link,
    token: &Token,
    subscriber: i64,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> sqlx::Result<()> {
    crate::on!(tx, |ex| {
        sqlx::query("INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token.hash())
        .bind(subscriber)
        .bind(purpose)
        .bind(Timestamp::from(now))
        .bind(Timestamp::from(expires))
        .execute(ex)
        .await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

// ---- the outbox -------------------------------------------------------------------------

pub(crate) async fn enqueue(
    tx: &mut impl crate::db::Link,
    mail: &OutgoingMail,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO mail_outbox (sender, recipient, subject, message, action_url, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&mail.sender)
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.message)
    .bind(&mail.action_url)
    .bind(Timestamp::from(now))
    .bind(Timestamp::from(now))
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// A mail the worker has claimed for one delivery attempt.
#[derive(Debug, FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub message: Vec<u8>,
    pub action_url: Option<String>,
    pub attempts: i64,
}

/// Claims up to `limit` mails that are due: their next attempt moves past a lease, so a second
/// worker (or this one after a crash) leaves them alone until the lease runs out.
pub async fn claim_due(db: &Db, now: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<QueuedMail>> {
    let mut tx = db.write().await?;
    let mut mails: Vec<QueuedMail> = crate::on!(tx, |ex| sqlx::query_as(
        "UPDATE mail_outbox SET next_attempt_at = $1 WHERE id IN \
           (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= $2 ORDER BY id LIMIT $3) \
         RETURNING id, sender, recipient, subject, message, action_url, attempts",
    )
    .bind(Timestamp::from(now + CLAIM_LEASE))
    .bind(Timestamp::from(now))
    .bind(limit)
    .fetch_all(ex)
    .await)?;
    tx.commit().await?;
    mails.sort_by_key(|m| m.id);
    Ok(mails)
}

pub async fn mark_sent(db: &Db, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query(
        "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2"
    )
    .bind(Timestamp::from(now))
    .bind(id)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await
}

pub async fn mark_failed(db: &Db, id: i64, error: &str, retry_at: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3"
    )
    .bind(error.chars().take(1000).collect::<String>())
    .bind(Timestamp::from(retry_at))
    .bind(id)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await
}

/// When the earliest unsent mail is due, if any.
pub async fn next_due(db: &Db) -> sqlx::Result<Option<DateTime<Utc>>> {
    let at: Option<Timestamp> =
        crate::on!(db, |ex| sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM mail_outbox WHERE sent_at IS NULL")
            .fetch_one(ex)
            .await)?;
    Ok(at.map(Timestamp::time))
}

// ---- the sign-up allowance -------------------------------------------------------------

/// Spends one sign-up of `client`'s allowance (`per_hour`, all at once if need be, then one
/// every hour/`per_hour`), in one statement, so nodes racing for the last one cannot both get
/// it. Returns whether it was granted. Addresses whose allowance is full again are forgotten.
pub async fn spend_signup(db: &Db, client: &str, per_hour: u32, now_ms: i64) -> sqlx::Result<bool> {
    let every = 3_600_000 / i64::from(per_hour.max(1));
    let burst = every * (i64::from(per_hour.max(1)) - 1);
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM signup_allowance WHERE full_at < $1")
        .bind(now_ms)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    // The larger of two values: SQLite's two-argument MAX, PostgreSQL's GREATEST.
    let larger = if db.is_postgres() { "GREATEST" } else { "MAX" };
    let sql = format!(
        "INSERT INTO signup_allowance (client, full_at) VALUES ($1, $2 + $3) \
         ON CONFLICT (client) DO UPDATE SET full_at = {larger}(signup_allowance.full_at, $2) + $3 \
         WHERE {larger}(signup_allowance.full_at, $2) - $2 <= $4"
    );
    let granted = crate::on!(tx, |ex| sqlx::query(&sql)
        .bind(client)
        .bind(now_ms)
        .bind(every)
        .bind(burst)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?
        == 1;
    tx.commit().await?;
    Ok(granted)
}
