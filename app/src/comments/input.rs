//! What a reader types into "Leave a reply", parsed once. The same rules run in the browser
//! (instant messages) and on the server (the authority); a `NewComment` cannot exist unless
//! every field is acceptable.

use serde::{Deserialize, Serialize};

use crate::core::Email;

pub const MSG_EMPTY_COMMENT: &str = "Please enter your comment!";
pub const MSG_EMPTY_NAME: &str = "Please enter your name here";

pub const MAX_NAME_CHARS: usize = 245;
pub const MAX_WEBSITE_CHARS: usize = 200;
pub const MAX_COMMENT_BYTES: usize = 65_525;

/// The form's fields exactly as posted (also what is kept and shown again after an error).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentForm {
    pub comment: String,
    pub author: String,
    pub email: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// "Notify me of follow-up comments by email".
    #[serde(default)]
    pub notify: bool,
}

/// Which field a message belongs to, so the form shows it next to that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Comment,
    Author,
    Email,
    Url,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Comment => "comment",
            Field::Author => "author",
            Field::Email => "email",
            Field::Url => "url",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentBody(String);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorName(String);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Website(String);

impl CommentBody {
    pub fn parse(raw: &str) -> Result<Self, String> {
        // Keep the reader's line breaks; drop only the outer whitespace and Windows CRs.
        let text = raw.replace("\r\n", "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(MSG_EMPTY_COMMENT.into());
        }
        if text.len() > MAX_COMMENT_BYTES {
            return Err(format!(
                "Your comment is too long: {} characters over the limit of {MAX_COMMENT_BYTES} bytes.",
                text.len() - MAX_COMMENT_BYTES
            ));
        }
        Ok(CommentBody(text.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Links in the text (http/https/www), counted for moderation.
    pub fn link_count(&self) -> usize {
        self.0.split_whitespace().filter(|w| looks_like_link(w)).count()
    }
}

pub fn looks_like_link(word: &str) -> bool {
    let w = word.trim_start_matches(['(', '<', '"', '\'']);
    // No lowercased copy: this runs for every word of every comment on a page.
    let starts = |prefix: &str| w.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    starts("http://") || starts("https://") || starts("www.")
}

impl AuthorName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(MSG_EMPTY_NAME.into());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("Your name is too long: at most {MAX_NAME_CHARS} characters, please."));
        }
        Ok(AuthorName(name))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Website {
    /// Optional: empty means none. Only http and https addresses with a host; a bare
    /// `example.org` gets `https://` in front.
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let url = raw.trim();
        if url.is_empty() {
            return Ok(None);
        }
        if url.chars().count() > MAX_WEBSITE_CHARS {
            return Err(format!("Your website address is too long: at most {MAX_WEBSITE_CHARS} characters, please."));
        }
        let lower = url.to_ascii_lowercase();
        let url = if lower.starts_with("http://") || lower.starts_with("https://") {
            url.to_owned()
        } else if !url.contains("://") && !url.contains(':') {
            format!("https://{url}")
        } else {
            return Err("Your website address must start with http:// or https://".into());
        };
        let host =
            url.split_once("://").map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or("")).unwrap_or("");
        let host_ok = host.contains('.')
            && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
            && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'));
        if !host_ok {
            return Err("That doesn't look like a website address.".into());
        }
        Ok(Some(Website(url)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A comment that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewComment {
    pub body: CommentBody,
    pub author: AuthorName,
    pub email: Email,
    pub website: Option<Website>,
    pub parent_id: Option<i64>,
}

impl NewComment {
    /// Every problem at once, in the order of the form's fields.
    pub fn parse(form: &CommentForm) -> Result<NewComment, Vec<FieldError>> {
        let body = CommentBody::parse(&form.comment);
        let author = AuthorName::parse(&form.author);
        let email = Email::parse(&form.email).map_err(str::to_owned);
        let website = Website::parse(&form.url);
        match (body, author, email, website) {
            (Ok(body), Ok(author), Ok(email), Ok(website)) => {
                Ok(NewComment { body, author, email, website, parent_id: form.parent_id.filter(|id| *id > 0) })
            }
            (body, author, email, website) => {
                let mut errors = Vec::new();
                let mut note = |field, result: Result<(), String>| {
                    if let Err(message) = result {
                        errors.push(FieldError { field, message });
                    }
                };
                note(Field::Comment, body.map(drop));
                note(Field::Author, author.map(drop));
                note(Field::Email, email.map(drop));
                note(Field::Url, website.map(drop));
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(comment: &str, author: &str, email: &str, url: &str) -> CommentForm {
        CommentForm {
            comment: comment.into(),
            author: author.into(),
            email: email.into(),
            url: url.into(),
            parent_id: None,
            notify: false,
        }
    }

    #[test]
    fn an_empty_form_gets_the_familiar_messages() {
        let errors = NewComment::parse(&form("  \n ", "", "", "")).unwrap_err();
        let messages: Vec<_> = errors.iter().map(|e| (e.field, e.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (Field::Comment, MSG_EMPTY_COMMENT),
                (Field::Author, MSG_EMPTY_NAME),
                (Field::Email, crate::core::email::MISSING)
            ]
        );
    }

    #[test]
    fn a_good_comment_is_normalised() {
        let c =
            NewComment::parse(&form("\r\nHello\r\nthere\r\n", "  Ann   Lee ", "Ann@Example.ORG ", "example.org/me"))
                .unwrap();
        assert_eq!(c.body.as_str(), "Hello\nthere");
        assert_eq!(c.author.as_str(), "Ann Lee");
        assert_eq!(c.email.as_str(), "Ann@example.org");
        assert_eq!(c.website.unwrap().as_str(), "https://example.org/me");
    }

    #[test]
    fn emails_follow_the_one_email_rule() {
        for bad in [
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "ann@@example.org",
            "a b@example.org",
            "ann@ex ample.org",
            "ann@.org",
        ] {
            let errors = NewComment::parse(&form("Hi", "Ann", bad, "")).unwrap_err();
            assert_eq!(
                errors,
                [FieldError { field: Field::Email, message: crate::core::email::MALFORMED.into() }],
                "{bad}"
            );
        }
    }

    #[test]
    fn websites_are_http_or_https_only() {
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org",
            "data:text/html,x",
            "https://exa mple.org",
            "https://localhost",
        ] {
            assert!(Website::parse(bad).is_err(), "{bad}");
        }
        assert!(Website::parse(&format!("https://example.org/{}", "a".repeat(200))).unwrap_err().contains("too long"));
        assert_eq!(Website::parse("").unwrap(), None);
    }

    #[test]
    fn limits_are_enforced_with_clear_messages() {
        assert!(CommentBody::parse(&"x".repeat(MAX_COMMENT_BYTES)).is_ok());
        assert!(CommentBody::parse(&"x".repeat(MAX_COMMENT_BYTES + 1)).unwrap_err().contains("too long"));
        assert!(AuthorName::parse(&"n".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(AuthorName::parse(&"n".repeat(MAX_NAME_CHARS + 1)).unwrap_err().contains("too long"));
    }

    #[test]
    fn links_are_counted() {
        let body =
            CommentBody::parse("see https://a.example and (http://b.example) or www.c.example, not a.b").unwrap();
        assert_eq!(body.link_count(), 3);
    }
}
