//! The staff desk under `/admin`: sign-in, sign-out and (for admins) the audit log. Rendered
//! on the server only — plain forms with post-redirect-get — so none of it is in the readers'
//! wasm. Every answer is `Cache-Control: no-store` and `X-Robots-Tag: noindex`; every post
//! passes the same-origin check (middleware) and, once signed in, the session's form token.

mod pages;
mod queue;

use std::net::{IpAddr, SocketAddr};

use app::comments::live::CommentFeed;
use app::core::{client::TrustedProxies, cookies, paths};
use app::db::Db;
use app::staff::session::{self, SignedIn};
use app::staff::sign_in::{self, Attempt, SignInError};
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
    /// Comments approved here go to the readers' live streams.
    pub feed: CommentFeed,
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
        .route(paths::DESK_SIGN_OUT, post(sign_out))
        .route(paths::DESK_SIGN_OUT_EVERYWHERE, post(sign_out_everywhere))
        .route(paths::DESK_AUDIT, get(audit_log))
        .route(paths::DESK_COMMENTS, get(queue::page).post(queue::moderate))
        .route(paths::DESK_BANS, get(queue::bans).post(queue::lift))
        .route(paths::DESK_REPLY, get(queue::reply_page).post(queue::reply))
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

    /// The signed-in staff member, if their role moderates comments.
    async fn moderator(&self, headers: &HeaderMap) -> Result<SignedIn, Refused> {
        match self.signed_in(headers).await? {
            Some(session) if session.staff.role.moderates_comments() => Ok(session),
            Some(session) => Err(Refused::NotForRole(Box::new(session), self.stylesheet)),
            None => Err(Refused::NotSignedIn),
        }
    }

    /// The moderator who posted a desk form, if the form carries their session's token.
    async fn moderator_posting(&self, headers: &HeaderMap, token: &str) -> Result<SignedIn, Refused> {
        let session = self.moderator(headers).await?;
        if token.is_empty() || session.form_token != token {
            return Err(Refused::FormExpired);
        }
        Ok(session)
    }

    fn session_cookie(&self, value: Option<&str>) -> [(header::HeaderName, HeaderValue); 1] {
        let cookie = cookies::set_cookie(session::COOKIE, value, self.https, SESSION_MAX_AGE);
        [(header::SET_COOKIE, cookie.unwrap_or_else(|| HeaderValue::from_static("")))]
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
        Ok((_, started)) => {
            (desk.session_cookie(Some(&started.cookie_value)), Redirect::to(paths::DESK)).into_response()
        }
        Err(error) => {
            let status = match error {
                SignInError::Mismatch => StatusCode::UNAUTHORIZED,
                SignInError::TooMany => StatusCode::TOO_MANY_REQUESTS,
                SignInError::Server(ref e) => {
                    tracing::error!(error = %e, "signing in failed");
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            };
            let mut response =
                (status, pages::sign_in(desk.stylesheet, form.email.trim(), Some(&error.to_string()))).into_response();
            if status == StatusCode::TOO_MANY_REQUESTS {
                let retry = sign_in::WINDOW.num_seconds().to_string();
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_str(&retry).expect("digits"));
            }
            response
        }
    }
}

/// A desk form's hidden token, which must be the session's.
#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

/// The session a desk form was posted in, if its token is that session's.
async fn posted_in(desk: &Desk, headers: &HeaderMap, token: &str) -> Result<SignedIn, Refused> {
    match desk.signed_in(headers).await? {
        Some(session) if !token.is_empty() && session.form_token == token => Ok(session),
        Some(_) => Err(Refused::FormExpired),
        None => Err(Refused::NotSignedIn),
    }
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
    let session = match desk.signed_in(&headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(refused) => return refused.into_response(),
    };
    if session.staff.role != Role::Admin {
        return (StatusCode::FORBIDDEN, pages::forbidden(desk.stylesheet, &session)).into_response();
    }
    match audit::recent(&desk.db, AUDIT_LINES).await {
        Ok(entries) => pages::audit(desk.stylesheet, &session, &entries).into_response(),
        Err(error) => server_error(error),
    }
}
