use certify_accounts::{ClientTokenSettings, SessionSettings, SignInThrottle};
use std::sync::Arc;

use certify_certificates::{IssuerSettings, VerificationCache};
use certify_core::SharedClock;
use certify_exams::{Candidate, PassHook};
use certify_progress::{BreakdownCache, Goal, LiveHeadline};
use sea_orm::DatabaseConnection;

/// What every handler may use. Cheap to clone: the pool and the clock are shared.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: SharedClock,
    pub sessions: SessionSettings,
    /// Password-guessing budgets per e-mail address and per client address.
    pub sign_in_throttle: Arc<SignInThrottle>,
    /// Token-request budgets per API client id and per client address.
    pub token_throttle: Arc<SignInThrottle>,
    /// How long an API client's access token lives.
    pub client_tokens: ClientTokenSettings,
    /// Firms' identity providers as this instance discovered them, and the client that asks.
    pub sso: Arc<certify_sso::Directory>,
    /// Runs inside the transaction that finalises a passed attempt.
    pub pass_hook: Arc<dyn PassHook>,
    /// Who issues certificates and where they are verified.
    pub issuer: IssuerSettings,
    /// Verification answers of this instance, kept fresh by the certificate change feed.
    pub certificate_cache: Arc<VerificationCache>,
    /// The programme's target and deadline.
    pub goal: Goal,
    /// The headline as this instance last read it, for live subscribers.
    pub live_headline: Arc<LiveHeadline>,
    /// The breakdowns as this instance last computed them, per version of the counters.
    pub breakdowns: Arc<BreakdownCache>,
    /// How often one client address may look certificates up.
    pub verify_rate_limit: RateLimit,
}

impl AppState {
    /// Where identity providers send people back: register this at the provider.
    pub fn sso_redirect_uri(&self) -> String {
        format!(
            "{}/sign-in/sso/callback",
            self.issuer.public_base_url.trim_end_matches('/')
        )
    }

    /// A password tried from `from`, against the sign-in budgets (signing in, or proving who one
    /// is before changing one's password).
    pub fn sign_in_attempt(&self, from: std::net::IpAddr) -> certify_accounts::Attempt<'_> {
        certify_accounts::Attempt {
            throttle: &self.sign_in_throttle,
            from,
        }
    }

    /// A consultant's dealings with their attempts as of now.
    pub fn candidate(&self, account_id: uuid::Uuid) -> Candidate<'_, DatabaseConnection> {
        Candidate {
            db: &self.db,
            now: self.clock.now(),
            account_id,
            hook: self.pass_hook.as_ref(),
        }
    }

    /// Applies this instance's own committed change to its verification cache at once, so that
    /// the caller's next look-up sees it (other instances see it at their next poll of the feed;
    /// if the feed cannot be read now, the next poll applies it). Exam paths need not call it:
    /// the pass hook does, after the commit that issued a certificate.
    pub async fn refresh_verification_answers(&self) {
        if let Err(err) = self.certificate_cache.follow_changes(&self.db).await {
            tracing::warn!(error = %err, "could not read the certificate change feed");
        }
    }
}

/// A per-client-address budget: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}
