//! Pages as a conformance checker wants them. Leptos marks places in its HTML with `<!>` (to
//! the HTML parser a bogus comment: a parse error each, hundreds per page) and writes its
//! resource scripts after `</html>`. Each marker becomes `<!---->`, the same empty comment node
//! in the DOM (so hydration finds what it expects), and what follows `</html>` moves to just
//! before `</body>`, where the parser would have put it anyway.

use axum::{
    body::Body,
    extract::Request,
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Rewrites HTML answers; everything else passes untouched.
pub async fn conforming_html(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match super::whole_page(body).await {
        Ok(bytes) => bytes,
        Err(broken) => return broken.into_response(),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else { return Response::from_parts(parts, Body::from(bytes)) };
    let fixed = conform(text);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(fixed))
}

/// Elements whose content is text to the parser: a `<!>` inside is not a marker.
const RAW_TEXT: [&str; 4] = ["script", "style", "textarea", "title"];

/// The page with conforming markers, and nothing after `</html>`.
pub fn conform(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let bytes = html.as_bytes();
    let (mut at, mut copied) = (0, 0);
    while let Some(found) = html[at..].find('<') {
        let start = at + found;
        let rest = &bytes[start..];
        if rest.starts_with(b"<!>") {
            out.push_str(&html[copied..start]);
            out.push_str("<!---->");
            at = start + 3;
            copied = at;
        } else if rest.starts_with(b"<!--") {
            at = html[start + 4..].find("-->").map_or(html.len(), |end| start + 4 + end + 3);
        } else if rest.len() > 1 && (rest[1].is_ascii_alphabetic() || rest[1] == b'/') {
            let end = tag_end(bytes, start);
            let closing = rest[1] == b'/';
            let name_start = start + 1 + usize::from(closing);
            let name_len = bytes[name_start..end].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let name = &html[name_start..name_start + name_len];
            at = end;
            if !closing {
                if let Some(raw) = RAW_TEXT.iter().find(|raw| raw.eq_ignore_ascii_case(name)) {
                    at = raw_text_end(html, end, raw);
                }
            }
        } else {
            at = start + 1;
        }
    }
    out.push_str(&html[copied..]);
    move_trailing_scripts(out)
}

/// Just past the `>` that ends the tag starting at `start` (quoted attribute values may hold `>`).
/// Jumps from quote to quote with `memchr` (a byte-by-byte walk over every tag was most of this
/// rewrite's cost on a 100 KB page).
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(found) = memchr::memchr3(b'>', b'"', b'\'', &bytes[i..]) {
        let at = i + found;
        if bytes[at] == b'>' {
            return at + 1;
        }
        match memchr::memchr(bytes[at], &bytes[at + 1..]) {
            Some(close) => i = at + 1 + close + 1,
            None => break,
        }
    }
    bytes.len()
}

/// Where the text of a raw-text element opened at `from` ends (at its closing tag).
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(found) = html[at..].find("</") {
        let start = at + found;
        let after = start + 2;
        if bytes.len() >= after + name.len() && html[after..after + name.len()].eq_ignore_ascii_case(name) {
            return start;
        }
        at = after;
    }
    html.len()
}

/// What Leptos writes after `</html>` (its resource scripts) goes before `</body>`.
fn move_trailing_scripts(mut page: String) -> String {
    let Some(html_end) = page.rfind("</html>") else { return page };
    let tail = page[html_end + "</html>".len()..].to_owned();
    if tail.trim().is_empty() {
        return page;
    }
    let Some(body_end) = page[..html_end].rfind("</body>") else { return page };
    page.truncate(html_end + "</html>".len());
    page.insert_str(body_end, &tail);
    page
}

#[cfg(test)]
mod tests {
    use super::conform;

    #[test]
    fn markers_become_empty_comments_and_nothing_else_changes() {
        let page = r#"<html><head><title>a <!> b</title></head><body><p>x<!>y</p><!><a title="1 > 0 <!>" href=/>z</a><!-- <!> --><script>let s = "<!>";</script><textarea><!></textarea></body></html>"#;
        assert_eq!(
            conform(page),
            r#"<html><head><title>a <!> b</title></head><body><p>x<!---->y</p><!----><a title="1 > 0 <!>" href=/>z</a><!-- <!> --><script>let s = "<!>";</script><textarea><!></textarea></body></html>"#
        );
    }

    #[test]
    fn scripts_after_the_document_move_into_the_body() {
        let page =
            "<!DOCTYPE html><html><head></head><body><main>hi</main></body></html><script>__RESOLVED = 1</script>";
        assert_eq!(
            conform(page),
            "<!DOCTYPE html><html><head></head><body><main>hi</main><script>__RESOLVED = 1</script></body></html>"
        );
        let already = "<html><body></body></html>\n";
        assert_eq!(conform(already), already);
    }
}
