//! The pages behind the links in reply mail: `/replies/confirm?token=…` (the opt-in) and
//! `/replies/stop?token=…[&scope=all]` (this thread, or all reply mail). Rendered on the
//! server only — plain forms, post-redirect-get — so none of it is in the readers' wasm.
//! Opening a link changes nothing (mail scanners open links); the buttons do. Stop links are
//! also RFC 8058 one-click targets that mail providers post to from anywhere.

use app::comments::reply_mail::{self, Confirmation, Following, Scope};
use app::core::{paths, SITE_NAME};
use app::db::Db;
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::get,
    Form, Router,
};
use chrono::Utc;
use leptos::prelude::*;
use serde::Deserialize;

use crate::html_page::PageHead;

#[derive(Clone)]
pub struct ReplyPages {
    pub db: Db,
    pub stylesheet: &'static str,
}

pub fn routes<S: Clone + Send + Sync + 'static>(pages: ReplyPages) -> Router<S> {
    Router::new()
        .route(paths::REPLIES_CONFIRM, get(confirm_page).post(confirm))
        .route(paths::REPLIES_STOP, get(stop_page).post(stop))
        .with_state(pages)
}

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    token: String,
    #[serde(default)]
    scope: Option<String>,
}

impl Link {
    fn scope(&self) -> Scope {
        if self.scope.as_deref() == Some("all") {
            Scope::All
        } else {
            Scope::Thread
        }
    }
}

fn unavailable(error: sqlx::Error) -> Response {
    tracing::error!(%error, "reply mail link failed");
    (StatusCode::SERVICE_UNAVAILABLE, "Sorry, please try again in a minute.").into_response()
}

async fn confirm_page(State(pages): State<ReplyPages>, Query(link): Query<Link>) -> Response {
    match reply_mail::check_confirmation(&pages.db, &link.token, Utc::now()).await {
        Ok(state) => confirmation(&pages, state, &link.token),
        Err(error) => unavailable(error),
    }
}

async fn confirm(State(pages): State<ReplyPages>, Form(link): Form<Link>) -> Response {
    match reply_mail::confirm(&pages.db, &link.token, Utc::now()).await {
        Ok(Confirmation::Confirmed) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, paths::replies_confirm(&link.token))]).into_response()
        }
        Ok(state) => confirmation(&pages, state, &link.token),
        Err(error) => unavailable(error),
    }
}

fn confirmation(pages: &ReplyPages, state: Confirmation, token: &str) -> Response {
    let (status, body) = match state {
        Confirmation::Ready => (
            StatusCode::OK,
            view! {
                <h1>"Mail me replies?"</h1>
                <p class="newsletter-message" data-outcome="Ready">
                    "One click and we'll mail you when someone replies to your comments. Every mail has a link that stops them."
                </p>
                <form method="post" action=paths::REPLIES_CONFIRM>
                    <input type="hidden" name="token" value=token.to_owned()/>
                    <button type="submit" class="button">"Yes, mail me replies"</button>
                </form>
            }
            .into_any(),
        ),
        Confirmation::Confirmed | Confirmation::AlreadyConfirmed => (
            StatusCode::OK,
            view! {
                <h1>"You'll hear about replies"</h1>
                <p class="newsletter-message" data-outcome="Confirmed">
                    "Thank you for confirming. When someone replies to a comment of yours you asked about, we'll mail you the replies, gathered."
                </p>
                <p><a href=paths::FRONT>"Go to the front page"</a></p>
            }
            .into_any(),
        ),
        Confirmation::Expired => (
            StatusCode::GONE,
            view! {
                <h1>"This link has expired"</h1>
                <p class="newsletter-message">"Confirmation links work for seven days. Tick the box under your next comment and we'll send you a fresh one."</p>
            }
            .into_any(),
        ),
        Confirmation::Invalid => (
            StatusCode::BAD_REQUEST,
            view! {
                <h1>"This link doesn't work"</h1>
                <p class="newsletter-message">"It may have been copied incompletely. Tick the box under your next comment and we'll send you a fresh one."</p>
            }
            .into_any(),
        ),
    };
    document(pages, status, "Reply notifications", body)
}

