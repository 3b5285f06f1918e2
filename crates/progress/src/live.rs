//! The headline as it changes, for live subscribers on this instance.
//!
//! Each instance polls the totals row (one O(1) read, shared by all of its subscribers) and
//! publishes what changed; since every instance reads the same row, every instance's
//! subscribers see every change, whichever instance made it. Closing ends every subscription, so
//! open streams do not hold up a graceful shutdown.

use sea_orm::ConnectionTrait;
use tokio::sync::watch;

use crate::ProgressError;
use crate::ledger::{Headline, headline};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Published {
    headline: Headline,
    closed: bool,
}

#[derive(Debug)]
pub struct LiveHeadline {
    sender: watch::Sender<Published>,
}

/// One subscriber's view: the current headline, then every change, until the instance closes.
#[derive(Debug)]
pub struct HeadlineUpdates {
    receiver: watch::Receiver<Published>,
    started: bool,
}

impl HeadlineUpdates {
    /// The headline now on the first call, then each time its numbers change; `None` once the
    /// instance is shutting down.
    pub async fn next(&mut self) -> Option<Headline> {
        if self.started {
            self.receiver.changed().await.ok()?;
        }
        self.started = true;
        let published = *self.receiver.borrow_and_update();
        (!published.closed).then_some(published.headline)
    }
}

impl LiveHeadline {
    pub fn new(initial: Headline) -> Self {
        Self {
            sender: watch::Sender::new(Published {
                headline: initial,
                closed: false,
            }),
        }
    }

    pub fn subscribe(&self) -> HeadlineUpdates {
        HeadlineUpdates {
            receiver: self.sender.subscribe(),
            started: false,
        }
    }

    /// Reads the headline and tells subscribers if its numbers changed; true if they did.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<bool, ProgressError> {
        let latest = headline(db).await?;
        Ok(self.sender.send_if_modified(|current| {
            let numbers = |h: &Headline| (h.certified, h.ever_certified);
            let changed = numbers(&current.headline) != numbers(&latest);
            current.headline = latest;
            changed
        }))
    }

    /// Ends every subscription (the instance is shutting down).
    pub fn close(&self) {
        self.sender.send_modify(|current| current.closed = true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_get_the_headline_at_once_and_end_when_closed() {
        let live = LiveHeadline::new(Headline {
            certified: 3,
            ever_certified: 4,
            version: 9,
        });
        let mut updates = live.subscribe();
        assert_eq!(updates.next().await.map(|h| h.certified), Some(3));
        live.close();
        assert_eq!(updates.next().await, None);
        assert_eq!(live.subscribe().next().await, None, "a late subscriber ends at once");
    }
}
