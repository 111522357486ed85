//! What surrounds every page: header with navigation, footer, the not-found page.

pub mod bundles;
#[cfg(feature = "ssr")]
pub mod client;
pub mod codec;
mod footer;
#[cfg(feature = "ssr")]
pub mod form_post;
pub mod head;
mod load_error;
mod header;
mod not_found;
mod site_url;

pub use footer::Footer;
pub use head::{ArticleHead, PageHead};
pub use load_error::LoadError;
pub use header::Header;
pub use not_found::NotFound;
pub use site_url::SiteUrl;

pub const SITE_NAME: &str = "The Northfield Courier";

/// Marks `<html data-hydrated>` once the wasm has taken over the page. Effects never run on
/// the server, so the attribute proves hydration (end-to-end tests wait for it).
pub fn mark_hydrated() {
    leptos::prelude::Effect::new(|_| {
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
