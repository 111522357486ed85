//! Starts the real application the way `main` does — same `Application::build` — on a random
//! port with its own temporary SQLite database.

use std::path::{Path, PathBuf};

use server::{config::Config, startup::Application};

pub struct TestApp {
    pub address: String,
    /// The site's database; tests write through `pool` directly as another process would.
    pub db: app::db::Db,
    pub pool: app::db::Pool,
    pub client: reqwest::Client,
    pub database_url: String,
    /// Dropped with the test (before the folder): the server and its workers stop.
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: std::sync::Arc<tempfile::TempDir>,
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
        mail_dir: Path::new(database_url.trim_start_matches("sqlite://")).with_file_name("outbox"),
        media_dir: Path::new(database_url.trim_start_matches("sqlite://")).with_file_name("media"),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh app with demo content, its configuration adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("site.db").display());
    let mut config = test_config(&database_url, Some(content_dir()));
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
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (address, db) = SERVER_RUNTIME
        .spawn(async move {
            let app = Application::build(config).await.expect("application builds");
            let address = format!("http://{}", app.local_addr());
            let db = app.db.clone();
            tokio::spawn(app.run_until(async move {
                let _ = stopped.await;
            }));
            (address, db)
        })
        .await
        .unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pool = db.read().clone();
    TestApp { address, db, pool, client, database_url, _dir: dir, _stop: stop }
}

impl TestApp {
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
}
