use crate::helpers::spawn_app;

#[tokio::test]
async fn front_page_lists_the_latest_articles_and_every_section() {
    let app = spawn_app().await;
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    let newest: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, title FROM articles ORDER BY published_at DESC LIMIT 7")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for (slug, _) in &newest {
        assert!(html.contains(&format!("href=\"/article/{slug}\"")), "front page should link {slug}");
    }
    for section in ["City", "Culture", "Science", "Sport", "Technology"] {
        assert!(html.contains(&format!(">{section}</a></h2>")), "front page should have a {section} section");
    }
    assert_eq!(html.matches("<h1").count(), 1, "exactly one h1");
}

#[tokio::test]
async fn article_page_is_complete_in_the_first_html() {
    let app = spawn_app().await;
    let (status, html) = app.get("/article/harbour-bridge-reopens").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1 class=\"article-title\">Harbour Bridge Reopens After Two-Year Rebuild</h1>"));
    assert!(html.contains("<time datetime=\"2026-11-20T08:30:00Z\">20 November 2026</time>"), "a real date");
    assert!(html.contains("<title>Harbour Bridge Reopens After Two-Year Rebuild — The Northfield Courier</title>"));
    assert!(html.contains("<blockquote>"), "the body is rendered, not streamed in later");
    assert!(!html.contains("Loading the story"), "no fallback in the HTML readers without JS get");
    assert!(html.contains("id=\"comment-1\""), "approved comments are in the page");
    assert_eq!(html.matches("<h1").count(), 1, "exactly one h1");
}

#[tokio::test]
async fn pages_are_html_a_parser_reads_without_errors() {
    let app = spawn_app().await;
    for path in ["/", "/article/harbour-bridge-reopens", "/search?q=bridge", "/no-such-page"] {
        let (_, html) = app.get(path).await;
        // Leptos's `<!>` markers are bogus comments to the parser; `<!---->` is the same node.
        assert!(!html.contains("<!>") && html.contains("<!---->"), "{path}: markers in a conforming form");
        let end = html.rfind("</body>").expect("a body");
        let after_body = html[end + "</body>".len()..].replace("<!---->", "");
        assert_eq!(after_body.trim(), "</html>", "{path}: nothing but comments after the body");
    }
}

#[tokio::test]
async fn the_page_asks_for_the_assets_cargo_leptos_writes() {
    let app = spawn_app().await;
    let (_, html) = app.get("/").await;
    for asset in ["/pkg/newsroom.css", "/pkg/newsroom.js", "/pkg/newsroom.wasm"] {
        assert!(html.contains(&format!("\"{asset}\"")), "the page should reference {asset}");
    }
}

#[tokio::test]
async fn comments_nest_replies_and_escape_reader_text() {
    let app = spawn_app().await;
    let article_id: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE slug = 'tram-timetable-app'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let parent: i64 = sqlx::query_scalar(
        "INSERT INTO comments (article_id, author_name, author_email, body, created_at) \
         VALUES ($1, '<b>Eve</b>', 'eve@example.org', '<script>alert(1)</script>\nsecond line', '2026-11-26T10:00:00Z') RETURNING id",
    )
    .bind(article_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, created_at) \
         VALUES ($1, $2, 'Rae', 'rae@example.org', 'A reply', '2026-11-26T11:00:00Z')",
    )
    .bind(article_id)
    .bind(parent)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at) \
         VALUES ($1, 'Spammer', 's@example.org', 'buy now', 'spam', '2026-11-26T12:00:00Z')",
    )
    .bind(article_id)
    .execute(&app.pool)
    .await
    .unwrap();

    let (_, html) = app.get("/article/tram-timetable-app").await;
    let html = html.replace("<!---->", ""); // Leptos's hydration markers
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>second line"),
        "reader text is escaped, lines kept"
    );
    assert!(html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
    assert!(!html.contains("buy now"), "spam is never shown");
    assert!(!html.contains("eve@example.org"), "e-mail addresses are never shown");
    let parent_at = html.find(&format!("id=\"comment-{parent}\"")).unwrap();
    // The last match: the comment section's island carries its comments as props before them.
    let reply_at = html.rfind("A reply").unwrap();
    let parent_end = parent_at + html[parent_at..].find("</li>").unwrap();
    assert!(reply_at > parent_at && reply_at < parent_end, "the reply is nested inside its parent's element");
}

