//! `server comments …`: the operator's moderation commands until a web admin exists.

use anyhow::bail;
use app::comments::{store, CommentStatus};
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
    /// List the 50 newest comments, all or those of one status
    List {
        /// Only the comments in this state
        #[arg(value_enum)]
        status: Option<Status>,
    },
    /// Publish a comment
    Approve(Target),
    /// Mark a comment as spam (hidden from readers)
    Spam(Target),
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
}

impl From<Status> for CommentStatus {
    fn from(status: Status) -> CommentStatus {
        match status {
            Status::Approved => CommentStatus::Approved,
            Status::Pending => CommentStatus::Pending,
            Status::Spam => CommentStatus::Spam,
        }
    }
}

fn comment_id(v: &str) -> Result<i64, String> {
    v.parse().map_err(|_| format!("{v:?} is not a comment id"))
}

pub async fn run(args: CommentsArgs) -> anyhow::Result<()> {
    let db = Db::connect(&args.database.database_url).await?;
    match args.action.unwrap_or(Moderation::List { status: None }) {
        Moderation::List { status } => {
            for c in store::for_moderation(&db, status.map(CommentStatus::from), 50).await? {
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
        }
        Moderation::Approve(Target { id }) => set_status(&db, id, Status::Approved).await?,
        Moderation::Spam(Target { id }) => set_status(&db, id, Status::Spam).await?,
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
