//! "Notify me of follow-up comments by email" against the real SMTP sink: the opt-in is
//! confirmed by mail once, quick replies arrive gathered in one mail (never the reader's own,
//! never one awaiting moderation), and the links stop one thread or all reply mail.

use std::time::Duration;

use app::comments::reply_mail::Pacing;
use serde_json::Value;

use crate::helpers::{spawn_app_with, TestApp};
use crate::newsletter::{link, parse, path_of};
use crate::smtp::SmtpSink;

const ARTICLE: &str = "tram-timetable-app";

fn comment<'a>(
    author: &'a str,
    email: &'a str,
    body: &'a str,
    parent: &'a str,
    notify: bool,
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("article", ARTICLE),
        ("comment", body),
        ("author", author),
        ("email", email),
        ("url", ""),
        ("parent_id", parent),
    ];
    if notify {
        fields.push(("notify", "yes"));
    }
    fields
}

/// Posts as the hydrated app does; returns the answer with the new comment's id.
async fn post(app: &TestApp, fields: &[(&str, &str)]) -> (i64, Value) {
    let (status, body) = app.post_comment(fields).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    (answer["comment"]["id"].as_i64().unwrap(), answer)
}

/// The answer without what differs between any two posts (id, text, time).
fn shape(mut answer: Value) -> Value {
    for key in ["id", "body", "published"] {
        answer["comment"][key] = Value::Null;
    }
    answer
}

async fn post_plain_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(format!("{}{path}", app.address)).form(fields).send().await.unwrap()
}

/// As if the interval had passed. The worker planned its next look for the interval's end; a
/// change to the comment queue (any node's) makes it look now.
async fn rewind_interval(app: &TestApp, last_mailed: &str) {
    sqlx::query(&format!("UPDATE reply_follows SET last_mailed_at = {last_mailed}")).execute(&app.pool).await.unwrap();
    sqlx::query("UPDATE queue_version SET version = version + 1").execute(&app.pool).await.unwrap();
}

