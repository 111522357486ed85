//! The demo content a fresh database starts with: the articles of `content/` (imported
//! through the same path as `server import`), `authors.yaml` and `comments.yaml`.

use std::{collections::HashMap, path::Path};

use anyhow::Context;
use app::articles::store as articles;
use app::comments::store as comments;
use app::db::Db;
use serde::Deserialize;

use super::article_files::{self, parse_date};
use super::markdown::SiteFiles;

#[derive(Debug, Deserialize)]
struct AuthorFile {
    name: String,
    bio: String,
}

#[derive(Debug, Deserialize)]
struct CommentFile {
    article: String,
    id: String,
    parent: Option<String>,
    author: String,
    email: String,
    website: Option<String>,
    date: String,
    body: String,
}

/// Fills an empty database with the demo content of `dir` (articles, `authors.yaml`,
/// `comments.yaml`). A database that already has articles is never touched. Returns whether
/// it seeded.
pub async fn seed_if_empty(db: &Db, dir: &Path, files: SiteFiles<'_>) -> anyhow::Result<bool> {
    let (articles_to_add, bad) = article_files::read_files(&article_files::markdown_files(&[dir.to_owned()])?, files);
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(ToString::to_string).collect();
        anyhow::bail!("demo content has broken files:\n{}", list.join("\n"));
    }
    let authors: Vec<AuthorFile> = read_yaml(&dir.join("authors.yaml"))?;
    let demo_comments: Vec<CommentFile> = read_yaml(&dir.join("comments.yaml"))?;

    // One transaction: the emptiness check and the inserts, so two servers starting on the
    // same new file cannot both seed it.
    let mut tx = db.write().await?;
    if articles::count_articles(&mut tx).await? > 0 {
        return Ok(false);
    }
    let mut ids = HashMap::new();
    for file in &articles_to_add {
        for warning in &file.warnings {
            tracing::warn!("{}: {warning}", file.path.display());
        }
        let (id, _) = app::publishing::publish(&mut tx, &file.article).await?;
        ids.insert(file.article.slug.as_str().to_owned(), id);
    }
    for author in &authors {
        articles::set_author_bio(&mut tx, &author.name, &author.bio).await?;
    }
    let mut comment_ids = HashMap::new();
    for c in &demo_comments {
        let article_id =
            *ids.get(&c.article).with_context(|| format!("comments.yaml: {}: no article {:?}", c.id, c.article))?;
        let parent_id = match &c.parent {
            Some(p) => Some(
                *comment_ids
                    .get(p)
                    .with_context(|| format!("comments.yaml: {}: parent {p:?} must come first", c.id))?,
            ),
            None => None,
        };
        let created_at = parse_date(&c.date).with_context(|| format!("comments.yaml: {}: bad date", c.id))?;
        let id = comments::insert_approved(
            &mut tx,
            &comments::ApprovedComment {
                article_id,
                parent_id,
                author_name: c.author.clone(),
                author_email: c.email.clone(),
                author_url: c.website.clone(),
                body: c.body.trim_end().to_owned(),
                created_at: created_at.into(),
            },
        )
        .await?;
        comment_ids.insert(c.id.clone(), id);
    }
    tx.commit().await?;
    tracing::info!(
        articles = articles_to_add.len(),
        comments = demo_comments.len(),
        "seeded demo content from {}",
        dir.display()
    );
    Ok(true)
}

fn read_yaml<T: serde::de::DeserializeOwned + Default>(path: &Path) -> anyhow::Result<T> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
