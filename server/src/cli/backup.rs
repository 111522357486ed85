//! `server backup <FILE>`: a consistent copy of the whole database (stories, comments,
//! subscribers, staff, the outbox), taken while the site runs.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use crate::config::DatabaseSettings;

#[derive(Args, Debug)]
#[command(after_help = "Safe while the server runs: readers and writers go on. FILE must not exist yet.\n\
Uploaded pictures are files (MEDIA_DIR, data/media by default), not in the database: copy that folder too.\n\
To restore: stop the server, put the backup where DATABASE_URL points (removing that file's -wal and -shm \
files), start the server.")]
pub struct BackupArgs {
    /// The new file to write the copy to
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseSettings,
}

pub async fn run(args: BackupArgs) -> anyhow::Result<()> {
    // Checked before connecting: connecting creates a missing database, and a typo in the
    // target should not cost a backup's worth of work first.
    if args.file.exists() {
        bail!("{} already exists; a backup never replaces a file (choose a new name)", args.file.display());
    }
    let folder = args.file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !folder.is_dir() {
        bail!("{} is not a folder; create it first", folder.display());
    }
    let db = args.database.open().await?;
    let backup = db.backup_into(&args.file).await.with_context(|| format!("backing up to {}", args.file.display()));
    db.close().await;
    let backup = backup?;
    println!(
        "backed up to {}: {} stories, {} comments, {} subscribers ({:.1} MB, checked)",
        args.file.display(),
        backup.stories,
        backup.comments,
        backup.subscribers,
        backup.bytes as f64 / 1_000_000.0
    );
    Ok(())
}
