//! Writing stories: the upsert the importer, the seeding and the desk share. The caller holds
//! the write transaction (`Db::write`).

use chrono::{DateTime, Utc};

use crate::core::{Slug, Timestamp};

/// An article as an editor or the importer supplies it; names are created on first use.
#[derive(Clone, Debug)]
pub struct NewArticle {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    /// The Markdown `body_html` was rendered from, kept for the desk's editor and export.
    pub markdown: String,
    pub author: String,
    pub category: String,
    pub tags: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub image: Option<String>,
}

/// Where a story stands. Readers see only `Published` ones (the `articles` view).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Status {
    Draft,
    /// Published by the scheduler at its `published_at`.
    Scheduled,
    Published,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Draft, Status::Scheduled, Status::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
        }
    }

    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What an upsert did; importing an unchanged file is `Unchanged` and writes no article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

async fn named_id(tx: &mut impl crate::db::Link, table: &str, name: &str) -> Result<i64, UpsertError> {
    let slug = Slug::from_name(name).ok_or_else(|| UpsertError::BadName(name.to_owned()))?;
    // `table` is one of our own constants, never input.
    let sql = format!(
        "INSERT INTO {table} (slug, name) VALUES ($1, $2) \
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id"
    );
    Ok(crate::on!(tx, |ex| sqlx::query_scalar(&sql).bind(&slug).bind(name).fetch_one(ex).await)?)
}

#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    #[error("{0:?} cannot be turned into a URL slug")]
    BadName(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(sqlx::FromRow)]
struct StoredArticle {
    id: i64,
    title: String,
    summary: String,
    body_html: String,
    markdown: Option<String>,
    author_id: i64,
    category_id: i64,
    published_at: Timestamp,
    updated_at: Timestamp,
    image: Option<String>,
    status: Status,
}

/// Publishes the article: [`upsert_story`] with `Status::Published`.
pub async fn upsert_article(tx: &mut impl crate::db::Link, article: &NewArticle) -> Result<(i64, Change), UpsertError> {
    upsert_story(tx, article, Status::Published).await
}

/// Inserts the story or, when its slug exists, updates it in place (same id, so comments
/// stay attached). A story identical to the stored one is left alone. Returns the id.
pub async fn upsert_story(
    tx: &mut impl crate::db::Link,
    article: &NewArticle,
    status: Status,
) -> Result<(i64, Change), UpsertError> {
    let author_id = named_id(tx, "authors", &article.author).await?;
    let category_id = named_id(tx, "categories", &article.category).await?;
    let mut tag_ids = Vec::with_capacity(article.tags.len());
    for tag in &article.tags {
        tag_ids.push(named_id(tx, "tags", tag).await?);
    }
    tag_ids.sort_unstable();
    tag_ids.dedup();
    let (published_at, updated_at) = (Timestamp::from(article.published_at), Timestamp::from(article.updated_at));

    let stored: Option<StoredArticle> = crate::on!(tx, |ex| {
        sqlx::query_as(
        "SELECT id, title, summary, body_html, markdown, author_id, category_id, published_at, updated_at, image, status \
         FROM stories WHERE slug = $1",
    )
    .bind(&article.slug)
    .fetch_optional(ex)
    .await
    })?;
    if let Some(row) = &stored {
        let stored_tags: Vec<i64> = crate::on!(tx, |ex| sqlx::query_scalar(
            "SELECT tag_id FROM article_tags WHERE article_id = $1 ORDER BY tag_id"
        )
        .bind(row.id)
        .fetch_all(ex)
        .await)?;
        let same = row.title == article.title
            && row.summary == article.summary
            && row.body_html == article.body_html
            && row.markdown.as_deref() == Some(article.markdown.as_str())
            && row.author_id == author_id
            && row.category_id == category_id
            && row.published_at == published_at
            && row.updated_at == updated_at
            && row.image == article.image
            && row.status == status
            && stored_tags == tag_ids;
        if same {
            return Ok((row.id, Change::Unchanged));
        }
    }

    let id: i64 = crate::on!(tx, |ex| {
        sqlx::query_scalar(
        "INSERT INTO stories (slug, title, summary, body_html, markdown, author_id, category_id, published_at, \
           updated_at, image, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, summary = excluded.summary, \
           body_html = excluded.body_html, markdown = excluded.markdown, author_id = excluded.author_id, category_id = excluded.category_id, \
           published_at = excluded.published_at, updated_at = excluded.updated_at, image = excluded.image, \
           status = excluded.status \
         RETURNING id",
    )
    .bind(&article.slug)
    .bind(&article.title)
    .bind(&article.summary)
    .bind(&article.body_html)
    .bind(&article.markdown)
    .bind(author_id)
    .bind(category_id)
    .bind(published_at)
    .bind(updated_at)
    .bind(&article.image)
    .bind(status)
    .fetch_one(ex)
    .await
    })?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    for tag_id in tag_ids {
        crate::on!(tx, |ex| sqlx::query("INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2)")
            .bind(id)
            .bind(tag_id)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
    }
    Ok((id, if stored.is_some() { Change::Updated } else { Change::Created }))
}

/// Sets an author's biography (authors are otherwise created by name from articles).
pub async fn set_author_bio(tx: &mut impl crate::db::Link, name: &str, bio: &str) -> Result<(), UpsertError> {
    let id = named_id(tx, "authors", name).await?;
    crate::on!(tx, |ex| sqlx::query("UPDATE authors SET bio = $1 WHERE id = $2")
        .bind(bio)
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}
