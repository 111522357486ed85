//! (server) "Notify me of follow-up comments by email": the opt-in, the followed threads, the
//! gathered reply mails and the links that stop them. The only place with their SQL.
//!
//! An address confirms once (double opt-in, as the newsletter); later comments with the box
//! ticked are followed straight away. Approved direct replies to a followed comment are
//! gathered for a short while and mailed together, at most once per thread per interval.
//! Whether an address was already known never shows in what the form answers.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use crate::core::{Email, Slug, Timestamp};
use crate::db::Db;
use crate::newsletter::mail::{ComposeError, OutgoingMail};
use crate::newsletter::store::{enqueue, StoreError};
use crate::newsletter::token::{self, Token};

/// A confirmation link works this long.
pub const CONFIRM_VALID_FOR: Duration = Duration::days(7);
/// Asking again while a confirmation is pending re-sends it at most this often.
pub const RESEND_AFTER: Duration = Duration::minutes(5);
/// Stop links in old mails keep working for years.
const STOP_VALID_FOR: Duration = Duration::days(3650);
/// Replies listed in one mail; any beyond go in the next.
const REPLIES_PER_MAIL: i64 = 50;
/// Threads mailed in one pass.
const MAILS_PER_PASS: i64 = 100;

/// How reply mail is paced.
#[derive(Clone, Copy, Debug)]
pub struct Pacing {
    /// A first unmailed reply waits this long, so quick follow-ups arrive in the same mail.
    pub gather: Duration,
    /// At most one mail per thread this often.
    pub every: Duration,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing { gather: Duration::minutes(1), every: Duration::minutes(10) }
    }
}

/// Asked for with the comment: its confirmation link and mail are made before the write, so
/// the follow, the comment and (when needed) the mail commit together.
pub struct FollowRequest {
    pub token: Token,
    pub confirmation: OutgoingMail,
}

/// Follows comment `comment_id` for `email`, inside the transaction that stored the comment.
/// Queues the confirmation mail when the address has not confirmed (at most every
/// `RESEND_AFTER`). True when a mail was queued.
pub async fn follow(
    tx: &mut impl crate::db::Link,
    comment_id: i64,
    email: &Email,
    now: DateTime<Utc>,
    request: &FollowRequest,
) -> sqlx::Result<bool> {
    let row: Option<(i64, String, Option<Timestamp>)> =
        crate::on!(tx, |ex| sqlx::query_as("SELECT id, status, confirm_sent_at FROM reply_readers WHERE email = $1")
            .bind(email)
            .fetch_optional(ex)
            .await)?;
    let (reader, needs_mail) = match row {
        None => {
            let id = crate::on!(tx, |ex| sqlx::query_scalar(
                "INSERT INTO reply_readers (email, status, created_at) VALUES ($1, 'pending', $2) RETURNING id",
            )
            .bind(email)
            .bind(Timestamp::from(now))
            .fetch_one(ex)
            .await)?;
            (id, true)
        }
        Some((id, status, _)) if status == "confirmed" => (id, false),
        Some((id, status, sent)) => {
            let recently = status == "pending" && sent.is_some_and(|at| at > Timestamp::from(now - RESEND_AFTER));
            (id, !recently)
        }
    };
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO reply_follows (comment_id, reader_id, created_at) VALUES ($1, $2, $3)"
    )
    .bind(comment_id)
    .bind(reader)
    .bind(Timestamp::from(now))
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    if needs_mail {
        insert_token(tx, &request.token, reader, "confirm", None, now, now + CONFIRM_VALID_FOR).await?;
        crate::on!(tx, |ex| sqlx::query(
            "UPDATE reply_readers SET status = 'pending', confirm_sent_at = $1 WHERE id = $2"
        )
        .bind(Timestamp::from(now))
        .bind(reader)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
        enqueue(tx, &request.confirmation, now).await?;
    }
    Ok(needs_mail)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// A good link, not yet used: the page offers the button (opening a link confirms nothing).
    Ready,
    Confirmed,
    AlreadyConfirmed,
    Expired,
    /// Used before, or never ours.
    Invalid,
}

