//! (server) Staff passwords: which ones are accepted, and their Argon2id hashes.

use std::fmt;

/// Shorter passwords are refused (NIST SP 800-63B asks for at least 8; staff can do 12).
pub const MIN_CHARS: usize = 12;
/// Longer ones are refused too: hashing a megabyte on every sign-in is a denial of service.
pub const MAX_CHARS: usize = 256;

/// A password a staff member may set: long enough and not easy to guess. Never printed.
pub struct NewPassword(String);

impl NewPassword {
    /// Checks `raw` (taken as typed, spaces included); `names` are the account's e-mail and
    /// name, which a password must not be built from (whole, or any word of them).
    pub fn parse(raw: &str, names: &[&str]) -> Result<NewPassword, String> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(format!("The password is too short: at least {MIN_CHARS} characters, please."));
        }
        if chars > MAX_CHARS {
            return Err(format!("The password is too long: at most {MAX_CHARS} characters, please."));
        }
        // zxcvbn knows the most common passwords, words, names, keyboard walks and dates.
        let words: Vec<String> = names
            .iter()
            .flat_map(|name| name.split(|c: char| !c.is_alphanumeric()))
            .filter(|word| word.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect();
        let lower = raw.to_lowercase();
        if words.iter().any(|word| lower.contains(word.as_str())) {
            return Err("The password must not contain your name or e-mail address.".to_owned());
        }
        let estimate = zxcvbn::zxcvbn(raw, names);
        if estimate.score() < zxcvbn::Score::Three {
            let why = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(" ({w})")).unwrap_or_default();
            return Err(format!(
                "That password is too easy to guess{why}. Try a few unrelated words or a password manager's."
            ));
        }
        Ok(NewPassword(raw.to_owned()))
    }

    /// The Argon2id hash to store (PHC string: algorithm, parameters and salt included). Slow on
    /// purpose: run it off the async threads.
    pub fn hash(&self) -> String {
        password_auth::generate_hash(&self.0)
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// Whether `password` matches a stored hash. A malformed hash matches nothing.
pub fn matches(password: &str, hash: &str) -> bool {
    password.chars().count() <= MAX_CHARS && password_auth::verify_password(password, hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused_with_a_reason() {
        let short = NewPassword::parse("tram-2024", &[]).unwrap_err();
        assert!(short.contains("at least 12 characters"), "{short}");
        for weak in ["password1234", "qwertyuiopasdf", "123456789012", "iloveyou2024!"] {
            let error = NewPassword::parse(weak, &[]).unwrap_err();
            assert!(error.contains("too easy to guess"), "{weak}: {error}");
        }
        let personal = NewPassword::parse("ada.lovelace1815", &["ada.lovelace@example.org", "Ada Lovelace"]);
        assert!(personal.is_err(), "built from the account's own name");
        assert!(NewPassword::parse(&"x".repeat(MAX_CHARS + 1), &[]).unwrap_err().contains("too long"));
    }

    #[test]
    fn a_good_password_hashes_with_argon2id_and_verifies() {
        let password = NewPassword::parse("harbour lantern mosaic 7", &[]).unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(…)", "never printed");
        let hash = password.hash();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(matches("harbour lantern mosaic 7", &hash));
        assert!(!matches("harbour lantern mosaic 8", &hash));
        assert!(!matches("harbour lantern mosaic 7", "not a hash"));
    }
}
