//! The paginated story lists: a section (`/category/{slug}`), a tag (`/tag/{slug}`) and an
//! author with their biography (`/author/{slug}`). One server function and one view serve all
//! three; they differ only in what they list and how the page introduces it.

use leptos::prelude::*;
use leptos_meta::Link;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use super::story_card::StoryCard;
use super::types::ArticleCard;
use crate::core::head::PageHead;
use crate::core::{paths, LoadError, NotFound, Pagination, Slug, SITE_NAME};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListingKind {
    Category,
    Tag,
    Author,
}

impl ListingKind {
    fn path(self, slug: &Slug) -> String {
        match self {
            ListingKind::Category => paths::category(slug),
            ListingKind::Tag => paths::tag(slug),
            ListingKind::Author => paths::author(slug),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListingPageData {
    pub kind: ListingKind,
    pub slug: Slug,
    pub name: String,
    /// An author's biography.
    pub intro: Option<String>,
    pub articles: Vec<ArticleCard>,
    pub page: i64,
    pub pages: i64,
}

/// A page of a listing, newest first. `None` for an unknown slug or a page past the end.
#[server]
pub async fn listing_page(
    kind: ListingKind,
    slug: String,
    page: i64,
) -> Result<Option<ListingPageData>, ServerFnError> {
    use super::store::{self, Listing};
    const STORIES_PER_PAGE: i64 = 10;
    let Some(slug) = Slug::parse(&slug) else { return Ok(None) };
    if page < 1 {
        return Ok(None);
    }
    let pool = crate::db::from_context()?;
    let found = match kind {
        ListingKind::Category => {
            store::category_by_slug(&pool, &slug).await?.map(|(id, c)| (Listing::Category(id), c.name, None))
        }
        ListingKind::Tag => store::tag_by_slug(&pool, &slug).await?.map(|(id, t)| (Listing::Tag(id), t.name, None)),
        ListingKind::Author => store::author_by_slug(&pool, &slug)
            .await?
            .map(|(id, name, bio)| (Listing::Author(id), name, Some(bio).filter(|b| !b.trim().is_empty()))),
    };
    let Some((listing, name, intro)) = found else { return Ok(None) };
    let total = store::count_listed(&pool, listing).await?;
    let pages = crate::core::pagination::page_count(total, STORIES_PER_PAGE);
    if page > pages {
        return Ok(None);
    }
    let articles = store::latest_listed(&pool, listing, STORIES_PER_PAGE, (page - 1) * STORIES_PER_PAGE).await?;
    Ok(Some(ListingPageData { kind, slug, name, intro, articles, page, pages }))
}

/// `?page=N`; a value that is not a positive number names no page.
fn requested_page(raw: Option<String>) -> i64 {
    match raw {
        None => 1,
        Some(raw) => raw.parse().unwrap_or(0),
    }
}

/// `/category/{slug}?page=N`: a section's stories, newest first, paginated.
#[component]
pub fn CategoryPage() -> impl IntoView {
    view! { <ListingPage kind=ListingKind::Category/> }
}

/// `/tag/{slug}?page=N`: the stories with a tag.
#[component]
pub fn TagPage() -> impl IntoView {
    view! { <ListingPage kind=ListingKind::Tag/> }
}

/// `/author/{slug}?page=N`: an author's biography and stories.
#[component]
pub fn AuthorPage() -> impl IntoView {
    view! { <ListingPage kind=ListingKind::Author/> }
}

#[component]
fn ListingPage(kind: ListingKind) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = crate::core::codec::resource(
        move || {
            let slug = params.read().get("slug").unwrap_or_default();
            (slug, requested_page(query.read().get("page")))
        },
        move |(slug, page)| listing_page(kind, slug, page),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <ListingView page/> }.into_any(),
                    Ok(None) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListingView(page: ListingPageData) -> impl IntoView {
    let ListingPageData { kind, slug, name, intro, articles, page, pages } = page;
    let base = kind.path(&slug);
    let page_href = move |n: i64| paths::page(&base, n);
    let (heading, description) = match kind {
        ListingKind::Category => (name.clone(), format!("The latest {name} stories from the Northfield Courier.")),
        ListingKind::Tag => {
            (format!("Stories tagged {name}"), format!("Stories about {name} from the Northfield Courier."))
        }
        ListingKind::Author => {
            (name.clone(), intro.clone().unwrap_or_else(|| format!("Stories by {name} for the Northfield Courier.")))
        }
    };
    let title = if page > 1 { format!("{heading} — page {page}") } else { heading.clone() };
    // Sections have their own feed.
    let feed = (kind == ListingKind::Category).then(|| paths::category_feed(&slug));
    let feed_title = format!("{name} — {SITE_NAME}");
    view! {
        <PageHead title description path=page_href(page)/>
        {feed.map(|href| view! { <Link rel="alternate" type_="application/rss+xml" title=feed_title href=href/> })}
        <section class="category" class:tag-page=kind == ListingKind::Tag class:author-page=kind == ListingKind::Author>
            {(kind == ListingKind::Tag).then(|| view! { <p class="kicker">"Tag"</p> })}
            <h1 class="section-title">{heading}</h1>
            {intro.map(|bio| view! { <p class="author-bio">{bio}</p> })}
            // The cards' headlines are h3s: this keeps the outline h1 → h2 → h3.
            <h2 class="visually-hidden">"Latest stories"</h2>
            <div class="category-stories">
                {articles.into_iter().map(|card| view! { <StoryCard card/> }).collect_view()}
            </div>
            <Pagination
                page
                pages
                prev_href=(page > 1).then(|| page_href(page - 1))
                next_href=(page < pages).then(|| page_href(page + 1))
            />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::requested_page;

    #[test]
    fn page_numbers_parse_or_name_no_page() {
        assert_eq!(requested_page(None), 1);
        assert_eq!(requested_page(Some("3".into())), 3);
        assert_eq!(requested_page(Some("abc".into())), 0);
        assert_eq!(requested_page(Some("-2".into())), -2);
    }
}
