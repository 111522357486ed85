//! The staff desk: sign-in, sessions, limits, the audit log, and that none of it is cached.

use app::core::SiteUrl;
use app::staff::{password::NewPassword, store, Role};

use crate::helpers::{spawn_app_with, TestApp};

pub(crate) const PASSWORD: &str = "copper lantern estuary 12";

pub(crate) async fn desk_app() -> TestApp {
    spawn_app_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.comment_flood_seconds = 0;
    })
    .await
}

pub(crate) async fn staff(app: &TestApp, email: &str, role: Role) {
    let hash = NewPassword::parse(PASSWORD, &[]).unwrap().hash();
    let email = app::core::Email::parse(email).unwrap();
    store::add(&app.db, &email, "Desk Person", role, &hash).await.unwrap();
}

/// Posts the sign-in form from `address` (as named by the trusted proxy).
pub(crate) async fn sign_in(app: &TestApp, email: &str, password: &str, address: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/admin/sign-in", app.address))
        .header("X-Forwarded-For", address)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The `staff_session=…` pair the response set.
pub(crate) fn session_cookie(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

pub(crate) async fn get_as(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.address)).header("Cookie", cookie).send().await.unwrap()
}

pub(crate) fn form_token(page: &str) -> String {
    let at = page.find("name=\"token\" value=\"").unwrap() + "name=\"token\" value=\"".len();
    page[at..at + 64].to_owned()
}

