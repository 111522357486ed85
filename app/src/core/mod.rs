//! The shared kernel every feature builds on: slugs, dates, typed site paths, the site's
//! identity, how page data travels, the `<head>` tags, and (server) the form answer, the
//! client's address and context lookup. Imports no feature.

#[cfg(feature = "ssr")]
pub mod client;
pub mod codec;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod email;
pub mod form;
pub mod head;
mod load_error;
mod not_found;
pub mod pagination;
pub mod paths;
pub mod publication;
mod site_url;
mod slug;
#[cfg(feature = "ssr")]
mod stored_text;
pub mod time;
#[cfg(feature = "ssr")]
pub mod versioned_cache;

/// Set by the page's start script (a session cookie, the same for everyone): this browser runs
/// the app, so it fetches what is personal itself and can be given the page every reader shares.
pub const RUNS_SCRIPTS_COOKIE: &str = "js";

/// Dispatched on `window` by the page's navigation just before it replaces the page's content:
/// what the replaced islands hold open (the live comment stream) closes.
pub const LEAVE_EVENT: &str = "newsroom:leave";

/// Called first thing in an island that is part of the page's `<main>`: when the navigation
/// replaces the content, the island's reactive owner (its signals, effects and their closures)
/// is disposed. Leptos otherwise keeps every island's owner for the life of the tab, so a
/// reader going from story to story would keep every story's comment section in memory.
pub fn end_with_the_page() {
    #[cfg(feature = "hydrate")]
    if let Some(owner) = leptos::prelude::Owner::current() {
        use leptos::prelude::{set_timeout, window_event_listener_untyped, WindowListenerHandle};
        let slot = std::rc::Rc::new(std::cell::Cell::new(None::<WindowListenerHandle>));
        let listener = slot.clone();
        let handle = window_event_listener_untyped(LEAVE_EVENT, move |_| {
            if let Some(handle) = listener.take() {
                handle.remove();
            }
            // After the event's other listeners (the live stream's own) have run.
            let owner = owner.clone();
            set_timeout(move || owner.cleanup(), std::time::Duration::ZERO);
        });
        slot.set(Some(handle));
    }
}

pub use email::Email;
pub use load_error::{not_to_be_kept, LoadError, RETRY_AFTER_SECONDS};
pub use not_found::NotFound;
pub use pagination::Pagination;
pub use publication::SITE_NAME;
pub use site_url::SiteUrl;
pub use slug::Slug;
#[cfg(feature = "ssr")]
pub use time::Timestamp;
pub use time::{Published, PublishedDate};
