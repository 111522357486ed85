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
}

/// Prints one line per file, every warning and every bad file; fails (exit status 1) when any
/// file could not be imported.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let leptos = args.leptos.read()?;
    let paths = markdown_files(&args.paths)?;
    let db = app::db::Db::connect(&args.database.database_url).await?;
    let site_root = PathBuf::from(&*leptos.site_root);
    let report = import(&db, &paths, SiteFiles(Some(&site_root))).await?;
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
