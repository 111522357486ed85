use leptos::prelude::*;

/// Shown when the server could not load a page's data (database unreachable or restarting,
/// network gone on a client-side navigation). A reader's own mistakes are 404s elsewhere; this
/// is ours and passing, so the answer is 503 with `Retry-After`: browsers and crawlers come
/// back instead of keeping an error, and the render cache never stores it (it keeps only 200s).
#[component]
pub fn LoadError(error: ServerFnError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        tracing::error!(%error, "page data failed to load");
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
    }
    not_to_be_kept();
    #[cfg(not(feature = "ssr"))]
    let _ = error;
    super::form::set_status(503);
    view! {
        <section class="load-error" role="alert">
            <h1>"This page could not be loaded"</h1>
            <p>"Something went wrong on our side. Please try again in a moment."</p>
        </section>
    }
}

/// How long a reader's browser or a crawler is asked to wait before trying a failed page (or a
/// failed server function, `server::middleware::safe_answers`) again.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// (server) Marks the page being rendered `no-store`: part of it failed to load (and shows a
/// fallback), so neither the render cache nor a browser may keep it.
pub fn not_to_be_kept() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    }
}