#[tokio::test]
async fn the_desk_is_behind_a_sign_in_and_never_cached_or_indexed() {
    let app = desk_app().await;
    for path in ["/admin", "/admin/audit"] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/admin/sign-in");
    }
    for _ in 0..2 {
        let response = app.client.get(format!("{}/admin/sign-in", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["x-robots-tag"], "noindex");
        assert!(response.headers().get("x-cache").is_none_or(|v| v != "hit"), "never served from the render cache");
        assert!(response.headers().contains_key("content-security-policy"));
        let page = response.text().await.unwrap();
        assert!(page.contains("<form method=\"post\" action=\"/admin/sign-in\""), "{page}");
    }
    // Posts from another site are refused before anything is checked.
    let forged = app
        .client
        .post(format!("{}/admin/sign-in", app.address))
        .header("Origin", "https://evil.example")
        .form(&[("email", "a@b.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn staff_sign_in_and_out_and_out_everywhere() {
    let app = desk_app().await;
    staff(&app, "mara@courier.example", Role::Editor).await;

    let refused = sign_in(&app, "Mara@courier.example", "not the password!", "198.51.100.1").await;
    assert_eq!(refused.status(), 401);
    let page = refused.text().await.unwrap();
    assert!(page.contains("That e-mail address and password do not match an account that can sign in."));
    assert!(page.contains("value=\"Mara@courier.example\""), "the typed address is kept");
    assert!(!page.contains("not the password!"), "the password is not");

    let first = sign_in(&app, "MARA@courier.example", PASSWORD, "198.51.100.1").await;
    assert_eq!(first.status(), 303);
    assert_eq!(first.headers()["location"], "/admin");
    let set = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(set.contains(flag), "{flag}: {set}");
    }
    assert!(!set.contains("Secure"), "plain http site: {set}");
    let first = session_cookie(&first);
    let home = get_as(&app, "/admin", &first).await;
    assert_eq!(home.status(), 200);
    assert_eq!(home.headers()["cache-control"], "no-store");
    let page = home.text().await.unwrap();
    assert!(page.contains("Signed in as <strong>Desk Person</strong> (editor)"), "{page}");
    assert!(!page.contains("Audit log"), "only admins see the audit log");
    assert_eq!(get_as(&app, "/admin/audit", &first).await.status(), 403);

    // A second session; a sign-out needs the session's own form token.
    let second = session_cookie(&sign_in(&app, "mara@courier.example", PASSWORD, "198.51.100.2").await);
    assert_ne!(first, second, "every sign-in is a new session");
    let token = form_token(&get_as(&app, "/admin", &second).await.text().await.unwrap());
    let post = |path: &'static str, cookie: String, token: String| {
        app.client.post(format!("{}{path}", app.address)).header("Cookie", cookie).form(&[("token", token)]).send()
    };
    assert_eq!(post("/admin/sign-out", second.clone(), "0".repeat(64)).await.unwrap().status(), 403);
    let out = post("/admin/sign-out-everywhere", second.clone(), token).await.unwrap();
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"), "the cookie is removed");
    for cookie in [&first, &second] {
        assert_eq!(get_as(&app, "/admin", cookie).await.status(), 303, "every session ended");
    }

    // Plain sign-out ends only that session.
    let third = session_cookie(&sign_in(&app, "mara@courier.example", PASSWORD, "198.51.100.3").await);
    let fourth = session_cookie(&sign_in(&app, "mara@courier.example", PASSWORD, "198.51.100.3").await);
    let token = form_token(&get_as(&app, "/admin", &third).await.text().await.unwrap());
    assert_eq!(post("/admin/sign-out", third.clone(), token).await.unwrap().status(), 303);
    assert_eq!(get_as(&app, "/admin", &third).await.status(), 303);
    assert_eq!(get_as(&app, "/admin", &fourth).await.status(), 200);

    // Disabling the account ends its sessions; a session idle for 14 days has ended too.
    sqlx::query("UPDATE staff_sessions SET last_seen_at = '2020-01-01T00:00:00.000Z'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(get_as(&app, "/admin", &fourth).await.status(), 303, "idle for years");
    let fifth = session_cookie(&sign_in(&app, "mara@courier.example", PASSWORD, "198.51.100.3").await);
    store::change(&app.db, "mara@courier.example", store::Change::Disabled(true)).await.unwrap();
    assert_eq!(get_as(&app, "/admin", &fifth).await.status(), 303);
    let disabled = sign_in(&app, "mara@courier.example", PASSWORD, "198.51.100.4").await;
    assert_eq!(disabled.status(), 401, "a disabled account gets the same answer as a wrong password");
}

#[tokio::test]
async fn sign_in_is_limited_per_address_and_per_account() {
    let app = desk_app().await;
    staff(&app, "ana@courier.example", Role::Moderator).await;
    staff(&app, "ben@courier.example", Role::Moderator).await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "ana@courier.example", "wrong password 1", "203.0.113.1").await.status(), 401);
    }
    let limited = sign_in(&app, "ana@courier.example", PASSWORD, "203.0.113.1").await;
    assert_eq!(limited.status(), 429, "even the right password, past five failures");
    assert_eq!(limited.headers()["retry-after"], "900");
    let page = limited.text().await.unwrap();
    assert!(page.contains("Too many failed sign-ins. Please wait 15 minutes and try again."));
    assert!(page.contains("value=\"ana@courier.example\""), "the typed address is kept");
    assert_eq!(sign_in(&app, "ana@courier.example", PASSWORD, "203.0.113.2").await.status(), 429, "per account");
    assert_eq!(sign_in(&app, "ben@courier.example", PASSWORD, "203.0.113.1").await.status(), 429, "per address");
    assert_eq!(sign_in(&app, "ben@courier.example", PASSWORD, "203.0.113.2").await.status(), 303);
    // An address without an account is limited the same way, with the same words.
    for _ in 0..5 {
        let response = sign_in(&app, "nobody@courier.example", "wrong password 1", "203.0.113.3").await;
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("do not match an account that can sign in"));
    }
    assert_eq!(sign_in(&app, "nobody@courier.example", "wrong password 1", "203.0.113.4").await.status(), 429);
}

