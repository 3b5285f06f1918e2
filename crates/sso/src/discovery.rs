//! Providers' discovery documents and key sets, fetched once and kept by this instance.
//!
//! The `openidconnect` crate fetches the key set with the document and never again, but
//! providers rotate keys: when an ID token names a key the kept set does not have, the flow calls
//! [`Directory::discover`] once more (see `flow.rs`). Documents are also refreshed after
//! [`KEEP_FOR`], so a provider that changed its endpoints is followed within the hour.
//!
//! Every request to a provider (its document, its keys, its token endpoint) goes through
//! [`certify_outbound::Outbound`]: the addresses come from the partner's own document, so they
//! are held to the outbound policy (https, public addresses only, no redirects, bounded).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use certify_outbound::{Outbound, OutboundError, OutboundPolicy};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, DiscoveryError, EndSessionUrl, HttpRequest, HttpResponse, IssuerUrl, ProviderMetadata,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// What the platform reads from a discovery document beyond the core fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Extras {
    /// Where to sign out at the provider (OpenID Connect RP-Initiated Logout).
    pub end_session_endpoint: Option<EndSessionUrl>,
    /// The provider names itself (`iss`) on every answer to the browser (RFC 9207): then an
    /// answer without it cannot be from this provider, and is refused.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for Extras {}

/// A provider's discovery document as the platform reads it.
pub type ProviderDocument = ProviderMetadata<
    Extras,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// How long a fetched document is used before it is fetched again.
pub const KEEP_FOR: Duration = Duration::hours(1);

/// Why discovery failed, in words for the person configuring or using the provider.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DiscoveryFailure {
    /// Refused by the outbound policy, not answered, or answered with an error status: one
    /// message for all, so the answer does not map someone else's network.
    #[error("the provider could not be reached")]
    Unreachable,
    #[error("the provider answered with an unusable discovery document: {0}")]
    Misconfigured(String),
}

/// The HTTP client that talks to providers, and what it fetched.
pub struct Directory {
    outbound: Outbound,
    kept: RwLock<HashMap<String, (Arc<ProviderDocument>, OffsetDateTime)>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").finish_non_exhaustive()
    }
}

impl Directory {
    pub fn new(policy: OutboundPolicy) -> anyhow::Result<Self> {
        Ok(Self {
            outbound: Outbound::new(policy)?,
            kept: RwLock::default(),
        })
    }

    pub fn policy(&self) -> OutboundPolicy {
        self.outbound.policy()
    }

    /// The client `openidconnect` calls providers through: every request under the policy.
    pub(crate) fn http(
        &self,
    ) -> impl Fn(HttpRequest) -> std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, OutboundError>> + Send>>
    {
        let outbound = self.outbound.clone();
        move |request| {
            let outbound = outbound.clone();
            Box::pin(async move { outbound.send(request).await })
        }
    }

    /// The provider's document: the kept one while fresh, else fetched.
    pub async fn metadata(&self, issuer: &str, now: OffsetDateTime) -> Result<Arc<ProviderDocument>, DiscoveryFailure> {
        let kept = self.kept.read().ok().and_then(|kept| {
            kept.get(issuer)
                .filter(|(_, at)| now - *at < KEEP_FOR)
                .map(|(doc, _)| Arc::clone(doc))
        });
        match kept {
            Some(doc) => Ok(doc),
            None => self.discover(issuer, now).await,
        }
    }

    /// Fetches the provider's document and key set now, and keeps them.
    pub async fn discover(&self, issuer: &str, now: OffsetDateTime) -> Result<Arc<ProviderDocument>, DiscoveryFailure> {
        let url = IssuerUrl::new(issuer.to_owned()).map_err(|err| DiscoveryFailure::Misconfigured(err.to_string()))?;
        let doc = ProviderDocument::discover_async(url, &self.http())
            .await
            .map_err(|err| {
                let failure = describe(&err);
                tracing::warn!(issuer, error = %failure, "OpenID provider discovery failed");
                failure
            })?;
        let doc = Arc::new(doc);
        if let Ok(mut kept) = self.kept.write() {
            kept.insert(issuer.to_owned(), (Arc::clone(&doc), now));
        }
        Ok(doc)
    }
}

fn describe<E: std::error::Error + 'static>(err: &DiscoveryError<E>) -> DiscoveryFailure {
    match err {
        DiscoveryError::Request(_) | DiscoveryError::Response(..) => DiscoveryFailure::Unreachable,
        DiscoveryError::Parse(cause) => {
            DiscoveryFailure::Misconfigured(format!("it is not a discovery document ({cause})"))
        }
        DiscoveryError::Validation(why) => DiscoveryFailure::Misconfigured(why.clone()),
        other => DiscoveryFailure::Misconfigured(other.to_string()),
    }
}