async fn confirmation_state(
    conn: &mut impl crate::db::Link,
    raw_token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<(Confirmation, Option<i64>)> {
    if !token::looks_valid(raw_token) {
        return Ok((Confirmation::Invalid, None));
    }
    let row: Option<(i64, String, Timestamp, Option<Timestamp>)> = crate::on!(conn, |ex| sqlx::query_as(
        "SELECT r.id, r.status, t.expires_at, t.used_at FROM reply_tokens t \
         JOIN reply_readers r ON r.id = t.reader_id WHERE t.token_hash = $1 AND t.purpose = 'confirm'",
    )
    .bind(token::hash(raw_token))
    .fetch_optional(ex)
    .await)?;
    let Some((id, status, expires_at, used_at)) = row else { return Ok((Confirmation::Invalid, None)) };
    let state = if status == "confirmed" {
        Confirmation::AlreadyConfirmed
    } else if used_at.is_some() {
        Confirmation::Invalid
    } else if expires_at <= Timestamp::from(now) {
        Confirmation::Expired
    } else {
        Confirmation::Ready
    };
    Ok((state, Some(id)))
}

/// What the confirmation link would do; changes nothing (mail scanners open links).
pub async fn check_confirmation(db: &Db, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Confirmation> {
    Ok(confirmation_state(&mut db.connection().await?, raw_token, now).await?.0)
}

/// The reader pressed "confirm": their followed threads start mailing.
pub async fn confirm(db: &Db, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Confirmation> {
    let mut tx = db.write().await?;
    let (state, reader) = confirmation_state(&mut tx, raw_token, now).await?;
    let (Confirmation::Ready, Some(reader)) = (state, reader) else { return Ok(state) };
    crate::on!(tx, |ex| sqlx::query(
        "UPDATE reply_readers SET status = 'confirmed', confirmed_at = $1, stopped_at = NULL WHERE id = $2"
    )
    .bind(Timestamp::from(now))
    .bind(reader)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| sqlx::query("UPDATE reply_tokens SET used_at = $1 WHERE token_hash = $2")
        .bind(Timestamp::from(now))
        .bind(token::hash(raw_token))
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(Confirmation::Confirmed)
}

/// What a stop link is about, and what is stopped already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Following {
    pub email: Email,
    pub article_title: String,
    pub article_slug: Slug,
    pub comment_id: i64,
    /// Mail about this thread is stopped.
    pub thread_stopped: bool,
    /// All reply mail to the address is stopped.
    pub all_stopped: bool,
}

#[derive(FromRow)]
struct FollowingRow {
    email: Email,
    title: String,
    slug: Slug,
    comment_id: i64,
    thread_stopped: bool,
    all_stopped: bool,
}

/// Whose stop link this is (None: not a link of ours).
pub async fn following(db: &Db, raw_token: &str, now: DateTime<Utc>) -> sqlx::Result<Option<Following>> {
    following_now(&mut db.connection().await?, raw_token, now).await
}

async fn following_now(
    conn: &mut impl crate::db::Link,
    raw_token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Following>> {
    if !token::looks_valid(raw_token) {
        return Ok(None);
    }
    let row: Option<FollowingRow> = crate::on!(conn, |ex| sqlx::query_as(
        "SELECT r.email, a.title, a.slug, f.comment_id, f.stopped_at IS NOT NULL AS thread_stopped, \
         r.status = 'stopped' AS all_stopped \
         FROM reply_tokens t JOIN reply_readers r ON r.id = t.reader_id \
         JOIN reply_follows f ON f.comment_id = t.comment_id \
         JOIN comments c ON c.id = f.comment_id JOIN articles a ON a.id = c.article_id \
         WHERE t.token_hash = $1 AND t.purpose = 'stop' AND t.expires_at > $2",
    )
    .bind(token::hash(raw_token))
    .bind(Timestamp::from(now))
    .fetch_optional(ex)
    .await)?;
    Ok(row.map(|r| Following {
        email: r.email,
        article_title: r.title,
        article_slug: r.slug,
        comment_id: r.comment_id,
        thread_stopped: r.thread_stopped || r.all_stopped,
        all_stopped: r.all_stopped,
    }))
}

/// What a stop link stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Replies to the one comment the mail was about.
    Thread,
    /// Every reply mail to the address (until it ticks the box and confirms again).
    All,
}

/// Stops reply mail; doing it twice is harmless. None: not a link of ours.
pub async fn stop(db: &Db, raw_token: &str, scope: Scope, now: DateTime<Utc>) -> sqlx::Result<Option<Following>> {
    let mut tx = db.write().await?;
    let Some(following) = following_now(&mut tx, raw_token, now).await? else { return Ok(None) };
    let at = Timestamp::from(now);
    match scope {
        Scope::Thread => {
            crate::on!(tx, |ex| {
                sqlx::query(
                "UPDATE reply_follows SET stopped_at = $1, waiting_since = NULL WHERE comment_id = $2 AND stopped_at IS NULL",
            )
            .bind(at)
            .bind(following.comment_id)
            .execute(ex)
            .await.map(|done| done.rows_affected())
            })?;
        }
        Scope::All => {
            let reader: i64 =
                crate::on!(tx, |ex| sqlx::query_scalar("SELECT reader_id FROM reply_tokens WHERE token_hash = $1")
                    .bind(token::hash(raw_token))
                    .fetch_one(ex)
                    .await)?;
            crate::on!(tx, |ex| sqlx::query(
                "UPDATE reply_readers SET status = 'stopped', stopped_at = $1 WHERE id = $2"
            )
            .bind(at)
            .bind(reader)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
            crate::on!(tx, |ex| {
                sqlx::query(
                "UPDATE reply_follows SET stopped_at = $1, waiting_since = NULL WHERE reader_id = $2 AND stopped_at IS NULL",
            )
            .bind(at)
            .bind(reader)
            .execute(ex)
            .await.map(|done| done.rows_affected())
            })?;
        }
    }
    let after = following_now(&mut tx, raw_token, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// One mail's worth: new replies to a reader's comment.
#[derive(Clone, Debug)]
pub struct Notice {
    pub to: Email,
    pub article_title: String,
    pub article_slug: Slug,
    pub comment_id: i64,
    /// The reader's own comment, as they wrote it.
    pub comment_body: String,
    pub replies: Vec<Reply>,
}

#[derive(Clone, Debug, FromRow)]
pub struct Reply {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(FromRow)]
struct DueRow {
    comment_id: i64,
    reader_id: i64,
    email: Email,
    title: String,
    slug: Slug,
    body: String,
}

/// What a pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub mailed: usize,
    /// When the next gathered mail falls due, if replies are waiting.
    pub next_due: Option<DateTime<Utc>>,
}

/// Unmailed approved replies, not the reader's own, to the followed comment `f`.
const UNMAILED: &str = "c.parent_id = f.comment_id AND c.status = 'approved' \
     AND lower(c.author_email) <> lower(r.email) \
     AND NOT EXISTS (SELECT 1 FROM reply_mailed m WHERE m.reply_id = c.id)";

const ACTIVE: &str = "f.stopped_at IS NULL AND r.status = 'confirmed'";

/// Looks for new replies and mails the threads that are due, each mail with its own stop link
/// made by `compose`. One write transaction: two nodes never mail the same replies.
pub async fn notify(
    db: &Db,
    now: DateTime<Utc>,
    pacing: Pacing,
    compose: impl Fn(&Notice, &Token) -> Result<OutgoingMail, ComposeError>,
) -> Result<Pass, StoreError> {
    let mut tx = db.write().await?;
    let at = Timestamp::from(now);
    // Threads with replies nobody was told about start gathering now.
    crate::on!(tx, |ex| sqlx::query(&format!(
        "UPDATE reply_follows AS f SET waiting_since = $1 FROM reply_readers r \
         WHERE r.id = f.reader_id AND f.waiting_since IS NULL AND {ACTIVE} \
         AND EXISTS (SELECT 1 FROM comments c WHERE {UNMAILED})"
    ))
    .bind(at)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    let due: Vec<DueRow> = crate::on!(tx, |ex| sqlx::query_as(&format!(
        "SELECT f.comment_id, r.id AS reader_id, r.email, a.title, a.slug, own.body \
         FROM reply_follows f JOIN reply_readers r ON r.id = f.reader_id \
         JOIN comments own ON own.id = f.comment_id JOIN articles a ON a.id = own.article_id \
         WHERE f.waiting_since <= $1 AND {ACTIVE} AND (f.last_mailed_at IS NULL OR f.last_mailed_at <= $2) \
         ORDER BY f.waiting_since LIMIT $3"
    ))
    .bind(Timestamp::from(now - pacing.gather))
    .bind(Timestamp::from(now - pacing.every))
    .bind(MAILS_PER_PASS)
    .fetch_all(ex)
    .await)?;
    let mut mailed = 0;
    for thread in due {
        let replies: Vec<Reply> = crate::on!(tx, |ex| sqlx::query_as(&format!(
            "SELECT c.id, c.author_name, c.body, c.created_at FROM reply_follows f \
             JOIN reply_readers r ON r.id = f.reader_id JOIN comments c ON {UNMAILED} \
             WHERE f.comment_id = $1 ORDER BY c.created_at, c.id LIMIT $2"
        ))
        .bind(thread.comment_id)
        .bind(REPLIES_PER_MAIL)
        .fetch_all(ex)
        .await)?;
        let sent = !replies.is_empty();
        if sent {
            let stop = Token::generate();
            insert_token(&mut tx, &stop, thread.reader_id, "stop", Some(thread.comment_id), now, now + STOP_VALID_FOR)
                .await?;
            let notice = Notice {
                to: thread.email,
                article_title: thread.title,
                article_slug: thread.slug,
                comment_id: thread.comment_id,
                comment_body: thread.body,
                replies,
            };
            enqueue(&mut tx, &compose(&notice, &stop)?, now).await?;
            for reply in &notice.replies {
                crate::on!(tx, |ex| sqlx::query("INSERT INTO reply_mailed (reply_id, mailed_at) VALUES ($1, $2)")
                    .bind(reply.id)
                    .bind(at)
                    .execute(ex)
                    .await
                    .map(|done| done.rows_affected()))?;
            }
            mailed += 1;
        }
        // Replies withdrawn while gathering leave nothing to send; either way the thread rests.
        crate::on!(tx, |ex| {
            sqlx::query("UPDATE reply_follows SET waiting_since = NULL, last_mailed_at = COALESCE($1, last_mailed_at) WHERE comment_id = $2")
            .bind(if sent { Some(at) } else { None })
            .bind(thread.comment_id)
            .execute(ex)
            .await.map(|done| done.rows_affected())
        })?;
    }
    let waiting: Vec<(Timestamp, Option<Timestamp>)> = crate::on!(tx, |ex| sqlx::query_as(&format!(
        "SELECT f.waiting_since, f.last_mailed_at FROM reply_follows f JOIN reply_readers r ON r.id = f.reader_id \
         WHERE f.waiting_since IS NOT NULL AND {ACTIVE} ORDER BY f.waiting_since LIMIT 1000"
    ))
    .fetch_all(ex)
    .await)?;
    tx.commit().await?;
    let next_due = waiting
        .into_iter()
        .map(|(waiting, last)| {
            let gathered = waiting.time() + pacing.gather;
            last.map_or(gathered, |last| gathered.max(last.time() + pacing.every))
        })
        .min();
    Ok(Pass { mailed, next_due })
}

async fn insert_token(
    tx: &mut impl crate::db::Link,
    token: &Token,
    reader: i64,
    purpose: &str,
    comment_id: Option<i64>,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> sqlx::Result<()> {
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO reply_tokens (token_hash, reader_id, purpose, comment_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.hash())
    .bind(reader)
    .bind(purpose)
    .bind(comment_id)
    .bind(Timestamp::from(now))
    .bind(Timestamp::from(expires))
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}
