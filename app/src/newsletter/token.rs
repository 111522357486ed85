//! Tokens in mailed links: 256 random bits, sent to the reader, kept only as a hash.

use sha2::{Digest, Sha256};

/// The raw token, which only ever exists in the mail (and in the reader's link).
pub struct Token(String);

impl Token {
    pub fn generate() -> Token {
        Token(hex::encode(rand::random::<[u8; 32]>()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hash(&self.0)
    }
}

/// What the database stores and looks up. A link's token that is not 64 hex digits cannot
/// have come from us, so it is refused before any query.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn looks_valid(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (Token::generate(), Token::generate());
        assert_ne!(a.as_str(), b.as_str());
        assert!(looks_valid(a.as_str()));
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.as_str());
        assert_eq!(a.hash(), hash(a.as_str()));
    }

    #[test]
    fn forged_shapes_are_refused_before_lookup() {
        assert!(!looks_valid(""));
        assert!(!looks_valid(&"g".repeat(64)));
        assert!(!looks_valid(&"A".repeat(64)));
        assert!(!looks_valid(&"a".repeat(63)));
        assert!(!looks_valid("' OR 1=1 --"));
    }
}
