//! (server) Loading the blocks around an article and the front page's Popular list.

use std::sync::Arc;

use leptos::prelude::*;

use super::share::ShareLinks;
use super::store;
use super::types::{ArticleDiscovery, Teaser, LIST_LEN};
use super::views::{Readership, Visitor, ARTICLE_HEADER};
use crate::articles::Article;
use crate::core::context::from_context;
use crate::core::versioned_cache::VersionedCache;
use crate::core::SiteUrl;
use crate::db::Db;

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
    let lists: ArticleLists = from_context()?;
    let (related, more_like_this) = lists.for_article(&db, article.id).await?.as_ref().clone();
    let popular = readership.popular(&db).await?;
    let popular = popular.into_iter().filter(|(id, _)| *id != article.id).take(LIST_LEN).map(|(_, t)| t).collect();
    Ok(ArticleDiscovery { share, related, more_like_this, popular })
}

/// Related and More like this of each story, worked out once while the stories stay as they
/// are (`Db::articles_version`: comments and views do not move it), not on every rendering.
#[derive(Clone)]
pub struct ArticleLists(VersionedCache<i64, Arc<Lists>>);

/// Related, then More like this.
type Lists = (Vec<Teaser>, Vec<Teaser>);

impl Default for ArticleLists {
    fn default() -> Self {
        // About 4 KB a story: the lists of the most-read stories of a large archive.
        ArticleLists(VersionedCache::new(4096))
    }
}

impl ArticleLists {
    pub async fn for_article(&self, db: &Db, id: i64) -> sqlx::Result<Arc<Lists>> {
        let version = db.articles_version().await?;
        if let Some(lists) = self.0.get(version, &id) {
            return Ok(lists);
        }
        let related = store::related(db, id, LIST_LEN).await?;
        let shown: Vec<i64> = related.iter().map(|(id, _)| *id).collect();
        let more_like_this = store::more_like_this(db, id, &shown, LIST_LEN).await?;
        let without_ids = |list: Vec<(i64, Teaser)>| list.into_iter().map(|(_, t)| t).collect();
        let lists = Arc::new((without_ids(related), without_ids(more_like_this)));
        self.0.put(version, id, lists.clone());
        Ok(lists)
    }
}

/// The front page's Popular list.
pub async fn popular_for_front_page() -> Result<Vec<Teaser>, ServerFnError> {
    let db = crate::db::from_context()?;
    let readership: Readership = from_context()?;
    Ok(readership.popular(&db).await?.into_iter().take(LIST_LEN).map(|(_, t)| t).collect())
}
