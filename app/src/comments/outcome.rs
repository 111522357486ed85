//! What posting a comment can come to: accepted (`Posted`) or refused (`CommentError`), each
//! refusal with its own status and message.

use serde::{Deserialize, Serialize};

use super::input::FieldError;
use super::types::Comment;
use crate::core::form::FormError;

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
    #[error("The comment form arrived incomplete. Please try again.")]
    BadRequest,
    #[error("Sorry, your comment could not be saved just now. Please try again.")]
    Server,
}

impl FormError for CommentError {
    fn status(&self) -> u16 {
        match self {
            CommentError::Invalid(_) => 422,
            CommentError::TooFast => 429,
            CommentError::Duplicate => 409,
            CommentError::NotFound => 404,
            CommentError::BadRequest => 400,
            // Nothing the reader did: the database is busy or away for a moment.
            CommentError::Server => 503,
        }
    }
}

impl CommentError {
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            CommentError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

crate::form_error_from_server_fn!(CommentError, bad_request: CommentError::BadRequest, server: CommentError::Server);

#[cfg(feature = "ssr")]
impl From<crate::core::context::MissingContext> for CommentError {
    fn from(_: crate::core::context::MissingContext) -> CommentError {
        CommentError::Server
    }
}

/// What the reader gets back for an accepted (or quietly binned) comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    pub comment: Comment,
    pub pending: bool,
}
