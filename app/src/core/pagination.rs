use leptos::prelude::*;

/// "← Newer · Page 2 of 5 · Older →" under a paginated list; nothing for a single page.
#[component]
pub fn Pagination(
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    #[prop(default = "← Newer stories")] prev_label: &'static str,
    #[prop(default = "Older stories →")] next_label: &'static str,
) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages">
                {prev_href.map(|href| view! { <a rel="prev" href=href>{prev_label}</a> })}
                <span class="page-of">{format!("Page {page} of {pages}")}</span>
                {next_href.map(|href| view! { <a rel="next" href=href>{next_label}</a> })}
            </nav>
        }
    })
}

/// How many pages `total` items fill at `per_page` a page (at least one).
pub fn page_count(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}
