//! The only place that writes SQL for articles, sections, authors and tags.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::{Article, ArticleCard, CategoryLink, Published, Slug, TagLink};

/// Renders a stored RFC 3339 time for a page. Invalid stored text is shown as-is rather than
/// failing the page.
pub fn published(iso: &str) -> Published {
    match DateTime::parse_from_rfc3339(iso) {
        Ok(t) => {
            let t = t.with_timezone(&Utc);
            Published {
                iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                display: t.format("%-d %B %Y").to_string(),
            }
        }
        Err(_) => Published { iso: iso.to_owned(), display: iso.to_owned() },
    }
}

const CARD_COLUMNS: &str = "a.slug, a.title, a.summary, a.published_at, \
     c.slug AS category_slug, c.name AS category_name, au.name AS author_name, au.slug AS author_slug";
const CARD_JOINS: &str = "FROM articles a \
     JOIN categories c ON c.id = a.category_id \
     JOIN authors au ON au.id = a.author_id";

fn card(row: &sqlx::sqlite::SqliteRow) -> ArticleCard {
    ArticleCard {
        slug: row.get("slug"),
        title: row.get("title"),
        summary: row.get("summary"),
        category: CategoryLink { slug: row.get("category_slug"), name: row.get("category_name") },
        author: row.get("author_name"),
        author_slug: row.get("author_slug"),
        published: published(row.get::<&str, _>("published_at")),
    }
}

pub async fn categories(pool: &SqlitePool) -> sqlx::Result<Vec<CategoryLink>> {
    let rows = sqlx::query("SELECT slug, name FROM categories ORDER BY name").fetch_all(pool).await?;
    Ok(rows.iter().map(|r| CategoryLink { slug: r.get("slug"), name: r.get("name") }).collect())
}

pub async fn count_articles(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(conn).await
}

/// The newest articles of the whole site.
pub async fn latest(pool: &SqlitePool, limit: i64, offset: i64) -> sqlx::Result<Vec<ArticleCard>> {
    let sql = format!("SELECT {CARD_COLUMNS} {CARD_JOINS} ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?");
    let rows = sqlx::query(&sql).bind(limit).bind(offset).fetch_all(pool).await?;
    Ok(rows.iter().map(card).collect())
}

/// The newest `per_section` articles of every section, sections in name order.
pub async fn sections(pool: &SqlitePool, per_section: i64) -> sqlx::Result<Vec<super::front_page::Section>> {
    let sql = format!(
        "SELECT * FROM (SELECT {CARD_COLUMNS}, a.id, \
             ROW_NUMBER() OVER (PARTITION BY a.category_id ORDER BY a.published_at DESC, a.id DESC) AS rank \
             {CARD_JOINS}) ranked \
         WHERE rank <= ? ORDER BY category_name, rank"
    );
    let rows = sqlx::query(&sql).bind(per_section).fetch_all(pool).await?;
    let mut sections: Vec<super::front_page::Section> = Vec::new();
    for row in &rows {
        let card = card(row);
        match sections.last_mut() {
            Some(section) if section.category == card.category => section.articles.push(card),
            _ => sections.push(super::front_page::Section { category: card.category.clone(), articles: vec![card] }),
        }
    }
    Ok(sections)
}

pub async fn category_by_slug(pool: &SqlitePool, slug: &Slug) -> sqlx::Result<Option<(i64, CategoryLink)>> {
    let row = sqlx::query("SELECT id, slug, name FROM categories WHERE slug = ?")
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| (r.get("id"), CategoryLink { slug: r.get("slug"), name: r.get("name") })))
}

pub async fn tag_by_slug(pool: &SqlitePool, slug: &Slug) -> sqlx::Result<Option<(i64, TagLink)>> {
    let row = sqlx::query("SELECT id, slug, name FROM tags WHERE slug = ?").bind(slug.as_str()).fetch_optional(pool).await?;
    Ok(row.map(|r| (r.get("id"), TagLink { slug: r.get("slug"), name: r.get("name") })))
}

