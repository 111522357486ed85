//! The render cache: every anonymous reader gets the same page, so it is rendered once and then
//! served as stored bytes — already compressed and with its security headers — until something
//! on it changes.
//!
//! - Only pages nobody personalises are kept: GET, no query but a page number, none of the
//!   commenter's cookies (saved name, own comments awaiting moderation), a 200 HTML response
//!   that sets no cookie. Everything else goes to the app as before.
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

use app::db;
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

/// Which stored page answers a request: the address, and the encodings the client accepts
/// (the stored body is compressed for them).
type Key = (String, String);

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    article: Option<i64>,
    stored: Instant,
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
    pool: db::Pool,
    readership: Readership,
}

impl PageCache {
    pub fn new(pool: db::Pool, readership: Readership) -> PageCache {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let working = Arc::new(tokio::sync::Semaphore::new((cores * 4).max(8)));
        PageCache { entries: Arc::default(), renderings: Arc::default(), working, pool, readership }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Re-reads the content version and forgets every page if it moved.
    pub async fn check_version(&self) {
        match db::content_version(&self.pool).await {
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
    pub fn watch_versions(&self) {
        let cache = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(VERSION_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                cache.check_version().await;
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
    let rendering = match cache.get(&key) {
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
            self.readership.record(article, &Visitor::from_headers(request.headers(), peer));
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
        if !storable(&response) {
            return forget_article_header(response);
        }
        let (mut parts, body) = response.into_parts();
        let article = parts.headers.remove(ARTICLE_HEADER).and_then(|v| v.to_str().ok().and_then(|v| v.parse().ok()));
        // The whole page is read whatever its size (it is sent anyway); `put` keeps only
        // pages up to MAX_PAGE_BYTES.
        let body = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "the page could not be completed");
                return (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, this page could not be completed. Please reload.")
                    .into_response();
            }
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        let page = Page { status: parts.status, headers: parts.headers.clone(), body: body.clone(), article, stored: Instant::now() };
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
        let shared = query
            .split('&')
            .all(|pair| matches!(pair.split('=').next(), Some("cpage" | "page")));
        if !shared {
            return None;
        }
    }
    use app::comments::guard::{cookie, AUTHOR_COOKIE, TOKEN_COOKIE};
    let personal = [AUTHOR_COOKIE, TOKEN_COOKIE].iter().any(|name| cookie(request.headers(), name).is_some());
    if personal {
        return None;
    }
    let encodings = request.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    if encodings.len() > 128 {
        return None;
    }
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or(path);
    Some((path_and_query.to_owned(), encodings.to_owned()))
}

fn storable(response: &Response) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && !headers.contains_key(header::SET_COOKIE)
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"))
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
        }
    }

    #[tokio::test]
    async fn pages_are_kept_until_old_and_dropped_when_content_changes() {
        let pool = db::Pool::connect_lazy("sqlite::memory:").unwrap();
        let cache = PageCache::new(pool, Readership::new());
        let key: Key = ("/".into(), "br".into());
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
