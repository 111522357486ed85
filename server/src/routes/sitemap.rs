//! For search engines: `/sitemap.xml` lists every article, section, tag and author page with
//! the time its content last changed; past 50,000 addresses (the protocol's limit per file)
//! it becomes an index of `/sitemap/{n}.xml` files. `/robots.txt` points at it.

use std::sync::Arc;

use app::articles::store::{self as articles, SitemapEntry};
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use quick_xml::escape::escape;

use super::feeds::{FeedError, Publication};
use app::core::{paths, SiteUrl};

/// Addresses per sitemap file (the sitemaps.org limit).
pub const URLS_PER_SITEMAP: usize = 50_000;

const XML_TYPE: &str = "application/xml; charset=utf-8";

#[derive(Clone)]
struct Sitemaps {
    publication: Publication,
    /// The last listing and the stories' version it was made at. Listing every page takes
    /// ~0.5 s at 55,000 articles, so it is reused until a story is published, changed or
    /// taken down; the lock lets one request at a time list, so requests cannot pile up.
    cache: Arc<tokio::sync::Mutex<Option<Listing>>>,
}

type Listing = (i64, Arc<Vec<SitemapEntry>>);

impl Sitemaps {
    async fn entries(&self) -> sqlx::Result<Arc<Vec<SitemapEntry>>> {
        let mut cache = self.cache.lock().await;
        let version = self.publication.db.articles_version().await?;
        if let Some((made_at, entries)) = cache.as_ref() {
            if *made_at == version {
                return Ok(entries.clone());
            }
        }
        let entries = Arc::new(articles::sitemap_entries(&self.publication.db).await?);
        *cache = Some((version, entries.clone()));
        Ok(entries)
    }
}

pub fn routes<S: Clone + Send + Sync + 'static>(publication: Publication) -> Router<S> {
    Router::new()
        .route(paths::SITEMAP, get(sitemap))
        .route("/sitemap/{file}", get(sitemap_part))
        .route("/robots.txt", get(robots))
        .with_state(Sitemaps { publication, cache: Arc::default() })
}

async fn sitemap(State(s): State<Sitemaps>) -> Result<Response, FeedError> {
    let entries = s.entries().await?;
    let xml = sitemap_xml(&s.publication.site_url, &entries, URLS_PER_SITEMAP);
    Ok(([(header::CONTENT_TYPE, XML_TYPE)], xml).into_response())
}

/// `/sitemap/{n}.xml`: the n-th file (from 1) of a split sitemap.
async fn sitemap_part(State(s): State<Sitemaps>, Path(file): Path<String>) -> Result<Response, FeedError> {
    let n: usize = file.strip_suffix(".xml").and_then(|n| n.parse().ok()).ok_or(FeedError::NotFound)?;
    let entries = s.entries().await?;
    // A sitemap that fits in one file has no parts.
    let split = entries.len() > URLS_PER_SITEMAP;
    let part = part(&entries, URLS_PER_SITEMAP, n).filter(|_| split).ok_or(FeedError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, XML_TYPE)], urlset(&s.publication.site_url, part)).into_response())
}

async fn robots(State(s): State<Sitemaps>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], robots_txt(&s.publication.site_url)).into_response()
}

pub fn robots_txt(site: &SiteUrl) -> String {
    // Server functions answer POSTs only; nothing under /api/ is a page.
    format!("User-agent: *\nDisallow: /api/\n\nSitemap: {}\n", site.join(paths::SITEMAP))
}

/// The n-th (from 1) slice of `per_file` entries, if there is one.
pub fn part(entries: &[SitemapEntry], per_file: usize, n: usize) -> Option<&[SitemapEntry]> {
    entries.chunks(per_file).nth(n.checked_sub(1)?)
}

/// What `/sitemap.xml` answers: the whole list when it fits in one file, else an index of the
/// parts, each with the newest change among its addresses.
pub fn sitemap_xml(site: &SiteUrl, entries: &[SitemapEntry], per_file: usize) -> String {
    if entries.len() <= per_file {
        return urlset(site, entries);
    }
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (i, chunk) in entries.chunks(per_file).enumerate() {
        let lastmod = chunk.iter().map(|e| e.lastmod).max().map(w3c_datetime).unwrap_or_default();
        let loc = site.join(&format!("/sitemap/{}.xml", i + 1));
        xml.push_str(&format!(
            "  <sitemap><loc>{}</loc><lastmod>{}</lastmod></sitemap>\n",
            escape(&loc),
            escape(&lastmod)
        ));
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// The sitemap protocol's date format (W3C Datetime), to the second.
fn w3c_datetime(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn urlset(site: &SiteUrl, entries: &[SitemapEntry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for e in entries {
        let loc = site.join(&e.path);
        let lastmod = w3c_datetime(e.lastmod);
        xml.push_str(&format!("  <url><loc>{}</loc><lastmod>{}</lastmod></url>\n", escape(&loc), escape(&lastmod)));
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<SitemapEntry> {
        (1..=n)
            .map(|i| SitemapEntry {
                path: format!("/article/a{i}"),
                lastmod: format!("2026-11-{i:02}T00:00:00Z").parse().unwrap(),
            })
            .collect()
    }

    fn site() -> SiteUrl {
        SiteUrl::parse("https://news.example.org/local&more").unwrap()
    }

    #[test]
    fn a_small_site_is_one_urlset() {
        let xml = sitemap_xml(&site(), &entries(3), 3);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "), "{xml}");
        assert_eq!(xml.matches("<url>").count(), 3);
        assert!(xml.contains("<url><loc>https://news.example.org/local&amp;more/article/a2</loc><lastmod>2026-11-02T00:00:00Z</lastmod></url>"), "{xml}");
    }

    #[test]
    fn past_the_limit_it_becomes_an_index_of_parts() {
        let all = entries(7);
        let xml = sitemap_xml(&site(), &all, 3);
        assert!(xml.contains("<sitemapindex "), "{xml}");
        assert_eq!(xml.matches("<sitemap>").count(), 3, "7 addresses at 3 a file: 3 files");
        assert!(xml.contains("<loc>https://news.example.org/local&amp;more/sitemap/1.xml</loc><lastmod>2026-11-03T00:00:00Z</lastmod>"), "{xml}");
        assert!(xml.contains("/sitemap/3.xml</loc><lastmod>2026-11-07T00:00:00Z</lastmod>"), "{xml}");
        let parts: Vec<usize> = (1..=3).map(|n| part(&all, 3, n).unwrap().len()).collect();
        assert_eq!(parts, [3, 3, 1], "every address in exactly one part");
        assert_eq!(part(&all, 3, 2).unwrap()[0].path, "/article/a4");
        assert!(part(&all, 3, 4).is_none() && part(&all, 3, 0).is_none());
    }

    #[test]
    fn robots_names_the_absolute_sitemap() {
        let txt = robots_txt(&SiteUrl::parse("https://news.example.org").unwrap());
        assert!(txt.contains("User-agent: *\n"));
        assert!(txt.ends_with("Sitemap: https://news.example.org/sitemap.xml\n"), "{txt}");
    }
}
