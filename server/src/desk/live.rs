//! The queue without page loads: a small script (plain JavaScript, not in the readers' wasm) and
//! a stream that tells an open queue page when comments arrive or change anywhere — another
//! moderator, another process, `server comments`. The stream watches the queue version kept by
//! triggers, so it sees every writer; it ends when the session does or the server stops.

use std::convert::Infallible;
use std::time::Duration;

use app::comments::queue;
use app::core::cookies;
use app::staff::session;
use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};

use super::{server_error, Desk};

const SCRIPT: &str = include_str!("desk.js");
/// How often an open queue looks for changes: one indexed one-row read.
const POLL: Duration = Duration::from_secs(1);
/// Every this many polls the stream checks that its session still lasts.
const SESSION_CHECK_EVERY: u32 = 30;

const STYLESHEET: &str = include_str!("desk.css");

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"))], STYLESHEET).into_response()
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"))], SCRIPT).into_response()
}

pub async fn events(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    if let Err(refused) = desk.moderator(&headers).await {
        return refused.into_response();
    }
    let cookie = cookies::read(&headers, session::COOKIE).unwrap_or_default();
    let seen = match queue::version(&desk.db).await {
        Ok(version) => version,
        Err(error) => return server_error(error),
    };
    let events =
        futures::stream::unfold((desk, cookie, seen, 0u32), |(desk, cookie, mut seen, mut polls)| async move {
            let mut stopping = desk.stopping.clone();
            loop {
                tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => return None,
                    () = tokio::time::sleep(POLL) => {}
                }
                polls = polls.wrapping_add(1);
                if polls % SESSION_CHECK_EVERY == 0 {
                    let still = session::current(&desk.db, &cookie).await;
                    if !matches!(still, Ok(Some(ref s)) if s.staff.role.moderates_comments()) {
                        return None;
                    }
                }
                match queue::version(&desk.db).await {
                    Ok(version) if version != seen => {
                        seen = version;
                        let event = Event::default().event("queue").data(version.to_string());
                        return Some((Ok::<_, Infallible>(event), (desk, cookie, seen, polls)));
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "queue stream: could not read the queue version"),
                }
            }
        });
    let mut response = Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response();
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
