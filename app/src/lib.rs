//! The shared Leptos crate: every page a reader sees, the route table, and the server
//! functions behind them. Compiled twice: with `ssr` into the server, with `hydrate` into the
//! wasm bundle. Anything only the server needs sits behind `#[cfg(feature = "ssr")]` in the
//! feature's `store` module.

pub mod articles;
pub mod comments;
pub mod core;
#[cfg(feature = "ssr")]
pub mod db;
pub mod discovery;
pub mod newsletter;
#[cfg(feature = "ssr")]
pub mod publishing;
pub mod site;
pub mod staff;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::core::{paths, NotFound, SITE_NAME};
use articles::{AuthorPage, CategoryPage, TagPage};
use discovery::SearchPage;
use newsletter::{ConfirmPage, UnsubscribePage};
use site::{ArticlePage, Footer, FrontPage, Header};

/// The HTML document around the app. The stylesheet and the app's bundles are named from the
/// same `LeptosOptions` (and hashes) cargo-leptos builds with, so the page always asks for the
/// files that `target/site/pkg` holds.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let stylesheet = site::bundles::stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href=stylesheet/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="alternate" type="application/rss+xml" title=SITE_NAME href=paths::FEED/>
                <link rel="alternate" type="application/atom+xml" title=SITE_NAME href=paths::ATOM_FEED/>
                <AutoReload options=options.clone()/>
                <site::bundles::StartApp options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Every URL of the site. Content routes render with `SsrMode::Async` so the article text is
/// in the first HTML (readers without JavaScript, crawlers), not streamed in by script.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::core::head::provide_site_url();

    view! {
        <Title formatter=crate::core::head::full_title/>
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <Header/>
            <main id="content" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=FrontPage ssr=SsrMode::Async/>
                    <Route path=path!("/article/:slug") view=ArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("/category/:slug") view=CategoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/tag/:slug") view=TagPage ssr=SsrMode::Async/>
                    <Route path=path!("/author/:slug") view=AuthorPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/newsletter/confirm") view=ConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("/newsletter/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