#[tokio::test]
async fn admins_read_the_audit_log_with_what_readers_typed_escaped() {
    let app = desk_app().await;
    staff(&app, "root@courier.example", Role::Admin).await;
    let hostile = "<script>alert(1)</script>@x.example";
    assert_eq!(sign_in(&app, hostile, "whatever it is 1", "192.0.2.7").await.status(), 401);
    let cookie = session_cookie(&sign_in(&app, "root@courier.example", PASSWORD, "192.0.2.8").await);
    let response = get_as(&app, "/admin/audit", &cookie).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("sign-in failed") && page.contains("signed in"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;@x.example"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    let home = get_as(&app, "/admin", &cookie).await.text().await.unwrap();
    assert!(home.contains("href=\"/admin/audit\""));
}

#[tokio::test]
async fn on_an_https_site_the_session_cookie_is_secure() {
    let app = spawn_app_with(|c| c.site_url = Some(SiteUrl::parse("https://news.example.org").unwrap())).await;
    staff(&app, "sec@courier.example", Role::Author).await;
    let response = app
        .client
        .post(format!("{}/admin/sign-in", app.address))
        .header("Origin", "https://news.example.org")
        .form(&[("email", "sec@courier.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

const ARTICLE: &str = "tram-timetable-app";

/// Posts a reader's comment (as the hydrated page does); returns its id.
async fn reader_comment(app: &TestApp, body: &str, email: &str) -> i64 {
    let fields = [
        ("article", ARTICLE),
        ("comment", body),
        ("author", "Reader"),
        ("email", email),
        ("url", ""),
        ("parent_id", ""),
    ];
    assert_eq!(app.post_comment(&fields).await.0, 200);
    sqlx::query_scalar("SELECT id FROM comments WHERE body = $1").bind(body.trim()).fetch_one(&app.pool).await.unwrap()
}

async fn status_of(app: &TestApp, id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT status FROM comments WHERE id = $1").bind(id).fetch_optional(&app.pool).await.unwrap()
}

/// Posts the queue form as the browser does, with `fields` after the session's token.
async fn queue_post(app: &TestApp, cookie: &str, token: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("token", token)];
    form.extend_from_slice(fields);
    app.client
        .post(format!("{}/admin/comments", app.address))
        .header("Cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn moderators_work_the_queue_in_the_browser() {
    let app = desk_app().await;
    staff(&app, "mod@courier.example", Role::Moderator).await;
    let held = reader_comment(
        &app,
        "<b>Cheap</b> tickets at https://a.example https://b.example https://c.example",
        "spammy@example.org",
    )
    .await;
    assert_eq!(status_of(&app, held).await.as_deref(), Some("pending"));
    let cookie = session_cookie(&sign_in(&app, "mod@courier.example", PASSWORD, "192.0.2.20").await);

    let response = get_as(&app, "/admin/comments", &cookie).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    assert!(page.contains("Pending (1)"), "{page}");
    assert!(page.contains("&lt;b&gt;Cheap&lt;/b&gt; tickets at https://a.example"), "shown as text: {page}");
    assert!(!page.contains("<b>Cheap") && !page.contains("href=\"https://a.example"), "{page}");
    assert!(page.contains("spammy@example.org"));
    let token = form_token(&page);

    // A reader has the article open; the approval reaches them live, and the page.
    let mut stream = app.client.get(format!("{}/api/comments/live/{ARTICLE}", app.address)).send().await.unwrap();
    let approve = format!("approve:{held}");
    let done = queue_post(&app, &cookie, &token, &[("row_action", &approve), ("status", "pending")]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/admin/comments?status=pending&done=approve&count=1");
    assert_eq!(status_of(&app, held).await.as_deref(), Some("approved"));
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains("Cheap") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.expect("sent live").unwrap().unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    let (_, article) = app.get(&format!("/article/{ARTICLE}")).await;
    assert!(article.contains("tickets at https://a.example"), "the cached page shows it");
    let shown =
        get_as(&app, "/admin/comments?status=pending&done=approve&count=1", &cookie).await.text().await.unwrap();
    assert!(shown.contains("1 comment approved."), "{shown}");

    // Several at once: two to spam, then delete forever — which asks first.
    let a = reader_comment(&app, "First plain comment for the bulk test.", "one@example.org").await;
    let b = reader_comment(&app, "Second plain comment for the bulk test.", "two@example.org").await;
    let (a_id, b_id) = (a.to_string(), b.to_string());
    let bulk = [("id", a_id.as_str()), ("id", b_id.as_str()), ("action", "spam"), ("status", "approved")];
    assert_eq!(queue_post(&app, &cookie, &token, &bulk).await.status(), 303);
    assert_eq!(status_of(&app, a).await.as_deref(), Some("spam"));
    assert_eq!(status_of(&app, b).await.as_deref(), Some("spam"));
    let spam = get_as(&app, "/admin/comments?status=spam&q=BULK%20TEST", &cookie).await.text().await.unwrap();
    assert!(spam.contains("Spam (2)") && spam.contains("First plain comment"), "{spam}");
    let delete = [("id", a_id.as_str()), ("id", b_id.as_str()), ("action", "delete"), ("status", "spam")];
    let asked = queue_post(&app, &cookie, &token, &delete).await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("Delete forever?") && asked.contains(&format!("#{a}, #{b}")), "{asked}");
    assert_eq!(status_of(&app, a).await.as_deref(), Some("spam"), "nothing deleted before the confirmation");
    let mut confirmed = delete.to_vec();
    confirmed.push(("confirm", "yes"));
    assert_eq!(queue_post(&app, &cookie, &token, &confirmed).await.status(), 303);
    assert_eq!(status_of(&app, a).await, None);
    assert_eq!(status_of(&app, b).await, None);

    // Nothing chosen: a message, not an error page.
    let nothing = queue_post(&app, &cookie, &token, &[("action", "approve")]).await;
    assert_eq!(nothing.status(), 422);
    assert!(nothing.text().await.unwrap().contains("Choose one or more comments and an action."));
}

#[tokio::test]
async fn the_queue_checks_role_session_token_and_origin_on_the_server() {
    let app = desk_app().await;
    staff(&app, "author@courier.example", Role::Author).await;
    staff(&app, "editor@courier.example", Role::Editor).await;
    let id = reader_comment(&app, "A comment nobody may touch without the right.", "r@example.org").await;
    let approve = format!("spam:{id}");

    // No session: sent to sign in, and the post changes nothing.
    let anonymous = app.client.get(format!("{}/admin/comments", app.address)).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
    let posted = app
        .client
        .post(format!("{}/admin/comments", app.address))
        .form(&[("token", "x"), ("row_action", approve.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303, "sent to sign in");
    assert_eq!(posted.headers()["location"], "/admin/sign-in");

    // An author may not moderate.
    let author = session_cookie(&sign_in(&app, "author@courier.example", PASSWORD, "192.0.2.30").await);
    assert_eq!(get_as(&app, "/admin/comments", &author).await.status(), 403);
    let author_token = form_token(&get_as(&app, "/admin", &author).await.text().await.unwrap());
    let refused = queue_post(&app, &author, &author_token, &[("row_action", approve.as_str())]).await;
    assert_eq!(refused.status(), 403);

    // An editor may, but not with another session's token, nor from another site.
    let editor = session_cookie(&sign_in(&app, "editor@courier.example", PASSWORD, "192.0.2.31").await);
    assert_eq!(queue_post(&app, &editor, &author_token, &[("row_action", approve.as_str())]).await.status(), 403);
    let editor_token = form_token(&get_as(&app, "/admin", &editor).await.text().await.unwrap());
    let forged = app
        .client
        .post(format!("{}/admin/comments", app.address))
        .header("Cookie", &editor)
        .header("Origin", "https://evil.example")
        .form(&[("token", editor_token.as_str()), ("row_action", approve.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(status_of(&app, id).await.as_deref(), Some("approved"), "nothing changed so far");
    assert_eq!(queue_post(&app, &editor, &editor_token, &[("row_action", approve.as_str())]).await.status(), 303);
    assert_eq!(status_of(&app, id).await.as_deref(), Some("spam"));
}

#[tokio::test]
async fn banned_senders_go_straight_to_spam_until_the_ban_is_lifted() {
    let app = desk_app().await;
    staff(&app, "mod2@courier.example", Role::Moderator).await;
    let cookie = session_cookie(&sign_in(&app, "mod2@courier.example", PASSWORD, "192.0.2.40").await);
    let page = get_as(&app, "/admin/comments", &cookie).await.text().await.unwrap();
    let token = form_token(&page);

    // Held for its links: the queue says why.
    let held =
        reader_comment(&app, "Look https://x.example https://y.example https://z.example", "pest@example.org").await;
    let page = get_as(&app, "/admin/comments", &cookie).await.text().await.unwrap();
    assert!(page.contains("held: more than two links"), "{page}");

    let ban = format!("ban-email:{held}");
    assert_eq!(queue_post(&app, &cookie, &token, &[("row_action", ban.as_str())]).await.status(), 303);
    assert_eq!(status_of(&app, held).await.as_deref(), Some("spam"));
    // The next comment from that e-mail (any case) is spam at once; the reader is told it awaits moderation.
    let fields = [
        ("article", ARTICLE),
        ("comment", "Trying again, politely."),
        ("author", "Pest"),
        ("email", "PEST@example.org"),
        ("url", ""),
        ("parent_id", ""),
    ];
    let (status, body) = app.post_comment(&fields).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"pending\":true"), "{body}");
    let again: (String, Option<String>) =
        sqlx::query_as("SELECT status, held_reason FROM comments WHERE body = 'Trying again, politely.'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(again, ("spam".to_owned(), Some("ban".to_owned())));
    let spam = get_as(&app, "/admin/comments?status=spam", &cookie).await.text().await.unwrap();
    assert!(spam.contains("spam: its e-mail or address is banned"), "{spam}");

    // Listed, and liftable.
    let bans = get_as(&app, "/admin/bans", &cookie).await;
    assert_eq!(bans.status(), 200);
    let bans = bans.text().await.unwrap();
    assert!(bans.contains("pest@example.org") && bans.contains("Desk Person"), "{bans}");
    let id: i64 = sqlx::query_scalar("SELECT id FROM comment_bans").fetch_one(&app.pool).await.unwrap();
    let lifted = app
        .client
        .post(format!("{}/admin/bans", app.address))
        .header("Cookie", &cookie)
        .form(&[("token", token.as_str()), ("lift", &id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(lifted.status(), 303);
    assert_eq!(app.count("comment_bans").await, 0);
    let fields = [
        ("article", ARTICLE),
        ("comment", "Third time, no ban."),
        ("author", "Pest"),
        ("email", "pest@example.org"),
        ("url", ""),
        ("parent_id", ""),
    ];
    assert_eq!(app.post_comment(&fields).await.0, 200);
    let status: String = sqlx::query_scalar("SELECT status FROM comments WHERE body = 'Third time, no ban.'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "approved");

    // A ban by client address holds for any e-mail from that address (the tests' 127.0.0.1).
    let ban = format!("ban-address:{held}");
    assert_eq!(queue_post(&app, &cookie, &token, &[("row_action", ban.as_str())]).await.status(), 303);
    let fields = [
        ("article", ARTICLE),
        ("comment", "New name, same machine."),
        ("author", "Other"),
        ("email", "other@example.org"),
        ("url", ""),
        ("parent_id", ""),
    ];
    assert_eq!(app.post_comment(&fields).await.0, 200);
    let status: String = sqlx::query_scalar("SELECT status FROM comments WHERE body = 'New name, same machine.'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "spam");
}

#[tokio::test]
async fn staff_reply_from_the_queue_and_are_marked_as_staff() {
    let app = desk_app().await;
    staff(&app, "mod3@courier.example", Role::Moderator).await;
    let cookie = session_cookie(&sign_in(&app, "mod3@courier.example", PASSWORD, "192.0.2.50").await);
    let question = reader_comment(&app, "When does the new timetable start?", "asker@example.org").await;
    let held =
        reader_comment(&app, "Links https://a.example https://b.example https://c.example", "l@example.org").await;

    let queue = get_as(&app, "/admin/comments?status=approved", &cookie).await.text().await.unwrap();
    assert!(queue.contains(&format!("href=\"/admin/comments/reply?to={question}\"")), "{queue}");
    let form = get_as(&app, &format!("/admin/comments/reply?to={question}"), &cookie).await;
    assert_eq!(form.status(), 200);
    let form = form.text().await.unwrap();
    assert!(form.contains("When does the new timetable start?"));
    let token = form_token(&form);
    // Not published comments cannot be answered.
    assert_eq!(get_as(&app, &format!("/admin/comments/reply?to={held}"), &cookie).await.status(), 404);

    let reply = |to: i64, body: &'static str| {
        app.client
            .post(format!("{}/admin/comments/reply", app.address))
            .header("Cookie", &cookie)
            .form(&[("token", token.as_str()), ("to", &to.to_string()), ("body", body)])
            .send()
    };
    let empty = reply(question, "   ").await.unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Please enter your comment!"));
    assert_eq!(reply(held, "Not yet.").await.unwrap().status(), 404);

    let mut stream = app.client.get(format!("{}/api/comments/live/{ARTICLE}", app.address)).send().await.unwrap();
    let done = reply(question, "From Monday the 14th, says the transport office.").await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/admin/comments?status=approved&done=reply");
    let row: (String, String, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT status, author_name, parent_id, staff_id FROM comments WHERE body LIKE 'From Monday%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((row.0.as_str(), row.1.as_str(), row.2), ("approved", "Desk Person", Some(question)));
    assert!(row.3.is_some());
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains("From Monday") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.expect("sent live").unwrap().unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(received.contains("\"staff\":true"), "{received}");
    let (_, article) = app.get(&format!("/article/{ARTICLE}")).await;
    let at = article.rfind("From Monday the 14th").expect("the reply is on the page");
    let item = &article[article[..at].rfind("<li").unwrap()..at];
    assert!(item.contains("class=\"staff-mark\">Staff</span>"), "{item}");
    let shown = get_as(&app, "/admin/comments?status=approved&done=reply", &cookie).await.text().await.unwrap();
    assert!(shown.contains("Your reply is published."));
}

#[tokio::test]
async fn trashed_comments_leave_the_story_and_can_be_restored() {
    let app = desk_app().await;
    staff(&app, "ed4@courier.example", Role::Editor).await;
    let cookie = session_cookie(&sign_in(&app, "ed4@courier.example", PASSWORD, "192.0.2.60").await);
    let token = form_token(&get_as(&app, "/admin", &cookie).await.text().await.unwrap());
    let id = reader_comment(&app, "A remark that will be put aside for now.", "aside@example.org").await;
    let (_, before) = app.get(&format!("/article/{ARTICLE}")).await;
    assert!(before.contains("A remark that will be put aside for now."));

    let trash = format!("trash:{id}");
    let done = queue_post(&app, &cookie, &token, &[("row_action", trash.as_str()), ("status", "approved")]).await;
    assert_eq!(done.headers()["location"], "/admin/comments?status=approved&done=trash&count=1");
    assert_eq!(status_of(&app, id).await.as_deref(), Some("trash"));
    let (_, after) = app.get(&format!("/article/{ARTICLE}")).await;
    assert!(!after.contains("A remark that will be put aside for now."), "gone from the story (and its cached page)");
    let tab = get_as(&app, "/admin/comments?status=trash", &cookie).await.text().await.unwrap();
    assert!(tab.contains("Trash (1)") && tab.contains("A remark that will be put aside"), "{tab}");
    assert!(tab.contains("value=\"restore\"") && tab.contains("value=\"delete\""), "Trash offers restore and delete");
    assert!(!tab.contains("value=\"approve\""), "{tab}");

    let restore = format!("restore:{id}");
    let done = queue_post(&app, &cookie, &token, &[("row_action", restore.as_str()), ("status", "trash")]).await;
    assert_eq!(done.headers()["location"], "/admin/comments?status=trash&done=restore&count=1");
    assert_eq!(status_of(&app, id).await.as_deref(), Some("pending"), "restored to the queue, not straight to readers");
    let shown = get_as(&app, "/admin/comments?status=trash&done=restore&count=1", &cookie).await.text().await.unwrap();
    assert!(shown.contains("1 comment restored to pending."));
}
