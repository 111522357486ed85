//! The newsletter end to end over HTTP, with mail going over a real SMTP conversation to a
//! server on loopback.

use std::time::Duration;

use mail_parser::MessageParser;

use crate::helpers::{spawn_app_with, TestApp};
use crate::smtp::{Received, SmtpSink};

const THANKS: &str = "\"Thanks! Check your inbox to confirm your subscription.\"";

impl TestApp {
    async fn subscribe(&self, fields: &[(&str, &str)]) -> (u16, String) {
        self.post_form("/api/newsletter/subscribe", fields).await
    }

    /// Posts the form as a browser without JavaScript does, from the page at `from`; returns
    /// where the answer redirects.
    async fn subscribe_plain(&self, from: &str, email: &str, form: &str) -> String {
        let response = self
            .client
            .post(format!("{}/api/newsletter/subscribe", self.address))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", format!("{}{from}", self.address))
            .form(&[("email", email), ("form", form)])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{}", response.status());
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Presses "Confirm my subscription" on the page a confirmation link opens, as the
    /// hydrated page does (JSON answer). Returns the status.
    async fn press_confirm(&self, link: &str) -> u16 {
        let token = link.rsplit("token=").next().unwrap();
        self.client
            .post(format!("{}/api/newsletter/confirm", self.address))
            .header("Accept", "application/json")
            .form(&[("token", token)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn status_of(&self, email: &str) -> Option<String> {
        sqlx::query_scalar("SELECT status FROM subscribers WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .unwrap()
    }
}

async fn app_mailing_to(sink_url: String) -> TestApp {
    spawn_app_with(|config| {
        config.smtp_url = Some(sink_url);
        config.mail_from = Some("news@courier.example".parse().unwrap());
    })
    .await
}

pub struct Mail {
    pub from_name: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub has_date: bool,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
    pub list_unsubscribe_post: Option<String>,
}

pub fn parse(received: &Received) -> Mail {
    let message = MessageParser::new().parse(&received.data).expect("a parseable message");
    let header =
        |name: &str| message.headers().get(name).map(|h| String::from_utf8_lossy(h.raw_value()).trim().to_owned());
    Mail {
        from_name: message.from().and_then(|f| f.first()).and_then(|m| m.name().map(str::to_owned)).unwrap_or_default(),
        to: received.to.join(","),
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        has_date: message.date().is_some(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
        list_unsubscribe: header("List-Unsubscribe"),
        list_unsubscribe_post: header("List-Unsubscribe-Post"),
    }
}

/// The first absolute link to `path` in a mail's text.
pub fn link(text: &str, app: &TestApp, path: &str) -> String {
    let start = format!("{}{path}?token=", app.address);
    let at = text.find(&start).unwrap_or_else(|| panic!("no {start} link in:\n{text}"));
    text[at..].split_whitespace().next().unwrap().trim_end_matches(['>', '"', '.']).to_owned()
}

pub fn path_of(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.address).expect("an absolute link to the site").to_owned()
}

#[tokio::test]
async fn double_opt_in_welcome_and_one_click_unsubscribe_over_smtp() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.url()).await;

    let (status, body) = app.subscribe(&[("email", "  Reader@Example.ORG "), ("form", "footer")]).await;
    assert_eq!((status, body.as_str()), (200, THANKS));
    assert_eq!(app.status_of("Reader@example.org").await.as_deref(), Some("pending"));

    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    let confirmation = parse(&received[0]);
    assert_eq!(confirmation.to, "Reader@example.org");
    assert_eq!(received[0].from, "news@courier.example", "envelope sender is MAIL_FROM");
    assert_eq!(confirmation.from_name, "The Northfield Courier");
    assert!(confirmation.subject.starts_with("Confirm your subscription"), "{}", confirmation.subject);
    assert!(confirmation.message_id.ends_with("@courier.example"), "Message-ID: {:?}", confirmation.message_id);
    assert!(confirmation.has_date);
    let confirm = link(&confirmation.text, &app, "/newsletter/confirm");
    assert!(confirmation.html.contains(&confirm), "the HTML body carries the same link");
    let token = confirm.rsplit('=').next().unwrap();
    assert!(token.len() >= 32, "at least 128 bits: {token}");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM subscriber_tokens").fetch_all(&app.pool).await.unwrap();
    assert!(!stored.iter().any(|hash| hash == token), "only the token's hash is stored");

    // Opening the link — or a mail scanner's HEAD or GET — confirms nothing: the page asks.
    let head = app.client.head(&confirm).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let (status, page) = app.get(&path_of(&app, &confirm)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Confirm my subscription"), "{page}");
    assert_eq!(app.status_of("Reader@example.org").await.as_deref(), Some("pending"));
    assert_eq!(app.count("mail_outbox").await, 1, "no welcome mail yet");
    // The reader's click confirms.
    assert_eq!(app.press_confirm(&confirm).await, 200);
    assert_eq!(app.status_of("Reader@example.org").await.as_deref(), Some("confirmed"));
    let (_, page) = app.get(&path_of(&app, &confirm)).await;
    assert!(page.contains("You're subscribed!"), "{page}");

    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    let welcome = parse(&received[1]);
    assert!(welcome.subject.starts_with("Welcome"), "{}", welcome.subject);
    let unsubscribe = link(&welcome.text, &app, "/newsletter/unsubscribe");
    assert_eq!(welcome.list_unsubscribe.as_deref(), Some(format!("<{unsubscribe}>").as_str()));
    assert_eq!(welcome.list_unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));

    // Opening the link (as a mail scanner would) changes nothing.
    let (status, page) = app.get(&path_of(&app, &unsubscribe)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Unsubscribe from the newsletter?") && page.contains("Reader@example.org"), "{page}");
    assert_eq!(app.status_of("Reader@example.org").await.as_deref(), Some("confirmed"));

    // RFC 8058: the mail provider posts from its own servers.
    let response = app.client.post(&unsubscribe).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(app.status_of("Reader@example.org").await.as_deref(), Some("unsubscribed"));
    let (status, page) = app.get(&path_of(&app, &unsubscribe)).await;
    assert_eq!(status, 200);
    assert!(page.contains("You're unsubscribed"), "{page}");

    // The used confirmation link now only gets a friendly page.
    let (status, page) = app.get(&path_of(&app, &confirm)).await;
    assert_eq!(status, 400);
    assert!(page.contains("This link doesn't work"), "{page}");

    // Coming back starts a fresh double opt-in.
    let (status, body) = app.subscribe(&[("email", "reader@example.org"), ("form", "footer")]).await;
    assert_eq!((status, body.as_str()), (200, THANKS));
    let received = sink.wait_for(3, Duration::from_secs(10)).await;
    assert!(parse(&received[2]).subject.starts_with("Confirm"));
    assert_eq!(app.status_of("reader@example.org").await.as_deref(), Some("pending"));
}

#[tokio::test]
async fn the_page_button_unsubscribes_and_returns_to_the_page() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.url()).await;
    app.subscribe(&[("email", "button@example.org")]).await;
    let confirm = link(&parse(&sink.wait_for(1, Duration::from_secs(10)).await[0]).text, &app, "/newsletter/confirm");
    assert_eq!(app.press_confirm(&confirm).await, 200);
    let unsubscribe =
        link(&parse(&sink.wait_for(2, Duration::from_secs(10)).await[1]).text, &app, "/newsletter/unsubscribe");

    // The form on our page, posted by a browser (same origin).
    let response = app.client.post(&unsubscribe).header("Origin", &app.address).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"].to_str().unwrap(), path_of(&app, &unsubscribe));
    assert_eq!(app.status_of("button@example.org").await.as_deref(), Some("unsubscribed"));

    let response =
        app.client.post(format!("{}/newsletter/unsubscribe?token=forged", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn every_address_gets_the_same_answer() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.url()).await;
    for (email, status) in [("confirmed@example.org", "confirmed"), ("left@example.org", "unsubscribed")] {
        sqlx::query("INSERT INTO subscribers (email, status, created_at) VALUES ($1, $2, '2026-01-01T00:00:00.000Z')")
            .bind(email)
            .bind(status)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let new = app.subscribe(&[("email", "new@example.org")]).await;
    let pending = app.subscribe(&[("email", "new@example.org")]).await;
    let confirmed = app.subscribe(&[("email", "confirmed@example.org")]).await;
    let unsubscribed = app.subscribe(&[("email", "left@example.org")]).await;
    for answer in [&new, &pending, &confirmed, &unsubscribed] {
        assert_eq!(answer, &(200, THANKS.to_owned()));
    }
    // Confirmed subscribers are not mailed again; the others are (the pending one only once).
    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    let mut to: Vec<String> = received.iter().map(|r| r.to.join(",")).collect();
    to.sort();
    assert_eq!(to, ["left@example.org", "new@example.org"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn a_pending_address_is_mailed_again_only_after_a_few_minutes() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.url()).await;
    app.subscribe(&[("email", "again@example.org")]).await;
    app.subscribe(&[("email", "again@example.org")]).await;
    assert_eq!(app.count("mail_outbox").await, 1);

    sqlx::query("UPDATE subscribers SET confirm_sent_at = '2026-01-01T00:00:00.000Z'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.subscribe(&[("email", "again@example.org")]).await;
    assert_eq!(app.count("mail_outbox").await, 2);
    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    // Either link confirms.
    let first = link(&parse(&received[0]).text, &app, "/newsletter/confirm");
    assert_eq!(app.press_confirm(&first).await, 200);
    assert_eq!(app.status_of("again@example.org").await.as_deref(), Some("confirmed"));
}

#[tokio::test]
async fn bad_addresses_are_refused_with_422_and_kept_without_javascript() {
    let app = spawn_app_with(|_| {}).await;
    for (typed, message) in [
        ("", "Please enter your email address."),
        ("not-an-address", "Please enter a valid email address, like name@example.com."),
        ("two@@example.org", "Please enter a valid email address, like name@example.com."),
    ] {
        let (status, body) = app.subscribe(&[("email", typed), ("form", "footer")]).await;
        assert_eq!(status, 422, "{typed:?}");
        assert!(body.contains(message), "{typed:?}: {body}");
    }
    let (status, body) = app.subscribe(&[("email", &format!("{}@example.org", "a".repeat(250)))]).await;
    assert_eq!(status, 422);
    assert!(body.contains("too long"), "{body}");
    assert_eq!(app.count("subscribers").await, 0);

    // Without JavaScript: back to the page the form was on, with the message and the value.
    let location = app.subscribe_plain("/article/tram-timetable-app?cpage=1", "reader@example", "article").await;
    assert!(location.starts_with("/article/tram-timetable-app?cpage=1&"), "{location}");
    assert!(location.ends_with("#subscribe-article"), "{location}");
    let (status, page) = app.get(&location).await;
    assert_eq!(status, 200);
    let form = &page[page.find("id=\"subscribe-article\"").expect("the article's form")..];
    assert!(form.contains("value=\"reader@example\""), "the typed address is kept");
    assert!(form.contains("Please enter a valid email address"), "the message is shown");

    // And a good address: the thanks in the same form.
    let location = app.subscribe_plain("/", "plain@example.org", "footer").await;
    let (_, page) = app.get(&location).await;
    let form = &page[page.find("id=\"subscribe-footer\"").unwrap()..];
    assert!(form.contains("Thanks! Check your inbox"), "{location}");
    assert_eq!(app.status_of("plain@example.org").await.as_deref(), Some("pending"));
}

#[tokio::test]
async fn the_sign_up_allowance_holds_across_nodes_sharing_the_database() {
    let site = app::core::SiteUrl::parse("https://news.example.org").ok();
    let a = spawn_app_with(|config| {
        config.newsletter_signups_per_hour = 3;
        config.site_url = site.clone();
    })
    .await;
    // A second node: another server process on the same database (with more than one, each
    // must know the site's address).
    let mut config = crate::helpers::test_config(&a.database_url, None);
    config.newsletter_signups_per_hour = 3;
    config.site_url = site;
    let b = crate::helpers::spawn_with(config, std::sync::Arc::new(tempfile::tempdir().unwrap())).await;
    for (node, n) in [(&a, 0), (&b, 1), (&a, 2)] {
        let (status, body) = node.subscribe(&[("email", &format!("split{n}@example.org"))]).await;
        assert_eq!((status, body.as_str()), (200, THANKS), "sign-up {n}");
    }
    for node in [&b, &a] {
        let (status, _) = node.subscribe(&[("email", "split3@example.org")]).await;
        assert_eq!(status, 429, "the allowance is spent whichever node is asked");
    }
    assert_eq!(a.status_of("split3@example.org").await, None);
}

#[tokio::test]
async fn one_address_may_sign_up_only_so_often() {
    let app = spawn_app_with(|config| config.newsletter_signups_per_hour = 3).await;
    for n in 0..3 {
        let (status, body) = app.subscribe(&[("email", &format!("reader{n}@example.org"))]).await;
        assert_eq!((status, body.as_str()), (200, THANKS));
    }
    let (status, body) = app.subscribe(&[("email", "reader3@example.org")]).await;
    assert_eq!(status, 429);
    // The hydrated form shows this error's message (checked without JavaScript below).
    assert_eq!(body, "\"TooMany\"");
    // Typing mistakes cost nothing and still get their own message.
    let (status, body) = app.subscribe(&[("email", "oops")]).await;
    assert_eq!(status, 422, "{body}");
    // A client cannot pose as someone else: we trust no proxy, so X-Forwarded-For is ignored.
    let response = app
        .client
        .post(format!("{}/api/newsletter/subscribe", app.address))
        .header("Accept", "application/json")
        .header("X-Forwarded-For", "198.51.100.7")
        .form(&[("email", "reader4@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);

    // Without JavaScript: back to the form with the message and the address kept.
    let location = app.subscribe_plain("/", "reader5@example.org", "footer").await;
    assert!(location.contains("newsletter=busy"), "{location}");
    let (_, page) = app.get(&location).await;
    let form = &page[page.find("id=\"subscribe-footer\"").unwrap()..];
    assert!(form.contains("Too many sign-ups from your network just now"), "{location}");
    assert!(form.contains("value=\"reader5@example.org\""), "the typed address is kept");
    assert_eq!(app.count("subscribers").await, 3, "nothing stored past the limit");
}

#[tokio::test]
async fn the_trap_field_signs_nobody_up_but_looks_the_same() {
    let app = spawn_app_with(|_| {}).await;
    let (status, body) = app.subscribe(&[("email", "bot@example.org"), ("subject", "cheap pills")]).await;
    assert_eq!((status, body.as_str()), (200, THANKS));
    assert_eq!(app.count("subscribers").await, 0);
    assert_eq!(app.count("mail_outbox").await, 0);
}

#[tokio::test]
async fn expired_and_forged_links_get_friendly_pages() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.url()).await;
    for path in [
        "/newsletter/confirm?token=forged",
        "/newsletter/confirm",
        &format!("/newsletter/confirm?token={}", "a".repeat(64)),
    ] {
        let (status, page) = app.get(path).await;
        assert_eq!(status, 400, "{path}");
        assert!(page.contains("This link doesn't work"), "{path}");
    }
    let (status, page) = app.get("/newsletter/unsubscribe?token=%3Cscript%3E").await;
    assert_eq!(status, 400);
    assert!(page.contains("This link doesn't work"));

    app.subscribe(&[("email", "late@example.org")]).await;
    let confirm = link(&parse(&sink.wait_for(1, Duration::from_secs(10)).await[0]).text, &app, "/newsletter/confirm");
    sqlx::query("UPDATE subscriber_tokens SET expires_at = '2026-01-01T00:00:00.000Z'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, page) = app.get(&path_of(&app, &confirm)).await;
    assert_eq!(status, 410);
    assert!(page.contains("This link has expired"), "{page}");
    assert_eq!(app.press_confirm(&confirm).await, 200, "pressing an old page's button is answered");
    assert_eq!(app.status_of("late@example.org").await.as_deref(), Some("pending"));
}

#[tokio::test]
async fn mail_waits_in_the_outbox_until_the_smtp_server_is_back() {
    let port = SmtpSink::free_port().await;
    let app = app_mailing_to(format!("smtp://127.0.0.1:{port}")).await;
    let (status, _) = app.subscribe(&[("email", "patient@example.org")]).await;
    assert_eq!(status, 200, "the reader does not wait for SMTP");

    // The first attempt fails and is recorded.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (attempts, error): (i64, Option<String>) =
            sqlx::query_as("SELECT attempts, last_error FROM mail_outbox").fetch_one(&app.pool).await.unwrap();
        if attempts >= 1 {
            assert!(error.is_some_and(|e| !e.is_empty()));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no delivery attempt recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let sink = SmtpSink::start_at(port).await;
    let received = sink.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(received[0].to, ["patient@example.org"]);
    assert!(parse(&received[0]).subject.starts_with("Confirm"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while sqlx::query_scalar::<_, Option<String>>("SELECT sent_at FROM mail_outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .is_none()
    {
        assert!(tokio::time::Instant::now() < deadline, "sent mail not marked as sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn without_smtp_mails_are_written_to_files() {
    let app = spawn_app_with(|_| {}).await;
    app.subscribe(&[("email", "offline@example.org")]).await;
    let outbox = app.dir().path().join("outbox");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let file = loop {
        let found = std::fs::read_dir(&outbox).ok().and_then(|mut dir| dir.find_map(|e| e.ok()));
        if let Some(entry) = found {
            break entry.path();
        }
        assert!(tokio::time::Instant::now() < deadline, "no .eml file in {}", outbox.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(file.extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&file).unwrap();
    let mail = parse(&Received { from: String::new(), to: vec!["offline@example.org".into()], data: raw });
    link(&mail.text, &app, "/newsletter/confirm");
}
