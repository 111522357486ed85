//! (server) Staff accounts in the database.

use sqlx::FromRow;

use super::types::Role;
use crate::core::{email::Email, Timestamp};
use crate::db::Db;

/// A staff account as the operator sees it (never with its password hash).
#[derive(Clone, Debug, FromRow)]
pub struct StaffMember {
    pub id: i64,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Whether signing in also asks for a code from an authenticator app.
    pub two_step: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("there is already a staff account for {0}")]
    EmailTaken(Email),
    #[error("no staff account has the address {0}")]
    NoSuchAccount(String),
    #[error("{0} is the last admin who can sign in: make another admin first")]
    LastAdmin(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Names longer than this are refused.
pub const MAX_NAME_CHARS: usize = 100;

/// A staff member's name as typed: trimmed, 1 to `MAX_NAME_CHARS` characters, no control characters.
pub fn staff_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!("The name must have 1 to {MAX_NAME_CHARS} characters."));
    }
    Ok(name.to_owned())
}

const COLUMNS: &str = "id, email, name, role, disabled_at, created_at, totp_secret IS NOT NULL AS two_step";

pub async fn add(db: &Db, email: &Email, name: &str, role: Role, password_hash: &str) -> Result<i64, StaffError> {
    let now = Timestamp::now();
    let mut tx = db.write().await?;
    let inserted = crate::on!(tx, |ex| sqlx::query_scalar(
        "INSERT INTO staff (email, name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(role)
    .bind(password_hash)
    .bind(now)
    .bind(now)
    .fetch_one(ex)
    .await);
    let id = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(StaffError::EmailTaken(email.clone())),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(id)
}

/// Every account, admins first, then by name.
pub async fn list(db: &Db) -> sqlx::Result<Vec<StaffMember>> {
    crate::on!(db, |ex| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM staff ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'editor' THEN 1 \
         WHEN 'author' THEN 2 ELSE 3 END, name, id"
    ))
    .fetch_all(ex)
    .await)
}

pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Option<StaffMember>> {
    crate::on!(db, |ex| sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE lower(email) = $1"))
        .bind(email.trim().to_ascii_lowercase())
        .fetch_optional(ex)
        .await)
}

/// An account and its password hash, for signing in.
pub async fn credentials(db: &Db, email: &str) -> sqlx::Result<Option<(StaffMember, String)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        member: StaffMember,
        password_hash: String,
    }
    let row: Option<Row> = crate::on!(db, |ex| sqlx::query_as(&format!(
        "SELECT {COLUMNS}, password_hash FROM staff WHERE lower(email) = $1"
    ))
    .bind(email.trim().to_ascii_lowercase())
    .fetch_optional(ex)
    .await)?;
    Ok(row.map(|r| (r.member, r.password_hash)))
}

/// What to change about one account.
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    Role(Role),
    Disabled(bool),
    PasswordHash(&'a str),
}

/// Changes the account with this e-mail address. The last admin who can sign in can be
/// neither demoted nor disabled: nobody could manage staff any more. Disabling an account or
/// changing its password ends its sessions.
pub async fn change(db: &Db, email: &str, change: Change<'_>) -> Result<StaffMember, StaffError> {
    let now = Timestamp::now();
    let mut tx = db.write().await?;
    let member: StaffMember =
        crate::on!(tx, |ex| sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE lower(email) = $1"))
            .bind(email.trim().to_ascii_lowercase())
            .fetch_optional(ex)
            .await)?
        .ok_or_else(|| StaffError::NoSuchAccount(email.trim().to_owned()))?;
    let loses_admin = member.role == Role::Admin
        && member.disabled_at.is_none()
        && (matches!(change, Change::Role(role) if role != Role::Admin) || matches!(change, Change::Disabled(true)));
    if loses_admin {
        let other_admins: i64 = crate::on!(tx, |ex| sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1"
        )
        .bind(member.id)
        .fetch_one(ex)
        .await)?;
        if other_admins == 0 {
            return Err(StaffError::LastAdmin(member.email.to_string()));
        }
    }
    crate::on!(tx, |ex| {
        let query = match change {
            Change::Role(role) => sqlx::query("UPDATE staff SET role = $1, updated_at = $2 WHERE id = $3").bind(role),
            Change::Disabled(true) => {
                sqlx::query("UPDATE staff SET disabled_at = COALESCE(disabled_at, $1), updated_at = $2 WHERE id = $3")
                    .bind(now)
            }
            Change::Disabled(false) => {
                sqlx::query("UPDATE staff SET disabled_at = NULL, updated_at = $1 WHERE id = $2")
            }
            Change::PasswordHash(hash) => {
                sqlx::query("UPDATE staff SET password_hash = $1, updated_at = $2 WHERE id = $3").bind(hash)
            }
        };
        query.bind(now).bind(member.id).execute(ex).await.map(|done| done.rows_affected())
    })?;
    // A disabled account, or one whose password changed, is signed out everywhere.
    if matches!(change, Change::Disabled(true) | Change::PasswordHash(_)) {
        crate::on!(tx, |ex| sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
            .bind(member.id)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
    }
    tx.commit().await?;
    refreshed(db, member.id).await
}

async fn refreshed(db: &Db, id: i64) -> Result<StaffMember, StaffError> {
    Ok(by_id(db, id).await?.ok_or(sqlx::Error::RowNotFound)?)
}

pub async fn by_id(db: &Db, id: i64) -> sqlx::Result<Option<StaffMember>> {
    crate::on!(db, |ex| sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await)
}
