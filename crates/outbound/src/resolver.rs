//! Name resolution that refuses names resolving to addresses the policy does not admit. The
//! client connects only to the addresses returned here, so the address checked is the address
//! used (no window for a name to change its answer in between).

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::OutboundPolicy;

pub(crate) struct CheckedResolver {
    policy: OutboundPolicy,
}

impl CheckedResolver {
    pub(crate) fn new(policy: OutboundPolicy) -> Self {
        Self { policy }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{name} resolves to {address}, which is not a public address")]
struct NotPublic {
    name: String,
    address: std::net::IpAddr,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            // All or nothing: a name with one private answer among public ones is refused.
            if let Some(refused) = found.iter().find(|address| !policy.admits(address.ip())) {
                return Err(Box::new(NotPublic {
                    name: host,
                    address: refused.ip(),
                }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}
