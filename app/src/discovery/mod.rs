//! Discovery: what leads a reader from one story to the next — Share post, Popular, Related,
//! More like this, and search. Tag and author pages live with the other article listings.

mod lists;
pub mod search;
pub mod share;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
#[cfg(feature = "ssr")]
pub mod views;

pub use lists::{ArticleDiscoveryBlocks, PopularStories};
#[cfg(feature = "ssr")]
pub use lists::popular_for_front_page;
pub use search::SearchPage;
pub use share::{SharePost, ShareLinks};

use serde::{Deserialize, Serialize};

use crate::articles::Published;

/// Characters of a summary shown under a headline in the discovery lists.
pub const EXCERPT_CHARS: usize = 120;
/// Items in each of Related, More like this and Popular.
pub const LIST_LEN: usize = 5;

/// A story in a short list: headline, excerpt (trimmed on a word boundary with "…"), date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teaser {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub published: Published,
}

impl Teaser {
    pub fn href(&self) -> String {
        format!("/article/{}", self.slug)
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

/// (server) Counts this request as a view of the article and loads the blocks around it.
#[cfg(feature = "ssr")]
pub async fn for_article(article: &crate::articles::Article) -> Result<ArticleDiscovery, leptos::prelude::ServerFnError> {
    use leptos::prelude::*;
    let pool = crate::db::pool()?;
    let site_url = use_context::<crate::site::SiteUrl>()
        .ok_or_else(|| ServerFnError::new("site URL missing from context"))?;
    let readership = use_context::<views::Readership>()
        .ok_or_else(|| ServerFnError::new("readership missing from context"))?;
    readership.record(article.id, &views::Visitor::from_request().await);
    // A copy of this page served from the render cache counts its view by this header.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::HeaderName::from_static(views::ARTICLE_HEADER),
            http::HeaderValue::from(article.id),
        );
    }
    let share = ShareLinks::new(&site_url.join(&article.card.href()), &article.card.title);
    let related = store::related(&pool, article.id, LIST_LEN).await?;
    let shown: Vec<i64> = related.iter().map(|(id, _)| *id).collect();
    let more_like_this = store::more_like_this(&pool, article.id, &shown, LIST_LEN).await?;
    let popular = readership.popular(&pool).await?;
    let popular = popular.into_iter().filter(|(id, _)| *id != article.id).take(LIST_LEN).map(|(_, t)| t).collect();
    Ok(ArticleDiscovery {
        share,
        related: related.into_iter().map(|(_, t)| t).collect(),
        more_like_this: more_like_this.into_iter().map(|(_, t)| t).collect(),
        popular,
    })
}
