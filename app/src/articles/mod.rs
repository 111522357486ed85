//! Articles: what a reader sees of them in lists and on section, tag and author pages, the
//! types the server sends to those pages, and (server only) the SQL behind them. The article
//! page itself, where the features meet, is composed in `site`.

#[cfg(feature = "ssr")]
pub mod cache;
pub mod head;
mod listing_page;
mod sections;
#[cfg(feature = "ssr")]
pub mod store;
pub mod story_card;
mod story_text;
pub mod types;

pub use head::ArticleHead;
pub use listing_page::{AuthorPage, CategoryPage, TagPage};
pub use sections::list_categories;
pub use story_card::StoryCard;
pub use story_text::StoryText;
pub use types::{Article, ArticleCard, CategoryLink, Section, TagLink};
