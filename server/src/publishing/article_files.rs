//! Article files: Markdown with YAML front matter, parsed, checked and upserted by slug. The
//! `import` command and the demo seeding of a fresh database both go through here.

use std::{
    collections::HashMap,
    fmt,
    path::{Path, PathBuf},
};

use anyhow::Context;
use app::articles::store as articles;
use app::core::Slug;
use app::db::Db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::markdown::{self, SiteFiles};

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
    /// `draft`, `scheduled` or `published` (the default: files written by hand are to publish).
    status: Option<String>,
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

/// A file that parsed, with what an editor should fix but need not.
#[derive(Debug)]
pub struct ParsedFile {
    pub path: PathBuf,
    pub article: articles::NewArticle,
    pub status: articles::Status,
    pub warnings: Vec<String>,
}

/// Accepts RFC 3339 (`2026-11-20T08:30:00Z`) or a plain date (`2026-11-20`, taken as midnight UTC).
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc()))
}

fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.find("\n---")?;
    let after = &rest[end + 4..];
    let body = after.strip_prefix("\r\n").or_else(|| after.strip_prefix('\n')).unwrap_or(after);
    Some((&rest[..end], body))
}

/// A social-card image must be a site path or an http(s) URL, so it can be made absolute.
pub fn parse_image(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let ok =
        (raw.starts_with('/') && !raw.starts_with("//")) || raw.starts_with("https://") || raw.starts_with("http://");
    (ok && !raw.contains(char::is_whitespace) && !raw.contains(['"', '<', '>'])).then(|| raw.to_owned())
}

/// Parses one article file. `path` is only used in messages; `files` is where images are sized.
pub fn parse_article(path: &Path, text: &str, files: SiteFiles) -> Result<ParsedFile, FileError> {
    let fail = |problem: String| FileError { path: path.to_owned(), problem };
    let (yaml, body) = split_front_matter(text).ok_or_else(|| {
        fail("no front matter: the file must start with a `---` line and close it with another".into())
    })?;
    let fm: FrontMatter = serde_yaml::from_str(yaml).map_err(|e| fail(format!("front matter: {e}")))?;
    let slug = Slug::parse(&fm.slug)
        .ok_or_else(|| fail(format!("slug {:?} must be lowercase letters, digits and single hyphens", fm.slug)))?;
    let published_at =
        parse_date(&fm.date).ok_or_else(|| fail(format!("date {:?} is neither RFC 3339 nor YYYY-MM-DD", fm.date)))?;
    let updated_at = match &fm.updated {
        Some(raw) => {
            parse_date(raw).ok_or_else(|| fail(format!("updated {raw:?} is neither RFC 3339 nor YYYY-MM-DD")))?
        }
        None => published_at,
    };
    if updated_at < published_at {
        return Err(fail(format!("updated ({}) is before date ({})", fm.updated.unwrap_or_default(), fm.date)));
    }
    for (field, value) in
        [("title", &fm.title), ("author", &fm.author), ("category", &fm.category), ("summary", &fm.summary)]
    {
        if value.trim().is_empty() {
            return Err(fail(format!("{field} is empty")));
        }
    }
    for (field, value) in [("author", &fm.author), ("category", &fm.category)] {
        if Slug::from_name(value).is_none() {
            return Err(fail(format!("{field} {value:?} needs at least one letter or digit for its page address")));
        }
    }
    if let Some(tag) = fm.tags.iter().find(|t| Slug::from_name(t).is_none()) {
        return Err(fail(format!("tag {tag:?} needs at least one letter or digit for its page address")));
    }
    let image = match &fm.image {
        Some(raw) => Some(
            parse_image(raw)
                .ok_or_else(|| fail(format!("image {raw:?} must be a site path (/media/x.png) or an http(s) URL")))?,
        ),
        None => None,
    };
    if body.trim().is_empty() {
        return Err(fail("the article has no body".into()));
    }
    let status = match fm.status.as_deref().map(str::trim) {
        None => articles::Status::Published,
        Some(raw) => articles::Status::parse(raw)
            .ok_or_else(|| fail(format!("status {raw:?} must be draft, scheduled or published")))?,
    };
    let rendered = markdown::render(body, files);
    Ok(ParsedFile {
        path: path.to_owned(),
        status,
        article: articles::NewArticle {
            slug,
            title: fm.title.trim().to_owned(),
            summary: fm.summary.trim().to_owned(),
            body_html: rendered.html,
            markdown: body.to_owned(),
            author: fm.author.trim().to_owned(),
            category: fm.category.trim().to_owned(),
            tags: fm.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
            published_at,
            updated_at,
            image,
        },
        warnings: rendered.warnings,
    })
}

