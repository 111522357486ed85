//! The listener: accepts TCP connections and serves HTTP/1.1 on them with the limits
//! `axum::serve` leaves out. Without them one client could hold the site: connections that
//! never finish their headers stayed open for minutes, 20,000 of them exhausted the open-file
//! limit, and a 350 KB header was buffered whole on each of 2,000 connections.
//!
//! - A request's head must arrive within `header_timeout`, counted from the moment the
//!   connection opens or its previous response ended: the same bound covers slowloris and
//!   idle keep-alive connections. (Bodies have their own timeout: `middleware::request_body`.)
//! - A response the client stops taking for `write_stall_timeout` is abandoned.
//! - A request head is at most [`MAX_HEADER_BYTES`] (431 past it).
//! - At most `per_client` connections from one address (an IPv6 client's /64) and `total` in
//!   all; past a cap the connection gets a short 429 or 503 and is closed. Peers in
//!   `TRUSTED_PROXIES` carry many readers and are held only to the total.
//! - A failed `accept` (out of file descriptors) is logged and retried after a pause.
//!
//! HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a reverse proxy terminates.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use app::core::client::{limit_key, TrustedProxies};
use axum::{extract::ConnectInfo, Router};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// Request line and headers together. Browsers send a few KB (nginx's default limit is 8 KB a
/// line, 32 KB in all); this bounds what each connection buffers before its request is read.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Connections being refused (each is answered and drained for at most `REFUSAL_LINGER`).
/// Past this, further refusals are closed without an answer.
const MAX_REFUSING: usize = 256;
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once from one client address (`MAX_CONNECTIONS_PER_CLIENT`).
    pub per_client: usize,
    /// Connections open at once in all (`MAX_CONNECTIONS`), lowered at start to what the
    /// process's open-file limit leaves room for.
    pub total: usize,
    /// From a connection's start, or the end of its last response, to a complete request head.
    pub header_timeout: Duration,
    /// How long a response may wait for the client to take any of it.
    pub write_stall_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            per_client: 100,
            total: 4096,
            header_timeout: Duration::from_secs(10),
            write_stall_timeout: Duration::from_secs(30),
        }
    }
}

/// Descriptors kept back for the database, files and the mailer.
const RESERVED_FILES: u64 = 128;

impl ConnectionLimits {
    /// These limits with `total` no higher than the open-file limit allows, after raising that
    /// limit's soft value to its hard one (as nginx's `worker_rlimit_nofile` does).
    pub fn within_open_file_limit(mut self) -> ConnectionLimits {
        if let Some(files) = raise_open_file_limit() {
            let room = usize::try_from(files.saturating_sub(RESERVED_FILES).max(16)).unwrap_or(usize::MAX);
            if room < self.total {
                tracing::warn!(
                    max_connections = room,
                    configured = self.total,
                    "the open-file limit leaves room for fewer connections than MAX_CONNECTIONS"
                );
                self.total = room;
            }
        }
        self
    }
}

/// The soft limit on open files after raising it to the hard limit; `None` where unknown.
fn raise_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit read and write the struct passed; no other memory.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return None;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        Some(limit.rlim_cur)
    }
    #[cfg(not(unix))]
    None
}

