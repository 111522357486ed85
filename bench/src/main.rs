//! The benchmark harness (`make bench`): builds a large site, starts the release server on it
//! exactly as production does, serves the same article page's bytes from static file servers
//! in the same run, drives everything with wrk and writes `bench/RESULTS.md`.
//!
//! Absolute numbers on a shared two-core machine (where wrk competes with the server for the
//! cores) vary from run to run; the ratios to the static baselines measured minutes apart are
//! what to compare.
//!
//! Settings (environment): `BENCH_ARTICLES` (10000), `BENCH_COMMENTS` (100000),
//! `BENCH_SECONDS` per wrk run (10), `BENCH_CONCURRENCY` (1,8,32,128), `BENCH_OUTPUT`
//! (bench/RESULTS.md), `BENCH_POSTGRES` (`off` skips the PostgreSQL rows).

mod data;
mod load;
mod machine;
mod newsletter;
mod postgres;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use load::{Run, Wrk};

const SERVER_PORT: u16 = 3400;
const NGINX_PORT: u16 = 3401;
const LOGGING_PORT: u16 = 3402;
/// A reader's browser, so views are counted as they would be (bots are skipped early).
pub(crate) const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Stops a child process when dropped, so a failed run leaves no server behind: with SIGQUIT
/// (nginx's graceful stop, which also ends its workers) or SIGKILL.
pub(crate) struct Running {
    child: Child,
    quit_signal: bool,
}

impl Running {
    pub(crate) fn killed(child: Child) -> Running {
        Running { child, quit_signal: false }
    }

    fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.quit_signal {
            let _ = Command::new("kill").arg("-QUIT").arg(self.child.id().to_string()).status();
        } else {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Refuses to start when something already answers on `port` (a server left from another run
/// would be measured instead of ours).
fn port_is_free(port: u16) -> anyhow::Result<()> {
    anyhow::ensure!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "something already listens on 127.0.0.1:{port}; stop it first"
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the workspace").to_path_buf();
    std::env::set_current_dir(&root)?;
    let articles: usize = setting("BENCH_ARTICLES", 10_000);
    let comments: usize = setting("BENCH_COMMENTS", 100_000);
    let seconds: u64 = setting("BENCH_SECONDS", 10);
    let concurrency: Vec<u32> = std::env::var("BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1,8,32,128".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let output = PathBuf::from(std::env::var("BENCH_OUTPUT").unwrap_or_else(|_| "bench/RESULTS.md".into()));
    let server_binary = root.join("target/release/server");
    anyhow::ensure!(
        server_binary.exists(),
        "no release build: run `make bench` (or `cargo leptos build --release --precompress`)"
    );

    let work = root.join("target/bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("static"))?;
    let database = work.join("site.db");
    let database_url = format!("sqlite://{}", database.display());

    eprintln!("==> generating the site");
    let runtime = tokio::runtime::Runtime::new()?;
    let site = runtime.block_on(data::generate(&database_url, articles, comments))?;

    eprintln!(
        "==> starting target/release/server on 127.0.0.1:{SERVER_PORT} and, at the default log level, :{LOGGING_PORT}"
    );
    port_is_free(SERVER_PORT)?;
    port_is_free(LOGGING_PORT)?;
    port_is_free(NGINX_PORT)?;
    let server = Running::killed(start_server(&server_binary, &database_url, &work, SERVER_PORT, Some("warn"))?);
    let memory = machine::MemoryWatch::start(server.id());
    // The same site as an operator runs it out of the box: one log line per request, to a file.
    let logging = Running::killed(start_server(&server_binary, &database_url, &work, LOGGING_PORT, None)?);
    let base = format!("http://127.0.0.1:{SERVER_PORT}");
    load::wait_until_up(SERVER_PORT, Duration::from_secs(60))?;
    load::wait_until_up(LOGGING_PORT, Duration::from_secs(60))?;

    // The static baselines serve exactly the bytes a reader (and wrk) gets for the article.
    let article_path = format!("/article/{}", site.fifty);
    let article = load::get(SERVER_PORT, &article_path, &[("User-Agent", BROWSER)])?;
    anyhow::ensure!(article.status == 200 && article.body.len() > 10_000, "the article page did not render");
    let comment_count = article.text().matches("class=\"comment-body\"").count();
    std::fs::write(work.join("static/article.html"), &article.body)?;
    let axum_static = root.join("target/site/bench-static");
    std::fs::create_dir_all(&axum_static)?;
    std::fs::write(axum_static.join("article.html"), &article.body)?;
    let nginx = start_nginx(&work)?;

    let weight = machine::page_weight(SERVER_PORT, &article_path, &root.join("target/site"))?;

    let mut targets: Vec<Target> = Vec::new();
    if nginx.is_some() {
        targets.push(("static file, nginx".into(), format!("http://127.0.0.1:{NGINX_PORT}/article.html"), vec![]));
    }
    targets.push(("static file, our server".into(), format!("{base}/bench-static/article.html"), vec![]));
    anyhow::ensure!(comment_count == 50, "the article shows {comment_count} comments, not its 50");
    targets.push(("article with 50 comments".into(), format!("{base}{article_path}"), vec![]));
    targets.push((
        format!("article with {} comments (first page)", site.long_thread_comments),
        format!("{base}/article/{}", site.long_thread),
        vec![],
    ));
    targets.push(("front page".into(), format!("{base}/"), vec![]));
    targets.push((
        "article with 50 comments, default log level".into(),
        format!("http://127.0.0.1:{LOGGING_PORT}{article_path}"),
        vec![],
    ));
    // A query the cache does not key on: the page rendered afresh each time.
    targets.push(("article with 50 comments, rendered (uncached)".into(), format!("{base}{article_path}?x=1"), vec![]));
    // A reader who has commented: with the app (the start script's `js` cookie) they get the
    // shared page and the app fetches what is theirs; without it the page is rendered for them.
    let commenter = "comment_token=0123456789abcdef0123456789abcdef; comment_author=%7B%22author%22%3A%22Ada%22%2C%22email%22%3A%22ada%40example.org%22%2C%22url%22%3A%22%22%7D";
    targets.push((
        "article with 50 comments, its commenter".into(),
        format!("{base}{article_path}"),
        vec![("Cookie", format!("js=1; {commenter}"))],
    ));
    targets.push((
        "article with 50 comments, its commenter without JavaScript (rendered for them)".into(),
        format!("{base}{article_path}"),
        vec![("Cookie", commenter.to_string())],
    ));
    targets.push((
        format!("search \"{}\" (repeated)", site.search_word),
        format!("{base}/search?q={}", site.search_word),
        vec![],
    ));

    let wrk = Wrk;
    let mut runs: Vec<(usize, u32, Run)> = Vec::new();
    // Warm up every target once (SQLite's page cache, the render cache, connections).
    for (_, url, headers) in &targets {
        let mut headers = headers.clone();
        headers.push(("User-Agent", BROWSER.into()));
        wrk.run(url, 8, &headers, None, 2)?;
    }
    for &c in &concurrency {
        // Interleaved, so a slow minute on the shared machine hits every target alike.
        for (i, (name, url, headers)) in targets.iter().enumerate() {
            let mut headers = headers.clone();
            headers.push(("User-Agent", BROWSER.into()));
            let run = wrk.run(url, c, &headers, None, seconds)?;
            eprintln!(
                "  {name:<48} c={c:<4} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
                run.rps, run.p50_ms, run.p99_ms
            );
            runs.push((i, c, run));
        }
    }

    eprintln!("==> first queries of common words");
    let first_queries = first_queries(SERVER_PORT, &site.common_words)?;

    eprintln!("==> posting comments (flood control off)");
    let before = runtime.block_on(count_comments(&database_url))?;
    let script = root.join("bench/post-comments.lua");
    let posting = wrk.run(&base, 32, &[], Some((&script, &site.posting_target)), seconds)?;
    // Requests still in flight when wrk stops may be stored without being counted by wrk.
    std::thread::sleep(Duration::from_millis(500));
    let after = runtime.block_on(count_comments(&database_url))?;
    let stored = after - before;
    eprintln!(
        "  {:.0} posts/s, {} answered 2xx, {} stored, {} errors",
        posting.rps,
        posting.ok(),
        stored,
        posting.errors
    );

    let postgres = if std::env::var("BENCH_POSTGRES").is_ok_and(|v| v == "off") {
        None
    } else {
        eprintln!("==> PostgreSQL: the site moved with copy-to, two nodes behind nginx");
        let static_url = if nginx.is_some() {
            format!("http://127.0.0.1:{NGINX_PORT}/article.html")
        } else {
            format!("{base}/bench-static/article.html")
        };
        match postgres::measure(
            &server_binary,
            &database_url,
            &base,
            &static_url,
            &work,
            &article_path,
            &site.posting_target,
            seconds,
        ) {
            Ok(figures) => Some(figures),
            Err(error) => {
                eprintln!("  no PostgreSQL rows: {error}");
                None
            }
        }
    };

    let memory = memory.finish();
    let _ = std::fs::remove_dir_all(&axum_static);
    // Every server sends queued newsletters: only the one pointed at the sink may run now.
    drop(server);
    drop(logging);

    let subscribers: u64 = setting("BENCH_SUBSCRIBERS", 100_000);
    eprintln!("==> the newsletter to {subscribers} subscribers (server on :{})", newsletter::PORT);
    port_is_free(newsletter::PORT)?;
    let sending = newsletter::measure(
        &server_binary,
        &database_url,
        &work,
        [&site.fifty, &site.posting_target],
        subscribers,
        seconds,
    )?;
    eprintln!(
        "  queued in {:.2} s, {:.0} mails/s, peak {:.0} MB, readers {:.0} req/s during vs {:.0} idle",
        sending.queue_seconds,
        sending.mails_per_second(),
        sending.peak_mb,
        sending.during.rps,
        sending.idle.rps
    );

    let results = Results {
        site: &site,
        targets: &targets,
        runs: &runs,
        posting: &posting,
        first_queries: &first_queries,
        stored,
        memory,
        weight,
        sending,
        seconds,
        nginx: nginx.is_some(),
        postgres,
    };
    std::fs::write(&output, results.markdown()?)?;
    eprintln!("==> wrote {}", output.display());
    drop(nginx);
    Ok(())
}

pub(crate) fn start_server(
    binary: &Path,
    database_url: &str,
    work: &Path,
    port: u16,
    log: Option<&str>,
) -> anyhow::Result<Child> {
    let mut command = Command::new(binary);
    command
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        // Several servers share the database in a run: each must know the site's address.
        .env("SITE_URL", format!("http://127.0.0.1:{port}"))
        .env("COMMENT_FLOOD_SECONDS", "0")
        // wrk is one client with up to 128 connections.
        .env("MAX_CONNECTIONS_PER_CLIENT", "1000")
        .env("MAIL_DIR", work.join("outbox"))
        .env_remove("RUST_LOG");
    match log {
        Some(level) => command.env("RUST_LOG", level).stdout(Stdio::null()),
        None => command.stdout(std::fs::File::create(work.join(format!("server-{port}.log")))?),
    };
    Ok(command.spawn()?)
}

/// Latency of searches nobody asked before: each common word once, one after another.
fn first_queries(port: u16, words: &[String]) -> anyhow::Result<Latencies> {
    let mut millis = Vec::with_capacity(words.len());
    for word in words {
        let started = std::time::Instant::now();
        let answer = load::get(port, &format!("/search?q={word}"), &[("User-Agent", BROWSER)])?;
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(answer.status == 200 && answer.text().contains("search-result"), "no results for {word}");
    }
    Ok(Latencies::of(millis))
}

/// A sorted sample of latencies.
struct Latencies(Vec<f64>);

impl Latencies {
    fn of(mut millis: Vec<f64>) -> Latencies {
        millis.sort_by(f64::total_cmp);
        Latencies(millis)
    }

    fn quantile(&self, q: f64) -> f64 {
        self.0.get(((self.0.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
    }
}

async fn count_comments(database_url: &str) -> anyhow::Result<i64> {
    let pool = app::db::Db::connect(database_url).await?;
    let n = app::on!(pool, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(ex).await)?;
    pool.close().await;
    Ok(n)
}

/// nginx from Debian as the reference static file server, when it is installed (`make bench`
/// installs it): two workers like our two cores, keep-alive without a request limit like ours.
fn start_nginx(work: &Path) -> anyhow::Result<Option<Running>> {
    let Ok(binary) = which("nginx") else {
        eprintln!("  nginx not installed: the baseline is our own server's static file service only");
        return Ok(None);
    };
    let prefix = work.join("nginx");
    std::fs::create_dir_all(prefix.join("logs"))?;
    let conf = format!(
        "worker_processes 2;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log warn;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  tcp_nodelay on;\n  keepalive_requests 1000000;\n\
         client_body_temp_path {prefix}/tmp;\n  proxy_temp_path {prefix}/tmp;\n  fastcgi_temp_path {prefix}/tmp;\n\
         uwsgi_temp_path {prefix}/tmp;\n  scgi_temp_path {prefix}/tmp;\n\
         types {{ text/html html; }}\n\
         server {{ listen 127.0.0.1:{NGINX_PORT}; root {root}; }}\n}}\n",
        prefix = prefix.display(),
        root = work.join("static").display(),
    );
    std::fs::write(prefix.join("nginx.conf"), conf)?;
    let child = Command::new(binary)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stdout(Stdio::null())
        .spawn()?;
    let running = Running { child, quit_signal: true };
    load::wait_until_up(NGINX_PORT, Duration::from_secs(10))?;
    Ok(Some(running))
}

pub(crate) fn which(program: &str) -> anyhow::Result<PathBuf> {
    for dir in std::env::var("PATH").unwrap_or_default().split(':').chain(["/usr/sbin", "/sbin"]) {
        let candidate = Path::new(dir).join(program);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    anyhow::bail!("{program} not found")
}

/// A page wrk drives: its name, URL and request headers.
type Target<'a> = (String, String, Vec<(&'a str, String)>);

struct Results<'a> {
    site: &'a data::Site,
    targets: &'a [Target<'a>],
    runs: &'a [(usize, u32, Run)],
    posting: &'a Run,
    first_queries: &'a Latencies,
    stored: i64,
    memory: machine::Memory,
    weight: machine::Weight,
    sending: newsletter::Figures,
    seconds: u64,
    nginx: bool,
    postgres: Option<postgres::Figures>,
}

impl Results<'_> {
    fn markdown(&self) -> anyhow::Result<String> {
        let mut md = String::new();
        let machine = machine::describe();
        writeln!(md, "# Benchmark results\n")?;
        writeln!(md, "Written by `make bench` (bench/src/main.rs); do not edit by hand.\n")?;
        writeln!(md, "- Date: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"))?;
        writeln!(md, "- Commit: `{}`", machine::commit())?;
        writeln!(md, "- Machine: {machine}")?;
        writeln!(
            md,
            "- Load generator: {}, on the same machine (it competes with the server for the cores)",
            machine::wrk_version()
        )?;
        writeln!(
            md,
            "- Site: {} articles, {} comments (one story with {}, one with 50, the rest uneven), SQLite, release build, `RUST_LOG=warn` (except the row marked default log level: a second server on the same database writing one line per request to a file)",
            self.site.articles, self.site.comments, self.site.long_thread_comments
        )?;
        writeln!(md, "- Each cell: wrk for {} s, {} threads at most, a browser's User-Agent, no compression asked for; targets interleaved per concurrency\n", self.seconds, 2)?;

        let baseline_index = 0; // nginx when installed, else our own static file service
        let baseline_name = &self.targets[baseline_index].0;
        writeln!(md, "## Throughput and latency\n")?;
        writeln!(
            md,
            "Ratio = requests per second divided by the {baseline_name} baseline at the same concurrency, same run.\n"
        )?;
        writeln!(md, "| page | concurrency | req/s | ratio | p50 ms | p99 ms | errors |")?;
        writeln!(md, "|---|---:|---:|---:|---:|---:|---:|")?;
        for (i, (name, _, _)) in self.targets.iter().enumerate() {
            for (_, c, run) in self.runs.iter().filter(|(t, _, _)| *t == i) {
                let base = self
                    .runs
                    .iter()
                    .find(|(t, bc, _)| *t == baseline_index && bc == c)
                    .map(|r| r.2.rps)
                    .unwrap_or(f64::NAN);
                writeln!(
                    md,
                    "| {name} | {c} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
                    run.rps,
                    run.rps / base,
                    run.p50_ms,
                    run.p99_ms,
                    run.errors
                )?;
            }
        }
        if self.nginx {
            writeln!(md, "\nThe second block is our own server's static file service (tower-http ServeDir) serving the same bytes, also against nginx.")?;
        }
        writeln!(md, "\n## First search for a common word (nothing cached)\n")?;
        writeln!(
            md,
            "Each of the site's {} most common words searched once, one request at a time: p50 **{:.2} ms**, p90 {:.2} ms, max {:.2} ms (whole request, page rendered).",
            self.first_queries.0.len(),
            self.first_queries.quantile(0.5),
            self.first_queries.quantile(0.9),
            self.first_queries.quantile(1.0)
        )?;
        writeln!(md, "\n## Comment posting (concurrency 32, flood control off)\n")?;
        writeln!(md, "| posts/s | answered 2xx | rows stored | errors | p50 ms | p99 ms |")?;
        writeln!(md, "|---:|---:|---:|---:|---:|---:|")?;
        writeln!(
            md,
            "| {:.0} | {} | {} | {} | {:.2} | {:.2} |",
            self.posting.rps,
            self.posting.ok(),
            self.stored,
            self.posting.errors,
            self.posting.p50_ms,
            self.posting.p99_ms
        )?;
        writeln!(md, "\nNothing lost means every 2xx answer is a stored row (rows may exceed answers by the requests in flight when wrk stopped).\n")?;
        writeln!(md, "## Server memory\n")?;
        writeln!(
            md,
            "The server's own memory (anonymous resident, RssAnon, sampled every 50 ms), peak over the whole run: **{:.1} MB**. Peak resident (VmHWM): {:.1} MB; resident at the end: {:.1} MB. The difference is the database file, read through a memory map: the kernel's page cache, shared, counted once per connection that touched it.\n",
            self.memory.own_peak_mb, self.memory.peak_mb, self.memory.now_mb
        )?;
        let n = &self.sending;
        writeln!(md, "## The newsletter to {} subscribers\n", n.subscribers)?;
        writeln!(
            md,
            "A third server, SMTP pointed at a counting sink on loopback, rate limit off, {} pooled connections. A story queued with `server newsletter send` (one row per recipient, one statement); the senders look for new sends every 5 s, so the first mail came {:.1} s after the command exited.\n",
            8, n.first_mail_seconds
        )?;
        writeln!(md, "| measure | value | target |")?;
        writeln!(md, "|---|---:|---|")?;
        writeln!(md, "| queueing (the command, start to exit) | {:.2} s | < 5 s |", n.queue_seconds)?;
        writeln!(md, "| sending, first mail to last | {:.1} s | |", n.send_seconds)?;
        writeln!(md, "| send rate | **{:.0} mails/s** | ≥ 1,000 |", n.mails_per_second())?;
        writeln!(md, "| peak memory of that server (RssAnon, sampled; the mapped database file not counted) | {:.0} MB | < 150 MB |", n.peak_mb)?;
        writeln!(
            md,
            "| article page at concurrency 32 during a send / idle (same server) | {:.0} / {:.0} req/s = **{:.2}** | ≥ 0.8 |\n",
            n.during.rps,
            n.idle.rps,
            n.during.rps / n.idle.rps
        )?;
        if let Some(pg) = &self.postgres {
            writeln!(md, "## PostgreSQL: the same site on two nodes\n")?;
            writeln!(
                md,
                "The SQLite site above moved with `server copy-to` into a throw-away PostgreSQL cluster on this machine (`fsync` and `synchronous_commit` off, as for tests) in {:.1} s (\"{}\"); two servers on it, nginx balancing between them (keep-alive upstream). Each row beside its counterpart measured minutes apart, same run.\n",
                pg.copy_seconds, pg.copy_said
            )?;
            writeln!(md, "| measure | SQLite / baseline | PostgreSQL | ratio |")?;
            writeln!(md, "|---|---:|---:|---:|")?;
            let (sqlite, postgres) = &pg.uncached;
            writeln!(
                md,
                "| uncached article, 50 comments, c=1, p50 | {:.2} ms | {:.2} ms | {:.2} |",
                sqlite.p50_ms,
                postgres.p50_ms,
                postgres.p50_ms / sqlite.p50_ms
            )?;
            let (nginx_static, nodes) = &pg.cached;
            writeln!(
                md,
                "| cached article, c=32, two nodes behind nginx vs nginx static | {:.0} req/s | {:.0} req/s | {:.2} |",
                nginx_static.rps,
                nodes.rps,
                nodes.rps / nginx_static.rps
            )?;
            writeln!(
                md,
                "| comment posting, c=32, through both nodes | {:.0} posts/s (one node, above) | **{:.0} posts/s**, {} answered 2xx, {} stored, p99 {:.1} ms | {:.2} |\n",
                self.posting.rps,
                pg.posting.rps,
                pg.posting.ok(),
                pg.stored,
                pg.posting.p99_ms,
                pg.posting.rps / self.posting.rps
            )?;
        }
        writeln!(md, "## Page weight of an article (as transferred, brotli)\n")?;
        writeln!(
            md,
            "The app (JavaScript and wasm) is fetched only when the reader shows intent (focus, touch or a resting pointer on something that acts, the comments coming into view); a reader who only reads gets the rest.\n"
        )?;
        writeln!(md, "| part | bytes | when |")?;
        writeln!(md, "|---|---:|---|")?;
        for (part, bytes) in &self.weight.parts {
            let when = if machine::Weight::is_app(part) { "on intent" } else { "on load" };
            writeln!(md, "| {part} | {bytes} | {when} |")?;
        }
        let (before, after) = (self.weight.until_intent(), self.weight.total());
        writeln!(md, "| **until interaction** | **{before}** ({:.1} KB) | |", before as f64 / 1024.0)?;
        writeln!(md, "| **after** | **{after}** ({:.1} KB) | |", after as f64 / 1024.0)?;
        Ok(md)
    }
}
