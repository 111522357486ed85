//! `/search?q=…`: the search box in the header and the results page. Reader input never
//! reaches FTS5's query syntax: it is reduced to words, each quoted.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

use crate::articles::{card::PublishedDate, Pagination, Published};
use crate::site::LoadError;

/// What a reader typed into the search box, as words to search for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// The input as the page shows it back (trimmed, at most `MAX_SHOWN` characters).
    shown: String,
    terms: Vec<String>,
    /// Words beyond `MAX_TERMS` were left out.
    cut: bool,
}

impl SearchQuery {
    pub const MAX_TERMS: usize = 10;
    pub const MAX_TERM_CHARS: usize = 40;
    pub const MAX_SHOWN: usize = 200;

    /// Any text is a query: operators, quotes and markup are just characters between words.
    pub fn parse(raw: &str) -> SearchQuery {
        let raw = raw.trim();
        let shown = crate::discovery::text::excerpt(raw, Self::MAX_SHOWN);
        let mut terms: Vec<String> = Vec::new();
        let mut cut = false;
        for word in crate::discovery::text::words(raw) {
            let word: String = word.chars().take(Self::MAX_TERM_CHARS).collect();
            if terms.contains(&word) {
                continue;
            }
            if terms.len() == Self::MAX_TERMS {
                cut = true;
                break;
            }
            terms.push(word);
        }
        SearchQuery { shown, terms, cut }
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The FTS5 expression: every word quoted as a string (so `NEAR`, `OR`, `*` and `:` are
    /// plain words), all of them required. `None` when there is nothing to search for.
    pub fn match_expression(&self) -> Option<String> {
        // Words hold only letters and digits, so none contains a double quote.
        (!self.terms.is_empty()).then(|| self.terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" "))
    }
}

/// Part of a headline or snippet; `hit` parts matched the query and are highlighted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub slug: String,
    pub title: Vec<SnippetPart>,
    pub snippet: Vec<SnippetPart>,
    pub section: String,
    pub published: Published,
}

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
    let pool = crate::db::pool()?;
    let requested = page.and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(1).max(1);
    let (total, _) = super::store::search(&pool, &query, 0, 0).await?;
    let pages = ((total + RESULTS_PER_PAGE - 1) / RESULTS_PER_PAGE).max(1);
    // A page past the end shows the last one.
    let page = requested.min(pages);
    let (_, hits) = super::store::search(&pool, &query, RESULTS_PER_PAGE, (page - 1) * RESULTS_PER_PAGE).await?;
    let href = |n: i64| search_href(q.as_deref().unwrap_or(""), n);
    Ok(SearchPageData {
        query: query.shown().to_owned(),
        searched: query.match_expression().is_some(),
        cut: query.cut,
        hits,
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    })
}

/// `/search?q=…&page=N` with the query percent-encoded (everything but letters, digits and
/// `-._~`), the same on the server and in the browser.
pub fn search_href(q: &str, page: i64) -> String {
    let mut href = String::from("/search?q=");
    for byte in q.trim().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            href.push(byte as char);
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    if page > 1 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

/// The search box: a plain GET form to `/search`; once the app runs, the results load in
/// place. (The router's `<Form>` would add an empty `&=` for the unnamed button.)
#[component]
pub fn SearchForm(
    /// `id` of the input, unique on the page.
    id: &'static str,
    /// The landmark's name, unique on the page.
    label: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let navigate = use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(field) = input.get() {
            ev.prevent_default();
            navigate(&search_href(&field.value(), 1), Default::default());
        }
    };
    view! {
        <form action="/search" method="get" class=class role="search" aria-label=label on:submit=submit>
            <label class="visually-hidden" for=id>"Search stories"</label>
            <input node_ref=input id=id type="search" name="q" value=value maxlength="2000" placeholder="Search stories" required/>
            <button type="submit">"Search"</button>
        </form>
    }
}

/// `/search?q=…&page=N`.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let data = crate::site::codec::resource(
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
    let href = format!("/article/{}", hit.slug);
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

#[cfg(test)]
mod tests {
    use super::{search_href, SearchQuery};

    #[test]
    fn search_links_encode_the_query() {
        assert_eq!(search_href(" harbour bridge ", 1), "/search?q=harbour%20bridge");
        assert_eq!(search_href("a&b=c/ü\"<", 3), "/search?q=a%26b%3Dc%2F%C3%BC%22%3C&page=3");
    }

    #[test]
    fn words_are_quoted_and_operators_are_plain_words() {
        let q = SearchQuery::parse("  harbour NEAR(bridge, 3) OR tram* \"quoted\" col:umn ^start ");
        assert_eq!(
            q.match_expression().unwrap(),
            r#""harbour" "near" "bridge" "3" "or" "tram" "quoted" "col" "umn" "start""#
        );
        assert_eq!(q.shown(), "harbour NEAR(bridge, 3) OR tram* \"quoted\" col:umn ^start");
    }

    #[test]
    fn hostile_input_becomes_words_or_nothing() {
        assert_eq!(SearchQuery::parse("'; DROP TABLE articles; --").terms(), ["drop", "table", "articles"]);
        assert_eq!(SearchQuery::parse("<script>alert(1)</script>").terms(), ["script", "alert", "1"]);
        for nothing in ["", "   ", "\"\"", "*", "()", "-- ;", "\u{E000}\u{E001}"] {
            assert!(SearchQuery::parse(nothing).match_expression().is_none(), "{nothing:?}");
        }
    }

    #[test]
    fn long_input_is_bounded() {
        let long = "word ".repeat(400) + &"x".repeat(2000);
        let q = SearchQuery::parse(&long);
        assert_eq!(q.terms(), ["word", &"x".repeat(SearchQuery::MAX_TERM_CHARS)]);
        assert!(q.shown().chars().count() <= SearchQuery::MAX_SHOWN);
        let many: String = (0..30).map(|i| format!("w{i} ")).collect();
        let q = SearchQuery::parse(&many);
        assert_eq!(q.terms().len(), SearchQuery::MAX_TERMS);
        assert!(q.cut);
    }
}
