//! The news site's server: `server` (or `server serve`) serves the site; `server import`
//! publishes Markdown articles; `server comments` moderates.

use anyhow::bail;
use server::{config::Config, startup::{shutdown_signal, Application}, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("comments") => server::moderation::run(&args[1..]).await,
        Some("import") => server::import::run(&args[1..]).await,
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
