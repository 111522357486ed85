//! What an article's `<head>` carries beyond every page's tags: `og:type=article`, the
//! `article:*` properties, its comments feed, and JSON-LD `NewsArticle`.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Script};
use serde::Serialize;

use super::types::Article;
use crate::core::head::{absolute, json_for_script, PageHead};
use crate::core::paths;
use crate::core::publication::{DEFAULT_IMAGE, LOGO, SITE_NAME};

/// Everything an article's `<head>` carries: the page tags as `og:type=article`, the
/// `article:*` properties, its comments feed, and JSON-LD `NewsArticle`.
#[component]
pub fn ArticleHead(article: Article) -> impl IntoView {
    let card = &article.card;
    let path = card.href();
    let comments_feed = paths::article_comments_feed(&card.slug);
    let json_ld = json_for_script(&news_article(&article));
    let tags =
        article.tags.iter().map(|t| view! { <Meta property="article:tag" content=t.name.clone()/> }).collect_view();
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
    let author_page = Some(absolute(&card.author_href()));
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
