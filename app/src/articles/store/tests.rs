use chrono::{TimeZone, Utc};

use super::*;
use crate::articles::types::{ArticleCard, TagLink};
use crate::core::Slug;
use crate::db::Db;

async fn pool() -> (Db, tempfile::TempDir) {
    Db::temporary().await
}

fn article(slug: &str, category: &str, day: u32) -> NewArticle {
    let at = Utc.with_ymd_and_hms(2026, 10, day, 9, 0, 0).unwrap();
    NewArticle {
        slug: Slug::parse(slug).unwrap(),
        title: format!("Title of {slug}"),
        summary: "Summary".into(),
        body_html: "<p>Body</p>".into(),
        markdown: "Body".into(),
        author: "Ann Writer".into(),
        category: category.into(),
        tags: vec!["harbour".into(), "Open Data".into()],
        published_at: at,
        updated_at: at,
        image: None,
    }
}

async fn upsert_with_change(db: &Db, a: &NewArticle) -> (i64, Change) {
    let mut tx = db.write().await.unwrap();
    let done = upsert_article(&mut tx, a).await.unwrap();
    tx.commit().await.unwrap();
    done
}

async fn upsert(db: &Db, a: &NewArticle) -> i64 {
    upsert_with_change(db, a).await.0
}

#[tokio::test]
async fn upsert_is_idempotent_and_updates_in_place() {
    let (pool, _dir) = pool().await;
    let a = article("first-story", "City", 1);
    let (id, change) = upsert_with_change(&pool, &a).await;
    assert_eq!(change, Change::Created);
    assert_eq!(upsert_with_change(&pool, &a).await, (id, Change::Unchanged), "importing twice changes nothing");
    assert_eq!(count_articles(&mut db_conn(&pool).await).await.unwrap(), 1);
    let mut edited = a.clone();
    edited.title = "A better title".into();
    edited.tags = vec!["harbour".into()];
    edited.image = Some("/media/a.png".into());
    assert_eq!(
        upsert_with_change(&pool, &edited).await,
        (id, Change::Updated),
        "editing keeps the id (and the comments)"
    );
    let stored = article_by_slug(&pool, &a.slug).await.unwrap().unwrap();
    assert_eq!(stored.card.title, "A better title");
    assert_eq!(stored.tags, vec![TagLink { slug: Slug::parse("harbour").unwrap(), name: "harbour".into() }]);
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
    let listed: Vec<(&str, String)> = entries
        .iter()
        .map(|e| (e.path.as_str(), e.lastmod.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
        .collect();
    assert_eq!(
        listed,
        [
            ("/", "2026-10-20T09:00:00Z".to_owned()),
            ("/article/a", "2026-10-20T09:00:00Z".to_owned()),
            ("/article/b", "2026-10-02T09:00:00Z".to_owned()),
            ("/category/city", "2026-10-20T09:00:00Z".to_owned()),
            ("/category/sport", "2026-10-02T09:00:00Z".to_owned()),
            ("/tag/harbour", "2026-10-20T09:00:00Z".to_owned()),
            ("/tag/open-data", "2026-10-20T09:00:00Z".to_owned()),
            ("/author/ann-writer", "2026-10-20T09:00:00Z".to_owned()),
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
    let slugs = |cards: Vec<ArticleCard>| cards.into_iter().map(|c| c.slug.to_string()).collect::<Vec<_>>();
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
    let slugs = |cards: Vec<ArticleCard>| cards.into_iter().map(|c| c.slug.to_string()).collect::<Vec<_>>();
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

async fn db_conn(db: &Db) -> crate::db::Pooled {
    db.connection().await.unwrap()
}
