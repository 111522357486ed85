//! What the discovery blocks send to pages.

use serde::{Deserialize, Serialize};

use super::share::ShareLinks;
use crate::core::{paths, Published, Slug};

/// Characters of a summary shown under a headline in the discovery lists.
pub const EXCERPT_CHARS: usize = 120;
/// Items in each of Related, More like this and Popular.
pub const LIST_LEN: usize = 5;

/// A story in a short list: headline, excerpt (trimmed on a word boundary with "…"), date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teaser {
    pub slug: Slug,
    pub title: String,
    pub excerpt: String,
    pub published: Published,
}

impl Teaser {
    pub fn href(&self) -> String {
        paths::article(&self.slug)
    }
}

/// Everything the article page shows around the story, loaded with it in one round trip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDiscovery {
    pub share: ShareLinks,
    pub related: Vec<Teaser>,
    pub more_like_this: Vec<Teaser>,
    pub popular: Vec<Teaser>,
}
