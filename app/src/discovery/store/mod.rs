//! (server) The only place that writes SQL for discovery: the search index (SQLite FTS5),
//! Related, More like this, view counts and Popular, search.

mod index;
mod lists;
pub(super) mod search;
mod teasers;
#[cfg(test)]
mod tests;
mod views;

pub use index::{describing_terms, frequent_words, index_article, index_missing, unindex_article};
pub use lists::{more_like_this, related};
pub use search::search;
pub use views::{add_views, most_viewed, popular};
