use std::time::Duration;

use app::core::SiteUrl;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

/// The `<section>` of a teaser list (Related, More like this, Popular) on a page.
fn list_section<'a>(html: &'a str, heading_id: &str) -> &'a str {
    let start =
        html.find(&format!("aria-labelledby=\"{heading_id}\"")).unwrap_or_else(|| panic!("no {heading_id} list"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

fn linked_slugs(html: &str) -> Vec<String> {
    html.split("href=\"/article/").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_owned()).collect()
}

#[tokio::test]
async fn share_links_carry_the_absolute_encoded_address_and_title() {
    let app =
        spawn_app_with(|config| config.site_url = Some(SiteUrl::parse("https://news.example.org").unwrap())).await;
    let (status, html) = app.get("/article/harbour-bridge-reopens").await;
    assert_eq!(status, 200);
    let url = "https%3A%2F%2Fnews.example.org%2Farticle%2Fharbour-bridge-reopens";
    let title = "Harbour%20Bridge%20Reopens%20After%20Two-Year%20Rebuild";
    for link in [
        format!("https://x.com/intent/post?url={url}&amp;text={title}"),
        format!("https://www.facebook.com/sharer/sharer.php?u={url}"),
        format!("https://www.linkedin.com/sharing/share-offsite/?url={url}"),
        format!("https://www.reddit.com/submit?url={url}&amp;title={title}"),
        format!("https://wa.me/?text={title}%20{url}"),
        format!("https://t.me/share/url?url={url}&amp;text={title}"),
        format!("mailto:?subject={title}&amp;body={url}"),
    ] {
        assert!(html.contains(&format!("href=\"{link}\"")), "missing share link {link}");
    }
    assert!(html.contains("aria-label=\"Share on WhatsApp\""));
    assert!(html.contains("aria-label=\"Copy link\""));
    assert!(!html.contains("<script src=\"http"), "no third-party script");
}

#[tokio::test]
async fn every_article_has_related_more_like_this_and_popular_without_itself() {
    let app = spawn_app().await;
    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM articles").fetch_all(&app.pool).await.unwrap();
    let mut related_lists = Vec::new();
    for slug in &slugs {
        let (status, html) = app.get(&format!("/article/{slug}")).await;
        assert_eq!(status, 200);
        let related = linked_slugs(list_section(&html, "related-heading"));
        let similar = linked_slugs(list_section(&html, "more-like-this-heading"));
        let popular = linked_slugs(list_section(&html, "popular-heading"));
        for (name, list) in [("Related", &related), ("More like this", &similar), ("Popular", &popular)] {
            assert!(list.len() >= 4, "{slug}: {name} has {list:?}");
            assert!(!list.contains(slug), "{slug}: {name} lists the story itself");
        }
        assert!(similar.iter().all(|s| !related.contains(s)), "{slug}: More like this repeats Related");
        assert!(list_section(&html, "related-heading").contains('…') || html.contains("teaser-excerpt"));
        related_lists.push(related);
    }
    related_lists.sort();
    related_lists.dedup();
    assert!(related_lists.len() > slugs.len() / 2, "Related differs from story to story");
}

#[tokio::test]
async fn tags_and_bylines_link_to_their_pages() {
    let app = spawn_app().await;
    let (_, html) = app.get("/article/harbour-bridge-reopens").await;
    assert!(html.contains("<a rel=\"tag\" href=\"/tag/harbour\">harbour</a>"));
    assert!(html.contains("href=\"/author/mara-okonkwo\""));

    let (status, tag) = app.get("/tag/harbour").await;
    assert_eq!(status, 200);
    assert!(tag.contains("Stories tagged harbour"));
    let tagged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM article_tags JOIN tags ON tags.id = tag_id WHERE tags.slug = 'harbour'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(tag.matches("class=\"story-card").count() as i64, tagged);

    let (status, author) = app.get("/author/mara-okonkwo").await;
    assert_eq!(status, 200);
    assert!(author.contains("City editor at the Courier since 2019"), "the biography");
    assert!(author.contains("Harbour Bridge Reopens After Two-Year Rebuild"));
    assert!(!author.contains("Tram Timetable"), "only her stories");

    for path in
        ["/tag/no-such-tag", "/author/nobody", "/tag/harbour?page=2", "/author/mara-okonkwo?page=0", "/tag/Bad%20Tag"]
    {
        assert_eq!(app.get(path).await.0, 404, "{path}");
    }
}

#[tokio::test]
async fn search_finds_ranks_highlights_and_paginates() {
    let app = spawn_app().await;
    let (status, html) = app.get("/search?q=harbour").await;
    assert_eq!(status, 200);
    assert!(html.contains("<mark>"), "matches are highlighted");
    assert!(html.contains("stories match “harbour”"));
    let hits = html.matches("class=\"search-result\"").count();
    assert!(hits >= 2, "{hits} results");
    let (_, html) = app.get("/search?q=Harbour+Bridge+rebuild").await;
    let first = linked_slugs(&html[html.find("search-results").unwrap()..]);
    assert_eq!(first[0], "harbour-bridge-reopens", "the best match first");

    // Enough stories to need a second page.
    for n in 0..12 {
        let mut tx = app.db.write().await.unwrap();
        let at = chrono::Utc::now();
        app::publishing::publish(
            &mut tx,
            &app::articles::store::NewArticle {
                slug: app::core::Slug::parse(&format!("kelp-{n}")).unwrap(),
                title: format!("Kelp forest survey {n}"),
                summary: "Divers count kelp.".into(),
                body_html: "<p>The kelp is back.</p>".into(),
                markdown: "The kelp is back.".into(),
                author: "Hana Sato".into(),
                category: "Science".into(),
                tags: vec![],
                published_at: at,
                updated_at: at,
                image: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let (_, one) = app.get("/search?q=kelp").await;
    assert!(one.contains("12 stories match"));
    assert!(one.contains("Page 1 of 2"));
    assert!(one.contains("href=\"/search?q=kelp&amp;page=2\""));
    let (status, two) = app.get("/search?q=kelp&page=2").await;
    assert_eq!(status, 200);
    assert_eq!(two.matches("class=\"search-result\"").count(), 2);
    assert_eq!(app.get("/search?q=kelp&page=99").await.0, 200, "a page past the end shows the last");
}

#[tokio::test]
async fn hostile_searches_get_a_normal_page_with_the_query_escaped() {
    let app = spawn_app().await;
    let long = "harbour ".repeat(250);
    let hostile = [
        "\"",
        "\"unbalanced quote",
        "NEAR(harbour bridge)",
        "harbour*",
        "* OR *",
        "AND",
        "NOT harbour",
        "title:harbour",
        "'; DROP TABLE articles; --",
        "1' OR '1'='1",
        "<script>alert(1)</script>",
        "</title><script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "{title}: x",
        "((((",
        "\u{E000}",
        "%00",
        long.as_str(),
        &"ü".repeat(2000),
    ];
    for q in hostile {
        let response = app.client.get(format!("{}/search", app.address)).query(&[("q", q)]).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{q:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains("class=\"search-status\""), "{q:?} gets the results page");
        assert!(!html.contains("<script>alert(1)"), "{q:?}: markup is escaped");
        assert!(!html.contains("<img src=x"), "{q:?}: markup is escaped");
    }
    let (_, html) = app.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown back escaped");
    assert!(html.contains("<title>Search: &lt;script&gt;alert(1)&lt;/script&gt; — The Northfield Courier</title>"));
    let (status, html) = app.get("/search").await;
    assert_eq!(status, 200);
    assert!(html.contains("Type a few words"));
    assert_eq!(app.count("articles").await, 17, "nothing was dropped");
}

async fn views_of(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM article_views JOIN articles a ON a.id = article_id WHERE a.slug = $1",
    )
    .bind(slug)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn view(app: &TestApp, slug: &str, agent: &str) {
    let response =
        app.client.get(format!("{}/article/{slug}", app.address)).header("User-Agent", agent).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn views_are_counted_once_per_reader_and_never_for_bots() {
    let app = spawn_app().await;
    view(&app, "tram-timetable-app", BROWSER).await;
    view(&app, "tram-timetable-app", BROWSER).await;
    view(&app, "tram-timetable-app", &format!("{BROWSER} Edg/130.0")).await;
    view(&app, "tram-timetable-app", "Googlebot/2.1 (+http://www.google.com/bot.html)").await;
    view(&app, "harbour-bridge-reopens", "curl/8.5.0").await;
    // Counts are written in batches every couple of seconds.
    let mut counted = 0;
    for _ in 0..50 {
        counted = views_of(&app, "tram-timetable-app").await;
        if counted > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(server::startup::VIEW_FLUSH_INTERVAL).await;
    assert_eq!(views_of(&app, "tram-timetable-app").await, 2, "two readers, one repeat, one bot");
    assert!(counted > 0);
    assert_eq!(views_of(&app, "harbour-bridge-reopens").await, 0, "bots are not readers");
}

#[tokio::test]
async fn the_front_page_shows_popular_stories() {
    let app = spawn_app().await;
    let (_, html) = app.get("/").await;
    let popular = linked_slugs(list_section(&html, "popular-heading"));
    assert_eq!(popular.len(), app::discovery::types::LIST_LEN);
}
