//! One typed configuration from `Leptos.toml` plus environment variables, checked at start.

use std::path::PathBuf;

use anyhow::Context;
use leptos::config::LeptosOptions;

/// Environment variables the server reads, with their defaults:
/// - `LEPTOS_CONFIG` (`Leptos.toml`): the runtime configuration file; `LEPTOS_*` override its keys.
/// - `DATABASE_URL` (`sqlite://data/newsroom.db`): the database, created if missing.
/// - `DEMO_CONTENT` (`content`): folder whose articles fill a fresh, empty database;
///   `off` disables demo content (production).
#[derive(Clone, Debug)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub database_url: String,
    pub demo_content: Option<PathBuf>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/newsroom.db";

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let file = std::env::var("LEPTOS_CONFIG").unwrap_or_else(|_| "Leptos.toml".into());
        let leptos = leptos::config::get_configuration(Some(&file))
            .with_context(|| format!("reading {file} (run the server from the project root, or set LEPTOS_CONFIG)"))?
            .leptos_options;
        let database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
        let demo_content = match std::env::var("DEMO_CONTENT") {
            Ok(v) if matches!(v.to_ascii_lowercase().as_str(), "off" | "false" | "0" | "no") => None,
            Ok(v) if !v.is_empty() => Some(PathBuf::from(v)),
            _ => Some(PathBuf::from("content")),
        };
        Ok(Config { leptos, database_url, demo_content })
    }
}
