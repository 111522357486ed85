//! `/article/{slug}`: the story, and around it every feature a reader meets there.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::articles::{Article, ArticleHead, StoryText};
use crate::comments::{Comment, CommentPage, CommentSection, ReaderState};
use crate::core::{LoadError, NotFound};
use crate::discovery::{ArticleDiscovery, ArticleDiscoveryBlocks, SharePost};
use crate::newsletter::{Placement, SubscribeForm};

/// Everything the article page shows, fetched in one round trip.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ArticlePageData {
    pub article: Article,
    pub comments: Vec<Comment>,
    pub comment_page: CommentPage,
    pub reader: ReaderState,
    pub discovery: ArticleDiscovery,
}

#[server]
pub async fn article_page(
    slug: String,
    cpage: Option<String>,
    draft: Option<String>,
) -> Result<Option<ArticlePageData>, ServerFnError> {
    use crate::comments::{store as comments, THREADS_PER_PAGE};
    let Some(slug) = crate::core::Slug::parse(&slug) else { return Ok(None) };
    let db = crate::db::from_context()?;
    let cache: crate::articles::cache::ArticleCache = crate::core::context::from_context()?;
    let Some(article) = cache.story(&db, &slug).await? else { return Ok(None) };
    let article = article.as_ref().clone();
    // A page number past the end or not a number shows the nearest real page (known once the
    // counts are: they come with the page asked for).
    let asked = cpage.and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
    let (mut list, (total, threads)) = comments::approved_page(&db, article.id, THREADS_PER_PAGE, asked).await?;
    let pages = crate::core::pagination::page_count(threads, THREADS_PER_PAGE);
    let page = asked.min(pages);
    if page != asked {
        list = comments::approved_page(&db, article.id, THREADS_PER_PAGE, page).await?.0;
    }
    let reader = crate::comments::reader::reader_state(&db, article.id, draft.as_deref()).await;
    let discovery = crate::discovery::for_article(&article).await?;
    Ok(Some(ArticlePageData {
        article,
        comments: list,
        comment_page: CommentPage { page, pages, total },
        reader,
        discovery,
    }))
}

/// `/article/{slug}`: headline, summary, byline and date, body, then the reader's parts.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = crate::core::codec::resource(
        move || {
            let query = query.read();
            (params.read().get("slug").unwrap_or_default(), query.get("cpage"), query.get("draft"))
        },
        |(slug, cpage, draft)| article_page(slug, cpage, draft),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the story…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <ArticleView page/> }.into_any(),
                    Ok(None) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ArticleView(page: ArticlePageData) -> impl IntoView {
    let ArticlePageData { article, comments, comment_page, reader, discovery } = page;
    let slug = article.card.slug.clone();
    let article_id = article.id;
    view! {
        <ArticleHead article=article.clone()/>
        <StoryText
            article
            share=view! { <SharePost share=discovery.share.clone()/> }.into_any()
            footer=view! {
                <SubscribeForm
                    place=Placement::Article
                    heading="Enjoyed this story?"
                    blurb="Get the week's local news from the Courier in your inbox every Friday: the stories that matter, the meetings worth knowing about, nothing else. Free; leave with one click."
                />
            }
                .into_any()
        />
        <ArticleDiscoveryBlocks discovery/>
        <CommentSection article=slug article_id comments comment_page reader/>
    }
}
