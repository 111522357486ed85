//! Feeds for feed readers: the site's latest articles as RSS 2.0 (`/feed.xml`) and Atom
//! (`/atom.xml`), a section's as RSS (`/category/{slug}/feed.xml`), and an article's newest
//! comments as RSS (`/article/{slug}/comments/feed.xml`). Written with the `rss` and
//! `atom_syndication` crates; every link is absolute, built from `SITE_URL`.

use app::articles::{store as articles, store::FeedEntry};
use app::comments::store as comments;
use app::core::Slug;
use app::core::{paths, SiteUrl, SITE_NAME};
use app::db::Db;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use chrono::{DateTime, FixedOffset};

/// How many articles (or comments) a feed carries.
pub const FEED_LENGTH: i64 = 20;

pub const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
pub const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";

/// What the feed and sitemap handlers read: the database and the public base URL.
#[derive(Clone)]
pub struct Publication {
    pub db: Db,
    pub site_url: SiteUrl,
}

pub fn routes<S: Clone + Send + Sync + 'static>(publication: Publication) -> Router<S> {
    Router::new()
        .route(paths::FEED, get(site_rss))
        .route(paths::ATOM_FEED, get(site_atom))
        .route("/category/{slug}/feed.xml", get(category_rss))
        .route("/article/{slug}/comments/feed.xml", get(comments_rss))
        .with_state(publication)
}

/// A feed request that cannot be answered: unknown section or article (404), or the database.
pub enum FeedError {
    NotFound,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for FeedError {
    fn from(e: sqlx::Error) -> Self {
        FeedError::Database(e)
    }
}

impl IntoResponse for FeedError {
    fn into_response(self) -> Response {
        match self {
            FeedError::NotFound => (axum::http::StatusCode::NOT_FOUND, "There is no such feed.\n").into_response(),
            FeedError::Database(e) => {
                tracing::error!(error = %e, "feed failed to load");
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "The feed could not be loaded.\n").into_response()
            }
        }
    }
}

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Stored times are RFC 3339; one that is not (never written by the store) falls back to 1970
/// rather than failing the whole feed.
fn when(iso: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(iso).unwrap_or_default()
}

async fn site_rss(State(p): State<Publication>) -> Result<Response, FeedError> {
    let entries = articles::latest_for_feed(&p.db, None, FEED_LENGTH).await?;
    let description = format!("The latest stories from {SITE_NAME}");
    Ok(xml(RSS_TYPE, rss_of_articles(&p.site_url, SITE_NAME, paths::FRONT, paths::FEED, &description, &entries)))
}

async fn site_atom(State(p): State<Publication>) -> Result<Response, FeedError> {
    let entries = articles::latest_for_feed(&p.db, None, FEED_LENGTH).await?;
    Ok(xml(ATOM_TYPE, atom_of_articles(&p.site_url, &entries)))
}

async fn category_rss(State(p): State<Publication>, Path(slug): Path<String>) -> Result<Response, FeedError> {
    let slug = Slug::parse(&slug).ok_or(FeedError::NotFound)?;
    let (id, category) = articles::category_by_slug(&p.db, &slug).await?.ok_or(FeedError::NotFound)?;
    let entries = articles::latest_for_feed(&p.db, Some(id), FEED_LENGTH).await?;
    let title = format!("{} — {SITE_NAME}", category.name);
    let description = format!("The latest {} stories from {SITE_NAME}", category.name);
    let self_path = format!("{}/feed.xml", category.href());
    Ok(xml(RSS_TYPE, rss_of_articles(&p.site_url, &title, &category.href(), &self_path, &description, &entries)))
}

async fn comments_rss(State(p): State<Publication>, Path(slug): Path<String>) -> Result<Response, FeedError> {
    let slug = Slug::parse(&slug).ok_or(FeedError::NotFound)?;
    let article = articles::article_by_slug(&p.db, &slug).await?.ok_or(FeedError::NotFound)?;
    let list = comments::latest_approved(&p.db, article.id, FEED_LENGTH).await?;
    let article_url = p.site_url.join(&article.card.href());
    let items: Vec<rss::Item> = list
        .iter()
        .map(|c| {
            let link = format!("{article_url}#comment-{}", c.id);
            let mut item = rss_item(&link, &format!("{} on “{}”", c.author_name, article.card.title), &c.published.iso);
            // Readers render a description as HTML; a comment is text, so it is escaped as text.
            item.set_description(ammonia::clean_text(&c.body));
            item.set_dublin_core_ext(creator(&c.author_name));
            item
        })
        .collect();
    let mut channel = rss_channel(
        &p.site_url,
        &format!("Comments on “{}”", article.card.title),
        &article.card.href(),
        &format!("{}/comments/feed.xml", article.card.href()),
        &format!("The newest comments on “{}” from {SITE_NAME}", article.card.title),
    );
    channel.set_items(items);
    Ok(xml(RSS_TYPE, channel.to_string()))
}

