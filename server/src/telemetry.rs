//! Logs through `tracing`; `RUST_LOG` chooses what (default: info, quiet SQL).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // `try_init`: tests call this once per spawned app.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}
