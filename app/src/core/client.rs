//! (server) Which address a request comes from: the peer, or — behind a proxy we trust — the
//! nearest `X-Forwarded-For` hop that is not one of our proxies. Anything further left in that
//! header was written by the client and proves nothing. Every limiter and counter names the
//! client through this module.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use http::HeaderMap;
use leptos::prelude::use_context;

/// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed. Provided as context.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpAddr>>);

impl TrustedProxies {
    pub fn new(proxies: Vec<IpAddr>) -> TrustedProxies {
        TrustedProxies(Arc::new(proxies))
    }

    /// The client of a request with these headers from this peer.
    pub fn client(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        client_ip(headers, peer, &self.0)
    }
}

/// The client of the request a server function or page is handling.
pub async fn current() -> Option<IpAddr> {
    let parts = use_context::<http::request::Parts>()?;
    let proxies = use_context::<TrustedProxies>().unwrap_or_default();
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|c| c.0.ip());
    proxies.client(&parts.headers, peer)
}

/// What limits count against: an IPv4 address, or the /64 network of an IPv6 address (one
/// subscriber line gets a whole /64 and can rotate through it at will).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// The salted hash of a client's address (its /64 for IPv6): what flood control, sign-in limits
/// and moderators compare; the address itself is never stored.
pub fn address_hash(salt: &str, client: Option<IpAddr>) -> String {
    use sha2::{Digest, Sha256};
    let ip = client.map(|ip| limit_key(ip).to_string()).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{salt}|{ip}")))
}

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

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limit_key(a), limit_key(b));
        assert_ne!(limit_key(a), limit_key(other));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(limit_key(v4), v4);
        assert_eq!(limit_key("::ffff:192.0.2.7".parse().unwrap()), v4);
    }
}
