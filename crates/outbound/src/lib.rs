//! The one policy for every HTTP request the server makes on someone else's behalf (an identity
//! provider's discovery document, its keys and token endpoint; later, firms' webhooks).
//!
//! Whoever controls the address (a partner's discovery document names any URL it likes) must not
//! be able to make the server reach what only the server can reach — its own loopback, the
//! private network, a cloud's metadata service. So a request is sent only when:
//!
//! * the URL is `https` (plain `http` only to a loopback address, and only when
//!   [`OutboundPolicy::allow_loopback`] is set — tests and local providers);
//! * every address the host resolves to is public ([`addresses::is_public`]), checked by the
//!   connector itself on the resolved addresses, so a name that resolves to `127.0.0.1`, or that
//!   changes its answer between a check and the connection, is refused;
//! * no redirect is followed, the whole exchange takes at most [`TIMEOUT`], and the answer is at
//!   most [`MAX_ANSWER_BYTES`].
//!
//! Every failure reads the same to the person who configured the address ([`OutboundError`]'s
//! message does not say whether a port was open, closed or refused by the policy); the reason
//! goes to the server's log.

pub mod addresses;
mod resolver;

use std::sync::Arc;
use std::time::Duration;

pub use http;

/// How long a whole request may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting (name resolution included) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read; discovery documents and key sets are a few kilobytes.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// What outbound requests may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Loopback addresses, over http or https: only for tests and a provider on this machine.
    pub allow_loopback: bool,
}

impl OutboundPolicy {
    /// Whether a request may connect to `ip`.
    pub fn admits(self, ip: std::net::IpAddr) -> bool {
        addresses::is_public(ip) || (self.allow_loopback && addresses::is_loopback(ip))
    }
}

/// Why a request was not answered. Shown to people as one sentence whatever the reason; the
/// reason itself is for the log.
#[derive(Debug, thiserror::Error)]
#[error("the address could not be reached")]
pub struct OutboundError {
    reason: String,
}

impl OutboundError {
    fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into() }
    }

    /// What actually went wrong, for the server's log only.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// An HTTP client that follows [`OutboundPolicy`]. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    http: reqwest::Client,
    policy: OutboundPolicy,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Outbound {
    pub fn new(policy: OutboundPolicy) -> Result<Self, OutboundError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the checked resolver.
            .no_proxy()
            .dns_resolver(Arc::new(resolver::CheckedResolver::new(policy)))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .build()
            .map_err(|err| OutboundError::new(format!("building the HTTP client: {err}")))?;
        Ok(Self { http, policy })
    }

    pub fn policy(&self) -> OutboundPolicy {
        self.policy
    }

    /// Whether the policy lets a request go to `url` as far as the URL alone tells (scheme, and
    /// the address when the host is written as one); names are checked once resolved.
    pub fn check_url(&self, url: &url::Url) -> Result<(), OutboundError> {
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_address(ip.into())?,
            Some(url::Host::Ipv6(ip)) => self.check_address(ip.into())?,
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => return Err(OutboundError::new(format!("{url} names no host"))),
        };
        match url.scheme() {
            "https" => Ok(()),
            "http" if loopback && self.policy.allow_loopback => Ok(()),
            other => Err(OutboundError::new(format!("{url}: the scheme {other} is not allowed"))),
        }
    }

    /// Whether `ip` may be reached; `Ok(true)` for a loopback address the policy allows.
    fn check_address(&self, ip: std::net::IpAddr) -> Result<bool, OutboundError> {
        if self.policy.admits(ip) {
            Ok(addresses::is_loopback(ip))
        } else {
            Err(OutboundError::new(format!("{ip} is not a public address")))
        }
    }

    /// Sends `request` under the policy and reads the whole answer (of any status).
    pub async fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, OutboundError> {
        let target = request.uri().to_string();
        let answer = self.exchange(request).await;
        if let Err(err) = &answer {
            tracing::warn!(target, reason = err.reason(), "outbound request refused or failed");
        }
        answer
    }

    async fn exchange(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, OutboundError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|err| OutboundError::new(format!("not a request reqwest can send: {err}")))?;
        self.check_url(request.url())?;
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|err| OutboundError::new(chain(&err)))?;
        if response
            .content_length()
            .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
        {
            return Err(OutboundError::new("the answer is larger than allowed"));
        }
        let mut builder = http::Response::builder()
            .status(response.status())
            .version(response.version());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|err| OutboundError::new(chain(&err)))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(OutboundError::new("the answer is larger than allowed"));
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(body).map_err(|err| OutboundError::new(err.to_string()))
    }
}

/// An error and its causes on one line ("error sending request: … : address refused").
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
