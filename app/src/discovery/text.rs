//! Text helpers for the discovery lists and the search index: trimmed excerpts, the plain text
//! of an article's HTML, and the words that describe an article.

/// `text` cut to at most `max_chars` characters on a word boundary, ending in "…" when
/// anything was cut. A single word longer than the limit is cut inside the word.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    // Room for the ellipsis.
    let limit = max_chars.saturating_sub(1);
    let cut = text.char_indices().nth(limit).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    // Keep whole words: if the cut fell inside a word, drop that word.
    let whole = if !text[cut..].starts_with(char::is_alphanumeric) {
        head
    } else {
        match head.rfind(char::is_whitespace) {
            Some(space) => &head[..space],
            None => head,
        }
    };
    let trimmed = whole.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—([{'\"".contains(c));
    format!("{}…", if trimmed.is_empty() { head } else { trimmed })
}

/// The readable text of sanitised article HTML: tags dropped (block ends become spaces),
/// the entities the Markdown renderer and sanitiser write decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(['<', '&']) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            // Block boundaries separate words; inline tags (`<em>`, `<a>`) sit inside them.
            let name: String = rest[1..end]
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if !matches!(name.as_str(), "em" | "strong" | "a" | "code" | "del" | "sup" | "sub" | "span" | "b" | "i") {
                out.push(' ');
            }
            rest = &rest[end..];
        } else {
            let end = rest[..rest.len().min(12)].find(';');
            match end.and_then(|end| entity(&rest[1..end]).map(|c| (c, end))) {
                Some((c, end)) => {
                    out.push(c);
                    rest = &rest[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Lower-cased words of letters and digits — the same split FTS5's unicode61 tokenizer makes,
/// close enough for choosing query terms.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// Words too common to say what a story is about.
pub fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "about",
        "after",
        "again",
        "also",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "even",
        "every",
        "first",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "just",
        "last",
        "like",
        "made",
        "make",
        "many",
        "more",
        "most",
        "much",
        "must",
        "next",
        "only",
        "other",
        "over",
        "said",
        "same",
        "says",
        "should",
        "since",
        "some",
        "still",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "three",
        "through",
        "told",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "year",
        "years",
        "your",
        "week",
        "weeks",
        "around",
        "already",
        "another",
        "people",
        "thursday",
        "monday",
        "tuesday",
        "wednesday",
        "friday",
        "saturday",
        "sunday",
    ];
    word.chars().count() < 4 || word.chars().all(|c| c.is_ascii_digit()) || STOP.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(excerpt("  A short summary.  ", 40), "A short summary.");
        assert_eq!(excerpt("exactly ten", 11), "exactly ten");
    }

    #[test]
    fn long_text_is_cut_on_a_word_boundary_with_an_ellipsis() {
        let text = "The rebuilt Harbour Bridge carried its first buses and bikes at dawn on Thursday";
        let cut = excerpt(text, 30);
        assert_eq!(cut, "The rebuilt Harbour Bridge…");
        assert!(cut.chars().count() <= 30);
        // A cut right after a whole word keeps it; punctuation before the ellipsis goes.
        assert_eq!(excerpt("One, two, three four", 9), "One, two…");
        assert_eq!(excerpt("alpha beta gamma", 11), "alpha beta…");
    }

    #[test]
    fn multibyte_text_and_one_long_word_are_cut_safely() {
        assert_eq!(excerpt("Zürich über älles grün", 12), "Zürich über…");
        assert_eq!(excerpt("Donaudampfschifffahrt", 8), "Donauda…");
        assert_eq!(excerpt("ééééééé", 4).chars().count(), 4);
    }

    #[test]
    fn html_becomes_plain_text() {
        let html = "<h2>Rates &amp; fees</h2>\n<p>Fish &lt;3 the <em>estuary</em>&#39;s mud&nbsp;flats &#x2014; really.</p><p>AT&T</p>";
        assert_eq!(plain_text(html), "Rates & fees Fish <3 the estuary's mud flats — really. AT&T");
    }

    #[test]
    fn words_and_stop_words() {
        let found: Vec<String> = words("Harbour-Bridge, re-opened: 2026!").collect();
        assert_eq!(found, ["harbour", "bridge", "re", "opened", "2026"]);
        assert!(is_stop_word("their") && is_stop_word("the") && is_stop_word("2026"));
        assert!(!is_stop_word("harbour"));
    }
}
