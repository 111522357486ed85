//! URL slugs: the key of every article, section, tag and author.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A URL slug: 1–120 characters of `a-z`, `0-9` and single inner hyphens. Anything else in an
/// article or category URL cannot name content, so it is answered with 404 before any query.
/// Travels to the browser as its plain string (the server parsed it before sending it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 120;

    pub fn parse(raw: &str) -> Option<Slug> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        ok.then(|| Slug(raw.to_owned()))
    }

    /// Makes a slug from a display name ("Mara Okonkwo" → "mara-okonkwo").
    pub fn from_name(name: &str) -> Option<Slug> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let trimmed = out.trim_end_matches('-');
        Slug::parse(trimmed[..trimmed.len().min(Self::MAX_LEN)].trim_end_matches('-'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Stored as text; a stored value that is not a slug fails to decode with a clear error.
#[cfg(feature = "ssr")]
crate::stored_as_text!(Slug, |raw: &str| Slug::parse(raw).ok_or("not a slug"), |slug: &Slug| slug.0.clone());

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn accepts_plain_slugs() {
        assert_eq!(Slug::parse("harbour-bridge-2026").unwrap().as_str(), "harbour-bridge-2026");
    }

    #[test]
    fn refuses_what_cannot_be_a_slug() {
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a/b", "ä", "a'--", &"a".repeat(121)] {
            assert!(Slug::parse(bad).is_none(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn makes_slugs_from_names() {
        assert_eq!(Slug::from_name("Mara Okonkwo").unwrap().as_str(), "mara-okonkwo");
        assert_eq!(Slug::from_name("  City & Council! ").unwrap().as_str(), "city-council");
        assert!(Slug::from_name("!!!").is_none());
    }
}
