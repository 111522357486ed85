//! A staff member's own account: the code step of signing in, two-step sign-in (set up with a
//! QR code drawn here as SVG, turned off or given new recovery codes with a current code), and
//! changing the password. Every role has these; each change needs the session's form token.

use std::net::SocketAddr;

use app::core::{cookies, paths};
use app::staff::audit::{self, Action};
use app::staff::password::NewPassword;
use app::staff::second_factor::{self, Enrolment};
use app::staff::session::{self, SignedIn};
use app::staff::sign_in::{self, SignInError};
use app::staff::store::{self, Change};
use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Form,
};
use leptos::prelude::*;
use serde::Deserialize;

use super::pages::{document, signed_in_as};
use super::{refusal, server_error, Desk, Refused};

// --- The code step of signing in -------------------------------------------------------------

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

fn no_challenge(desk: &Desk, message: Option<&str>) -> Response {
    let forget = desk.cookie(sign_in::CHALLENGE_COOKIE, None, std::time::Duration::ZERO);
    match message {
        Some(message) => (StatusCode::UNAUTHORIZED, forget, super::pages::sign_in(desk.stylesheet, "", Some(message)))
            .into_response(),
        None => (forget, Redirect::to(paths::DESK_SIGN_IN)).into_response(),
    }
}

pub async fn code_page(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    let Some(challenge) = cookies::read(&headers, sign_in::CHALLENGE_COOKIE) else {
        return no_challenge(&desk, None);
    };
    match sign_in::challenged(&desk.db, &challenge).await {
        Ok(Some(_)) => code_page_html(desk.stylesheet, None).into_response(),
        Ok(None) => no_challenge(&desk, None),
        Err(error) => server_error(error),
    }
}

pub async fn code(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let Some(challenge) = cookies::read(&headers, sign_in::CHALLENGE_COOKIE) else {
        return no_challenge(&desk, Some(&SignInError::ChallengeExpired.to_string()));
    };
    let ip_hash = desk.ip_hash(&headers, peer);
    match sign_in::second_step(&desk.db, &challenge, &form.code, &ip_hash).await {
        Ok((_, started)) => {
            let mut response = desk.signed_in_now(&started.cookie_value);
            let [(name, forget)] = desk.cookie(sign_in::CHALLENGE_COOKIE, None, std::time::Duration::ZERO);
            response.headers_mut().append(name, forget);
            response
        }
        Err(error @ SignInError::ChallengeExpired) => no_challenge(&desk, Some(&error.to_string())),
        Err(error) => {
            let message = error.to_string();
            refusal(&error, code_page_html(desk.stylesheet, Some(&message)))
        }
    }
}

/// A field for a six-digit code or a recovery code.
fn code_field(id: &'static str, label: &'static str, problem_id: &'static str, invalid: bool) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id name="code" type="text" inputmode="text" autocomplete="one-time-code" required
            spellcheck="false" maxlength="32" aria-invalid=invalid.then_some("true") aria-describedby=problem_id/>
    }
}

fn code_page_html(stylesheet: &'static str, problem: Option<&str>) -> Html<String> {
    let problem = problem.map(str::to_owned);
    let invalid = problem.is_some();
    document(
        stylesheet,
        "Your code",
        view! {
            <h1>"Your code"</h1>
            <p>"Your account has two-step sign-in. Type the six digits your authenticator app shows, or one of your recovery codes."</p>
            <form method="post" action=paths::DESK_SIGN_IN_CODE class="desk-form">
                {code_field("code", "Code", "code-problem", invalid)}
                <p class="form-problem" id="code-problem" role="alert">{problem}</p>
                <button type="submit">"Sign in"</button>
            </form>
            <p><a href=paths::DESK_SIGN_IN>"Start again"</a></p>
        },
    )
}

// --- The account page ----------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct AccountParams {
    #[serde(default)]
    done: String,
}

/// What failed on the account page, shown beside the form it belongs to.
#[derive(Default)]
struct Problems {
    two_step: Option<String>,
    password: Option<String>,
}

pub async fn page(State(desk): State<Desk>, headers: HeaderMap, Query(params): Query<AccountParams>) -> Response {
    let session = match desk.member(&headers, |_| true).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let notice = match params.done.as_str() {
        "two-step-off" => Some("Two-step sign-in is off."),
        "password" => Some("Your password is changed. Your other sessions have ended."),
        _ => None,
    };
    account(&desk, &session, notice, Problems::default(), StatusCode::OK).await
}

async fn account(
    desk: &Desk,
    session: &SignedIn,
    notice: Option<&str>,
    problems: Problems,
    status: StatusCode,
) -> Response {
    match second_factor::status(&desk.db, session.staff.id).await {
        Ok((on, left)) => (status, account_html(desk.stylesheet, session, on, left, notice, problems)).into_response(),
        Err(error) => server_error(error),
    }
}

