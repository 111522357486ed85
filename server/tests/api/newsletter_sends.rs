//! The newsletter going out, against the real SMTP sink: the scheduled edition reaches every
//! confirmed subscriber once (two server processes on one database), nobody else; each mail's
//! one-click unsubscribe works; a 5xx at RCPT marks the address bounced, a 4xx retries.

use std::time::Duration;

use app::core::SiteUrl;
use app::newsletter::edition::Schedule;
use app::newsletter::sends::{self, Queued};
use chrono::{Datelike, Utc};
use server::workers::newsletter;

use crate::helpers::{spawn_app_with, spawn_with, test_config, TestApp};
use crate::newsletter::parse;
use crate::smtp::SmtpSink;

/// Due since midnight today (UTC), so it fires as soon as a server starts.
fn due_now() -> Schedule {
    Schedule::parse(&format!("{} 00:00", Utc::now().weekday()), "UTC").unwrap()
}

/// Three stories published in the last hour (and nothing else this week).
async fn three_fresh_stories(app: &TestApp) -> Vec<String> {
    sqlx::query("UPDATE stories SET published_at = '2020-01-01T00:00:00.000Z'").execute(&app.pool).await.unwrap();
    let slugs: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, title FROM articles ORDER BY id LIMIT 3").fetch_all(&app.pool).await.unwrap();
    for (i, (slug, _)) in slugs.iter().enumerate() {
        let at = app::core::Timestamp::from(Utc::now() - chrono::Duration::minutes(10 + i as i64));
        sqlx::query("UPDATE stories SET published_at = $1 WHERE slug = $2")
            .bind(at)
            .bind(slug)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    slugs.into_iter().map(|(_, title)| title).collect()
}

/// Subscribers in every state; returns the confirmed addresses that should be mailed.
async fn subscribers(app: &TestApp, confirmed: &[&str]) {
    let rows = confirmed.iter().map(|a| (a.to_string(), "confirmed", None)).chain([
        ("pending@example.org".to_owned(), "pending", None),
        ("left@example.org".to_owned(), "unsubscribed", None),
        ("bounced@example.org".to_owned(), "confirmed", Some("2026-01-01T00:00:00.000Z")),
    ]);
    for (email, status, bounced) in rows {
        sqlx::query("INSERT INTO subscribers (email, status, created_at, bounced_at) VALUES ($1, $2, '2026-01-01T00:00:00.000Z', $3)")
            .bind(email)
            .bind(status)
            .bind(bounced)
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

async fn delivery_statuses(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT s.email, d.status FROM newsletter_deliveries d JOIN subscribers s ON s.id = d.subscriber_id ORDER BY s.email",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_edition_goes_once_to_every_confirmed_subscriber_from_two_nodes() {
    let sink = SmtpSink::start().await;
    let readers: Vec<String> = (0..40).map(|i| format!("reader{i:02}@example.org")).collect();
    let addresses: Vec<&str> = readers.iter().map(String::as_str).collect();

    // With more than one node each must know the site's public address (a balancer in front),
    // and every link in the mail starts with it, whichever node sent it.
    const SITE: &str = "http://news.example.test";
    let site = SiteUrl::parse(SITE).unwrap();
    // The first node starts with the schedule off, so the content is ready before any edition.
    let first = spawn_app_with(|config| {
        config.site_url = Some(site.clone());
        config.smtp_url = Some(sink.url());
        config.mail_from = Some("news@courier.example".parse().unwrap());
    })
    .await;
    let titles = three_fresh_stories(&first).await;
    subscribers(&first, &addresses).await;

    // Two nodes on the one database, both with the edition due now: each queues it at start.
    let mut config = test_config(&first.database_url, None);
    config.smtp_url = Some(sink.url());
    config.mail_from = Some("news@courier.example".parse().unwrap());
    config.newsletter_schedule = Some(due_now());
    config.site_url = Some(site);
    let second = spawn_with(config.clone(), first.dir()).await;
    let third = spawn_with(config, first.dir()).await;

    sink.wait_for(readers.len(), Duration::from_secs(30)).await;
    // Time for a duplicate to arrive, if any node were to send one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = sink.received();
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, readers, "one mail to each confirmed subscriber, none to pending, unsubscribed or bounced ones");
    assert_eq!(first.count("newsletter_sends").await, 1, "one edition however many nodes were due");
    let statuses = delivery_statuses(&first).await;
    assert!(statuses.iter().all(|(_, s)| s == "sent"), "{statuses:?}");

    let mail = parse(&received[0]);
    for title in &titles {
        assert!(mail.text.contains(title.as_str()), "{title:?} missing from:\n{}", mail.text);
    }
    assert!(mail.subject.contains(titles[0].as_str()), "the newest story leads: {}", mail.subject);
    assert!(mail.html.contains("prefers-color-scheme:dark") && mail.html.contains("width=device-width"));
    // Pictures are the stories' own, from the site: nothing remote, no tracking pixel.
    for src in mail.html.split("<img src=\"").skip(1) {
        assert!(src.starts_with(SITE), "{src}");
    }
    assert_eq!(mail.list_unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));
    let link = mail.list_unsubscribe.expect("a List-Unsubscribe header");
    let link = link.trim_matches(['<', '>', ' ']).to_owned();
    assert!(mail.text.contains(&link), "the same personal link is in the body");
    assert!(link.starts_with(SITE), "links are the site's, not a node's: {link}");

    // One click (RFC 8058) from the mail provider unsubscribes exactly that reader.
    let recipient = received[0].to[0].clone();
    let response = first
        .client
        // The balancer's work: the site's address reaches the first node.
        .post(link.replacen(SITE, &first.address, 1))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let status: String = sqlx::query_scalar("SELECT status FROM subscribers WHERE email = $1")
        .bind(&recipient)
        .fetch_one(&first.pool)
        .await
        .unwrap();
    assert_eq!(status, "unsubscribed");
    let still: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM subscribers WHERE status = 'confirmed' AND bounced_at IS NULL")
            .fetch_one(&first.pool)
            .await
            .unwrap();
    assert_eq!(still as usize, readers.len() - 1);
    drop((second, third));
}

#[tokio::test]
async fn a_permanent_refusal_marks_the_address_bounced_and_a_temporary_one_retries() {
    let sink = SmtpSink::start_refusing(&[
        ("gone@example.org", "550 5.1.1 no such mailbox"),
        ("full@example.org", "452 4.2.2 mailbox full, try later"),
    ])
    .await;
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(sink.url());
        config.mail_from = Some("news@courier.example".parse().unwrap());
    })
    .await;
    subscribers(&app, &["gone@example.org", "full@example.org", "fine@example.org"]).await;
    let site = SiteUrl::parse(&app.address).unwrap();
    let slug = app::core::Slug::parse(
        &sqlx::query_scalar::<_, String>("SELECT slug FROM articles LIMIT 1").fetch_one(&app.pool).await.unwrap(),
    )
    .unwrap();
    let queued = newsletter::queue_story(&app.db, &site, &slug, Utc::now()).await.unwrap().unwrap();
    assert!(matches!(queued, Queued::New { recipients: 3, .. }), "{queued:?}");
    // A second press, or a second node, does nothing: each story goes out once.
    let again = newsletter::queue_story(&app.db, &site, &slug, Utc::now()).await.unwrap().unwrap();
    assert!(matches!(again, Queued::AlreadyQueued { .. }), "{again:?}");

    sink.wait_for(1, Duration::from_secs(20)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let statuses = delivery_statuses(&app).await;
        if statuses.iter().any(|(e, s)| e == "gone@example.org" && s == "bounced") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{statuses:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let statuses = delivery_statuses(&app).await;
    assert!(statuses.contains(&("fine@example.org".into(), "sent".into())), "{statuses:?}");
    assert!(statuses.contains(&("full@example.org".into(), "queued".into())), "a 4xx is tried again: {statuses:?}");
    let bounced: Option<String> =
        sqlx::query_scalar("SELECT bounce_reason FROM subscribers WHERE email = 'gone@example.org'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(bounced.unwrap_or_default().contains("no such mailbox"));
    let received: Vec<String> = sink.received().iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(received, ["fine@example.org"]);

    let status = &sends::status(&app.db, 10).await.unwrap()[0];
    assert_eq!((status.recipients, status.sent, status.bounced, status.queued, status.retrying), (3, 1, 1, 1, 1));

    // The bounced address gets nothing more: the next send leaves it out.
    let other = app::core::Slug::parse(
        &sqlx::query_scalar::<_, String>("SELECT slug FROM articles WHERE slug <> $1 LIMIT 1")
            .bind(&slug)
            .fetch_one(&app.pool)
            .await
            .unwrap(),
    )
    .unwrap();
    let next = newsletter::queue_story(&app.db, &site, &other, Utc::now()).await.unwrap().unwrap();
    assert!(matches!(next, Queued::New { recipients: 2, .. }), "{next:?}");
}

fn held_comment(body: &str) -> Vec<(&str, &str)> {
    vec![
        ("article", "tram-timetable-app"),
        ("comment", body),
        ("author", "Lin <b>Bold</b>"),
        ("email", "lin@example.org"),
        ("url", ""),
        ("parent_id", ""),
    ]
}

#[tokio::test]
async fn moderators_are_told_about_held_comments_at_most_once_per_interval() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(sink.url());
        config.mail_from = Some("news@courier.example".parse().unwrap());
        config.comment_flood_seconds = 0;
        config.moderation_email = Some(app::core::Email::parse("fallback@example.org").unwrap());
    })
    .await;
    for (email, role, disabled) in [
        ("mod@example.org", "moderator", None),
        ("editor@example.org", "editor", Some("2026-01-01T00:00:00.000Z")),
        ("writer@example.org", "author", None),
    ] {
        sqlx::query(
            "INSERT INTO staff (email, name, role, password_hash, disabled_at, created_at, updated_at) \
             VALUES ($1, 'Staff', $2, 'x', $3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
        )
        .bind(email)
        .bind(role)
        .bind(disabled)
        .execute(&app.pool)
        .await
        .unwrap();
    }

    let first = "<script>alert(1)</script> https://a.example https://b.example https://c.example";
    assert_eq!(app.post_comment_plain(&held_comment(first), None).await.status(), 302);
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received[0].to, ["mod@example.org"], "moderating staff only; the fallback is for sites without them");
    let mail = parse(&received[0]);
    assert!(mail.subject.contains("a comment waits for moderation"), "{}", mail.subject);
    assert!(
        mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !mail.html.contains("<script>"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("Lin &lt;b&gt;Bold&lt;/b&gt;"));
    assert!(mail.text.contains("/admin/comments"));
    assert_eq!(mail.list_unsubscribe, None);

    // A second held comment within the interval waits for the next mail.
    let second = "Again https://a.example https://b.example https://c.example";
    assert_eq!(app.post_comment_plain(&held_comment(second), None).await.status(), 302);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(sink.received().len(), 1, "at most one mail per interval");

    // Once the interval has passed, the next held comment brings a mail listing everything
    // held since the previous one.
    sqlx::query("UPDATE moderation_notice SET last_sent_at = '2026-01-01T00:00:00.000Z'")
        .execute(&app.pool)
        .await
        .unwrap();
    let third = "Third https://a.example https://b.example https://c.example";
    assert_eq!(app.post_comment_plain(&held_comment(third), None).await.status(), 302);
    let received = sink.wait_for(2, Duration::from_secs(15)).await;
    let mail = parse(&received[1]);
    assert!(mail.subject.contains("2 comments wait"), "{}", mail.subject);
    assert!(mail.text.contains("Again https://a.example") && mail.text.contains("Third https://"), "{}", mail.text);
    assert!(!mail.text.contains("alert(1)"), "already listed: {}", mail.text);
}
