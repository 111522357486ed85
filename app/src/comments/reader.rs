//! What this reader's browser brings to the comment form: saved details, a refused
//! no-JavaScript draft, their own comments awaiting moderation.
//!
//! Every reader who runs the app gets the page all readers share (the render cache answers
//! it); the app then asks `own_comments` for what the cookies bring. A browser that has not
//! shown it runs scripts (no `js` cookie, set by the start script) gets the page rendered for
//! it with its details in place, marked personal so no cache shares it.

use serde::{Deserialize, Serialize};

use super::input::CommentForm;
use super::outcome::CommentError;
use super::types::Comment;
#[cfg(feature = "ssr")]
use {
    super::{cookies, store},
    crate::core::form::{set_status, FormError},
    crate::db::Db,
    http::{header, request::Parts, HeaderMap, HeaderValue},
    leptos::prelude::*,
    leptos_axum::ResponseOptions,
};

/// What this reader's browser brings to the form (never part of what all readers share):
/// saved details, a refused no-JavaScript draft with its message, their comments awaiting
/// moderation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderState {
    pub form: CommentForm,
    pub remembered: bool,
    pub error: Option<CommentError>,
    pub own_pending: Vec<Comment>,
}

impl ReaderState {
    /// Whether anything on the page is this reader's alone (the page must not be shared).
    pub fn is_personal(&self) -> bool {
        *self != ReaderState::default()
    }
}

/// (server) Whether this request's page must be rendered for it alone: its cookies carry
/// comment details and the browser has not shown that it runs the app.
#[cfg(feature = "ssr")]
pub fn personal_request(headers: &HeaderMap) -> bool {
    let has = |name| cookies::read(headers, name).is_some();
    !has(crate::core::RUNS_SCRIPTS_COOKIE) && (has(cookies::AUTHOR_COOKIE) || has(cookies::TOKEN_COOKIE))
}

/// (server) Saved details and own comments awaiting moderation, from the request's cookies.
#[cfg(feature = "ssr")]
async fn from_cookies(db: &Db, article_id: i64, headers: &HeaderMap) -> ReaderState {
    let mut state = ReaderState::default();
    if let Some(saved) = cookies::saved_reader(headers) {
        state.form.author = saved.author;
        state.form.email = saved.email;
        state.form.url = saved.url;
        state.remembered = true;
    }
    if let Some(token) = cookies::author_token(headers) {
        state.own_pending = store::pending_for_author(db, article_id, &token).await.unwrap_or_default();
    }
    state
}

#[cfg(feature = "ssr")]
pub async fn reader_state(db: &Db, article_id: i64, draft: Option<&str>) -> ReaderState {
    let mut state = match use_context::<Parts>() {
        Some(parts) if personal_request(&parts.headers) => from_cookies(db, article_id, &parts.headers).await,
        _ => ReaderState::default(),
    };
    if let Some(token) = draft.filter(|t| t.len() == 32) {
        if let Ok(Some((form_json, error_json))) = store::draft(db, token, article_id).await {
            if let (Ok(form), Ok(error)) =
                (serde_json::from_str::<CommentForm>(&form_json), serde_json::from_str::<CommentError>(&error_json))
            {
                // The page a reader without JavaScript lands on carries the refusal's status.
                set_status(error.status());
                state.form = form;
                state.error = Some(error);
            }
        }
    }
    mark_personal(state.is_personal());
    state
}

/// The page depends on the reader's cookies (`Vary: Cookie`); when it shows something of
/// theirs it is private to them.
#[cfg(feature = "ssr")]
fn mark_personal(personal: bool) {
    let Some(response) = use_context::<ResponseOptions>() else { return };
    response.append_header(header::VARY, HeaderValue::from_static("Cookie"));
    if personal {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
}

/// What this browser's cookies bring to an article's comment section, for the app to show on
/// the page every reader shares. Private to the asker.
#[leptos::server(endpoint = "comments/mine")]
pub async fn own_comments(article_id: i64) -> Result<ReaderState, leptos::prelude::ServerFnError> {
    let db = crate::db::from_context()?;
    let Some(parts) = use_context::<Parts>() else { return Ok(ReaderState::default()) };
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    Ok(from_cookies(&db, article_id, &parts.headers).await)
}
