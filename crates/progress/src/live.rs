//! The headline as it changes, for live subscribers on this instance.
//!
//! Each instance polls the totals row (one O(1) read, shared by all of its subscribers) and
//! publishes what changed; since every instance reads the same row, every instance's
//! subscribers see every change, whichever instance made it.

use sea_orm::ConnectionTrait;
use tokio::sync::watch;

use crate::ProgressError;
use crate::ledger::{Headline, headline};

#[derive(Debug)]
pub struct LiveHeadline {
    sender: watch::Sender<Headline>,
}

impl LiveHeadline {
    pub fn new(initial: Headline) -> Self {
        Self {
            sender: watch::Sender::new(initial),
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<Headline> {
        self.sender.subscribe()
    }

    /// Reads the headline and tells subscribers if its numbers changed; true if they did.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<bool, ProgressError> {
        let latest = headline(db).await?;
        Ok(self.sender.send_if_modified(|current| {
            let changed = (current.certified, current.ever_certified) != (latest.certified, latest.ever_certified);
            *current = latest;
            changed
        }))
    }
}
