//! (server) The moderation queue's SQL: comments by status with their counts, filtered by
//! article and text, and actions on many at once.

use sqlx::FromRow;

use super::input::CommentBody;
use super::store::CommentRow;
use super::types::{Comment, CommentStatus, HeldReason};
use crate::core::{Slug, Timestamp};
use crate::db::Db;

pub const PER_PAGE: i64 = 25;

/// Which comments a queue page shows.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// Only comments on this article.
    pub article: Option<Slug>,
    /// Only comments whose text, name or e-mail contain this (any case).
    pub text: Option<String>,
}

impl QueueFilter {
    /// The text as the query compares it: lowercased the way both engines' `lower` lowercases
    /// the stored text (ASCII letters only), so the match is the same on either.
    fn folded_text(&self) -> Option<String> {
        self.text.as_deref().map(str::to_ascii_lowercase)
    }
}

/// A comment as a moderator reviews it.
#[derive(Clone, Debug, FromRow)]
pub struct QueueRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub article_slug: Slug,
    pub article_title: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub status: CommentStatus,
    pub created_at: Timestamp,
    pub body: String,
    pub held_reason: Option<HeldReason>,
    /// Other comments from the same address (by its stored hash).
    pub same_address: i64,
    /// Other comments with the same e-mail address.
    pub same_email: i64,
}

/// The filter's condition, its story's slug bound as `$first` and its text as the next (as
/// [`QueueFilter::folded_text`]: lowercased here, as both engines' `lower` does, ASCII only).
fn matches(db: &Db, first: usize) -> String {
    let (slug, text) = (first, first + 1);
    // The same test under each engine's name for it: 1-based position, 0 when absent.
    let position = if db.is_postgres() { "strpos" } else { "instr" };
    format!(
        "(${slug} IS NULL OR a.slug = ${slug}) \
         AND (${text} IS NULL OR {position}(lower(c.body || ' ' || c.author_name || ' ' || c.author_email), ${text}) > 0)"
    )
}

/// How many comments match `filter` in each status.
/// A number that changes whenever the queue does (kept by triggers, so changes from other
/// processes count): open queue pages watch it.
pub async fn version(db: &Db) -> sqlx::Result<i64> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT version FROM queue_version WHERE id = 1").fetch_one(ex).await)
}

pub async fn counts(db: &Db, filter: &QueueFilter) -> sqlx::Result<Vec<(CommentStatus, i64)>> {
    let sql = format!(
        "SELECT c.status, COUNT(*) FROM comments c JOIN stories a ON a.id = c.article_id \
         WHERE {} GROUP BY c.status",
        matches(db, 1)
    );
    let counted: Vec<(CommentStatus, i64)> =
        crate::on!(db, |ex| sqlx::query_as(&sql).bind(&filter.article).bind(filter.folded_text()).fetch_all(ex).await)?;
    Ok(CommentStatus::ALL
        .into_iter()
        .map(|status| (status, counted.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)))
        .collect())
}

/// A page (1-based) of the comments in `status` matching `filter`, newest first.
pub async fn page(db: &Db, status: CommentStatus, filter: &QueueFilter, page: i64) -> sqlx::Result<Vec<QueueRow>> {
    let sql = format!(
        "SELECT c.id, c.parent_id, a.slug AS article_slug, a.title AS article_title, c.author_name, \
         c.author_email, c.author_url, c.status, c.created_at, c.body, c.held_reason, \
         (SELECT COUNT(*) FROM comments o WHERE o.ip_hash = c.ip_hash AND o.id <> c.id) AS same_address, \
         (SELECT COUNT(*) FROM comments o WHERE lower(o.author_email) = lower(c.author_email) AND o.id <> c.id) \
         AS same_email \
         FROM comments c JOIN stories a ON a.id = c.article_id \
         WHERE c.status = $1 AND {} ORDER BY c.created_at DESC, c.id DESC LIMIT $4 OFFSET $5",
        matches(db, 2)
    );
    crate::on!(db, |ex| sqlx::query_as(&sql)
        .bind(status)
        .bind(&filter.article)
        .bind(filter.folded_text())
        .bind(PER_PAGE)
        .bind((page.max(1) - 1) * PER_PAGE)
        .fetch_all(ex)
        .await)
}

