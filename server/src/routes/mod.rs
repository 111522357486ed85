//! Routes that are not Leptos pages: feeds, the sitemap and robots.txt, the live comment
//! stream, the one-click unsubscribe that mail providers post to, and the reply mail links.

pub mod comment_stream;
pub mod feeds;
pub mod reply_mail;
pub mod sitemap;
pub mod unsubscribe;
