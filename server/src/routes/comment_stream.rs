//! `/api/comments/live/{slug}`: an article's newly approved comments as server-sent events.
//! Streams are held open for as long as a reader stays, so they are capped: per client address
//! (a household or office has room; one script cannot open thousands), per article and in
//! total, and only for articles that exist. Past a cap the answer is a clear 429 or 503, never
//! a server that runs out of file handles.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::{convert::Infallible, time::Duration};

use app::comments::live::CommentFeed;
use app::comments::store;
use app::core::client::{limit_key, TrustedProxies};
use app::core::Slug;
use app::db::Db;
use axum::{
    extract::{ConnectInfo, Path},
    http::{header, HeaderMap, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use futures::StreamExt;
use tokio::sync::{broadcast::error::RecvError, watch};

/// How many streams may be open at once.
#[derive(Clone, Copy, Debug)]
pub struct StreamCaps {
    pub per_client: usize,
    pub per_article: usize,
    pub total: usize,
}

impl Default for StreamCaps {
    fn default() -> Self {
        StreamCaps { per_client: 8, per_article: 2_000, total: 10_000 }
    }
}

/// What the stream route needs; cheap to clone.
#[derive(Clone)]
pub struct CommentStreams {
    pub feed: CommentFeed,
    pub db: Db,
    pub proxies: TrustedProxies,
    pub stopping: watch::Receiver<bool>,
    pub caps: StreamCaps,
    open: Arc<Mutex<Open>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    clients: HashMap<IpAddr, usize>,
    articles: HashMap<String, usize>,
}

/// Which cap a new stream would pass.
enum Full {
    Client,
    Site,
}

impl IntoResponse for Full {
    fn into_response(self) -> Response {
        match self {
            Full::Client => {
                (StatusCode::TOO_MANY_REQUESTS, "Too many live comment streams from your network.").into_response()
            }
            Full::Site => {
                let retry = [(header::RETRY_AFTER, "30")];
                (StatusCode::SERVICE_UNAVAILABLE, retry, "Live comments are busy; try again soon.").into_response()
            }
        }
    }
}

/// One open stream, counted until it is dropped (the reader left or the server stopped).
struct Counted {
    open: Arc<Mutex<Open>>,
    client: Option<IpAddr>,
    article: String,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(client) = self.client {
            decrement(&mut open.clients, &client);
        }
        decrement(&mut open.articles, &self.article);
    }
}

fn decrement<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = counts.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            counts.remove(key);
        }
    }
}

impl CommentStreams {
    pub fn new(feed: CommentFeed, db: Db, proxies: TrustedProxies, stopping: watch::Receiver<bool>) -> Self {
        CommentStreams { feed, db, proxies, stopping, caps: StreamCaps::default(), open: Arc::default() }
    }

    /// Counts a new stream, or says which cap it would pass.
    fn admit(&self, client: Option<IpAddr>, article: &str) -> Result<Counted, Full> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if client.is_some_and(|c| open.clients.get(&c).copied().unwrap_or(0) >= self.caps.per_client) {
            return Err(Full::Client);
        }
        if open.total >= self.caps.total || open.articles.get(article).copied().unwrap_or(0) >= self.caps.per_article {
            return Err(Full::Site);
        }
        open.total += 1;
        if let Some(client) = client {
            *open.clients.entry(client).or_default() += 1;
        }
        *open.articles.entry(article.to_owned()).or_default() += 1;
        Ok(Counted { open: self.open.clone(), client, article: article.to_owned() })
    }
}

/// Events a reconnecting stream is given back at most (more missed: the reader reloads).
const REPLAY: i64 = 500;

/// Streams `comment` events for one article until the client leaves or the server stops
/// (an open stream must not hold up a graceful shutdown). Each event's id is its place in the
/// database's event log, so a reader whose stream reconnects — to this node or another — sends
/// `Last-Event-ID` and first gets what it missed.
pub async fn stream(
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    streams: CommentStreams,
) -> Response {
    let Some(slug) = Slug::parse(&slug) else { return StatusCode::NOT_FOUND.into_response() };
    let article_id = match app::articles::store::id_of(&streams.db, &slug).await {
        Ok(Some(id)) => id,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "comment stream: article lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let client = streams.proxies.client(&headers, Some(peer.ip())).map(limit_key);
    let counted = match streams.admit(client, slug.as_str()) {
        Ok(counted) => counted,
        Err(full) => return full.into_response(),
    };
    // Listening before the missed events are read: nothing falls between the two.
    let receiver = streams.feed.subscribe();
    let asked = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    // An id this log never gave (a stream opened before the log existed, when ids were comment
    // ids, or a forged one) would hide every event up to it: such a stream starts from now.
    let last_seen = match asked {
        Some(seq) => store::last_event(&streams.db).await.ok().filter(|last| seq <= *last).map(|_| seq),
        None => None,
    };
    let missed = match last_seen {
        Some(seq) => match store::events_after(&streams.db, seq, Some(article_id), REPLAY).await {
            Ok(missed) => missed,
            Err(error) => {
                tracing::error!(%error, "comment stream: missed events could not be read");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
        None => Vec::new(),
    };
    let replay = futures::stream::iter(missed);
    let state = (receiver, streams.stopping.clone(), counted);
    let live = futures::stream::unfold(state, move |(mut receiver, mut stopping, counted)| {
        let slug = slug.clone();
        async move {
            loop {
                let message = tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => None,
                    message = receiver.recv() => Some(message),
                };
                match message {
                    Some(Ok(event)) if event.article == slug => {
                        return Some((event, (receiver, stopping, counted)));
                    }
                    Some(Ok(_)) | Some(Err(RecvError::Lagged(_))) => continue,
                    None | Some(Err(RecvError::Closed)) => return None,
                }
            }
        }
    });
    let replayed_up_to = last_seen.unwrap_or(0);
    let events = replay
        .chain(live)
        // A live event the replay already gave (it landed while the replay was read).
        .scan(replayed_up_to, |highest, event| {
            let fresh = event.seq > *highest;
            *highest = (*highest).max(event.seq);
            std::future::ready(Some(fresh.then_some(event)))
        })
        .filter_map(std::future::ready)
        .filter_map(|event| {
            let sse = Event::default().event("comment").id(event.seq.to_string()).json_data(&event.comment).ok();
            std::future::ready(sse.map(Ok::<_, Infallible>))
        });
    let mut response = Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response();
    // Proxies (nginx) must pass events on as they come, not buffer them.
    response.headers_mut().insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    response
}
