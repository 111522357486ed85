//! (server) The only place that writes SQL for comments.

use sha2::Digest;
use sqlx::FromRow;

use super::input::NewComment;
use super::types::{Comment, CommentStatus, HeldReason};
use crate::core::{Slug, Timestamp};
use crate::db::Db;

/// The columns of `COMMENT_COLUMNS`, mapped by name.
#[derive(FromRow)]
pub(super) struct CommentRow {
    id: i64,
    parent_id: Option<i64>,
    author_name: String,
    author_url: Option<String>,
    body: String,
    created_at: Timestamp,
    staff: bool,
}

impl From<CommentRow> for Comment {
    fn from(r: CommentRow) -> Comment {
        Comment {
            id: r.id,
            parent_id: r.parent_id,
            author_name: r.author_name,
            author_url: r.author_url,
            body: r.body,
            published: r.created_at.into(),
            staff: r.staff,
        }
    }
}

fn comments(rows: Vec<CommentRow>) -> Vec<Comment> {
    rows.into_iter().map(Comment::from).collect()
}

/// One page of an article's approved comments: `per_page` top-level comments, oldest first,
/// each with all its approved replies (threads are built by the page), and with them the
/// article's counts (all approved comments, approved top-level comments). One statement: an
/// article page rendered afresh makes this its only query but one. A page past the end has no
/// rows to carry the counts; then they are counted apart.
pub async fn approved_page(
    db: &Db,
    article_id: i64,
    per_page: i64,
    page: i64,
) -> sqlx::Result<(Vec<Comment>, (i64, i64))> {
    // Saturating: the page number is the reader's (`?cpage=`), checked against the count after.
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let rows: Vec<PageRow> = crate::on!(db, |ex| sqlx::query_as(
        "WITH RECURSIVE top AS ( \
             SELECT id FROM comments WHERE article_id = $1 AND status = 'approved' AND parent_id IS NULL \
             ORDER BY created_at, id LIMIT $2 OFFSET $3 \
         ), thread (id) AS ( \
             SELECT id FROM top \
             UNION ALL \
             SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id WHERE c.status = 'approved' \
         ) \
         SELECT id, parent_id, author_name, author_url, body, created_at, staff_id IS NOT NULL AS staff, \
             (SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved') AS total, \
             (SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved' AND parent_id IS NULL) \
                 AS threads \
         FROM comments WHERE id IN (SELECT id FROM thread) ORDER BY created_at, id",
    )
    .bind(article_id)
    .bind(per_page)
    .bind(offset)
    .fetch_all(ex)
    .await)?;
    let counts = match rows.first() {
        Some(first) => (first.total, first.threads),
        None => approved_counts(db, article_id).await?,
    };
    Ok((rows.into_iter().map(|r| Comment::from(r.comment)).collect(), counts))
}

/// A row of `approved_page`: the comment and the article's counts.
#[derive(FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    comment: CommentRow,
    total: i64,
    threads: i64,
}

/// The newest approved comments of an article, newest first (its comments feed).
pub async fn latest_approved(db: &Db, article_id: i64, limit: i64) -> sqlx::Result<Vec<Comment>> {
    let rows: Vec<CommentRow> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT id, parent_id, author_name, author_url, body, created_at, staff_id IS NOT NULL AS staff \
         FROM comments WHERE article_id = $1 AND status = 'approved' ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(article_id)
    .bind(limit)
    .fetch_all(ex)
    .await)?;
    Ok(comments(rows))
}

/// (all approved comments, approved top-level comments) of an article.
pub async fn approved_counts(db: &Db, article_id: i64) -> sqlx::Result<(i64, i64)> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN parent_id IS NULL THEN 1 ELSE 0 END), 0) FROM comments \
         WHERE article_id = $1 AND status = 'approved'",
    )
    .bind(article_id)
    .fetch_one(ex)
    .await)
}

/// A comment that needs no moderation (imported demo or migrated content).
#[derive(Clone, Debug)]
pub struct ApprovedComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub created_at: Timestamp,
}

