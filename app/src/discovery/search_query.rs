//! What a reader typed into the search box, reduced to words, and what a match looks like.
//! Reader input never reaches FTS5's query syntax: every word is quoted.

use serde::{Deserialize, Serialize};

use super::text::{excerpt, words};
use crate::core::{Published, Slug};

/// What a reader typed into the search box, as words to search for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// The input as the page shows it back (trimmed, at most `MAX_SHOWN` characters).
    shown: String,
    terms: Vec<String>,
    /// Words beyond `MAX_TERMS` were left out.
    cut: bool,
}

impl SearchQuery {
    pub const MAX_TERMS: usize = 10;
    pub const MAX_TERM_CHARS: usize = 40;
    pub const MAX_SHOWN: usize = 200;

    /// Any text is a query: operators, quotes and markup are just characters between words.
    pub fn parse(raw: &str) -> SearchQuery {
        // Control characters (a NUL, a tab) are never shown back, in the page or its title.
        let cleaned: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        let raw = cleaned.as_str();
        let shown = excerpt(raw, Self::MAX_SHOWN);
        let mut terms: Vec<String> = Vec::new();
        let mut cut = false;
        for word in words(raw) {
            let word: String = word.chars().take(Self::MAX_TERM_CHARS).collect();
            if terms.contains(&word) {
                continue;
            }
            if terms.len() == Self::MAX_TERMS {
                cut = true;
                break;
            }
            terms.push(word);
        }
        SearchQuery { shown, terms, cut }
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Words beyond `MAX_TERMS` were left out.
    pub fn was_cut(&self) -> bool {
        self.cut
    }

    /// The words alone, separated by spaces (PostgreSQL's `plainto_tsquery` input).
    pub fn plain_words(&self) -> String {
        self.terms.join(" ")
    }

    /// The FTS5 expression: every word quoted as a string (so `NEAR`, `OR`, `*` and `:` are
    /// plain words), all of them required. `None` when there is nothing to search for.
    pub fn match_expression(&self) -> Option<String> {
        // Words hold only letters and digits, so none contains a double quote.
        (!self.terms.is_empty()).then(|| self.terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" "))
    }
}

/// Part of a headline or snippet; `hit` parts matched the query and are highlighted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub slug: Slug,
    pub title: Vec<SnippetPart>,
    pub snippet: Vec<SnippetPart>,
    pub section: String,
    pub published: Published,
}

#[cfg(test)]
mod tests {
    use super::SearchQuery;

    #[test]
    fn control_characters_are_never_shown_back() {
        let q = SearchQuery::parse("tram\0<b>\ttimes\u{7}");
        assert_eq!(q.shown(), "tram <b> times");
    }

    #[test]
    fn words_are_quoted_and_operators_are_plain_words() {
        let q = SearchQuery::parse("  harbour NEAR(bridge, 3) OR tram* \"quoted\" col:umn ^start ");
        assert_eq!(
            q.match_expression().unwrap(),
            r#""harbour" "near" "bridge" "3" "or" "tram" "quoted" "col" "umn" "start""#
        );
        assert_eq!(q.shown(), "harbour NEAR(bridge, 3) OR tram* \"quoted\" col:umn ^start");
    }

    #[test]
    fn hostile_input_becomes_words_or_nothing() {
        assert_eq!(SearchQuery::parse("'; DROP TABLE articles; --").terms(), ["drop", "table", "articles"]);
        assert_eq!(SearchQuery::parse("<script>alert(1)</script>").terms(), ["script", "alert", "1"]);
        for nothing in ["", "   ", "\"\"", "*", "()", "-- ;", "\u{E000}\u{E001}"] {
            assert!(SearchQuery::parse(nothing).match_expression().is_none(), "{nothing:?}");
        }
    }

    #[test]
    fn long_input_is_bounded() {
        let long = "word ".repeat(400) + &"x".repeat(2000);
        let q = SearchQuery::parse(&long);
        assert_eq!(q.terms(), ["word", &"x".repeat(SearchQuery::MAX_TERM_CHARS)]);
        assert!(q.shown().chars().count() <= SearchQuery::MAX_SHOWN);
        let many: String = (0..30).map(|i| format!("w{i} ")).collect();
        let q = SearchQuery::parse(&many);
        assert_eq!(q.terms().len(), SearchQuery::MAX_TERMS);
        assert!(q.cut);
    }
}
