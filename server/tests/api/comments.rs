use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const ARTICLE: &str = "tram-timetable-app";

fn fields<'a>(comment: &'a str, author: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("article", ARTICLE),
        ("comment", comment),
        ("author", author),
        ("email", email),
        ("url", ""),
        ("parent_id", ""),
    ]
}

async fn no_flood() -> TestApp {
    spawn_app_with(|c| c.comment_flood_seconds = 0).await
}

async fn status_of(app: &TestApp, body: &str) -> String {
    sqlx::query_scalar("SELECT status FROM comments WHERE body = $1").bind(body).fetch_one(&app.pool).await.unwrap()
}

fn set_cookies(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test]
async fn an_empty_form_is_refused_with_each_message_and_422() {
    let app = spawn_app().await;
    let (status, body) = app.post_comment(&fields("", "", "")).await;
    assert_eq!(status, 422);
    for message in ["Please enter your comment!", "Please enter your name here", "Please enter your email address."] {
        assert!(body.contains(message), "{message} missing from {body}");
    }
    assert_eq!(app.count("comments WHERE author_email = ''").await, 0);
}

#[tokio::test]
async fn a_good_comment_is_stored_and_shown_to_everyone() {
    let app = spawn_app().await;
    let (status, body) = app.post_comment(&fields("Trams at last!\nAnd on time.", "Ann Lee", "Ann@Example.org")).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app.get(&format!("/article/{ARTICLE}")).await;
    let page = page.replace("<!---->", ""); // Leptos's hydration markers
    assert!(page.contains("Trams at last!<br>And on time."));
    assert!(page.contains(">Ann Lee<"));
    assert!(!page.contains("Ann@example.org"), "addresses are never shown");
    let stored: (String, String, String) =
        sqlx::query_as("SELECT author_email, ip_hash, user_agent FROM comments WHERE author_name = 'Ann Lee'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.0, "Ann@example.org", "domain lower-cased");
    assert_eq!(stored.1.len(), 64, "the address is kept only as a salted hash");
    assert!(!stored.1.contains("127.0.0.1"));
}

#[tokio::test]
async fn the_same_comment_twice_is_a_409() {
    let app = no_flood().await;
    assert_eq!(app.post_comment(&fields("Said once.", "Ann", "ann@example.org")).await.0, 200);
    let (status, body) = app.post_comment(&fields("Said once.", "Ann", "ann@example.org")).await;
    assert_eq!(status, 409);
    assert!(body.contains("Duplicate"), "{body}");
    assert_eq!(app.count("comments WHERE body = 'Said once.'").await, 1);
}

#[tokio::test]
async fn posting_again_too_soon_is_a_429_but_mistakes_do_not_count() {
    let app = spawn_app().await; // flood control on: 15 s
                                 // A refused form does not start the interval…
    assert_eq!(app.post_comment(&fields("", "Ann", "ann@example.org")).await.0, 422);
    assert_eq!(app.post_comment(&fields("First.", "Ann", "ann@example.org")).await.0, 200);
    // …an accepted comment does.
    let (status, body) = app.post_comment(&fields("Second, too soon.", "Ann", "ann@example.org")).await;
    assert_eq!(status, 429);
    assert!(body.contains("TooFast"), "{body}");
}

#[tokio::test]
async fn cross_site_posts_are_forbidden() {
    let app = no_flood().await;
    let url = format!("{}/api/comments/post", app.address);
    for (header, value) in
        [("Origin", "https://elsewhere.example"), ("Sec-Fetch-Site", "cross-site"), ("Origin", "null")]
    {
        let response = app
            .client
            .post(&url)
            .header(header, value)
            .form(&fields("Hi", "Ann", "ann@example.org"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}: {value}");
    }
    let same = app
        .client
        .post(&url)
        .header("Origin", app.address.clone())
        .header("Sec-Fetch-Site", "same-origin")
        .header("Accept", "application/json")
        .form(&fields("Hi from here", "Ann", "ann@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
    assert_eq!(app.count("comments WHERE body = 'Hi'").await, 0);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = no_flood().await;
    // The server answers from the Content-Length alone and may close the connection before an
    // upload finishes (HTTP allows it), so the request is sent without its body here.
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/comments/post HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        70 * 1024
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes()).await.unwrap();
    let mut response = vec![0; 64];
    let read = tokio::io::AsyncReadExt::read(&mut stream, &mut response).await.unwrap();
    let status_line = String::from_utf8_lossy(&response[..read]).to_string();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    // A normal post still goes through afterwards.
    let (status, _) = app.post_comment(&fields("After the refused upload.", "Ann", "ann@example.org")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_filled_honeypot_looks_accepted_but_is_binned() {
    let app = no_flood().await;
    let mut form = fields("Cheap watches", "Bot", "bot@example.org");
    form.push(("phone", "555-0100"));
    let (status, _) = app.post_comment(&form).await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, "Cheap watches").await, "spam");
    let (_, page) = app.get(&format!("/article/{ARTICLE}")).await;
    assert!(!page.contains("Cheap watches"));
}

#[tokio::test]
async fn many_links_wait_for_moderation_and_only_the_author_sees_them() {
    let app = no_flood().await;
    let text = "See https://a.example https://b.example https://c.example";
    let response = app.post_comment_plain(&fields(text, "Lin", "lin@example.org"), None).await;
    assert_eq!(response.status(), 302);
    let cookies = set_cookies(&response);
    assert!(cookies.contains("comment_token="), "{cookies}");
    assert_eq!(status_of(&app, text).await, "pending");
    let (_, others) = app.get(&format!("/article/{ARTICLE}")).await;
    assert!(!others.contains("https://c.example"));
    let (_, author) = app.get_with_cookie(&format!("/article/{ARTICLE}"), &cookies).await;
    assert!(author.contains("https://c.example"));
    assert!(author.contains("Your comment is awaiting moderation."));
}

#[tokio::test]
async fn without_javascript_a_post_redirects_to_the_new_comment() {
    let app = no_flood().await;
    let response = app.post_comment_plain(&fields("No script here.", "Noor", "noor@example.org"), None).await;
    assert_eq!(response.status(), 302);
    let id: i64 = sqlx::query_scalar("SELECT id FROM comments WHERE body = 'No script here.'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap();
    assert_eq!(location, format!("/article/{ARTICLE}#comment-{id}"));
}

#[tokio::test]
async fn without_javascript_an_error_comes_back_with_what_was_typed() {
    let app = no_flood().await;
    let response = app.post_comment_plain(&fields("My carefully typed thoughts", "Noor", "not-an-address"), None).await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("?draft="), "{location}");
    let (status, page) = app.get(location.split('#').next().unwrap()).await;
    assert_eq!(status, 422, "the page showing the refusal carries its status");
    assert!(page.contains("Please enter a valid email address, like name@example.com."));
    assert!(page.contains("My carefully typed thoughts</textarea>"));
    assert!(page.contains("value=\"not-an-address\""));
    assert_eq!(app.count("comments WHERE author_name = 'Noor'").await, 0);
}

#[tokio::test]
async fn typed_text_given_back_cannot_become_markup() {
    let app = no_flood().await;
    let hostile = "Ends here </textarea><script>alert(1)</script> & goes on";
    let response = app.post_comment_plain(&fields(hostile, "Noor", "not-an-address"), None).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = app.get(location.split('#').next().unwrap()).await;
    assert_eq!(status, 422);
    assert!(!page.contains("<script>alert(1)"), "the typed script stays text: {page}");
    assert!(
        page.contains("Ends here &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; goes on</textarea>"),
        "and the field gives back exactly what was typed"
    );
}

#[tokio::test]
async fn refused_posts_keep_a_bounded_number_of_drafts_per_address() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let refused = |text: String, from: &'static str| {
        app.client
            .post(format!("{}/api/comments/post", app.address))
            .header("Accept", "text/html")
            .header("X-Forwarded-For", from)
            .form(&[("article", ARTICLE), ("comment", &text), ("author", "Noor"), ("email", "not-an-address")])
            .send()
    };
    for n in 0..25 {
        assert_eq!(refused(format!("Attempt {n}"), "198.51.100.1").await.unwrap().status(), 302);
    }
    assert_eq!(app.count("comment_drafts").await, 20, "one address keeps at most 20 drafts");
    assert_eq!(app.count("comment_drafts WHERE form_json LIKE '%Attempt 24%'").await, 1, "the newest is kept");
    assert_eq!(app.count("comment_drafts WHERE form_json LIKE '%Attempt 0\"%'").await, 0, "the oldest went");
    // Another reader's draft is kept beside them.
    let response = refused("Mine".into(), "203.0.113.5").await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = app.get(location.split('#').next().unwrap()).await;
    assert_eq!(status, 422);
    assert!(page.contains("Mine</textarea>"));
}

#[tokio::test]
async fn save_my_details_prefills_the_form_next_time() {
    let app = no_flood().await;
    let mut form = fields("Remember me.", "Rosa Vidal", "rosa@example.org");
    form.push(("remember", "yes"));
    form[4] = ("url", "https://rosa.example");
    let response = app.post_comment_plain(&form, None).await;
    let cookies = set_cookies(&response);
    assert!(cookies.contains("comment_author="), "{cookies}");
    let (_, page) = app.get_with_cookie("/article/harbour-bridge-reopens", &cookies).await;
    assert!(page.contains("value=\"Rosa Vidal\""));
    assert!(page.contains("value=\"rosa@example.org\""));
    assert!(page.contains("value=\"https://rosa.example\""));
    // Unticking forgets.
    let response =
        app.post_comment_plain(&fields("Forget me.", "Rosa Vidal", "rosa@example.org"), Some(&cookies)).await;
    assert!(set_cookies(&response).contains("comment_author=;") || set_cookies(&response).ends_with("comment_author="));
}

#[tokio::test]
async fn replies_nest_under_their_parent_and_must_belong_to_the_article() {
    let app = no_flood().await;
    let parent: i64 = sqlx::query_scalar(
        "SELECT c.id FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = $1 ORDER BY c.id LIMIT 1",
    )
    .bind(ARTICLE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let parent_text = parent.to_string();
    let mut form = fields("A reply to you.", "Ravi", "ravi@example.org");
    form[5] = ("parent_id", &parent_text);
    assert_eq!(app.post_comment(&form).await.0, 200);
    let (_, page) = app.get(&format!("/article/{ARTICLE}")).await;
    let start = page.find(&format!("id=\"comment-{parent}\"")).unwrap();
    // The last match: the comment section's island carries its comments as props before them.
    let reply = page.rfind("A reply to you.").unwrap();
    assert!(reply > start && reply < start + page[start..].find("</li>").unwrap_or(page.len()) + 2000);

    let other: i64 = sqlx::query_scalar(
        "SELECT c.id FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug != $1 ORDER BY c.id LIMIT 1",
    )
    .bind(ARTICLE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let other_text = other.to_string();
    let mut form = fields("Wrong thread.", "Ravi", "ravi@example.org");
    form[5] = ("parent_id", &other_text);
    assert_eq!(app.post_comment(&form).await.0, 404);
}

#[tokio::test]
async fn hundreds_of_parallel_posts_are_all_stored() {
    // 300 connections at once from this one test address: above the per-client cap.
    let app = spawn_app_with(|c| {
        c.comment_flood_seconds = 0;
        c.connections.per_client = 1000;
    })
    .await;
    let before = app.count("comments").await;
    let mut tasks = Vec::new();
    for i in 0..300 {
        let (client, url) = (app.client.clone(), format!("{}/api/comments/post", app.address));
        tasks.push(tokio::spawn(async move {
            let text = format!("Parallel comment number {i}");
            let email = format!("reader{i}@example.org");
            let response = client
                .post(url)
                .header("Accept", "application/json")
                .form(&fields(&text, "Reader", &email))
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        }));
    }
    let mut acknowledged = 0;
    for task in tasks {
        let status = task.await.unwrap();
        assert_eq!(status, 200, "no post may fail under concurrency");
        acknowledged += 1;
    }
    assert_eq!(app.count("comments").await, before + acknowledged);
}

#[tokio::test]
async fn new_comments_are_published_on_the_article_stream() {
    let app = no_flood().await;
    let mut stream = app.client.get(format!("{}/api/comments/live/{ARTICLE}", app.address)).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    // A comment on another article is not sent to this stream; one on this article is.
    let mut other = fields("Elsewhere entirely.", "Ola", "ola@example.org");
    other[0] = ("article", "harbour-bridge-reopens");
    assert_eq!(app.post_comment(&other).await.0, 200);
    assert_eq!(app.post_comment(&fields("Live and direct.", "Ola", "ola@example.org")).await.0, 200);
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains("Live and direct.") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the comment arrived in time")
            .unwrap()
            .unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(received.contains("event: comment"), "{received}");
    assert!(!received.contains("Elsewhere entirely."), "{received}");
    assert_eq!(app.get("/api/comments/live/Not%20A%20Slug").await.0, 404);
}

/// Reads a stream until `text` arrived (or fails after 5 s).
async fn stream_until(stream: &mut reqwest::Response, text: &str) -> String {
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !received.contains(text) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("{text:?} did not arrive; got {received}"))
            .unwrap()
            .unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    received
}

#[tokio::test]
async fn comments_approved_by_another_process_reach_live_readers_and_reconnects_miss_nothing() {
    let app = no_flood().await;
    let article_id: i64 =
        sqlx::query_scalar("SELECT id FROM articles WHERE slug = $1").bind(ARTICLE).fetch_one(&app.pool).await.unwrap();
    let held = |body: &'static str| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO comments (article_id, author_name, author_email, body, created_at, status) \
             VALUES ($1, 'Wen', 'wen@example.org', $2, '2026-12-01T10:00:00Z', 'pending') RETURNING id",
        )
        .bind(article_id)
        .bind(body)
    };
    let first = held("Approved from elsewhere.").fetch_one(&app.pool).await.unwrap();
    let second = held("Approved while the reader was away.").fetch_one(&app.pool).await.unwrap();
    let mut stream = app.client.get(format!("{}/api/comments/live/{ARTICLE}", app.address)).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    // Another node or `server comments approve` writes to the database, not to this process.
    sqlx::query("UPDATE comments SET status = 'approved' WHERE id = $1").bind(first).execute(&app.pool).await.unwrap();
    let received = stream_until(&mut stream, "Approved from elsewhere.").await;
    let last_id =
        received.lines().rev().find_map(|line| line.strip_prefix("id:")).expect("events carry an id").trim().to_owned();
    drop(stream);
    // Approved while no stream was open; the reader's browser reconnects with the last id it saw.
    sqlx::query("UPDATE comments SET status = 'approved' WHERE id = $1").bind(second).execute(&app.pool).await.unwrap();
    let mut again = app
        .client
        .get(format!("{}/api/comments/live/{ARTICLE}", app.address))
        .header("Last-Event-ID", &last_id)
        .send()
        .await
        .unwrap();
    let replayed = stream_until(&mut again, "Approved while the reader was away.").await;
    assert!(!replayed.contains("Approved from elsewhere."), "only what came after the last id: {replayed}");
    // Without an id a new stream starts with what happens from now on (once the relay has
    // passed the approval above, which it looks for every 250 ms).
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let mut fresh = app.client.get(format!("{}/api/comments/live/{ARTICLE}", app.address)).send().await.unwrap();
    assert_eq!(
        app.post_comment(&fields("Posted after the fresh stream opened.", "Ola", "ola@example.org")).await.0,
        200
    );
    let live = stream_until(&mut fresh, "Posted after the fresh stream opened.").await;
    assert!(!live.contains("Approved while the reader was away."), "{live}");
    // An id the log never gave (a browser connected before an upgrade) hides nothing.
    let mut unknown = app
        .client
        .get(format!("{}/api/comments/live/{ARTICLE}", app.address))
        .header("Last-Event-ID", "999999")
        .send()
        .await
        .unwrap();
    assert_eq!(app.post_comment(&fields("After an unknown id.", "Ola", "ola@example.org")).await.0, 200);
    stream_until(&mut unknown, "After an unknown id.").await;
}

