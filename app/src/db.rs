//! (server) The database handle: SQLite opened for a busy news site (WAL, foreign keys, busy
//! timeout), migrations embedded in the binary, and the one way to write.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use sqlx::SqlitePool as Pool;

use crate::core::context::{from_context as context, MissingContext};

/// The database of one running site. Reads go to the pool; every write goes through
/// [`Db::write`], which queues this site's writers in order before SQLite's single write lock
/// — much faster and fairer than letting them race for the file lock and sleep in its busy
/// handler. The queue belongs to the handle, so two sites in one process never wait for each
/// other. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    writers: Arc<tokio::sync::Mutex<()>>,
    versions: Arc<Versions>,
}

/// The two version numbers as a server's watcher last read them (see [`Db::refresh_versions`]).
/// A rendering reads them here instead of asking SQLite: every query is a hop to a SQLite
/// thread and back, and an article page used to make one per cache it checked.
#[derive(Debug, Default)]
struct Versions {
    /// Set while a watcher keeps the numbers fresh; cleared when a read fails.
    watched: AtomicBool,
    content: AtomicI64,
    articles: AtomicI64,
}

/// A write transaction that holds this site's write turn until it is committed or dropped.
/// Derefs to the connection, so store functions take `&mut SqliteConnection` either way.
pub struct Write {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Up to this much of the database file is read through the memory map.
const MMAP_BYTES: u64 = 1 << 30;

impl Db {
    /// Opens (creating if missing) the database at `url` and runs the embedded migrations.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a committed transaction survives a killed process; only a power cut
            // can lose the last moments, the trade-off every SQLite-backed CMS makes.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Read the file through a shared memory map instead of a copy per page into each
            // connection's small cache: a first search walks thousands of index pages, and
            // those copies were a third of its time. Pages are the kernel's cache, shared.
            .pragma("mmap_size", MMAP_BYTES.to_string());
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
        // Readers run in parallel under WAL; writers queue on SQLite's single write lock, so a
        // pool a few times the core count keeps both busy without piling up waiters.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        let pool = SqlitePoolOptions::new()
            .max_connections((cores * 4).max(8))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        // sqlx's SQLite migrator takes no lock: servers started together on a new file would
        // each apply the same migration, and all but one fail. One at a time, by an OS lock on
        // a file beside the database (SQLite's file is on this machine, so is the lock).
        let _migrating = lock_beside(options.get_filename()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Db { pool, writers: Arc::default(), versions: Arc::default() })
    }

    /// The pool, for reading.
    pub fn read(&self) -> &Pool {
        &self.pool
    }

    /// A write transaction: waits its turn among this site's writers, then takes SQLite's
    /// write lock up front (IMMEDIATE), so every check inside it sees the state it writes to.
    pub async fn write(&self) -> sqlx::Result<Write> {
        let turn = self.writers.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Write { tx, _turn: turn })
    }

    /// A number that changes whenever anything a page shows changes (kept by triggers, so
    /// writes from other processes count too): the render cache is valid while it stays.
    pub async fn content_version(&self) -> sqlx::Result<i64> {
        if self.versions.watched.load(Ordering::Acquire) {
            return Ok(self.versions.content.load(Ordering::Acquire));
        }
        sqlx::query_scalar("SELECT version FROM content_version WHERE id = 1").fetch_one(&self.pool).await
    }

    /// A number that changes whenever the stories themselves change (not their comments):
    /// lists worked out from the archive stay valid while it stays.
    pub async fn articles_version(&self) -> sqlx::Result<i64> {
        if self.versions.watched.load(Ordering::Acquire) {
            return Ok(self.versions.articles.load(Ordering::Acquire));
        }
        sqlx::query_scalar("SELECT version FROM articles_version WHERE id = 1").fetch_one(&self.pool).await
    }

    /// Reads both versions and keeps them for [`Db::content_version`] and
    /// [`Db::articles_version`], which answer from memory from then on. Whoever calls this
    /// keeps calling it (the server: every 250 ms and after every post it answers), so what
    /// other processes and nodes write is seen that soon; this process's own posts at once.
    /// Returns the content version.
    pub async fn refresh_versions(&self) -> sqlx::Result<i64> {
        let read: sqlx::Result<(i64, i64)> = sqlx::query_as(
            "SELECT c.version, a.version FROM content_version c, articles_version a WHERE c.id = 1 AND a.id = 1",
        )
        .fetch_one(&self.pool)
        .await;
        match read {
            Ok((content, articles)) => {
                self.versions.content.store(content, Ordering::Release);
                self.versions.articles.store(articles, Ordering::Release);
                self.versions.watched.store(true, Ordering::Release);
                Ok(content)
            }
            Err(error) => {
                // Unsure what changed: ask the database each time until a read works again.
                self.versions.watched.store(false, Ordering::Release);
                Err(error)
            }
        }
    }

    /// Closes every connection (tests and commands that end).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A fresh database in a temporary folder, for the store modules' tests.
    #[cfg(test)]
    pub async fn temporary() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (Db::connect(&url).await.unwrap(), dir)
    }
}