#[tokio::test]
async fn unknown_things_are_404_with_a_friendly_page() {
    let app = spawn_app().await;
    for path in [
        "/no-such-page",
        "/article/no-such-story",
        "/article/Bad%20Slug",
        "/category/no-such-section",
        "/category/city?page=99",
        "/category/city?page=0",
        "/category/city?page=two",
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("We couldn't find that page"), "{path} shows the not-found page");
    }
}

#[tokio::test]
async fn category_pages_are_newest_first_and_paginated() {
    let app = spawn_app().await;
    // Twelve more City stories make two pages of ten.
    for n in 0..12 {
        sqlx::query(
            "INSERT INTO stories (slug, title, summary, body_html, author_id, category_id, published_at, updated_at) \
             SELECT $1, $2, 's', '<p>b</p>', author_id, category_id, $3, $4 FROM articles WHERE slug = 'harbour-bridge-reopens'",
        )
        .bind(format!("extra-{n}"))
        .bind(format!("Extra story {n}"))
        .bind(format!("2025-01-{:02}T00:00:00Z", n + 1))
        .bind(format!("2025-01-{:02}T00:00:00Z", n + 1))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let (status, first) = app.get("/category/city").await;
    assert_eq!(status, 200);
    assert!(first.contains("Page 1 of 2"));
    assert!(first.contains("href=\"/category/city?page=2\""));
    let newest = first.find("Harbour Bridge Reopens").unwrap();
    let older = first.find("Extra story 11").unwrap();
    assert!(newest < older, "newest first");
    let (status, second) = app.get("/category/city?page=2").await;
    assert_eq!(status, 200);
    assert!(second.contains("Extra story 0"));
    assert!(!second.contains("Extra story 11"));
}

#[tokio::test]
async fn bare_web_addresses_in_comments_become_safe_links() {
    let app = spawn_app().await;
    let (_, html) = app.get("/article/harbour-bridge-reopens").await;
    assert!(
        html.contains(
            "<a href=\"https://example.org/timetable\" rel=\"nofollow ugc noopener\">https://example.org/timetable</a>"
        ),
        "the demo comment's address is linked"
    );
}

#[tokio::test]
async fn when_the_database_fails_readers_get_a_short_503_and_the_page_is_back_once_it_works() {
    let app = spawn_app().await;
    let path = "/article/harbour-bridge-reopens";
    // The comments become unreadable under the running server (as a failing or restarting
    // database would make them).
    sqlx::query("ALTER TABLE comments RENAME TO comments_away").execute(&app.pool).await.unwrap();
    let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("no-store"));
    let html = response.text().await.unwrap();
    assert!(html.contains("This page could not be loaded") && html.contains("try again in a moment"), "{html}");
    for leak in ["comments_away", "no such table", "sqlx", "panicked", "error returned from database"] {
        assert!(!html.contains(leak), "the page shows {leak:?}");
    }
    let (status, _) = app.get(path).await;
    assert_eq!(status, 503, "the failure is not served from the render cache either way");
    // The hydrated app asks the same server function on a client-side navigation.
    let data = <app::site::ArticlePage as leptos::server_fn::ServerFn>::PATH;
    let response = app
        .client
        .post(format!("{}{data}", app.address))
        .form(&[("slug", "harbour-bridge-reopens")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let said = response.text().await.unwrap();
    assert!(said.contains("could not be loaded") && !said.contains("comments_away"), "{said}");
    // Working again: the very next request renders the story; no restart, nothing cached.
    sqlx::query("ALTER TABLE comments_away RENAME TO comments").execute(&app.pool).await.unwrap();
    let (status, html) = app.get(path).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"comment-1\"") && !html.contains("could not be loaded"));
}
