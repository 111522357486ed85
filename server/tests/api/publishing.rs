//! Feeds, sitemap, robots.txt and the `<head>` of pages, read the way feed readers, crawlers
//! and social networks read them.

use app::core::SiteUrl;
use chrono::{DateTime, Utc};

use crate::helpers::{spawn_app_with, TestApp};

const SITE: &str = "https://news.example.org";

async fn spawn_public_app() -> TestApp {
    spawn_app_with(|c| {
        c.site_url = Some(SiteUrl::parse(SITE).unwrap());
        // Images are sized from the folder the server serves; `public/` is what cargo-leptos copies there.
        c.leptos.site_root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public").into();
    })
    .await
}

/// GETs `path`; returns status, Content-Type and body.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

/// What the database says the newest articles are, for comparing feeds with.
#[derive(sqlx::FromRow, Debug)]
struct Expected {
    slug: String,
    title: String,
    summary: String,
    published_at: String,
    updated_at: String,
    author: String,
    category: String,
    category_slug: String,
}

async fn newest(app: &TestApp, category: Option<&str>) -> Vec<Expected> {
    sqlx::query_as(
        "SELECT a.slug, a.title, a.summary, a.published_at, a.updated_at, au.name AS author, c.name AS category, \
         c.slug AS category_slug FROM articles a JOIN authors au ON au.id = a.author_id \
         JOIN categories c ON c.id = a.category_id WHERE ($1 IS NULL OR c.slug = $2) \
         ORDER BY a.published_at DESC, a.id DESC LIMIT 20",
    )
    .bind(category)
    .bind(category)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn time(iso: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(iso).unwrap().with_timezone(&Utc)
}

fn text(t: &Option<feed_rs::model::Text>) -> &str {
    t.as_ref().map(|t| t.content.as_str()).unwrap_or_default()
}

#[tokio::test]
async fn the_rss_feed_carries_the_latest_articles_item_by_item() {
    let app = spawn_public_app().await;
    let (status, content_type, body) = fetch(&app, "/feed.xml").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(text(&feed.title), "The Northfield Courier");
    assert!(feed.links.iter().any(|l| l.href == format!("{SITE}/")), "{:?}", feed.links);

    let expected = newest(&app, None).await;
    assert!(expected.len() >= 12);
    assert_eq!(feed.entries.len(), expected.len());
    for (entry, want) in feed.entries.iter().zip(&expected) {
        let url = format!("{SITE}/article/{}", want.slug);
        assert_eq!(text(&entry.title), want.title);
        assert_eq!(entry.id, url, "guid is the permalink");
        assert_eq!(entry.links[0].href, url);
        assert_eq!(entry.published, Some(time(&want.published_at)));
        assert_eq!(entry.authors[0].name.as_deref(), Some(want.author.as_str()));
        assert_eq!(text(&entry.summary), want.summary);
        assert_eq!(entry.categories[0].term, want.category);
    }
}

#[tokio::test]
async fn the_atom_feed_carries_the_same_articles_with_their_updates() {
    let app = spawn_public_app().await;
    sqlx::query("UPDATE stories SET updated_at = '2026-11-26T10:00:00Z' WHERE slug = 'harbour-bridge-reopens'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, content_type, body) = fetch(&app, "/atom.xml").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.updated, Some(time("2026-11-26T10:00:00Z")), "the feed changed when its newest entry did");

    let expected = newest(&app, None).await;
    assert_eq!(feed.entries.len(), expected.len());
    for (entry, want) in feed.entries.iter().zip(&expected) {
        let url = format!("{SITE}/article/{}", want.slug);
        assert_eq!(text(&entry.title), want.title);
        assert_eq!(entry.id, url);
        assert_eq!(entry.links[0].href, url);
        assert_eq!(entry.published, Some(time(&want.published_at)));
        assert_eq!(entry.updated, Some(time(&want.updated_at)));
        assert_eq!(entry.authors[0].name.as_deref(), Some(want.author.as_str()));
        assert!(entry.authors[0].uri.as_deref().unwrap().starts_with(&format!("{SITE}/author/")));
        assert_eq!(text(&entry.summary), want.summary);
        assert_eq!(entry.categories[0].term, want.category_slug);
        assert_eq!(entry.categories[0].label.as_deref(), Some(want.category.as_str()));
    }
}

#[tokio::test]
async fn a_section_has_its_own_feed_beside_its_page() {
    let app = spawn_public_app().await;
    let (status, content_type, body) = fetch(&app, "/category/sport/feed.xml").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    let expected = newest(&app, Some("sport")).await;
    assert!(!expected.is_empty());
    let slugs: Vec<String> = feed.entries.iter().map(|e| e.id.rsplit('/').next().unwrap().to_owned()).collect();
    assert_eq!(slugs, expected.iter().map(|e| e.slug.clone()).collect::<Vec<_>>());
    assert!(feed.entries.iter().all(|e| e.categories[0].term == "Sport"));

    // The page route and the feed route do not shadow each other.
    let (status, content_type, html) = fetch(&app, "/category/sport").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains(r#"<link href="/category/sport/feed.xml" rel="alternate" title="Sport — The Northfield Courier" type="application/rss+xml">"#), "the section page names its feed");

    for missing in [
        "/category/no-such-section/feed.xml",
        "/category/Not_A_Slug/feed.xml",
        "/article/no-such-story/comments/feed.xml",
    ] {
        let (status, _, _) = fetch(&app, missing).await;
        assert_eq!(status, 404, "{missing}");
    }
}

#[tokio::test]
async fn an_article_has_a_feed_of_its_newest_approved_comments() {
    let app = spawn_public_app().await;
    let article_id: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE slug = 'tram-timetable-app'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at) \
         VALUES ($1, 'Spammer', 's@example.org', 'buy now', 'spam', '2026-11-27T12:00:00.000Z'), \
                ($2, 'Lin <3', 'lin@example.org', 'Newest & best', 'approved', '2026-11-27T11:00:00.000Z'), \
                ($3, 'Mallory', 'm@example.org', '<img src=x onerror=alert(1)> see?', 'approved', '2026-11-27T10:00:00.000Z')",
    )
    .bind(article_id)
    .bind(article_id)
    .bind(article_id)
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, content_type, body) = fetch(&app, "/article/tram-timetable-app/comments/feed.xml").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    let expected: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, author_name, body, created_at FROM comments WHERE article_id = $1 AND status = 'approved' \
         ORDER BY created_at DESC, id DESC LIMIT 20",
    )
    .bind(article_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(expected.len() >= 2);
    assert_eq!(feed.entries.len(), expected.len());
    for (entry, (id, author, body, created)) in feed.entries.iter().zip(&expected) {
        assert_eq!(entry.id, format!("{SITE}/article/tram-timetable-app#comment-{id}"));
        assert_eq!(entry.authors[0].name.as_deref(), Some(author.as_str()));
        // Feed readers render a description as HTML: the comment's text is escaped, never markup.
        assert_eq!(text(&entry.summary), ammonia::clean_text(body));
        assert!(!text(&entry.summary).contains('<'), "{:?}", entry.summary);
        assert_eq!(entry.published, Some(time(created)));
    }
    assert_eq!(feed.entries[0].authors[0].name.as_deref(), Some("Lin <3"), "newest first, text kept as text");
    assert!(!body.contains("buy now"), "spam never reaches the feed");
}

