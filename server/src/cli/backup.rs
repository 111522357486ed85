//! `server backup <FILE>`: a consistent copy of the whole database (stories, comments,
//! subscribers, staff, the outbox), taken while the site runs.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use crate::config::DatabaseSettings;

#[derive(Args, Debug)]
#[command(after_help = "Safe while the server runs: readers and writers go on. FILE must not exist yet.\n\
Uploaded pictures are files (MEDIA_DIR, data/media by default), not in the database: copy that folder too.\n\
To restore: stop every process using the database (the server, scheduled `server` commands), put the backup \
where DATABASE_URL points (removing that file's -wal and -shm files), start the server.")]
pub struct BackupArgs {
    /// The new file to write the copy to
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseSettings,
}

pub async fn run(args: BackupArgs) -> anyhow::Result<()> {
    // Checked first for a clear message; the copy is published so that it cannot replace a
    // file that appears meanwhile either.
    let exists = || {
        anyhow::anyhow!("{} already exists; a backup never replaces a file (choose a new name)", args.file.display())
    };
    if args.file.exists() {
        return Err(exists());
    }
    let folder = args.file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !folder.is_dir() {
        bail!("{} is not a folder; create it first", folder.display());
    }
    crate::config::check_database_url(&args.database.database_url)?;
    if app::db::is_postgres(&args.database.database_url) {
        bail!("server backup copies a SQLite database; back up PostgreSQL with pg_dump (see the README, Backups)");
    }
    let backup = app::db::backup(&args.database.database_url, &args.file).await.map_err(|error| match error {
        sqlx::Error::Io(e) if e.kind() == std::io::ErrorKind::AlreadyExists => exists(),
        other => anyhow::Error::from(other).context(format!("backing up to {}", args.file.display())),
    })?;
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
