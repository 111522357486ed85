//! `server import <PATH>…`: the editor's command that publishes Markdown articles and
//! reports, file by file, what it did.

use std::path::PathBuf;

use clap::Args;

use crate::config::{DatabaseSettings, LeptosSettings};
use crate::publishing::{
    article_files::{import, markdown_files},
    markdown::SiteFiles,
};

#[derive(Args, Debug)]
#[command(after_help = "Each file is written in its own transaction, so it is safe while the server runs. \
                        Exits with status 1 when any file could not be imported.")]
pub struct ImportArgs {
    /// Markdown files with YAML front matter, or folders of them (their *.md files)
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub leptos: LeptosSettings,
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// Where pictures go: those the files show from an `uploads/` folder beside them (as
    /// `server export` writes it)
    #[arg(long, env = "MEDIA_DIR", value_name = "DIR", default_value = "data/media", hide_env_values = true)]
    pub media_dir: PathBuf,
}

/// Prints one line per file, every warning and every bad file; fails (exit status 1) when any
/// file could not be imported.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let leptos = args.leptos.read()?;
    let paths = markdown_files(&args.paths)?;
    let db = args.database.open().await?;
    let site_root = PathBuf::from(&*leptos.site_root);
    let report = import(&db, &paths, SiteFiles(Some(&site_root))).await?;
    let pictures = crate::publishing::export::bring_pictures(&paths, &args.media_dir)?;
    if pictures > 0 {
        println!("{pictures} pictures copied into {}", args.media_dir.display());
    }
    for (label, list) in [("created", &report.created), ("updated", &report.updated), ("unchanged", &report.unchanged)]
    {
        for path in list {
            println!("{label:9} {}", path.display());
        }
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for error in &report.errors {
        eprintln!("error: {error}");
    }
    println!(
        "{} created, {} updated, {} unchanged, {} failed",
        report.created.len(),
        report.updated.len(),
        report.unchanged.len(),
        report.errors.len()
    );
    if !report.errors.is_empty() {
        anyhow::bail!("{} of {} files could not be imported", report.errors.len(), paths.len());
    }
    Ok(())
}