/// Writes a consistent copy of the SQLite database at `url` (which must exist: a mistyped
/// address is not a new, empty site to back up) to the new file `path`, while the site keeps
/// running. `VACUUM INTO` reads one snapshot (writers go on under WAL) into a file this call
/// reserved under a unique temporary name beside `path`; the copy is checked and counted, then
/// hard-linked to `path` — which fails if `path` exists, so nothing is ever replaced and a
/// backup running at the same moment cannot be disturbed. Nothing is migrated.
pub async fn backup(url: &str, path: &std::path::Path) -> Result<Backup, sqlx::Error> {
    use sqlx::Connection;
    let io = |kind: std::io::ErrorKind, what: String| sqlx::Error::Io(std::io::Error::new(kind, what));
    let source = SqliteConnectOptions::from_str(url)?.create_if_missing(false);
    if !source.get_filename().is_file() {
        return Err(io(std::io::ErrorKind::NotFound, format!("no database at {}", source.get_filename().display())));
    }
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        io(std::io::ErrorKind::InvalidInput, format!("{} is not a file name this tool can write", path.display()))
    })?;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let folder = std::fs::canonicalize(folder).map_err(sqlx::Error::Io)?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    // Absolute: SQLite reads a relative name beginning `file:` as a URI.
    let partial = folder.join(format!(".{name}.{}.{stamp}.partial", std::process::id()));
    let partial_name = partial
        .to_str()
        .ok_or_else(|| io(std::io::ErrorKind::InvalidInput, format!("{} is not UTF-8", folder.display())))?
        .to_owned();
    std::fs::File::options().write(true).create_new(true).open(&partial).map_err(sqlx::Error::Io)?;
    let copied = async {
        let mut connection = sqlx::SqliteConnection::connect_with(&source).await?;
        let written = sqlx::query("VACUUM INTO ?").bind(&partial_name).execute(&mut connection).await;
        let _ = connection.close().await;
        written?;
        let backup = Backup::read(&partial).await?;
        std::fs::hard_link(&partial, folder.join(name)).map_err(sqlx::Error::Io)?;
        // The new name survives a power cut once the folder is on disk too.
        std::fs::File::open(&folder).and_then(|f| f.sync_all()).map_err(sqlx::Error::Io)?;
        Ok(backup)
    }
    .await;
    let _ = std::fs::remove_file(&partial);
    copied
}

/// What a backup holds, read back from the copy itself.
#[derive(Debug)]
pub struct Backup {
    pub stories: i64,
    pub comments: i64,
    pub subscribers: i64,
    pub bytes: u64,
}

impl Backup {
    /// Opens the copy read-only, has SQLite check its structure, and counts what is in it.
    async fn read(file: &std::path::Path) -> Result<Backup, sqlx::Error> {
        let options = SqliteConnectOptions::new().filename(file).read_only(true);
        let copy = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        let checked: String = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&copy).await?;
        if checked != "ok" {
            copy.close().await;
            return Err(sqlx::Error::Protocol(format!("the copy failed SQLite's check: {checked}")));
        }
        let (stories, comments, subscribers): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM comments), (SELECT COUNT(*) FROM subscribers)",
        )
        .fetch_one(&copy)
        .await?;
        copy.close().await;
        let bytes = std::fs::metadata(file).map_err(sqlx::Error::Io)?.len();
        Ok(Backup { stories, comments, subscribers, bytes })
    }
}

/// Holds an exclusive lock on `<database>.lock` until dropped (waits for it off the runtime).
async fn lock_beside(database: &std::path::Path) -> Result<std::fs::File, sqlx::Error> {
    let path = std::path::PathBuf::from(format!("{}.lock", database.display()));
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::options().create(true).truncate(false).write(true).open(&path)?;
        file.lock()?;
        Ok(file)
    });
    match locked.await {
        Ok(result) => result.map_err(sqlx::Error::Io),
        Err(gone) => Err(sqlx::Error::Io(std::io::Error::other(gone))),
    }
}

impl Write {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

impl Deref for Write {
    type Target = sqlx::SqliteConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// The database for a server function or page render, provided as context by the server.
pub fn from_context() -> Result<Db, MissingContext> {
    context::<Db>()
}
