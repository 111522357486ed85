//! (server) The database handle: SQLite (the embedded default, opened for a busy news site: WAL,
//! foreign keys, busy timeout) or PostgreSQL, chosen by the address; each engine's migrations
//! embedded in the binary, and the one way to write.
//!
//! Store code writes a query once and runs it on whichever engine the handle holds with
//! [`on!`](crate::on): the body is compiled once per engine, so each arm is checked against its
//! driver and SQLite pays nothing for PostgreSQL being there.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, Transaction};

pub use sqlx::SqlitePool as Pool;

/// One of the two engines, holding what belongs to it (a pool, a connection, a transaction).
#[derive(Clone, Debug)]
pub enum Engine<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// Runs the same query code on whichever engine `$link` (a [`Db`] or a [`Link`]) holds, with
/// `$c` bound to that engine's pool or connection: `on!(db, |c| query(…).fetch_one(c).await)`.
/// The SQL is written once, with `$N` placeholders, which both engines accept.
#[macro_export]
macro_rules! on {
    ($link:expr, |$c:ident| $body:expr) => {
        match {
            #[allow(unused_imports)]
            use $crate::db::Link as _;
            $link.engine()
        } {
            $crate::db::Engine::Sqlite($c) => $body,
            $crate::db::Engine::Postgres($c) => $body,
        }
    };
}

/// Something queries run on one after another: a write transaction or a pooled connection.
pub trait Link: Send {
    fn engine(&mut self) -> Engine<&mut SqliteConnection, &mut PgConnection>;

    fn is_postgres(&mut self) -> bool {
        matches!(self.engine(), Engine::Postgres(_))
    }
}

/// A connection taken from the pool, for reads that must see one state throughout.
pub struct Pooled(Engine<PoolConnection<Sqlite>, PoolConnection<Postgres>>);

impl Link for Pooled {
    fn engine(&mut self) -> Engine<&mut SqliteConnection, &mut PgConnection> {
        match &mut self.0 {
            Engine::Sqlite(c) => Engine::Sqlite(&mut **c),
            Engine::Postgres(c) => Engine::Postgres(&mut **c),
        }
    }
}

/// The PostgreSQL advisory lock every write transaction holds (see [`Db::write`]).
pub const WRITE_LOCK: i64 = 0x6e65_7773;

use crate::core::context::{from_context as context, MissingContext};

pub mod copy;
pub mod nodes;

/// The database of one running site. Reads go to the pool; every write goes through
/// [`Db::write`], which queues this site's writers in order before SQLite's single write lock
/// — much faster and fairer than letting them race for the file lock and sleep in its busy
/// handler. The queue belongs to the handle, so two sites in one process never wait for each
/// other. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Engine<Pool, PgPool>,
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
    /// Reads begun so far; each takes the next number as its ticket.
    begun: AtomicU64,
    /// One read at a time, holding the ticket of the last one finished: callers that queued
    /// behind a read which began after they did take its numbers instead of asking again.
    reading: tokio::sync::Mutex<u64>,
}

