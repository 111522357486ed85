use leptos::prelude::*;

/// Shown when the server could not load a page's data (database down, network gone on a
/// client-side navigation). Answers 500 on the server; the reader's fault pages are 404s.
#[component]
pub fn LoadError(error: ServerFnError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    tracing::error!(%error, "page data failed to load");
    #[cfg(not(feature = "ssr"))]
    let _ = error;
    super::form::set_status(500);
    view! {
        <section class="load-error" role="alert">
            <h1>"This page could not be loaded"</h1>
            <p>"Something went wrong on our side. Please try again in a moment."</p>
        </section>
    }
}
