//! `server export <DIR>`: every story (drafts and scheduled ones too) as Markdown with front
//! matter, and the uploaded pictures they show, ready for `server import` elsewhere.

use std::path::PathBuf;

use clap::Args;

use crate::config::DatabaseSettings;
use crate::publishing::export::export;

#[derive(Args, Debug)]
#[command(
    after_help = "Reads only: safe while the server runs. Files already in DIR with a story's name are replaced."
)]
pub struct ExportArgs {
    /// The folder to write into (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// Where the desk's uploaded pictures are
    #[arg(long, env = "MEDIA_DIR", value_name = "DIR", default_value = "data/media", hide_env_values = true)]
    pub media_dir: PathBuf,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    let exported = export(&db, &args.dir, &args.media_dir).await?;
    println!("{} stories and {} pictures written to {}", exported.stories, exported.pictures, args.dir.display());
    Ok(())
}
