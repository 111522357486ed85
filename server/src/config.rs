//! One typed configuration: `Leptos.toml` plus environment variables, declared once below as
//! the options of `server serve` (each also readable from its variable, with its default, all
//! listed by `server serve --help`) and checked when the server starts. `Config` is the plain
//! result the application is built from; the tests build one directly.

use std::{net::IpAddr, path::PathBuf};

use anyhow::Context;
use app::core::SiteUrl;
use app::newsletter::edition::Schedule;
use clap::Args;

pub use crate::workers::mailer::MailRates;

use crate::connections::ConnectionLimits;
use leptos::config::LeptosOptions;

/// What the application is built from (see [`ServeSettings`] for each field's variable).
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
    /// Pictures uploaded in the desk (`MEDIA_DIR`), served at `/uploads/`.
    pub media_dir: PathBuf,
    /// Told about held comments while no staff account moderates (`MODERATION_EMAIL`).
    pub moderation_email: Option<app::core::Email>,
    /// `SMTP_RATE_PER_SECOND`, `SMTP_RATE_PER_HOUR`.
    pub mail_rates: MailRates,
    /// When the weekly edition goes out (`NEWSLETTER_SCHEDULE` in `NEWSLETTER_TIMEZONE`);
    /// `None` (`off`): only the editions and stories an operator sends.
    pub newsletter_schedule: Option<Schedule>,
    /// How replies are gathered into mails to the readers who follow a comment (tests shorten it).
    pub reply_pacing: app::comments::reply_mail::Pacing,
    /// How long a request body may take to arrive (`REQUEST_BODY_TIMEOUT`; tests shorten it).
    pub request_body_timeout: std::time::Duration,
    /// Connection caps and timeouts (`MAX_CONNECTIONS`, `MAX_CONNECTIONS_PER_CLIENT`).
    pub connections: ConnectionLimits,
    /// How long a starting node without `SITE_URL` waits for another node's row to age before
    /// refusing (that node may have been killed without leaving; tests shorten it).
    pub node_wait: std::time::Duration,
}

/// A form of at most 64 KiB arrives in well under this even on a poor mobile line; a client
/// still sending after it is holding a connection on purpose.
pub const REQUEST_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/newsroom.db";

/// The database every command works on.
#[derive(Args, Clone, Debug)]
pub struct DatabaseSettings {
    /// The database
    ///
    /// The file and its folder are created if missing; migrations run at start.
    #[arg(long, global = true, env = "DATABASE_URL", value_name = "URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
}

impl DatabaseSettings {
    /// Opens (creating if missing) and migrates the database `DATABASE_URL` names.
    pub async fn open(&self) -> anyhow::Result<app::db::Db> {
        open_database(&self.database_url).await
    }
}

/// Opens and migrates the database at `url`; a failure names the setting, the address (without
/// a password) and what was wrong, once — never only SQLite's "unable to open database file".
pub async fn open_database(url: &str) -> anyhow::Result<app::db::Db> {
    check_database_url(url)?;
    open_setting("DATABASE_URL", url).await
}

/// Opens and migrates the database at `url`, which the setting (or argument) `setting` named;
/// a failure names both, as [`open_database`] does.
pub async fn open_setting(setting: &str, url: &str) -> anyhow::Result<app::db::Db> {
    let postgres = app::db::is_postgres(url);
    app::db::Db::connect(url).await.map_err(|error| {
        let (reason, hint) = match &error {
            sqlx::Error::Database(e) => (
                e.message().to_owned(),
                match e.code().as_deref() {
                    Some("14") => " (does its folder exist, and may this user write there?)",
                    Some("26") => " (the file is there, but it is not a SQLite database)",
                    Some("3D000") => " (create it first, e.g. with createdb)",
                    Some("28000" | "28P01") => " (check the user name and password)",
                    _ => "",
                },
            ),
            sqlx::Error::Io(e) if postgres => {
                (e.to_string(), " (is the PostgreSQL server running and reachable there?)")
            }
            sqlx::Error::PoolTimedOut if postgres => {
                ("no answer in time".to_owned(), " (is the PostgreSQL server running and reachable there?)")
            }
            sqlx::Error::Io(e) => (e.to_string(), " (does its folder exist, and may this user write there?)"),
            sqlx::Error::Migrate(e) => (format!("migrating it failed: {e}"), ""),
            other => (other.to_string(), ""),
        };
        anyhow::anyhow!("{setting}={}: the database cannot be opened: {reason}{hint}", without_password(url))
    })
}

