//! What every answer of the app is held to, whatever produced it (our server functions, Leptos'
//! own handling of a request it could not read, or a plain route):
//!
//! - A redirect stays on this site. Leptos answers a plain form post whose arguments do not
//!   parse by redirecting to whatever `Referer` says; every `Location` is made a same-site path
//!   here (an absolute URL of this site keeps its path; anything else becomes `/`).
//! - A request whose arguments do not parse is the client's fault: 400 with a fixed message,
//!   logged at `warn`, never a 500 that echoes serde's wording.
//! - A server function that failed on our side (the database unreachable, a query failing)
//!   answers 503 with `Retry-After` and a fixed message; what failed goes to the log, not to
//!   the browser.
//! - A path with `.` or `..` segments (browsers resolve them before sending) is 400: left in,
//!   `/article/..` answered as the front page and each spelling filled a cache entry.

use app::core::{form::same_site_path, RETRY_AFTER_SECONDS};
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The header server_fn sets on an error answer.
const SERVER_FN_ERROR: &str = "serverfnerror";
/// Error bodies are short; a longer one is not an argument error.
const MAX_ERROR_BODY: usize = 16 * 1024;
/// What a reader (or a script) is told when a request's fields cannot be read.
const UNREADABLE: &str = "The request could not be read: a field is missing, repeated or malformed.";

pub async fn safe_answers(site_origin: Option<String>, request: Request, next: Next) -> Response {
    if has_dot_segments(request.uri().path()) {
        return plain(StatusCode::BAD_REQUEST, DOT_SEGMENTS);
    }
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let mut response = next.run(request).await;
    if let Some(location) = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) {
        let safe = on_this_site(location, site_origin.as_deref(), host.as_deref());
        if safe != location {
            tracing::warn!(%method, %path, location, "redirect off the site replaced by {safe}");
        }
        if let Ok(value) = HeaderValue::from_str(&safe) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR && response.headers().contains_key(SERVER_FN_ERROR) {
        return server_fn_errors(response, &method, &path).await;
    }
    response
}

const DOT_SEGMENTS: &str = "Addresses with . or .. segments are not served.";

/// Whether `path` has a `.` or `..` segment, plain or percent-encoded.
fn has_dot_segments(path: &str) -> bool {
    path.split('/').any(|segment| matches!(segment.to_ascii_lowercase().replace("%2e", ".").as_str(), "." | ".."))
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
}

/// `location` as a path of this site: an absolute URL of this site (its `SITE_URL` origin, or
/// the host the request came to) keeps its path; anything else becomes `/`.
fn on_this_site(location: &str, site_origin: Option<&str>, host: Option<&str>) -> String {
    let location: String = location.chars().filter(|c| !c.is_control()).collect();
    let ours = |origin: &str| {
        location
            .strip_prefix(origin)
            .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
            .map(str::to_owned)
    };
    let own_origins = site_origin
        .map(str::to_owned)
        .into_iter()
        .chain(host.into_iter().flat_map(|h| [format!("http://{h}"), format!("https://{h}")]));
    let path = own_origins.into_iter().find_map(|origin| ours(&origin)).unwrap_or(location);
    let path = if path.is_empty() || path.starts_with(['?', '#']) { format!("/{path}") } else { path };
    same_site_path(&path)
}

/// What a reader is told when a server function failed on our side.
const FAILED: &str = "ServerError|The data could not be loaded. Please try again in a moment.";

/// server_fn answers 500 for every error. A server function whose arguments did not parse
/// failed by the client's fault: 400, a fixed message, a warning in the log. One that failed on
/// ours (`ServerError`, e.g. a database error carried up by `?`): 503 with `Retry-After`, a
/// fixed message, the error in the log.
async fn server_fn_errors(response: Response, method: &axum::http::Method, path: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::from("Sorry, something went wrong on our side."));
    };
    let text = String::from_utf8_lossy(&bytes);
    // Our forms' error types say "BadRequest"; ServerFnError encodes its variant before a `|`.
    let unreadable = ["Args|", "MissingArg|", "Deserialization|"].iter().find(|v| text.starts_with(**v));
    let body = match unreadable {
        Some(variant) => Bytes::from(format!("{variant}{UNREADABLE}")),
        None if text == "\"BadRequest\"" => bytes.clone(),
        None if text.starts_with("ServerError|") => {
            tracing::error!(%method, path, error = %text.chars().take(300).collect::<String>(), "server function failed");
            parts.status = StatusCode::SERVICE_UNAVAILABLE;
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
            parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return Response::from_parts(parts, Body::from(FAILED));
        }
        None => return Response::from_parts(parts, Body::from(bytes)),
    };
    tracing::warn!(%method, path, error = %text.chars().take(300).collect::<String>(), "unreadable request");
    parts.status = StatusCode::BAD_REQUEST;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::{has_dot_segments, on_this_site};

    #[test]
    fn dot_segments_are_found_however_spelled() {
        for path in ["/article/..", "/article/../x", "/./", "/a/%2E%2e", "/a/.%2e/b", "/%2e"] {
            assert!(has_dot_segments(path), "{path}");
        }
        for path in ["/", "/article/a.b", "/article/...", "/pkg/newsroom.css", "/a/..b"] {
            assert!(!has_dot_segments(path), "{path}");
        }
    }

    #[test]
    fn redirects_stay_on_the_site() {
        let site = Some("https://news.example.org");
        let host = Some("127.0.0.1:3000");
        assert_eq!(on_this_site("/article/a?draft=1#respond", site, host), "/article/a?draft=1#respond");
        assert_eq!(on_this_site("https://news.example.org/article/a?__err=x", site, host), "/article/a?__err=x");
        assert_eq!(on_this_site("http://127.0.0.1:3000/category/city", site, host), "/category/city");
        assert_eq!(on_this_site("http://127.0.0.1:3000", site, host), "/");
        for hostile in [
            "https://evil.example/",
            "https://news.example.org.evil.example/x",
            "//evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
            "/\\evil.example",
        ] {
            assert_eq!(on_this_site(hostile, site, host), "/", "{hostile:?}");
        }
    }
}
