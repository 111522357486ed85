//! (server) The nodes serving one database. A node that runs without `SITE_URL` builds every
//! absolute link (mails, feeds, share links) from its own listen address and checks posts against
//! the `Host` it was reached at: right for one process, wrong behind a load balancer, where a
//! confirmation mail sent by one node would point readers at that node's private address. So a
//! node starts only if, once it has joined, either it is alone or every live node has a `SITE_URL`.

use chrono::TimeDelta;

use super::Db;
use crate::core::Timestamp;

/// A node says it is serving this often…
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);
/// …and counts as gone when it has not for this long (a node killed without stopping).
pub const GONE_AFTER: TimeDelta = TimeDelta::seconds(35);

/// Another live node that makes this one's start wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The other node's name (host and listen address).
    pub other: String,
    /// Whether that node runs without `SITE_URL` (else this one does).
    pub other_lacks_site_url: bool,
}

/// Records this node as serving, unless another live node makes that wrong (see the module).
/// Checked and written in one write transaction, so two nodes started at the same moment
/// without `SITE_URL` cannot both find themselves alone.
pub async fn join(db: &Db, name: &str, site_url: Option<&str>, now: Timestamp) -> sqlx::Result<Result<(), Conflict>> {
    let mut tx = db.write().await?;
    let live_since = now - GONE_AFTER;
    let others: Vec<(String, Option<String>)> = crate::on!(tx, |ex| sqlx::query_as(
        "SELECT name, site_url FROM nodes WHERE name <> $1 AND seen_at > $2 ORDER BY name"
    )
    .bind(name)
    .bind(live_since)
    .fetch_all(ex)
    .await)?;
    let conflict = others.into_iter().find_map(|(other, their_url)| match (site_url, their_url) {
        (None, _) => Some(Conflict { other, other_lacks_site_url: false }),
        (Some(_), None) => Some(Conflict { other, other_lacks_site_url: true }),
        (Some(_), Some(_)) => None,
    });
    if let Some(conflict) = conflict {
        return Ok(Err(conflict));
    }
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO nodes (name, site_url, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET site_url = excluded.site_url, seen_at = excluded.seen_at"
    )
    .bind(name)
    .bind(site_url)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    // Rows of nodes long gone are of no use to anyone.
    crate::on!(tx, |ex| sqlx::query("DELETE FROM nodes WHERE seen_at < $1")
        .bind(now - TimeDelta::days(1))
        .execute(ex)
        .await
        .map(|_| ()))?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// This node is still serving (its row is written again if it went missing, say with a restored
/// database).
pub async fn beat(db: &Db, name: &str, site_url: Option<&str>, now: Timestamp) -> sqlx::Result<()> {
    crate::on!(db, |c| sqlx::query(
        "INSERT INTO nodes (name, site_url, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at"
    )
    .bind(name)
    .bind(site_url)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// This node stops serving.
pub async fn leave(db: &Db, name: &str) -> sqlx::Result<()> {
    crate::on!(db, |c| sqlx::query("DELETE FROM nodes WHERE name = $1").bind(name).execute(c).await.map(|_| ()))
}