/// `url` with the password of `scheme://user:password@host/…` replaced.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    // The authority ends at the first `/` (a `/` inside a password must be percent-encoded).
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) if user.contains(':') => {
            format!("{scheme}://{}:…@{host}{path}", user.split(':').next().unwrap_or_default())
        }
        _ => url.to_owned(),
    }
}

/// The runtime configuration file.
#[derive(Args, Clone, Debug)]
pub struct LeptosSettings {
    /// The runtime configuration file: bundle names, site root, listen address
    ///
    /// Any of its keys can be overridden with LEPTOS_<KEY>, e.g. LEPTOS_SITE_ADDR=0.0.0.0:8080.
    #[arg(long, env = "LEPTOS_CONFIG", value_name = "FILE", default_value = "Leptos.toml", hide_env_values = true)]
    pub leptos_config: PathBuf,
}

impl LeptosSettings {
    pub fn read(&self) -> anyhow::Result<LeptosOptions> {
        let file = self.leptos_config.display().to_string();
        Ok(leptos::config::get_configuration(Some(&file))
            .with_context(|| format!("reading {file} (run the server from the project root, or set LEPTOS_CONFIG)"))?
            .leptos_options)
    }
}

// The optional settings below are typed `std::option::Option<T>`, spelled out so that clap
// parses them as one value of their own (an empty default) instead of an optional argument:
// that way a blank value, e.g. `SMTP_URL=` in an environment file, means unset, as it always has.

/// Everything `server serve` reads.
#[derive(Args, Clone, Debug)]
#[command(after_help = "Also read: RUST_LOG, the log filter (default: info,sqlx=warn), and LEPTOS_<KEY>, \
                        which overrides a key of the LEPTOS_CONFIG file (e.g. LEPTOS_SITE_ADDR=0.0.0.0:8080).")]
