//! Limits on password guessing, on the injected clock, built so that no stranger can lock an
//! owner out:
//!
//! - every attempt from a client address spends that address's budget (generous: a firm's office
//!   signs in from behind one address), which bounds the password hashing anyone can cause;
//! - attempts at one account from one address spend that pair's budget before the password is
//!   checked (so a burst of parallel guesses gets exactly the budget), and a correct password
//!   gives the pair a fresh budget: the owner's own sign-ins never add up;
//! - failures at one account from any address spend the account's budget, which slows guessing
//!   spread over many addresses; but an address that has not failed at the account is never
//!   stopped by it, so the owner signs in while someone elsewhere keeps guessing.
//!
//! An account key is throttled whether or not an account has it, so a 429 says nothing about which
//! accounts exist. The budgets are kept in this instance's memory: with several instances behind a
//! balancer an attacker gets each instance's budget, a finite multiple, with no write per attempt.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration as StdDuration;

use certify_core::SharedClock;
use governor::clock::{Clock as GovernorClock, Reference as _};
use governor::middleware::{NoOpMiddleware, StateInformationMiddleware};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// How many attempts (or failures) one key may make at once, and how fast that budget refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptBudget {
    pub burst: u32,
    pub refill_every: StdDuration,
}

/// The budgets of one kind of sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Attempts from one client address, to any account.
    pub per_client: AttemptBudget,
    /// Failures at one account from one client address.
    pub per_account_and_client: AttemptBudget,
    /// Failures at one account from any address.
    pub per_account: AttemptBudget,
}

const fn budget(burst: u32, refill_every_secs: u64) -> AttemptBudget {
    AttemptBudget {
        burst,
        refill_every: StdDuration::from_secs(refill_every_secs),
    }
}

impl Default for SignInLimits {
    /// People signing in with a password: five wrong passwords from one address, then one a
    /// minute; twenty at one account from anywhere, then one every 15 s (more than one address
    /// guessing at one a minute can spend).
    fn default() -> Self {
        Self {
            per_client: budget(60, 1),
            per_account_and_client: budget(5, 60),
            per_account: budget(20, 15),
        }
    }
}

