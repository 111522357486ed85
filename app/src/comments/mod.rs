//! Reader comments under each article: the threaded list, "Leave a reply" (one server
//! function, with and without JavaScript), and (server only) the guards and SQL behind them.

#[cfg(feature = "ssr")]
pub mod cookies;
mod form;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod input;
mod list;
pub mod live;
pub mod outcome;
pub mod post;
#[cfg(feature = "ssr")]
pub mod queue;
pub mod reader;
#[cfg(feature = "ssr")]
pub mod reply_mail;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;

pub use list::CommentSection;
pub use reader::ReaderState;
pub use types::{Comment, CommentPage, CommentStatus, THREADS_PER_PAGE};
