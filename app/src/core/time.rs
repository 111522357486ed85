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

/// (server) A moment as stored: UTC, RFC 3339 with milliseconds, always the same width
/// (`2026-11-20T08:30:00.000Z`), so the database orders and compares the text as time.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(chrono::DateTime<chrono::Utc>);

#[cfg(feature = "ssr")]
impl Timestamp {
    pub fn now() -> Timestamp {
        chrono::Utc::now().into()
    }

    pub fn time(self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }

    /// The stored text.
    pub fn stored(&self) -> String {
        self.0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    fn parse(stored: &str) -> Result<Timestamp, chrono::ParseError> {
        chrono::DateTime::parse_from_rfc3339(stored).map(|t| t.with_timezone(&chrono::Utc).into())
    }
}

/// Kept to the millisecond, the precision it is stored with, so a value read back is equal.
#[cfg(feature = "ssr")]
impl From<chrono::DateTime<chrono::Utc>> for Timestamp {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Timestamp {
        use chrono::{DurationRound, TimeDelta};
        Timestamp(t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t))
    }
}

#[cfg(feature = "ssr")]
impl std::ops::Add<chrono::TimeDelta> for Timestamp {
    type Output = Timestamp;

    fn add(self, delta: chrono::TimeDelta) -> Timestamp {
        Timestamp(self.0 + delta)
    }
}

#[cfg(feature = "ssr")]
impl std::ops::Sub<chrono::TimeDelta> for Timestamp {
    type Output = Timestamp;

    fn sub(self, delta: chrono::TimeDelta) -> Timestamp {
        Timestamp(self.0 - delta)
    }
}

#[cfg(feature = "ssr")]
impl From<Timestamp> for Published {
    fn from(t: Timestamp) -> Published {
        t.0.into()
    }
}

#[cfg(feature = "ssr")]
crate::stored_as_text!(Timestamp, Timestamp::parse, Timestamp::stored);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_times_have_one_width_so_text_order_is_time_order() {
        let a = Timestamp::from(chrono::Utc.with_ymd_and_hms(2026, 11, 20, 8, 30, 0).unwrap());
        assert_eq!(a.stored(), "2026-11-20T08:30:00.000Z");
        let b = a + chrono::TimeDelta::milliseconds(5);
        assert_eq!(b.stored(), "2026-11-20T08:30:00.005Z");
        assert!(a.stored() < b.stored());
        assert_eq!(Timestamp::parse("2026-11-20T08:30:00Z").unwrap(), a, "older rows read back the same");
        assert_eq!(Published::from(a).iso, "2026-11-20T08:30:00Z");
        assert_eq!(Published::from(a).display, "20 November 2026");
    }
}
