use leptos::prelude::*;
use leptos_meta::Link;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use super::card::StoryCard;
use super::{ArticleCard, CategoryLink};
use crate::site::{LoadError, NotFound, PageHead};


#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CategoryPageData {
    pub category: CategoryLink,
    pub articles: Vec<ArticleCard>,
    pub page: i64,
    pub pages: i64,
}

/// A page of a section, newest first. `None` for an unknown section or a page past the end.
#[server]
pub async fn category_page(slug: String, page: i64) -> Result<Option<CategoryPageData>, ServerFnError> {
    const PER_PAGE: i64 = 10;
    let Some(slug) = super::Slug::parse(&slug) else { return Ok(None) };
    if page < 1 {
        return Ok(None);
    }
    let pool = crate::db::pool()?;
    let Some((category_id, category)) = super::store::category_by_slug(&pool, &slug).await? else {
        return Ok(None);
    };
    let total = super::store::count_in_category(&pool, category_id).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page > pages {
        return Ok(None);
    }
    let articles = super::store::latest_in_category(&pool, category_id, PER_PAGE, (page - 1) * PER_PAGE).await?;
    Ok(Some(CategoryPageData { category, articles, page, pages }))
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
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let slug = params.read().get("slug").unwrap_or_default();
            (slug, requested_page(query.read().get("page")))
        },
        |(slug, page)| category_page(slug, page),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <CategoryView page/> }.into_any(),
                    Ok(None) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CategoryView(page: CategoryPageData) -> impl IntoView {
    let CategoryPageData { category, articles, page, pages } = page;
    let base = category.href();
    let title = if page > 1 { format!("{} — page {page}", category.name) } else { category.name.clone() };
    let page_href = move |n: i64| if n == 1 { base.clone() } else { format!("{base}?page={n}") };
    let feed = format!("{}/feed.xml", category.href());
    view! {
        <PageHead
            title
            description=format!("The latest {} stories from the Northfield Courier.", category.name)
            path=page_href(page)
        />
        <Link rel="alternate" type_="application/rss+xml" title=format!("{} — {}", category.name, crate::site::SITE_NAME) href=feed/>
        <section class="category">
            <h1 class="section-title">{category.name.clone()}</h1>
            // The cards' headlines are h3s: this keeps the outline h1 → h2 → h3.
            <h2 class="visually-hidden">"Latest stories"</h2>
            <div class="category-stories">
                {articles.into_iter().map(|card| view! { <StoryCard card/> }).collect_view()}
            </div>
            {(pages > 1).then(|| view! {
                <nav class="pagination" aria-label="Pages">
                    {(page > 1).then(|| view! { <a rel="prev" href=page_href(page - 1)>"← Newer stories"</a> })}
                    <span class="page-of">{format!("Page {page} of {pages}")}</span>
                    {(page < pages).then(|| view! { <a rel="next" href=page_href(page + 1)>"Older stories →"</a> })}
                </nav>
            })}
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