/// What a moderator can do to comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    /// Back to pending: hidden from readers, waiting in the queue.
    Unapprove,
    Spam,
    /// To the trash: hidden from readers, out of the queue, restorable.
    Trash,
    /// Out of the trash, back to pending.
    Restore,
    /// Gone, with the replies to it.
    DeleteForever,
    /// Spam, and every later comment with the same e-mail address too.
    BanEmail,
    /// Spam, and every later comment from the same client address too.
    BanAddress,
}

impl Moderation {
    pub fn parse(name: &str) -> Option<Moderation> {
        match name {
            "approve" => Some(Moderation::Approve),
            "unapprove" => Some(Moderation::Unapprove),
            "spam" => Some(Moderation::Spam),
            "trash" => Some(Moderation::Trash),
            "restore" => Some(Moderation::Restore),
            "delete" => Some(Moderation::DeleteForever),
            "ban-email" => Some(Moderation::BanEmail),
            "ban-address" => Some(Moderation::BanAddress),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Approve => "approve",
            Moderation::Unapprove => "unapprove",
            Moderation::Spam => "spam",
            Moderation::Trash => "trash",
            Moderation::Restore => "restore",
            Moderation::DeleteForever => "delete",
            Moderation::BanEmail => "ban-email",
            Moderation::BanAddress => "ban-address",
        }
    }
}

/// What an action did: how many comments it changed, and those it made public (for the
/// live streams), with their articles.
#[derive(Debug, Default)]
pub struct Moderated {
    pub changed: u64,
    pub published: Vec<(Slug, Comment)>,
}