impl SignInLimits {
    /// API clients asking for tokens: a wrong secret is a misconfigured system more often than a
    /// guesser, and a secret of 256 random bits is not guessed, so the budgets are wider.
    pub fn token_requests() -> Self {
        Self {
            per_client: budget(60, 1),
            per_account_and_client: budget(10, 6),
            per_account: budget(30, 2),
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

type Limiter<K, M> = RateLimiter<K, DefaultKeyedStateStore<K>, InjectedClock, M>;

/// Keys not seen for a while are forgotten once a table holds this many, so memory stays bounded.
const FORGET_ABOVE_KEYS: usize = 100_000;

fn quota(budget: AttemptBudget) -> Quota {
    let burst = NonZeroU32::new(budget.burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(budget.refill_every.max(StdDuration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// Failures at one account from any address. governor cannot look at a budget without spending
/// from it, so the failure that spends the last of it records until when the account must wait,
/// and attempts read that record.
struct AccountFailures {
    failures: Limiter<String, StateInformationMiddleware>,
    refill_every: StdDuration,
    spent_until: moka::sync::Cache<String, StdDuration>,
}

impl AccountFailures {
    fn new(budget: AttemptBudget, clock: InjectedClock) -> Self {
        Self {
            failures: Limiter::<String, StateInformationMiddleware>::new(
                quota(budget),
                DefaultKeyedStateStore::default(),
                clock,
            ),
            refill_every: budget.refill_every,
            spent_until: moka::sync::Cache::new(FORGET_ABOVE_KEYS as u64),
        }
    }

    /// How long `account` must still wait, if its budget is spent.
    fn wait(&self, account: &String, now: StdDuration) -> Option<StdDuration> {
        self.spent_until
            .get(account)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    fn record(&self, account: &String, now: StdDuration) {
        forget_old_keys(&self.failures);
        let spent_until = match self.failures.check_key(account) {
            Ok(state) if state.remaining_burst_capacity() == 0 => now + self.refill_every,
            Ok(_) => return,
            Err(not_until) => not_until.earliest_possible(),
        };
        self.spent_until.insert(account.clone(), spent_until);
    }
}

fn forget_old_keys<K: Hash + Eq + Clone, M: governor::middleware::RateLimitingMiddleware<StdDuration>>(
    limiter: &Limiter<K, M>,
) {
    if limiter.len() > FORGET_ABOVE_KEYS {
        limiter.retain_recent();
    }
}

/// One account at one client address.
type Pair = (String, IpAddr);

/// The sign-in budgets of this instance, for one kind of sign-in.
pub struct SignInThrottle {
    clock: InjectedClock,
    per_client: Limiter<IpAddr, NoOpMiddleware<StdDuration>>,
    /// Keyed by the pair and its generation: a success moves the pair to a fresh generation.
    per_pair: Limiter<(Pair, u64), NoOpMiddleware<StdDuration>>,
    generations: moka::sync::Cache<Pair, u64>,
    /// When each pair last failed, remembered while its budget refills whole.
    failed_at: moka::sync::Cache<Pair, StdDuration>,
    failure_memory: StdDuration,
    per_account: AccountFailures,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInThrottle").finish_non_exhaustive()
    }
}

impl SignInThrottle {
    pub fn new(limits: SignInLimits, clock: SharedClock) -> Self {
        let clock = InjectedClock(clock);
        let pair_budget = limits.per_account_and_client;
        Self {
            per_client: RateLimiter::new(
                quota(limits.per_client),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            per_pair: RateLimiter::new(quota(pair_budget), DefaultKeyedStateStore::default(), clock.clone()),
            generations: moka::sync::Cache::new(FORGET_ABOVE_KEYS as u64),
            failed_at: moka::sync::Cache::new(FORGET_ABOVE_KEYS as u64),
            failure_memory: pair_budget.refill_every * pair_budget.burst,
            per_account: AccountFailures::new(limits.per_account, clock.clone()),
            clock,
        }
    }

    /// Before checking a password for `account` (an e-mail address, or an API client's id) from
    /// `client`: spends one attempt of the address's budget and of the pair's, and refuses while
    /// the account's failures are spent if this address has itself failed here.
    pub fn before_attempt(&self, account: &str, client: IpAddr) -> Result<(), Throttled> {
        self.spend(&self.per_client, &client)?;
        let pair = (account.to_owned(), client);
        let generation = self.generations.get(&pair).unwrap_or_default();
        self.spend(&self.per_pair, &(pair.clone(), generation))?;
        let now = self.clock.now();
        let failed_here = self
            .failed_at
            .get(&pair)
            .is_some_and(|at| now.saturating_sub(at) < self.failure_memory);
        match self.per_account.wait(&pair.0, now).filter(|_| failed_here) {
            Some(retry_after) => Err(Throttled { retry_after }),
            None => Ok(()),
        }
    }

    /// After a wrong password (or secret) for `account` from `client`.
    pub fn failed(&self, account: &str, client: IpAddr) {
        let now = self.clock.now();
        self.failed_at.insert((account.to_owned(), client), now);
        self.per_account.record(&account.to_owned(), now);
    }

    /// After a correct one: the pair starts afresh, as if it had never tried.
    pub fn succeeded(&self, account: &str, client: IpAddr) {
        let pair = (account.to_owned(), client);
        let next = self.generations.get(&pair).unwrap_or_default() + 1;
        self.failed_at.invalidate(&pair);
        self.generations.insert(pair, next);
    }

    /// Spends one attempt of `client`'s budget only: for returns from a firm's identity
    /// provider, which name no account until they are checked, and for requests that name no
    /// account at all.
    pub fn check_address(&self, client: IpAddr) -> Result<(), Throttled> {
        self.spend(&self.per_client, &client)
    }

    fn spend<K: Hash + Eq + Clone>(
        &self,
        limiter: &Limiter<K, NoOpMiddleware<StdDuration>>,
        key: &K,
    ) -> Result<(), Throttled> {
        forget_old_keys(limiter);
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
    use std::net::Ipv4Addr;
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

    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const ADA: &str = "ada@example.com";

    fn address(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, n))
    }

    /// Tries `account` from `client`, failing when allowed to try; whether it was allowed.
    fn guess(throttle: &SignInThrottle, account: &str, client: IpAddr) -> bool {
        let allowed = throttle.before_attempt(account, client).is_ok();
        if allowed {
            throttle.failed(account, client);
        }
        allowed
    }

    #[test]
    fn one_address_gets_five_wrong_passwords_then_one_a_minute() {
        let (throttle, clock) = throttle();
        assert_eq!((0..10).filter(|_| guess(&throttle, ADA, HOME)).count(), 5);
        let refused = throttle.before_attempt(ADA, HOME).expect_err("sixth try");
        assert_eq!(refused.retry_after, StdDuration::from_secs(60));
        clock.advance(time::Duration::seconds(59));
        assert!(throttle.before_attempt(ADA, HOME).is_err());
        clock.advance(time::Duration::seconds(1));
        assert!(guess(&throttle, ADA, HOME));
        assert!(!guess(&throttle, ADA, HOME), "then one a minute");
        assert!(
            guess(&throttle, "bob@example.com", HOME),
            "another account has its own budget"
        );
    }

    #[test]
    fn correct_passwords_spend_nothing() {
        let (throttle, _) = throttle();
        for _ in 0..30 {
            assert_eq!(throttle.before_attempt(ADA, HOME), Ok(()));
            throttle.succeeded(ADA, HOME);
        }
    }

    #[test]
    fn attempts_in_flight_count_before_their_outcome() {
        let (throttle, _) = throttle();
        let allowed = (0..100).filter(|_| throttle.before_attempt(ADA, HOME).is_ok()).count();
        assert_eq!(allowed, 5, "a burst of parallel guesses gets exactly the budget");
    }

    #[test]
    fn a_stranger_guessing_never_keeps_the_owner_out() {
        let (throttle, clock) = throttle();
        let stranger = address(66);
        for _ in 0..130 {
            guess(&throttle, ADA, stranger);
            assert_eq!(throttle.before_attempt(ADA, HOME), Ok(()), "the owner signs in");
            throttle.succeeded(ADA, HOME);
            clock.advance(time::Duration::seconds(10));
        }
    }

    #[test]
    fn guessing_from_many_addresses_is_slowed_at_the_account() {
        let (throttle, clock) = throttle();
        // Twenty addresses spend the account's failures; from then on an address that has
        // failed here waits for the account, while a fresh one (the owner) is let through.
        assert!((1..=20).all(|n| guess(&throttle, ADA, address(n))));
        let refused = throttle
            .before_attempt(ADA, address(1))
            .expect_err("the account is spent");
        assert_eq!(refused.retry_after, StdDuration::from_secs(15));
        assert_eq!(throttle.before_attempt(ADA, HOME), Ok(()));
        clock.advance(time::Duration::seconds(15));
        assert!(guess(&throttle, ADA, address(1)));
        assert!(!guess(&throttle, ADA, address(2)), "one failure per 15 s from then on");
    }

    #[test]
    fn one_address_spreading_over_accounts_is_stopped_too() {
        let (throttle, _) = throttle();
        let allowed = (0..100)
            .filter(|n| throttle.before_attempt(&format!("user{n}@example.com"), HOME).is_ok())
            .count();
        assert_eq!(allowed, 60);
        assert_eq!(throttle.before_attempt("user0@example.com", address(2)), Ok(()));
    }
}
