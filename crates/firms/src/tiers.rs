//! Partner tiers: a firm's tier follows from how many of its consultants hold an active
//! certificate, and the forecast says when that tier is lost if nothing else changes.
//!
//! Pure rules over plain values; the store counts and supplies the expiry dates.

use std::collections::BTreeMap;

use time::OffsetDateTime;

/// The partner tiers, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Registered,
    Select,
    Advanced,
    Premier,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Registered, Tier::Select, Tier::Advanced, Tier::Premier];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Registered => "registered",
            Tier::Select => "select",
            Tier::Advanced => "advanced",
            Tier::Premier => "premier",
        }
    }

    fn next(self) -> Option<Tier> {
        match self {
            Tier::Registered => Some(Tier::Select),
            Tier::Select => Some(Tier::Advanced),
            Tier::Advanced => Some(Tier::Premier),
            Tier::Premier => None,
        }
    }
}

/// The fewest active certified consultants each tier needs. Registered always needs 0: every firm
/// has a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierThresholds {
    select: u32,
    advanced: u32,
    premier: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tier thresholds must rise strictly and stay within reach: 0 < select < advanced < premier <= 1000000")]
pub struct InvalidThresholds;

impl Default for TierThresholds {
    /// The programme's published defaults: Select 10, Advanced 50, Premier 250.
    fn default() -> Self {
        Self {
            select: 10,
            advanced: 50,
            premier: 250,
        }
    }
}

impl TierThresholds {
    /// No threshold may ask for more consultants than this (the column is a 32-bit integer, and
    /// no firm is that large).
    pub const MAX: u32 = 1_000_000;

    pub fn new(select: u32, advanced: u32, premier: u32) -> Result<Self, InvalidThresholds> {
        if 0 < select && select < advanced && advanced < premier && premier <= Self::MAX {
            Ok(Self {
                select,
                advanced,
                premier,
            })
        } else {
            Err(InvalidThresholds)
        }
    }

    pub fn minimum(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Registered => 0,
            Tier::Select => self.select,
            Tier::Advanced => self.advanced,
            Tier::Premier => self.premier,
        }
    }

    /// The highest tier whose minimum `active` reaches.
    pub fn tier_for(&self, active: u32) -> Tier {
        Tier::ALL
            .into_iter()
            .rev()
            .find(|tier| active >= self.minimum(*tier))
            .unwrap_or(Tier::Registered)
    }

    /// How many firms are in each tier, given each firm's active certified headcount.
    pub fn distribution(&self, headcounts: impl IntoIterator<Item = u32>) -> BTreeMap<Tier, u32> {
        let mut firms: BTreeMap<Tier, u32> = Tier::ALL.into_iter().map(|tier| (tier, 0)).collect();
        for active in headcounts {
            *firms.entry(self.tier_for(active)).or_default() += 1;
        }
        firms
    }
}

/// Where a firm stands and what threatens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierForecast {
    pub tier: Tier,
    /// Consultants of the firm holding at least one active certificate.
    pub active: u32,
    /// When the firm falls below its current tier as certificates expire, if nothing else
    /// changes; `None` for the lowest tier, which cannot be lost.
    pub falls_below_on: Option<OffsetDateTime>,
    pub next_tier: Option<Tier>,
    /// How many more active certified consultants reach the next tier.
    pub needed_for_next: Option<u32>,
}

/// Forecasts a firm's tier from when each of its actively certified consultants stops being
/// certified (the latest expiry among that consultant's active certificates, one per consultant).
///
/// With `n` active consultants and a tier minimum of `m`, the tier holds while at least `m`
/// remain, so it is lost at the `(n - m + 1)`-th expiry in date order.
pub fn forecast(thresholds: &TierThresholds, mut certified_until: Vec<OffsetDateTime>) -> TierForecast {
    let active = u32::try_from(certified_until.len()).unwrap_or(u32::MAX);
    let tier = thresholds.tier_for(active);
    let minimum = thresholds.minimum(tier);
    let falls_below_on = if minimum == 0 {
        None
    } else {
        certified_until.sort_unstable();
        certified_until.get((active - minimum) as usize).copied()
    };
    let next_tier = tier.next();
    TierForecast {
        tier,
        active,
        falls_below_on,
        next_tier,
        needed_for_next: next_tier.map(|next| thresholds.minimum(next) - active),
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);

    fn days(offsets: &[i64]) -> Vec<OffsetDateTime> {
        offsets.iter().map(|d| NOW + Duration::days(*d)).collect()
    }

    #[test]
    fn the_tier_is_the_highest_minimum_reached() {
        let t = TierThresholds::default();
        let tiers: Vec<Tier> = [0, 9, 10, 49, 50, 249, 250, 10_000]
            .into_iter()
            .map(|n| t.tier_for(n))
            .collect();
        use Tier::*;
        assert_eq!(
            tiers,
            [
                Registered, Registered, Select, Select, Advanced, Advanced, Premier, Premier
            ]
        );
    }

    #[test]
    fn thresholds_must_rise_strictly() {
        assert!(TierThresholds::new(1, 2, 3).is_ok());
        for (s, a, p) in [(0, 2, 3), (5, 5, 6), (5, 6, 6), (9, 8, 10)] {
            assert_eq!(TierThresholds::new(s, a, p), Err(InvalidThresholds), "{s} {a} {p}");
        }
    }

    #[test]
    fn the_tier_is_lost_at_the_expiry_that_takes_it_below_its_minimum() {
        let t = TierThresholds::new(2, 4, 6).expect("valid");
        // Five active: Advanced (minimum 4). The second expiry in date order leaves three.
        let f = forecast(&t, days(&[300, 10, 200, 40, 500]));
        assert_eq!(f.tier, Tier::Advanced);
        assert_eq!(f.active, 5);
        assert_eq!(f.falls_below_on, Some(NOW + Duration::days(40)));
        assert_eq!((f.next_tier, f.needed_for_next), (Some(Tier::Premier), Some(1)));
    }

    #[test]
    fn exactly_at_the_minimum_the_first_expiry_loses_the_tier() {
        let t = TierThresholds::new(2, 4, 6).expect("valid");
        let f = forecast(&t, days(&[90, 30]));
        assert_eq!(f.tier, Tier::Select);
        assert_eq!(f.falls_below_on, Some(NOW + Duration::days(30)));
        assert_eq!(f.needed_for_next, Some(2));
    }

    #[test]
    fn the_lowest_tier_cannot_be_lost_and_the_highest_has_no_next() {
        let t = TierThresholds::new(2, 4, 6).expect("valid");
        let none = forecast(&t, Vec::new());
        assert_eq!((none.tier, none.falls_below_on), (Tier::Registered, None));
        assert_eq!(none.needed_for_next, Some(2));
        let top = forecast(&t, days(&[1, 2, 3, 4, 5, 6, 7]));
        assert_eq!(top.tier, Tier::Premier);
        assert_eq!(top.falls_below_on, Some(NOW + Duration::days(2)));
        assert_eq!((top.next_tier, top.needed_for_next), (None, None));
    }
}
