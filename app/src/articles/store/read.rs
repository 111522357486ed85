//! Reading articles, sections, authors and tags for pages, feeds and the sitemap.

use sqlx::FromRow;

use crate::articles::types::{Article, ArticleCard, CategoryLink, Section, TagLink};
use crate::core::{paths, Published, Slug, Timestamp};
use crate::db::Db;

const CARD_COLUMNS: &str = "a.slug, a.title, a.summary, a.published_at, \
     c.slug AS category_slug, c.name AS category_name, au.name AS author_name, au.slug AS author_slug";
const CARD_JOINS: &str = "FROM articles a \
     JOIN categories c ON c.id = a.category_id \
     JOIN authors au ON au.id = a.author_id";

/// The columns of `CARD_COLUMNS`, mapped by name.
#[derive(FromRow)]
struct CardRow {
    slug: Slug,
    title: String,
    summary: String,
    published_at: Timestamp,
    category_slug: Slug,
    category_name: String,
    author_name: String,
    author_slug: Slug,
}

impl From<CardRow> for ArticleCard {
    fn from(r: CardRow) -> ArticleCard {
        ArticleCard {
            slug: r.slug,
            title: r.title,
            summary: r.summary,
            category: CategoryLink { slug: r.category_slug, name: r.category_name },
            author: r.author_name,
            author_slug: r.author_slug,
            published: r.published_at.into(),
        }
    }
}

fn cards(rows: Vec<CardRow>) -> Vec<ArticleCard> {
    rows.into_iter().map(ArticleCard::from).collect()
}

/// An article's row: its card's columns and the rest of the page.
#[derive(FromRow)]
struct ArticleRow {
    #[sqlx(flatten)]
    card: CardRow,
    id: i64,
    body_html: String,
    updated_at: Timestamp,
    image: Option<String>,
}

/// A feed entry's row.
#[derive(FromRow)]
struct FeedRow {
    #[sqlx(flatten)]
    card: CardRow,
    updated_at: Timestamp,
}

#[derive(FromRow)]
struct LinkRow {
    slug: Slug,
    name: String,
}

pub async fn categories(db: &Db) -> sqlx::Result<Vec<CategoryLink>> {
    let rows: Vec<LinkRow> =
        crate::on!(db, |ex| sqlx::query_as("SELECT slug, name FROM categories ORDER BY name").fetch_all(ex).await)?;
    Ok(rows.into_iter().map(|r| CategoryLink { slug: r.slug, name: r.name }).collect())
}

pub async fn count_articles(conn: &mut impl crate::db::Link) -> sqlx::Result<i64> {
    crate::on!(conn, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(ex).await)
}

/// The newest articles of the whole site.
pub async fn latest(db: &Db, limit: i64, offset: i64) -> sqlx::Result<Vec<ArticleCard>> {
    let sql = format!("SELECT {CARD_COLUMNS} {CARD_JOINS} ORDER BY a.published_at DESC, a.id DESC LIMIT $1 OFFSET $2");
    let rows = crate::on!(db, |ex| sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(ex).await)?;
    Ok(cards(rows))
}

/// The newest `per_section` articles of every section, sections in name order.
pub async fn sections(db: &Db, per_section: i64) -> sqlx::Result<Vec<Section>> {
    let sql = format!(
        "SELECT * FROM (SELECT {CARD_COLUMNS}, a.id, \
             ROW_NUMBER() OVER (PARTITION BY a.category_id ORDER BY a.published_at DESC, a.id DESC) AS rank \
             {CARD_JOINS}) ranked \
         WHERE rank <= $1 ORDER BY category_name, rank"
    );
    let rows: Vec<CardRow> = crate::on!(db, |ex| sqlx::query_as(&sql).bind(per_section).fetch_all(ex).await)?;
    let mut sections: Vec<Section> = Vec::new();
    for card in cards(rows) {
        match sections.last_mut() {
            Some(section) if section.category == card.category => section.articles.push(card),
            _ => sections.push(Section { category: card.category.clone(), articles: vec![card] }),
        }
    }
    Ok(sections)
}

pub async fn category_by_slug(db: &Db, slug: &Slug) -> sqlx::Result<Option<(i64, CategoryLink)>> {
    let row: Option<(i64, Slug, String)> =
        crate::on!(db, |ex| sqlx::query_as("SELECT id, slug, name FROM categories WHERE slug = $1")
            .bind(slug)
            .fetch_optional(ex)
            .await)?;
    Ok(row.map(|(id, slug, name)| (id, CategoryLink { slug, name })))
}

pub async fn tag_by_slug(db: &Db, slug: &Slug) -> sqlx::Result<Option<(i64, TagLink)>> {
    let row: Option<(i64, Slug, String)> =
        crate::on!(db, |ex| sqlx::query_as("SELECT id, slug, name FROM tags WHERE slug = $1")
            .bind(slug)
            .fetch_optional(ex)
            .await)?;
    Ok(row.map(|(id, slug, name)| (id, TagLink { slug, name })))
}

/// An author's id, name and biography.
pub async fn author_by_slug(db: &Db, slug: &Slug) -> sqlx::Result<Option<(i64, String, String)>> {
    crate::on!(db, |ex| sqlx::query_as("SELECT id, name, bio FROM authors WHERE slug = $1")
        .bind(slug)
        .fetch_optional(ex)
        .await)
}

/// Which stories a listing page shows.
#[derive(Clone, Copy, Debug)]
pub enum Listing {
    Category(i64),
    Tag(i64),
    Author(i64),
}

