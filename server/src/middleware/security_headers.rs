//! Security headers on every response (`nosniff`, referrer and permissions policies, no
//! framing, HSTS for an https site) and, on HTML pages, a Content-Security-Policy that names
//! each of the page's own inline scripts by its hash.

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use sha2::{Digest, Sha256};

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// What the security headers depend on: HSTS only for an https site, and the development
/// server's live-reload websocket.
#[derive(Clone, Copy)]
pub struct SecurityPolicy {
    pub https: bool,
    pub live_reload: bool,
}

/// Headers every response gets, and for HTML pages a Content-Security-Policy that allows our
/// own files and exactly the inline scripts the page contains (by SHA-256 hash — which, unlike a
/// nonce, stays valid for a page served from a cache), plus WebAssembly compilation.
pub async fn security_headers(policy: SecurityPolicy, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let mut response = if is_html { with_csp(response, policy).await } else { response };
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), \
             payment=(), usb=(), interest-cohort=(), browsing-topics=()",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if policy.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

/// Pages are rendered completely before they are sent (`SsrMode::Async`), so reading the body
/// here adds no delay.
async fn with_csp(response: Response, policy: SecurityPolicy) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(html) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response();
    };
    let scripts: String =
        own_scripts(&html).map(|script| format!(" 'sha256-{}'", BASE64.encode(Sha256::digest(script)))).collect();
    let connect = if policy.live_reload { "'self' ws: wss:" } else { "'self'" };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self'; \
         img-src 'self' data: https:; font-src 'self'; connect-src {connect}; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// The text of the page's own inline scripts, byte for byte as the browser hashes them: those
/// carrying the nonce that the page's first script carries (a random one per render, which
/// nothing typed by a reader or stored earlier can know). Markup that got into the page some
/// other way — a `<script>` that slipped past escaping — gets no hash and does not run.
pub fn own_scripts(html: &[u8]) -> impl Iterator<Item = &[u8]> {
    let nonce = inline_scripts(html).find_map(|(tag, _)| nonce_of(tag));
    inline_scripts(html).filter_map(move |(tag, body)| (nonce.is_some() && nonce_of(tag) == nonce).then_some(body))
}

fn nonce_of(tag: &[u8]) -> Option<&[u8]> {
    let at = find(tag, b" nonce=\"")? + 8;
    let len = tag[at..].iter().position(|b| *b == b'"')?;
    Some(&tag[at..at + len]).filter(|n| !n.is_empty())
}

/// Every `<script>` without a `src`: its opening tag's attributes and its text.
fn inline_scripts(html: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = find(rest, b"<script")?;
        let after_name = &rest[start + 7..];
        // `<scripts>` or `<script-x>` are other elements.
        if !after_name.first().is_some_and(|b| b.is_ascii_whitespace() || *b == b'>') {
            rest = after_name;
            continue;
        }
        let tag_end = find(after_name, b">")?;
        let tag = &after_name[..tag_end];
        let body = &after_name[tag_end + 1..];
        let close = find(body, b"</script")?;
        rest = &body[close..];
        if find(&tag.to_ascii_lowercase(), b"src=").is_none() {
            return Some((tag, &body[..close]));
        }
    })
}

/// Where `needle` first occurs, ignoring ASCII case. Candidates are found with `memchr` (a page
/// is ~100 KB; comparing a window at every byte was a measurable part of an uncached render).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = memchr::memchr2(first.to_ascii_lowercase(), first.to_ascii_uppercase(), &haystack[from..])
    {
        let at = from + offset;
        if haystack.get(at..at + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pages_own_inline_scripts_are_allowed() {
        let html = br#"<head><script src="/pkg/a.js"></script><script type="module" nonce="n1">import('/x')</script>
            <script nonce="n1" type="application/ld+json">{"a":1}</script><scripts>no</scripts></head>
            <body><p>A comment: <script>alert(1)</script><SCRIPT nonce="guess">alert(2)</SCRIPT></p>
            <script nonce="n1">__RESOLVED_RESOURCES=[]</script></body>"#;
        let found: Vec<&[u8]> = own_scripts(html).collect();
        assert_eq!(found, [&b"import('/x')"[..], br#"{"a":1}"#, b"__RESOLVED_RESOURCES=[]"]);
        assert_eq!(own_scripts(b"<p>no scripts</p>").count(), 0);
        assert_eq!(own_scripts(b"<script nonce=\"n\">unclosed").count(), 0);
        assert_eq!(own_scripts(b"<script>without a nonce()</script>").count(), 0, "no nonce: nothing inline runs");
    }
}
