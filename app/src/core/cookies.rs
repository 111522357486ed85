//! (server) Reading the Cookie header and building Set-Cookie values (the `cookie` crate):
//! first-party, `HttpOnly`, `SameSite=Lax`, path `/`, and `Secure` on an https site.

use cookie::{time::Duration, Cookie, SameSite};
use http::{header, HeaderMap, HeaderValue};

/// The value of the cookie `name` in a request's headers (percent-decoded).
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A Set-Cookie value keeping `value` for `max_age`, or removing the cookie (`None`).
pub fn set_cookie(
    name: &'static str,
    value: Option<&str>,
    https: bool,
    max_age: std::time::Duration,
) -> Option<HeaderValue> {
    let max_age = Duration::seconds(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
    let mut cookie = Cookie::build((name, value.unwrap_or_default().to_owned()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(https)
        .max_age(if value.is_some() { max_age } else { Duration::ZERO })
        .build();
    if value.is_none() {
        cookie.make_removal();
    }
    HeaderValue::from_str(&cookie.encoded().to_string()).ok()
}
