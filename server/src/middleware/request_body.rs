//! Request bodies are read in full — within a time limit and a size limit — before the request
//! reaches the render cache's slots or the app. A client that trickles a body (one byte every
//! few seconds) then holds only its own connection, never one of the few places where pages are
//! rendered: eight slow posts used to freeze every page that was not already cached.

use std::time::Duration;

use axum::{
    body::Body,
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Forms and server-function calls are at most this large (a comment is at most 64 KiB of text).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The desk's story forms carry a whole article's Markdown.
pub const STORY_FORM_BYTES: usize = 1024 * 1024;
/// The most any request may send: a picture with the story form around it.
pub const LARGEST_BODY_BYTES: usize = crate::media::MAX_REQUEST_BYTES;

/// How much this path may receive; `None` where the handler reads the body itself (pictures:
/// it checks who is sending before reading, and allows them longer).
fn limit_for(path: &str) -> Option<usize> {
    use app::core::paths;
    if path == paths::DESK_PICTURES {
        None
    } else if path.starts_with(paths::DESK_STORIES) {
        Some(STORY_FORM_BYTES)
    } else {
        Some(MAX_BODY_BYTES)
    }
}

pub async fn read_first(timeout: Duration, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let Some(limit) = limit_for(&path) else {
        return next.run(request).await;
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (parts, body) = request.into_parts();
    // A body announced too large is refused before a byte of it is read.
    let reading = async {
        match declared {
            Some(length) if length > limit => Err(None),
            _ => axum::body::to_bytes(body, limit).await.map_err(Some),
        }
    };
    let refused = match tokio::time::timeout(timeout, reading).await {
        Ok(Ok(bytes)) => return next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "The request took too long to arrive. Please try again.".to_owned()),
        Ok(Err(error)) if error.as_ref().is_none_or(too_large) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("That is more than this site accepts ({} KiB of text).", limit >> 10),
        ),
        Ok(Err(_)) => (StatusCode::BAD_REQUEST, "The request arrived broken. Please try again.".to_owned()),
    };
    tracing::warn!(%method, path, status = refused.0.as_u16(), "request body refused");
    // The rest of a refused body is not worth waiting for: close the connection.
    (refused.0, [(header::CONNECTION, "close")], refused.1).into_response()
}

fn too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}
