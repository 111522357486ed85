//! (server) The optional second factor: six-digit codes from an authenticator app (RFC 6238:
//! SHA-1, 30-second steps, one step of clock drift either way, no code accepted twice) and ten
//! one-time recovery codes for a lost phone. Set up in two steps: a new secret is shown (QR code
//! and text), and it counts only once a code from it has been typed.

use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::core::{Timestamp, SITE_NAME};
use crate::db::Db;

/// Recovery codes made at a time; each works once.
pub const RECOVERY_CODES: usize = 10;
const STEP_SECONDS: u64 = 30;
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// Recovery code letters: no 0/o, 1/l/i to misread.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A secret being set up: what the authenticator app needs.
pub struct Enrolment {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub url: String,
}

/// How a typed code was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    Code,
    /// A recovery code, now used; this many are left.
    RecoveryCode {
        left: i64,
    },
    Wrong,
}

fn encoded(bytes: Vec<u8>) -> String {
    match Secret::Raw(bytes).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded gives the encoded form"),
    }
}

/// The code generator for one 30-second step (drift is handled by asking for each step).
fn generator(secret_base32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(Algorithm::SHA1, 6, 0, STEP_SECONDS, bytes))
}

/// What an authenticator app would show for this secret at `unix_seconds` (for tests and the
/// command line's own checks).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    generator(secret_base32).map(|totp| totp.generate(unix_seconds))
}

/// The step a typed six-digit code belongs to, if it is the code of this step or a neighbour.
fn matching_step(secret_base32: &str, typed: &str, unix_seconds: u64) -> Option<i64> {
    let totp = generator(secret_base32)?;
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_seconds / STEP_SECONDS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| totp.check(&typed, step * STEP_SECONDS))
        .and_then(|step| i64::try_from(step).ok())
}

fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

fn otpauth_url(secret: &str, email: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let (issuer, account) =
        (utf8_percent_encode(SITE_NAME, NON_ALPHANUMERIC), utf8_percent_encode(email, NON_ALPHANUMERIC));
    format!("otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30")
}

fn recovery_hash(typed: &str) -> String {
    let normal: String = typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

fn new_recovery_code() -> String {
    let letters: String =
        (0..10).map(|_| char::from(RECOVERY_ALPHABET[rand::random_range(0..RECOVERY_ALPHABET.len())])).collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// Whether the account has a second factor, and how many recovery codes are left.
pub async fn status(db: &Db, staff_id: i64) -> sqlx::Result<(bool, i64)> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT totp_secret IS NOT NULL, \
         (SELECT COUNT(*) FROM staff_recovery_codes r WHERE r.staff_id = staff.id AND r.used_at IS NULL) \
         FROM staff WHERE id = $1",
    )
    .bind(staff_id)
    .fetch_one(ex)
    .await)
}