pub async fn insert_approved(tx: &mut impl crate::db::Link, c: &ApprovedComment) -> sqlx::Result<i64> {
    crate::on!(tx, |ex| {
        sqlx::query_scalar(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, author_url, body, status, created_at, body_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, 'approved', $7, $8) RETURNING id",
    )
    .bind(c.article_id)
    .bind(c.parent_id)
    .bind(&c.author_name)
    .bind(&c.author_email)
    .bind(&c.author_url)
    .bind(&c.body)
    .bind(c.created_at)
    .bind(hex::encode(sha2::Sha256::digest(&c.body)))
    .fetch_one(ex)
    .await
    })
}

/// Why a comment was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The same reader said the same thing under the same parent already.
    Duplicate,
    /// The same address had a comment accepted less than the flood interval ago.
    TooFast,
    /// The parent comment does not belong to this article (or does not exist).
    NoSuchParent,
}

/// A comment on its way in, parsed and classified by the caller.
pub struct Incoming {
    pub article_id: i64,
    pub comment: NewComment,
    pub status: CommentStatus,
    pub held_reason: Option<HeldReason>,
    pub ip_hash: String,
    pub user_agent: String,
    pub author_token: String,
    pub created_at: Timestamp,
    /// Comments from the same address newer than this are flooding (None: no flood control).
    pub flood_since: Option<Timestamp>,
    /// "Notify me of follow-up comments by email" was ticked.
    pub follow: Option<super::reply_mail::FollowRequest>,
}

/// Checks and stores one comment in a single write transaction, so parallel posts cannot
/// both pass the duplicate or flood check. Returns the new id.
///
/// Runs as its own task: a reader who gives up waiting (a closed connection drops the request
/// future) must not cut a transaction in half and leave the write lock held.
pub async fn insert_checked(db: &Db, c: Incoming) -> Result<i64, InsertError> {
    let db = db.clone();
    tokio::spawn(async move { insert_checked_now(&db, &c).await })
        .await
        .map_err(|e| InsertError::Database(sqlx::Error::Protocol(format!("comment writer stopped: {e}"))))?
}

async fn insert_checked_now(db: &Db, c: &Incoming) -> Result<i64, InsertError> {
    // The checks and the insert see one state: the write lock is held from before the insert
    // until the commit. The insert carries its checks, so an accepted comment costs one
    // statement while the lock is held (every node's posts queue for it).
    let mut tx = db.write().await?;
    let body_sha256 = hex::encode(sha2::Sha256::digest(c.comment.body.as_str()));
    let comment = &c.comment;
    let id: Option<i64> = crate::on!(tx, |ex| {
        sqlx::query_scalar(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, author_url, body, status, \
           created_at, ip_hash, user_agent, author_token, body_sha256, held_reason) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 \
         WHERE ($2 IS NULL OR EXISTS (SELECT 1 FROM comments WHERE id = $2 AND article_id = $1 AND status = 'approved')) \
           AND NOT EXISTS (SELECT 1 FROM comments WHERE article_id = $1 AND body_sha256 = $12 AND author_email = $4 \
                           AND parent_id IS NOT DISTINCT FROM $2 AND body = $6) \
           AND ($14 IS NULL OR NOT EXISTS (SELECT 1 FROM comments WHERE ip_hash = $9 AND created_at > $14)) \
         RETURNING id",
    )
    .bind(c.article_id)
    .bind(comment.parent_id)
    .bind(comment.author.as_str())
    .bind(comment.email.as_str())
    .bind(comment.website.as_ref().map(|w| w.as_str()))
    .bind(comment.body.as_str())
    .bind(c.status)
    .bind(c.created_at)
    .bind(&c.ip_hash)
    .bind(&c.user_agent)
    .bind(&c.author_token)
    .bind(&body_sha256)
    .bind(c.held_reason)
    .bind(c.flood_since)
    .fetch_optional(ex)
    .await
    })?;
    let Some(id) = id else {
        return Err(InsertError::Refused(refusal(&mut tx, c, &body_sha256).await?));
    };
    if let Some(request) = &c.follow {
        super::reply_mail::follow(&mut tx, id, &comment.email, c.created_at.time(), request).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Why the insert's checks refused `c` (asked under the same lock, so in the same state).
async fn refusal(tx: &mut crate::db::Write, c: &Incoming, body_sha256: &str) -> Result<Refusal, InsertError> {
    let comment = &c.comment;
    if let Some(parent) = comment.parent_id {
        let ok: Option<i32> = crate::on!(tx, |ex| sqlx::query_scalar(
            "SELECT 1 FROM comments WHERE id = $1 AND article_id = $2 AND status = 'approved'"
        )
        .bind(parent)
        .bind(c.article_id)
        .fetch_optional(ex)
        .await)?;
        if ok.is_none() {
            return Ok(Refusal::NoSuchParent);
        }
    }
    let duplicate: Option<i32> = crate::on!(tx, |ex| sqlx::query_scalar(
        "SELECT 1 FROM comments WHERE article_id = $1 AND body_sha256 = $2 AND author_email = $3 \
         AND parent_id IS NOT DISTINCT FROM $4 AND body = $5 LIMIT 1",
    )
    .bind(c.article_id)
    .bind(body_sha256)
    .bind(comment.email.as_str())
    .bind(comment.parent_id)
    .bind(comment.body.as_str())
    .fetch_optional(ex)
    .await)?;
    if duplicate.is_some() {
        return Ok(Refusal::Duplicate);
    }
    if c.flood_since.is_some() {
        return Ok(Refusal::TooFast);
    }
    Err(InsertError::Database(sqlx::Error::Protocol("a comment was refused by no check".into())))
}

#[derive(Debug)]
pub enum InsertError {
    Refused(Refusal),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for InsertError {
    fn from(e: sqlx::Error) -> Self {
        InsertError::Database(e)
    }
}

/// The reader's own comments still awaiting moderation (their browser holds the token).
pub async fn pending_for_author(db: &Db, article_id: i64, author_token: &str) -> sqlx::Result<Vec<Comment>> {
    let rows: Vec<CommentRow> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT id, parent_id, author_name, author_url, body, created_at, staff_id IS NOT NULL AS staff \
         FROM comments WHERE article_id = $1 AND author_token = $2 AND status = 'pending' ORDER BY created_at, id",
    )
    .bind(article_id)
    .bind(author_token)
    .fetch_all(ex)
    .await)?;
    Ok(comments(rows))
}

