//! `/search?q=…`: the search box in the header and the results page.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::search_query::{SearchHit, SearchQuery, SnippetPart};
use crate::core::{paths, LoadError, Pagination, PublishedDate};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPageData {
    /// The query as typed (shortened if very long); empty when nothing was asked.
    pub query: String,
    pub searched: bool,
    pub cut: bool,
    pub hits: Vec<SearchHit>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

pub const RESULTS_PER_PAGE: i64 = 10;

#[server]
pub async fn search_page(q: Option<String>, page: Option<String>) -> Result<SearchPageData, ServerFnError> {
    let query = SearchQuery::parse(q.as_deref().unwrap_or(""));
    let db = crate::db::from_context()?;
    let cache = crate::core::context::from_context::<super::search_cache::SearchCache>()?;
    let requested = page.and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(1).max(1);
    let at = |page: i64| cache.search(&db, &query, RESULTS_PER_PAGE, (page - 1) * RESULTS_PER_PAGE);
    let (total, mut hits) = at(requested).await?;
    let pages = crate::core::pagination::page_count(total, RESULTS_PER_PAGE);
    // A page past the end shows the last one.
    let page = requested.min(pages);
    if page != requested {
        hits = at(page).await?.1;
    }
    let href = |n: i64| paths::search(q.as_deref().unwrap_or(""), n);
    Ok(SearchPageData {
        query: query.shown().to_owned(),
        searched: query.match_expression().is_some(),
        cut: query.was_cut(),
        hits: hits.to_vec(),
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    })
}

/// The search box: a plain GET form to `/search`; once the app runs, the page's navigation
/// loads the results in place (`site::bundles`).
#[component]
pub fn SearchForm(
    /// `id` of the input, unique on the page.
    id: &'static str,
    /// The landmark's name, unique on the page.
    label: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <form action=paths::SEARCH method="get" class=class role="search" aria-label=label>
            <label class="visually-hidden" for=id>"Search stories"</label>
            <input id=id type="search" name="q" value=value maxlength="2000" placeholder="Search stories" required/>
            <button type="submit">"Search"</button>
        </form>
    }
}

/// `/search?q=…&page=N`.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let data = crate::core::codec::resource(
        move || {
            let query = query.read();
            (query.get("q"), query.get("page"))
        },
        |(q, page)| search_page(q, page),
    );
    view! {
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <SearchResults page/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SearchResults(page: SearchPageData) -> impl IntoView {
    let SearchPageData { query, searched, cut, hits, total, page, pages, prev_href, next_href } = page;
    let title = if query.is_empty() { "Search".to_string() } else { format!("Search: {query}") };
    let status = match (searched, total) {
        (false, _) if query.is_empty() => "Type a few words to search every story.".to_string(),
        (false, _) => format!("“{query}” has no words to search for. Try letters or numbers."),
        (true, 0) => format!("No stories match “{query}”. Try fewer or different words."),
        (true, 1) => format!("1 story matches “{query}”."),
        (true, n) => format!("{n} stories match “{query}”."),
    };
    view! {
        <Title text=title/>
        <section class="search">
            <h1>"Search"</h1>
            <SearchForm id="search-page-q" label="Search again" value=query.clone() class="search-page-form"/>
            <p class="search-status" role="status">{status}</p>
            {cut.then(|| view! {
                <p class="search-note">{format!("Only the first {} words were searched.", SearchQuery::MAX_TERMS)}</p>
            })}
            {(!hits.is_empty()).then(|| view! {
                <ol class="search-results" start=(page - 1) * RESULTS_PER_PAGE + 1>
                    {hits.into_iter().map(|hit| view! { <SearchResult hit/> }).collect_view()}
                </ol>
            })}
            <Pagination page pages prev_href next_href prev_label="← Previous results" next_label="More results →"/>
        </section>
    }
}

#[component]
fn SearchResult(hit: SearchHit) -> impl IntoView {
    let href = paths::article(&hit.slug);
    view! {
        <li class="search-result">
            <h2 class="headline"><a href=href><Marked parts=hit.title/></a></h2>
            <p class="snippet"><Marked parts=hit.snippet/></p>
            <p class="meta">{hit.section}" · "<PublishedDate published=hit.published/></p>
        </li>
    }
}

/// Text with the matched words in `<mark>`.
#[component]
fn Marked(parts: Vec<SnippetPart>) -> impl IntoView {
    parts
        .into_iter()
        .map(|part| if part.hit { view! { <mark>{part.text}</mark> }.into_any() } else { part.text.into_any() })
        .collect_view()
}
