//! What the server sends to the article pages and lists.

use serde::{Deserialize, Serialize};

use crate::core::{paths, Published, Slug};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub slug: Slug,
    pub name: String,
}

impl CategoryLink {
    pub fn href(&self) -> String {
        paths::category(&self.slug)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagLink {
    pub slug: Slug,
    pub name: String,
}

impl TagLink {
    pub fn href(&self) -> String {
        paths::tag(&self.slug)
    }
}

/// An article as a list shows it: headline, summary, section, byline, date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleCard {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub category: CategoryLink,
    pub author: String,
    pub author_slug: Slug,
    pub published: Published,
}

impl ArticleCard {
    pub fn href(&self) -> String {
        paths::article(&self.slug)
    }

    pub fn author_href(&self) -> String {
        paths::author(&self.author_slug)
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

/// A section's newest stories, as the front page shows them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Section {
    pub category: CategoryLink,
    pub articles: Vec<ArticleCard>,
}