/// The salt for address hashes, made once per site and kept in the database.
pub async fn ip_salt(db: &Db, fresh: &str) -> sqlx::Result<String> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO site_secrets (name, value) VALUES ('ip_salt', $1) ON CONFLICT (name) DO NOTHING"
    )
    .bind(fresh)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    crate::on!(db, |ex| sqlx::query_scalar("SELECT value FROM site_secrets WHERE name = 'ip_salt'").fetch_one(ex).await)
}

/// Drafts one address may have at once; its oldest go first.
pub const MAX_DRAFTS_PER_ADDRESS: i64 = 20;

/// A refused no-JavaScript form, kept so the page can show it again.
pub struct Draft<'a> {
    pub token: &'a str,
    pub article_id: i64,
    pub ip_hash: &'a str,
    pub form_json: &'a str,
    pub errors_json: &'a str,
}

/// Keeps `draft`; drops expired drafts and the oldest of its address's beyond the cap.
pub async fn save_draft(db: &Db, draft: Draft<'_>, now: Timestamp, expired_before: Timestamp) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM comment_drafts WHERE created_at < $1")
        .bind(expired_before)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| sqlx::query(
        "DELETE FROM comment_drafts WHERE ip_hash = $1 AND created_at <= \
         (SELECT created_at FROM comment_drafts WHERE ip_hash = $2 ORDER BY created_at DESC LIMIT 1 OFFSET $3)",
    )
    .bind(draft.ip_hash)
    .bind(draft.ip_hash)
    .bind(MAX_DRAFTS_PER_ADDRESS - 1)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO comment_drafts (token, article_id, ip_hash, form_json, errors_json, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(draft.token)
    .bind(draft.article_id)
    .bind(draft.ip_hash)
    .bind(draft.form_json)
    .bind(draft.errors_json)
    .bind(now)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await
}

pub async fn draft(db: &Db, token: &str, article_id: i64) -> sqlx::Result<Option<(String, String)>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT form_json, errors_json FROM comment_drafts WHERE token = $1 AND article_id = $2"
    )
    .bind(token)
    .bind(article_id)
    .fetch_optional(ex)
    .await)
}

/// A comment as an operator reviews it.
#[derive(Clone, Debug, FromRow)]
pub struct ModerationRow {
    pub id: i64,
    pub article_slug: Slug,
    pub author_name: String,
    pub author_email: String,
    pub status: CommentStatus,
    pub created_at: Timestamp,
    pub body: String,
}

