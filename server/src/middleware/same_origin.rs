//! The same-origin check: forms on this site can only be posted from this site (no cross-site
//! request forgery), except the one-click unsubscribe links that mail providers post from anywhere.

use axum::{
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Refuses state-changing requests from other sites with 403: a browser tells us where a
/// request comes from with `Sec-Fetch-Site` (modern browsers) or `Origin` (all browsers on
/// POST). Requests without either (curl, old clients) are not cross-site forgeries and pass.
///
/// `Origin` is compared whole — scheme, host and port — with `SITE_URL` when the operator set
/// it, so the check holds behind a reverse proxy that rewrites `Host` (nginx's default) and an
/// `http://` origin is not taken for the `https://` site. Without `SITE_URL` (development) it
/// is compared with the `Host` the request came to.
pub async fn same_origin_posts(site_origin: Option<String>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    // RFC 8058 one-click unsubscribe is posted by mail providers from anywhere; the secret
    // token in its URL is the authorisation, so there is nothing to forge.
    if matches!(request.uri().path(), app::core::paths::NEWSLETTER_UNSUBSCRIBE | app::core::paths::REPLIES_STOP) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if let Some(site) = fetch_site {
        if !matches!(site, "same-origin" | "none") {
            return forbidden();
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let ours = match &site_origin {
            Some(site) => origin.eq_ignore_ascii_case(site),
            None => {
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
                origin.split_once("://").is_some_and(|(_, origin_host)| origin_host == host)
            }
        };
        if !ours {
            return forbidden();
        }
    }
    next.run(request).await
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "Forms on this site can only be sent from this site.").into_response()
}
