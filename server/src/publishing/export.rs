//! `server export`: every story back to a Markdown file with front matter, in the form
//! `server import` reads, and the uploaded pictures they use beside them in `uploads/`. What
//! was written in the desk can so be kept in git, moved or re-imported into an empty site.

use std::path::{Path, PathBuf};

use anyhow::Context;
use app::articles::store::desk;
use app::db::Db;
use serde::Serialize;

use crate::media::{Upload, URL_PREFIX};

/// The pictures folder beside the exported files.
pub const PICTURES: &str = "uploads";

/// The front matter written: the fields `import` reads, in the order an editor would.
#[derive(Serialize)]
struct FrontMatter<'a> {
    title: &'a str,
    slug: &'a str,
    date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    author: &'a str,
    category: &'a str,
    tags: Vec<&'a str>,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    status: &'a str,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub stories: usize,
    pub pictures: usize,
}

/// Writes every story into `dir` as `<slug>.md`, and the pictures they show from `media_dir`
/// into `dir/uploads/`.
pub async fn export(db: &Db, dir: &Path, media_dir: &Path) -> anyhow::Result<Exported> {
    let pictures_dir = dir.join(PICTURES);
    std::fs::create_dir_all(&pictures_dir).with_context(|| format!("creating {}", pictures_dir.display()))?;
    let mut exported = Exported::default();
    for id in desk::all_ids(db).await? {
        let Some(story) = desk::story(db, id).await? else { continue };
        let body = story.markdown.as_deref().unwrap_or(&story.body_html);
        let stamp = |t: app::core::Timestamp| t.time().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let front = FrontMatter {
            title: &story.title,
            slug: story.slug.as_str(),
            date: stamp(story.published_at),
            updated: (story.updated_at != story.published_at).then(|| stamp(story.updated_at)),
            author: &story.author,
            category: &story.section,
            tags: story.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).collect(),
            summary: &story.summary,
            image: story.image.as_deref(),
            status: story.status.as_str(),
        };
        let yaml = serde_yaml::to_string(&front)?;
        let path = dir.join(format!("{}.md", story.slug.as_str()));
        std::fs::write(&path, format!("---\n{yaml}---\n{body}"))
            .with_context(|| format!("writing {}", path.display()))?;
        exported.stories += 1;
        for source in pictures_in(body).chain(story.image.iter().map(String::as_str)) {
            exported.pictures += copy_picture(source, media_dir, &pictures_dir)?;
        }
    }
    Ok(exported)
}

/// After an import: the pictures the imported files show, from the `uploads/` folder beside
/// each file into `media_dir` (those already there are left alone). Returns how many came.
pub fn bring_pictures(files: &[PathBuf], media_dir: &Path) -> anyhow::Result<usize> {
    let mut brought = 0;
    for file in files {
        let Some(beside) = file.parent().map(|p| p.join(PICTURES)) else { continue };
        if !beside.is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        for source in pictures_in(&text) {
            brought += copy_picture(source, &beside, media_dir)?;
        }
    }
    Ok(brought)
}

/// Every uploaded picture's site path in `text` (Markdown or front matter).
fn pictures_in(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices(URL_PREFIX).filter_map(|(at, _)| {
        let rest = &text[at..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "/-.".contains(c))).unwrap_or(rest.len());
        Upload::parse(&rest[..end]).map(|_| &rest[..end])
    })
}

/// Copies one picture's files (every width) from `from` into `to`; 1 when it was copied.
fn copy_picture(source: &str, from: &Path, to: &Path) -> anyhow::Result<usize> {
    let Some(upload) = Upload::parse(source) else { return Ok(0) };
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut copied = 0;
    for file in upload.files(from) {
        let target = to.join(file.file_name().unwrap_or_default());
        if target.exists() {
            continue;
        }
        if file.exists() {
            std::fs::copy(&file, &target).with_context(|| format!("copying {}", file.display()))?;
            copied = 1;
        } else {
            tracing::warn!(picture = %file.display(), "a story shows a picture that is not in the media folder");
        }
    }
    Ok(copied)
}
