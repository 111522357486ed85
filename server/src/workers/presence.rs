//! This node's row in the database's list of serving nodes (`app::db::nodes`): written at
//! start — refused when it would make a second node without `SITE_URL` — refreshed while the
//! node serves, removed as soon as it starts to stop.

use std::net::SocketAddr;
use std::time::Duration;

use app::core::{SiteUrl, Timestamp};
use app::db::{nodes, Db};
use tokio::sync::watch;

/// How long a node without `SITE_URL` waits before refusing to start beside another node: long
/// enough for the row of a node killed without leaving (a replaced container) to age out.
pub const NODE_WAIT: Duration = Duration::from_secs(40);

/// This node as the other nodes see it.
#[derive(Clone, Debug)]
pub struct Presence {
    name: String,
    site_url: Option<String>,
}

impl Presence {
    /// Joins the database's nodes, or says why this node must not serve. While another node
    /// makes that wrong, asks again for up to `wait`: that node may be gone without having said so.
    pub async fn join(
        db: &Db,
        listening: SocketAddr,
        site_url: Option<&SiteUrl>,
        wait: Duration,
    ) -> anyhow::Result<Presence> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let host = match host.trim() {
            "" => "localhost",
            host => host,
        };
        let presence =
            Presence { name: format!("{host} {listening}"), site_url: site_url.map(|u| u.as_str().to_owned()) };
        let until = tokio::time::Instant::now() + wait;
        loop {
            let conflict = match nodes::join(db, &presence.name, presence.site_url.as_deref(), Timestamp::now()).await?
            {
                Ok(()) => return Ok(presence),
                Err(conflict) => conflict,
            };
            let who =
                if conflict.other_lacks_site_url { "that node runs without it" } else { "SITE_URL is not set here" };
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                anyhow::bail!(
                    "another node serves this database ({}) and {who}: with more than one node, set SITE_URL to the \
                     site's public address (e.g. https://news.example.org) on every node, or links in mails and feeds \
                     would point at whichever node wrote them",
                    conflict.other
                );
            }
            tracing::warn!(
                other = %conflict.other,
                "another node serves this database and {who}; waiting up to {}s in case it has stopped",
                left.as_secs()
            );
            tokio::time::sleep(left.min(Duration::from_secs(5))).await;
        }
    }

    /// Says this node is serving every [`nodes::HEARTBEAT`] until the server starts to stop,
    /// then leaves (in this task, so no heartbeat can bring the row back afterwards).
    pub async fn run(self, db: Db, stopping: watch::Receiver<bool>) {
        let stopped = super::stopped(stopping);
        tokio::pin!(stopped);
        // Joining wrote the row just now.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + nodes::HEARTBEAT, nodes::HEARTBEAT);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = &mut stopped => break,
            }
            if let Err(error) = nodes::beat(&db, &self.name, self.site_url.as_deref(), Timestamp::now()).await {
                tracing::warn!(%error, "could not tell the database this node is serving; retrying");
            }
        }
        if let Err(error) = nodes::leave(&db, &self.name).await {
            tracing::debug!(%error, "could not remove this node from the database's list");
        }
    }
}
