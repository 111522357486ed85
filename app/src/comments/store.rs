//! The only place that writes SQL for comments.

use sqlx::{Row, SqlitePool};

use super::Comment;
use crate::articles::store::published;

/// Approved comments of an article, oldest first (threads are built by the page).
pub async fn approved_for_article(pool: &SqlitePool, article_id: i64) -> sqlx::Result<Vec<Comment>> {
    let rows = sqlx::query(
        "SELECT id, parent_id, author_name, author_url, body, created_at FROM comments \
         WHERE article_id = ? AND status = 'approved' ORDER BY created_at, id",
    )
    .bind(article_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Comment {
            id: r.get("id"),
            parent_id: r.get("parent_id"),
            author_name: r.get("author_name"),
            author_url: r.get("author_url"),
            body: r.get("body"),
            published: published(r.get::<&str, _>("created_at")),
        })
        .collect())
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
    pub created_at: String,
}

pub async fn insert_approved(tx: &mut sqlx::SqliteConnection, c: &ApprovedComment) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, author_url, body, status, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, 'approved', ?) RETURNING id",
    )
    .bind(c.article_id)
    .bind(c.parent_id)
    .bind(&c.author_name)
    .bind(&c.author_email)
    .bind(&c.author_url)
    .bind(&c.body)
    .bind(&c.created_at)
    .fetch_one(&mut *tx)
    .await
}
