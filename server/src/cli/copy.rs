//! `server copy-to <URL>`: moves the whole site from its SQLite database to a new PostgreSQL
//! database, for a site that outgrew one machine.

use anyhow::bail;
use clap::Args;

use crate::config::{open_setting, DatabaseSettings};

#[derive(Args, Debug)]
#[command(after_help = "Every story, comment, subscriber, staff account, session and queued mail is copied with \
its id, in one transaction: the copy is all there or not there at all. Stop the server first, so nothing \
written meanwhile is left behind (the copy is one consistent state of the site either way).\n\
Then start the server with DATABASE_URL set to the new address. Uploaded pictures (MEDIA_DIR) are files: \
they stay where they are.")]
pub struct CopyArgs {
    /// The new, empty PostgreSQL database to copy the site into (postgres://user:password@host/db)
    #[arg(value_name = "URL")]
    pub target: String,
    #[command(flatten)]
    pub database: DatabaseSettings,
}

pub async fn run(args: CopyArgs) -> anyhow::Result<()> {
    if app::db::is_postgres(&args.database.database_url) {
        bail!("DATABASE_URL is already a PostgreSQL database; copy-to moves a SQLite site to PostgreSQL");
    }
    if !app::db::is_postgres(&args.target) {
        bail!("the copy goes to a PostgreSQL database: URL must start with postgres://");
    }
    let source = args.database.open().await?;
    // Opening it migrates it, so it has every table the site needs.
    let target = open_setting("URL", &args.target).await?;
    let copied = app::db::copy::copy_to_postgres(&source, &target).await?;
    source.close().await;
    target.close().await;
    println!(
        "copied {} stories, {} comments, {} subscribers and {} staff accounts ({} rows in {} tables, counted on both sides)",
        copied.rows("stories"),
        copied.rows("comments"),
        copied.rows("subscribers"),
        copied.rows("staff"),
        copied.tables.iter().map(|(_, n)| n).sum::<u64>(),
        copied.tables.len()
    );
    Ok(())
}
