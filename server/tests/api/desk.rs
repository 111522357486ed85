//! The staff desk: sign-in, sessions, limits, the audit log, and that none of it is cached.

use app::core::SiteUrl;
use app::staff::{password::NewPassword, store, Role};

use crate::helpers::{spawn_app_with, TestApp};

const PASSWORD: &str = "copper lantern estuary 12";

async fn desk_app() -> TestApp {
    spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await
}

async fn staff(app: &TestApp, email: &str, role: Role) {
    let hash = NewPassword::parse(PASSWORD, &[]).unwrap().hash();
    let email = app::core::Email::parse(email).unwrap();
    store::add(&app.db, &email, "Desk Person", role, &hash).await.unwrap();
}

/// Posts the sign-in form from `address` (as named by the trusted proxy).
async fn sign_in(app: &TestApp, email: &str, password: &str, address: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/admin/sign-in", app.address))
        .header("X-Forwarded-For", address)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The `staff_session=…` pair the response set.
fn session_cookie(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn get_as(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.address)).header("Cookie", cookie).send().await.unwrap()
}

fn form_token(page: &str) -> String {
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
