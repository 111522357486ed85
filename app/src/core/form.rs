//! One way to answer a form, for every form on the site. With JavaScript the hydrated app
//! posts for JSON: it gets the outcome with a status that says what happened. Without it the
//! browser posted a plain form: it gets post-redirect-get to a page of this site that shows
//! the outcome (and keeps what was typed).

#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// A refusal a form can show: its HTTP status and its human message (`Display`).
pub trait FormError: std::fmt::Display {
    fn status(&self) -> u16;
}

/// `impl FromServerFnError` for a form's error type: arguments that do not parse (a tampered
/// or truncated form) become `$bad_request`, with a fixed message and never serde's wording;
/// anything else becomes `$server`.
#[macro_export]
macro_rules! form_error_from_server_fn {
    ($error:ty, bad_request: $bad_request:expr, server: $server:expr) => {
        impl leptos::server_fn::error::FromServerFnError for $error {
            type Encoder = leptos::server_fn::codec::JsonEncoding;

            fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
                use leptos::server_fn::error::ServerFnErrorErr;
                match value {
                    ServerFnErrorErr::Args(_)
                    | ServerFnErrorErr::MissingArg(_)
                    | ServerFnErrorErr::Deserialization(_) => $bad_request,
                    _ => $server,
                }
            }
        }
    };
}

/// Sets the HTTP status of the response being rendered (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        response.set_status(code);
        if code == http::StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static(crate::core::RETRY_AFTER_SECONDS),
            );
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// (server) Answers a form: with JavaScript, the outcome with its status; without it, a
/// redirect to the same-site path `no_js_target` chooses for the outcome.
#[cfg(feature = "ssr")]
pub async fn respond<T, E: FormError>(
    outcome: Result<T, E>,
    no_js_target: impl AsyncFnOnce(&Result<T, E>) -> String,
) -> Result<T, E> {
    let from_plain_form = use_context::<http::request::Parts>().is_some_and(|parts| is_plain_form_post(&parts));
    if from_plain_form {
        let target = no_js_target(&outcome).await;
        leptos_axum::redirect(&same_site_path(&target));
    } else if let Err(error) = &outcome {
        set_status(error.status());
    }
    outcome
}

/// (server) A plain browser form post — JavaScript off — rather than the hydrated app's
/// fetch, which asks for JSON.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post(parts: &http::request::Parts) -> bool {
    parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The path and query of the page the form was on (from `Referer`), made a same-site path.
#[cfg(feature = "ssr")]
pub fn referring_page(parts: &http::request::Parts) -> String {
    let referer = parts.headers.get(http::header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let after_scheme = referer.split_once("://").map_or("", |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    same_site_path(path.split('#').next().unwrap_or("/"))
}

/// `raw` if it is a path on this site, else `/`. Control characters are dropped first (a
/// browser ignores a tab, so `/\t/evil.example` is `//evil.example` to it); then only a single
/// leading `/` is accepted: `//host`, `/\host` and anything with a scheme would leave the site.
pub fn same_site_path(raw: &str) -> String {
    let path: String = raw.chars().filter(|c| !c.is_control()).collect();
    let safe = path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\");
    if safe {
        path
    } else {
        "/".into()
    }
}

/// Text to put inside a `<textarea>` in a view. Leptos writes a textarea's children to the
/// server-rendered HTML unescaped (as it does for `<script>`), so typed text containing
/// `</textarea>` would end the field and become markup. Escaped on the server (the browser
/// decodes it back, the field shows exactly what was typed); in the browser it becomes a text
/// node, which is never parsed.
pub fn textarea_text(typed: String) -> String {
    #[cfg(feature = "ssr")]
    return html_escape::encode_text(&typed).into_owned();
    #[cfg(not(feature = "ssr"))]
    typed
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use http::{header, request::Parts};

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

    #[test]
    fn redirects_never_leave_the_site() {
        for hostile in [
            "/\t/evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "https://evil.example/",
            "",
            "/\n/evil.example",
        ] {
            assert_eq!(same_site_path(hostile), "/", "{hostile:?}");
        }
        assert_eq!(same_site_path("/article/a?draft=1#respond"), "/article/a?draft=1#respond");
    }

    #[test]
    fn typed_text_cannot_close_the_field() {
        let page = view! { <textarea name="comment">{textarea_text("a</textarea><script>x()</script> & b".into())}</textarea> }
            .to_html();
        assert_eq!(
            page,
            r#"<textarea name="comment">a&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt; &amp; b</textarea>"#
        );
    }
}
