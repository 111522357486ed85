//! (server) Which address a request comes from: the peer, or — behind a proxy we trust — the
//! nearest `X-Forwarded-For` hop that is not one of our proxies. Anything further left in that
//! header was written by the client and proves nothing.

use std::net::IpAddr;

use http::HeaderMap;

pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).unwrap_or("");
    forwarded
        .rsplit(',')
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted_proxies.contains(ip))
        .or(Some(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let reader: IpAddr = "203.0.113.9".parse().unwrap();
        let headers = forwarded("198.51.100.1, 203.0.113.9");
        assert_eq!(client_ip(&headers, Some(reader), &[proxy]), Some(reader), "an untrusted peer is the client");
        assert_eq!(client_ip(&headers, Some(proxy), &[proxy]), Some(reader), "the nearest hop, not the client's claim");
        assert_eq!(client_ip(&HeaderMap::new(), Some(proxy), &[proxy]), Some(proxy));
        assert_eq!(client_ip(&headers, None, &[proxy]), None);
    }
}
