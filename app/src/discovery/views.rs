//! (server) Counting article views cheaply, and the Popular list built from them.
//!
//! A view is counted in memory (no database work while the page renders) and the counts are
//! written in one transaction every few seconds. Obvious bots and a client's repeat views of
//! one story within `REPEAT_WINDOW` are not counted; clients are told apart by a keyed hash
//! of address and browser that never leaves memory.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::net::IpAddr;

use super::types::{Teaser, LIST_LEN};
use crate::db::Db;

/// A second view of the same story by the same client within this time is not counted.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(30 * 60);
/// How often the view-flush worker re-reads the Popular list.
pub const POPULAR_TTL: Duration = Duration::from_secs(60);
/// The response header through which an article page tells the server's render cache which
/// story it shows (so views of cached copies are counted); never sent to readers.
pub const ARTICLE_HEADER: &str = "x-article-id";
/// How many "recently seen" entries are kept at most (memory bound under a flood).
const MAX_SEEN: usize = 200_000;

/// Who is reading, as far as view counting cares.
#[derive(Clone, Debug, Default)]
pub struct Visitor {
    pub user_agent: String,
    /// The client's address as `core::client` names it (a forged `X-Forwarded-For` counts
    /// for nothing unless it came through a trusted proxy).
    pub client: Option<IpAddr>,
    /// A browser prefetch or prerender, not a reader.
    pub prefetch: bool,
}

impl Visitor {
    /// The current request's visitor (from the server's request context).
    pub async fn from_request() -> Visitor {
        use leptos::prelude::use_context;
        let Some(parts) = use_context::<http::request::Parts>() else { return Visitor::default() };
        Visitor::from_headers(&parts.headers, crate::core::client::current().await)
    }

    /// The visitor of a request with these headers from this client (also used for pages
    /// served from the render cache, which never reach the app).
    pub fn from_headers(headers: &http::HeaderMap, client: Option<IpAddr>) -> Visitor {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let purpose = format!("{} {}", header("sec-purpose"), header("purpose")).to_ascii_lowercase();
        Visitor {
            user_agent: header("user-agent"),
            client,
            prefetch: purpose.contains("prefetch") || purpose.contains("prerender"),
        }
    }

    /// Crawlers, link previewers, monitors, scripts and headless browsers, by user agent.
    pub fn is_bot(&self) -> bool {
        const MARKERS: &[&str] = &[
            "bot",
            "crawl",
            "spider",
            "slurp",
            "archiver",
            "preview",
            "facebookexternalhit",
            "embedly",
            "monitor",
            "uptime",
            "pingdom",
            "lighthouse",
            "headless",
            "phantomjs",
            "curl",
            "wget",
            "python",
            "java/",
            "go-http",
            "okhttp",
            "node-fetch",
            "axios",
            "libwww",
            "httpclient",
            "http-client",
            "reqwest",
            "scrapy",
            "feed",
        ];
        let agent = self.user_agent.to_ascii_lowercase();
        agent.trim().is_empty() || MARKERS.iter().any(|m| agent.contains(m))
    }
}

/// View counts waiting to be written, recent views for repeat detection, and the cached
/// Popular list. Provided as context by the server; cheap to clone.
#[derive(Clone, Default)]
pub struct Readership {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    keys: RandomState,
    pending: Mutex<Pending>,
    popular: Mutex<Option<PopularList>>,
}

/// The Popular list as last read, and when.
type PopularList = (Instant, Vec<(i64, Teaser)>);

#[derive(Default)]
struct Pending {
    counts: HashMap<i64, i64>,
    seen: HashMap<(u64, i64), Instant>,
}

impl Readership {
    pub fn new() -> Readership {
        Readership::default()
    }

    /// Counts a view unless it is a bot, a prefetch or a repeat. Returns whether it counted.
    pub fn record(&self, article_id: i64, visitor: &Visitor) -> bool {
        self.record_at(article_id, visitor, Instant::now())
    }

