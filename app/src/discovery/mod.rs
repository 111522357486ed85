//! Discovery: what leads a reader from one story to the next — Share post, Popular, Related,
//! More like this, and search. Tag and author pages live with the other article listings.

#[cfg(feature = "ssr")]
pub mod around_article;
mod lists;
pub mod search;
#[cfg(feature = "ssr")]
pub mod search_cache;
pub mod search_query;
pub mod share;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
#[cfg(feature = "ssr")]
pub mod views;

#[cfg(feature = "ssr")]
pub use around_article::{for_article, popular_for_front_page, ArticleLists};
pub use lists::{ArticleDiscoveryBlocks, PopularStories};
pub use search::{SearchForm, SearchPage};
pub use share::{ShareLinks, SharePost};
pub use types::{ArticleDiscovery, Teaser};
