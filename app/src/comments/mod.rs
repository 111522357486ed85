//! Reader comments under each article: the threaded list, "Leave a reply" (one server
//! function, with and without JavaScript), and (server only) the guards and SQL behind them.

mod form;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod input;
mod list;
pub mod live;
pub mod post;
#[cfg(feature = "ssr")]
pub mod store;

pub use list::CommentSection;

use serde::{Deserialize, Serialize};

use crate::articles::Published;
use input::CommentForm;
use post::CommentError;

/// An approved comment as readers see it. The e-mail address never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body: String,
    pub published: Published,
}

/// Which page of a long discussion is shown (`?cpage=N`, 50 threads a page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPage {
    pub page: i64,
    pub pages: i64,
    /// Approved comments on all pages.
    pub total: i64,
}

pub const THREADS_PER_PAGE: i64 = 50;

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
