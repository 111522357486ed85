//! The news site's server: `server` (or `server serve`) serves the site; `server import`
//! publishes Markdown articles; `server comments` moderates.

use anyhow::bail;
use server::{config::Config, startup::{shutdown_signal, Application}, telemetry};

fn main() -> anyhow::Result<()> {
    // Before any thread exists: glibc decides each thread's allocation arena on first use.
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

/// glibc gives each busy thread its own malloc arena, up to 8 per core; freed memory stays in
/// them. One arena per core is enough for our threads and kept peak memory ~20% lower under
/// 128 connections (measured with wrk; the benchmark's 100 MB budget).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        // SAFETY: mallopt only sets an allocator parameter; called before other threads start.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores as libc::c_int);
        }
    }
}

async fn run() -> anyhow::Result<()> {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("comments") => server::cli::comments::run(&args[1..]).await,
        Some("import") => server::cli::import::run(&args[1..]).await,
        Some(other) => bail!("unknown command {other:?}; usage: server [serve | import <DIR|FILE>… | comments …]"),
    }
}

async fn serve() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let app = Application::build(config).await?;
    tracing::info!("listening on http://{}", app.local_addr());
    app.run_until(shutdown_signal()).await?;
    Ok(())
}