#[tokio::test]
async fn the_sitemap_lists_every_page_with_lastmod_and_robots_points_at_it() {
    let app = spawn_public_app().await;
    let (status, content_type, xml) = fetch(&app, "/sitemap.xml").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/xml; charset=utf-8");
    assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"), "{xml}");
    let urls: Vec<(String, String)> = xml
        .split("<url>")
        .skip(1)
        .map(|u| {
            let between =
                |open: &str, close: &str| u.split(open).nth(1).unwrap().split(close).next().unwrap().to_owned();
            (between("<loc>", "</loc>"), between("<lastmod>", "</lastmod>"))
        })
        .collect();
    let pages: Vec<(String, String)> = sqlx::query_as(
        "SELECT '/article/' || slug, updated_at FROM articles \
         UNION ALL SELECT '/category/' || slug, (SELECT MAX(updated_at) FROM articles a WHERE a.category_id = c.id) FROM categories c \
         UNION ALL SELECT '/tag/' || slug, (SELECT MAX(a.updated_at) FROM articles a JOIN article_tags l ON l.article_id = a.id WHERE l.tag_id = t.id) FROM tags t \
         UNION ALL SELECT '/author/' || slug, (SELECT MAX(updated_at) FROM articles a WHERE a.author_id = au.id) FROM authors au",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(pages.len() > 40, "articles, sections, tags and authors: {}", pages.len());
    for (path, stored) in &pages {
        // Stored to the millisecond; the sitemap gives W3C datetimes to the second.
        let lastmod =
            chrono::DateTime::parse_from_rfc3339(stored).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let url = format!("{SITE}{path}");
        assert!(urls.contains(&(url.clone(), lastmod.clone())), "{url} with lastmod {lastmod} missing");
    }
    assert_eq!(urls.len(), pages.len() + 1, "and the front page");
    assert!(urls.iter().any(|(u, _)| u == &format!("{SITE}/")));

    let (status, content_type, robots) = fetch(&app, "/robots.txt").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; charset=utf-8");
    assert!(robots.contains(&format!("Sitemap: {SITE}/sitemap.xml\n")), "{robots}");
    let (status, _, _) = fetch(&app, "/sitemap/1.xml").await;
    assert_eq!(status, 404, "one file needs no parts");
}

/// The `<head>` of a page, as the server sent it.
fn head(html: &str) -> &str {
    html.split("</head>").next().unwrap()
}

fn meta<'a>(head: &'a str, attribute: &str, key: &str) -> Vec<&'a str> {
    let open = format!("<meta {attribute}=\"{key}\" content=\"");
    head.match_indices(&open).map(|(at, _)| head[at + open.len()..].split('"').next().unwrap()).collect()
}

