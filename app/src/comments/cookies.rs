//! (server) The commenter's cookies, read and written with the `cookie` crate: the saved name,
//! e-mail and website ("Save my name…"), and the token that shows a browser its own comments
//! awaiting moderation.

use http::{header, HeaderMap};
use leptos_axum::ResponseOptions;
use serde::{Deserialize, Serialize};

pub const AUTHOR_COOKIE: &str = "comment_author";
pub const TOKEN_COOKIE: &str = "comment_token";
const YEAR: std::time::Duration = std::time::Duration::from_secs(365 * 24 * 3600);

pub use crate::core::cookies::read;

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
    if let Some(value) = crate::core::cookies::set_cookie(name, value, https, YEAR) {
        response.append_header(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cookie::Cookie;

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