/// A page of the newest comments, optionally only those in one state.
pub async fn for_moderation(
    db: &Db,
    status: Option<CommentStatus>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ModerationRow>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT c.id, a.slug AS article_slug, c.author_name, c.author_email, c.status, c.created_at, c.body \
         FROM comments c JOIN stories a ON a.id = c.article_id \
         WHERE ($1 IS NULL OR c.status = $2) ORDER BY c.created_at DESC, c.id DESC LIMIT $3 OFFSET $4",
    )
    .bind(status)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await)
}

/// How many comments are in a state (all of them for `None`).
pub async fn count(db: &Db, status: Option<CommentStatus>) -> sqlx::Result<i64> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE ($1 IS NULL OR status = $2)")
        .bind(status)
        .bind(status)
        .fetch_one(ex)
        .await)
}

/// Deletes every spam comment stored before `before` (and the replies to them). Returns how many.
pub async fn purge_spam(db: &Db, before: Timestamp) -> sqlx::Result<u64> {
    let mut tx = db.write().await?;
    let done = crate::on!(tx, |ex| sqlx::query("DELETE FROM comments WHERE status = $1 AND created_at < $2")
        .bind(CommentStatus::Spam)
        .bind(before)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(done)
}

/// Moves a comment to another status. False when there is no such comment.
pub async fn set_status(db: &Db, id: i64, status: CommentStatus) -> sqlx::Result<bool> {
    let mut tx = db.write().await?;
    let done = crate::on!(tx, |ex| sqlx::query("UPDATE comments SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(done == 1)
}

/// Deletes a comment and its replies. False when there is no such comment.
pub async fn delete(db: &Db, id: i64) -> sqlx::Result<bool> {
    let mut tx = db.write().await?;
    let done = crate::on!(tx, |ex| sqlx::query("DELETE FROM comments WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(done == 1)
}

// ---- live comments ---------------------------------------------------------------------

/// A comment that became visible to readers, numbered in the order it did (`comment_events`).
#[derive(Clone, Debug)]
pub struct ShownEvent {
    pub seq: i64,
    pub article: Slug,
    pub comment: Comment,
}

#[derive(FromRow)]
struct ShownEventRow {
    seq: i64,
    article: Slug,
    #[sqlx(flatten)]
    comment: CommentRow,
}

/// The newest event's number (0 when there is none): where a starting relay begins.
pub async fn last_event(db: &Db) -> sqlx::Result<i64> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM comment_events").fetch_one(ex).await)
}

/// Events after `seq`, oldest first, of one article or of all; comments no longer approved
/// (or on a story no longer published) are left out.
pub async fn events_after(db: &Db, seq: i64, article_id: Option<i64>, limit: i64) -> sqlx::Result<Vec<ShownEvent>> {
    let rows: Vec<ShownEventRow> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT e.seq, a.slug AS article, c.id, c.parent_id, c.author_name, c.author_url, c.body, c.created_at, \
                c.staff_id IS NOT NULL AS staff \
         FROM comment_events e \
         JOIN comments c ON c.id = e.comment_id AND c.status = 'approved' \
         JOIN articles a ON a.id = c.article_id \
         WHERE e.seq > $1 AND ($2 IS NULL OR c.article_id = $2) \
         ORDER BY e.seq LIMIT $3",
    )
    // Planned for these values each time: PostgreSQL's plan for any values (what it keeps
    // for a prepared statement) hashes every approved comment to join a handful of new events,
    // 4 ms a look on a small site and growing with it; for the values at hand it follows the
    // few events by key.
    .persistent(false)
    .bind(seq)
    .bind(article_id)
    .bind(limit)
    .fetch_all(ex)
    .await)?;
    Ok(rows.into_iter().map(|r| ShownEvent { seq: r.seq, article: r.article, comment: r.comment.into() }).collect())
}

/// Forgets all but the newest `keep` events (a reader away for longer reloads the page).
pub async fn prune_events(db: &Db, keep: i64) -> sqlx::Result<u64> {
    let mut tx = db.write().await?;
    let done = crate::on!(tx, |ex| sqlx::query(
        "DELETE FROM comment_events WHERE seq <= (SELECT MAX(seq) FROM comment_events) - $1"
    )
    .bind(keep)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(done)
}
