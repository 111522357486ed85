//! The PostgreSQL rows: the same site moved with `server copy-to` into a throw-away cluster
//! (scripts/postgres-cluster.sh), two nodes serving it, nginx balancing between them, each
//! figure beside its SQLite or static counterpart measured minutes apart in the same run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::load::{self, Run, Wrk};
use crate::{start_server, Running, BROWSER};

const NODE_PORTS: [u16; 2] = [3410, 3411];
const BALANCER_PORT: u16 = 3412;

pub struct Figures {
    pub copy_seconds: f64,
    pub copy_said: String,
    /// Uncached article at concurrency 1: (SQLite, PostgreSQL).
    pub uncached: (Run, Run),
    pub posting: Run,
    pub stored: i64,
    /// Cached article at concurrency 32: (nginx static, two nodes behind nginx).
    pub cached: (Run, Run),
}

/// A throw-away cluster, stopped and removed when dropped.
struct Cluster(std::path::PathBuf, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("scripts/postgres-cluster.sh").arg("stop").arg(&self.0).output();
    }
}

#[allow(clippy::too_many_arguments)]
pub fn measure(
    server_binary: &Path,
    sqlite_url: &str,
    sqlite_base: &str,
    static_url: &str,
    work: &Path,
    article_path: &str,
    posting_target: &str,
    seconds: u64,
) -> anyhow::Result<Figures> {
    let scratch = tempfile::tempdir()?;
    // Run as root, the cluster belongs to the postgres user, which must reach the folder.
    std::fs::set_permissions(scratch.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let dir = scratch.path().join("cluster");
    let started = Command::new("scripts/postgres-cluster.sh").arg("start").arg(&dir).output()?;
    anyhow::ensure!(started.status.success(), "no PostgreSQL cluster: {}", String::from_utf8_lossy(&started.stderr));
    let _cluster = Cluster(dir, scratch);
    let admin = String::from_utf8(started.stdout)?.trim().to_owned();
    let runtime = tokio::runtime::Runtime::new()?;
    let url = runtime.block_on(app::db::fresh_postgres_database(&admin));

    let began = Instant::now();
    let copied = Command::new(server_binary).env("DATABASE_URL", sqlite_url).args(["copy-to", &url]).output()?;
    anyhow::ensure!(copied.status.success(), "copy-to failed: {}", String::from_utf8_lossy(&copied.stderr));
    let copy_seconds = began.elapsed().as_secs_f64();
    // Its report, without the log lines before it (sqlx warns of the long batch inserts).
    let copy_said = String::from_utf8_lossy(&copied.stdout)
        .lines()
        .rfind(|l| l.starts_with("copied "))
        .unwrap_or_default()
        .to_owned();

    let nodes: Vec<Running> = NODE_PORTS
        .iter()
        .map(|&port| start_server(server_binary, &url, work, port, Some("warn")).map(Running::killed))
        .collect::<anyhow::Result<_>>()?;
    for port in NODE_PORTS {
        load::wait_until_up(port, Duration::from_secs(60))?;
    }
    let _balancer = start_balancer(work)?;

    let wrk = Wrk;
    let headers = [("User-Agent", BROWSER.to_string())];
    let node = format!("http://127.0.0.1:{}", NODE_PORTS[0]);
    let balanced = format!("http://127.0.0.1:{BALANCER_PORT}");
    // Warm both (connections, PostgreSQL's buffers, the render caches).
    for url in [format!("{node}{article_path}?x=1"), format!("{balanced}{article_path}")] {
        wrk.run(&url, 8, &headers, None, 2)?;
    }
    let uncached_sqlite = wrk.run(&format!("{sqlite_base}{article_path}?x=1"), 1, &headers, None, seconds)?;
    let uncached_pg = wrk.run(&format!("{node}{article_path}?x=1"), 1, &headers, None, seconds)?;
    eprintln!(
        "  uncached article, c=1: SQLite p50 {:.2} ms, PostgreSQL p50 {:.2} ms",
        uncached_sqlite.p50_ms, uncached_pg.p50_ms
    );
    let static_run = wrk.run(static_url, 32, &headers, None, seconds)?;
    let cached_run = wrk.run(&format!("{balanced}{article_path}"), 32, &headers, None, seconds)?;
    eprintln!(
        "  cached article, c=32: nginx static {:.0} req/s, two nodes behind nginx {:.0} req/s",
        static_run.rps, cached_run.rps
    );

    let count = || -> anyhow::Result<i64> {
        runtime.block_on(async {
            let db = app::db::Db::connect(&url).await?;
            let n = app::on!(db, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(ex).await)?;
            db.close().await;
            Ok(n)
        })
    };
    let before = count()?;
    let script = Path::new("bench/post-comments.lua");
    let posting = wrk.run(&balanced, 32, &[], Some((script, posting_target)), seconds)?;
    std::thread::sleep(Duration::from_millis(500));
    let stored = count()? - before;
    eprintln!(
        "  posting through both nodes: {:.0} posts/s, {} answered 2xx, {stored} stored",
        posting.rps,
        posting.ok()
    );
    drop(nodes);
    Ok(Figures {
        copy_seconds,
        copy_said,
        uncached: (uncached_sqlite, uncached_pg),
        posting,
        stored,
        cached: (static_run, cached_run),
    })
}

/// nginx balancing between the two nodes (keep-alive to each), as the README shows it.
fn start_balancer(work: &Path) -> anyhow::Result<Option<Running>> {
    let Ok(binary) = crate::which("nginx") else {
        eprintln!("  nginx not installed: no balanced rows");
        return Ok(None);
    };
    let prefix = work.join("nginx-balancer");
    std::fs::create_dir_all(prefix.join("logs"))?;
    let upstream = NODE_PORTS.iter().map(|p| format!("server 127.0.0.1:{p};")).collect::<Vec<_>>().join(" ");
    let conf = format!(
        "worker_processes 2;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log warn;\n\
         events {{ worker_connections 2048; }}\n\
         http {{\n  access_log off;\n  tcp_nodelay on;\n  keepalive_requests 1000000;\n\
         client_body_temp_path {prefix}/tmp;\n  proxy_temp_path {prefix}/tmp;\n  fastcgi_temp_path {prefix}/tmp;\n\
         uwsgi_temp_path {prefix}/tmp;\n  scgi_temp_path {prefix}/tmp;\n\
         upstream nodes {{ {upstream} keepalive 64; }}\n\
         server {{ listen 127.0.0.1:{BALANCER_PORT};\n\
           location / {{ proxy_pass http://nodes; proxy_http_version 1.1; proxy_set_header Connection \"\"; \
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }} }}\n}}\n",
        prefix = prefix.display(),
    );
    std::fs::write(prefix.join("nginx.conf"), conf)?;
    let child = Command::new(binary).arg("-p").arg(&prefix).arg("-c").arg(prefix.join("nginx.conf")).spawn()?;
    let running = Running { child, quit_signal: true };
    load::wait_until_up(BALANCER_PORT, Duration::from_secs(10))?;
    Ok(Some(running))
}
