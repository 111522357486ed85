use leptos::prelude::*;
use leptos_meta::Title;

/// The page for any unknown path or slug; answers with HTTP 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    super::form::set_status(404);
    view! {
        <Title text="Page not found"/>
        <section class="not-found">
            <h1>"We couldn't find that page"</h1>
            <p>"The link may be mistyped, or the story may have moved."</p>
            <p><a href="/">"Back to the front page"</a></p>
        </section>
    }
}
