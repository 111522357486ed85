//! The desk's view of stories: lists with filters, one story with its Markdown, the
//! stale-save check, revisions, scheduling and deletion. The story itself is written by
//! `crate::publishing::save`, the path import and seeding share.

use sqlx::FromRow;

use super::Status;
use crate::core::{Slug, Timestamp};
use crate::db::Db;

/// Stories per page of the desk's list.
pub const PER_PAGE: i64 = 50;

/// What the list shows of a story.
#[derive(Clone, Debug, FromRow)]
pub struct StoryLine {
    pub id: i64,
    pub slug: Slug,
    pub title: String,
    pub status: Status,
    pub section: String,
    pub author: String,
    pub published_at: Timestamp,
    pub changed_at: Option<Timestamp>,
    pub changed_by: Option<String>,
}

/// The list's filters; `owner` limits it to one account's stories (an author's view).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub section: Option<Slug>,
    pub author: Option<Slug>,
    /// Words of the title.
    pub query: String,
    pub owner: Option<i64>,
    /// 1-based.
    pub page: i64,
}

const LINE_COLUMNS: &str = "s.id, s.slug, s.title, s.status, c.name AS section, au.name AS author, s.published_at, \
     s.changed_at, st.name AS changed_by";
const LINE_JOINS: &str = "FROM stories s JOIN categories c ON c.id = s.category_id \
     JOIN authors au ON au.id = s.author_id LEFT JOIN staff st ON st.id = s.changed_by";
/// The filter's condition, with its five values bound as `$1`…`$5`.
fn line_filter(db: &Db) -> String {
    // The same test under each engine's name for it: 1-based position, 0 when absent.
    let position = if db.is_postgres() { "strpos" } else { "instr" };
    format!(
        "WHERE ($1 IS NULL OR s.status = $1) AND ($2 IS NULL OR c.slug = $2) \
         AND ($3 IS NULL OR au.slug = $3) AND ($4 = '' OR {position}(lower(s.title), $4) > 0) \
         AND ($5 IS NULL OR s.owner_id = $5)"
    )
}

/// One page of stories, the most recently changed first, and how many match in all.
pub async fn list(db: &Db, filter: &Filter) -> sqlx::Result<(Vec<StoryLine>, i64)> {
    let line_filter = line_filter(db);
    let total: i64 = crate::on!(db, |ex| sqlx::query_scalar(&format!("SELECT COUNT(*) {LINE_JOINS} {line_filter}"))
        .bind(filter.status)
        .bind(&filter.section)
        .bind(&filter.author)
        .bind(filter.query.trim().to_ascii_lowercase())
        .bind(filter.owner)
        .fetch_one(ex)
        .await)?;
    let lines = crate::on!(db, |ex| sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} {LINE_JOINS} {line_filter} \
         ORDER BY COALESCE(s.changed_at, s.updated_at) DESC, s.id DESC LIMIT $6 OFFSET $7"
    ))
    .bind(filter.status)
    .bind(&filter.section)
    .bind(&filter.author)
    .bind(filter.query.trim().to_ascii_lowercase())
    .bind(filter.owner)
    .bind(PER_PAGE)
    .bind((filter.page.max(1) - 1) * PER_PAGE)
    .fetch_all(ex)
    .await)?;
    Ok((lines, total))
}

/// A story as the editor opens it.
#[derive(Clone, Debug, FromRow)]
pub struct Story {
    pub id: i64,
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub section: String,
    pub author: String,
    /// Comma-separated tag names.
    pub tags: String,
    pub image: Option<String>,
    /// NULL for stories imported before the Markdown was kept: the editor starts from the HTML.
    pub markdown: Option<String>,
    pub body_html: String,
    pub status: Status,
    pub published_at: Timestamp,
    pub updated_at: Timestamp,
    pub revision: i64,
    pub owner_id: Option<i64>,
    pub changed_by: Option<String>,
    pub changed_at: Option<Timestamp>,
    /// Readers' comments on it (all states): deleting the story deletes them.
    pub comments: i64,
}

pub async fn story(db: &Db, id: i64) -> sqlx::Result<Option<Story>> {
    story_in(&mut db.connection().await?, id).await
}

