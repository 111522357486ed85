//! What crawlers, feed readers and social networks read from a page's `<head>`: title,
//! description, canonical address, OpenGraph and Twitter cards. Rendered by `leptos_meta` into
//! the server's first HTML. (Articles add theirs in `articles::head`.)

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use serde::Serialize;

use super::publication::{DEFAULT_IMAGE, DEFAULT_IMAGE_SIZE, SITE_NAME};
use super::site_url::SiteUrl;

/// Makes `SITE_URL` available in the browser too: the server's value travels in the page, so
/// links built after hydration (client-side navigation) match the server's.
pub fn provide_site_url() {
    let url = SharedValue::new(|| use_context::<SiteUrl>().map(|u| u.as_str().to_owned())).into_inner();
    if let Some(url) = url.and_then(|u| SiteUrl::parse(&u).ok()) {
        provide_context(url);
    }
}

/// The `<title>` text: the page's own title and the site name (the name alone on the front page).
/// leptos_meta writes the server's `<title>` verbatim, so the server escapes it here — a
/// headline holding `</title><script>` stays text; the browser sets `document.title` as text.
pub fn full_title(title: String) -> String {
    let full = if title.is_empty() { SITE_NAME.to_owned() } else { format!("{title} — {SITE_NAME}") };
    if cfg!(feature = "ssr") {
        full.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        full
    }
}

/// `path_or_url` made absolute: site paths are joined to `SITE_URL`, URLs stay as they are.
pub fn absolute(path_or_url: &str) -> String {
    if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
        return path_or_url.to_owned();
    }
    match use_context::<SiteUrl>() {
        Some(site) if path_or_url.starts_with('/') => site.join(path_or_url),
        _ => path_or_url.to_owned(),
    }
}

/// The tags every page has. `title` is the page's own (the site name is added to `<title>`;
/// empty means the front page); `path` is its canonical site path.
#[component]
pub fn PageHead(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(into)] path: String,
    /// OpenGraph type: `website` for lists, `article` for a story.
    #[prop(default = "website")]
    kind: &'static str,
    /// A site path or URL; the site's default card when `None`.
    #[prop(default = None)]
    image: Option<String>,
) -> impl IntoView {
    let canonical = absolute(&path);
    let social_title = if title.is_empty() { SITE_NAME.to_owned() } else { title.clone() };
    let default_size = image.is_none().then_some(DEFAULT_IMAGE_SIZE);
    let image = absolute(image.as_deref().unwrap_or(DEFAULT_IMAGE));
    view! {
        <Title text=title/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=canonical.clone()/>
        <Meta property="og:site_name" content=SITE_NAME/>
        <Meta property="og:type" content=kind/>
        <Meta property="og:title" content=social_title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:url" content=canonical/>
        <Meta property="og:image" content=image.clone()/>
        {default_size.map(|(width, height)| view! {
            <Meta property="og:image:width" content=width/>
            <Meta property="og:image:height" content=height/>
        })}
        <Meta name="twitter:card" content="summary_large_image"/>
        <Meta name="twitter:title" content=social_title/>
        <Meta name="twitter:description" content=description/>
        <Meta name="twitter:image" content=image/>
    }
}

/// JSON safe to place inside `<script>`: `<`, `>` and `&` become `\u` escapes (same JSON
/// value), so a headline holding `</script>` cannot end the element.
pub fn json_for_script(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let value = serde_json::json!({ "headline": "Bad </script><script>alert(1)</script> & more" });
        let text = json_for_script(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value, "the escapes are the same JSON");
    }
}
