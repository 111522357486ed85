//! Starts the real application the way `main` does — same `Application::build` — on a random
//! port with its own fresh database: a temporary SQLite file or, when `TEST_POSTGRES` holds a
//! PostgreSQL server's address, a new database on that server (`make test` runs both).

use std::path::{Path, PathBuf};

use server::{config::Config, startup::Application};

pub struct TestApp {
    pub address: String,
    /// The site's database; tests write through `pool` directly as another process would.
    pub db: app::db::Db,
    pub pool: sqlx::AnyPool,
    pub client: reqwest::Client,
    pub database_url: String,
    media_dir: PathBuf,
    /// Dropped with the test (before the folder): the server and its workers stop.
    _stop: tokio::sync::oneshot::Sender<()>,
    /// Finishes once the server has stopped serving.
    served: tokio::task::JoinHandle<()>,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

/// A new, empty database for one test: the file `name` in `dir`, or a fresh PostgreSQL
/// database when the tests run on PostgreSQL.
pub async fn fresh_database_url(dir: &Path, name: &str) -> String {
    match std::env::var("TEST_POSTGRES") {
        Ok(server) => app::db::fresh_postgres_database(&server).await,
        Err(_) => format!("sqlite://{}", dir.join(name).display()),
    }
}

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os("TEST_POSTGRES").is_some()
}

/// A pool on either engine for the tests' own SQL (written with `$N` placeholders).
pub async fn any_pool(database_url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new().max_connections(4).connect(database_url).await.unwrap()
}

/// Where a test site keeps its files (uploads, mail): beside its SQLite database, or in a
/// folder of its own.
fn files_dir(database_url: &str) -> PathBuf {
    match database_url.strip_prefix("sqlite://") {
        Some(path) => Path::new(path).parent().unwrap().to_path_buf(),
        None => {
            let name = database_url.rsplit('/').next().unwrap();
            let dir = std::env::temp_dir().join(format!("newsroom-test-{name}"));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        }
    }
}

/// Rows in `table`, read through a pool of the tests' own.
pub async fn count_rows(pool: &sqlx::AnyPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(pool).await.unwrap()
}

pub fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// A config like the one `main` reads, pointed at a fresh database and port 0.
pub fn test_config(database_url: &str, demo_content: Option<PathBuf>) -> Config {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    let mut leptos = leptos::config::get_configuration(Some(file.to_str().unwrap())).unwrap().leptos_options;
    leptos.site_addr = "127.0.0.1:0".parse().unwrap();
    // Test binaries are built by cargo, not cargo-leptos: there is no hash.txt beside them.
    leptos.hash_files = false;
    Config {
        leptos,
        database_url: database_url.to_owned(),
        demo_content,
        comment_flood_seconds: 15,
        newsletter_signups_per_hour: 10,
        trusted_proxies: Vec::new(),
        site_url: None,
        smtp_url: None,
        mail_from: None,
        moderation_email: None,
        mail_rates: server::config::MailRates::default(),
        // Editions are queued by the tests that want one, not by the day of the week.
        newsletter_schedule: None,
        reply_pacing: app::comments::reply_mail::Pacing::default(),
        request_body_timeout: server::config::REQUEST_BODY_TIMEOUT,
        connections: server::connections::ConnectionLimits::default(),
        // A second node without SITE_URL is refused at once, not after waiting for it to go.
        node_wait: std::time::Duration::ZERO,
        mail_dir: files_dir(database_url).join("outbox"),
        media_dir: files_dir(database_url).join("media"),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh app with demo content, its configuration adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(dir.path(), "site.db").await;
    let mut config = test_config(&database_url, Some(content_dir()));
    config.mail_dir = dir.path().join("outbox");
    config.media_dir = dir.path().join("media");
    adjust(&mut config);
    spawn_with(config, std::sync::Arc::new(dir)).await
}

/// Every test's server runs on this one runtime, which lives as long as the test process —
/// like the single runtime of `main`. (Servers on each test's own runtime left requests
/// unanswered once an earlier test's runtime had shut down.)
static SERVER_RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
});

pub async fn spawn_with(config: Config, dir: std::sync::Arc<tempfile::TempDir>) -> TestApp {
    // The log writer lives as long as the test process (only the first call sets it up).
    std::mem::forget(server::telemetry::init());
    let database_url = config.database_url.clone();
    let media_dir = config.media_dir.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (address, db, served) = SERVER_RUNTIME
        .spawn(async move {
            let app = Application::build(config).await.expect("application builds");
            let address = format!("http://{}", app.local_addr());
            let db = app.db.clone();
            let served = tokio::spawn(async move {
                let _ = app
                    .run_until(async move {
                        let _ = stopped.await;
                    })
                    .await;
            });
            (address, db, served)
        })
        .await
        .unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pool = any_pool(&database_url).await;
    TestApp { address, db, pool, client, database_url, media_dir, _dir: dir, _stop: stop, served }
}

impl TestApp {
    /// Stops the server as `main` does on SIGTERM and waits until it has; its files stay.
    pub async fn stop(self) -> std::sync::Arc<tempfile::TempDir> {
        let TestApp { _stop, served, _dir, .. } = self;
        drop(_stop);
        served.await.unwrap();
        _dir
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.client.get(format!("{}{path}", self.address)).send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&self.pool).await.unwrap()
    }

    /// Posts a form to a server function as the hydrated app does (JSON answer).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .header("Accept", "application/json")
            .form(fields)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn post_comment(&self, fields: &[(&str, &str)]) -> (u16, String) {
        self.post_form("/api/comments/post", fields).await
    }

    /// Posts the comment form as a browser without JavaScript does.
    pub async fn post_comment_plain(&self, fields: &[(&str, &str)], cookie: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/comments/post", self.address))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", format!("{}/article/tram-timetable-app", self.address))
            .form(fields);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.unwrap()
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> (u16, String) {
        let response =
            self.client.get(format!("{}{path}", self.address)).header("Cookie", cookie).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub fn dir(&self) -> std::sync::Arc<tempfile::TempDir> {
        self._dir.clone()
    }

    /// Where this site keeps uploaded pictures.
    pub fn media_dir(&self) -> PathBuf {
        self.media_dir.clone()
    }

    /// Holds the database's write lock, as another writer would (an import, a command),
    /// until the transaction is dropped.
    pub async fn hold_write_lock(&self) -> sqlx::Transaction<'static, sqlx::Any> {
        if on_postgres() {
            let mut tx = self.pool.begin().await.unwrap();
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(app::db::WRITE_LOCK).execute(&mut *tx).await.unwrap();
            tx
        } else {
            self.pool.begin_with("BEGIN IMMEDIATE").await.unwrap()
        }
    }
}
