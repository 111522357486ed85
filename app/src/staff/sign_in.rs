//! (server) Signing in: e-mail and password against the stored Argon2id hash, then — for an
//! account with a second factor — a code, within `CHALLENGE_LIFETIME`. Both steps are limited
//! per client address and per account and logged either way. The answer never says whether an
//! address has an account.

use std::sync::OnceLock;

use chrono::TimeDelta;

use sha2::{Digest, Sha256};

use super::audit::{self, Action};
use super::password;
use super::second_factor::{self, Verified};
use super::session::{self, Started};
use super::store::{self, StaffMember};
use crate::core::Timestamp;
use crate::db::Db;

/// Failed sign-ins allowed per address and per account within `WINDOW`.
pub const MAX_FAILURES: i64 = 5;
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// The cookie that carries a sign-in between the password and the code.
pub const CHALLENGE_COOKIE: &str = "staff_sign_in";
/// How long the code may take after the password.
pub const CHALLENGE_LIFETIME: TimeDelta = TimeDelta::minutes(5);

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("That e-mail address and password do not match an account that can sign in.")]
    Mismatch,
    #[error("Too many failed sign-ins. Please wait 15 minutes and try again.")]
    TooMany,
    #[error("That code is not right. Type the six digits your app shows now, or one of your recovery codes.")]
    WrongCode,
    #[error("Your current password is not right.")]
    WrongPassword,
    #[error("Signing in took too long. Please start again with your e-mail address and password.")]
    ChallengeExpired,
    #[error("Signing in failed on our side. Please try again.")]
    Server(#[from] sqlx::Error),
}

/// Who is trying: what they typed and their client address hash.
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub ip_hash: &'a str,
}

/// How far a right password got.
pub enum Signed {
    In(StaffMember, Started),
    /// The account has a second factor: the code is asked next. The value goes into
    /// `CHALLENGE_COOKIE` (only its hash is stored).
    CodeNeeded {
        challenge: String,
    },
}

pub async fn sign_in(db: &Db, attempt: Attempt<'_>) -> Result<Signed, SignInError> {
    let typed = attempt.email.trim();
    let keys = limit_keys(typed, attempt.ip_hash);
    let since = Timestamp::now() - WINDOW;
    let found = store::credentials(db, typed).await?;
    let staff_id = found.as_ref().map(|(member, _)| member.id);
    if failures(db, &keys, since).await? >= MAX_FAILURES {
        audit::record(db, staff_id, Action::SignInLimited, typed, attempt.ip_hash).await?;
        return Err(SignInError::TooMany);
    }
    // The same work whether or not the account exists, so timing tells nothing either.
    let stored = found.as_ref().map_or_else(|| dummy_hash().to_owned(), |(_, hash)| hash.clone());
    let typed_password = attempt.password.to_owned();
    let matches =
        tokio::task::spawn_blocking(move || password::matches(&typed_password, &stored)).await.unwrap_or(false);
    match found {
        Some((member, _)) if matches && member.disabled_at.is_none() && member.two_step => {
            Ok(Signed::CodeNeeded { challenge: challenge(db, member.id).await? })
        }
        Some((member, _)) if matches && member.disabled_at.is_none() => {
            clear_failures(db, &keys[0]).await?;
            let started = session::start(db, member.id).await?;
            audit::record(db, Some(member.id), Action::SignedIn, "", attempt.ip_hash).await?;
            Ok(Signed::In(member, started))
        }
        _ => {
            record_failure(db, &keys).await?;
            audit::record(db, staff_id, Action::SignInFailed, typed, attempt.ip_hash).await?;
            Err(SignInError::Mismatch)
        }
    }
}

/// What the failure limit counts: the account (by address, any case) and the client address.
fn limit_keys(email: &str, ip_hash: &str) -> [String; 2] {
    [format!("account:{}", email.to_lowercase()), format!("address:{ip_hash}")]
}

fn challenge_hash(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

async fn challenge(db: &Db, staff_id: i64) -> sqlx::Result<String> {
    let (value, now) = (hex::encode(rand::random::<[u8; 32]>()), Timestamp::now());
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM sign_in_challenges WHERE created_at < $1")
        .bind(now - CHALLENGE_LIFETIME)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO sign_in_challenges (id_hash, staff_id, created_at) VALUES ($1, $2, $3)"
    )
    .bind(challenge_hash(&value))
    .bind(staff_id)
    .bind(now)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(value)
}