fn one<'a>(head: &'a str, attribute: &str, key: &str) -> &'a str {
    let found = meta(head, attribute, key);
    assert_eq!(found.len(), 1, "exactly one {key}: {head}");
    found[0]
}

#[tokio::test]
async fn an_article_head_has_every_tag_crawlers_and_social_networks_read() {
    let app = spawn_public_app().await;
    let (status, html) = app.get("/article/harbour-bridge-reopens").await;
    assert_eq!(status, 200);
    let head = head(&html);
    let url = format!("{SITE}/article/harbour-bridge-reopens");
    let title = "Harbour Bridge Reopens After Two-Year Rebuild";
    assert!(head.contains(&format!("<title>{title} — The Northfield Courier</title>")));
    let summary: String = sqlx::query_scalar("SELECT summary FROM articles WHERE slug = 'harbour-bridge-reopens'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(one(head, "name", "description"), summary);
    assert!(head.contains(&format!("<link href=\"{url}\" rel=\"canonical\">")));
    assert_eq!(one(head, "property", "og:type"), "article");
    assert_eq!(one(head, "property", "og:title"), title);
    assert_eq!(one(head, "property", "og:url"), url);
    assert_eq!(one(head, "property", "og:description"), summary);
    assert_eq!(
        one(head, "property", "og:image"),
        format!("{SITE}/media/harbour-bridge.png"),
        "the article's own picture"
    );
    assert_eq!(one(head, "property", "og:site_name"), "The Northfield Courier");
    assert_eq!(one(head, "property", "article:published_time"), "2026-11-20T08:30:00Z");
    assert_eq!(one(head, "property", "article:modified_time"), "2026-11-20T08:30:00Z");
    assert_eq!(one(head, "property", "article:section"), "City");
    assert_eq!(meta(head, "property", "article:tag"), ["harbour", "infrastructure", "transport"]);
    assert_eq!(one(head, "name", "twitter:card"), "summary_large_image");
    assert!(head.contains(
        r#"<link rel="alternate" type="application/rss+xml" title="The Northfield Courier" href="/feed.xml">"#
    ));
    assert!(head.contains(
        r#"<link rel="alternate" type="application/atom+xml" title="The Northfield Courier" href="/atom.xml">"#
    ));
    assert!(head.contains(r#"href="/article/harbour-bridge-reopens/comments/feed.xml""#), "its comments feed");

    let ld = json_ld(head);
    assert_eq!(ld["@type"], "NewsArticle");
    let h1 = html.split("<h1 class=\"article-title\">").nth(1).unwrap().split("</h1>").next().unwrap();
    assert_eq!(ld["headline"], h1, "headline equals the <h1>");
    assert_eq!(ld["datePublished"], "2026-11-20T08:30:00Z");
    assert_eq!(ld["dateModified"], "2026-11-20T08:30:00Z");
    assert_eq!(ld["author"][0]["name"], "Mara Okonkwo");
    assert_eq!(ld["author"][0]["url"], format!("{SITE}/author/mara-okonkwo"));
    assert_eq!(ld["image"][0], format!("{SITE}/media/harbour-bridge.png"));
    assert_eq!(ld["publisher"]["name"], "The Northfield Courier");
    assert_eq!(ld["publisher"]["logo"]["url"], format!("{SITE}/logo.png"));
    assert_eq!(ld["mainEntityOfPage"], url);

    // Images: sized from the served file, the first eager, the one further down lazy.
    assert!(html.contains(r#"<img src="/media/harbour-bridge.png" alt="The rebuilt Harbour Bridge: three iron arches on slim piers over the estuary" width="960" height="540">"#), "lead image");
    assert!(html.contains(r#"src="/media/harbour-bridge-crossings.png" alt="Bar chart: "#));
    assert!(html.contains(r#"width="960" height="400" loading="lazy">"#), "the chart further down loads lazily");
}

fn json_ld(head: &str) -> serde_json::Value {
    // leptos_meta may put a nonce attribute before the type.
    let open = r#" type="application/ld+json">"#;
    let scripts: Vec<&str> = head.split(open).skip(1).map(|s| s.split("</script>").next().unwrap()).collect();
    assert_eq!(scripts.len(), 1, "one JSON-LD block: {head}");
    serde_json::from_str(scripts[0]).unwrap()
}

#[tokio::test]
async fn a_hostile_headline_cannot_break_out_of_the_head() {
    let app = spawn_public_app().await;
    let hostile = r#"Bridge </title></script><script>alert(1)</script> "quoted" & <b>bold</b>"#;
    sqlx::query("UPDATE stories SET title = $1 WHERE slug = 'tram-timetable-app'")
        .bind(hostile)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, html) = app.get("/article/tram-timetable-app").await;
    assert_eq!(status, 200);
    let head = head(&html);
    assert!(!head.contains("<script>alert(1)"), "{head}");
    assert!(head.contains("<title>Bridge &lt;/title&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; \"quoted\" &amp; &lt;b&gt;bold&lt;/b&gt; — The Northfield Courier</title>"), "{head}");
    assert_eq!(json_ld(head)["headline"], hostile, "the JSON still says exactly the headline");
    assert_eq!(one(head, "property", "og:title"), "Bridge &lt;/title&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;");
}

#[tokio::test]
async fn lists_have_their_own_titles_descriptions_and_canonicals() {
    let app = spawn_public_app().await;
    let (_, html) = app.get("/").await;
    let front = head(&html);
    assert!(front.contains("<title>The Northfield Courier</title>"));
    assert!(front.contains(&format!("<link href=\"{SITE}/\" rel=\"canonical\">")));
    assert!(one(front, "name", "description").contains("Northfield"));
    assert_eq!(one(front, "property", "og:type"), "website");
    assert_eq!(one(front, "property", "og:image"), format!("{SITE}/social-card.png"), "the site's default card");
    assert_eq!(one(front, "property", "og:image:width"), "1200");

    sqlx::query("UPDATE stories SET category_id = (SELECT id FROM categories WHERE slug = 'city')")
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, html) = app.get("/category/city?page=2").await;
    let city = head(&html);
    assert!(city.contains("<title>City — page 2 — The Northfield Courier</title>"), "{city}");
    assert!(city.contains(&format!("<link href=\"{SITE}/category/city?page=2\" rel=\"canonical\">")));
    assert_eq!(one(city, "name", "description"), "The latest City stories from the Northfield Courier.");
    assert_eq!(one(city, "property", "og:url"), format!("{SITE}/category/city?page=2"));
}

#[tokio::test]
async fn the_default_social_card_and_logo_are_served() {
    let app = spawn_public_app().await;
    for asset in ["/social-card.png", "/logo.png", "/media/harbour-bridge.png"] {
        let (status, content_type, _) = fetch(&app, asset).await;
        assert_eq!((status, content_type.as_str()), (200, "image/png"), "{asset}");
    }
}
