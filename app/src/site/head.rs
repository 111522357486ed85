//! What crawlers, feed readers and social networks read from a page's `<head>`: title,
//! description, canonical address, OpenGraph and Twitter cards, and for articles JSON-LD
//! `NewsArticle`. Rendered by `leptos_meta` into the server's first HTML.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Script, Title};
use serde::Serialize;

use super::{SiteUrl, SITE_NAME};
use crate::articles::{Article, Slug};

/// The picture social networks show when a page has none of its own (`public/`).
pub const DEFAULT_IMAGE: &str = "/social-card.png";
const DEFAULT_IMAGE_SIZE: (&str, &str) = ("1200", "630");
/// The publisher's logo for structured data (`public/`).
pub const LOGO: &str = "/logo.png";

pub const SITE_DESCRIPTION: &str =
    "Independent local news from the Northfield estuary: city, culture, science, sport and technology.";

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

/// Everything an article's `<head>` carries: the page tags as `og:type=article`, the
/// `article:*` properties, its comments feed, and JSON-LD `NewsArticle`.
#[component]
pub fn ArticleHead(article: Article) -> impl IntoView {
    let card = &article.card;
    let path = card.href();
    let comments_feed = format!("{path}/comments/feed.xml");
    let json_ld = json_for_script(&news_article(&article));
    let tags = article.tags.iter().map(|t| view! { <Meta property="article:tag" content=t.name.clone()/> }).collect_view();
    view! {
        <PageHead title=card.title.clone() description=card.summary.clone() path kind="article" image=article.image.clone()/>
        <Meta property="article:published_time" content=card.published.iso.clone()/>
        <Meta property="article:modified_time" content=article.updated.iso.clone()/>
        <Meta property="article:section" content=card.category.name.clone()/>
        {tags}
        <Link rel="alternate" type_="application/rss+xml" title=format!("Comments on “{}”", card.title) href=comments_feed/>
        <Script type_="application/ld+json">{json_ld}</Script>
    }
}

/// schema.org `NewsArticle`; `headline` is exactly the page's `<h1>`. Typed rather than a
/// `serde_json::Value`, which would add its map and value code to the wasm bundle.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    main_entity_of_page: String,
    headline: &'a str,
    description: &'a str,
    image: [String; 1],
    date_published: &'a str,
    date_modified: &'a str,
    article_section: &'a str,
    keywords: Vec<&'a str>,
    author: [Thing<'a>; 1],
    publisher: Thing<'a>,
}

/// A schema.org person, organisation or image: what the article's fields point at.
#[derive(Serialize)]
struct Thing<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logo: Option<Box<Thing<'a>>>,
}

pub fn news_article(article: &Article) -> NewsArticle<'_> {
    let card = &article.card;
    let author_page = Slug::from_name(&card.author).map(|slug| absolute(&format!("/author/{slug}")));
    NewsArticle {
        context: "https://schema.org",
        kind: "NewsArticle",
        main_entity_of_page: absolute(&card.href()),
        headline: &card.title,
        description: &card.summary,
        image: [absolute(article.image.as_deref().unwrap_or(DEFAULT_IMAGE))],
        date_published: &card.published.iso,
        date_modified: &article.updated.iso,
        article_section: &card.category.name,
        keywords: article.tags.iter().map(|t| t.name.as_str()).collect(),
        author: [Thing { kind: "Person", name: Some(&card.author), url: author_page, logo: None }],
        publisher: Thing {
            kind: "Organization",
            name: Some(SITE_NAME),
            url: Some(absolute("/")),
            logo: Some(Box::new(Thing { kind: "ImageObject", name: None, url: Some(absolute(LOGO)), logo: None })),
        },
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