/// A write transaction that holds this site's write turn until it is committed or dropped.
pub struct Write {
    tx: Engine<Transaction<'static, Sqlite>, Transaction<'static, Postgres>>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Up to this much of the database file is read through the memory map.
const MMAP_BYTES: u64 = 1 << 30;

impl Db {
    /// Opens the database at `url` (`postgres://…` or `postgresql://…` for PostgreSQL;
    /// otherwise a SQLite file, created if missing) and runs the embedded migrations.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let pool = if is_postgres(url) {
            Engine::Postgres(connect_postgres(url).await?)
        } else {
            Engine::Sqlite(connect_sqlite(url).await?)
        };
        Ok(Db { pool, writers: Arc::default(), versions: Arc::default() })
    }

    /// The engine's pool, for [`on!`](crate::on).
    pub fn engine(&self) -> Engine<&Pool, &PgPool> {
        match &self.pool {
            Engine::Sqlite(p) => Engine::Sqlite(p),
            Engine::Postgres(p) => Engine::Postgres(p),
        }
    }

    /// A connection of its own from the pool.
    pub async fn connection(&self) -> sqlx::Result<Pooled> {
        Ok(Pooled(match &self.pool {
            Engine::Sqlite(p) => Engine::Sqlite(p.acquire().await?),
            Engine::Postgres(p) => Engine::Postgres(p.acquire().await?),
        }))
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Engine::Postgres(_))
    }

    /// A write transaction: waits its turn among this site's writers, then takes the
    /// database's write lock up front (SQLite: IMMEDIATE; PostgreSQL: one advisory lock that
    /// every node's writers share), so every check inside it sees the state it writes to, on
    /// any node, exactly as on SQLite.
    pub async fn write(&self) -> sqlx::Result<Write> {
        let turn = self.writers.clone().lock_owned().await;
        let tx = match &self.pool {
            Engine::Sqlite(pool) => Engine::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            // The lock is taken inside the begun transaction (not in the BEGIN's own round
            // trip): a caller that gives up while waiting for it then rolls back, instead of
            // leaving a pooled connection idle in a transaction that holds every node's lock.
            Engine::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *tx).await?;
                Engine::Postgres(tx)
            }
        };
        Ok(Write { tx, _turn: turn })
    }

    /// A number that changes whenever anything a page shows changes (kept by triggers, so
    /// writes from other processes count too): the render cache is valid while it stays.
    pub async fn content_version(&self) -> sqlx::Result<i64> {
        if self.versions.watched.load(Ordering::Acquire) {
            return Ok(self.versions.content.load(Ordering::Acquire));
        }
        let sql = "SELECT version FROM content_version WHERE id = 1";
        crate::on!(self, |c| sqlx::query_scalar(sql).fetch_one(c).await)
    }

    /// A number that changes whenever the stories themselves change (not their comments):
    /// lists worked out from the archive stay valid while it stays.
    pub async fn articles_version(&self) -> sqlx::Result<i64> {
        if self.versions.watched.load(Ordering::Acquire) {
            return Ok(self.versions.articles.load(Ordering::Acquire));
        }
        let sql = "SELECT version FROM articles_version WHERE id = 1";
        crate::on!(self, |c| sqlx::query_scalar(sql).fetch_one(c).await)
    }

    /// Reads both versions and keeps them for [`Db::content_version`] and
    /// [`Db::articles_version`], which answer from memory from then on. Whoever calls this
    /// keeps calling it (the server: every 250 ms and after every post it answers), so what
    /// other processes and nodes write is seen that soon; this process's own posts at once.
    /// Returns the content version.
    ///
    /// Under load every post asks at once; those asks share reads. A read that began after a
    /// caller did sees everything that caller committed before asking, so its numbers serve.
    pub async fn refresh_versions(&self) -> sqlx::Result<i64> {
        let entered = self.versions.begun.load(Ordering::Acquire);
        let mut finished = self.versions.reading.lock().await;
        if *finished > entered && self.versions.watched.load(Ordering::Acquire) {
            return Ok(self.versions.content.load(Ordering::Acquire));
        }
        let ticket = self.versions.begun.fetch_add(1, Ordering::AcqRel) + 1;
        let sql = "SELECT c.version, a.version FROM content_version c, articles_version a WHERE c.id = 1 AND a.id = 1";
        let read: sqlx::Result<(i64, i64)> = crate::on!(self, |c| sqlx::query_as(sql).fetch_one(c).await);
        *finished = ticket;
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
        crate::on!(self, |pool| pool.close().await)
    }

    /// A fresh database for the store modules' tests: a SQLite file in a temporary folder or,
    /// when `TEST_POSTGRES` holds a PostgreSQL server's address, a new database on that server
    /// (`make test` runs the store tests both ways).
    #[cfg(test)]
    pub async fn temporary() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = match std::env::var("TEST_POSTGRES") {
            Ok(server) => fresh_postgres_database(&server).await,
            Err(_) => format!("sqlite://{}", dir.path().join("t.db").display()),
        };
        (Db::connect(&url).await.unwrap(), dir)
    }
}

/// Creates an empty database with a name of its own on the PostgreSQL server at `server` (its
/// administrative database's address) and returns that database's address. For tests.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let name = format!("t_{}_{}_{stamp}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut admin = PgConnection::connect(server).await.expect("the test PostgreSQL server answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let _ = admin.close().await;
    let (base, _) = server.rsplit_once('/').expect("a PostgreSQL address ends in /database");
    format!("{base}/{name}")
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    let scheme = url.split(':').next().unwrap_or_default();
    scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql")
}

async fn connect_sqlite(url: &str) -> Result<Pool, sqlx::Error> {
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
    Ok(pool)
}

async fn connect_postgres(url: &str) -> Result<PgPool, sqlx::Error> {
    use sqlx::Connection;
    let options = PgConnectOptions::from_str(url)?;
    // One connection first: an address that refuses is reported at once with its reason, not
    // after the pool has retried until its timeout.
    PgConnection::connect_with(&options).await?.close().await?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    let pool = PgPoolOptions::new()
        // One more for the change-notice listener, which keeps its connection.
        .max_connections((cores * 4).max(8) + 1)
        // While the database is away (a restart, a failover) the pool keeps trying to connect
        // until this runs out: readers get the short 503 after 2 s instead of waiting.
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(options)
        .await?;
    // sqlx's PostgreSQL migrator holds an advisory lock while it works: nodes started together
    // on an empty database apply each migration once.
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
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
        forget_nodes(&partial).await?;
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

/// A backup is the site, not the processes that served it: a server started on the copy must
/// not take the original's nodes for live ones (see [`nodes`]).
async fn forget_nodes(file: &std::path::Path) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut copy = sqlx::SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file)).await?;
    let has_nodes: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'nodes')")
            .fetch_one(&mut copy)
            .await?;
    if has_nodes {
        sqlx::query("DELETE FROM nodes").execute(&mut copy).await?;
    }
    copy.close().await
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
        match self.tx {
            Engine::Sqlite(tx) => tx.commit().await,
            Engine::Postgres(tx) => tx.commit().await,
        }
    }
}

impl Link for Write {
    fn engine(&mut self) -> Engine<&mut SqliteConnection, &mut PgConnection> {
        match &mut self.tx {
            Engine::Sqlite(tx) => Engine::Sqlite(&mut **tx),
            Engine::Postgres(tx) => Engine::Postgres(&mut **tx),
        }
    }
}

/// The database for a server function or page render, provided as context by the server.
pub fn from_context() -> Result<Db, MissingContext> {
    context::<Db>()
}