fn account_html(
    stylesheet: &'static str,
    session: &SignedIn,
    two_step: bool,
    recovery_left: i64,
    notice: Option<&str>,
    problems: Problems,
) -> Html<String> {
    let token = session.form_token.clone();
    let email = session.staff.email.to_string();
    let notice = notice.map(|n| view! { <p class="form-thanks" role="status">{n.to_owned()}</p> });
    let two_step_invalid = problems.two_step.is_some();
    let two_step_part = if two_step {
        view! {
            <p>{format!("On. Signing in asks for a code from your authenticator app. Recovery codes left: {recovery_left}.")}</p>
            <form method="post" action=paths::DESK_TWO_STEP class="desk-form">
                <input type="hidden" name="token" value=token.clone()/>
                {code_field("two-step-code", "A code from your app (or a recovery code)", "two-step-problem", two_step_invalid)}
                <p class="form-problem" id="two-step-problem" role="alert">{problems.two_step}</p>
                <button type="submit" name="action" value="new-codes">"Make new recovery codes"</button>
                <button type="submit" name="action" value="off">"Turn two-step sign-in off"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p>"Off. With it on, a stolen password alone does not open the desk."</p>
            <p><a href=paths::DESK_TWO_STEP>"Set up two-step sign-in"</a></p>
        }
        .into_any()
    };
    let password_invalid = problems.password.is_some().then_some("true");
    document(
        stylesheet,
        "Your account",
        view! {
            <h1>"Your account"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK>"Back to the desk"</a></p>
            {notice}
            <p>"E-mail address: " {email}</p>
            <h2>"Two-step sign-in"</h2>
            {two_step_part}
            <h2>"Password"</h2>
            <form method="post" action=paths::DESK_PASSWORD class="desk-form">
                <input type="hidden" name="token" value=token/>
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current" type="password" autocomplete="current-password" required/>
                <label for="new-password">"New password (at least 12 characters)"</label>
                <input id="new-password" name="new" type="password" autocomplete="new-password" required
                    aria-invalid=password_invalid aria-describedby="password-problem"/>
                <label for="repeat-password">"New password again"</label>
                <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" required/>
                <p class="form-problem" id="password-problem" role="alert">{problems.password}</p>
                <button type="submit">"Change password"</button>
            </form>
        },
    )
}

// --- Two-step sign-in ------------------------------------------------------------------------

pub async fn two_step_page(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    let session = match desk.member(&headers, |_| true).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    if session.staff.two_step {
        return Redirect::to(paths::DESK_ACCOUNT).into_response();
    }
    set_up(&desk, &session, None).await
}

async fn set_up(desk: &Desk, session: &SignedIn, problem: Option<&str>) -> Response {
    match second_factor::enrolment(&desk.db, session.staff.id, session.staff.email.as_str()).await {
        Ok(enrolment) => {
            let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            (status, set_up_html(desk.stylesheet, session, &enrolment, problem)).into_response()
        }
        Err(error) => server_error(error),
    }
}

/// The set-up address as a QR code, drawn as inline SVG (black on white whatever the theme:
/// cameras need the contrast).
fn qr_svg(url: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let drawn = code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .dark_color(svg::Color("#000000"))
                .light_color(svg::Color("#ffffff"))
                .build();
            // Inline in HTML: the XML declaration goes.
            drawn.find("<svg").map(|start| drawn[start..].to_owned()).unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}

fn set_up_html(
    stylesheet: &'static str,
    session: &SignedIn,
    enrolment: &Enrolment,
    problem: Option<&str>,
) -> Html<String> {
    let qr = qr_svg(&enrolment.url);
    // In groups of four, as apps show keys.
    let key = enrolment
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let (problem, token) = (problem.map(str::to_owned), session.form_token.clone());
    let invalid = problem.is_some();
    document(
        stylesheet,
        "Set up two-step sign-in",
        view! {
            <h1>"Set up two-step sign-in"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK_ACCOUNT>"Back to your account"</a></p>
            <ol>
                <li>"In an authenticator app (any that takes TOTP codes), add an account by scanning this code, or type the key below."</li>
                <li>"Type the six digits the app then shows, to prove it has the key."</li>
            </ol>
            <div class="two-step-qr" role="img" aria-label="QR code holding the key for your authenticator app" inner_html=qr></div>
            <p>"Key: " <code id="two-step-key">{key}</code></p>
            <form method="post" action=paths::DESK_TWO_STEP class="desk-form">
                <input type="hidden" name="token" value=token/>
                {code_field("set-up-code", "The six digits from your app", "set-up-problem", invalid)}
                <p class="form-problem" id="set-up-problem" role="alert">{problem}</p>
                <button type="submit" name="action" value="confirm">"Turn two-step sign-in on"</button>
            </form>
        },
    )
}

