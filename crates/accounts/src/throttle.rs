//! Limits on password guessing: per e-mail address and per client address, on the injected
//! clock. An address is throttled whether or not an account has it, so a 429 says nothing about
//! which addresses have accounts.
//!
//! The budgets are kept in this instance's memory. With several instances behind a balancer an
//! attacker gets each instance's budget; that multiplies the limit by the instance count but
//! keeps it finite, and it needs no write per attempt.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration as StdDuration;

use certify_core::{Email, SharedClock};
use governor::clock::{Clock as GovernorClock, Reference as _};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// How many sign-in attempts one key may make at once, and how fast that budget refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptBudget {
    pub burst: u32,
    pub refill_every: StdDuration,
}

/// The budgets for sign-in: per e-mail address (a guesser at one account) and per client
/// address (a guesser spreading over many accounts; generous, because a firm's office signs in
/// from behind one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_account: AttemptBudget,
    pub per_client: AttemptBudget,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            per_account: AttemptBudget {
                burst: 5,
                refill_every: StdDuration::from_secs(60),
            },
            per_client: AttemptBudget {
                burst: 60,
                refill_every: StdDuration::from_secs(1),
            },
        }
    }
}

impl SignInLimits {
    /// The budgets of API clients' token requests: per client id (a secret guesser, or a client
    /// that asks for a token per call instead of reusing one for its lifetime) and per address.
    pub fn token_requests() -> Self {
        Self {
            per_account: AttemptBudget {
                burst: 10,
                refill_every: StdDuration::from_secs(6),
            },
            ..Self::default()
        }
    }
}

/// Too many attempts; the next may come after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many sign-in attempts; try again in {} s", retry_after.as_secs().max(1))]
pub struct Throttled {
    pub retry_after: StdDuration,
}

/// The injected clock as governor reads it: time since the Unix epoch.
#[derive(Clone)]
struct InjectedClock(SharedClock);

impl GovernorClock for InjectedClock {
    type Instant = StdDuration;

    fn now(&self) -> StdDuration {
        let since_epoch = self.0.now() - time::OffsetDateTime::UNIX_EPOCH;
        StdDuration::try_from(since_epoch).unwrap_or_default()
    }
}

type Limiter<K> = RateLimiter<K, DefaultKeyedStateStore<K>, InjectedClock, NoOpMiddleware<StdDuration>>;

/// Keys not seen for a while are forgotten once a table holds this many, so memory stays bounded.
const FORGET_ABOVE_KEYS: usize = 100_000;

/// The sign-in budgets of this instance.
pub struct SignInThrottle {
    clock: InjectedClock,
    per_account: Limiter<String>,
    per_client: Limiter<IpAddr>,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInThrottle").finish_non_exhaustive()
    }
}

fn quota(budget: AttemptBudget) -> Quota {
    let burst = NonZeroU32::new(budget.burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(budget.refill_every.max(StdDuration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl SignInThrottle {
    pub fn new(limits: SignInLimits, clock: SharedClock) -> Self {
        let clock = InjectedClock(clock);
        Self {
            per_account: RateLimiter::new(
                quota(limits.per_account),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            per_client: RateLimiter::new(
                quota(limits.per_client),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            clock,
        }
    }

    /// Spends one attempt of `client`'s budget and one of `email`'s, or says how long to wait.
    pub fn check(&self, email: &Email, client: IpAddr) -> Result<(), Throttled> {
        self.check_key(email.as_str(), client)
    }

    /// The same for any account-like key, such as an API client's id at the token endpoint.
    pub fn check_key(&self, key: &str, client: IpAddr) -> Result<(), Throttled> {
        self.spend(&self.per_client, &client)?;
        self.spend(&self.per_account, &key.to_owned())
    }

    /// Spends one attempt of `client`'s budget only: for returns from a firm's identity
    /// provider, which name no account until they are checked.
    pub fn check_address(&self, client: IpAddr) -> Result<(), Throttled> {
        self.spend(&self.per_client, &client)
    }

    fn spend<K: Hash + Eq + Clone>(&self, limiter: &Limiter<K>, key: &K) -> Result<(), Throttled> {
        if limiter.len() > FORGET_ABOVE_KEYS {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            let now = self.clock.now();
            Throttled {
                retry_after: not_until.earliest_possible().duration_since(now).into(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use certify_core::TestClock;
    use time::macros::datetime;

    use super::*;

    fn throttle() -> (SignInThrottle, TestClock) {
        let clock = TestClock::new(datetime!(2026-11-22 09:00 UTC));
        (
            SignInThrottle::new(SignInLimits::default(), Arc::new(clock.clone())),
            clock,
        )
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_gets_five_tries_then_one_a_minute() {
        let (throttle, clock) = throttle();
        let ada = Email::parse("ada@example.com").expect("email");
        for _ in 0..5 {
            assert_eq!(throttle.check(&ada, HOME), Ok(()));
        }
        let refused = throttle.check(&ada, HOME).expect_err("sixth try");
        assert_eq!(refused.retry_after, StdDuration::from_secs(60));
        clock.advance(time::Duration::seconds(59));
        assert!(throttle.check(&ada, HOME).is_err());
        clock.advance(time::Duration::seconds(1));
        assert_eq!(throttle.check(&ada, HOME), Ok(()));
        let bob = Email::parse("bob@example.com").expect("email");
        assert_eq!(throttle.check(&bob, HOME), Ok(()), "another account has its own budget");
    }

    #[test]
    fn one_client_spreading_over_accounts_is_stopped_too() {
        let (throttle, _) = throttle();
        let allowed = (0..100)
            .filter(|n| {
                let email = Email::parse(&format!("user{n}@example.com")).expect("email");
                throttle.check(&email, HOME).is_ok()
            })
            .count();
        assert_eq!(allowed, 60);
        let elsewhere = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
        let email = Email::parse("user0@example.com").expect("email");
        assert_eq!(throttle.check(&email, elsewhere), Ok(()));
    }
}
