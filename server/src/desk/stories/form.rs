//! The story editor's form: what was typed (kept as typed, to show again) and the story it
//! parses into, with a message for every field that is wrong.

use app::core::Slug;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::publishing::article_files::parse_image;

const TITLE_MAX: usize = 200;
const SUMMARY_MAX: usize = 500;
const TAGS_MAX: usize = 20;
/// Far beyond any article, and within what the desk's forms may send (`STORY_FORM_BYTES`).
const MARKDOWN_MAX: usize = 200_000;

/// The editor's fields as posted. Missing fields are empty (and refused where required).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StoryForm {
    pub token: String,
    /// The revision the editor was opened at: a save from an older one is refused.
    pub revision: String,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub section: String,
    /// Comma-separated tag names.
    pub tags: String,
    /// The staff account whose story it is (its name is the byline).
    pub author: String,
    pub image: String,
    pub markdown: String,
    /// `YYYY-MM-DDTHH:MM` in UTC (an `<input type="datetime-local">`).
    pub publish_at: String,
    pub action: String,
    /// The alt text for a picture being added.
    pub alt: String,
}

/// What the editor's buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    Save,
    Preview,
    /// The whole article page as readers will see it (in a new tab; nothing saved).
    PagePreview,
    Publish,
    Schedule,
    Unpublish,
}

impl Intent {
    pub fn parse(raw: &str) -> Intent {
        match raw {
            "preview" => Intent::Preview,
            "page-preview" => Intent::PagePreview,
            "publish" => Intent::Publish,
            "schedule" => Intent::Schedule,
            "unpublish" => Intent::Unpublish,
            _ => Intent::Save,
        }
    }
}

/// A story as the editor says it should be.
#[derive(Clone, Debug)]
pub struct StoryInput {
    pub title: String,
    pub slug: Slug,
    pub summary: String,
    pub section: String,
    pub tags: Vec<String>,
    pub owner: Byline,
    pub image: Option<String>,
    pub markdown: String,
    pub publish_at: Option<DateTime<Utc>>,
}

/// Whose name the story carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Byline {
    /// A staff account's (its name is the byline).
    Staff(i64),
    /// The byline the story already has: an imported story's writer, who has no account.
    Kept,
}

/// The author field's value for [`Byline::Kept`].
pub const KEPT_BYLINE: &str = "kept";

/// A field and what is wrong with it (the field's id in the form, for the message's link).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem { field, message: message.into() }
}

impl StoryForm {
    /// Every field by its name in the form.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("token", &self.token),
            ("revision", &self.revision),
            ("title", &self.title),
            ("slug", &self.slug),
            ("summary", &self.summary),
            ("section", &self.section),
            ("tags", &self.tags),
            ("author", &self.author),
            ("image", &self.image),
            ("markdown", &self.markdown),
            ("publish_at", &self.publish_at),
            ("action", &self.action),
            ("alt", &self.alt),
        ]
    }

    /// One field by its name in the form (fields the editor does not have are ignored).
    pub fn set(&mut self, name: &str, value: String) {
        let field = match name {
            "token" => &mut self.token,
            "revision" => &mut self.revision,
            "title" => &mut self.title,
            "slug" => &mut self.slug,
            "summary" => &mut self.summary,
            "section" => &mut self.section,
            "tags" => &mut self.tags,
            "author" => &mut self.author,
            "image" => &mut self.image,
            "markdown" => &mut self.markdown,
            "publish_at" => &mut self.publish_at,
            "action" => &mut self.action,
            "alt" => &mut self.alt,
            _ => return,
        };
        *field = value;
    }

    pub fn expected_revision(&self) -> i64 {
        self.revision.trim().parse().unwrap_or(0)
    }

    /// The slug the title suggests, for an empty slug field.
    pub fn suggested_slug(&self) -> Option<Slug> {
        Slug::from_name(self.title.trim())
    }

    pub fn parse(&self, intent: Intent, now: DateTime<Utc>) -> Result<StoryInput, Vec<Problem>> {
        let mut problems = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            problems.push(problem("title", "Give the story a title."));
        } else if title.chars().count() > TITLE_MAX {
            problems.push(problem("title", format!("The title is longer than {TITLE_MAX} characters.")));
        }
        let slug_text = self.slug.trim();
        let slug = if slug_text.is_empty() { self.suggested_slug() } else { Slug::parse(slug_text) };
        if slug.is_none() {
            problems.push(problem(
                "slug",
                "The address may hold only lowercase letters, digits and single hyphens between them \
                 (like harbour-bridge-reopens), at most 120 characters.",
            ));
        }
        let summary = self.summary.trim();
        if summary.is_empty() {
            problems.push(problem("summary", "Write a summary: lists, feeds and search results show it."));
        } else if summary.chars().count() > SUMMARY_MAX {
            problems.push(problem("summary", format!("The summary is longer than {SUMMARY_MAX} characters.")));
        }
        let section = self.section.trim();
        if Slug::from_name(section).is_none() {
            problems.push(problem("section", "Choose a section (a name with at least one letter or digit)."));
        }
        let tags: Vec<String> =
            self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
        if let Some(bad) = tags.iter().find(|t| Slug::from_name(t).is_none()) {
            problems.push(problem("tags", format!("The tag “{bad}” needs at least one letter or digit.")));
        } else if tags.len() > TAGS_MAX {
            problems.push(problem("tags", format!("At most {TAGS_MAX} tags.")));
        }
        let owner = match self.author.trim() {
            KEPT_BYLINE => Some(Byline::Kept),
            id => id.parse::<i64>().ok().map(Byline::Staff),
        };
        if owner.is_none() {
            problems.push(problem("author", "Choose the author."));
        }
        let image = match self.image.trim() {
            "" => None,
            raw => {
                let parsed = parse_image(raw);
                if parsed.is_none() {
                    problems.push(problem(
                        "image",
                        "The social image must be a site path (/media/picture.jpg) or an http(s) address.",
                    ));
                }
                parsed
            }
        };
        let markdown = self.markdown.replace("\r\n", "\n");
        if markdown.trim().is_empty() {
            problems.push(problem("markdown", "The story has no text yet."));
        } else if markdown.len() > MARKDOWN_MAX {
            problems.push(problem(
                "markdown",
                "The text is longer than 200,000 bytes (about as many characters in English).",
            ));
        }
        let publish_at = if intent == Intent::Schedule {
            match parse_moment(&self.publish_at) {
                Some(at) if at > now => Some(at),
                Some(_) => {
                    problems
                        .push(problem("publish_at", "That time has passed: choose a time to come, or publish now."));
                    None
                }
                None => {
                    problems.push(problem("publish_at", "Give the date and time (UTC) to publish at."));
                    None
                }
            }
        } else {
            None
        };
        match (problems.is_empty(), slug, owner) {
            (true, Some(slug), Some(owner)) => Ok(StoryInput {
                title: title.to_owned(),
                slug,
                summary: summary.to_owned(),
                section: section.to_owned(),
                tags,
                owner,
                image,
                markdown,
                publish_at,
            }),
            _ => Err(problems),
        }
    }
}

