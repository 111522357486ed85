//! The render cache: every anonymous reader gets the same page, so it is rendered once and then
//! served as stored bytes — already compressed and with its security headers — until something
//! on it changes.
//!
//! - Only what the app marks public is kept: a GET with no query but a page number, answered
//!   with a 200 HTML page that sets no cookie and is not `Cache-Control: private`/`no-store`.
//!   The app marks what is personal; the cache knows no cookie names. A page that says it
//!   depends on cookies (`Vary: Cookie`) is served from the cache unless the app says the
//!   request's cookies make it personal (`comments::reader::personal_request`).
//! - Pages are kept per negotiated encoding (br, gzip or identity), never per raw
//!   `Accept-Encoding` header, so no client can push pages out by sending variants.
//! - Validity: the database keeps a content version that triggers raise on every change a
//!   page can show (approved comments, articles, tags, authors), whoever writes — this server,
//!   `server import` or `server comments` beside it. The cache re-reads it every
//!   `VERSION_POLL` and right after any request that may have written, and starts afresh when
//!   it moved. Entries are also renewed after `MAX_AGE`, which bounds how old Popular can be
//!   (while one request renders the new copy, the others still get the old one).
//! - Views of cached article pages are still counted (the page names its story in a header).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::core::client::TrustedProxies;
use app::db::Db;
use app::discovery::views::{Readership, Visitor, ARTICLE_HEADER};
use axum::{
    body::{Body, Bytes},
    extract::{ConnectInfo, Request},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// How often the content version is re-read to catch other processes' writes.
pub const VERSION_POLL: Duration = Duration::from_millis(250);
/// The longest a page is served from the cache (Popular is refreshed once a minute).
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// At most this many bytes of pages are kept; the oldest go first.
const BUDGET_BYTES: usize = 32 * 1024 * 1024;
/// Larger pages are not kept.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Tells operators and tests whether a page came from the cache.
const X_CACHE: &str = "x-cache";

/// Which stored page answers a request: the address, and the encoding negotiated for the
/// client (the stored body is compressed with it).
type Key = (String, &'static str);

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    article: Option<i64>,
    stored: Instant,
    /// The page said it depends on cookies (`Vary: Cookie`).
    varies_on_cookie: bool,
}

#[derive(Default)]
struct Entries {
    pages: HashMap<Key, Arc<Page>>,
    order: VecDeque<Key>,
    bytes: usize,
    /// The content version the pages were rendered at.
    version: Option<i64>,
}

#[derive(Clone)]
pub struct PageCache {
    entries: Arc<Mutex<Entries>>,
    /// Pages being rendered: other requests for the same page wait for that rendering instead
    /// of starting their own (when a popular page expires, hundreds of readers ask at once).
    renderings: Arc<Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>>,
    /// Requests the app works on at once (everything but cache hits). Two cores render no faster
    /// with 128 pages in progress than with a few, but every page in progress holds its data and
    /// half-built HTML: past this many, requests wait their turn before they cost memory.
    working: Arc<tokio::sync::Semaphore>,
    db: Db,
    readership: Readership,
    proxies: TrustedProxies,
}

impl PageCache {
    pub fn new(db: Db, readership: Readership, proxies: TrustedProxies) -> PageCache {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let working = Arc::new(tokio::sync::Semaphore::new((cores * 4).max(8)));
        PageCache { entries: Arc::default(), renderings: Arc::default(), working, db, readership, proxies }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Re-reads the versions (for the whole app: see `Db::refresh_versions`) and forgets
    /// every page if the content moved.
    pub async fn check_version(&self) {
        match self.db.refresh_versions().await {
            Ok(version) => {
                let mut entries = self.lock();
                if entries.version != Some(version) {
                    *entries = Entries { version: Some(version), ..Entries::default() };
                }
            }
            // Unsure what changed: serve nothing stale.
            Err(error) => {
                tracing::warn!(%error, "content version unreadable; render cache emptied");
                *self.lock() = Entries::default();
            }
        }
    }

    /// Keeps the version fresh in the background until the runtime ends.
    pub fn watch_versions(&self, stopping: tokio::sync::watch::Receiver<bool>) {
        let cache = self.clone();
        tokio::spawn(async move {
            let stopped = crate::workers::stopped(stopping);
            tokio::pin!(stopped);
            let mut tick = tokio::time::interval(VERSION_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => cache.check_version().await,
                    () = &mut stopped => return,
                }
            }
        });
    }

    /// The stored page, and whether it is younger than `MAX_AGE`.
    fn get(&self, key: &Key) -> Option<(Arc<Page>, bool)> {
        let entries = self.lock();
        entries.version?;
        entries.pages.get(key).map(|page| (page.clone(), page.stored.elapsed() < MAX_AGE))
    }

    fn rendering(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut renderings = self.renderings.lock().unwrap_or_else(|p| p.into_inner());
        renderings.entry(key.clone()).or_default().clone()
    }

    /// Stores a page rendered while the cache was at `version` (a page rendered across a
    /// change may show the old state, so it is dropped).
    fn put(&self, key: Key, page: Page, version: Option<i64>) {
        let mut entries = self.lock();
        if version.is_none() || entries.version != version || page.body.len() > MAX_PAGE_BYTES {
            return;
        }
        entries.bytes += page.body.len();
        if let Some(old) = entries.pages.insert(key.clone(), Arc::new(page)) {
            entries.bytes -= old.body.len();
        } else {
            entries.order.push_back(key);
        }
        while entries.bytes > BUDGET_BYTES {
            let Some(oldest) = entries.order.pop_front() else { break };
            if let Some(gone) = entries.pages.remove(&oldest) {
                entries.bytes -= gone.body.len();
            }
        }
    }

    fn version(&self) -> Option<i64> {
        self.lock().version
    }
}

/// The middleware: answers from the cache when it can, stores what it may.
pub async fn serve(cache: PageCache, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        let response = forget_article_header(cache.app(request, next).await);
        // A post may have changed a page (an approved comment): see it before answering, so
        // the reader's next page view is fresh.
        cache.check_version().await;
        return response;
    }
    let Some(key) = cache_key(&request) else {
        return forget_article_header(cache.app(request, next).await);
    };
    let cached = cache.get(&key);
    // A page that depends on cookies, asked for with cookies that make it this reader's own.
    if cached.as_ref().is_some_and(|(page, _)| page.varies_on_cookie)
        && app::comments::reader::personal_request(request.headers())
    {
        return forget_article_header(cache.app(request, next).await);
    }
    let rendering = match cached {
        Some((page, true)) => return cache.hit(&page, &request),
        // Only old (nothing on it changed): one request renders it afresh while the others
        // are still answered with this copy.
        Some((page, false)) => match cache.rendering(&key).try_lock_owned() {
            Ok(turn) => turn,
            Err(_) => return cache.hit(&page, &request),
        },
        None => {
            let turn = cache.rendering(&key).lock_owned().await;
            if let Some((page, _)) = cache.get(&key) {
                return cache.hit(&page, &request);
            }
            turn
        }
    };
    let response = cache.render(key.clone(), request, next).await;
    drop(rendering);
    cache.renderings.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
    response
}