    fn record_at(&self, article_id: i64, visitor: &Visitor, now: Instant) -> bool {
        if visitor.prefetch || visitor.is_bot() {
            return false;
        }
        let client = self.inner.keys.hash_one((visitor.client, &visitor.user_agent));
        let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(last) = pending.seen.get(&(client, article_id)) {
            if now.duration_since(*last) < REPEAT_WINDOW {
                return false;
            }
        }
        if pending.seen.len() >= MAX_SEEN {
            pending.seen.retain(|_, at| now.duration_since(*at) < REPEAT_WINDOW);
            if pending.seen.len() >= MAX_SEEN {
                pending.seen.clear();
            }
        }
        pending.seen.insert((client, article_id), now);
        *pending.counts.entry(article_id).or_default() += 1;
        true
    }

    /// Writes the counted views to the database (today, UTC). On failure they are kept for
    /// the next attempt.
    pub async fn flush(&self, db: &Db) -> sqlx::Result<()> {
        let counts: Vec<(i64, i64)> = {
            let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            pending.seen.retain(|_, at| now.duration_since(*at) < REPEAT_WINDOW);
            pending.counts.drain().collect()
        };
        if counts.is_empty() {
            return Ok(());
        }
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        if let Err(error) = super::store::add_views(db, &day, &counts).await {
            let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (id, n) in counts {
                *pending.counts.entry(id).or_default() += n;
            }
            return Err(error);
        }
        Ok(())
    }

    /// Whether the kept Popular list is older than `POPULAR_TTL` (or missing).
    pub fn popular_is_stale(&self) -> bool {
        self.cached_popular().is_none_or(|(at, _)| at.elapsed() >= POPULAR_TTL)
    }

    fn cached_popular(&self) -> Option<PopularList> {
        self.inner.popular.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Re-reads the Popular list and keeps it.
    pub async fn refresh_popular(&self, db: &Db) -> sqlx::Result<Vec<(i64, Teaser)>> {
        let today = chrono::Utc::now().date_naive();
        let list = super::store::popular(db, today, LIST_LEN + 1).await?;
        *self.inner.popular.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    /// The Popular list (one more than is shown, so a page can leave its own story out). Pages
    /// get the copy the background task keeps fresh; only the very first request reads it.
    pub async fn popular(&self, db: &Db) -> sqlx::Result<Vec<(i64, Teaser)>> {
        match self.cached_popular() {
            Some((_, list)) => Ok(list),
            None => self.refresh_popular(db).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(address: &str) -> Visitor {
        Visitor {
            user_agent:
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
                    .into(),
            client: address.trim_end_matches('|').parse().ok(),
            prefetch: false,
        }
    }

    #[test]
    fn bots_and_prefetches_are_not_counted() {
        let readership = Readership::new();
        for agent in ["", "Googlebot/2.1", "curl/8.5.0", "Mozilla/5.0 HeadlessChrome/130.0", "facebookexternalhit/1.1"]
        {
            let visitor = Visitor { user_agent: agent.into(), ..reader("1.2.3.4|") };
            assert!(!readership.record(1, &visitor), "{agent:?} is a bot");
        }
        assert!(!readership.record(1, &Visitor { prefetch: true, ..reader("1.2.3.4|") }));
        assert!(readership.record(1, &reader("1.2.3.4|")));
    }

    #[test]
    fn repeat_views_within_the_window_count_once() {
        let readership = Readership::new();
        let start = Instant::now();
        assert!(readership.record_at(7, &reader("1.2.3.4|"), start));
        assert!(!readership.record_at(7, &reader("1.2.3.4|"), start + Duration::from_secs(60)));
        assert!(readership.record_at(8, &reader("1.2.3.4|"), start), "another story counts");
        assert!(readership.record_at(7, &reader("5.6.7.8|"), start), "another reader counts");
        assert!(
            readership.record_at(7, &reader("1.2.3.4|"), start + REPEAT_WINDOW),
            "after the window it counts again"
        );
        let pending = readership.inner.pending.lock().unwrap();
        assert_eq!(pending.counts[&7], 3);
        assert_eq!(pending.counts[&8], 1);
    }
}
