//! The server as a library, so the tests build the application exactly as `main` does.

pub mod config;
pub mod content;
pub mod http;
pub mod live;
pub mod moderation;
pub mod startup;
pub mod telemetry;
