//! Moments as pages show them. Formatted on the server so the wasm bundle carries no date
//! library and both renders agree.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A moment as the page shows it: machine-readable for `<time datetime>`, human-readable text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub iso: String,
    pub display: String,
}

#[cfg(feature = "ssr")]
impl From<chrono::DateTime<chrono::Utc>> for Published {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Published {
        Published {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            display: t.format("%-d %B %Y").to_string(),
        }
    }
}

/// `<time datetime=…>` with the human date.
#[component]
pub fn PublishedDate(published: Published) -> impl IntoView {
    view! { <time datetime=published.iso>{published.display}</time> }
}

/// (server) Renders a stored RFC 3339 time for a page. Invalid stored text is shown as-is
/// rather than failing the page.
#[cfg(feature = "ssr")]
pub fn published(stored: &str) -> Published {
    match chrono::DateTime::parse_from_rfc3339(stored) {
        Ok(t) => t.with_timezone(&chrono::Utc).into(),
        Err(_) => Published { iso: stored.to_owned(), display: stored.to_owned() },
    }
}
