//! This node's row in the database's list of serving nodes (`app::db::nodes`): written at
//! start — refused when it would make a second node without `SITE_URL` — refreshed while the
//! node serves, removed when it stops.

use std::net::SocketAddr;

use app::core::{SiteUrl, Timestamp};
use app::db::{nodes, Db};
use tokio::sync::watch;

/// This node as the other nodes see it.
#[derive(Clone, Debug)]
pub struct Presence {
    name: String,
    site_url: Option<String>,
}

impl Presence {
    /// Joins the database's nodes, or says why this node must not serve.
    pub async fn join(db: &Db, listening: SocketAddr, site_url: Option<&SiteUrl>) -> anyhow::Result<Presence> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let host = match host.trim() {
            "" => "localhost",
            host => host,
        };
        let presence =
            Presence { name: format!("{host} {listening}"), site_url: site_url.map(|u| u.as_str().to_owned()) };
        match nodes::join(db, &presence.name, presence.site_url.as_deref(), Timestamp::now()).await? {
            Ok(()) => Ok(presence),
            Err(conflict) => {
                let who = if conflict.other_lacks_site_url {
                    "that node runs without it"
                } else {
                    "SITE_URL is not set here"
                };
                anyhow::bail!(
                    "another node serves this database ({}) and {who}: with more than one node, set SITE_URL to the \
                     site's public address (e.g. https://news.example.org) on every node, or links in mails and feeds \
                     would point at whichever node wrote them",
                    conflict.other
                )
            }
        }
    }

    /// Says this node is serving every [`nodes::HEARTBEAT`] until the server stops.
    pub async fn run(self, db: Db, stopping: watch::Receiver<bool>) {
        let stopped = super::stopped(stopping);
        tokio::pin!(stopped);
        // Joining wrote the row just now.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + nodes::HEARTBEAT, nodes::HEARTBEAT);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = &mut stopped => return,
            }
            if let Err(error) = nodes::beat(&db, &self.name, self.site_url.as_deref(), Timestamp::now()).await {
                tracing::warn!(%error, "could not tell the database this node is serving; retrying");
            }
        }
    }

    /// This node has stopped serving: another may start without waiting for its row to age.
    pub async fn leave(&self, db: &Db) {
        if let Err(error) = nodes::leave(db, &self.name).await {
            tracing::debug!(%error, "could not remove this node from the database's list");
        }
    }
}
