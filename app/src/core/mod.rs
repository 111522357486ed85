//! The shared kernel every feature builds on: slugs, dates, typed site paths, the site's
//! identity, how page data travels, the `<head>` tags, and (server) the form answer, the
//! client's address and context lookup. Imports no feature.

#[cfg(feature = "ssr")]
pub mod client;
pub mod codec;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod email;
pub mod form;
pub mod head;
mod load_error;
mod not_found;
pub mod pagination;
pub mod paths;
pub mod publication;
mod site_url;
mod slug;
#[cfg(feature = "ssr")]
mod stored_text;
pub mod time;
#[cfg(feature = "ssr")]
pub mod versioned_cache;

/// Set by the page's start script (a session cookie, the same for everyone): this browser runs
/// the app, so it fetches what is personal itself and can be given the page every reader shares.
pub const RUNS_SCRIPTS_COOKIE: &str = "js";

/// Dispatched on `window` by the page's navigation just before it replaces the page's content:
/// what the replaced islands hold open (the live comment stream) closes.
pub const LEAVE_EVENT: &str = "newsroom:leave";

pub use email::Email;
pub use load_error::{not_to_be_kept, LoadError, RETRY_AFTER_SECONDS};
pub use not_found::NotFound;
pub use pagination::Pagination;
pub use publication::SITE_NAME;
pub use site_url::SiteUrl;
pub use slug::Slug;
#[cfg(feature = "ssr")]
pub use time::Timestamp;
pub use time::{Published, PublishedDate};
