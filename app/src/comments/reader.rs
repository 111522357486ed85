//! What this reader's browser brings to the comment form: saved details, a refused
//! no-JavaScript draft, their own comments awaiting moderation. (Server) a page that shows
//! any of it is personal and says so, so no cache shares it.

use serde::{Deserialize, Serialize};

use super::input::CommentForm;
use super::outcome::CommentError;
use super::types::Comment;
#[cfg(feature = "ssr")]
use {
    super::{cookies, store},
    crate::core::form::{set_status, FormError},
    crate::db::Db,
    http::{header, request::Parts, HeaderValue},
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

#[cfg(feature = "ssr")]
pub async fn reader_state(db: &Db, article_id: i64, draft: Option<&str>) -> ReaderState {
    let mut state = ReaderState::default();
    if let Some(parts) = use_context::<Parts>() {
        if let Some(saved) = cookies::saved_reader(&parts.headers) {
            state.form.author = saved.author;
            state.form.email = saved.email;
            state.form.url = saved.url;
            state.remembered = true;
        }
        if let Some(token) = cookies::author_token(&parts.headers) {
            state.own_pending = store::pending_for_author(db, article_id, &token).await.unwrap_or_default();
        }
    }
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
