//! An e-mail address — a commenter's or a subscriber's — parsed once at the edge: nothing
//! past `Email::parse` has to ask again whether an address is usable.

use std::fmt;

use serde::{Deserialize, Serialize};

/// RFC 5321's limit for a whole address.
pub const MAX_EMAIL_CHARS: usize = 254;

pub const MISSING: &str = "Please enter your email address.";
pub const TOO_LONG: &str = "That email address is too long (254 characters at most).";
pub const MALFORMED: &str = "Please enter a valid email address, like name@example.com.";

/// A trimmed address of at most 254 characters with one `@`, a dot-atom local part and a
/// lower-cased domain of at least two labels. Deliberately ASCII-only: every mail relay
/// accepts it, and it is the form the address is stored and compared in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(MISSING);
        }
        if raw.chars().count() > MAX_EMAIL_CHARS {
            return Err(TOO_LONG);
        }
        let (local, domain) = raw.split_once('@').ok_or(MALFORMED)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(MALFORMED);
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Stored as text; addresses were parsed on the way in, so one that no longer parses is an error.
#[cfg(feature = "ssr")]
crate::stored_as_text!(Email, Email::parse, |email: &Email| email.0.clone());

/// RFC 5322 dot-atom: atoms of letters, digits and ``!#$%&'*+-/=?^_`{|}~`` joined by single dots.
fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    local.len() <= 64
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)))
}

/// Host names of letters, digits and inner hyphens, at least one dot, a top-level label that
/// is not all digits (so `name@127.0.0.1` and `name@localhost` are refused). A second `@`
/// lands here and fails.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels.last().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_normalises_them() {
        assert_eq!(Email::parse("  reader@example.org ").unwrap().as_str(), "reader@example.org");
        assert_eq!(
            Email::parse("Jo.Smith+news@Mail.Example.CO.uk").unwrap().as_str(),
            "Jo.Smith+news@mail.example.co.uk"
        );
        assert_eq!(Email::parse("o'neil@example-mail.ie").unwrap().as_str(), "o'neil@example-mail.ie");
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(Email::parse(""), Err(MISSING));
        assert_eq!(Email::parse("   "), Err(MISSING));
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(TOO_LONG));
        for bad in [
            "reader",
            "reader@",
            "@example.org",
            "reader@example",
            "reader@@example.org",
            "a@b@example.org",
            "reader@example..org",
            "reader@.example.org",
            "reader@-example.org",
            "read er@example.org",
            "reader.@example.org",
            ".reader@example.org",
            "re..ader@example.org",
            "reader@127.0.0.1",
            "reader@exa_mple.org",
            "<script>@example.org",
            "reader@example.org\nBcc: victim@example.org",
            "lé@example.org",
        ] {
            assert_eq!(Email::parse(bad), Err(MALFORMED), "{bad:?}");
        }
    }

    #[test]
    fn the_limit_is_254_characters() {
        let domain = format!("{}.{}.{}.org", "d".repeat(63), "e".repeat(63), "f".repeat(63));
        let local = "a".repeat(MAX_EMAIL_CHARS - domain.len() - 1);
        let exactly = format!("{local}@{domain}");
        assert_eq!(exactly.len(), MAX_EMAIL_CHARS);
        assert!(Email::parse(&exactly).is_ok());
        assert_eq!(Email::parse(&format!("a{exactly}")), Err(TOO_LONG));
    }
}
