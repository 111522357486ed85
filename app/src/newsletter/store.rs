//! The only place that writes SQL for the newsletter: subscribers, their mailed tokens and
//! the mail outbox. Every change and the mail it causes commit together.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::mail::{ComposeError, OutgoingMail};
use super::token::{self, Token};
use super::Email;

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
    pool: &SqlitePool,
    email: &Email,
    now: DateTime<Utc>,
    confirmation_mail: impl FnOnce(&Token) -> Result<OutgoingMail, ComposeError>,
) -> Result<SignUp, StoreError> {
    let (_turn, mut tx) = crate::db::begin_write(pool).await?;
    let row = sqlx::query("SELECT id, status, confirm_sent_at FROM subscribers WHERE email = ?")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let id = match row {
        None => {
            sqlx::query_scalar("INSERT INTO subscribers (email, status, created_at) VALUES (?, 'pending', ?) RETURNING id")
                .bind(email.as_str())
                .bind(iso(now))
                .fetch_one(&mut *tx)
                .await?
        }
        Some(row) => {
            let status: String = row.get("status");
            let sent_at: Option<String> = row.get("confirm_sent_at");
            if status == "confirmed" {
                return Ok(SignUp::AlreadyConfirmed);
            }
            if status == "pending" && sent_at.is_some_and(|at| at > iso(now - RESEND_AFTER)) {
                return Ok(SignUp::RecentlyMailed);
            }
            row.get("id")
        }
    };
    let token = Token::generate();
    insert_token(&mut tx, &token, id, "confirm", now, now + CONFIRM_VALID_FOR).await?;
    sqlx::query("UPDATE subscribers SET status = 'pending', confirm_sent_at = ? WHERE id = ?")
        .bind(iso(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    enqueue(&mut tx, &confirmation_mail(&token)?, now).await?;
    tx.commit().await?;
    Ok(SignUp::ConfirmationQueued)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    AlreadyConfirmed,
    Expired,
    /// Used before (the subscriber has since left), or never ours.
    Invalid,
}

/// Confirms the subscription a confirmation link belongs to and queues the welcome mail,
/// which carries a fresh unsubscribe link made by `welcome_mail`.
pub async fn confirm(
    pool: &SqlitePool,
    raw_token: &str,
    now: DateTime<Utc>,
    welcome_mail: impl FnOnce(&Email, &Token) -> Result<OutgoingMail, ComposeError>,
) -> Result<Confirmation, StoreError> {
    if !token::looks_valid(raw_token) {
        return Ok(Confirmation::Invalid);
    }
    let (_turn, mut tx) = crate::db::begin_write(pool).await?;
    let row = sqlx::query(
        "SELECT s.id, s.email, s.status, t.expires_at, t.used_at FROM subscriber_tokens t \
         JOIN subscribers s ON s.id = t.subscriber_id WHERE t.token_hash = ? AND t.purpose = 'confirm'",
    )
    .bind(token::hash(raw_token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(Confirmation::Invalid) };
    let status: String = row.get("status");
    let expires_at: String = row.get("expires_at");
    let used_at: Option<String> = row.get("used_at");
    if status == "confirmed" {
        return Ok(Confirmation::AlreadyConfirmed);
    }
    if used_at.is_some() {
        return Ok(Confirmation::Invalid);
    }
    if expires_at <= iso(now) {
        return Ok(Confirmation::Expired);
    }
    let id: i64 = row.get("id");
    // Stored addresses were parsed on the way in.
    let email = Email::parse(row.get("email")).map_err(|e| sqlx::Error::Decode(e.into()))?;
    sqlx::query("UPDATE subscribers SET status = 'confirmed', confirmed_at = ? WHERE id = ?")
        .bind(iso(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE subscriber_tokens SET used_at = ? WHERE token_hash = ?")
        .bind(iso(now))
        .bind(token::hash(raw_token))
        .execute(&mut *tx)
        .await?;
    let unsubscribe = Token::generate();
    insert_token(&mut tx, &unsubscribe, id, "unsubscribe", now, now + UNSUBSCRIBE_VALID_FOR).await?;
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

pub async fn membership(pool: &SqlitePool, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Membership> {
    if !token::looks_valid(raw_token) {
        return Ok(Membership::Invalid);
    }
    let row = sqlx::query(
        "SELECT s.email, s.status FROM subscriber_tokens t JOIN subscribers s ON s.id = t.subscriber_id \
         WHERE t.token_hash = ? AND t.purpose = 'unsubscribe' AND t.expires_at > ?",
    )
    .bind(token::hash(raw_token))
    .bind(iso(now))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(Membership::Invalid) };
    let Ok(email) = Email::parse(row.get("email")) else { return Ok(Membership::Invalid) };
    Ok(match row.get::<String, _>("status").as_str() {
        "confirmed" => Membership::Subscribed(email),
        _ => Membership::Unsubscribed(email),
    })
}

/// Unsubscribes the owner of an unsubscribe link; doing it twice is harmless.
pub async fn unsubscribe(pool: &SqlitePool, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Membership> {
    let membership = membership(pool, raw_token, now).await?;
    if let Membership::Subscribed(email) = membership {
        let (_turn, mut tx) = crate::db::begin_write(pool).await?;
        sqlx::query("UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ? WHERE email = ? AND status = 'confirmed'")
            .bind(iso(now))
            .bind(email.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Membership::Unsubscribed(email));
    }
    Ok(membership)
}

async fn insert_token(
    tx: &mut SqliteConnection,
    token: &Token,
    subscriber: i64,
    purpose: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
        .bind(token.hash())
        .bind(subscriber)
        .bind(purpose)
        .bind(iso(now))
        .bind(iso(expires))
        .execute(tx)
        .await?;
    Ok(())
}

// ---- the outbox -------------------------------------------------------------------------

async fn enqueue(tx: &mut SqliteConnection, mail: &OutgoingMail, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mail_outbox (sender, recipient, subject, message, action_url, created_at, next_attempt_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&mail.sender)
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.message)
    .bind(&mail.action_url)
    .bind(iso(now))
    .bind(iso(now))
    .execute(tx)
    .await?;
    Ok(())
}

/// A mail the worker has claimed for one delivery attempt.
#[derive(Debug)]
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
pub async fn claim_due(pool: &SqlitePool, now: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<QueuedMail>> {
    let rows = sqlx::query(
        "UPDATE mail_outbox SET next_attempt_at = ? WHERE id IN \
           (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?) \
         RETURNING id, sender, recipient, subject, message, action_url, attempts",
    )
    .bind(iso(now + CLAIM_LEASE))
    .bind(iso(now))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut mails: Vec<QueuedMail> = rows
        .into_iter()
        .map(|r| QueuedMail {
            id: r.get("id"),
            sender: r.get("sender"),
            recipient: r.get("recipient"),
            subject: r.get("subject"),
            message: r.get("message"),
            action_url: r.get("action_url"),
            attempts: r.get("attempts"),
        })
        .collect();
    mails.sort_by_key(|m| m.id);
    Ok(mails)
}

pub async fn mark_sent(pool: &SqlitePool, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")
        .bind(iso(now))
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn mark_failed(pool: &SqlitePool, id: i64, error: &str, retry_at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?")
        .bind(error.chars().take(1000).collect::<String>())
        .bind(iso(retry_at))
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// When the earliest unsent mail is due, if any.
pub async fn next_due(pool: &SqlitePool) -> sqlx::Result<Option<DateTime<Utc>>> {
    let at: Option<String> = sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(pool)
        .await?;
    Ok(at.and_then(|at| DateTime::parse_from_rfc3339(&at).ok()).map(|at| at.with_timezone(&Utc)))
}

/// Fixed-width UTC times (milliseconds), so text comparison is time order.
fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