/// Applies `action` to the comments `ids` in one transaction; `by` is the staff member.
pub async fn moderate(db: &Db, ids: &[i64], action: Moderation, by: i64) -> sqlx::Result<Moderated> {
    let mut done = Moderated::default();
    let mut tx = db.write().await?;
    for &id in ids {
        let changed = match action {
            Moderation::DeleteForever => crate::on!(tx, |ex| sqlx::query("DELETE FROM comments WHERE id = $1")
                .bind(id)
                .execute(ex)
                .await
                .map(|done| done.rows_affected()))?,
            Moderation::BanEmail | Moderation::BanAddress => {
                let (kind, column) = match action {
                    Moderation::BanEmail => ("email", "lower(author_email)"),
                    _ => ("address", "ip_hash"),
                };
                crate::on!(tx, |ex| {
                    sqlx::query(&format!(
                    "INSERT INTO comment_bans (kind, value, created_at, created_by) \
                     SELECT $1, {column}, $2, $3 FROM comments WHERE id = $4 AND {column} IS NOT NULL AND {column} <> '' \
                     ON CONFLICT (kind, value) DO NOTHING"
                ))
                .bind(kind)
                .bind(Timestamp::now())
                .bind(by)
                .bind(id)
                .execute(ex)
                .await.map(|done| done.rows_affected())
                })?;
                crate::on!(tx, |ex| sqlx::query(
                    "UPDATE comments SET status = 'spam', held_reason = 'ban' WHERE id = $1 AND status <> 'spam'",
                )
                .bind(id)
                .execute(ex)
                .await
                .map(|done| done.rows_affected()))?
            }
            Moderation::Restore => crate::on!(tx, |ex| sqlx::query(
                "UPDATE comments SET status = 'pending' WHERE id = $1 AND status = 'trash'"
            )
            .bind(id)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?,
            Moderation::Approve | Moderation::Unapprove | Moderation::Spam | Moderation::Trash => {
                let status = match action {
                    Moderation::Approve => CommentStatus::Approved,
                    Moderation::Unapprove => CommentStatus::Pending,
                    Moderation::Spam => CommentStatus::Spam,
                    _ => CommentStatus::Trash,
                };
                crate::on!(tx, |ex| sqlx::query("UPDATE comments SET status = $1 WHERE id = $2 AND status <> $3")
                    .bind(status)
                    .bind(id)
                    .bind(status)
                    .execute(ex)
                    .await
                    .map(|done| done.rows_affected()))?
            }
        };
        done.changed += changed;
        if action == Moderation::Approve && changed == 1 {
            done.published.push(approved(&mut tx, id).await?);
        }
    }
    tx.commit().await?;
    Ok(done)
}

/// A comment just approved, as readers will see it, with its article.
async fn approved(tx: &mut impl crate::db::Link, id: i64) -> sqlx::Result<(Slug, Comment)> {
    #[derive(FromRow)]
    struct Row {
        slug: Slug,
        #[sqlx(flatten)]
        comment: CommentRow,
    }
    let row: Row = crate::on!(tx, |ex| sqlx::query_as(
        "SELECT a.slug, c.id, c.parent_id, c.author_name, c.author_url, c.body, c.created_at, \
         c.staff_id IS NOT NULL AS staff FROM comments c JOIN stories a ON a.id = c.article_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(ex)
    .await)?;
    Ok((row.slug, row.comment.into()))
}

/// Whether comments from this e-mail address or client address hash are banned.
pub async fn is_banned(db: &Db, email: &str, ip_hash: &str) -> sqlx::Result<bool> {
    let found: Option<i32> = crate::on!(db, |ex| {
        sqlx::query_scalar(
            "SELECT 1 FROM comment_bans WHERE (kind = 'email' AND value = $1) OR (kind = 'address' AND value = $2) \
         LIMIT 1",
        )
        .bind(email.to_ascii_lowercase())
        .bind(ip_hash)
        .fetch_optional(ex)
        .await
    })?;
    Ok(found.is_some())
}

/// A ban as the desk lists it.
#[derive(Clone, Debug, FromRow)]
pub struct Ban {
    pub id: i64,
    /// `email` or `address`.
    pub kind: String,
    pub value: String,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
}

/// Every ban, newest first.
pub async fn bans(db: &Db) -> sqlx::Result<Vec<Ban>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT b.id, b.kind, b.value, b.created_at, s.name AS created_by FROM comment_bans b \
         LEFT JOIN staff s ON s.id = b.created_by ORDER BY b.id DESC",
    )
    .fetch_all(ex)
    .await)
}

/// Lifts a ban (comments already marked spam stay where they are). False when there is none.
pub async fn lift(db: &Db, id: i64) -> sqlx::Result<bool> {
    let mut tx = db.write().await?;
    let done = crate::on!(tx, |ex| sqlx::query("DELETE FROM comment_bans WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(done == 1)
}

/// Who replies from the desk.
pub struct StaffAuthor<'a> {
    pub id: i64,
    pub name: &'a str,
    pub email: &'a str,
}

/// Publishes a staff reply to an approved comment; `None` when there is no such approved
/// comment. Returns the reply as readers see it, with its article.
pub async fn staff_reply(
    db: &Db,
    parent_id: i64,
    author: StaffAuthor<'_>,
    body: &CommentBody,
) -> sqlx::Result<Option<(Slug, Comment)>> {
    use sha2::Digest;
    let mut tx = db.write().await?;
    let parent: Option<i64> = crate::on!(tx, |ex| sqlx::query_scalar(
        "SELECT article_id FROM comments WHERE id = $1 AND status = 'approved'"
    )
    .bind(parent_id)
    .fetch_optional(ex)
    .await)?;
    let Some(article_id) = parent else { return Ok(None) };
    let id: i64 = crate::on!(tx, |ex| sqlx::query_scalar(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, status, created_at, \
           ip_hash, user_agent, author_token, body_sha256, staff_id) \
         VALUES ($1, $2, $3, $4, $5, 'approved', $6, '', '', '', $7, $8) RETURNING id",
    )
    .bind(article_id)
    .bind(parent_id)
    .bind(author.name)
    .bind(author.email)
    .bind(body.as_str())
    .bind(Timestamp::now())
    .bind(hex::encode(sha2::Sha256::digest(body.as_str())))
    .bind(author.id)
    .fetch_one(ex)
    .await)?;
    let reply = approved(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Some(reply))
}

