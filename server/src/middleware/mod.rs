//! What wraps every request: the access log, static assets before the app, the render cache, the same-origin
//! check for posts, conforming HTML, the security headers, and safe redirects and statuses for every answer.

pub mod access_log;
pub mod assets;
pub mod conforming_html;
pub mod page_cache;
pub mod request_body;
pub mod safe_answers;
pub mod same_origin;
pub mod security_headers;

/// The whole body of a page the app is answering with, or [`BrokenPage`] when it broke off
/// half-way (nothing half-built is sent or kept).
pub async fn whole_page(body: axum::body::Body) -> Result<axum::body::Bytes, BrokenPage> {
    axum::body::to_bytes(body, usize::MAX).await.map_err(|error| {
        tracing::error!(%error, "the page could not be completed");
        BrokenPage
    })
}

/// A page that could not be completed: the reader is asked to reload.
pub struct BrokenPage;

impl axum::response::IntoResponse for BrokenPage {
    fn into_response(self) -> axum::response::Response {
        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "Sorry, this page could not be completed. Please reload.")
            .into_response()
    }
}
