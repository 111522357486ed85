//! `server comments …`: the operator's moderation commands until a web admin exists.

use anyhow::bail;
use app::comments::store;
use app::db::Pool;
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

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Pending => "pending",
            Status::Spam => "spam",
        }
    }
}

fn comment_id(v: &str) -> Result<i64, String> {
    v.parse().map_err(|_| format!("{v:?} is not a comment id"))
}

pub async fn run(args: CommentsArgs) -> anyhow::Result<()> {
    let pool = app::db::connect(&args.database.database_url).await?;
    match args.action.unwrap_or(Moderation::List { status: None }) {
        Moderation::List { status } => {
            for c in store::for_moderation(&pool, status.map(Status::as_str), 50).await? {
                let excerpt: String = c.body.chars().take(70).collect::<String>().replace('\n', " ");
                println!("{:>6}  {:<8}  {}  {:<28}  {} <{}>\n        {excerpt}", c.id, c.status, c.created_at, c.article_slug, c.author_name, c.author_email);
            }
        }
        Moderation::Approve(Target { id }) => set_status(&pool, id, Status::Approved).await?,
        Moderation::Spam(Target { id }) => set_status(&pool, id, Status::Spam).await?,
        Moderation::Pending(Target { id }) => set_status(&pool, id, Status::Pending).await?,
        Moderation::Delete(Target { id }) => {
            if !store::delete(&pool, id).await? {
                bail!("no comment {id}");
            }
            println!("comment {id} and its replies are deleted");
        }
    }
    Ok(())
}

async fn set_status(pool: &Pool, id: i64, status: Status) -> anyhow::Result<()> {
    if !store::set_status(pool, id, status.as_str()).await? {
        bail!("no comment {id}");
    }
    println!("comment {id} is now {}", status.as_str());
    Ok(())
}
