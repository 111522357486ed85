//! Where the features meet: the pages that compose them (front page, article page), what
//! surrounds every page (header with navigation, footer), and the bundles that start the app.

mod article_page;
pub mod bundles;
mod footer;
mod front_page;
mod header;

pub use article_page::ArticlePage;
pub use footer::Footer;
pub use front_page::FrontPage;
pub use header::Header;

/// Marks `<html data-hydrated>` once the wasm has taken over the page. Effects never run on
/// the server, so the attribute proves hydration (end-to-end tests wait for it).
pub fn mark_hydrated() {
    leptos::prelude::Effect::new(|_| {
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
