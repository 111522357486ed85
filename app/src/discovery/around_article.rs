//! (server) Loading the blocks around an article and the front page's Popular list.

use leptos::prelude::*;

use super::share::ShareLinks;
use super::store;
use super::types::{ArticleDiscovery, Teaser, LIST_LEN};
use super::views::{Readership, Visitor, ARTICLE_HEADER};
use crate::articles::Article;
use crate::core::context::from_context;
use crate::core::SiteUrl;

/// Counts this request as a view of the article and loads the blocks around it.
pub async fn for_article(article: &Article) -> Result<ArticleDiscovery, ServerFnError> {
    let db = crate::db::from_context()?;
    let site_url: SiteUrl = from_context()?;
    let readership: Readership = from_context()?;
    readership.record(article.id, &Visitor::from_request().await);
    // A copy of this page served from the render cache counts its view by this header.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::HeaderName::from_static(ARTICLE_HEADER), http::HeaderValue::from(article.id));
    }
    let share = ShareLinks::new(&site_url.join(&article.card.href()), &article.card.title);
    let related = store::related(&db, article.id, LIST_LEN).await?;
    let shown: Vec<i64> = related.iter().map(|(id, _)| *id).collect();
    let more_like_this = store::more_like_this(&db, article.id, &shown, LIST_LEN).await?;
    let popular = readership.popular(&db).await?;
    let popular = popular.into_iter().filter(|(id, _)| *id != article.id).take(LIST_LEN).map(|(_, t)| t).collect();
    Ok(ArticleDiscovery {
        share,
        related: related.into_iter().map(|(_, t)| t).collect(),
        more_like_this: more_like_this.into_iter().map(|(_, t)| t).collect(),
        popular,
    })
}

/// The front page's Popular list.
pub async fn popular_for_front_page() -> Result<Vec<Teaser>, ServerFnError> {
    let db = crate::db::from_context()?;
    let readership: Readership = from_context()?;
    Ok(readership.popular(&db).await?.into_iter().take(LIST_LEN).map(|(_, t)| t).collect())
}
