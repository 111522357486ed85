//! Staff accounts in the desk: two-step sign-in (set-up, codes, recovery codes, limits, expiry),
//! changing one's password, and admins managing accounts — each checked on the server.

use app::staff::{second_factor, store, Role};

use crate::desk::{desk_app, form_token, get_as, session_cookie, sign_in, staff, PASSWORD};
use crate::helpers::TestApp;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("{start:?} in {page}")) + start.len();
    &page[from..from + page[from..].find(end).unwrap()]
}

async fn post_as(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.post(format!("{}{path}", app.address)).form(fields);
    if !cookie.is_empty() {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The `name=value` pair of the cookie `name` among the response's Set-Cookie headers.
fn cookie_named(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|pair| pair.starts_with(&format!("{name}=")) && pair.len() > name.len() + 1)
}

/// Signs in with the password and posts `code` in the second step, from `address`.
async fn sign_in_with_code(app: &TestApp, email: &str, code: &str, address: &str) -> reqwest::Response {
    let first = sign_in(app, email, PASSWORD, address).await;
    assert_eq!(first.status(), 303);
    assert_eq!(first.headers()["location"], "/admin/sign-in/code");
    assert!(cookie_named(&first, "staff_session").is_none(), "no session before the code");
    let challenge = cookie_named(&first, "staff_sign_in").expect("the half-way cookie");
    assert_eq!(get_as(app, "/admin", &challenge).await.status(), 303, "the half-way cookie opens nothing");
    let page = get_as(app, "/admin/sign-in/code", &challenge).await;
    assert_eq!(page.status(), 200);
    app.client
        .post(format!("{}/admin/sign-in/code", app.address))
        .header("Cookie", &challenge)
        .header("X-Forwarded-For", address)
        .form(&[("code", code)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_step_sign_in_with_app_codes_and_recovery_codes() {
    let app = desk_app().await;
    staff(&app, "lena@courier.example", Role::Moderator).await;
    let cookie = session_cookie(&sign_in(&app, "lena@courier.example", PASSWORD, "192.0.2.1").await);

    // Set-up shows a QR code (inline SVG, no script) and the key as text.
    let account = get_as(&app, "/admin/account", &cookie).await.text().await.unwrap();
    assert!(account.contains("Off. With it on"), "{account}");
    let setup = get_as(&app, "/admin/account/two-step", &cookie).await;
    assert_eq!(setup.status(), 200);
    assert_eq!(setup.headers()["cache-control"], "no-store");
    let page = setup.text().await.unwrap();
    assert!(page.contains("<svg"), "{page}");
    assert!(!page.contains("<?xml"));
    let key = between(&page, "<code id=\"two-step-key\">", "</code>").replace(' ', "");
    assert_eq!(key.len(), 32, "160 bits in base32: {key}");
    let again = get_as(&app, "/admin/account/two-step", &cookie).await.text().await.unwrap();
    assert!(again.contains(&between(&page, "<code id=\"two-step-key\">", "</code>").to_owned()), "same key until used");
    let token = form_token(&page);

    // A wrong code is refused with the form again; the right one turns it on and shows ten codes.
    let stale = second_factor::code_at(&key, now() - 3600).unwrap();
    let wrong = post_as(
        &app,
        "/admin/account/two-step",
        &cookie,
        &[("token", &token), ("action", "confirm"), ("code", &stale)],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("That code is not right."));
    let code = second_factor::code_at(&key, now()).unwrap();
    let on =
        post_as(&app, "/admin/account/two-step", &cookie, &[("token", &token), ("action", "confirm"), ("code", &code)])
            .await;
    assert_eq!(on.status(), 200);
    let page = on.text().await.unwrap();
    let codes: Vec<String> = between(&page, "id=\"recovery-codes\" class=\"recovery-codes\">", "</ul>")
        .split("<code>")
        .skip(1)
        .map(|c| c.split("</code>").next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM staff_recovery_codes").fetch_all(&app.pool).await.unwrap();
    assert!(stored.iter().all(|hash| !codes.contains(hash)), "only hashes are kept");

    // The password alone no longer signs in; a code already used does not either.
    let replayed = sign_in_with_code(&app, "lena@courier.example", &code, "192.0.2.2").await;
    assert_eq!(replayed.status(), 401);
    assert!(replayed.text().await.unwrap().contains("That code is not right."));
    let next = second_factor::code_at(&key, now() + 30).unwrap();
    let signed = sign_in_with_code(&app, "lena@courier.example", &next, "192.0.2.2").await;
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/admin");
    let second = cookie_named(&signed, "staff_session").expect("a session after the code");
    assert_eq!(get_as(&app, "/admin", &second).await.status(), 200);

    // A recovery code works once, however it is typed.
    let typed = codes[0].to_uppercase().replace('-', " ");
    let recovered = sign_in_with_code(&app, "lena@courier.example", &typed, "192.0.2.3").await;
    assert_eq!(recovered.status(), 303);
    let again = sign_in_with_code(&app, "lena@courier.example", &codes[0], "192.0.2.3").await;
    assert_eq!(again.status(), 401);
    let audit: Vec<String> = sqlx::query_scalar("SELECT action || ': ' || detail FROM audit_log ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(audit.contains(&"signed in: with a recovery code (9 left)".to_owned()), "{audit:?}");
    assert!(audit.contains(&"turned two-step sign-in on: ".to_owned()), "{audit:?}");

    // The second step lasts five minutes.
    let first = sign_in(&app, "lena@courier.example", PASSWORD, "192.0.2.4").await;
    let challenge = cookie_named(&first, "staff_sign_in").unwrap();
    sqlx::query("UPDATE sign_in_challenges SET created_at = '2020-01-01T00:00:00.000Z'")
        .execute(&app.pool)
        .await
        .unwrap();
    let late = app
        .client
        .post(format!("{}/admin/sign-in/code", app.address))
        .header("Cookie", &challenge)
        .form(&[("code", codes[1].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 401);
    assert!(late.text().await.unwrap().contains("Signing in took too long."));
    assert_eq!(get_as(&app, "/admin/sign-in/code", &challenge).await.status(), 303);

    // Turning it off takes a current code (a recovery code counts); then the password is enough.
    let token = form_token(&get_as(&app, "/admin/account", &second).await.text().await.unwrap());
    let refused =
        post_as(&app, "/admin/account/two-step", &second, &[("token", &token), ("action", "off"), ("code", "123456")])
            .await;
    assert_eq!(refused.status(), 422);
    let off =
        post_as(&app, "/admin/account/two-step", &second, &[("token", &token), ("action", "off"), ("code", &codes[2])])
            .await;
    assert_eq!(off.status(), 303);
    let plain = sign_in(&app, "lena@courier.example", PASSWORD, "192.0.2.5").await;
    assert_eq!(plain.headers()["location"], "/admin");
}

#[tokio::test]
async fn wrong_codes_are_limited_like_wrong_passwords() {
    let app = desk_app().await;
    staff(&app, "ivo@courier.example", Role::Editor).await;
    let member = store::by_email(&app.db, "ivo@courier.example").await.unwrap().unwrap();
    let enrolment = second_factor::enrolment(&app.db, member.id, "ivo@courier.example").await.unwrap();
    let code = second_factor::code_at(&enrolment.secret, now()).unwrap();
    second_factor::confirm(&app.db, member.id, &code).await.unwrap().expect("turned on");
    let waiting = sign_in(&app, "ivo@courier.example", PASSWORD, "198.51.100.8").await;
    let challenge = cookie_named(&waiting, "staff_sign_in").unwrap();

    for attempt in 0..5 {
        let wrong = sign_in_with_code(&app, "ivo@courier.example", "000000", &format!("198.51.100.{attempt}")).await;
        assert_eq!(wrong.status(), 401);
    }
    // From a fresh address, with the right password: the account is limited now.
    let limited = sign_in(&app, "ivo@courier.example", PASSWORD, "198.51.100.9").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.text().await.unwrap().contains("Too many failed sign-ins."));
    // A second step begun before is limited too, even with the right code.
    let right = second_factor::code_at(&enrolment.secret, now() + 30).unwrap();
    let late = app
        .client
        .post(format!("{}/admin/sign-in/code", app.address))
        .header("Cookie", &challenge)
        .header("X-Forwarded-For", "198.51.100.8")
        .form(&[("code", right.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 429);
}

#[tokio::test]
async fn a_password_change_checks_the_old_one_and_the_rules_and_ends_other_sessions() {
    let app = desk_app().await;
    staff(&app, "noor@courier.example", Role::Author).await;
    let here = session_cookie(&sign_in(&app, "noor@courier.example", PASSWORD, "192.0.2.10").await);
    let elsewhere = session_cookie(&sign_in(&app, "noor@courier.example", PASSWORD, "192.0.2.11").await);
    let token = form_token(&get_as(&app, "/admin/account", &here).await.text().await.unwrap());
    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        let (here, token) = (here.clone(), token.clone());
        let app = &app;
        async move {
            post_as(
                app,
                "/admin/account/password",
                &here,
                &[("token", &token), ("current", current), ("new", new), ("repeat", repeat)],
            )
            .await
        }
    };
    let cases = [
        (
            "not my password at all",
            "gravel orchid tandem 77",
            "gravel orchid tandem 77",
            "Your current password is not right.",
        ),
        (PASSWORD, "gravel orchid tandem 77", "gravel orchid tandem 78", "The two new passwords differ."),
        (PASSWORD, "short one", "short one", "The password is too short"),
        (PASSWORD, "password1234", "password1234", "too easy to guess"),
        (PASSWORD, "noor courier 2026 x", "noor courier 2026 x", "must not contain your name or e-mail address"),
    ];
    for (current, new, repeat, message) in cases {
        let refused = change(current, new, repeat).await;
        assert_eq!(refused.status(), 422, "{message}");
        let page = refused.text().await.unwrap();
        assert!(page.contains(message), "{message}: {page}");
        assert!(!page.contains(new), "no password is shown again");
    }
    let changed = change(PASSWORD, "gravel orchid tandem 77", "gravel orchid tandem 77").await;
    assert_eq!(changed.status(), 303);
    let renewed = session_cookie(&changed);
    assert_eq!(get_as(&app, "/admin/account?done=password", &renewed).await.status(), 200, "still signed in here");
    assert_eq!(get_as(&app, "/admin", &here).await.status(), 303, "the old session id ended");
    assert_eq!(get_as(&app, "/admin", &elsewhere).await.status(), 303, "other sessions ended");
    assert_eq!(sign_in(&app, "noor@courier.example", PASSWORD, "192.0.2.12").await.status(), 401);
    assert_eq!(sign_in(&app, "noor@courier.example", "gravel orchid tandem 77", "192.0.2.12").await.status(), 303);
}

#[tokio::test]
async fn only_admins_manage_staff_accounts_and_the_last_admin_stays() {
    let app = desk_app().await;
    staff(&app, "chief@courier.example", Role::Admin).await;
    staff(&app, "desk@courier.example", Role::Editor).await;
    let admin = session_cookie(&sign_in(&app, "chief@courier.example", PASSWORD, "192.0.2.20").await);
    let editor = session_cookie(&sign_in(&app, "desk@courier.example", PASSWORD, "192.0.2.21").await);
    let admin_token = form_token(&get_as(&app, "/admin/staff", &admin).await.text().await.unwrap());
    let editor_token = form_token(&get_as(&app, "/admin", &editor).await.text().await.unwrap());
    let add = |token: &str, email: &str, name: &str, password: &str| {
        vec![
            ("token".to_owned(), token.to_owned()),
            ("action".to_owned(), "add".to_owned()),
            ("email".to_owned(), email.to_owned()),
            ("name".to_owned(), name.to_owned()),
            ("role".to_owned(), "author".to_owned()),
            ("password".to_owned(), password.to_owned()),
        ]
    };
    let post = |cookie: &str, fields: Vec<(String, String)>| {
        let request = app.client.post(format!("{}/admin/staff", app.address)).form(&fields);
        let request = if cookie.is_empty() { request } else { request.header("Cookie", cookie) };
        request.send()
    };
    let new_account = add(&admin_token, "rhea@courier.example", "Rhea Vance", "quartz meadow falcon 9");

    // Nobody but an admin with their session's token gets past the server's checks.
    assert_eq!(get_as(&app, "/admin/staff", "").await.status(), 303);
    assert_eq!(post("", new_account.clone()).await.unwrap().status(), 303, "no session: to the sign-in");
    assert_eq!(get_as(&app, "/admin/staff", &editor).await.status(), 403);
    assert_eq!(
        post(&editor, add(&editor_token, "x@courier.example", "X", "quartz meadow falcon 9")).await.unwrap().status(),
        403
    );
    assert_eq!(
        post(&admin, add(&"0".repeat(64), "x@courier.example", "X", "quartz meadow falcon 9")).await.unwrap().status(),
        403
    );
    let forged = app
        .client
        .post(format!("{}/admin/staff", app.address))
        .header("Cookie", &admin)
        .header("Origin", "https://evil.example")
        .form(&new_account)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(store::by_email(&app.db, "x@courier.example").await.unwrap().is_none());

    // Refusals keep what was typed (not the password) and say why.
    let weak = post(&admin, add(&admin_token, "rhea@courier.example", "Rhea Vance", "rhea12345678")).await.unwrap();
    assert_eq!(weak.status(), 422);
    let page = weak.text().await.unwrap();
    assert!(page.contains("value=\"rhea@courier.example\"") && page.contains("value=\"Rhea Vance\""), "{page}");
    assert!(page.contains("must not contain your name or e-mail address"), "{page}");
    let bad = post(&admin, add(&admin_token, "not an address", "Rhea Vance", "quartz meadow falcon 9")).await.unwrap();
    assert_eq!(bad.status(), 422);
    let taken =
        post(&admin, add(&admin_token, "DESK@courier.example", "Other", "quartz meadow falcon 9")).await.unwrap();
    assert_eq!(taken.status(), 422);
    assert!(taken.text().await.unwrap().contains("There is already a staff account for"));

    let added = post(&admin, new_account).await.unwrap();
    assert_eq!(added.status(), 303);
    assert_eq!(added.headers()["location"], "/admin/staff?done=added");
    let rhea = session_cookie(&sign_in(&app, "rhea@courier.example", "quartz meadow falcon 9", "192.0.2.22").await);
    assert_eq!(get_as(&app, "/admin/comments", &rhea).await.status(), 403, "authors do not moderate");

    let change = |email: &str, action: &str, role: &str| {
        vec![
            ("token".to_owned(), admin_token.clone()),
            ("action".to_owned(), action.to_owned()),
            ("email".to_owned(), email.to_owned()),
            ("role".to_owned(), role.to_owned()),
        ]
    };
    assert_eq!(post(&admin, change("rhea@courier.example", "role", "moderator")).await.unwrap().status(), 303);
    assert_eq!(get_as(&app, "/admin/comments", &rhea).await.status(), 200, "now a moderator");
    assert_eq!(post(&admin, change("rhea@courier.example", "disable", "")).await.unwrap().status(), 303);
    assert_eq!(get_as(&app, "/admin", &rhea).await.status(), 303, "disabled: signed out");
    assert_eq!(sign_in(&app, "rhea@courier.example", "quartz meadow falcon 9", "192.0.2.23").await.status(), 401);
    assert_eq!(post(&admin, change("rhea@courier.example", "enable", "")).await.unwrap().status(), 303);
    assert_eq!(sign_in(&app, "rhea@courier.example", "quartz meadow falcon 9", "192.0.2.23").await.status(), 303);

    let last = post(&admin, change("chief@courier.example", "role", "editor")).await.unwrap();
    assert_eq!(last.status(), 422);
    assert!(last.text().await.unwrap().contains("is the last admin who can sign in"));
    assert_eq!(store::by_email(&app.db, "chief@courier.example").await.unwrap().unwrap().role, Role::Admin);

    let listed = get_as(&app, "/admin/staff", &admin).await.text().await.unwrap();
    assert!(listed.contains("Rhea Vance") && listed.contains("desk@courier.example"), "{listed}");
    let audit = get_as(&app, "/admin/audit", &admin).await.text().await.unwrap();
    assert!(audit.contains("added a staff account") && audit.contains("changed a staff account"), "{audit}");
}

/// Every desk page and form, and the roles it is for.
const EVERYONE: &[Role] = &[Role::Admin, Role::Editor, Role::Author, Role::Moderator];
const MODERATORS: &[Role] = &[Role::Admin, Role::Editor, Role::Moderator];
const ADMINS: &[Role] = &[Role::Admin];
const PAGES: &[(&str, &[Role])] = &[
    ("/admin", EVERYONE),
    ("/admin/account", EVERYONE),
    ("/admin/account/two-step", EVERYONE),
    ("/admin/comments", MODERATORS),
    ("/admin/comments/events", MODERATORS),
    ("/admin/bans", MODERATORS),
    ("/admin/staff", ADMINS),
    ("/admin/audit", ADMINS),
];
const FORMS: &[(&str, &[Role])] = &[
    ("/admin/comments", MODERATORS),
    ("/admin/comments/reply", MODERATORS),
    ("/admin/bans", MODERATORS),
    ("/admin/account/two-step", EVERYONE),
    ("/admin/account/password", EVERYONE),
    ("/admin/staff", ADMINS),
    ("/admin/sign-out", EVERYONE),
    ("/admin/sign-out-everywhere", EVERYONE),
];

#[tokio::test]
async fn every_desk_page_and_form_checks_session_role_token_and_origin() {
    let app = desk_app().await;
    let mut sessions = Vec::new();
    for (n, role) in EVERYONE.iter().enumerate() {
        let email = format!("{role}@courier.example");
        staff(&app, &email, *role).await;
        let cookie = session_cookie(&sign_in(&app, &email, PASSWORD, &format!("192.0.2.{}", 40 + n)).await);
        let token = form_token(&get_as(&app, "/admin", &cookie).await.text().await.unwrap());
        sessions.push((*role, cookie, token));
    }
    let forged = format!("staff_session={}", "ab".repeat(32));
    // An expired session: a real one, unused for 15 days.
    staff(&app, "idle@courier.example", Role::Admin).await;
    let expired = session_cookie(&sign_in(&app, "idle@courier.example", PASSWORD, "192.0.2.49").await);
    sqlx::query("UPDATE staff_sessions SET last_seen_at = '2020-01-01T00:00:00.000Z' WHERE staff_id = (SELECT id FROM staff WHERE email = 'idle@courier.example')")
        .execute(&app.pool)
        .await
        .unwrap();

    for (path, roles) in PAGES {
        for cookie in ["", forged.as_str(), expired.as_str()] {
            let response = get_as(&app, path, cookie).await;
            assert_eq!(response.status(), 303, "GET {path} with {cookie:?}");
            assert_eq!(response.headers()["location"], "/admin/sign-in");
        }
        for (role, cookie, _) in &sessions {
            let response = get_as(&app, path, cookie).await;
            let expected = if roles.contains(role) { 200 } else { 403 };
            assert_eq!(response.status(), expected, "GET {path} as {role}");
            assert_eq!(response.headers()["cache-control"], "no-store", "GET {path} as {role}");
            assert_eq!(response.headers()["x-robots-tag"], "noindex");
        }
    }
    let (_, admin_cookie, admin_token) = &sessions[0];
    for (path, roles) in FORMS {
        for cookie in ["", forged.as_str(), expired.as_str()] {
            let response = post_as(&app, path, cookie, &[("token", admin_token)]).await;
            assert_eq!(response.status(), 303, "POST {path} with {cookie:?}");
            assert_eq!(response.headers()["location"], "/admin/sign-in");
        }
        for (role, cookie, token) in &sessions {
            if !roles.contains(role) {
                assert_eq!(
                    post_as(&app, path, cookie, &[("token", token)]).await.status(),
                    403,
                    "POST {path} as {role}"
                );
            }
        }
        // The admin may post every form, but not without the session's own token, nor from
        // another site.
        assert_eq!(post_as(&app, path, admin_cookie, &[]).await.status(), 403, "POST {path} without a token");
        let other_token = &sessions[1].2;
        assert_eq!(
            post_as(&app, path, admin_cookie, &[("token", other_token)]).await.status(),
            403,
            "POST {path} with another session's token"
        );
        let cross_site = app
            .client
            .post(format!("{}{path}", app.address))
            .header("Cookie", admin_cookie)
            .header("Origin", "https://evil.example")
            .form(&[("token", admin_token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(cross_site.status(), 403, "POST {path} from another site");
    }
    assert_eq!(get_as(&app, "/admin", admin_cookie).await.status(), 200, "none of it signed the admin out");
}