/// The Markdown files named: a file as given, a folder's `*.md` files in name order.
pub fn markdown_files(targets: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for target in targets {
        if target.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(target)
                .with_context(|| format!("reading folder {}", target.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
                .collect();
            found.sort();
            files.extend(found);
        } else if target.is_file() {
            files.push(target.clone());
        } else {
            anyhow::bail!("{}: no such file or folder", target.display());
        }
    }
    Ok(files)
}

/// Reads and parses every file. Bad files are returned apart, each with its problem; two
/// files claiming one slug make the later one bad.
pub fn read_files(paths: &[PathBuf], files: SiteFiles) -> (Vec<ParsedFile>, Vec<FileError>) {
    let (mut good, mut bad) = (Vec::<ParsedFile>::new(), Vec::new());
    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    for path in paths {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| FileError { path: path.clone(), problem: e.to_string() })
            .and_then(|text| parse_article(path, &text, files));
        match parsed {
            Ok(file) => match slugs.get(file.article.slug.as_str()) {
                Some(first) => bad.push(FileError {
                    path: path.clone(),
                    problem: format!("slug {:?} is already used by {}", file.article.slug.as_str(), first.display()),
                }),
                None => {
                    slugs.insert(file.article.slug.as_str().to_owned(), path.clone());
                    good.push(file);
                }
            },
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}

/// What importing did, file by file.
#[derive(Debug, Default)]
pub struct Report {
    pub created: Vec<PathBuf>,
    pub updated: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub warnings: Vec<String>,
    pub errors: Vec<FileError>,
}

/// Imports the files: each good file in a transaction of its own (a file that fails imports
/// nothing), every bad one reported. Safe while the server runs: SQLite serialises writers
/// across processes (the write lock is taken up front, so a concurrent writer makes us wait).
pub async fn import(db: &Db, paths: &[PathBuf], files: SiteFiles<'_>) -> anyhow::Result<Report> {
    let (good, errors) = read_files(paths, files);
    let mut report = Report { errors, ..Report::default() };
    for file in good {
        report.warnings.extend(file.warnings.iter().map(|w| format!("{}: {w}", file.path.display())));
        let mut tx = db.write().await?;
        match app::publishing::save(&mut tx, &file.article, file.status).await {
            Ok((_, change)) => {
                tx.commit().await?;
                match change {
                    articles::Change::Created => report.created.push(file.path),
                    articles::Change::Updated => report.updated.push(file.path),
                    articles::Change::Unchanged => report.unchanged.push(file.path),
                }
            }
            Err(articles::UpsertError::Database(e)) => {
                return Err(e).context(format!("importing {}", file.path.display()))
            }
            Err(e) => report.errors.push(FileError { path: file.path, problem: e.to_string() }),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: \"A Title\"\nslug: a-title\ndate: 2026-11-20\nauthor: Ann Writer\ncategory: City\n\
        tags: [harbour, transport]\nsummary: \"Short.\"\n---\nFirst paragraph.\n\n> A quote.\n";

    fn parse(text: &str) -> Result<ParsedFile, FileError> {
        parse_article(Path::new("content/x.md"), text, SiteFiles(None))
    }

    fn problem(text: &str) -> String {
        let e = parse(text).unwrap_err();
        assert!(e.to_string().starts_with("content/x.md: "), "the message names the file: {e}");
        e.problem
    }

    #[test]
    fn parses_front_matter_and_renders_markdown() {
        let a = parse(GOOD).unwrap().article;
        assert_eq!(a.slug.as_str(), "a-title");
        assert_eq!(a.title, "A Title");
        assert_eq!(a.author, "Ann Writer");
        assert_eq!(a.category, "City");
        assert_eq!(a.tags, vec!["harbour", "transport"]);
        assert_eq!(a.published_at.to_rfc3339(), "2026-11-20T00:00:00+00:00");
        assert_eq!(a.updated_at, a.published_at, "no `updated`: unchanged since publication");
        assert_eq!(a.image, None);
        assert!(a.body_html.contains("<blockquote>"), "{}", a.body_html);
    }

    #[test]
    fn reads_rfc3339_dates_updated_and_image() {
        let text = GOOD.replace(
            "date: 2026-11-20",
            "date: 2026-11-20T08:30:00+01:00\nupdated: 2026-11-21\nimage: /media/bridge.png",
        );
        let a = parse(&text).unwrap().article;
        assert_eq!(a.published_at.to_rfc3339(), "2026-11-20T07:30:00+00:00");
        assert_eq!(a.updated_at.to_rfc3339(), "2026-11-21T00:00:00+00:00");
        assert_eq!(a.image.as_deref(), Some("/media/bridge.png"));
        let remote = GOOD.replace("date: 2026-11-20", "date: 2026-11-20\nimage: https://cdn.example.org/a.jpg");
        assert_eq!(parse(&remote).unwrap().article.image.as_deref(), Some("https://cdn.example.org/a.jpg"));
    }

    #[test]
    fn every_missing_field_is_named() {
        for field in ["title", "slug", "date", "author", "category", "summary"] {
            let line = GOOD.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap();
            let p = problem(&GOOD.replace(&format!("{line}\n"), ""));
            assert!(p.contains(&format!("missing field `{field}`")), "{field}: {p}");
        }
        assert!(parse(&GOOD.replace("tags: [harbour, transport]\n", "")).is_ok(), "tags are optional");
    }

    #[test]
    fn broken_front_matter_is_refused_with_the_reason() {
        assert!(problem("no front matter here").contains("no front matter"));
        assert!(problem("---\ntitle: x\n").contains("no front matter"), "never closed");
        assert!(problem(&GOOD.replace("title: \"A Title\"", "title: \"unterminated")).starts_with("front matter:"));
        assert!(problem(&GOOD.replace("tags: [harbour, transport]", "tags: harbour")).contains("tags"));
        assert!(problem(&GOOD.replace("summary:", "sumary:")).contains("sumary"), "a misspelt field is named");
        assert!(problem(&GOOD.replace("2026-11-20", "yesterday")).contains("date \"yesterday\""));
        assert!(problem(&GOOD.replace("2026-11-20", "2026-11-20\nupdated: 2026-11-19")).contains("before"));
        assert!(problem(&GOOD.replace("a-title", "A Title")).contains("slug"));
        assert!(problem(&GOOD.replace("Ann Writer", "\"  \"")).contains("author is empty"));
        assert!(problem(&GOOD.replace("City", "\"???\"")).contains("category"));
        assert!(problem(&GOOD.replace("[harbour, transport]", "[harbour, \"!!\"]")).contains("tag \"!!\""));
        assert!(problem(&GOOD.replace("2026-11-20", "2026-11-20\nimage: javascript:alert(1)")).contains("image"));
        assert!(problem(&GOOD.replace("2026-11-20", "2026-11-20\nimage: //evil.example/x.png")).contains("image"));
        assert!(problem(GOOD.split("First").next().unwrap()).contains("no body"));
    }

    #[test]
    fn reading_reports_every_bad_file_and_duplicate_slugs() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        write("a.md", GOOD);
        write("b.md", "---\ntitle: broken\n");
        write("c.md", GOOD);
        write("d.md", &GOOD.replace("a-title", "another"));
        write("notes.txt", "not an article");
        let paths = markdown_files(&[dir.path().to_owned()]).unwrap();
        assert_eq!(paths.len(), 4, "only *.md files of a folder");
        let (good, bad) = read_files(&paths, SiteFiles(None));
        assert_eq!(good.iter().map(|f| f.article.slug.as_str()).collect::<Vec<_>>(), ["a-title", "another"]);
        assert_eq!(bad.len(), 2);
        assert!(bad[0].to_string().contains("b.md: no front matter"), "{}", bad[0]);
        assert!(bad[1].to_string().contains("c.md: slug \"a-title\" is already used by"), "{}", bad[1]);
        assert!(markdown_files(&[dir.path().join("missing.md")]).unwrap_err().to_string().contains("no such file"));
    }

    #[tokio::test]
    async fn importing_is_idempotent_and_re_importing_an_edit_updates() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, GOOD).unwrap();
        let bad = dir.path().join("bad.md");
        std::fs::write(&bad, GOOD.replace("slug: a-title\n", "")).unwrap();
        let paths = [file.clone(), bad.clone()];

        let first = import(&pool, &paths, SiteFiles(None)).await.unwrap();
        assert_eq!(first.created, std::slice::from_ref(&file));
        assert_eq!(first.errors.len(), 1);
        assert_eq!(first.errors[0].path, bad, "the bad file is named and imports nothing");
        let second = import(&pool, &paths, SiteFiles(None)).await.unwrap();
        assert_eq!((second.created.len(), second.updated.len(), second.unchanged.len()), (0, 0, 1));

        std::fs::write(
            &file,
            GOOD.replace("A Title", "A Better Title").replace("[harbour, transport]", "[harbour, ferries]"),
        )
        .unwrap();
        let third = import(&pool, std::slice::from_ref(&file), SiteFiles(None)).await.unwrap();
        assert_eq!(third.updated, [file]);
        let stored = articles::article_by_slug(&pool, &Slug::parse("a-title").unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.card.title, "A Better Title");
        assert_eq!(stored.tags.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["ferries", "harbour"]);
        let count: i64 =
            app::on!(pool, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(ex).await).unwrap();
        assert_eq!(count, 1);
    }

    #[tokio::test]
    async fn missing_alt_text_is_a_warning_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        let file = dir.path().join("pic.md");
        std::fs::write(&file, format!("{GOOD}\n![](https://cdn.example.org/pic.jpg)\n")).unwrap();
        let report = import(&pool, std::slice::from_ref(&file), SiteFiles(None)).await.unwrap();
        assert_eq!(report.created, std::slice::from_ref(&file), "a warning does not stop the import");
        assert!(
            report.warnings.iter().any(|w| w.starts_with(&file.display().to_string()) && w.contains("no alt text")),
            "{:?}",
            report.warnings
        );
    }
}
