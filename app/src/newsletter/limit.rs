//! (server) How many sign-ups one address may make: each one mails a confirmation to whatever
//! address was typed, so without a limit a script could use us to mail strangers. A household
//! or office behind one address still has room (the default is 10 an hour, all at once if
//! need be, then one every six minutes). Kept in memory: a restart forgives everyone.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::use_context;

use super::types::SubscribeError;
use crate::core::client;

/// Above this many remembered addresses, the ones whose allowance is full again are forgotten.
const REMEMBERED: usize = 10_000;

/// Provided as context by the server.
#[derive(Clone)]
pub struct SignUpLimit {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
}

impl SignUpLimit {
    /// `per_hour` sign-ups from one address (`NEWSLETTER_SIGNUPS_PER_HOUR`); 0 turns the limit off.
    pub fn per_hour(per_hour: u32) -> SignUpLimit {
        let limiter = NonZeroU32::new(per_hour).map(|n| Arc::new(RateLimiter::keyed(Quota::per_hour(n))));
        SignUpLimit { limiter }
    }

    /// Spends one of this address's sign-ups, or refuses with 429 when none is left.
    pub fn spend(&self, client: Option<IpAddr>) -> Result<(), SubscribeError> {
        let (Some(limiter), Some(client)) = (&self.limiter, client) else { return Ok(()) };
        if limiter.len() > REMEMBERED {
            limiter.retain_recent();
        }
        limiter.check_key(&client::limit_key(client)).map_err(|_| SubscribeError::TooMany)
    }

    /// The same for the request being handled.
    pub async fn spend_for_current_request() -> Result<(), SubscribeError> {
        let Some(limit) = use_context::<SignUpLimit>() else { return Ok(()) };
        limit.spend(client::current().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_allowance() {
        let limit = SignUpLimit::per_hour(3);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(limit.spend(Some(a)), Ok(()));
        }
        assert_eq!(limit.spend(Some(a)), Err(SubscribeError::TooMany));
        assert_eq!(limit.spend(Some(b)), Ok(()), "another address is not affected");
        let off = SignUpLimit::per_hour(0);
        for _ in 0..100 {
            assert_eq!(off.spend(Some(a)), Ok(()));
        }
    }
}
