//! Every site path a page or a mail links to, built in one place: a route renamed here is
//! renamed everywhere (the route table in `lib.rs` and the server's plain routes match these).

use super::Slug;

pub const FRONT: &str = "/";
pub const FEED: &str = "/feed.xml";
pub const ATOM_FEED: &str = "/atom.xml";
pub const SITEMAP: &str = "/sitemap.xml";
pub const SEARCH: &str = "/search";
pub const NEWSLETTER_CONFIRM: &str = "/newsletter/confirm";
pub const NEWSLETTER_UNSUBSCRIBE: &str = "/newsletter/unsubscribe";
/// "Notify me of follow-up comments by email": the opt-in link and the link that stops it.
pub const REPLIES_CONFIRM: &str = "/replies/confirm";
pub const REPLIES_STOP: &str = "/replies/stop";
/// Prefix of the comment event streams; the slug follows.
pub const COMMENT_STREAM_PREFIX: &str = "/api/comments/live/";
/// The staff desk. Everything under it is private: never cached, never indexed.
pub const DESK: &str = "/admin";
pub const DESK_SIGN_IN: &str = "/admin/sign-in";
pub const DESK_SIGN_IN_CODE: &str = "/admin/sign-in/code";
pub const DESK_SIGN_OUT: &str = "/admin/sign-out";
pub const DESK_SIGN_OUT_EVERYWHERE: &str = "/admin/sign-out-everywhere";
pub const DESK_AUDIT: &str = "/admin/audit";
pub const DESK_COMMENTS: &str = "/admin/comments";
pub const DESK_BANS: &str = "/admin/bans";
pub const DESK_REPLY: &str = "/admin/comments/reply";
/// Tells an open queue page that the queue changed (server-sent events).
pub const DESK_QUEUE_EVENTS: &str = "/admin/comments/events";
/// The desk's own small script (the queue without page loads); never part of the readers' wasm.
pub const DESK_SCRIPT: &str = "/admin/desk.js";
/// The desk's own stylesheet, kept out of the readers' one.
pub const DESK_STYLESHEET: &str = "/admin/desk.css";
pub const DESK_ACCOUNT: &str = "/admin/account";
pub const DESK_TWO_STEP: &str = "/admin/account/two-step";
pub const DESK_PASSWORD: &str = "/admin/account/password";
pub const DESK_STAFF: &str = "/admin/staff";
/// Stories in the desk: the list, a new one, and one by id (`/admin/articles/7`).
pub const DESK_STORIES: &str = "/admin/articles";
pub const DESK_NEW_STORY: &str = "/admin/articles/new";
/// Pictures are posted here from the story editor.
pub const DESK_PICTURES: &str = "/admin/pictures";

pub fn desk_story(id: i64) -> String {
    format!("{DESK_STORIES}/{id}")
}

pub fn article(slug: &Slug) -> String {
    format!("/article/{slug}")
}

/// A comment on its article's page (the first page of comments).
pub fn comment(article_slug: &Slug, id: i64) -> String {
    format!("/article/{article_slug}#comment-{id}")
}

/// The form under an article, e.g. after a refused post without JavaScript.
pub fn reply_form(article_slug: &Slug, draft: Option<&str>) -> String {
    match draft {
        Some(token) => format!("/article/{article_slug}?draft={token}#respond"),
        None => format!("/article/{article_slug}#respond"),
    }
}

pub fn article_comments_feed(slug: &Slug) -> String {
    format!("/article/{slug}/comments/feed.xml")
}

pub fn comment_stream(article_slug: &Slug) -> String {
    format!("{COMMENT_STREAM_PREFIX}{article_slug}")
}

pub fn category(slug: &Slug) -> String {
    format!("/category/{slug}")
}

pub fn category_feed(slug: &Slug) -> String {
    format!("/category/{slug}/feed.xml")
}

pub fn tag(slug: &Slug) -> String {
    format!("/tag/{slug}")
}

pub fn author(slug: &Slug) -> String {
    format!("/author/{slug}")
}

/// `path` with `?page=n` from the second page on.
pub fn page(path: &str, n: i64) -> String {
    if n > 1 {
        format!("{path}?page={n}")
    } else {
        path.to_owned()
    }
}

/// `/search?q=…&page=N` with the query percent-encoded (everything but letters, digits and
/// `-._~`), the same on the server and in the browser.
pub fn search(q: &str, page: i64) -> String {
    let mut href = format!("{SEARCH}?q=");
    for byte in q.trim().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            href.push(byte as char);
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    if page > 1 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

pub fn newsletter_confirm(token: &str) -> String {
    format!("{NEWSLETTER_CONFIRM}?token={token}")
}

pub fn newsletter_unsubscribe(token: &str) -> String {
    format!("{NEWSLETTER_UNSUBSCRIBE}?token={token}")
}

pub fn replies_confirm(token: &str) -> String {
    format!("{REPLIES_CONFIRM}?token={token}")
}

/// Stops reply mail about one thread, or with `all` every reply mail to the address.
pub fn replies_stop(token: &str, all: bool) -> String {
    if all {
        format!("{REPLIES_STOP}?token={token}&scope=all")
    } else {
        format!("{REPLIES_STOP}?token={token}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_links_encode_the_query() {
        assert_eq!(search(" harbour bridge ", 1), "/search?q=harbour%20bridge");
        assert_eq!(search("a&b=c/ü\"<", 3), "/search?q=a%26b%3Dc%2F%C3%BC%22%3C&page=3");
    }

    #[test]
    fn pages_after_the_first_carry_their_number() {
        let city = Slug::parse("city").unwrap();
        assert_eq!(page(&category(&city), 1), "/category/city");
        assert_eq!(page(&category(&city), 3), "/category/city?page=3");
        assert_eq!(reply_form(&city, Some("ab")), "/article/city?draft=ab#respond");
    }
}