/// The secret being set up for this account, made now if there is none yet.
pub async fn enrolment(db: &Db, staff_id: i64, email: &str) -> sqlx::Result<Enrolment> {
    let mut tx = db.write().await?;
    let pending: Option<String> =
        crate::on!(tx, |ex| sqlx::query_scalar("SELECT totp_pending_secret FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_one(ex)
            .await)?;
    let secret = match pending {
        Some(secret) => secret,
        None => {
            let secret = encoded(rand::random::<[u8; SECRET_BYTES]>().to_vec());
            crate::on!(tx, |ex| sqlx::query("UPDATE staff SET totp_pending_secret = $1 WHERE id = $2")
                .bind(&secret)
                .bind(staff_id)
                .execute(ex)
                .await
                .map(|done| done.rows_affected()))?;
            secret
        }
    };
    tx.commit().await?;
    let url = otpauth_url(&secret, email);
    Ok(Enrolment { secret, url })
}

/// Turns the second factor on when `typed` is a current code of the secret being set up, and
/// returns the new recovery codes (shown once; only their hashes are kept). `None`: wrong code,
/// or nothing being set up.
pub async fn confirm(db: &Db, staff_id: i64, typed: &str) -> sqlx::Result<Option<Vec<String>>> {
    let mut tx = db.write().await?;
    let pending: Option<String> =
        crate::on!(tx, |ex| sqlx::query_scalar("SELECT totp_pending_secret FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_one(ex)
            .await)?;
    let Some(step) = pending.as_deref().and_then(|secret| matching_step(secret, typed, unix_now())) else {
        return Ok(None);
    };
    crate::on!(tx, |ex| {
        sqlx::query(
        "UPDATE staff SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $1 WHERE id = $2",
    )
    .bind(step)
    .bind(staff_id)
    .execute(ex)
    .await.map(|done| done.rows_affected())
    })?;
    let codes = replace_recovery_codes(&mut tx, staff_id).await?;
    tx.commit().await?;
    Ok(Some(codes))
}

async fn replace_recovery_codes(tx: &mut impl crate::db::Link, staff_id: i64) -> sqlx::Result<Vec<String>> {
    crate::on!(tx, |ex| sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
        .bind(staff_id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    for code in &codes {
        crate::on!(tx, |ex| sqlx::query("INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES ($1, $2)")
            .bind(staff_id)
            .bind(recovery_hash(code))
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
    }
    Ok(codes)
}

/// New recovery codes in place of the old ones (all of which stop working).
pub async fn new_recovery_codes(db: &Db, staff_id: i64) -> sqlx::Result<Vec<String>> {
    let mut tx = db.write().await?;
    let codes = replace_recovery_codes(&mut tx, staff_id).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks a code typed by the account's owner: a current app code not used before, or an unused
/// recovery code (which is then used up). Accounts without a second factor have no right code.
pub async fn verify(db: &Db, staff_id: i64, typed: &str) -> sqlx::Result<Verified> {
    let secret: Option<String> =
        crate::on!(db, |ex| sqlx::query_scalar("SELECT totp_secret FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_optional(ex)
            .await)?
        .flatten();
    let Some(secret) = secret else { return Ok(Verified::Wrong) };
    let mut tx = db.write().await?;
    if let Some(step) = matching_step(&secret, typed, unix_now()) {
        // Only a step later than the last one used: a code seen over a shoulder is spent.
        let taken = crate::on!(tx, |ex| sqlx::query(
            "UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $3"
        )
        .bind(step)
        .bind(staff_id)
        .bind(step)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        return Ok(if taken == 1 { Verified::Code } else { Verified::Wrong });
    }
    let used = crate::on!(tx, |ex| sqlx::query(
        "UPDATE staff_recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(Timestamp::now())
    .bind(staff_id)
    .bind(recovery_hash(typed))
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    if used == 0 {
        return Ok(Verified::Wrong);
    }
    let left: i64 = crate::on!(tx, |ex| sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL"
    )
    .bind(staff_id)
    .fetch_one(ex)
    .await)?;
    tx.commit().await?;
    Ok(Verified::RecoveryCode { left })
}

/// Turns the second factor off (its owner, or an admin for someone who lost phone and codes).
pub async fn turn_off(db: &Db, staff_id: i64) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("UPDATE staff SET totp_secret = NULL, totp_pending_secret = NULL WHERE id = $1")
        .bind(staff_id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
        .bind(staff_id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890", the last six digits.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_are_those_of_rfc_6238() {
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_taken_one_step_either_side_and_no_further() {
        let now = 1_111_111_109;
        let current = code_at(RFC_SECRET, now).unwrap();
        assert_eq!(matching_step(RFC_SECRET, &current, now), Some(1_111_111_109 / 30));
        assert!(matching_step(RFC_SECRET, &current, now + 30).is_some());
        assert!(matching_step(RFC_SECRET, &current, now - 30).is_some());
        assert_eq!(matching_step(RFC_SECRET, &current, now + 90), None);
        assert_eq!(matching_step(RFC_SECRET, "12345", now), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now), None);
        assert_eq!(
            matching_step(RFC_SECRET, &format!(" {} {}", &current[..3], &current[3..]), now),
            Some(1_111_111_109 / 30)
        );
    }

    #[test]
    fn recovery_codes_match_however_they_are_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(recovery_hash(&code), recovery_hash(&code.to_uppercase().replace('-', " ")));
        assert_ne!(recovery_hash(&code), recovery_hash(&new_recovery_code()));
    }

    #[test]
    fn the_set_up_address_names_the_site_and_account() {
        let url = otpauth_url("ABC", "ed@example.org");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains("ed%40example%2Eorg?secret=ABC&issuer="), "{url}");
    }
}
