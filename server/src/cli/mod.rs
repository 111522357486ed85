//! The command line: `server` (or `server serve`) serves the site, `server import` publishes
//! Markdown articles, `server comments` moderates, `server users` manages staff accounts, `server newsletter`
//! sends stories and shows what went out, `server backup` copies the database while it serves,
//! `server copy-to` moves a SQLite site to PostgreSQL.
//! Parsed with clap; `--help` at every level.

pub mod backup;
pub mod comments;
pub mod copy;
pub mod export;
pub mod import;
pub mod newsletter;
pub mod serve;
pub mod users;

use clap::{Parser, Subcommand};

use crate::config::ServeSettings;

/// The Northfield Courier's server: serves the site, publishes articles, moderates comments.
#[derive(Parser, Debug)]
#[command(name = "server", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the site (the default when no command is given)
    Serve(ServeSettings),
    /// Publish Markdown articles: create new ones, update edited ones (by slug)
    Import(import::ImportArgs),
    /// Write every story as Markdown with front matter, and its pictures, for `import`
    Export(export::ExportArgs),
    /// List readers' comments and approve, hide or delete them
    Comments(comments::CommentsArgs),
    /// Staff accounts: add, list, change role, disable, set password
    Users(users::UsersArgs),
    /// The newsletter: status of the sends, send a story, preview or test the mail
    Newsletter(newsletter::NewsletterArgs),
    /// Copy the whole database to a new file while the site runs
    Backup(backup::BackupArgs),
    /// Move the site from SQLite to a new PostgreSQL database
    CopyTo(copy::CopyArgs),
}

impl Cli {
    /// The command the operator asked for; `serve` when none. Exits with usage on a bad
    /// command line (status 2), or with the help text when it was asked for.
    pub fn command_line() -> Command {
        match Cli::parse().command {
            Some(command) => command,
            // Parsed again as `server serve` so its settings come from the environment.
            None => Cli::parse_from(["server", "serve"]).command.expect("`serve` is a command"),
        }
    }
}

/// Runs the command.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(settings) => serve::run(settings).await,
        Command::Import(args) => import::run(args).await,
        Command::Export(args) => export::run(args).await,
        Command::Comments(args) => comments::run(args).await,
        Command::Users(args) => users::run(args).await,
        Command::Newsletter(args) => newsletter::run(args).await,
        Command::Backup(args) => backup::run(args).await,
        Command::CopyTo(args) => copy::run(args).await,
    }
}