/// One comment as the reply page shows it (approved ones only).
pub async fn approved_one(db: &Db, id: i64) -> sqlx::Result<Option<(Slug, Comment)>> {
    let mut connection = db.connection().await?;
    let exists: Option<i32> = crate::on!(connection, |ex| sqlx::query_scalar(
        "SELECT 1 FROM comments WHERE id = $1 AND status = 'approved'"
    )
    .bind(id)
    .fetch_optional(ex)
    .await)?;
    if exists.is_none() {
        return Ok(None);
    }
    approved(&mut connection, id).await.map(Some)
}

// ---- telling the moderators ------------------------------------------------------------

/// A held comment as the moderators' mail lists it.
#[derive(Clone, Debug, FromRow)]
pub struct HeldComment {
    pub id: i64,
    pub article_title: String,
    pub author_name: String,
    pub body: String,
}

/// Held comments listed in one mail at most (the queue page has them all).
const NOTICE_LISTS: i64 = 50;

/// Queues one mail per moderator listing the comments held since the last notice, unless one
/// went out less than `every` ago. Staff who moderate (admins, editors, moderators) get it;
/// while there are none, `fallback` (`MODERATION_EMAIL`). The marker and the mails commit
/// together, so two nodes never both send. Returns how many comments were listed.
pub async fn notify_held(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    every: chrono::Duration,
    fallback: Option<&crate::core::Email>,
    compose: impl Fn(
        &crate::core::Email,
        &[HeldComment],
        i64,
    ) -> Result<crate::newsletter::mail::OutgoingMail, crate::newsletter::mail::ComposeError>,
) -> Result<usize, crate::newsletter::store::StoreError> {
    let mut tx = db.write().await?;
    let (last_sent, last_id): (Option<Timestamp>, i64) = crate::on!(tx, |ex| sqlx::query_as(
        "SELECT last_sent_at, last_comment_id FROM moderation_notice WHERE id = 1"
    )
    .fetch_one(ex)
    .await)?;
    if last_sent.is_some_and(|at| at.time() + every > now) {
        return Ok(0);
    }
    let held: Vec<HeldComment> = crate::on!(tx, |ex| sqlx::query_as(
        "SELECT c.id, a.title AS article_title, c.author_name, c.body FROM comments c \
         JOIN stories a ON a.id = c.article_id WHERE c.status = 'pending' AND c.id > $1 ORDER BY c.id LIMIT $2",
    )
    .bind(last_id)
    .bind(NOTICE_LISTS)
    .fetch_all(ex)
    .await)?;
    let Some(newest) = held.last().map(|c| c.id) else { return Ok(0) };
    let more: i64 =
        crate::on!(tx, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE status = 'pending' AND id > $1")
            .bind(newest)
            .fetch_one(ex)
            .await)?;
    let mut recipients: Vec<crate::core::Email> = crate::on!(tx, |ex| {
        sqlx::query_scalar(
        "SELECT email FROM staff WHERE disabled_at IS NULL AND role IN ('admin', 'editor', 'moderator') ORDER BY id",
    )
    .fetch_all(ex)
    .await
    })?;
    if recipients.is_empty() {
        recipients.extend(fallback.cloned());
    }
    if recipients.is_empty() {
        return Ok(0);
    }
    for to in &recipients {
        crate::newsletter::store::enqueue(&mut tx, &compose(to, &held, more)?, now).await?;
    }
    crate::on!(tx, |ex| sqlx::query(
        "UPDATE moderation_notice SET last_sent_at = $1, last_comment_id = $2 WHERE id = 1"
    )
    .bind(Timestamp::from(now))
    .bind(newest)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(held.len())
}