pub struct ServeSettings {
    #[command(flatten)]
    pub leptos: LeptosSettings,
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// Folder whose articles fill a fresh, empty database; `off` for production
    ///
    /// A database that has articles is never touched.
    #[arg(long, env = "DEMO_CONTENT", value_name = "DIR|off", default_value = "content", value_parser = demo_content, hide_env_values = true)]
    pub demo_content: std::option::Option<PathBuf>,
    /// Minimum seconds between accepted comments from one address (0: no flood control)
    #[arg(long, env = "COMMENT_FLOOD_SECONDS", value_name = "SECONDS", default_value = "15", value_parser = comment_flood_seconds, hide_env_values = true)]
    pub comment_flood_seconds: u64,
    /// Newsletter sign-ups one address may make an hour (0: no limit)
    #[arg(long, env = "NEWSLETTER_SIGNUPS_PER_HOUR", value_name = "COUNT", default_value = "10", value_parser = signups_per_hour, hide_env_values = true)]
    pub newsletter_signups_per_hour: u32,
    /// Reverse proxies whose X-Forwarded-For is believed, comma-separated (default: none)
    #[arg(long, env = "TRUSTED_PROXIES", value_name = "IPS", default_value = "", hide_default_value = true, value_parser = trusted_proxies, hide_env_values = true)]
    pub trusted_proxies: std::vec::Vec<IpAddr>,
    /// Public base URL of the site (default: http:// + the listen address)
    ///
    /// E.g. https://news.example.org. Every absolute link (mails, feeds, canonical and share
    /// links) starts with it.
    #[arg(long, env = "SITE_URL", value_name = "URL", default_value = "", hide_default_value = true, value_parser = site_url, hide_env_values = true)]
    pub site_url: std::option::Option<SiteUrl>,
    /// The mail server (default: none, mails go to MAIL_DIR)
    ///
    /// smtp://host:port (plain, e.g. a local relay), smtp://host:587?tls=required (STARTTLS) or
    /// smtps://user:pass@host (TLS). Without it mails are written as .eml files into MAIL_DIR
    /// and their links are logged.
    #[arg(long, env = "SMTP_URL", value_name = "URL", default_value = "", hide_default_value = true, value_parser = unless_blank, hide_env_values = true)]
    pub smtp_url: std::option::Option<String>,
    /// The sending address of every mail (default: newsletter@ + the host of SITE_URL)
    #[arg(long, env = "MAIL_FROM", value_name = "ADDRESS", default_value = "", hide_default_value = true, value_parser = mail_from, hide_env_values = true)]
    pub mail_from: std::option::Option<lettre::Address>,
    /// Folder for mails when there is no SMTP_URL
    #[arg(long, env = "MAIL_DIR", value_name = "DIR", default_value = "data/outbox", hide_env_values = true)]
    pub mail_dir: PathBuf,
    /// Folder for pictures uploaded in the desk (served at /uploads/; back it up with the database)
    #[arg(long, env = "MEDIA_DIR", value_name = "DIR", default_value = "data/media", hide_env_values = true)]
    pub media_dir: PathBuf,
    /// Who is told about held comments while there are no staff accounts (default: nobody)
    ///
    /// Admins, editors and moderators get the mail once accounts exist: at most one every 10
    /// minutes, listing the comments held since the previous one.
    #[arg(long, env = "MODERATION_EMAIL", value_name = "ADDRESS", default_value = "", hide_default_value = true, value_parser = moderation_email, hide_env_values = true)]
    pub moderation_email: std::option::Option<app::core::Email>,
    /// Mails sent a second at most, newsletter and all (0: no limit); relays throttle
    #[arg(long, env = "SMTP_RATE_PER_SECOND", value_name = "COUNT", default_value = "0", value_parser = mail_rate, hide_env_values = true)]
    pub smtp_rate_per_second: u32,
    /// Mails sent an hour at most (0: no limit); many relays cap the hour or the day
    #[arg(long, env = "SMTP_RATE_PER_HOUR", value_name = "COUNT", default_value = "0", value_parser = mail_rate, hide_env_values = true)]
    pub smtp_rate_per_hour: u32,
    /// When the weekly newsletter edition goes out: a weekday and a 24-hour time
    ///
    /// Each week's edition holds the stories published since the previous one; none goes out
    /// when nothing was published. Several nodes or a restart never send a week's edition twice.
    /// `off`: no automatic edition.
    #[arg(
        long,
        env = "NEWSLETTER_SCHEDULE",
        value_name = "DAY HH:MM|off",
        default_value = "fri 07:00",
        hide_env_values = true
    )]
    pub newsletter_schedule: String,
    /// The time zone of NEWSLETTER_SCHEDULE (an IANA name such as Europe/London)
    #[arg(long, env = "NEWSLETTER_TIMEZONE", value_name = "ZONE", default_value = "UTC", hide_env_values = true)]
    pub newsletter_timezone: String,
    /// Connections open at once in all; past it new ones get 503
    ///
    /// Lowered at start if the open-file limit (raised to its hard value) leaves less room.
    #[arg(long, env = "MAX_CONNECTIONS", value_name = "COUNT", default_value = "4096", value_parser = connection_count, hide_env_values = true)]
    pub max_connections: usize,
    /// Connections open at once from one address (an IPv6 client's /64); past it new ones get 429
    ///
    /// Peers in TRUSTED_PROXIES are held only to MAX_CONNECTIONS.
    #[arg(long, env = "MAX_CONNECTIONS_PER_CLIENT", value_name = "COUNT", default_value = "100", value_parser = connection_count, hide_env_values = true)]
    pub max_connections_per_client: usize,
}