/// An author's id, name and biography.
pub async fn author_by_slug(pool: &SqlitePool, slug: &Slug) -> sqlx::Result<Option<(i64, String, String)>> {
    let row = sqlx::query("SELECT id, name, bio FROM authors WHERE slug = ?").bind(slug.as_str()).fetch_optional(pool).await?;
    Ok(row.map(|r| (r.get("id"), r.get("name"), r.get("bio"))))
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
            Listing::Category(id) => ("a.category_id = ?", id),
            Listing::Tag(id) => ("a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)", id),
            Listing::Author(id) => ("a.author_id = ?", id),
        }
    }
}

pub async fn count_listed(pool: &SqlitePool, listing: Listing) -> sqlx::Result<i64> {
    let (condition, id) = listing.condition();
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM articles a WHERE {condition}")).bind(id).fetch_one(pool).await
}

/// A page of a listing, newest first.
pub async fn latest_listed(pool: &SqlitePool, listing: Listing, limit: i64, offset: i64) -> sqlx::Result<Vec<ArticleCard>> {
    let (condition, id) = listing.condition();
    let sql = format!(
        "SELECT {CARD_COLUMNS} {CARD_JOINS} WHERE {condition} \
         ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"
    );
    let rows = sqlx::query(&sql).bind(id).bind(limit).bind(offset).fetch_all(pool).await?;
    Ok(rows.iter().map(card).collect())
}

pub async fn article_by_slug(pool: &SqlitePool, slug: &Slug) -> sqlx::Result<Option<Article>> {
    let sql = format!("SELECT {CARD_COLUMNS}, a.id, a.body_html, a.updated_at, a.image {CARD_JOINS} WHERE a.slug = ?");
    let Some(row) = sqlx::query(&sql).bind(slug.as_str()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let id: i64 = row.get("id");
    let tags = sqlx::query(
        "SELECT t.slug, t.name FROM tags t JOIN article_tags link ON link.tag_id = t.id \
         WHERE link.article_id = ? ORDER BY t.name",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| TagLink { slug: r.get("slug"), name: r.get("name") })
    .collect();
    Ok(Some(Article {
        id,
        card: card(&row),
        body_html: row.get("body_html"),
        tags,
        updated: published(row.get::<&str, _>("updated_at")),
        image: row.get("image"),
    }))
}

/// An article as a feed lists it: its card and when it last changed.
#[derive(Clone, Debug)]
pub struct FeedEntry {
    pub card: ArticleCard,
    pub updated: Published,
}

/// The newest `limit` articles, of one section or of the whole site, newest first.
pub async fn latest_for_feed(pool: &SqlitePool, category_id: Option<i64>, limit: i64) -> sqlx::Result<Vec<FeedEntry>> {
    let sql = format!(
        "SELECT {CARD_COLUMNS}, a.updated_at {CARD_JOINS} WHERE (? IS NULL OR a.category_id = ?) \
         ORDER BY a.published_at DESC, a.id DESC LIMIT ?"
    );
    let rows = sqlx::query(&sql).bind(category_id).bind(category_id).bind(limit).fetch_all(pool).await?;
    Ok(rows.iter().map(|r| FeedEntry { card: card(r), updated: published(r.get::<&str, _>("updated_at")) }).collect())
}

/// A page a search engine should know about, and when its content last changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SitemapEntry {
    pub path: String,
    pub lastmod: String,
}

/// Every article, and every section, tag and author page that has articles, each with the
/// newest change among its articles; the front page first.
pub async fn sitemap_entries(pool: &SqlitePool) -> sqlx::Result<Vec<SitemapEntry>> {
    let rows = sqlx::query(
        "SELECT '/' AS path, MAX(updated_at) AS lastmod, 0 AS kind FROM articles HAVING COUNT(*) > 0 \
         UNION ALL SELECT '/article/' || slug, updated_at, 1 FROM articles \
         UNION ALL SELECT '/category/' || c.slug, MAX(a.updated_at), 2 FROM categories c \
           JOIN articles a ON a.category_id = c.id GROUP BY c.slug \
         UNION ALL SELECT '/tag/' || t.slug, MAX(a.updated_at), 3 FROM tags t \
           JOIN article_tags link ON link.tag_id = t.id JOIN articles a ON a.id = link.article_id GROUP BY t.slug \
         UNION ALL SELECT '/author/' || au.slug, MAX(a.updated_at), 4 FROM authors au \
           JOIN articles a ON a.author_id = au.id GROUP BY au.slug \
         ORDER BY kind, path",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(|r| SitemapEntry { path: r.get("path"), lastmod: r.get("lastmod") }).collect())
}

