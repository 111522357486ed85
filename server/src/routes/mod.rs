//! Routes that are not Leptos pages: feeds, the sitemap and robots.txt, the live comment
//! stream, and the one-click unsubscribe that mail providers post to.

pub mod comment_stream;
pub mod feeds;
pub mod sitemap;
pub mod unsubscribe;
