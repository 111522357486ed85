//! `server comments …`: the operator's moderation commands until a web admin exists.

use anyhow::bail;
use app::comments::{store, CommentStatus};
use app::core::Timestamp;
use app::db::Db;
use clap::{Args, Subcommand, ValueEnum};

use crate::config::DatabaseSettings;

#[derive(Args, Debug)]
pub struct CommentsArgs {
    /// What to do (without one: list the newest comments)
    #[command(subcommand)]
    pub action: Option<Moderation>,
    #[command(flatten)]
    pub database: DatabaseSettings,
}

#[derive(Subcommand, Debug)]
pub enum Moderation {
    /// List the newest comments, 50 a page, all or those of one status
    List {
        /// Only the comments in this state
        #[arg(value_enum)]
        status: Option<Status>,
        /// Which page of 50 (1 is the newest)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
    },
    /// Delete spam in bulk (and the replies to it)
    Purge {
        /// Delete the comments marked spam (the only kind purged in bulk)
        #[arg(long, required = true)]
        spam: bool,
        /// Only spam older than this many days (default: all of it)
        #[arg(long, value_name = "DAYS", default_value_t = 0)]
        older_than: u32,
    },
    /// Publish a comment
    Approve(Target),
    /// Mark a comment as spam (hidden from readers)
    Spam(Target),
    /// Move a comment to the trash (hidden from readers, restorable)
    Trash(Target),
    /// Hold a comment for moderation (hidden from readers)
    Pending(Target),
    /// Delete a comment and its replies
    Delete(Target),
}

#[derive(Args, Debug)]
pub struct Target {
    /// The comment's id, as `server comments list` shows it
    #[arg(value_name = "ID", value_parser = comment_id)]
    pub id: i64,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Status {
    Approved,
    Pending,
    Spam,
    Trash,
}

impl From<Status> for CommentStatus {
    fn from(status: Status) -> CommentStatus {
        match status {
            Status::Approved => CommentStatus::Approved,
            Status::Pending => CommentStatus::Pending,
            Status::Spam => CommentStatus::Spam,
            Status::Trash => CommentStatus::Trash,
        }
    }
}

fn comment_id(v: &str) -> Result<i64, String> {
    v.parse().map_err(|_| format!("{v:?} is not a comment id"))
}

/// Comments a `list` page shows.
const PER_PAGE: i64 = 50;

pub async fn run(args: CommentsArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    match args.action.unwrap_or(Moderation::List { status: None, page: 1 }) {
        Moderation::List { status, page } => {
            let status = status.map(CommentStatus::from);
            let total = store::count(&db, status).await?;
            let pages = (total + PER_PAGE - 1) / PER_PAGE;
            let offset = (i64::from(page) - 1) * PER_PAGE;
            for c in store::for_moderation(&db, status, PER_PAGE, offset).await? {
                let excerpt: String = c.body.chars().take(70).collect::<String>().replace('\n', " ");
                println!(
                    "{:>6}  {:<8}  {}  {:<28}  {} <{}>\n        {excerpt}",
                    c.id,
                    c.status,
                    c.created_at.stored(),
                    c.article_slug,
                    c.author_name,
                    c.author_email
                );
            }
            let state = status.map_or("comments".to_owned(), |s| format!("{s} comments"));
            println!(
                "page {page} of {} ({total} {state}){}",
                pages.max(1),
                if i64::from(page) < pages { "; --page N for more" } else { "" }
            );
        }
        Moderation::Purge { spam: _, older_than } => {
            let before = Timestamp::now() - chrono::TimeDelta::days(i64::from(older_than));
            let purged = store::purge_spam(&db, before).await?;
            println!("{purged} spam comments deleted");
        }
        Moderation::Approve(Target { id }) => set_status(&db, id, Status::Approved).await?,
        Moderation::Spam(Target { id }) => set_status(&db, id, Status::Spam).await?,
        Moderation::Trash(Target { id }) => set_status(&db, id, Status::Trash).await?,
        Moderation::Pending(Target { id }) => set_status(&db, id, Status::Pending).await?,
        Moderation::Delete(Target { id }) => {
            if !store::delete(&db, id).await? {
                bail!("no comment {id}");
            }
            println!("comment {id} and its replies are deleted");
        }
    }
    Ok(())
}

async fn set_status(db: &Db, id: i64, status: Status) -> anyhow::Result<()> {
    let status = CommentStatus::from(status);
    if !store::set_status(db, id, status).await? {
        bail!("no comment {id}");
    }
    println!("comment {id} is now {status}");
    Ok(())
}