#[tokio::test]
async fn long_discussions_are_paginated_by_thread() {
    let app = no_flood().await;
    let article_id: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE slug = 'comet-viewing-night-beacon-hill'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let existing = app.count(&format!("comments WHERE article_id = {article_id} AND status = 'approved'")).await;
    assert_eq!(existing, 0, "this demo article starts without comments");
    for i in 0..120 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (article_id, author_name, author_email, body, created_at) VALUES ($1, 'T', 't@example.org', $2, $3) RETURNING id",
        )
        .bind(article_id)
        .bind(format!("Thread {i:03} opens"))
        .bind(format!("2026-11-25T{:02}:{:02}:00Z", i / 60, i % 60))
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if i == 100 {
            sqlx::query("INSERT INTO comments (article_id, parent_id, author_name, author_email, body, created_at) VALUES ($1, $2, 'R', 'r@example.org', 'A late reply', '2026-11-26T00:00:00Z')")
                .bind(article_id)
                .bind(id)
                .execute(&app.pool)
                .await
                .unwrap();
        }
    }
    let (status, first) = app.get("/article/comet-viewing-night-beacon-hill").await;
    assert_eq!(status, 200);
    assert!(first.contains(">121 comments<"), "the heading counts every page");
    assert!(first.contains("Thread 000 opens") && first.contains("Thread 049 opens"));
    assert!(!first.contains("Thread 050 opens"));
    assert!(first.contains("href=\"/article/comet-viewing-night-beacon-hill?cpage=2#comments\""));
    let (_, third) = app.get("/article/comet-viewing-night-beacon-hill?cpage=3").await;
    assert!(third.contains("Thread 100 opens") && third.contains("A late reply") && third.contains("Thread 119 opens"));
    assert!(!third.contains("Thread 099 opens"));
    let (status, past_end) = app.get("/article/comet-viewing-night-beacon-hill?cpage=99").await;
    assert_eq!(status, 200);
    assert!(past_end.contains("Thread 119 opens"), "a page past the end shows the last page");
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let post_as = |app: &TestApp, forwarded: &'static str, text: &'static str| {
        let request = app
            .client
            .post(format!("{}/api/comments/post", app.address))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", forwarded)
            .form(&fields(text, "Pat", "pat@example.org"));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // By default the header is ignored: both posts come from this test's address.
    let direct = spawn_app().await;
    assert_eq!(post_as(&direct, "203.0.113.1", "From one.").await, 200);
    assert_eq!(post_as(&direct, "203.0.113.2", "From two.").await, 429);
    drop(direct);
    // Behind a listed proxy, each forwarded reader has their own interval.
    let proxied = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    assert_eq!(post_as(&proxied, "203.0.113.1", "From one.").await, 200);
    assert_eq!(post_as(&proxied, "203.0.113.2", "From two.").await, 200);
    assert_eq!(post_as(&proxied, "198.51.100.7, 203.0.113.2", "Two again.").await, 429);
}

