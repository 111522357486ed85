//! "Leave a reply": the one server function behind the comment form, with or without
//! JavaScript. Parse → guard → store; every refusal has its own status and message.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

use super::input::FieldError;
#[cfg(feature = "ssr")]
use super::input::{CommentForm, NewComment};
use super::Comment;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CommentError {
    #[error("Please check the highlighted fields.")]
    Invalid(Vec<FieldError>),
    #[error("You are posting comments too quickly. Slow down.")]
    TooFast,
    #[error("Duplicate comment detected; it looks as though you've already said that!")]
    Duplicate,
    #[error("The story or the comment you are replying to no longer exists.")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("Sorry, your comment could not be saved just now. Please try again.")]
    Server,
}

impl CommentError {
    pub fn status(&self) -> u16 {
        match self {
            CommentError::Invalid(_) => 422,
            CommentError::TooFast => 429,
            CommentError::Duplicate => 409,
            CommentError::NotFound => 404,
            CommentError::BadRequest(_) => 400,
            CommentError::Server => 500,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            CommentError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

impl FromServerFnError for CommentError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                CommentError::BadRequest("The comment form arrived incomplete. Please try again.".into())
            }
            _ => CommentError::Server,
        }
    }
}

/// What the reader gets back for an accepted (or quietly binned) comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    pub comment: Comment,
    pub pending: bool,
}

/// Field names are the form's `name` attributes; all optional so a tampered form gets a
/// clear 4xx instead of an argument error.
#[server(endpoint = "comments/post")]
#[allow(clippy::too_many_arguments)]
pub async fn post_comment(
    article: Option<String>,
    comment: Option<String>,
    author: Option<String>,
    email: Option<String>,
    url: Option<String>,
    parent_id: Option<String>,
    phone: Option<String>,
    remember: Option<String>,
) -> Result<Posted, CommentError> {
    let form = CommentForm {
        comment: comment.unwrap_or_default(),
        author: author.unwrap_or_default(),
        email: email.unwrap_or_default(),
        url: url.unwrap_or_default(),
        parent_id: parent_id.as_deref().map(str::trim).filter(|p| !p.is_empty()).and_then(|p| p.parse().ok()),
    };
    let request = super::guard::Request::current().await?;
    let slug = article.unwrap_or_default();
    let honeypot = phone.is_some_and(|p| !p.trim().is_empty());
    let outcome = super::guard::accept(&request, &slug, &form, honeypot).await;
    request.remember_reader(&form, remember.is_some());
    request.answer(&slug, &form, outcome).await
}

#[cfg(feature = "ssr")]
pub(super) fn parse(form: &CommentForm) -> Result<NewComment, CommentError> {
    NewComment::parse(form).map_err(CommentError::Invalid)
}
