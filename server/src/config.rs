//! One typed configuration from `Leptos.toml` plus environment variables, checked at start.

use std::{net::IpAddr, path::PathBuf};

use anyhow::Context;
use app::core::SiteUrl;
use leptos::config::LeptosOptions;

/// Environment variables the server reads, with their defaults:
/// - `LEPTOS_CONFIG` (`Leptos.toml`): the runtime configuration file; `LEPTOS_*` override its keys.
/// - `DATABASE_URL` (`sqlite://data/newsroom.db`): the database, created if missing.
/// - `DEMO_CONTENT` (`content`): folder whose articles fill a fresh, empty database;
///   `off` disables demo content (production).
/// - `COMMENT_FLOOD_SECONDS` (15): seconds between accepted comments from one address; 0 disables.
/// - `NEWSLETTER_SIGNUPS_PER_HOUR` (10): newsletter sign-ups one address may make an hour; 0 disables.
/// - `TRUSTED_PROXIES` (none): comma-separated proxy addresses whose `X-Forwarded-For` is believed.
/// - `SITE_URL` (`http://` + the listen address): the public base URL of every absolute link.
/// - `SMTP_URL` (none): where mail goes, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@host`;
///   without it mails are written as `.eml` files into `MAIL_DIR` and their links are logged.
/// - `MAIL_FROM` (`newsletter@` + the site's host): the sending address.
/// - `MAIL_DIR` (`data/outbox`): the folder for mails when there is no `SMTP_URL`.
#[derive(Clone, Debug)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub database_url: String,
    pub demo_content: Option<PathBuf>,
    pub comment_flood_seconds: u64,
    pub newsletter_signups_per_hour: u32,
    pub trusted_proxies: Vec<IpAddr>,
    /// `None`: derived from the bound listen address at start.
    pub site_url: Option<SiteUrl>,
    pub smtp_url: Option<String>,
    /// `None`: derived from the site URL's host.
    pub mail_from: Option<lettre::Address>,
    pub mail_dir: PathBuf,
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
        let comment_flood_seconds = match std::env::var("COMMENT_FLOOD_SECONDS") {
            Ok(v) => v.trim().parse().with_context(|| format!("COMMENT_FLOOD_SECONDS={v:?} is not a number of seconds"))?,
            Err(_) => 15,
        };
        let newsletter_signups_per_hour = match std::env::var("NEWSLETTER_SIGNUPS_PER_HOUR") {
            Ok(v) => v.trim().parse().with_context(|| format!("NEWSLETTER_SIGNUPS_PER_HOUR={v:?} is not a whole number"))?,
            Err(_) => 10,
        };
        let trusted_proxies = std::env::var("TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().with_context(|| format!("TRUSTED_PROXIES: {s:?} is not an IP address")))
            .collect::<anyhow::Result<_>>()?;
        let site_url = match std::env::var("SITE_URL") {
            Ok(v) if !v.trim().is_empty() => Some(SiteUrl::parse(&v).map_err(anyhow::Error::msg)?),
            _ => None,
        };
        let smtp_url = std::env::var("SMTP_URL").ok().filter(|v| !v.trim().is_empty());
        let mail_from = match std::env::var("MAIL_FROM") {
            Ok(v) if !v.trim().is_empty() => {
                Some(v.trim().parse().with_context(|| format!("MAIL_FROM={v:?} is not an email address"))?)
            }
            _ => None,
        };
        let mail_dir = std::env::var("MAIL_DIR").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("data/outbox"));
        Ok(Config {
            leptos,
            database_url,
            demo_content,
            comment_flood_seconds,
            newsletter_signups_per_hour,
            trusted_proxies,
            site_url,
            smtp_url,
            mail_from,
            mail_dir,
        })
    }
}
