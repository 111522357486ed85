//! Articles: what a reader sees of them (front page, article page, section, tag and author
//! pages), the types
//! the server sends to those pages, and (server only) the SQL behind them.

mod article_page;
pub(crate) mod card;
mod front_page;
mod listing_page;
mod slug;
#[cfg(feature = "ssr")]
pub mod store;

pub use article_page::ArticlePage;
pub use front_page::FrontPage;
pub use listing_page::{AuthorPage, CategoryPage, Pagination, TagPage};
pub use slug::Slug;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A moment as the page shows it: machine-readable for `<time datetime>`, human-readable text.
/// Formatted on the server so the wasm bundle carries no date library and both renders agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub iso: String,
    pub display: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub slug: String,
    pub name: String,
}

impl CategoryLink {
    pub fn href(&self) -> String {
        format!("/category/{}", self.slug)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagLink {
    pub slug: String,
    pub name: String,
}

impl TagLink {
    pub fn href(&self) -> String {
        format!("/tag/{}", self.slug)
    }
}

/// An article as a list shows it: headline, summary, section, byline, date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: CategoryLink,
    pub author: String,
    pub author_slug: String,
    pub published: Published,
}

impl ArticleCard {
    pub fn href(&self) -> String {
        format!("/article/{}", self.slug)
    }

    pub fn author_href(&self) -> String {
        format!("/author/{}", self.author_slug)
    }
}

/// A whole article. `body_html` was rendered from Markdown and sanitised when it was imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    pub card: ArticleCard,
    pub body_html: String,
    pub tags: Vec<TagLink>,
    pub updated: Published,
    /// The social-card picture: a site path or an absolute URL; `None` uses the site's default.
    pub image: Option<String>,
}

/// The sections for the navigation, in a stable order.
#[server]
pub async fn list_categories() -> Result<Vec<CategoryLink>, ServerFnError> {
    let pool = crate::db::pool()?;
    Ok(store::categories(&pool).await?)
}