/// An article as an editor or the importer supplies it; names are created on first use.
#[derive(Clone, Debug)]
pub struct NewArticle {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub author: String,
    pub category: String,
    pub tags: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub image: Option<String>,
}

/// What an upsert did; importing an unchanged file is `Unchanged` and writes no article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn named_id(
    tx: &mut sqlx::SqliteConnection,
    table: &str,
    name: &str,
) -> Result<i64, UpsertError> {
    let slug = Slug::from_name(name).ok_or_else(|| UpsertError::BadName(name.to_owned()))?;
    // `table` is one of our own constants, never input.
    let sql = format!(
        "INSERT INTO {table} (slug, name) VALUES (?, ?) \
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id"
    );
    Ok(sqlx::query_scalar(&sql).bind(slug.as_str()).bind(name).fetch_one(&mut *tx).await?)
}

#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    #[error("{0:?} cannot be turned into a URL slug")]
    BadName(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Inserts the article or, when its slug exists, updates it in place (same id, so comments
/// stay attached). An article identical to the stored one is left alone. Returns the id.
pub async fn upsert_article(
    tx: &mut sqlx::SqliteConnection,
    article: &NewArticle,
) -> Result<(i64, Change), UpsertError> {
    let author_id = named_id(tx, "authors", &article.author).await?;
    let category_id = named_id(tx, "categories", &article.category).await?;
    let mut tag_ids = Vec::with_capacity(article.tags.len());
    for tag in &article.tags {
        tag_ids.push(named_id(tx, "tags", tag).await?);
    }
    tag_ids.sort_unstable();
    tag_ids.dedup();
    let (published_at, updated_at) = (iso(article.published_at), iso(article.updated_at));

    let stored = sqlx::query(
        "SELECT id, title, summary, body_html, author_id, category_id, published_at, updated_at, image \
         FROM articles WHERE slug = ?",
    )
    .bind(article.slug.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = &stored {
        let id: i64 = row.get("id");
        let stored_tags: Vec<i64> =
            sqlx::query_scalar("SELECT tag_id FROM article_tags WHERE article_id = ? ORDER BY tag_id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let same = row.get::<&str, _>("title") == article.title
            && row.get::<&str, _>("summary") == article.summary
            && row.get::<&str, _>("body_html") == article.body_html
            && row.get::<i64, _>("author_id") == author_id
            && row.get::<i64, _>("category_id") == category_id
            && row.get::<&str, _>("published_at") == published_at
            && row.get::<&str, _>("updated_at") == updated_at
            && row.get::<Option<String>, _>("image") == article.image
            && stored_tags == tag_ids;
        if same {
            return Ok((id, Change::Unchanged));
        }
    }

    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, title, summary, body_html, author_id, category_id, published_at, updated_at, image) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, summary = excluded.summary, \
           body_html = excluded.body_html, author_id = excluded.author_id, category_id = excluded.category_id, \
           published_at = excluded.published_at, updated_at = excluded.updated_at, image = excluded.image \
         RETURNING id",
    )
    .bind(article.slug.as_str())
    .bind(&article.title)
    .bind(&article.summary)
    .bind(&article.body_html)
    .bind(author_id)
    .bind(category_id)
    .bind(published_at)
    .bind(updated_at)
    .bind(&article.image)
    .fetch_one(&mut *tx)
    .await?;
    crate::discovery::store::index_article(tx, id, &article.title, &article.summary, &article.body_html).await?;
    sqlx::query("DELETE FROM article_tags WHERE article_id = ?").bind(id).execute(&mut *tx).await?;
    for tag_id in tag_ids {
        sqlx::query("INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)")
            .bind(id)
            .bind(tag_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok((id, if stored.is_some() { Change::Updated } else { Change::Created }))
}

/// Sets an author's biography (authors are otherwise created by name from articles).
pub async fn set_author_bio(tx: &mut sqlx::SqliteConnection, name: &str, bio: &str) -> Result<(), UpsertError> {
    let id = named_id(tx, "authors", name).await?;
    sqlx::query("UPDATE authors SET bio = ? WHERE id = ?").bind(bio).bind(id).execute(&mut *tx).await?;
    Ok(())
}

pub async fn id_of(pool: &SqlitePool, slug: &Slug) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM articles WHERE slug = ?").bind(slug.as_str()).fetch_optional(pool).await
}


#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    async fn pool() -> (SqlitePool, tempfile::TempDir) {
        crate::db::temporary().await
    }

    fn article(slug: &str, category: &str, day: u32) -> NewArticle {
        let at = Utc.with_ymd_and_hms(2026, 10, day, 9, 0, 0).unwrap();
        NewArticle {
            slug: Slug::parse(slug).unwrap(),
            title: format!("Title of {slug}"),
            summary: "Summary".into(),
            body_html: "<p>Body</p>".into(),
            author: "Ann Writer".into(),
            category: category.into(),
            tags: vec!["harbour".into(), "Open Data".into()],
            published_at: at,
            updated_at: at,
            image: None,
        }
    }

    async fn upsert_with_change(pool: &SqlitePool, a: &NewArticle) -> (i64, Change) {
        let mut tx = pool.begin().await.unwrap();
        let done = upsert_article(&mut tx, a).await.unwrap();
        tx.commit().await.unwrap();
        done
    }

    async fn upsert(pool: &SqlitePool, a: &NewArticle) -> i64 {
        upsert_with_change(pool, a).await.0
    }

    #[tokio::test]
    async fn upsert_is_idempotent_and_updates_in_place() {
        let (pool, _dir) = pool().await;
        let a = article("first-story", "City", 1);
        let (id, change) = upsert_with_change(&pool, &a).await;
        assert_eq!(change, Change::Created);
        assert_eq!(upsert_with_change(&pool, &a).await, (id, Change::Unchanged), "importing twice changes nothing");
        assert_eq!(count_articles(&mut pool.acquire().await.unwrap()).await.unwrap(), 1);
        let mut edited = a.clone();
        edited.title = "A better title".into();
        edited.tags = vec!["harbour".into()];
        edited.image = Some("/media/a.png".into());
        assert_eq!(upsert_with_change(&pool, &edited).await, (id, Change::Updated), "editing keeps the id (and the comments)");
        let stored = article_by_slug(&pool, &a.slug).await.unwrap().unwrap();
        assert_eq!(stored.card.title, "A better title");
        assert_eq!(stored.tags, vec![TagLink { slug: "harbour".into(), name: "harbour".into() }]);
        assert_eq!(stored.card.published.iso, "2026-10-01T09:00:00Z");
        assert_eq!(stored.card.published.display, "1 October 2026");
        assert_eq!(stored.image.as_deref(), Some("/media/a.png"));
        let mut retagged = edited.clone();
        retagged.tags = vec!["harbour".into(), "open data".into()];
        assert_eq!(upsert_with_change(&pool, &retagged).await.1, Change::Updated, "a tag change alone is a change");
    }

    #[tokio::test]
    async fn feeds_and_the_sitemap_see_every_page_with_its_newest_change() {
        let (pool, _dir) = pool().await;
        assert!(sitemap_entries(&pool).await.unwrap().is_empty(), "an empty site lists nothing");
        let mut a = article("a", "City", 1);
        a.updated_at = Utc.with_ymd_and_hms(2026, 10, 20, 9, 0, 0).unwrap();
        upsert(&pool, &a).await;
        upsert(&pool, &article("b", "Sport", 2)).await;
        let entries = sitemap_entries(&pool).await.unwrap();
        let listed: Vec<(&str, &str)> = entries.iter().map(|e| (e.path.as_str(), e.lastmod.as_str())).collect();
        assert_eq!(
            listed,
            [
                ("/", "2026-10-20T09:00:00Z"),
                ("/article/a", "2026-10-20T09:00:00Z"),
                ("/article/b", "2026-10-02T09:00:00Z"),
                ("/category/city", "2026-10-20T09:00:00Z"),
                ("/category/sport", "2026-10-02T09:00:00Z"),
                ("/tag/harbour", "2026-10-20T09:00:00Z"),
                ("/tag/open-data", "2026-10-20T09:00:00Z"),
                ("/author/ann-writer", "2026-10-20T09:00:00Z"),
            ]
        );
        let all = latest_for_feed(&pool, None, 20).await.unwrap();
        assert_eq!(all.iter().map(|e| e.card.slug.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(all[1].updated.iso, "2026-10-20T09:00:00Z");
        let (city, _) = category_by_slug(&pool, &Slug::parse("city").unwrap()).await.unwrap().unwrap();
        let city_feed = latest_for_feed(&pool, Some(city), 20).await.unwrap();
        assert_eq!(city_feed.iter().map(|e| e.card.slug.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(latest_for_feed(&pool, None, 1).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn lists_are_newest_first_and_grouped_by_section() {
        let (pool, _dir) = pool().await;
        for (slug, cat, day) in [("a", "City", 1), ("b", "Sport", 2), ("c", "City", 3), ("d", "City", 4)] {
            upsert(&pool, &article(slug, cat, day)).await;
        }
        let slugs = |cards: Vec<ArticleCard>| cards.into_iter().map(|c| c.slug).collect::<Vec<_>>();
        assert_eq!(slugs(latest(&pool, 3, 0).await.unwrap()), ["d", "c", "b"]);
        assert_eq!(slugs(latest(&pool, 3, 3).await.unwrap()), ["a"]);
        let sections = sections(&pool, 2).await.unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].category.name, "City");
        assert_eq!(slugs(sections[0].articles.clone()), ["d", "c"]);
        assert_eq!(slugs(sections[1].articles.clone()), ["b"]);
        let (city, _) = category_by_slug(&pool, &Slug::parse("city").unwrap()).await.unwrap().unwrap();
        assert_eq!(count_listed(&pool, Listing::Category(city)).await.unwrap(), 3);
        assert_eq!(slugs(latest_listed(&pool, Listing::Category(city), 2, 2).await.unwrap()), ["a"]);
        assert!(category_by_slug(&pool, &Slug::parse("nope").unwrap()).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn tag_and_author_listings() {
        let (pool, _dir) = pool().await;
        let mut other = article("b", "Sport", 2);
        other.tags = vec!["rowing".into()];
        other.author = "Bo Reporter".into();
        upsert(&pool, &article("a", "City", 1)).await;
        upsert(&pool, &other).await;
        upsert(&pool, &article("c", "City", 3)).await;
        let slugs = |cards: Vec<ArticleCard>| cards.into_iter().map(|c| c.slug).collect::<Vec<_>>();
        let (harbour, tag) = tag_by_slug(&pool, &Slug::parse("harbour").unwrap()).await.unwrap().unwrap();
        assert_eq!(tag.name, "harbour");
        assert_eq!(slugs(latest_listed(&pool, Listing::Tag(harbour), 10, 0).await.unwrap()), ["c", "a"]);
        let (bo, name, bio) = author_by_slug(&pool, &Slug::parse("bo-reporter").unwrap()).await.unwrap().unwrap();
        assert_eq!((name.as_str(), bio.as_str()), ("Bo Reporter", ""));
        assert_eq!(count_listed(&pool, Listing::Author(bo)).await.unwrap(), 1);
        let cards = latest_listed(&pool, Listing::Author(bo), 10, 0).await.unwrap();
        assert_eq!(cards[0].author_href(), "/author/bo-reporter");
        assert!(tag_by_slug(&pool, &Slug::parse("nope").unwrap()).await.unwrap().is_none());
    }

    #[test]
    fn bad_stored_dates_are_shown_rather_than_failing_the_page() {
        assert_eq!(published("not a date").display, "not a date");
    }
}