impl ServeSettings {
    /// Reads the Leptos configuration file; everything else is already parsed.
    pub fn into_config(self) -> anyhow::Result<Config> {
        check_database_url(&self.database.database_url)?;
        Ok(Config {
            leptos: self.leptos.read()?,
            database_url: self.database.database_url,
            demo_content: self.demo_content,
            comment_flood_seconds: self.comment_flood_seconds,
            newsletter_signups_per_hour: self.newsletter_signups_per_hour,
            trusted_proxies: self.trusted_proxies,
            site_url: self.site_url,
            smtp_url: self.smtp_url,
            mail_from: self.mail_from,
            mail_dir: self.mail_dir,
            media_dir: self.media_dir,
            moderation_email: self.moderation_email,
            mail_rates: MailRates { per_second: self.smtp_rate_per_second, per_hour: self.smtp_rate_per_hour },
            newsletter_schedule: match self.newsletter_schedule.trim() {
                "off" => None,
                schedule => Some(Schedule::parse(schedule, &self.newsletter_timezone).map_err(anyhow::Error::msg)?),
            },
            reply_pacing: app::comments::reply_mail::Pacing::default(),
            request_body_timeout: REQUEST_BODY_TIMEOUT,
            connections: ConnectionLimits {
                total: self.max_connections,
                per_client: self.max_connections_per_client,
                ..ConnectionLimits::default()
            },
            node_wait: crate::workers::presence::NODE_WAIT,
        })
    }
}

/// SQLite or PostgreSQL. Anything else is refused by name: sqlx would otherwise read
/// `mysql://host/db` as a relative SQLite path and quietly run on a file in `mysql:/`.
/// Checked here rather than by clap, whose refusal repeats the value — password and all.
pub fn check_database_url(url: &str) -> anyhow::Result<()> {
    let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" | "postgres" | "postgresql" => Ok(()),
        _ => anyhow::bail!(
            "DATABASE_URL must start with sqlite:// (like {DEFAULT_DATABASE_URL}) or postgres://, not {}",
            without_password(url)
        ),
    }
}

fn demo_content(v: &str) -> Result<Option<PathBuf>, String> {
    Ok(match v.to_ascii_lowercase().as_str() {
        "off" | "false" | "0" | "no" => None,
        "" => Some(PathBuf::from("content")),
        _ => Some(PathBuf::from(v)),
    })
}

fn comment_flood_seconds(v: &str) -> Result<u64, String> {
    v.trim().parse().map_err(|e| format!("COMMENT_FLOOD_SECONDS={v:?} is not a number of seconds ({e})"))
}

fn signups_per_hour(v: &str) -> Result<u32, String> {
    v.trim().parse().map_err(|e| format!("NEWSLETTER_SIGNUPS_PER_HOUR={v:?} is not a whole number ({e})"))
}

fn connection_count(v: &str) -> Result<usize, String> {
    match v.trim().parse() {
        Ok(0) => Err("0 would refuse every connection".to_owned()),
        Ok(count) => Ok(count),
        Err(e) => Err(format!("{v:?} is not a whole number ({e})")),
    }
}

fn moderation_email(v: &str) -> Result<Option<app::core::Email>, String> {
    unless_blank(v)?
        .map(|v| app::core::Email::parse(&v).map_err(|e| format!("MODERATION_EMAIL={v:?}: {e}")))
        .transpose()
}

fn mail_rate(v: &str) -> Result<u32, String> {
    v.trim().parse().map_err(|e| format!("{v:?} is not a whole number of mails ({e})"))
}

fn trusted_proxies(v: &str) -> Result<Vec<IpAddr>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("TRUSTED_PROXIES: {s:?} is not an IP address")))
        .collect()
}

fn unless_blank(v: &str) -> Result<Option<String>, String> {
    Ok(Some(v.to_owned()).filter(|v| !v.trim().is_empty()))
}