async fn stop_page(State(pages): State<ReplyPages>, Query(link): Query<Link>) -> Response {
    match reply_mail::following(&pages.db, &link.token, Utc::now()).await {
        Ok(following) => stop_state(&pages, following, &link),
        Err(error) => unavailable(error),
    }
}

async fn stop(State(pages): State<ReplyPages>, Query(link): Query<Link>, body: String) -> Response {
    let one_click = body.split('&').any(|pair| pair == "List-Unsubscribe=One-Click");
    match reply_mail::stop(&pages.db, &link.token, link.scope(), Utc::now()).await {
        Ok(None) => stop_state(&pages, None, &link),
        Ok(Some(_)) if one_click => (StatusCode::OK, "Reply mail stopped.").into_response(),
        Ok(Some(_)) => {
            let back = paths::replies_stop(&link.token, link.scope() == Scope::All);
            (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response()
        }
        Err(error) => unavailable(error),
    }
}

fn stop_state(pages: &ReplyPages, following: Option<Following>, link: &Link) -> Response {
    let Some(following) = following else {
        let body = view! {
            <h1>"This link doesn't work"</h1>
            <p class="newsletter-message">"It may have been copied incompletely. Use the link in the latest reply mail, or write to us and we'll stop it."</p>
        };
        return document(pages, StatusCode::BAD_REQUEST, "Reply notifications", body.into_any());
    };
    let Following { email, article_title, article_slug, comment_id, thread_stopped, all_stopped } = following;
    let (email, comment) = (email.to_string(), paths::comment(&article_slug, comment_id));
    let stop_thread = paths::replies_stop(&link.token, false);
    let stop_all = paths::replies_stop(&link.token, true);
    let body = if all_stopped {
        view! {
            <h1>"No more reply mail"</h1>
            <p class="newsletter-message" data-outcome="AllStopped">"We won't mail "<strong>{email}</strong>" about replies any more. To hear about replies again, tick the box under your next comment."</p>
        }
        .into_any()
    } else if thread_stopped {
        view! {
            <h1>"Stopped for this comment"</h1>
            <p class="newsletter-message" data-outcome="ThreadStopped">"We won't mail "<strong>{email}</strong>" about replies to "<a href=comment>"your comment on “"{article_title}"”"</a>" any more."</p>
            <form method="post" action=stop_all>
                <button type="submit" class="button">"Stop all reply mail"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <h1>"Stop reply mail?"</h1>
            <p class="newsletter-message">"We mail "<strong>{email}</strong>" when someone replies to "<a href=comment>"your comment on “"{article_title}"”"</a>"."</p>
            <form method="post" action=stop_thread>
                <button type="submit" class="button">"Stop mail about this comment"</button>
            </form>
            <form method="post" action=stop_all>
                <button type="submit" class="button">"Stop all reply mail"</button>
            </form>
        }
        .into_any()
    };
    document(pages, StatusCode::OK, "Reply notifications", body)
}

/// A page of the site's own style, never cached or indexed (its links are personal).
fn document(pages: &ReplyPages, status: StatusCode, title: &str, body: AnyView) -> Response {
    let head = PageHead {
        title: crate::html_page::title(title),
        stylesheet: pages.stylesheet,
        own_stylesheet: None,
        script: None,
        body_class: "mail-link",
        main_class: "newsletter-page",
    };
    let body = view! { <p class="mail-link-home"><a href=paths::FRONT>{SITE_NAME}</a></p> {body} };
    let html = Html(crate::html_page::render(head, body));
    (status, [(header::CACHE_CONTROL, "no-store"), (header::HeaderName::from_static("x-robots-tag"), "noindex")], html)
        .into_response()
}
