//! Providers' discovery documents and key sets, fetched once and kept by this instance.
//!
//! The `openidconnect` crate fetches the key set with the document and never again, but
//! providers rotate keys: when an ID token names a key the kept set does not have, the flow calls
//! [`Directory::discover`] once more (see `flow.rs`). Documents are also refreshed after
//! [`KEEP_FOR`], so a provider that changed its endpoints is followed within the hour.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use openidconnect::ProviderMetadataWithLogout as ProviderDocument;
use openidconnect::{DiscoveryError, IssuerUrl};
use time::{Duration, OffsetDateTime};

/// How long a fetched document is used before it is fetched again.
pub const KEEP_FOR: Duration = Duration::hours(1);

/// Why discovery failed, in words for the person configuring or using the provider.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DiscoveryFailure {
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider answered with an unusable discovery document: {0}")]
    Misconfigured(String),
}

/// The HTTP client that talks to providers, and what it fetched.
pub struct Directory {
    http: openidconnect::reqwest::Client,
    kept: RwLock<HashMap<String, (Arc<ProviderDocument>, OffsetDateTime)>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").finish_non_exhaustive()
    }
}

impl Directory {
    pub fn new() -> anyhow::Result<Self> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // A provider's redirect could send the platform's requests anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            kept: RwLock::default(),
        })
    }

    pub(crate) fn http(&self) -> &openidconnect::reqwest::Client {
        &self.http
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
        let doc = ProviderDocument::discover_async(url, &self.http).await.map_err(|err| {
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
        DiscoveryError::Request(cause) => DiscoveryFailure::Unreachable(innermost(cause)),
        DiscoveryError::Response(status, _, _) => {
            DiscoveryFailure::Misconfigured(format!("the discovery address answered HTTP {status}"))
        }
        DiscoveryError::Parse(cause) => {
            DiscoveryFailure::Misconfigured(format!("it is not a discovery document ({cause})"))
        }
        DiscoveryError::Validation(why) => DiscoveryFailure::Misconfigured(why.clone()),
        other => DiscoveryFailure::Misconfigured(other.to_string()),
    }
}

/// The root cause of an HTTP failure ("connection refused"), which is what a person can act on.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