#[tokio::test]
async fn readers_who_hang_up_mid_post_do_not_jam_posting_for_everyone() {
    let app = no_flood().await;
    // Another writer holds the database's write lock for a moment (an import, the moderation
    // command), so these posts are waiting for it when their readers give up.
    let mut blocker = app.hold_write_lock().await;
    let impatient = reqwest::Client::builder().timeout(std::time::Duration::from_millis(150)).build().unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (client, url) = (impatient.clone(), format!("{}/api/comments/post", app.address));
        tasks.push(tokio::spawn(async move {
            let text = format!("Gave up waiting {i}");
            client
                .post(url)
                .header("Accept", "application/json")
                .form(&fields(&text, "Ivy", "ivy@example.org"))
                .send()
                .await
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap().is_err(), "the impatient reader gave up");
    }
    sqlx::query("SELECT 1").execute(&mut *blocker).await.unwrap();
    blocker.commit().await.unwrap();
    let (status, body) = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        app.post_comment(&fields("Still works afterwards.", "Ivy", "ivy@example.org")),
    )
    .await
    .expect("posting still answers");
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.post_comment(&fields("And again.", "Ivy", "ivy@example.org")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_bot_filling_the_trap_stores_at_most_one_row_per_interval_and_is_still_told_yes() {
    let app = spawn_app().await;
    for n in 0..30 {
        let body = format!("Cheap watches, offer {n}");
        let mut form = fields(&body, "Bot", "bot@example.org");
        form.push(("phone", "555-0100"));
        let (status, _) = app.post_comment(&form).await;
        assert_eq!(status, 200, "the trap always looks like success");
    }
    assert_eq!(app.count("comments WHERE author_name = 'Bot'").await, 1, "flood control holds for trapped spam");
}
