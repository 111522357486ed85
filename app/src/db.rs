//! The database pool: SQLite opened for a busy news site (WAL, foreign keys, busy timeout),
//! migrations embedded in the binary.

use std::{str::FromStr, time::Duration};

use leptos::prelude::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use sqlx::SqlitePool as Pool;

/// Opens (creating if missing) the database at `url` and runs the embedded migrations.
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL: a committed transaction survives a killed process; only a power cut
        // can lose the last moments, the trade-off every SQLite-backed CMS makes.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
    }
    // Readers run in parallel under WAL; writers queue on SQLite's single write lock, so a pool
    // a few times the core count keeps both busy without piling up waiters.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    let pool = SqlitePoolOptions::new()
        .max_connections((cores * 4).max(8))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// SQLite has one writer at a time. Queueing this process's writers here, in order, is much
/// faster and fairer than letting them race for the file lock and sleep in its busy handler.
static WRITERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A write transaction: waits its turn among this process's writers, then takes SQLite's
/// write lock up front (IMMEDIATE), so every check inside it sees the state it writes to.
/// Keep the guard alive until the transaction is committed or dropped.
pub async fn begin_write(
    pool: &Pool,
) -> sqlx::Result<(tokio::sync::MutexGuard<'static, ()>, sqlx::Transaction<'static, sqlx::Sqlite>)> {
    let turn = WRITERS.lock().await;
    let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    Ok((turn, tx))
}

/// A number that changes whenever anything a page shows changes (kept by triggers, so writes
/// from other processes count too): the render cache is valid while it stays the same.
pub async fn content_version(pool: &Pool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT version FROM content_version WHERE id = 1").fetch_one(pool).await
}

/// A fresh database in a temporary folder, for the store modules' tests.
#[cfg(test)]
pub async fn temporary() -> (Pool, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    (connect(&url).await.unwrap(), dir)
}

/// The pool for a server function or SSR render, provided as context by the server.
pub fn pool() -> Result<Pool, ServerFnError> {
    use_context::<Pool>().ok_or_else(|| ServerFnError::new("database pool missing from context"))
}
