//! `/api/comments/live/{slug}`: an article's newly approved comments as server-sent events.

use std::{convert::Infallible, time::Duration};

use app::comments::live::CommentFeed;
use app::core::Slug;
use axum::{
    extract::Path,
    http::StatusCode,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use tokio::sync::{broadcast::error::RecvError, watch};

/// Streams `comment` events for one article until the client leaves or the server stops
/// (an open stream must not hold up a graceful shutdown).
pub async fn stream(Path(slug): Path<String>, feed: CommentFeed, stopping: watch::Receiver<bool>) -> Response {
    let Some(slug) = Slug::parse(&slug) else { return StatusCode::NOT_FOUND.into_response() };
    let receiver = feed.0.subscribe();
    let events = futures::stream::unfold((receiver, stopping), move |(mut receiver, mut stopping)| {
        let slug = slug.clone();
        async move {
            loop {
                let message = tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => None,
                    message = receiver.recv() => Some(message),
                };
                match message {
                    Some(Ok((article, comment))) if article == slug.as_str() => {
                        let event =
                            Event::default().event("comment").id(comment.id.to_string()).json_data(&comment).ok()?;
                        return Some((Ok::<_, Infallible>(event), (receiver, stopping)));
                    }
                    Some(Ok(_)) | Some(Err(RecvError::Lagged(_))) => continue,
                    None | Some(Err(RecvError::Closed)) => return None,
                }
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response()
}