impl PageCache {
    /// Hands the request to the app when it is its turn.
    async fn app(&self, request: Request, next: Next) -> Response {
        let _turn = self.working.acquire().await.expect("the semaphore is never closed");
        next.run(request).await
    }

    fn hit(&self, page: &Page, request: &Request) -> Response {
        if let Some(article) = page.article {
            let peer = request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
            let client = self.proxies.client(request.headers(), peer);
            self.readership.record(article, &Visitor::from_headers(request.headers(), client));
        }
        let mut response = Response::new(Body::from(page.body.clone()));
        *response.status_mut() = page.status;
        *response.headers_mut() = page.headers.clone();
        response.headers_mut().insert(X_CACHE, HeaderValue::from_static("hit"));
        response
    }

    /// Renders the page and keeps it when it may be shared.
    async fn render(&self, key: Key, request: Request, next: Next) -> Response {
        let version = self.version();
        let response = self.app(request, next).await;
        if !storable(&response, key.1) {
            return forget_article_header(response);
        }
        let (mut parts, body) = response.into_parts();
        let article = parts.headers.remove(ARTICLE_HEADER).and_then(|v| v.to_str().ok().and_then(|v| v.parse().ok()));
        // The whole page is read whatever its size (it is sent anyway); `put` keeps only
        // pages up to MAX_PAGE_BYTES.
        let body = match super::whole_page(body).await {
            Ok(body) => body,
            Err(broken) => return broken.into_response(),
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        let varies_on_cookie = parts
            .headers
            .get_all(header::VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|name| name.trim().eq_ignore_ascii_case("cookie")));
        let page = Page {
            status: parts.status,
            headers: parts.headers.clone(),
            body: body.clone(),
            article,
            stored: Instant::now(),
            varies_on_cookie,
        };
        self.put(key, page, version);
        parts.headers.insert(X_CACHE, HeaderValue::from_static("miss"));
        Response::from_parts(parts, Body::from(body))
    }
}

