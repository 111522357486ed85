use std::collections::HashMap;

use chrono::{TimeZone, Utc};

use super::*;
use crate::articles::store::upsert_article;
use crate::articles::store::NewArticle;
use crate::core::Slug;
use crate::db::Db;
use crate::discovery::search_query::SearchQuery;
use crate::discovery::types::Teaser;

async fn pool() -> (Db, tempfile::TempDir) {
    Db::temporary().await
}

/// Twelve stories on four subjects, each subject in its own words.
const STORIES: &[(&str, &str, &[&str], &str)] = &[
    (
        "bridge-reopens",
        "City",
        &["harbour", "transport"],
        "Harbour bridge reopens to buses and cyclists after girders were replaced",
    ),
    (
        "bridge-tolls",
        "City",
        &["harbour", "transport", "council"],
        "Council rules out tolls on the rebuilt harbour bridge girders",
    ),
    (
        "ferry-timetable",
        "City",
        &["harbour", "transport"],
        "Ferry timetable changes as bridge traffic returns to the quay",
    ),
    ("bus-lanes", "City", &["transport", "council"], "New bus lanes planned for the ring road and the bridge approach"),
    ("cup-semi-final", "Sport", &["football"], "Athletic reach the cup semi final after a late penalty at Marsh Lane"),
    ("girls-league", "Sport", &["football", "schools"], "Girls football league kicks off with twelve school teams"),
    ("regatta", "Sport", &["rowing", "harbour"], "Regatta crews race the estuary tide past the harbour wall"),
    (
        "library-reopens",
        "Culture",
        &["libraries", "books"],
        "Central library reopens with a larger children's reading room",
    ),
    (
        "bookshop-fifty",
        "Culture",
        &["books", "shops"],
        "Tanners Row bookshop marks fifty years of reading and readings",
    ),
    (
        "jazz-festival",
        "Culture",
        &["music", "harbour"],
        "Jazz festival returns to harbour stages for a twentieth summer",
    ),
    ("comet-night", "Science", &["astronomy"], "Comet viewing night draws telescopes and families to the hill"),
    (
        "salt-marsh",
        "Science",
        &["estuary", "climate"],
        "Salt marsh study finds the estuary mud stores more carbon than forest",
    ),
];

async fn seed(pool: &Db) -> HashMap<String, i64> {
    let mut ids = HashMap::new();
    let mut tx = pool.write().await.unwrap();
    for (day, (slug, category, tags, title)) in STORIES.iter().enumerate() {
        let at = Utc.with_ymd_and_hms(2026, 10, 1 + day as u32, 9, 0, 0).unwrap();
        let body = format!(
            "<p>{title}.</p><p>Readers wrote to the <em>Courier</em> about {title}, and about what comes next.</p>"
        );
        let article = NewArticle {
            slug: Slug::parse(slug).unwrap(),
            title: title.to_string(),
            summary: format!("{title}, as our reporter found when she went to see for herself on the day it happened."),
            body_html: body,
            markdown: String::new(),
            author: "Ann Writer".into(),
            category: category.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            published_at: at,
            updated_at: at,
            image: None,
        };
        let (id, _) = upsert_article(&mut tx, &article).await.unwrap();
        index_article(&mut tx, id, &article.title, &article.summary, &article.body_html).await.unwrap();
        ids.insert(slug.to_string(), id);
    }
    tx.commit().await.unwrap();
    ids
}

fn slugs(list: &[(i64, Teaser)]) -> Vec<&str> {
    list.iter().map(|(_, t)| t.slug.as_str()).collect()
}

#[tokio::test]
async fn related_ranks_shared_tags_then_section_and_never_the_story_itself() {
    let (pool, _dir) = pool().await;
    let ids = seed(&pool).await;
    let related = related(&pool, ids["bridge-reopens"], 5).await.unwrap();
    let found = slugs(&related);
    assert_eq!(found.len(), 5);
    assert!(!found.contains(&"bridge-reopens"));
    // Two shared tags and the same section first (the one nearest in time leads), then
    // one shared tag in the section, then one shared tag elsewhere.
    assert_eq!(&found[..3], ["bridge-tolls", "ferry-timetable", "bus-lanes"]);
    assert!(found[3..].iter().all(|s| ["regatta", "jazz-festival"].contains(s)), "{found:?}");
}

#[tokio::test]
async fn every_story_gets_full_distinct_lists_that_do_not_repeat_each_other() {
    let (pool, _dir) = pool().await;
    let ids = seed(&pool).await;
    let mut related_lists = Vec::new();
    let mut similar_lists = Vec::new();
    for (slug, id) in &ids {
        let rel = related(&pool, *id, 5).await.unwrap();
        let shown: Vec<i64> = rel.iter().map(|(id, _)| *id).collect();
        let similar = more_like_this(&pool, *id, &shown, 5).await.unwrap();
        assert!(rel.len() >= 4 && similar.len() >= 4, "{slug}: {rel:?} {similar:?}");
        assert!(rel.iter().chain(&similar).all(|(other, _)| other != id), "{slug} lists itself");
        assert!(similar.iter().all(|(other, _)| !shown.contains(other)), "{slug}: More like this repeats Related");
        related_lists.push(slugs(&rel).join(","));
        similar_lists.push(slugs(&similar).join(","));
    }
    related_lists.sort();
    related_lists.dedup();
    similar_lists.sort();
    similar_lists.dedup();
    assert!(related_lists.len() >= 10, "different stories get different Related lists: {related_lists:?}");
    assert!(similar_lists.len() >= 10, "and different More like this lists: {similar_lists:?}");
}

