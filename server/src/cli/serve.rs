//! `server serve` (or plain `server`): serves the site until SIGTERM or Ctrl-C.

use crate::config::ServeSettings;
use crate::startup::{shutdown_signal, Application};

pub async fn run(settings: ServeSettings) -> anyhow::Result<()> {
    let config = settings.into_config()?;
    let app = Application::build(config).await?;
    tracing::info!("listening on http://{}", app.local_addr());
    app.run_until(shutdown_signal()).await?;
    Ok(())
}