/// The key of a request whose answer is the same for every anonymous reader, or `None`.
fn cache_key(request: &Request) -> Option<Key> {
    let uri = request.uri();
    let path = uri.path();
    // Files (a dot in the name; page addresses never have one) are served from disk with their
    // own browser caching; search has endless distinct queries.
    let file = path.rsplit('/').next().is_some_and(|name| name.contains('.'));
    if file || path.starts_with("/api/") || path == "/search" {
        return None;
    }
    // A page number is the only query every reader may share; others carry a reader's own
    // draft, form message or typed value.
    if let Some(query) = uri.query() {
        // …and only a real page number: `cpage=-1`, `abc` or `1e30` must not each fill an entry.
        let shared = query.split('&').all(|pair| match pair.split_once('=') {
            Some(("cpage" | "page", n)) => n.len() <= 6 && n.parse::<u32>().is_ok_and(|n| n >= 1),
            _ => false,
        });
        if !shared {
            return None;
        }
    }
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or(path);
    Some((path_and_query.to_owned(), negotiated_encoding(request.headers())))
}

/// The encoding the compression layer picks for a client: the highest q-value among those we
/// compress with, br before gzip before none on a tie. (Only a response actually sent with it
/// is stored under it, so a difference in tie-breaking costs a miss, never a wrong body.)
fn negotiated_encoding(headers: &HeaderMap) -> &'static str {
    let mut best = ("identity", 1u16, 0u8);
    let accepted =
        headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    for item in accepted.take(32) {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let (encoding, rank) = match name.as_str() {
            "br" => ("br", 2),
            "gzip" => ("gzip", 1),
            _ => continue,
        };
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
            .map_or(1000, |q| q.trim().parse::<f32>().map_or(0, |q| (q.clamp(0.0, 1.0) * 1000.0) as u16));
        if q > 0 && (q, rank) > (best.1, best.2) {
            best = (encoding, q, rank);
        }
    }
    best.0
}

fn storable(response: &Response, encoding: &str) -> bool {
    let headers = response.headers();
    let header_has = |name, word: &str| {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).any(|v| v.to_ascii_lowercase().contains(word))
    };
    let sent_with = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    response.status() == StatusCode::OK
        && sent_with == encoding
        && !header_has(header::CACHE_CONTROL, "private")
        && !header_has(header::CACHE_CONTROL, "no-store")
        && !headers.contains_key(header::SET_COOKIE)
        && headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"))
}

fn forget_article_header(mut response: Response) -> Response {
    response.headers_mut().remove(ARTICLE_HEADER);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(age: Duration) -> Page {
        Page {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"<p>story</p>"),
            article: None,
            stored: Instant::now() - age,
            varies_on_cookie: false,
        }
    }

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, value.parse().unwrap());
        headers
    }

    #[test]
    fn pages_are_keyed_by_the_negotiated_encoding() {
        assert_eq!(negotiated_encoding(&accepting("gzip, deflate, br, zstd")), "br");
        assert_eq!(negotiated_encoding(&accepting("gzip")), "gzip");
        assert_eq!(negotiated_encoding(&accepting("br;q=0.5, gzip;q=0.9")), "gzip");
        assert_eq!(negotiated_encoding(&accepting("br;q=0, x-junk-1, x-junk-2")), "identity");
        assert_eq!(negotiated_encoding(&HeaderMap::new()), "identity");
        // Endless variants of the header name three keys, not one each.
        let variants: std::collections::HashSet<_> =
            (0..100).map(|i| negotiated_encoding(&accepting(&format!("gzip, x-{i}")))).collect();
        assert_eq!(variants.len(), 1);
    }

    #[tokio::test]
    async fn pages_are_kept_until_old_and_dropped_when_content_changes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        let cache = PageCache::new(db, Readership::new(), TrustedProxies::default());
        let key: Key = ("/".into(), "br");
        cache.put(key.clone(), page(Duration::ZERO), None);
        assert!(cache.get(&key).is_none(), "nothing is kept before the version is known");
        cache.lock().version = Some(1);
        cache.put(key.clone(), page(Duration::ZERO), Some(0));
        assert!(cache.get(&key).is_none(), "a page rendered before a change is not kept");
        cache.put(key.clone(), page(Duration::ZERO), Some(1));
        assert!(matches!(cache.get(&key), Some((_, true))));
        cache.put(key.clone(), page(MAX_AGE), Some(1));
        assert!(matches!(cache.get(&key), Some((_, false))), "old: served while renewed");
        assert_eq!(cache.lock().bytes, 12, "replacing a page does not count it twice");
    }
}
