//! Security headers and compression, as a browser receives them.

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use sha2::{Digest, Sha256};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_that_allows_their_own_scripts() {
    let app = spawn_app().await;
    for path in ["/", "/article/harbour-bridge-reopens", "/no-such-page"] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        let headers = response.headers().clone();
        let html = response.text().await.unwrap();
        let csp = headers["content-security-policy"].to_str().unwrap().to_owned();
        let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("script-src");
        assert!(!script_src.contains("unsafe-inline"), "{csp}");
        assert!(script_src.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        let scripts = server::middleware::security_headers::own_scripts(html.as_bytes()).collect::<Vec<_>>();
        assert!(scripts.len() >= 2, "{path}: the start-up and hydration scripts are inline and carry the nonce");
        assert_eq!(scripts.len(), html.matches("<script").count(), "{path}: every script on the page is its own");
        for script in scripts {
            let hash = format!("'sha256-{}'", BASE64.encode(Sha256::digest(script)));
            assert!(script_src.contains(&hash), "{path}: inline script not allowed by {csp}");
        }
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
        assert!(headers["permissions-policy"].to_str().unwrap().contains("camera=()"));
        assert!(headers.get("strict-transport-security").is_none(), "no HSTS for an http site");
    }
    // Server-function answers (and files) get the general headers, not a page policy.
    let response = app
        .client
        .post(format!("{}/api/newsletter/subscribe", app.address))
        .header("Accept", "application/json")
        .form(&[("email", "headers@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers().get("content-security-policy").is_none());
}

#[tokio::test]
async fn an_https_site_asks_for_https_only() {
    let app =
        spawn_app_with(|config| config.site_url = Some(app::core::SiteUrl::parse("https://news.example.org").unwrap()))
            .await;
    let response = app.client.get(format!("{}/", app.address)).send().await.unwrap();
    assert!(response.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = spawn_app().await;
    for (accept, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let response = app
            .client
            .get(format!("{}/article/harbour-bridge-reopens", app.address))
            .header("Accept-Encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], expected, "Accept-Encoding: {accept}");
        let compressed = response.bytes().await.unwrap().len();
        let (_, plain) = app.get("/article/harbour-bridge-reopens").await;
        assert!(compressed * 3 < plain.len(), "{compressed} bytes compressed vs {} plain", plain.len());
    }
}
