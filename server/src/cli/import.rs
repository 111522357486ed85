//! `server import <DIR|FILE>…`: the editor's command that publishes Markdown articles and
//! reports, file by file, what it did.

use std::path::PathBuf;

use crate::config::Config;
use crate::publishing::{article_files::{import, markdown_files}, markdown::SiteFiles};

/// `server import <DIR|FILE>…`: prints one line per file, every warning and every bad file;
/// fails (exit status 1) when any file could not be imported.
pub async fn run(args: &[String]) -> anyhow::Result<()> {
    if args.is_empty() || args.iter().any(|a| a.starts_with('-')) {
        anyhow::bail!("usage: server import <DIR|FILE>…  (Markdown files with YAML front matter; see README)");
    }
    let config = Config::from_env()?;
    let targets: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    let paths = markdown_files(&targets)?;
    let pool = app::db::connect(&config.database_url).await?;
    let site_root = PathBuf::from(&*config.leptos.site_root);
    let report = import(&pool, &paths, SiteFiles(Some(&site_root))).await?;
    for (label, list) in [("created", &report.created), ("updated", &report.updated), ("unchanged", &report.unchanged)] {
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
