//! The newsletter at scale: 100,000 confirmed subscribers, a third server with SMTP pointed at
//! a counting sink on loopback (rate limit off). Measured: how long queueing a story takes
//! (the `server newsletter send` command, start to exit), how fast the mails reach the sink,
//! the server's peak memory, and readers' article throughput during a send against idle.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::load::{self, Run, Wrk};

pub const PORT: u16 = 3403;

pub struct Figures {
    pub subscribers: u64,
    pub queue_seconds: f64,
    /// From the command's exit to the first mail: the senders look for new sends every 5 s.
    pub first_mail_seconds: f64,
    /// From the first mail to the last.
    pub send_seconds: f64,
    pub peak_mb: f64,
    pub idle: Run,
    pub during: Run,
}

impl Figures {
    pub fn mails_per_second(&self) -> f64 {
        self.subscribers as f64 / self.send_seconds
    }
}

/// Adds `count` confirmed subscribers in one statement.
async fn add_subscribers(database_url: &str, count: u64) -> anyhow::Result<()> {
    let db = app::db::Db::connect(database_url).await?;
    app::on!(db, |ex| {
        sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO subscribers (email, status, created_at, confirmed_at) \
         SELECT 'reader' || i || '@example.org', 'confirmed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n",
    )
    .bind(count as i64)
    .execute(ex)
    .await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// An SMTP server that accepts everything and counts the messages.
fn start_sink(runtime: &tokio::runtime::Runtime) -> anyhow::Result<(u16, Arc<AtomicU64>)> {
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let count = counted.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut line = Vec::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    match lines.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let reply: &[u8] = if in_data {
                        if line != b".\r\n" {
                            continue;
                        }
                        in_data = false;
                        count.fetch_add(1, Ordering::Relaxed);
                        b"250 queued\r\n"
                    } else if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((port, count))
}

fn start_server(binary: &Path, database_url: &str, work: &Path, smtp: &str) -> anyhow::Result<Child> {
    Ok(Command::new(binary)
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{PORT}"))
        // Another server of this run may still be listed as serving the database.
        .env("SITE_URL", format!("http://127.0.0.1:{PORT}"))
        .env("MAX_CONNECTIONS_PER_CLIENT", "1000")
        .env("SMTP_URL", smtp)
        .env("MAIL_FROM", "news@courier.example")
        .env("NEWSLETTER_SCHEDULE", "off")
        .env("MAIL_DIR", work.join("outbox"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?)
}

/// `server newsletter send --article <slug>`: seconds from start to exit.
fn queue(binary: &Path, database_url: &str, slug: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let out = Command::new(binary)
        .env("DATABASE_URL", database_url)
        .args(["newsletter", "send", "--article", slug])
        .output()?;
    anyhow::ensure!(out.status.success(), "queueing failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(started.elapsed().as_secs_f64())
}

fn wait_for(count: &AtomicU64, target: u64, limit: Duration) -> anyhow::Result<f64> {
    let started = Instant::now();
    while count.load(Ordering::Relaxed) < target {
        anyhow::ensure!(
            started.elapsed() < limit,
            "only {} of {target} mails arrived in {limit:?}",
            count.load(Ordering::Relaxed)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(started.elapsed().as_secs_f64())
}

pub fn measure(
    binary: &Path,
    database_url: &str,
    work: &Path,
    stories: [&str; 2],
    subscribers: u64,
    seconds: u64,
) -> anyhow::Result<Figures> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(add_subscribers(database_url, subscribers))?;
    let (sink_port, count) = start_sink(&runtime)?;
    let mut server = start_server(binary, database_url, work, &format!("smtp://127.0.0.1:{sink_port}"))?;
    let memory = crate::machine::MemoryWatch::start(server.id());
    let result = (|| {
        load::wait_until_up(PORT, Duration::from_secs(60))?;
        let article = format!("http://127.0.0.1:{PORT}/article/{}", stories[0]);
        let headers = [("User-Agent", super::BROWSER.to_owned())];
        Wrk.run(&article, 8, &headers, None, 2)?;
        let idle = Wrk.run(&article, 32, &headers, None, seconds)?;

        // The send alone: queueing, then every mail into the sink.
        let queue_seconds = queue(binary, database_url, stories[0])?;
        let first_mail_seconds = wait_for(&count, 1, Duration::from_secs(60))?;
        let send_seconds = wait_for(&count, subscribers, Duration::from_secs(900))?;

        // A second send, with readers on the site meanwhile.
        queue(binary, database_url, stories[1])?;
        wait_for(&count, subscribers + 1, Duration::from_secs(60))?;
        let during = Wrk.run(&article, 32, &headers, None, seconds)?;
        let sent_during = count.load(Ordering::Relaxed) - subscribers;
        anyhow::ensure!(sent_during > 0, "no mail went out while readers read");
        wait_for(&count, 2 * subscribers, Duration::from_secs(900))?;
        let peak_mb = memory.finish().own_peak_mb;
        Ok(Figures { subscribers, queue_seconds, first_mail_seconds, send_seconds, peak_mb, idle, during })
    })();
    let _ = server.kill();
    let _ = server.wait();
    result
}
