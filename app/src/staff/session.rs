//! (server) Staff sessions: a random id in a cookie, its hash in the database. They end on
//! sign-out, on "sign out everywhere", when the account is disabled or its password changes,
//! and after `IDLE_LIMIT` without use.

use chrono::TimeDelta;
use sha2::{Digest, Sha256};

use super::store::StaffMember;
use crate::core::Timestamp;
use crate::db::Db;

pub const COOKIE: &str = "staff_session";
/// A session unused this long has ended.
pub const IDLE_LIMIT: TimeDelta = TimeDelta::days(14);
/// `last_seen_at` is written at most this often (not on every page of the desk).
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// A signed-in staff member and their session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub staff: StaffMember,
    /// Goes into every form of the desk; a post without it is refused.
    pub form_token: String,
    id_hash: String,
}

/// A new session: the cookie value to send (never stored) and the session.
pub struct Started {
    pub cookie_value: String,
    pub form_token: String,
}

fn random_hex() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn hash(cookie_value: &str) -> String {
    hex::encode(Sha256::digest(cookie_value.as_bytes()))
}

/// Starts a session for `staff_id` (always a new id: nothing chosen before sign-in survives it).
pub async fn start(db: &Db, staff_id: i64) -> sqlx::Result<Started> {
    let (cookie_value, form_token, now) = (random_hex(), random_hex(), Timestamp::now());
    let mut tx = db.write().await?;
    // Ended sessions of anyone are cleared here, so the table does not grow.
    crate::on!(tx, |ex| sqlx::query("DELETE FROM staff_sessions WHERE last_seen_at < $1")
        .bind(now - IDLE_LIMIT)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on!(tx, |ex| {
        sqlx::query(
        "INSERT INTO staff_sessions (id_hash, staff_id, form_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash(&cookie_value))
    .bind(staff_id)
    .bind(&form_token)
    .bind(now)
    .bind(now)
    .execute(ex)
    .await.map(|done| done.rows_affected())
    })?;
    tx.commit().await?;
    Ok(Started { cookie_value, form_token })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    staff: StaffMember,
    form_token: String,
    last_seen_at: Timestamp,
}

/// The staff member whose session cookie this is, while the session lasts and the account
/// is enabled.
pub async fn current(db: &Db, cookie_value: &str) -> sqlx::Result<Option<SignedIn>> {
    let id_hash = hash(cookie_value);
    let now = Timestamp::now();
    let row: Option<SessionRow> = crate::on!(db, |ex| {
        sqlx::query_as(
        "SELECT s.id, s.email, s.name, s.role, s.disabled_at, s.created_at, s.totp_secret IS NOT NULL AS two_step, \
         x.form_token, x.last_seen_at \
         FROM staff_sessions x JOIN staff s ON s.id = x.staff_id \
         WHERE x.id_hash = $1 AND x.last_seen_at >= $2 AND s.disabled_at IS NULL",
    )
    .bind(&id_hash)
    .bind(now - IDLE_LIMIT)
    .fetch_optional(ex)
    .await
    })?;
    let Some(row) = row else { return Ok(None) };
    if row.last_seen_at < now - TOUCH_EVERY {
        let mut tx = db.write().await?;
        crate::on!(tx, |ex| sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&id_hash)
            .execute(ex)
            .await
            .map(|done| done.rows_affected()))?;
        tx.commit().await?;
    }
    Ok(Some(SignedIn { staff: row.staff, form_token: row.form_token, id_hash }))
}

/// Ends this session.
pub async fn end(db: &Db, session: &SignedIn) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1")
        .bind(&session.id_hash)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await
}

/// Ends every session of one account; returns how many there were.
pub async fn end_all(db: &Db, staff_id: i64) -> sqlx::Result<u64> {
    let mut tx = db.write().await?;
    let ended = crate::on!(tx, |ex| sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
        .bind(staff_id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(ended)
}
