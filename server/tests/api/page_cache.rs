//! The render cache: anonymous readers share one rendering, and nobody sees a stale or
//! someone else's page.

use std::time::Duration;

use crate::helpers::{spawn_app_with, TestApp};

const ARTICLE: &str = "/article/tram-timetable-app";

async fn fetch(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (Option<String>, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let cache = response.headers().get("x-cache").map(|v| v.to_str().unwrap().to_owned());
    let headers = response.headers().clone();
    (cache, headers, response.bytes().await.unwrap().to_vec())
}

async fn page(app: &TestApp, path: &str) -> (Option<String>, String) {
    let (cache, _, body) = fetch(app, path, &[]).await;
    (cache, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn anonymous_readers_share_one_rendering_compressed_and_with_its_headers() {
    let app = spawn_app_with(|_| {}).await;
    let (first, _, first_body) = fetch(&app, ARTICLE, &[("Accept-Encoding", "br")]).await;
    let (second, headers, second_body) = fetch(&app, ARTICLE, &[("Accept-Encoding", "br")]).await;
    assert_eq!((first.as_deref(), second.as_deref()), (Some("miss"), Some("hit")));
    assert_eq!(first_body, second_body, "the same bytes");
    assert_eq!(headers["content-encoding"], "br", "kept compressed");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert!(!headers.contains_key("x-article-id"), "the internal header never reaches readers");
    // Another encoding is another copy; a page number is shared, other queries are not.
    assert_eq!(fetch(&app, ARTICLE, &[]).await.0.as_deref(), Some("miss"));
    assert_eq!(fetch(&app, ARTICLE, &[]).await.0.as_deref(), Some("hit"));
    assert_eq!(page(&app, &format!("{ARTICLE}?cpage=1")).await.0.as_deref(), Some("miss"));
    assert_eq!(page(&app, &format!("{ARTICLE}?cpage=1")).await.0.as_deref(), Some("hit"));
    assert_eq!(page(&app, "/").await.0.as_deref(), Some("miss"));
    assert_eq!(page(&app, "/").await.0.as_deref(), Some("hit"));
    for personal in [
        format!("{ARTICLE}?draft=0123456789abcdef0123456789abcdef"),
        "/?newsletter=sent".into(),
        "/search?q=tram".into(),
    ] {
        assert_eq!(page(&app, &personal).await.0, None, "{personal} is not cached");
        assert_eq!(page(&app, &personal).await.0, None, "{personal} is not cached");
    }
}

#[tokio::test]
async fn a_commenters_page_is_their_own() {
    let app = spawn_app_with(|c| c.comment_flood_seconds = 0).await;
    page(&app, ARTICLE).await;
    let body = "A link-heavy note https://a.example https://b.example https://c.example held for moderation";
    let response = app
        .client
        .post(format!("{}/api/comments/post", app.address))
        .header("Accept", "application/json")
        .form(&[
            ("article", "tram-timetable-app"),
            ("comment", body),
            ("author", "Ines"),
            ("email", "ines@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let (status, own) = app.get_with_cookie(ARTICLE, &cookies.join("; ")).await;
    assert_eq!(status, 200);
    assert!(own.contains("held for moderation"), "the author sees their comment awaiting moderation");
    assert!(own.contains("Ines"), "and their saved name in the form");
    let (cache, anonymous) = page(&app, ARTICLE).await;
    assert_eq!(cache.as_deref(), Some("hit"), "a pending comment changes nothing others see");
    assert!(!anonymous.contains("held for moderation") && !anonymous.contains("value=\"Ines\""));

    // A browser that runs the app (the start script's `js` cookie) gets the shared page…
    let with_app = format!("js=1; {}", cookies.join("; "));
    let (cache, _, shared) = fetch(&app, ARTICLE, &[("Cookie", &with_app)]).await;
    assert_eq!(cache.as_deref(), Some("hit"), "a commenter running the app gets the cached page");
    assert_eq!(shared, anonymous.as_bytes());
    // …and the app asks for what is theirs, privately.
    let id: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE slug = 'tram-timetable-app'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mine = |cookie: Option<String>| {
        let mut request = app.client.post(format!("{}/api/comments/mine", app.address));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.form(&[("article_id", id.to_string())]).send()
    };
    let response = mine(Some(with_app)).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let theirs = response.text().await.unwrap();
    assert!(theirs.contains("held for moderation") && theirs.contains("Ines"), "{theirs}");
    let nobody = mine(None).await.unwrap().text().await.unwrap();
    assert!(!nobody.contains("held for moderation") && !nobody.contains("Ines"), "{nobody}");
}

#[tokio::test]
async fn an_approved_comment_reaches_the_next_reader_at_once() {
    let app = spawn_app_with(|c| c.comment_flood_seconds = 0).await;
    page(&app, ARTICLE).await;
    assert_eq!(page(&app, ARTICLE).await.0.as_deref(), Some("hit"));
    let (status, _) = app
        .post_comment(&[
            ("article", "tram-timetable-app"),
            ("comment", "Fresh from the platform"),
            ("author", "Ola"),
            ("email", "ola@example.org"),
        ])
        .await;
    assert_eq!(status, 200);
    let (cache, html) = page(&app, ARTICLE).await;
    assert_eq!(cache.as_deref(), Some("miss"));
    assert!(html.contains("Fresh from the platform"));
}

#[tokio::test]
async fn changes_written_by_another_process_show_within_a_moment() {
    let app = spawn_app_with(|_| {}).await;
    page(&app, ARTICLE).await;
    // `server comments approve` and `server import` write beside the server: simulated here
    // by writing to the database without going through the server.
    let id: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE slug = 'tram-timetable-app'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at, body_sha256) \
         VALUES ($1, 'Moderated', 'm@example.org', 'Approved by the editor at the desk', 'approved', '2026-11-27T10:00:00Z', 'x')",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE stories SET title = 'Tram app corrected headline' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let mut html = String::new();
    for _ in 0..40 {
        html = page(&app, ARTICLE).await.1;
        if html.contains("Approved by the editor at the desk") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(html.contains("Approved by the editor at the desk"), "the approved comment shows within 2 s");
    assert!(html.contains("Tram app corrected headline"), "and the corrected headline");
}
