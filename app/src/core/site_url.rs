//! The public base URL (`SITE_URL`) that every absolute link — mail, feeds, canonical, share
//! links — is built from.

use std::fmt;

/// An absolute `http(s)://host[:port][/prefix]` without a trailing slash, query or fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteUrl(String);

impl SiteUrl {
    pub fn parse(raw: &str) -> Result<SiteUrl, String> {
        let url = raw.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("SITE_URL {raw:?} must start with http:// or https://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || rest.contains(['?', '#', ' ']) {
            return Err(format!("SITE_URL {raw:?} must be a base URL like https://news.example.org"));
        }
        Ok(SiteUrl(url.to_owned()))
    }

    /// The default when `SITE_URL` is unset: the address the server listens on.
    pub fn from_listen_addr(addr: std::net::SocketAddr) -> SiteUrl {
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "localhost".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        SiteUrl(format!("http://{host}:{}", addr.port()))
    }

    /// `path` must start with `/`.
    pub fn join(&self, path: &str) -> String {
        debug_assert!(path.starts_with('/'));
        format!("{}{path}", self.0)
    }

    /// `scheme://host[:port]`: what a browser sends as `Origin` for a page of this site.
    pub fn origin(&self) -> &str {
        let after_scheme = self.0.find("://").map_or(0, |i| i + 3);
        let end = self.0[after_scheme..].find('/').map_or(self.0.len(), |i| after_scheme + i);
        &self.0[..end]
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base_urls_and_drops_the_trailing_slash() {
        assert_eq!(SiteUrl::parse("https://news.example.org/").unwrap().as_str(), "https://news.example.org");
        assert_eq!(
            SiteUrl::parse(" http://127.0.0.1:3000 ").unwrap().join("/feed.xml"),
            "http://127.0.0.1:3000/feed.xml"
        );
        assert_eq!(SiteUrl::parse("https://example.org/news").unwrap().join("/a"), "https://example.org/news/a");
        assert!(SiteUrl::parse("https://example.org").unwrap().is_https());
        assert_eq!(SiteUrl::parse("https://example.org:8443/news").unwrap().origin(), "https://example.org:8443");
        assert_eq!(SiteUrl::parse("http://127.0.0.1:3000").unwrap().origin(), "http://127.0.0.1:3000");
    }

    #[test]
    fn refuses_what_is_not_a_base_url() {
        for bad in
            ["", "example.org", "ftp://example.org", "https://", "https://example.org/?x=1", "https://example.org/#top"]
        {
            assert!(SiteUrl::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn defaults_to_the_listen_address() {
        assert_eq!(SiteUrl::from_listen_addr("127.0.0.1:3000".parse().unwrap()).as_str(), "http://127.0.0.1:3000");
        assert_eq!(SiteUrl::from_listen_addr("0.0.0.0:80".parse().unwrap()).as_str(), "http://localhost:80");
    }
}