impl Listing {
    fn condition(self) -> (&'static str, i64) {
        match self {
            Listing::Category(id) => ("a.category_id = $1", id),
            Listing::Tag(id) => ("a.id IN (SELECT article_id FROM article_tags WHERE tag_id = $1)", id),
            Listing::Author(id) => ("a.author_id = $1", id),
        }
    }
}

pub async fn count_listed(db: &Db, listing: Listing) -> sqlx::Result<i64> {
    let (condition, id) = listing.condition();
    crate::on!(db, |ex| sqlx::query_scalar(&format!("SELECT COUNT(*) FROM articles a WHERE {condition}"))
        .bind(id)
        .fetch_one(ex)
        .await)
}

/// A page of a listing, newest first.
pub async fn latest_listed(db: &Db, listing: Listing, limit: i64, offset: i64) -> sqlx::Result<Vec<ArticleCard>> {
    let (condition, id) = listing.condition();
    let sql = format!(
        "SELECT {CARD_COLUMNS} {CARD_JOINS} WHERE {condition} \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $2 OFFSET $3"
    );
    let rows = crate::on!(db, |ex| sqlx::query_as(&sql).bind(id).bind(limit).bind(offset).fetch_all(ex).await)?;
    Ok(cards(rows))
}

pub async fn article_by_slug(db: &Db, slug: &Slug) -> sqlx::Result<Option<Article>> {
    let sql = format!("SELECT {CARD_COLUMNS}, a.id, a.body_html, a.updated_at, a.image {CARD_JOINS} WHERE a.slug = $1");
    let Some(row): Option<ArticleRow> = crate::on!(db, |ex| sqlx::query_as(&sql).bind(slug).fetch_optional(ex).await)?
    else {
        return Ok(None);
    };
    let id = row.id;
    let tags: Vec<LinkRow> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT t.slug, t.name FROM tags t JOIN article_tags link ON link.tag_id = t.id \
         WHERE link.article_id = $1 ORDER BY t.name",
    )
    .bind(id)
    .fetch_all(ex)
    .await)?;
    Ok(Some(Article {
        id,
        card: row.card.into(),
        body_html: row.body_html,
        tags: tags.into_iter().map(|t| TagLink { slug: t.slug, name: t.name }).collect(),
        updated: row.updated_at.into(),
        image: row.image,
    }))
}

/// An article as a feed lists it: its card and when it last changed.
#[derive(Clone, Debug)]
pub struct FeedEntry {
    pub card: ArticleCard,
    pub updated: Published,
}

/// The newest `limit` articles, of one section or of the whole site, newest first.
pub async fn latest_for_feed(db: &Db, category_id: Option<i64>, limit: i64) -> sqlx::Result<Vec<FeedEntry>> {
    let sql = format!(
        "SELECT {CARD_COLUMNS}, a.updated_at {CARD_JOINS} WHERE ($1 IS NULL OR a.category_id = $1) \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $2"
    );
    let rows: Vec<FeedRow> =
        crate::on!(db, |ex| sqlx::query_as(&sql).bind(category_id).bind(limit).fetch_all(ex).await)?;
    Ok(rows.into_iter().map(|r| FeedEntry { card: r.card.into(), updated: r.updated_at.into() }).collect())
}

/// A page a search engine should know about, and when its content last changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SitemapEntry {
    pub path: String,
    pub lastmod: chrono::DateTime<chrono::Utc>,
}

#[derive(FromRow)]
struct SitemapRow {
    kind: i32,
    slug: Option<Slug>,
    lastmod: Timestamp,
}

/// Every article, and every section, tag and author page that has articles, each with the
/// newest change among its articles; the front page first.
pub async fn sitemap_entries(db: &Db) -> sqlx::Result<Vec<SitemapEntry>> {
    let rows: Vec<SitemapRow> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT 0 AS kind, NULL AS slug, MAX(updated_at) AS lastmod FROM articles HAVING COUNT(*) > 0 \
         UNION ALL SELECT 1, slug, updated_at FROM articles \
         UNION ALL SELECT 2, c.slug, MAX(a.updated_at) FROM categories c \
           JOIN articles a ON a.category_id = c.id GROUP BY c.slug \
         UNION ALL SELECT 3, t.slug, MAX(a.updated_at) FROM tags t \
           JOIN article_tags link ON link.tag_id = t.id JOIN articles a ON a.id = link.article_id GROUP BY t.slug \
         UNION ALL SELECT 4, au.slug, MAX(a.updated_at) FROM authors au \
           JOIN articles a ON a.author_id = au.id GROUP BY au.slug \
         ORDER BY 1, 2",
    )
    .fetch_all(ex)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let path = match (r.kind, &r.slug) {
                (0, _) => paths::FRONT.to_owned(),
                (1, Some(slug)) => paths::article(slug),
                (2, Some(slug)) => paths::category(slug),
                (3, Some(slug)) => paths::tag(slug),
                (4, Some(slug)) => paths::author(slug),
                _ => return None,
            };
            Some(SitemapEntry { path, lastmod: r.lastmod.time() })
        })
        .collect())
}

pub async fn id_of(db: &Db, slug: &Slug) -> sqlx::Result<Option<i64>> {
    crate::on!(db, |ex| sqlx::query_scalar("SELECT id FROM articles WHERE slug = $1")
        .bind(slug)
        .fetch_optional(ex)
        .await)
}
