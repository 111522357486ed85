//! (server) How many sign-ups one address may make: each one mails a confirmation to whatever
//! address was typed, so without a limit a script could use us to mail strangers. A household
//! or office behind one address still has room (the default is 10 an hour, all at once if
//! need be, then one every six minutes). Kept in the database, so the allowance holds however
//! many nodes share the site and over restarts.

use std::net::IpAddr;

use leptos::prelude::use_context;

use super::types::SubscribeError;
use crate::core::client;
use crate::db::Db;

/// Provided as context by the server.
#[derive(Clone, Copy, Debug)]
pub struct SignUpLimit {
    per_hour: u32,
}

impl SignUpLimit {
    /// `per_hour` sign-ups from one address (`NEWSLETTER_SIGNUPS_PER_HOUR`); 0 turns the limit off.
    pub fn per_hour(per_hour: u32) -> SignUpLimit {
        SignUpLimit { per_hour }
    }

    /// Spends one of this address's sign-ups, or refuses with 429 when none is left.
    pub async fn spend(&self, db: &Db, client: Option<IpAddr>, now_ms: i64) -> Result<(), SubscribeError> {
        let Some(client) = client.filter(|_| self.per_hour > 0) else { return Ok(()) };
        let key = client::limit_key(client).to_string();
        match super::store::spend_signup(db, &key, self.per_hour, now_ms).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SubscribeError::TooMany),
            Err(error) => {
                tracing::error!(%error, "the sign-up allowance could not be read");
                Err(SubscribeError::Server)
            }
        }
    }

    /// The same for the request being handled.
    pub async fn spend_for_current_request() -> Result<(), SubscribeError> {
        let (Some(limit), Some(db)) = (use_context::<SignUpLimit>(), use_context::<Db>()) else { return Ok(()) };
        limit.spend(&db, client::current().await, chrono::Utc::now().timestamp_millis()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_address_has_its_own_allowance_which_refills_over_the_hour() {
        let (db, _dir) = Db::temporary().await;
        let limit = SignUpLimit::per_hour(3);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let now = 1_800_000_000_000;
        for _ in 0..3 {
            assert_eq!(limit.spend(&db, Some(a), now).await, Ok(()));
        }
        assert_eq!(limit.spend(&db, Some(a), now).await, Err(SubscribeError::TooMany));
        assert_eq!(limit.spend(&db, Some(b), now).await, Ok(()), "another address is not affected");
        // One more every 20 minutes, not sooner.
        assert_eq!(limit.spend(&db, Some(a), now + 19 * 60_000).await, Err(SubscribeError::TooMany));
        assert_eq!(limit.spend(&db, Some(a), now + 20 * 60_000).await, Ok(()));
        assert_eq!(limit.spend(&db, Some(a), now + 21 * 60_000).await, Err(SubscribeError::TooMany));
        // A full hour later the whole allowance is back.
        let later = now + 2 * 3_600_000;
        for _ in 0..3 {
            assert_eq!(limit.spend(&db, Some(a), later).await, Ok(()));
        }
        let off = SignUpLimit::per_hour(0);
        for _ in 0..100 {
            assert_eq!(off.spend(&db, Some(a), now).await, Ok(()));
        }
    }
}
