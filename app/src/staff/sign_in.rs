//! (server) Signing in: e-mail and password against the stored Argon2id hash, limited per
//! client address and per account, logged either way. The answer never says whether an
//! address has an account.

use std::sync::OnceLock;

use chrono::TimeDelta;

use super::audit::{self, Action};
use super::password;
use super::session::{self, Started};
use super::store::{self, StaffMember};
use crate::core::Timestamp;
use crate::db::Db;

/// Failed sign-ins allowed per address and per account within `WINDOW`.
pub const MAX_FAILURES: i64 = 5;
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("That e-mail address and password do not match an account that can sign in.")]
    Mismatch,
    #[error("Too many failed sign-ins. Please wait 15 minutes and try again.")]
    TooMany,
    #[error("Signing in failed on our side. Please try again.")]
    Server(#[from] sqlx::Error),
}

/// Who is trying: what they typed and their client address hash.
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub ip_hash: &'a str,
}

pub async fn sign_in(db: &Db, attempt: Attempt<'_>) -> Result<(StaffMember, Started), SignInError> {
    let typed = attempt.email.trim();
    let keys = [format!("account:{}", typed.to_lowercase()), format!("address:{}", attempt.ip_hash)];
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
        Some((member, _)) if matches && member.disabled_at.is_none() => {
            clear_failures(db, &keys[0]).await?;
            let started = session::start(db, member.id).await?;
            audit::record(db, Some(member.id), Action::SignedIn, "", attempt.ip_hash).await?;
            Ok((member, started))
        }
        _ => {
            record_failure(db, &keys).await?;
            audit::record(db, staff_id, Action::SignInFailed, typed, attempt.ip_hash).await?;
            Err(SignInError::Mismatch)
        }
    }
}

/// A hash no password matches, verified when the typed address has no account.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password_auth::generate_hash(hex::encode(rand::random::<[u8; 32]>())))
}

/// The larger of the failure counts of `keys` since `since`.
async fn failures(db: &Db, keys: &[String; 2], since: Timestamp) -> sqlx::Result<i64> {
    let counts: Vec<i64> =
        sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE key IN (?, ?) AND at >= ? GROUP BY key")
            .bind(&keys[0])
            .bind(&keys[1])
            .bind(since)
            .fetch_all(db.read())
            .await?;
    Ok(counts.into_iter().max().unwrap_or(0))
}

async fn record_failure(db: &Db, keys: &[String; 2]) -> sqlx::Result<()> {
    let now = Timestamp::now();
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE at < ?").bind(now - WINDOW).execute(&mut *tx).await?;
    for key in keys {
        sqlx::query("INSERT INTO sign_in_failures (key, at) VALUES (?, ?)")
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

async fn clear_failures(db: &Db, key: &str) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE key = ?").bind(key).execute(&mut *tx).await?;
    tx.commit().await
}