/// The story as the caller's transaction sees it (the stale-save check reads it there).
pub async fn story_in(conn: &mut impl crate::db::Link, id: i64) -> sqlx::Result<Option<Story>> {
    crate::on!(conn, |ex| sqlx::query_as(
        "SELECT s.id, s.slug, s.title, s.summary, c.name AS section, au.name AS author, \
           COALESCE((SELECT string_agg(t.name, ', ' ORDER BY t.name) FROM article_tags at \
             JOIN tags t ON t.id = at.tag_id WHERE at.article_id = s.id), '') AS tags, \
           s.image, s.markdown, s.body_html, s.status, s.published_at, s.updated_at, s.revision, s.owner_id, \
           st.name AS changed_by, s.changed_at, \
           (SELECT COUNT(*) FROM comments WHERE article_id = s.id) AS comments \
         FROM stories s JOIN categories c ON c.id = s.category_id JOIN authors au ON au.id = s.author_id \
         LEFT JOIN staff st ON st.id = s.changed_by WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await)
}

/// The story holding `slug`, if any.
pub async fn slug_taken_by(conn: &mut impl crate::db::Link, slug: &Slug) -> sqlx::Result<Option<i64>> {
    crate::on!(conn, |ex| sqlx::query_scalar("SELECT id FROM stories WHERE slug = $1")
        .bind(slug)
        .fetch_optional(ex)
        .await)
}

/// Gives a story a new slug (the save that follows updates it in place by that slug).
pub async fn rename(conn: &mut impl crate::db::Link, id: i64, slug: &Slug) -> sqlx::Result<()> {
    crate::on!(conn, |ex| sqlx::query("UPDATE stories SET slug = $1 WHERE id = $2")
        .bind(slug)
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

/// The text a revision keeps (and a restore brings back).
#[derive(Clone, Debug, FromRow)]
pub struct RevisionText {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub section: String,
    pub author: String,
    pub tags: String,
    pub image: Option<String>,
    pub markdown: String,
}

/// After a desk save: who saved, the Markdown, the owner, the next revision number, and the
/// full text as a revision. Returns the new revision number.
pub async fn record_save(
    conn: &mut impl crate::db::Link,
    id: i64,
    owner_id: Option<i64>,
    staff_id: i64,
    at: Timestamp,
    text: &RevisionText,
) -> sqlx::Result<i64> {
    let revision: i64 = crate::on!(conn, |ex| {
        sqlx::query_scalar(
        "UPDATE stories SET markdown = $1, owner_id = $2, changed_by = $3, changed_at = $4, revision = revision + 1 \
         WHERE id = $5 RETURNING revision",
    )
    .bind(&text.markdown)
    .bind(owner_id)
    .bind(staff_id)
    .bind(at)
    .bind(id)
    .fetch_one(ex)
    .await
    })?;
    crate::on!(conn, |ex| sqlx::query(
        "INSERT INTO story_revisions (story_id, revision, staff_id, saved_at, title, slug, summary, section, author, \
           tags, image, markdown) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(revision)
    .bind(staff_id)
    .bind(at)
    .bind(&text.title)
    .bind(&text.slug)
    .bind(&text.summary)
    .bind(&text.section)
    .bind(&text.author)
    .bind(&text.tags)
    .bind(&text.image)
    .bind(&text.markdown)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(revision)
}

/// A line of a story's history.
#[derive(Clone, Debug, FromRow)]
pub struct RevisionLine {
    pub revision: i64,
    pub saved_at: Timestamp,
    pub saved_by: Option<String>,
    pub title: String,
}

pub async fn revisions(db: &Db, story_id: i64) -> sqlx::Result<Vec<RevisionLine>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT r.revision, r.saved_at, st.name AS saved_by, r.title FROM story_revisions r \
         LEFT JOIN staff st ON st.id = r.staff_id WHERE r.story_id = $1 ORDER BY r.revision DESC",
    )
    .bind(story_id)
    .fetch_all(ex)
    .await)
}

pub async fn revision(db: &Db, story_id: i64, revision: i64) -> sqlx::Result<Option<RevisionText>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT title, slug, summary, section, author, tags, image, markdown FROM story_revisions \
         WHERE story_id = $1 AND revision = $2",
    )
    .bind(story_id)
    .bind(revision)
    .fetch_optional(ex)
    .await)
}

/// Every story's id, oldest first (what `server export` writes).
pub async fn all_ids(db: &Db) -> sqlx::Result<Vec<i64>> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT id FROM stories ORDER BY published_at, id").fetch_all(ex).await)
}

/// Scheduled stories whose time has come, oldest first.
pub async fn due(db: &Db, now: Timestamp) -> sqlx::Result<Vec<i64>> {
    crate::on!(db, |ex| sqlx::query_scalar(
        "SELECT id FROM stories WHERE status = 'scheduled' AND published_at <= $1 ORDER BY published_at"
    )
    .bind(now)
    .fetch_all(ex)
    .await)
}

/// When the next scheduled story is due, if one is.
pub async fn next_due(db: &Db) -> sqlx::Result<Option<Timestamp>> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT MIN(published_at) FROM stories WHERE status = 'scheduled'")
        .fetch_one(ex)
        .await)
}

/// What publishing a story needs from it as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Stored {
    pub title: String,
    pub summary: String,
    pub body_html: String,
}

/// Turns a due scheduled story into a published one (no-op when it is no longer scheduled or
/// not yet due). Returns its text for the search index when it was released.
pub async fn release(conn: &mut impl crate::db::Link, id: i64, now: Timestamp) -> sqlx::Result<Option<Stored>> {
    crate::on!(conn, |ex| sqlx::query_as(
        "UPDATE stories SET status = 'published' WHERE id = $1 AND status = 'scheduled' AND published_at <= $2 \
         RETURNING title, summary, body_html",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(ex)
    .await)
}

/// Deletes a story with its comments, tags and revisions. Returns whether it existed.
pub async fn delete(conn: &mut impl crate::db::Link, id: i64) -> sqlx::Result<bool> {
    Ok(crate::on!(conn, |ex| sqlx::query("DELETE FROM stories WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?
        == 1)
}

/// Names the editor offers: every section and every tag in use.
pub async fn section_names(db: &Db) -> sqlx::Result<Vec<String>> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT name FROM categories ORDER BY name").fetch_all(ex).await)
}

pub async fn tag_names(db: &Db) -> sqlx::Result<Vec<String>> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT name FROM tags ORDER BY name").fetch_all(ex).await)
}

/// Authors for the list's filter: every byline with a story.
pub async fn bylines(db: &Db) -> sqlx::Result<Vec<(Slug, String)>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT slug, name FROM authors WHERE id IN (SELECT author_id FROM stories) ORDER BY name"
    )
    .fetch_all(ex)
    .await)
}