/// A `datetime-local` value (`2026-12-05T14:30`, seconds optional) read as UTC, or RFC 3339.
pub fn parse_moment(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(t.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(raw).ok().map(|t| t.with_timezone(&Utc))
}

/// The value a `datetime-local` field shows for a moment (UTC, to the second).
pub fn moment_field(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> StoryForm {
        StoryForm {
            title: "Ferry Timetable Changes".into(),
            summary: "Winter sailings start earlier.".into(),
            section: "City".into(),
            tags: "ferries, harbour ,".into(),
            author: "3".into(),
            markdown: "The first boat now leaves at six.".into(),
            ..StoryForm::default()
        }
    }

    fn fields(form: &StoryForm, intent: Intent) -> Vec<&'static str> {
        form.parse(intent, Utc::now()).unwrap_err().iter().map(|p| p.field).collect()
    }

    #[test]
    fn an_empty_slug_is_suggested_from_the_title() {
        let story = good().parse(Intent::Save, Utc::now()).unwrap();
        assert_eq!(story.slug.as_str(), "ferry-timetable-changes");
        assert_eq!(story.tags, ["ferries", "harbour"]);
        assert_eq!(story.owner, Byline::Staff(3));
        let kept = StoryForm { author: KEPT_BYLINE.into(), ..good() };
        assert_eq!(kept.parse(Intent::Save, Utc::now()).unwrap().owner, Byline::Kept);
        assert_eq!(story.publish_at, None);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let bad = StoryForm { slug: "Ferry Times".into(), author: "x".into(), image: "javascript:x".into(), ..good() };
        assert_eq!(fields(&bad, Intent::Save), ["slug", "author", "image"]);
        let empty = StoryForm::default();
        assert_eq!(fields(&empty, Intent::Save), ["title", "slug", "summary", "section", "author", "markdown"]);
        assert_eq!(fields(&StoryForm { tags: "ok, ??".into(), ..good() }, Intent::Save), ["tags"]);
    }

    #[test]
    fn scheduling_needs_a_time_to_come() {
        assert_eq!(fields(&good(), Intent::Schedule), ["publish_at"]);
        let past = StoryForm { publish_at: "2020-01-01T10:00".into(), ..good() };
        assert_eq!(fields(&past, Intent::Schedule), ["publish_at"]);
        let later = moment_field(Utc::now() + chrono::TimeDelta::hours(2));
        let story = StoryForm { publish_at: later.clone(), ..good() }.parse(Intent::Schedule, Utc::now()).unwrap();
        assert_eq!(story.publish_at.map(moment_field), Some(later));
    }
}
