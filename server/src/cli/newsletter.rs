//! `server newsletter …`: what went out (status), a story sent on its own, and the exact mail
//! to look at (preview) or to try on one inbox (test) before subscribers get it. Sending
//! itself is done by the running server(s): this only queues.

use std::path::PathBuf;

use anyhow::{bail, Context};
use app::core::{Email, SiteUrl, Slug};
use app::db::Db;
use app::newsletter::edition::Newsletter;
use app::newsletter::sends::{self, Queued, SendStatus};
use chrono::Utc;
use clap::{Args, Subcommand};

use crate::config::{Config, ServeSettings};
use crate::workers::newsletter;

#[derive(Args, Debug)]
pub struct NewsletterArgs {
    /// What to do (without one: the status of the sends)
    #[command(subcommand)]
    pub action: Option<Action>,
    #[command(flatten)]
    pub settings: ServeSettings,
}

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Each send, newest first: recipients, queued, sent, retrying, failed, bounced, skipped
    Status,
    /// Send one story to every confirmed subscriber (each story at most once)
    Send {
        /// The story's slug, as in its address /article/<slug>
        #[arg(long, value_name = "SLUG")]
        article: String,
    },
    /// Write the mail that would go out (this week's edition, or a story) as an .eml file
    Preview {
        /// A story instead of the edition
        #[arg(long, value_name = "SLUG")]
        article: Option<String>,
        /// Where to write it
        #[arg(long, value_name = "FILE", default_value = "newsletter-preview.eml")]
        out: PathBuf,
    },
    /// Send the mail that would go out to one address now (it is not subscribed by this)
    Test {
        /// The address to send it to
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        /// A story instead of the edition
        #[arg(long, value_name = "SLUG")]
        article: Option<String>,
    },
}

pub async fn run(args: NewsletterArgs) -> anyhow::Result<()> {
    let config = args.settings.into_config()?;
    let db = crate::config::open_database(&config.database_url).await?;
    let site = config.site_url.clone().unwrap_or_else(|| SiteUrl::from_listen_addr(config.leptos.site_addr));
    match args.action.unwrap_or(Action::Status) {
        Action::Status => {
            let sends = sends::status(&db, 50).await?;
            if sends.is_empty() {
                println!("Nothing has been sent yet.");
            }
            for send in &sends {
                println!("{}", line(send));
            }
        }
        Action::Send { article } => {
            let slug = slug(&article)?;
            match newsletter::queue_story(&db, &site, &slug, Utc::now()).await? {
                None => bail!("there is no story {article:?}"),
                Some(Queued::AlreadyQueued { at }) => {
                    bail!(
                        "{article:?} was already sent to subscribers ({}); a story goes out once",
                        at.format("%Y-%m-%d %H:%M UTC")
                    )
                }
                Some(Queued::New { id, recipients }) => println!(
                    "Queued send {id} for {recipients} subscribers; the running server sends it \
                     (`server newsletter status` shows how far it got)."
                ),
            }
        }
        Action::Preview { article, out } => {
            let letter = letter(&db, &config, &site, article.as_deref()).await?;
            let to = Email::parse("subscriber@example.org").map_err(anyhow::Error::msg)?;
            let link = site.join(&app::core::paths::newsletter_unsubscribe("PERSONAL-LINK"));
            let mail = app::newsletter::mail::newsletter(&config.mail_settings(&site), &to, &letter, &link)?;
            std::fs::write(&out, &mail.message).with_context(|| format!("{} could not be written", out.display()))?;
            println!("Wrote {} ({}): {}", out.display(), human_size(mail.message.len()), letter.subject);
        }
        Action::Test { to, article } => {
            let to = Email::parse(&to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
            let letter = letter(&db, &config, &site, article.as_deref()).await?;
            let transport = config.mail_transport()?;
            newsletter::send_test(&transport, &config.mail_settings(&site), &letter, &to)
                .await
                .map_err(|refusal| anyhow::anyhow!("the mail was not sent: {}", refusal.message))?;
            match &config.smtp_url {
                Some(_) => println!("Sent \"{}\" to {to}.", letter.subject),
                None => println!("No SMTP_URL: wrote \"{}\" into {}.", letter.subject, config.mail_dir.display()),
            }
        }
    }
    Ok(())
}

/// The story's mail, or this week's edition as it would be composed now.
async fn letter(db: &Db, config: &Config, site: &SiteUrl, article: Option<&str>) -> anyhow::Result<Newsletter> {
    match article {
        Some(article) => match newsletter::compose_story(db, site, &slug(article)?).await? {
            Some((_, letter)) => Ok(letter),
            None => bail!("there is no story {article:?}"),
        },
        None => {
            let schedule = config.newsletter_schedule.unwrap_or_default();
            match newsletter::compose_edition(db, &schedule, site, Utc::now()).await? {
                Some((_, letter)) => Ok(letter),
                None => bail!("nothing was published since the last edition: no edition would go out"),
            }
        }
    }
}

fn slug(raw: &str) -> anyhow::Result<Slug> {
    Slug::parse(raw).ok_or_else(|| anyhow::anyhow!("{raw:?} is not a story's slug (lowercase letters, digits and -)"))
}

fn line(send: &SendStatus) -> String {
    format!(
        "#{id} {at} {key}  \"{subject}\"\n    {recipients} recipients: {sent} sent, {queued} queued ({retrying} retrying), \
         {failed} failed, {bounced} bounced, {skipped} skipped (left the list)",
        id = send.id,
        at = send.created_at.time().format("%Y-%m-%d %H:%M"),
        key = send.send_key,
        subject = send.subject,
        recipients = send.recipients,
        sent = send.sent,
        queued = send.queued,
        retrying = send.retrying,
        failed = send.failed,
        bounced = send.bounced,
        skipped = send.skipped,
    )
}

fn human_size(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
