//! Articles as Markdown files with YAML front matter, and the demo content a fresh database
//! starts with. The same parsing serves the `import` command of the publishing issue.

use std::{
    collections::HashMap,
    fmt,
    path::{Path, PathBuf},
};

use anyhow::Context;
use app::articles::{store as articles, Slug};
use app::comments::store as comments;
use app::db::Pool;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    slug: String,
    date: String,
    author: String,
    category: String,
    #[serde(default)]
    tags: Vec<String>,
    summary: String,
    updated: Option<String>,
    image: Option<String>,
}

/// What is wrong with one content file; names the file.
#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    pub problem: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

/// Accepts RFC 3339 (`2026-11-20T08:30:00Z`) or a plain date (`2026-11-20`, taken as midnight UTC).
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc()))
}

/// Markdown → HTML, sanitised: no scripts, no event handlers, no `javascript:` URLs.
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{html, Options, Parser};
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH));
    ammonia::clean(&raw)
}

fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.find("\n---")?;
    let after = &rest[end + 4..];
    let body = after.strip_prefix("\r\n").or_else(|| after.strip_prefix('\n')).unwrap_or(after);
    Some((&rest[..end], body))
}

/// Parses one article file. `path` is only used in messages.
pub fn parse_article(path: &Path, text: &str) -> Result<articles::NewArticle, FileError> {
    let fail = |problem: String| FileError { path: path.to_owned(), problem };
    let (yaml, body) = split_front_matter(text)
        .ok_or_else(|| fail("no front matter: the file must start with a `---` line and close it with another".into()))?;
    let fm: FrontMatter = serde_yaml::from_str(yaml).map_err(|e| fail(format!("front matter: {e}")))?;
    let slug = Slug::parse(&fm.slug)
        .ok_or_else(|| fail(format!("slug {:?} must be lowercase letters, digits and single hyphens", fm.slug)))?;
    let published_at =
        parse_date(&fm.date).ok_or_else(|| fail(format!("date {:?} is neither RFC 3339 nor YYYY-MM-DD", fm.date)))?;
    let updated_at = match &fm.updated {
        Some(raw) => parse_date(raw).ok_or_else(|| fail(format!("updated {raw:?} is not a date")))?,
        None => published_at,
    };
    for (field, value) in [("title", &fm.title), ("author", &fm.author), ("category", &fm.category), ("summary", &fm.summary)] {
        if value.trim().is_empty() {
            return Err(fail(format!("{field} is empty")));
        }
    }
    if body.trim().is_empty() {
        return Err(fail("the article has no body".into()));
    }
    let _ = fm.image; // shown on social cards by the publishing issue
    Ok(articles::NewArticle {
        slug,
        title: fm.title.trim().to_owned(),
        summary: fm.summary.trim().to_owned(),
        body_html: render_markdown(body),
        author: fm.author.trim().to_owned(),
        category: fm.category.trim().to_owned(),
        tags: fm.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
        published_at,
        updated_at,
    })
}

/// Every `*.md` file of `dir`, parsed; all bad files are reported together.
pub fn read_articles(dir: &Path) -> anyhow::Result<Result<Vec<articles::NewArticle>, Vec<FileError>>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading content folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for path in paths {
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| FileError { path: path.clone(), problem: e.to_string() })
            .and_then(|text| parse_article(&path, &text));
        match parsed {
            Ok(a) => good.push(a),
            Err(e) => bad.push(e),
        }
    }
    Ok(if bad.is_empty() { Ok(good) } else { Err(bad) })
}

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
pub async fn seed_if_empty(pool: &Pool, dir: &Path) -> anyhow::Result<bool> {
    let articles_to_add = match read_articles(dir)? {
        Ok(list) => list,
        Err(bad) => {
            let list: Vec<String> = bad.iter().map(ToString::to_string).collect();
            anyhow::bail!("demo content has broken files:\n{}", list.join("\n"));
        }
    };
    let authors: Vec<AuthorFile> = read_yaml(&dir.join("authors.yaml"))?;
    let demo_comments: Vec<CommentFile> = read_yaml(&dir.join("comments.yaml"))?;

    // One transaction: the emptiness check and the inserts, so two servers starting on the
    // same new file cannot both seed it.
    let mut tx = pool.begin().await?;
    if articles::count_articles(&mut tx).await? > 0 {
        return Ok(false);
    }
    let mut ids = HashMap::new();
    for article in &articles_to_add {
        let id = articles::upsert_article(&mut tx, article).await?;
        ids.insert(article.slug.as_str().to_owned(), id);
    }
    for author in &authors {
        articles::set_author_bio(&mut tx, &author.name, &author.bio).await?;
    }
    let mut comment_ids = HashMap::new();
    for c in &demo_comments {
        let article_id = *ids.get(&c.article).with_context(|| format!("comments.yaml: {}: no article {:?}", c.id, c.article))?;
        let parent_id = match &c.parent {
            Some(p) => Some(*comment_ids.get(p).with_context(|| format!("comments.yaml: {}: parent {p:?} must come first", c.id))?),
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
                created_at: created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            },
        )
        .await?;
        comment_ids.insert(c.id.clone(), id);
    }
    tx.commit().await?;
    tracing::info!(articles = articles_to_add.len(), comments = demo_comments.len(), "seeded demo content from {}", dir.display());
    Ok(true)
}

fn read_yaml<T: serde::de::DeserializeOwned + Default>(path: &Path) -> anyhow::Result<T> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: \"A Title\"\nslug: a-title\ndate: 2026-11-20\nauthor: Ann Writer\ncategory: City\ntags: [harbour, transport]\nsummary: \"Short.\"\n---\nFirst paragraph.\n\n> A quote.\n";

    #[test]
    fn parses_front_matter_and_renders_markdown() {
        let a = parse_article(Path::new("a.md"), GOOD).unwrap();
        assert_eq!(a.slug.as_str(), "a-title");
        assert_eq!(a.tags, vec!["harbour", "transport"]);
        assert_eq!(a.published_at.to_rfc3339(), "2026-11-20T00:00:00+00:00");
        assert!(a.body_html.contains("<blockquote>"), "{}", a.body_html);
    }

    #[test]
    fn names_the_file_and_the_problem() {
        let missing_title = GOOD.replace("title: \"A Title\"\n", "");
        let e = parse_article(Path::new("content/x.md"), &missing_title).unwrap_err();
        assert!(e.to_string().starts_with("content/x.md: "), "{e}");
        assert!(e.problem.contains("title"), "{e}");
        let bad_date = GOOD.replace("2026-11-20", "yesterday");
        assert!(parse_article(Path::new("x.md"), &bad_date).unwrap_err().problem.contains("date"));
        assert!(parse_article(Path::new("x.md"), "no front matter").is_err());
    }

    #[test]
    fn sanitises_hostile_markdown() {
        let html = render_markdown("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