fn creator(name: &str) -> rss::extension::dublincore::DublinCoreExtension {
    let mut dc = rss::extension::dublincore::DublinCoreExtension::default();
    dc.set_creators(vec![name.to_owned()]);
    dc
}

fn rss_item(link: &str, title: &str, published_iso: &str) -> rss::Item {
    let mut item = rss::Item::default();
    item.set_title(title.to_owned());
    item.set_link(link.to_owned());
    let mut guid = rss::Guid::default();
    guid.set_value(link.to_owned());
    guid.set_permalink(true);
    item.set_guid(guid);
    item.set_pub_date(when(published_iso).to_rfc2822());
    item
}

fn rss_channel(site: &SiteUrl, title: &str, page: &str, self_path: &str, description: &str) -> rss::Channel {
    let mut channel = rss::Channel::default();
    channel.set_title(title.to_owned());
    channel.set_link(site.join(page));
    channel.set_description(description.to_owned());
    channel.set_language("en".to_owned());
    // Readers use the self link to find the feed again when it was copied from elsewhere.
    let mut this = atom_syndication::Link::default();
    this.set_href(site.join(self_path));
    this.set_rel("self");
    this.set_mime_type(Some("application/rss+xml".to_owned()));
    let mut atom = rss::extension::atom::AtomExtension::default();
    atom.set_links(vec![this]);
    channel.set_atom_ext(atom);
    channel
}

/// An RSS 2.0 feed of articles: title, absolute link, permalink guid, date, author
/// (`dc:creator`, as RSS's own `author` must be an e-mail address), summary, section.
pub fn rss_of_articles(
    site: &SiteUrl,
    title: &str,
    page: &str,
    self_path: &str,
    description: &str,
    entries: &[FeedEntry],
) -> String {
    let mut channel = rss_channel(site, title, page, self_path, description);
    if let Some(newest) = entries.iter().map(|e| when(&e.updated.iso)).max() {
        channel.set_last_build_date(newest.to_rfc2822());
    }
    let items: Vec<rss::Item> = entries
        .iter()
        .map(|e| {
            let mut item = rss_item(&site.join(&e.card.href()), &e.card.title, &e.card.published.iso);
            item.set_description(e.card.summary.clone());
            item.set_dublin_core_ext(creator(&e.card.author));
            let mut category = rss::Category::default();
            category.set_name(e.card.category.name.clone());
            category.set_domain(site.join(&e.card.category.href()));
            item.set_categories(vec![category]);
            item
        })
        .collect();
    channel.set_items(items);
    channel.to_string()
}

/// The same articles as Atom: entries carry both `published` and `updated`.
pub fn atom_of_articles(site: &SiteUrl, entries: &[FeedEntry]) -> String {
    use atom_syndication::{Category, Entry, Feed, Link, Person};
    let link = |href: String, rel: &str, mime: Option<&str>| {
        let mut l = Link::default();
        l.set_href(href);
        l.set_rel(rel);
        l.set_mime_type(mime.map(str::to_owned));
        l
    };
    let mut feed = Feed::default();
    feed.set_title(SITE_NAME);
    feed.set_id(site.join(paths::ATOM_FEED));
    feed.set_subtitle(Some(format!("The latest stories from {SITE_NAME}").into()));
    feed.set_links(vec![
        link(site.join("/"), "alternate", Some("text/html")),
        link(site.join(paths::ATOM_FEED), "self", Some("application/atom+xml")),
    ]);
    feed.set_lang(Some("en".to_owned()));
    // An empty feed is "updated" at the epoch: a stable answer rather than the current time.
    feed.set_updated(entries.iter().map(|e| when(&e.updated.iso)).max().unwrap_or_default());
    let items = entries
        .iter()
        .map(|e| {
            let url = site.join(&e.card.href());
            let mut entry = Entry::default();
            entry.set_title(e.card.title.clone());
            entry.set_id(url.clone());
            entry.set_links(vec![link(url, "alternate", Some("text/html"))]);
            entry.set_published(Some(when(&e.card.published.iso)));
            entry.set_updated(when(&e.updated.iso));
            let mut author = Person::default();
            author.set_name(e.card.author.clone());
            author.set_uri(Some(site.join(&e.card.author_href())));
            entry.set_authors(vec![author]);
            entry.set_summary(Some(atom_syndication::Text::plain(e.card.summary.clone())));
            let mut category = Category::default();
            category.set_term(e.card.category.slug.to_string());
            category.set_label(Some(e.card.category.name.clone()));
            category.set_scheme(Some(site.join("/category/")));
            entry.set_categories(vec![category]);
            entry
        })
        .collect::<Vec<_>>();
    feed.set_entries(items);
    feed.to_string()
}