#[tokio::test]
async fn replies_are_confirmed_once_gathered_into_one_mail_and_stopped_per_thread_or_all() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(sink.url());
        config.mail_from = Some("news@courier.example".parse().unwrap());
        config.comment_flood_seconds = 0;
        config.reply_pacing = Pacing { gather: chrono::Duration::seconds(2), every: chrono::Duration::minutes(10) };
    })
    .await;

    // Without JavaScript: Ann ticks the box under her comment and is asked to confirm.
    let first = comment("Ann", "ann@example.org", "Will the app show night trams?", "", true);
    assert_eq!(app.post_comment_plain(&first, None).await.status(), 302);
    let ann_first: i64 = sqlx::query_scalar("SELECT MAX(id) FROM comments").fetch_one(&app.pool).await.unwrap();
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    let mail = parse(&received[0]);
    assert_eq!(mail.to, "ann@example.org");
    assert!(mail.subject.starts_with("Confirm reply notifications"), "{}", mail.subject);
    let confirm = path_of(&app, &link(&mail.text, &app, app::core::paths::REPLIES_CONFIRM));

    // Opening the link (as mail scanners do) confirms nothing; the button does.
    let (status, page) = app.get(&confirm).await;
    assert_eq!(status, 200);
    assert!(page.contains("Yes, mail me replies"), "{page}");
    let status: String = sqlx::query_scalar("SELECT status FROM reply_readers").fetch_one(&app.pool).await.unwrap();
    assert_eq!(status, "pending");
    let token = confirm.split("token=").nth(1).unwrap();
    let confirmed = post_plain_form(&app, app::core::paths::REPLIES_CONFIRM, &[("token", token)]).await;
    assert_eq!(confirmed.status(), 303, "post-redirect-get");
    let (_, page) = app.get(&confirm).await;
    assert!(page.contains("You'll hear about replies"), "{page}");

    // A confirmed address follows its next comment straight away, and the form answers exactly
    // as it does for an address never seen (nobody learns who asked before).
    let (ann_second, known) = post(&app, &comment("Ann", "ann@example.org", "And on Sundays?", "", true)).await;
    let (_, unknown) = post(&app, &comment("Ann", "eve@example.org", "Me too.", "", true)).await;
    assert_eq!(shape(known), shape(unknown));
    let received = sink.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(parse(&received[1]).to, "eve@example.org", "only the new address is asked to confirm");

    // Three quick replies, Ann's own answer and one held for moderation (links): one mail
    // lists the three, escaped, with the thread and all-mail stop links.
    let parent = ann_first.to_string();
    post(
        &app,
        &comment("Bob <b>Bold</b>", "bob@example.org", "Yes: <script>alert(1)</script> from May.", &parent, false),
    )
    .await;
    post(&app, &comment("Cy", "cy@example.org", "Only on weekdays, I think.", &parent, true)).await;
    post(&app, &comment("Dee", "dee@example.org", "The timetable says so.", &parent, false)).await;
    post(&app, &comment("Ann", "Ann@example.org", "Thanks, all!", &parent, false)).await;
    let held = "See https://a.example https://b.example https://c.example";
    let (_, answer) = post(&app, &comment("Fay", "fay@example.org", held, &parent, false)).await;
    assert_eq!(answer["pending"], true);
    let received = sink.wait_for(4, Duration::from_secs(15)).await;
    let notices: Vec<_> = received.iter().map(parse).filter(|m| m.to == "ann@example.org").collect();
    assert_eq!(notices.len(), 2, "the confirmation and one gathered mail");
    let notice = &notices[1];
    assert!(notice.subject.contains("3 new replies to your comment"), "{}", notice.subject);
    for body in ["from May.", "Only on weekdays", "The timetable says so."] {
        assert!(notice.text.contains(body), "{body} in {}", notice.text);
    }
    assert!(!notice.text.contains("Thanks, all!"), "not her own reply");
    assert!(!notice.text.contains("a.example"), "not a reply awaiting moderation");
    assert!(
        notice.html.contains("Bob &lt;b&gt;Bold&lt;/b&gt;") && !notice.html.contains("<script>"),
        "{}",
        notice.html
    );
    let all = notice.text.split("Stop all reply mail: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    assert_eq!(notice.list_unsubscribe.as_deref(), Some(format!("<{all}>").as_str()));
    assert_eq!(notice.list_unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));

    // Within the interval, more replies wait; the held one approved later is still mailed.
    sqlx::query("UPDATE comments SET status = 'approved' WHERE author_email = 'fay@example.org'")
        .execute(&app.pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(sink.received().len(), 4, "at most one mail per thread per interval");
    rewind_interval(&app, "'2026-01-01T00:00:00.000Z'").await;
    let received = sink.wait_for(5, Duration::from_secs(15)).await;
    let late = parse(&received[4]);
    assert!(late.subject.starts_with("A new reply to your comment"), "{}", late.subject);
    assert!(late.text.contains("https://a.example"), "{}", late.text);

    // "Stop mail about replies to this comment": a page with a button, then this thread is quiet
    // while Ann's other comment still brings mail.
    let stop_thread = path_of(&app, &link(&late.text, &app, app::core::paths::REPLIES_STOP));
    let (status, page) = app.get(&stop_thread).await;
    assert_eq!(status, 200);
    assert!(page.contains("Stop mail about this comment") && page.contains("ann@example.org"), "{page}");
    assert_eq!(post_plain_form(&app, &stop_thread, &[]).await.status(), 303);
    let (_, page) = app.get(&stop_thread).await;
    assert!(page.contains("Stopped for this comment"), "{page}");
    rewind_interval(&app, "NULL").await;
    post(&app, &comment("Gus", "gus@example.org", "Late to this thread.", &parent, false)).await;
    post(&app, &comment("Gus", "gus@example.org", "Sundays: hourly.", &ann_second.to_string(), false)).await;
    let received = sink.wait_for(6, Duration::from_secs(15)).await;
    let other = parse(&received[5]);
    assert!(other.text.contains("Sundays: hourly.") && !other.text.contains("Late to this thread"), "{}", other.text);

    // The mail client's one-click unsubscribe stops all reply mail.
    let client = reqwest::Client::new();
    let one_click = client
        .post(&all)
        .header("Origin", "https://mail.example")
        .body("List-Unsubscribe=One-Click")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    let (_, page) = app.get(&path_of(&app, &all)).await;
    assert!(page.contains("No more reply mail"), "{page}");
    rewind_interval(&app, "NULL").await;
    post(&app, &comment("Gus", "gus@example.org", "Also on holidays.", &ann_second.to_string(), false)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(sink.received().len(), 6, "nothing after stopping all");

    // Forged links are a friendly 400, never an error page.
    let (status, page) = app.get(&format!("{}?token=nope", app::core::paths::REPLIES_STOP)).await;
    assert_eq!(status, 400);
    assert!(page.contains("This link doesn't work"));
    let (status, _) = app.get(&format!("{}?token={}", app::core::paths::REPLIES_CONFIRM, "0".repeat(64))).await;
    assert_eq!(status, 400);
}