/// The account a sign-in halfway belongs to, while it lasts and the account may sign in.
pub async fn challenged(db: &Db, challenge: &str) -> sqlx::Result<Option<StaffMember>> {
    let staff_id: Option<i64> = crate::on!(db, |ex| sqlx::query_scalar(
        "SELECT staff_id FROM sign_in_challenges WHERE id_hash = $1 AND created_at >= $2"
    )
    .bind(challenge_hash(challenge))
    .bind(Timestamp::now() - CHALLENGE_LIFETIME)
    .fetch_optional(ex)
    .await)?;
    let Some(staff_id) = staff_id else { return Ok(None) };
    Ok(store::by_id(db, staff_id).await?.filter(|member| member.disabled_at.is_none() && member.two_step))
}

/// The second step: a code from the app or a recovery code, for the sign-in `challenge`.
pub async fn second_step(
    db: &Db,
    challenge: &str,
    code: &str,
    ip_hash: &str,
) -> Result<(StaffMember, Started), SignInError> {
    let Some(member) = challenged(db, challenge).await? else { return Err(SignInError::ChallengeExpired) };
    let (detail, keys) = check_code(db, &member, code, ip_hash).await?;
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM sign_in_challenges WHERE id_hash = $1")
        .bind(challenge_hash(challenge))
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    clear_failures(db, &keys[0]).await?;
    let started = session::start(db, member.id).await?;
    audit::record(db, Some(member.id), Action::SignedIn, &detail, ip_hash).await?;
    Ok((member, started))
}

/// Checks a code from the member's app or a recovery code, under the sign-in limits; says how
/// it was taken (for the audit log), with the limiter's keys.
pub async fn check_code(
    db: &Db,
    member: &StaffMember,
    code: &str,
    ip_hash: &str,
) -> Result<(String, [String; 2]), SignInError> {
    let keys = limit_keys(member.email.as_str(), ip_hash);
    if failures(db, &keys, Timestamp::now() - WINDOW).await? >= MAX_FAILURES {
        audit::record(db, Some(member.id), Action::SignInLimited, "code", ip_hash).await?;
        return Err(SignInError::TooMany);
    }
    let detail = match second_factor::verify(db, member.id, code).await? {
        Verified::Wrong => {
            record_failure(db, &keys).await?;
            audit::record(db, Some(member.id), Action::SignInFailed, "wrong code", ip_hash).await?;
            return Err(SignInError::WrongCode);
        }
        Verified::Code => "with an app code".to_owned(),
        Verified::RecoveryCode { left } => format!("with a recovery code ({left} left)"),
    };
    Ok((detail, keys))
}

/// Checks a signed-in member's current password (before a change), under the sign-in limits.
pub async fn confirm_password(db: &Db, member: &StaffMember, typed: &str, ip_hash: &str) -> Result<(), SignInError> {
    let keys = limit_keys(member.email.as_str(), ip_hash);
    if failures(db, &keys, Timestamp::now() - WINDOW).await? >= MAX_FAILURES {
        return Err(SignInError::TooMany);
    }
    let stored = store::credentials(db, member.email.as_str()).await?.map(|(_, hash)| hash).unwrap_or_default();
    let typed = typed.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::matches(&typed, &stored)).await.unwrap_or(false);
    if !matches {
        record_failure(db, &keys).await?;
        audit::record(db, Some(member.id), Action::SignInFailed, "wrong current password", ip_hash).await?;
        return Err(SignInError::WrongPassword);
    }
    Ok(())
}

/// A hash no password matches, verified when the typed address has no account.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password_auth::generate_hash(hex::encode(rand::random::<[u8; 32]>())))
}

/// The larger of the failure counts of `keys` since `since`.
async fn failures(db: &Db, keys: &[String; 2], since: Timestamp) -> sqlx::Result<i64> {
    let counts: Vec<i64> = crate::on!(db, |ex| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sign_in_failures WHERE key IN ($1, $2) AND at >= $3 GROUP BY key"
    )
    .bind(&keys[0])
    .bind(&keys[1])
    .bind(since)
    .fetch_all(ex)
    .await)?;
    Ok(counts.into_iter().max().unwrap_or(0))
}

async fn record_failure(db: &Db, keys: &[String; 2]) -> sqlx::Result<()> {
    let now = Timestamp::now();
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
        .bind(now - WINDOW)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    for key in keys {
        crate::on!(tx, |ex| sqlx::query("INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
    }
    tx.commit().await
}

async fn clear_failures(db: &Db, key: &str) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await
}