#[tokio::test]
async fn more_like_this_follows_the_words() {
    let (pool, _dir) = pool().await;
    let ids = seed(&pool).await;
    // Nothing excluded: the closest texts to the bridge story are the other bridge stories.
    let similar = more_like_this(&pool, ids["bridge-reopens"], &[], 5).await.unwrap();
    assert!(["bridge-tolls", "ferry-timetable", "bus-lanes"].contains(&similar[0].1.slug.as_str()), "{similar:?}");
    let similar = more_like_this(&pool, ids["library-reopens"], &[], 5).await.unwrap();
    assert_eq!(similar[0].1.slug.as_str(), "bookshop-fifty", "reading");
    assert_eq!(
        frequent_words("The bridge, the bridge", "harbour", "and")[..2],
        [("bridge".into(), 8), ("harbour".into(), 2)]
    );
}

#[tokio::test]
async fn popular_counts_the_last_seven_days_then_all_time_then_the_latest() {
    let (pool, _dir) = pool().await;
    let ids = seed(&pool).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let day = |ago: u64| (today - chrono::Days::new(ago)).format("%Y-%m-%d").to_string();
    // With no views at all, the latest stories stand in.
    assert_eq!(slugs(&popular(&pool, today, 2).await.unwrap()), ["salt-marsh", "comet-night"]);
    add_views(&pool, &day(10), &[(ids["regatta"], 100)]).await.unwrap();
    add_views(&pool, &day(7), &[(ids["girls-league"], 50)]).await.unwrap();
    add_views(&pool, &day(6), &[(ids["bus-lanes"], 3)]).await.unwrap();
    add_views(&pool, &day(0), &[(ids["bridge-tolls"], 2), (ids["bus-lanes"], 1)]).await.unwrap();
    add_views(&pool, &day(0), &[(ids["bridge-tolls"], 1)]).await.unwrap();
    // Inside the window: bus-lanes 4, bridge-tolls 3; regatta and girls-league are older.
    assert_eq!(slugs(&popular(&pool, today, 2).await.unwrap()), ["bus-lanes", "bridge-tolls"]);
    assert_eq!(
        slugs(&popular(&pool, today, 5).await.unwrap()),
        ["bus-lanes", "bridge-tolls", "regatta", "girls-league", "salt-marsh"]
    );
    // Views of a story deleted meanwhile are dropped, not an error.
    add_views(&pool, &day(0), &[(999_999, 5)]).await.unwrap();
}

#[tokio::test]
async fn search_ranks_highlights_and_survives_hostile_input() {
    let (pool, _dir) = pool().await;
    seed(&pool).await;
    let (total, hits) = search(&pool, &SearchQuery::parse("BRIDGE girders"), 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        hits[0].title.iter().filter(|p| p.hit).map(|p| p.text.as_str()).collect::<Vec<_>>(),
        ["bridge", "girders"]
    );
    assert!(hits[0].snippet.iter().any(|p| p.hit));
    let (_, page_two) = search(&pool, &SearchQuery::parse("bridge"), 2, 2).await.unwrap();
    assert_eq!(page_two.len(), 2, "pagination");
    let hostile = [
        "\"",
        "\"unbalanced",
        "NEAR(bridge harbour)",
        "bridge*",
        "* OR *",
        "bridge OR",
        "AND",
        "NOT bridge",
        "title:bridge",
        "^bridge",
        "'; DROP TABLE articles; --",
        "<script>alert(1)</script>",
        "\u{E000}x\u{E001}",
        "\0",
        "((((",
        "-bridge",
        "+",
        "{title summary}: bridge",
    ];
    for raw in hostile.iter().map(|s| s.to_string()).chain([format!("bridge {}", "a".repeat(2000)), "é".repeat(2000)])
    {
        search(&pool, &SearchQuery::parse(&raw), 10, 0).await.unwrap_or_else(|e| panic!("{raw:?}: {e}"));
    }
    assert_eq!(
        search(&pool, &SearchQuery::parse("NEAR(bridge harbour)"), 10, 0).await.unwrap().0,
        0,
        "NEAR is a word here"
    );
}

#[test]
fn marks_become_parts() {
    let parts = search::marked("a \u{E000}b\u{E001} c \u{E000}d\u{E001}");
    let shown: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
    assert_eq!(shown, [("a ", false), ("b", true), (" c ", false), ("d", true)]);
}

#[tokio::test]
async fn article_lists_are_worked_out_again_when_stories_change_not_when_comments_arrive() {
    let (pool, _dir) = pool().await;
    let ids = seed(&pool).await;
    let lists = crate::discovery::ArticleLists::default();
    let story = ids["bridge-reopens"];
    // On a young site the first look chooses the story's words again and saves them in the
    // background (a change to the stories): wait until the lists have settled.
    let mut first = lists.for_article(&pool, story).await.unwrap();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let again = lists.for_article(&pool, story).await.unwrap();
        if std::sync::Arc::ptr_eq(&first, &again) {
            break;
        }
        first = again;
    }
    assert_eq!(first.0[0].slug.as_str(), "bridge-tolls");
    crate::on!(pool, |ex| sqlx::query(
        "INSERT INTO comments (article_id, author_name, author_email, body, created_at) \
         VALUES ($1, 'Ola', 'ola@example.org', 'Good news for the buses', '2026-10-20T09:00:00.000Z')",
    )
    .bind(story)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let kept = lists.for_article(&pool, story).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &kept), "a comment does not change what stories are related");
    // The story that shared the most tags loses them: it is no longer the first related.
    crate::on!(pool, |ex| sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
        .bind(ids["bridge-tolls"])
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    let after = lists.for_article(&pool, story).await.unwrap();
    assert_eq!(after.0[0].slug.as_str(), "ferry-timetable");
}
