//! Hostile and broken requests get clear 4xx answers and redirects that stay on the site.

use std::time::Duration;

use app::core::SiteUrl;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn unreadable_form_posts_are_400_with_a_fixed_message_not_500() {
    let app = spawn_app().await;
    for (path, body) in [
        ("/api/newsletter/subscribe", "email=a@b.co&email=c@d.co"),
        ("/api/comments/post", "article=x&article=y&comment=hi"),
        ("/api/newsletter/subscribe", "email=%FF%FE"),
        ("/api/comments/post", "comment=%FF&author=%FE&email=x"),
    ] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!((400..500).contains(&status), "{path} {body}: {status} {text}");
        assert!(!text.contains("duplicate field") && !text.contains("expected"), "no serde wording: {text}");
    }
}

#[tokio::test]
async fn no_javascript_redirects_never_leave_the_site() {
    let app = spawn_app().await;
    let own = format!("{}/category/city?page=2", app.address);
    for (referer, expected) in [
        ("https://evil.example/phish", "/"),
        ("javascript:alert(1)", "/"),
        ("http://127.0.0.1:1/\t/evil.example", "/"),
        (own.as_str(), "/category/city?page=2"),
    ] {
        // A repeated field is an argument error: Leptos' own answer redirects to the Referer.
        let response = app
            .client
            .post(format!("{}/api/newsletter/subscribe", app.address))
            .header("Accept", "text/html")
            .header("Referer", referer)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("email=a@b.co&email=c@d.co")
            .send()
            .await
            .unwrap();
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        // Leptos appends the error to its own redirect (`__err=…`); the path is what matters.
        let path = location.split(['?', '#']).next().unwrap_or_default();
        assert_eq!(path, expected.split('?').next().unwrap(), "Referer {referer:?} gave {location}");
    }
}

#[tokio::test]
async fn behind_a_proxy_the_origin_is_checked_against_site_url() {
    let app = spawn_app_with(|c| c.site_url = Some(SiteUrl::parse("https://news.example.org").unwrap())).await;
    let post = |origin: &'static str| {
        app.client
            .post(format!("{}/api/newsletter/subscribe", app.address))
            .header("Accept", "application/json")
            .header("Origin", origin)
            .form(&[("email", "proxy-reader@example.org")])
            .send()
    };
    // The proxy rewrote Host to 127.0.0.1:port; the browser's Origin is the public site.
    assert_eq!(post("https://news.example.org").await.unwrap().status(), 200);
    assert_eq!(post("http://news.example.org").await.unwrap().status(), 403, "another scheme is another origin");
    assert_eq!(post("https://news.example.org.evil.example").await.unwrap().status(), 403);
}

#[tokio::test]
async fn odd_page_numbers_fill_no_cache_entries() {
    let app = spawn_app().await;
    for query in ["cpage=-1", "cpage=abc", "cpage=1e30", "page=0", "cpage=99999999"] {
        let response =
            app.client.get(format!("{}/article/tram-timetable-app?{query}", app.address)).send().await.unwrap();
        assert!(response.headers().get("x-cache").is_none(), "{query} went through the cache");
    }
    let response = app.client.get(format!("{}/article/tram-timetable-app?cpage=1", app.address)).send().await.unwrap();
    assert!(response.headers().get("x-cache").is_some(), "a real page number is cached");
}

#[tokio::test]
async fn control_characters_in_a_search_are_not_echoed() {
    let app = spawn_app().await;
    let (status, html) = app.get("/search?q=tram%00%07times").await;
    assert_eq!(status, 200);
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(!title.contains('\0') && !title.contains('\u{7}'), "{title:?}");
    assert!(title.contains("tram times"), "{title:?}");
}

#[tokio::test]
async fn slow_request_bodies_hold_no_page_slots_and_time_out() {
    let app = spawn_app_with(|c| c.request_body_timeout = Duration::from_secs(3)).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // More trickling posts than the app has slots for rendering on any machine this runs on.
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = "POST /api/newsletter/subscribe HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\
                    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\nemail=";
        socket.write_all(head.as_bytes()).await.unwrap();
        slow.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Search is never cached: every search needs the app.
    for query in ["tram", "harbour", "library"] {
        let answered = tokio::time::timeout(
            Duration::from_secs(2),
            app.client.get(format!("{}/search?q={query}", app.address)).send(),
        )
        .await
        .expect("a reader's search answers while slow bodies trickle in");
        assert_eq!(answered.unwrap().status(), 200);
    }
    let mut socket = slow.pop().unwrap();
    let mut answer = vec![0; 512];
    let read = tokio::time::timeout(Duration::from_secs(8), socket.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn live_streams_are_capped_per_address_and_only_for_stories_that_exist() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let stream = |forwarded: &'static str| {
        app.client
            .get(format!("{}/api/comments/live/tram-timetable-app", app.address))
            .header("X-Forwarded-For", forwarded)
            .send()
    };
    assert_eq!(app.get("/api/comments/live/no-such-story").await.0, 404);
    let mut open = Vec::new();
    for _ in 0..8 {
        let response = stream("198.51.100.7").await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        open.push(response);
    }
    let refused = stream("198.51.100.7").await.unwrap();
    assert_eq!(refused.status(), 429, "one address past its cap");
    assert_eq!(stream("203.0.113.9").await.unwrap().status(), 200, "another reader still gets a stream");
    drop(open);
    // A closed stream frees its place.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if stream("198.51.100.7").await.unwrap().status() == 200 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "closed streams were never released");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