fn site_url(v: &str) -> Result<Option<SiteUrl>, String> {
    unless_blank(v)?.map(|v| SiteUrl::parse(&v)).transpose()
}

fn mail_from(v: &str) -> Result<Option<lettre::Address>, String> {
    unless_blank(v)?
        .map(|v| v.trim().parse().map_err(|e| format!("MAIL_FROM={v:?} is not an email address ({e})")))
        .transpose()
}

#[cfg(test)]
mod tests {

    #[test]
    fn database_addresses_are_shown_without_their_password() {
        assert_eq!(
            super::without_password("postgres://news:s3cr@t@db.example:5432/courier"),
            "postgres://news:…@db.example:5432/courier"
        );
        assert_eq!(super::without_password("postgres://news@db/courier"), "postgres://news@db/courier");
        assert_eq!(super::without_password("sqlite://data/a@b:c.db"), "sqlite://data/a@b:c.db");
        assert_eq!(super::without_password("sqlite:///srv/site.db"), "sqlite:///srv/site.db");
    }

    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        settings: ServeSettings,
    }

    fn parse(args: &[&str]) -> Result<ServeSettings, String> {
        Serve::try_parse_from([&["serve"], args].concat()).map(|s| s.settings).map_err(|e| e.to_string())
    }

    #[test]
    fn values_parse_as_before() {
        let s = parse(&[
            "--demo-content",
            "OFF",
            "--trusted-proxies",
            " 10.0.0.1, ,::1 ",
            "--smtp-url",
            "  ",
            "--site-url",
            "",
        ])
        .unwrap();
        assert_eq!(s.demo_content, None);
        assert_eq!(s.trusted_proxies, ["10.0.0.1".parse::<IpAddr>().unwrap(), "::1".parse().unwrap()]);
        assert!(s.smtp_url.is_none() && s.site_url.is_none(), "blank is unset");
        assert_eq!(parse(&["--demo-content", "drafts"]).unwrap().demo_content, Some(PathBuf::from("drafts")));
        assert_eq!(parse(&["--comment-flood-seconds", " 0 "]).unwrap().comment_flood_seconds, 0);
    }

    #[test]
    fn a_bad_newsletter_schedule_stops_the_start_with_its_variable_named() {
        let mut settings = parse(&["--newsletter-schedule", "friday at seven"]).unwrap();
        settings.leptos.leptos_config = PathBuf::from("../Leptos.toml");
        let error = settings.clone().into_config().unwrap_err().to_string();
        assert!(error.contains("NEWSLETTER_SCHEDULE=\"friday at seven\""), "{error}");
        settings.newsletter_schedule = "sat 06:30".into();
        settings.newsletter_timezone = "Europe/Lisbon".into();
        let schedule = settings.clone().into_config().unwrap().newsletter_schedule;
        assert_eq!(schedule, Some(Schedule::parse("Saturday 06:30", "Europe/Lisbon").unwrap()));
        settings.newsletter_schedule = "off".into();
        assert_eq!(settings.into_config().unwrap().newsletter_schedule, None);
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        for (args, message) in [
            (["--comment-flood-seconds", "abc"], "COMMENT_FLOOD_SECONDS=\"abc\" is not a number of seconds"),
            (
                ["--newsletter-signups-per-hour=-1", "--mail-dir=data/outbox"],
                "NEWSLETTER_SIGNUPS_PER_HOUR=\"-1\" is not a whole number",
            ),
            (["--trusted-proxies", "10.0.0.1,proxy"], "TRUSTED_PROXIES: \"proxy\" is not an IP address"),
            (["--site-url", "news.example.org"], "SITE_URL \"news.example.org\" must start with http:// or https://"),
            (["--mail-from", "nobody"], "MAIL_FROM=\"nobody\" is not an email address"),
        ] {
            let error = parse(&args).unwrap_err();
            assert!(error.contains(message), "{error}");
        }
    }
}
