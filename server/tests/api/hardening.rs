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
    for query in ["cpage=-1", "cpage=abc", "cpage=1e30", "page=0", "cpage=99999999", "cpage=9223372036854775807"] {
        let response =
            app.client.get(format!("{}/article/tram-timetable-app?{query}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{query}: the nearest real page, not an error");
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

/// A raw connection to `app` from `source` (any 127.x.y.z: loopback answers them all, so one
/// test machine can be many clients).
async fn connect_from(source: &str, address: &str) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(address.parse().unwrap()).await.unwrap()
}

/// What the server sends until it closes the connection, or within `wait`.
async fn answer_within(socket: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = socket.read(&mut chunk).await {
            answer.extend_from_slice(&chunk[..n]);
        }
    })
    .await;
    read.ok().map(|()| String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn slowloris_and_idle_connections_are_closed_while_readers_are_served() {
    let app = spawn_app_with(|c| c.connections.header_timeout = Duration::from_secs(2)).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let started = tokio::time::Instant::now();
    // Headers that never end, one byte every 300 ms, from many connections.
    let mut slow = Vec::new();
    for n in 0..40 {
        let mut socket = connect_from(&format!("127.0.2.{}", n % 4 + 1), &address).await;
        socket.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
        slow.push(tokio::spawn(async move {
            while socket.write_all(b"a").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let mut probe = [0u8; 1];
                if let Ok(Ok(0) | Err(_)) =
                    tokio::time::timeout(Duration::from_millis(1), socket.read(&mut probe)).await
                {
                    break;
                }
            }
            started.elapsed()
        }));
    }
    // An idle keep-alive connection after one answered request.
    let mut idle = connect_from("127.0.3.1", &address).await;
    idle.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut first = [0u8; 1024];
    assert!(idle.read(&mut first).await.unwrap() > 0);
    assert!(String::from_utf8_lossy(&first).starts_with("HTTP/1.1 200"));

    for query in ["tram", "harbour", "library"] {
        let answered = tokio::time::timeout(
            Duration::from_secs(2),
            app.client.get(format!("{}/search?q={query}", app.address)).send(),
        )
        .await
        .expect("a reader's search answers while headers trickle in");
        assert_eq!(answered.unwrap().status(), 200);
    }
    for trickler in slow {
        let closed_after = tokio::time::timeout(Duration::from_secs(8), trickler)
            .await
            .expect("a header trickled for 8 s without the connection being closed")
            .unwrap();
        assert!(closed_after < Duration::from_secs(6), "a header still trickling after {closed_after:?}");
    }
    assert_eq!(answer_within(&mut idle, Duration::from_secs(4)).await.as_deref(), Some(""), "idle connection closed");
}

#[tokio::test]
async fn connections_are_capped_per_address_and_in_total() {
    let app = spawn_app_with(|c| {
        c.connections.per_client = 4;
        c.connections.total = 6;
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from("127.0.4.1", &address).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = connect_from("127.0.4.1", &address).await;
    let answer = answer_within(&mut refused, Duration::from_secs(2)).await.expect("the refusal is answered at once");
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("Too many connections from your address"), "{answer}");

    // Other addresses are served until the total is reached.
    let mut other = connect_from("127.0.4.2", &address).await;
    other.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let answer = answer_within(&mut other, Duration::from_secs(5)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    held.push(connect_from("127.0.4.3", &address).await);
    held.push(connect_from("127.0.4.3", &address).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = connect_from("127.0.4.4", &address).await;
    let answer = answer_within(&mut refused, Duration::from_secs(2)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");

    // Closed connections free their places.
    drop(held);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let mut again = connect_from("127.0.4.1", &address).await;
        again.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
        let answer = answer_within(&mut again, Duration::from_secs(5)).await.unwrap();
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "places were never freed: {answer}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn oversized_headers_and_dot_segments_are_refused() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut socket = connect_from("127.0.0.1", &address).await;
    let cookie = "a".repeat(40 * 1024);
    // The server answers once it has read its limit; the rest of the write may fail.
    let _ = socket.write_all(format!("GET / HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n").as_bytes()).await;
    let answer = answer_within(&mut socket, Duration::from_secs(5)).await.unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    for path in ["/article/..", "/article/%2e%2e", "/category/./city"] {
        let mut socket = connect_from("127.0.0.1", &address).await;
        socket
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let answer = answer_within(&mut socket, Duration::from_secs(5)).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
        assert!(answer.contains("Addresses with . or .. segments are not served."), "{answer}");
    }
}
