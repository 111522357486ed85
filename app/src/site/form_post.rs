//! (server) Telling a plain browser form post — JavaScript off, answered with
//! post-redirect-get — from the hydrated app's fetch, which asks for JSON.

use http::{header, request::Parts};

pub fn is_plain_form_post(parts: &Parts) -> bool {
    parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The path and query of the page the form was on (from `Referer`), or `/`. Only the path is
/// kept, so the redirect cannot leave the site.
pub fn referring_page(parts: &Parts) -> String {
    let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let after_scheme = referer.split_once("://").map_or("", |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split('#').next().unwrap_or("/");
    // `//host` or `/\host` would be read by browsers as another site.
    if path.starts_with("//") || path.starts_with("/\\") {
        return "/".into();
    }
    path.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(referer: &str) -> Parts {
        let (parts, ()) = http::Request::builder().header(header::REFERER, referer).body(()).unwrap().into_parts();
        parts
    }

    #[test]
    fn keeps_only_the_path_and_query_of_the_referer() {
        assert_eq!(referring_page(&parts("http://127.0.0.1:3000/article/x?cpage=2#respond")), "/article/x?cpage=2");
        assert_eq!(referring_page(&parts("https://news.example.org")), "/");
        assert_eq!(referring_page(&parts("https://news.example.org//evil.example/x")), "/");
        assert_eq!(referring_page(&parts("https://news.example.org/\\evil.example")), "/");
        assert_eq!(referring_page(&parts("garbage")), "/");
    }
}
