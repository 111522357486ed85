//! Logs through `tracing`; `RUST_LOG` chooses what (default: info, quiet SQL).
//!
//! Lines are written by a thread of their own (`tracing-appender`): a request never waits for
//! the terminal or a pipe. Measured: with one line per request written synchronously the
//! cached article page served about half of nginx's rate at 32 connections.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging; what is still queued is written when the returned guard drops (keep it
/// until the program ends). `None` when logging was already set up (tests start many apps).
#[must_use]
pub fn init() -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let (writer, guard) = tracing_appender::non_blocking(std::io::stdout());
    // Colours only for a person at a terminal; a file or a pipe gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer)
        .try_init()
        .ok()?;
    Some(guard)
}
