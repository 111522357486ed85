//! The staff desk under `/admin`: sign-in, sign-out and (for admins) the audit log. Rendered
//! on the server only — plain forms with post-redirect-get — so none of it is in the readers'
//! wasm. Every answer is `Cache-Control: no-store` and `X-Robots-Tag: noindex`; every post
//! passes the same-origin check (middleware) and, once signed in, the session's form token.

mod account;
mod live;
mod pages;
mod queue;
mod staff;
mod stories;

use std::net::{IpAddr, SocketAddr};

use app::comments::live::CommentFeed;
use app::core::{client::TrustedProxies, cookies, paths};
use app::db::Db;
use app::staff::session::{self, SignedIn};
use app::staff::sign_in::{self, Attempt, SignInError, Signed};
use app::staff::{audit, Role};
use axum::{
    extract::{ConnectInfo, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Router,
};
use serde::Deserialize;

/// What the desk's handlers need.
#[derive(Clone)]
pub struct Desk {
    pub db: Db,
    pub proxies: TrustedProxies,
    /// The salt of stored address hashes (the comments' salt: one per site).
    pub ip_salt: String,
    pub https: bool,
    pub stylesheet: &'static str,
    /// The folder the site's static files are served from: pictures in stories are sized there.
    pub site_root: std::sync::Arc<std::path::Path>,
    /// Where uploaded pictures are stored (`MEDIA_DIR`).
    pub media_dir: std::sync::Arc<std::path::Path>,
    /// Comments approved here go to the readers' live streams.
    pub feed: CommentFeed,
    /// Turns true when the server stops: open queue streams end.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// The cookie outlives the session's idle limit only by the time since the last sign-in;
/// the server's `session::IDLE_LIMIT` is what decides.
const SESSION_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(14 * 24 * 3600);
/// Lines of the audit log an admin sees.
const AUDIT_LINES: i64 = 200;

pub fn routes<S: Clone + Send + Sync + 'static>(desk: Desk) -> Router<S> {
    Router::new()
        .route(paths::DESK, get(home))
        .route(paths::DESK_SIGN_IN, get(sign_in_page).post(sign_in))
        .route(paths::DESK_SIGN_IN_CODE, get(account::code_page).post(account::code))
        .route(paths::DESK_ACCOUNT, get(account::page))
        .route(paths::DESK_TWO_STEP, get(account::two_step_page).post(account::two_step))
        .route(paths::DESK_PASSWORD, post(account::password))
        .route(paths::DESK_STAFF, get(staff::page).post(staff::change))
        .route(paths::DESK_SIGN_OUT, post(sign_out))
        .route(paths::DESK_SIGN_OUT_EVERYWHERE, post(sign_out_everywhere))
        .route(paths::DESK_AUDIT, get(audit_log))
        .route(paths::DESK_COMMENTS, get(queue::page).post(queue::moderate))
        .route(paths::DESK_QUEUE_EVENTS, get(live::events))
        .route(paths::DESK_SCRIPT, get(live::script))
        .route(paths::DESK_STYLESHEET, get(live::stylesheet))
        .route(paths::DESK_BANS, get(queue::bans).post(queue::lift))
        .route(paths::DESK_REPLY, get(queue::reply_page).post(queue::reply))
        .route(paths::DESK_STORIES, get(stories::list))
        .route(paths::DESK_NEW_STORY, get(stories::new_story).post(stories::create))
        .route("/admin/articles/{id}", get(stories::open).post(stories::change))
        .route("/admin/articles/{id}/restore", post(stories::restore))
        .route("/admin/articles/{id}/delete", get(stories::delete_page).post(stories::delete))
        .route(
            paths::DESK_PICTURES,
            post(stories::pictures::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::media::MAX_REQUEST_BYTES)),
        )
        .layer(axum::middleware::map_response(private))
        .with_state(desk)
}

/// Whatever the desk answers is for one person only.
async fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

impl Desk {
    fn client(&self, headers: &HeaderMap, peer: SocketAddr) -> Option<IpAddr> {
        self.proxies.client(headers, Some(peer.ip()))
    }

    async fn signed_in(&self, headers: &HeaderMap) -> Result<Option<SignedIn>, Refused> {
        let Some(value) = cookies::read(headers, session::COOKIE) else { return Ok(None) };
        session::current(&self.db, &value).await.map_err(Refused::from)
    }

    fn ip_hash(&self, headers: &HeaderMap, peer: SocketAddr) -> String {
        app::core::client::address_hash(&self.ip_salt, self.client(headers, peer))
    }

    /// The signed-in staff member, if their role `may` do this.
    async fn member(&self, headers: &HeaderMap, may: fn(Role) -> bool) -> Result<SignedIn, Refused> {
        match self.signed_in(headers).await? {
            Some(session) if may(session.staff.role) => Ok(session),
            Some(session) => Err(Refused::NotForRole(Box::new(session), self.stylesheet)),
            None => Err(Refused::NotSignedIn),
        }
    }

    /// The staff member who posted a desk form, if their role `may` do this and the form
    /// carries their session's token.
    async fn member_posting(
        &self,
        headers: &HeaderMap,
        token: &str,
        may: fn(Role) -> bool,
    ) -> Result<SignedIn, Refused> {
        let session = self.member(headers, may).await?;
        if token.is_empty() || session.form_token != token {
            return Err(Refused::FormExpired);
        }
        Ok(session)
    }

    async fn moderator(&self, headers: &HeaderMap) -> Result<SignedIn, Refused> {
        self.member(headers, Role::moderates_comments).await
    }

    async fn moderator_posting(&self, headers: &HeaderMap, token: &str) -> Result<SignedIn, Refused> {
        self.member_posting(headers, token, Role::moderates_comments).await
    }