/// Serves `router` on `listener` until `shutdown` completes; then finishes the requests in
/// flight for at most `deadline` and closes whatever is still open.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    proxies: TrustedProxies,
    shutdown: impl Future<Output = ()>,
    deadline: Duration,
) {
    let mut http = http1::Builder::new();
    // The read buffer is capped too: it grows by doubling, and its size is what each
    // connection's request head can cost.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(MAX_HEADER_BYTES);
    let open = Arc::new(OpenConnections::new(limits, proxies));
    let refusing = Arc::new(AtomicUsize::new(0));
    let graceful = GracefulShutdown::new();
    // Closes every connection still open when the deadline passes.
    let (closed, closing) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let place = match open.admit(peer.ip()) {
            Ok(place) => place,
            Err(refusal) => {
                refuse(tcp, refusal, refusing.clone());
                continue;
            }
        };
        // Without TCP_NODELAY a streamed response on a keep-alive connection waits ~40 ms
        // per request (Nagle + delayed ACK).
        let _ = tcp.set_nodelay(true);
        let io = TokioIo::new(StallTimeout::new(tcp, limits.write_stall_timeout));
        let router = router.clone();
        // The peer address feeds the client-address extractor (flood control, limits).
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let _place = place;
            tokio::select! {
                served = connection => {
                    if let Err(error) = served {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
                _ = closing.wait_for(|closed| *closed) => {}
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(deadline) => {
            tracing::warn!("requests still open {} s after the shutdown began; closing them", deadline.as_secs());
            let _ = closed.send(true);
        }
    }
}

/// Out of descriptors (or memory): keep the connections we have and try again shortly,
/// instead of spinning on an error or ending the server.
async fn accept_failed(error: io::Error) {
    match error.kind() {
        // The client gave up between connecting and our accept: nothing to wait for.
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted => {}
        _ => {
            tracing::warn!(%error, "accepting a connection failed; retrying in 100 ms");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Why a connection was not served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    ClientCap,
    TotalCap,
}

impl Refusal {
    fn answer(self) -> String {
        let (status, retry_after, message) = match self {
            Refusal::ClientCap => (
                "429 Too Many Requests",
                10,
                "Too many connections from your address at once. Please try again soon.\n",
            ),
            Refusal::TotalCap => {
                ("503 Service Unavailable", 5, "The site is at its connection limit. Please try again.\n")
            }
        };
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: {retry_after}\r\n\
             Connection: close\r\nContent-Length: {}\r\n\r\n{message}",
            message.len()
        )
    }
}

/// Answers a refused connection and closes it. Its request is read and dropped for a moment
/// first: closing a socket with unread data resets it, and the client might lose the answer.
fn refuse(mut tcp: TcpStream, refusal: Refusal, refusing: Arc<AtomicUsize>) {
    if refusing.fetch_add(1, Ordering::Relaxed) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    tokio::spawn(async move {
        // A fresh socket's send buffer takes these few bytes at once.
        let _ = tcp.try_write(refusal.answer().as_bytes());
        let _ = tokio::time::timeout(REFUSAL_LINGER, async {
            let _ = tcp.shutdown().await;
            let mut sink = [0u8; 4096];
            while let Ok(1..) = tcp.read(&mut sink).await {}
        })
        .await;
        refusing.fetch_sub(1, Ordering::Relaxed);
    });
}

/// Open connections counted per client and in total.
struct OpenConnections {
    limits: ConnectionLimits,
    proxies: TrustedProxies,
    total: AtomicUsize,
    per_client: Mutex<HashMap<IpAddr, usize>>,
}

/// A connection's place; freed when the connection ends.
struct Place {
    open: Arc<OpenConnections>,
    /// `None` for a trusted proxy (not counted per client).
    client: Option<IpAddr>,
}

impl OpenConnections {
    fn new(limits: ConnectionLimits, proxies: TrustedProxies) -> OpenConnections {
        OpenConnections { limits, proxies, total: AtomicUsize::new(0), per_client: Mutex::default() }
    }

    fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Place, Refusal> {
        let client = (!self.proxies.0.contains(&peer)).then(|| limit_key(peer));
        if let Some(client) = client {
            let mut per_client = self.per_client.lock().expect("the connection table is never poisoned");
            let count = per_client.entry(client).or_insert(0);
            if *count >= self.limits.per_client {
                return Err(Refusal::ClientCap);
            }
            *count += 1;
        }
        // Counted per client first, so the place below frees the client's count if the total is full.
        let place = Place { open: self.clone(), client };
        if self.total.fetch_add(1, Ordering::AcqRel) >= self.limits.total {
            drop(place);
            // (The place's drop took back the total too.)
            return Err(Refusal::TotalCap);
        }
        Ok(place)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.open.total.fetch_sub(1, Ordering::AcqRel);
        if let Some(client) = self.client {
            let mut per_client = self.open.per_client.lock().expect("the connection table is never poisoned");
            if let Some(count) = per_client.get_mut(&client) {
                *count -= 1;
                if *count == 0 {
                    per_client.remove(&client);
                }
            }
        }
    }
}

/// A socket whose writes fail once the client has taken nothing for `limit`.
struct StallTimeout<T> {
    inner: T,
    limit: Duration,
    /// Running while a write waits for the client.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> StallTimeout<T> {
    fn new(inner: T, limit: Duration) -> StallTimeout<T> {
        StallTimeout { inner, limit, stalled: None }
    }

    /// `Ready` passes through (and ends a stall); `Pending` starts or checks the stall timer.
    fn watch<R>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StallTimeout<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StallTimeout<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(per_client: usize, total: usize, proxies: &[&str]) -> Arc<OpenConnections> {
        let limits = ConnectionLimits { per_client, total, ..ConnectionLimits::default() };
        let proxies = TrustedProxies::new(proxies.iter().map(|p| p.parse().unwrap()).collect());
        Arc::new(OpenConnections::new(limits, proxies))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn each_client_is_capped_and_a_closed_connection_frees_its_place() {
        let open = table(2, 10, &[]);
        let a = [open.admit(ip("192.0.2.1")).unwrap(), open.admit(ip("192.0.2.1")).unwrap()];
        assert_eq!(open.admit(ip("192.0.2.1")).err(), Some(Refusal::ClientCap));
        let _b = open.admit(ip("192.0.2.2")).unwrap();
        // One /64 is one client.
        let _c = open.admit(ip("2001:db8::1")).unwrap();
        let _d = open.admit(ip("2001:db8::2")).unwrap();
        assert_eq!(open.admit(ip("2001:db8::3")).err(), Some(Refusal::ClientCap));
        drop(a);
        assert!(open.admit(ip("192.0.2.1")).is_ok());
        assert!(!open.per_client.lock().unwrap().contains_key(&ip("192.0.2.1")), "empty entries are removed");
    }

    #[test]
    fn the_total_cap_holds_for_proxies_too_and_a_refusal_takes_no_place() {
        let open = table(5, 3, &["10.0.0.1"]);
        let places: Vec<_> = (0..3).map(|_| open.admit(ip("10.0.0.1")).unwrap()).collect();
        assert_eq!(open.admit(ip("10.0.0.1")).err(), Some(Refusal::TotalCap));
        assert_eq!(open.admit(ip("192.0.2.1")).err(), Some(Refusal::TotalCap));
        assert!(open.per_client.lock().unwrap().is_empty(), "a refused client holds no count");
        drop(places);
        assert_eq!(open.total.load(Ordering::Acquire), 0);
        assert!(open.admit(ip("192.0.2.1")).is_ok());
    }

    #[tokio::test]
    async fn a_client_that_stops_reading_is_given_up_on() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut server = StallTimeout::new(server, Duration::from_millis(300));
        let chunk = vec![0u8; 64 * 1024];
        let written = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Err(error) = server.write_all(&chunk).await {
                    return error;
                }
            }
        })
        .await
        .expect("writing to a client that reads nothing fails once the buffers are full");
        assert_eq!(written.kind(), io::ErrorKind::TimedOut);
        drop(client);
    }

    #[test]
    fn refusals_are_complete_http_answers() {
        for refusal in [Refusal::ClientCap, Refusal::TotalCap] {
            let answer = refusal.answer();
            let (head, body) = answer.split_once("\r\n\r\n").unwrap();
            let length: usize = head.split("Content-Length: ").nth(1).unwrap().trim().parse().unwrap();
            assert_eq!(body.len(), length, "{answer}");
        }
    }
}
