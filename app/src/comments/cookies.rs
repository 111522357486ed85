//! (server) The commenter's cookies, read and written with the `cookie` crate: the saved name,
//! e-mail and website ("Save my name…"), and the token that shows a browser its own comments
//! awaiting moderation.

use cookie::{time::Duration, Cookie, SameSite};
use http::{header, HeaderMap, HeaderValue};
use leptos_axum::ResponseOptions;
use serde::{Deserialize, Serialize};

pub const AUTHOR_COOKIE: &str = "comment_author";
pub const TOKEN_COOKIE: &str = "comment_token";
const YEAR: Duration = Duration::days(365);

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

/// What "Save my name, email, and website" keeps.
#[derive(Serialize, Deserialize)]
pub struct SavedReader {
    pub author: String,
    pub email: String,
    pub url: String,
}

pub fn saved_reader(headers: &HeaderMap) -> Option<SavedReader> {
    serde_json::from_str(&read(headers, AUTHOR_COOKIE)?).ok()
}

/// This browser's token for its own comments awaiting moderation, if it has a valid one.
pub fn author_token(headers: &HeaderMap) -> Option<String> {
    read(headers, TOKEN_COOKIE).filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Sets a first-party cookie for a year (`None` removes it). `Secure` on an https site.
pub fn set(response: &ResponseOptions, name: &'static str, value: Option<&str>, https: bool) {
    let mut cookie = Cookie::build((name, value.unwrap_or_default().to_owned()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(https)
        .max_age(if value.is_some() { YEAR } else { Duration::ZERO })
        .build();
    if value.is_none() {
        cookie.make_removal();
    }
    if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.append_header(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_details_survive_the_round_trip() {
        let saved = SavedReader { author: "Ann; Lee".into(), email: "ann@example.org".into(), url: "".into() };
        let json = serde_json::to_string(&saved).unwrap();
        let set_cookie = Cookie::new(AUTHOR_COOKIE, json).encoded().to_string();
        let mut headers = HeaderMap::new();
        let pair = set_cookie.split(';').next().unwrap();
        headers.insert(header::COOKIE, format!("other=1; {pair}").parse().unwrap());
        let back = saved_reader(&headers).unwrap();
        assert_eq!((back.author.as_str(), back.email.as_str()), ("Ann; Lee", "ann@example.org"));
    }
}