    fn session_cookie(&self, value: Option<&str>) -> [(header::HeaderName, HeaderValue); 1] {
        self.cookie(session::COOKIE, value, SESSION_MAX_AGE)
    }

    fn cookie(
        &self,
        name: &'static str,
        value: Option<&str>,
        max_age: std::time::Duration,
    ) -> [(header::HeaderName, HeaderValue); 1] {
        let cookie = cookies::set_cookie(name, value, self.https, max_age);
        [(header::SET_COOKIE, cookie.unwrap_or_else(|| HeaderValue::from_static("")))]
    }

    /// A new session's cookie, and on to the desk.
    fn signed_in_now(&self, cookie_value: &str) -> Response {
        (self.session_cookie(Some(cookie_value)), Redirect::to(paths::DESK)).into_response()
    }
}

/// Why a desk request is not served.
enum Refused {
    NotSignedIn,
    /// Signed in, but the role may not do this.
    NotForRole(Box<SignedIn>, &'static str),
    /// A post without its session's form token.
    FormExpired,
    Database,
}

impl From<sqlx::Error> for Refused {
    fn from(error: sqlx::Error) -> Refused {
        tracing::error!(%error, "the desk could not reach the database");
        Refused::Database
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::NotSignedIn => to_sign_in(),
            Refused::NotForRole(session, stylesheet) => {
                (StatusCode::FORBIDDEN, pages::forbidden(stylesheet, &session)).into_response()
            }
            Refused::FormExpired => {
                (StatusCode::FORBIDDEN, "This form has expired. Please go back and try again.").into_response()
            }
            Refused::Database => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.")
                    .into_response()
            }
        }
    }
}

fn server_error(error: sqlx::Error) -> Response {
    Refused::from(error).into_response()
}

fn to_sign_in() -> Response {
    Redirect::to(paths::DESK_SIGN_IN).into_response()
}

async fn home(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    match desk.signed_in(&headers).await {
        Ok(Some(session)) => pages::home(desk.stylesheet, &session).into_response(),
        Ok(None) => to_sign_in(),
        Err(refused) => refused.into_response(),
    }
}

async fn sign_in_page(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    match desk.signed_in(&headers).await {
        Ok(Some(_)) => Redirect::to(paths::DESK).into_response(),
        Ok(None) => pages::sign_in(desk.stylesheet, "", None).into_response(),
        Err(refused) => refused.into_response(),
    }
}

/// The sign-in form's fields; missing ones are empty (and refused as a mismatch).
#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let ip_hash = desk.ip_hash(&headers, peer);
    let attempt = Attempt { email: &form.email, password: &form.password, ip_hash: &ip_hash };
    match sign_in::sign_in(&desk.db, attempt).await {
        Ok(Signed::In(_, started)) => desk.signed_in_now(&started.cookie_value),
        Ok(Signed::CodeNeeded { challenge }) => {
            let lifetime = std::time::Duration::from_secs(sign_in::CHALLENGE_LIFETIME.num_seconds().unsigned_abs());
            (desk.cookie(sign_in::CHALLENGE_COOKIE, Some(&challenge), lifetime), Redirect::to(paths::DESK_SIGN_IN_CODE))
                .into_response()
        }
        Err(error) => refusal(&error, pages::sign_in(desk.stylesheet, form.email.trim(), Some(&error.to_string()))),
    }
}

/// A refused sign-in step: its status (with `Retry-After` when limited) and the page again.
fn refusal(error: &SignInError, page: axum::response::Html<String>) -> Response {
    let status = match error {
        SignInError::Mismatch | SignInError::WrongCode | SignInError::ChallengeExpired => StatusCode::UNAUTHORIZED,
        SignInError::WrongPassword => StatusCode::UNPROCESSABLE_ENTITY,
        SignInError::TooMany => StatusCode::TOO_MANY_REQUESTS,
        SignInError::Server(e) => {
            tracing::error!(error = %e, "signing in failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let mut response = (status, page).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry = sign_in::WINDOW.num_seconds().to_string();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_str(&retry).expect("digits"));
    }
    response
}

/// A desk form's hidden token, which must be the session's.
#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

/// The session a desk form was posted in (any role), if its token is that session's.
async fn posted_in(desk: &Desk, headers: &HeaderMap, token: &str) -> Result<SignedIn, Refused> {
    desk.member_posting(headers, token, |_| true).await
}

async fn sign_out(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    leave(&desk, peer, &headers, &form.token, false).await
}

async fn sign_out_everywhere(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    leave(&desk, peer, &headers, &form.token, true).await
}

/// Ends the session a sign-out form was posted in — or, `everywhere`, all of the account's.
async fn leave(desk: &Desk, peer: SocketAddr, headers: &HeaderMap, token: &str, everywhere: bool) -> Response {
    let session = match posted_in(desk, headers, token).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let ip_hash = desk.ip_hash(headers, peer);
    let ended = async {
        let (action, detail) = if everywhere {
            let count = session::end_all(&desk.db, session.staff.id).await?;
            (audit::Action::SignedOutEverywhere, format!("{count} sessions ended"))
        } else {
            session::end(&desk.db, &session).await?;
            (audit::Action::SignedOut, String::new())
        };
        audit::record(&desk.db, Some(session.staff.id), action, &detail, &ip_hash).await
    };
    match ended.await {
        Ok(()) => (desk.session_cookie(None), Redirect::to(paths::DESK_SIGN_IN)).into_response(),
        Err(error) => server_error(error),
    }
}

async fn audit_log(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    let session = match desk.member(&headers, Role::manages_staff).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    match audit::recent(&desk.db, AUDIT_LINES).await {
        Ok(entries) => pages::audit(desk.stylesheet, &session, &entries).into_response(),
        Err(error) => server_error(error),
    }
}
