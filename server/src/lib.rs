//! The server as a library, so the tests build the application exactly as `main` does.

pub mod assets;
pub mod config;
pub mod content;
pub mod feeds;
pub mod http;
pub mod import;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod moderation;
pub mod newsletter;
pub mod page_cache;
pub mod sitemap;
pub mod startup;
pub mod telemetry;