fn recovery_codes_html(
    stylesheet: &'static str,
    session: &SignedIn,
    codes: &[String],
    heading: &'static str,
) -> Html<String> {
    let items = codes.iter().map(|code| view! { <li><code>{code.clone()}</code></li> }).collect::<Vec<_>>();
    document(
        stylesheet,
        heading,
        view! {
            <h1>{heading}</h1>
            {signed_in_as(session)}
            <p class="form-thanks" role="status">"Keep these recovery codes somewhere safe, away from your phone. Each one signs you in once if your phone is lost. They are shown only now."</p>
            <ul class="recovery-codes" id="recovery-codes">{items}</ul>
            <p><a href=paths::DESK_ACCOUNT>"I have kept them — back to your account"</a></p>
        },
    )
}

#[derive(Deserialize)]
pub struct TwoStepForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
}

pub async fn two_step(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<TwoStepForm>,
) -> Response {
    let session = match desk.member_posting(&headers, &form.token, |_| true).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let ip_hash = desk.ip_hash(&headers, peer);
    let (id, db) = (session.staff.id, &desk.db);
    match form.action.as_str() {
        "confirm" if !session.staff.two_step => match second_factor::confirm(db, id, &form.code).await {
            Ok(Some(codes)) => match audit::record(db, Some(id), Action::TwoStepOn, "", &ip_hash).await {
                Ok(()) => {
                    recovery_codes_html(desk.stylesheet, &session, &codes, "Two-step sign-in is on").into_response()
                }
                Err(error) => server_error(error),
            },
            Ok(None) => set_up(&desk, &session, Some(&SignInError::WrongCode.to_string())).await,
            Err(error) => server_error(error),
        },
        "off" | "new-codes" if session.staff.two_step => {
            if let Err(error) = sign_in::check_code(db, &session.staff, &form.code, &ip_hash).await {
                let status = if matches!(error, SignInError::TooMany) {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let problems = Problems { two_step: Some(error.to_string()), password: None };
                return account(&desk, &session, None, problems, status).await;
            }
            if form.action == "off" {
                let done = async {
                    second_factor::turn_off(db, id).await?;
                    audit::record(db, Some(id), Action::TwoStepOff, "", &ip_hash).await
                };
                match done.await {
                    Ok(()) => Redirect::to(&format!("{}?done=two-step-off", paths::DESK_ACCOUNT)).into_response(),
                    Err(error) => server_error(error),
                }
            } else {
                let made = async {
                    let codes = second_factor::new_recovery_codes(db, id).await?;
                    audit::record(db, Some(id), Action::RecoveryCodesRenewed, "", &ip_hash).await?;
                    Ok::<_, sqlx::Error>(codes)
                };
                match made.await {
                    Ok(codes) => {
                        recovery_codes_html(desk.stylesheet, &session, &codes, "New recovery codes").into_response()
                    }
                    Err(error) => server_error(error),
                }
            }
        }
        // A stale form (two-step turned on or off in another tab) or a forged action.
        _ => Redirect::to(paths::DESK_ACCOUNT).into_response(),
    }
}

// --- Password ------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn password(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let session = match desk.member_posting(&headers, &form.token, |_| true).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let ip_hash = desk.ip_hash(&headers, peer);
    let refuse = |message: String, status: StatusCode| {
        let problems = Problems { two_step: None, password: Some(message) };
        account(&desk, &session, None, problems, status)
    };
    if let Err(error) = sign_in::confirm_password(&desk.db, &session.staff, &form.current, &ip_hash).await {
        let status = match error {
            SignInError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            SignInError::Server(error) => return server_error(error),
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        return refuse(error.to_string(), status).await;
    }
    if form.new != form.repeat {
        return refuse(
            "The two new passwords differ. Please type the same one twice.".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let new = match NewPassword::parse(&form.new, &[session.staff.email.as_str(), &session.staff.name]) {
        Ok(new) => new,
        Err(message) => return refuse(message, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let hash = tokio::task::spawn_blocking(move || new.hash()).await.unwrap_or_default();
    if hash.is_empty() {
        return Refused::Database.into_response();
    }
    let changed = async {
        // Every session of the account ends, this one too; a new one starts here.
        store::change(&desk.db, session.staff.email.as_str(), Change::PasswordHash(&hash)).await.map_err(
            |e| match e {
                store::StaffError::Database(e) => e,
                other => sqlx::Error::Protocol(other.to_string()),
            },
        )?;
        audit::record(&desk.db, Some(session.staff.id), Action::PasswordChanged, "own", &ip_hash).await?;
        session::start(&desk.db, session.staff.id).await
    };
    match changed.await {
        Ok(started) => (
            desk.session_cookie(Some(&started.cookie_value)),
            Redirect::to(&format!("{}?done=password", paths::DESK_ACCOUNT)),
        )
            .into_response(),
        Err(error) => server_error(error),
    }
}
