//! The shared Leptos crate: every page a reader sees, the route table, and the server
//! functions behind them. Compiled twice: with `ssr` into the server, with `hydrate` into the
//! wasm bundle. Anything only the server needs sits behind `#[cfg(feature = "ssr")]` in the
//! feature's `store` module.

pub mod articles;
pub mod comments;
#[cfg(feature = "ssr")]
pub mod db;
pub mod newsletter;
pub mod site;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use articles::{ArticlePage, CategoryPage, FrontPage};
use newsletter::{ConfirmPage, UnsubscribePage};
use site::{Footer, Header, NotFound};

/// The HTML document around the app. The stylesheet and hydration scripts are named from
/// the same `LeptosOptions` that cargo-leptos builds with, so the page always asks for the
/// files that `target/site/pkg` holds.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let stylesheet = stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href=stylesheet/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="alternate" type="application/rss+xml" title=site::SITE_NAME href="/feed.xml"/>
                <link rel="alternate" type="application/atom+xml" title=site::SITE_NAME href="/atom.xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// `/pkg/newsroom.<hash>.css` with `hash-files` (the hash from the `hash.txt` cargo-leptos
/// writes beside the server binary), read once rather than on every page.
fn stylesheet_href(options: &LeptosOptions) -> String {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| std::env::current_exe().ok()?.parent()?.join(options.hash_file.as_ref()).canonicalize().ok())
            .flatten()
            .and_then(|file| std::fs::read_to_string(file).ok())
            .and_then(|hashes| {
                hashes.lines().find_map(|line| line.trim().strip_prefix("css:").map(|hash| format!(".{}", hash.trim())))
            })
            .unwrap_or_default();
        format!("/{}/{}{hash}.css", options.site_pkg_dir, options.output_name)
    })
    .clone()
}

/// Every URL of the site. Content routes render with `SsrMode::Async` so the article text is
/// in the first HTML (readers without JavaScript, crawlers), not streamed in by script.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    site::head::provide_site_url();
    site::mark_hydrated();

    view! {
        <Title formatter=site::head::full_title/>
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <Header/>
            <main id="content" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=FrontPage ssr=SsrMode::Async/>
                    <Route path=path!("/article/:slug") view=ArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("/category/:slug") view=CategoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/newsletter/confirm") view=ConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("/newsletter/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
