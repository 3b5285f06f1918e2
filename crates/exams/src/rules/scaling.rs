//! Raw score → scaled score. The scale runs from 100 to 1000 and is piecewise-linear with its
//! knee at the cut: raw 0 → 100, the raw cut → the scaled cut exactly, a perfect raw score → 1000.
//! So a pass on the raw scale is always a pass on the scaled one, whatever the form length.

use std::fmt;

/// A score on the 100–1000 reporting scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScaledScore(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be between {min} and {max}", min = ScaledScore::MIN, max = ScaledScore::MAX)]
pub struct InvalidScaledScore;

impl ScaledScore {
    pub const MIN: u16 = 100;
    pub const MAX: u16 = 1000;
    /// What most certification bodies use: 720 of 1000.
    pub const DEFAULT_CUT: ScaledScore = ScaledScore(720);

    pub fn parse(value: i64) -> Result<Self, InvalidScaledScore> {
        u16::try_from(value)
            .ok()
            .filter(|v| (Self::MIN..=Self::MAX).contains(v))
            .map(Self)
            .ok_or(InvalidScaledScore)
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ScaledScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The number of correct answers needed to pass a form of `items` items when `cut_percent` of
/// them must be right (rounded up: 70 % of 45 items is 32 items, not 31.5).
pub fn raw_cut(items: u32, cut_percent: u8) -> u32 {
    (items * u32::from(cut_percent)).div_ceil(100)
}

/// Maps `raw` correct answers out of `max_raw` onto the scale, with `raw_cut` landing exactly on
/// `cut`. Below the cut the result is rounded down and above it rounded down too, so rounding
/// can never turn a fail into a pass.
pub fn scale(raw: u32, max_raw: u32, raw_cut: u32, cut: ScaledScore) -> ScaledScore {
    let (min, max, cut) = (
        u64::from(ScaledScore::MIN),
        u64::from(ScaledScore::MAX),
        u64::from(cut.get()),
    );
    let (raw, max_raw, raw_cut) = (
        u64::from(raw.min(max_raw)),
        u64::from(max_raw),
        u64::from(raw_cut.min(max_raw)),
    );
    let scaled = if raw >= raw_cut {
        if max_raw == raw_cut {
            // Only a perfect score passes; it is the top of the scale.
            max
        } else {
            cut + (max - cut) * (raw - raw_cut) / (max_raw - raw_cut)
        }
    } else {
        // raw < raw_cut implies raw_cut > 0.
        min + (cut - min) * raw / raw_cut
    };
    ScaledScore(u16::try_from(scaled).unwrap_or(ScaledScore::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CUT: ScaledScore = ScaledScore::DEFAULT_CUT;

    #[test]
    fn the_ends_and_the_cut_map_exactly() {
        assert_eq!(scale(0, 40, 28, CUT).get(), 100);
        assert_eq!(scale(28, 40, 28, CUT).get(), 720);
        assert_eq!(scale(40, 40, 28, CUT).get(), 1000);
    }

    #[test]
    fn one_below_the_cut_fails_and_one_above_passes() {
        for max_raw in 1..=200 {
            for pct in [50_u8, 70, 72, 85, 100] {
                let cut_raw = raw_cut(max_raw, pct);
                if cut_raw == max_raw {
                    // No room above the cut: blueprints refuse this (see `Blueprint::parse`).
                    assert_eq!(scale(max_raw, max_raw, cut_raw, CUT).get(), 1000);
                    continue;
                }
                if cut_raw > 0 {
                    assert!(
                        scale(cut_raw - 1, max_raw, cut_raw, CUT) < CUT,
                        "{max_raw} items, {pct} %"
                    );
                }
                assert_eq!(scale(cut_raw, max_raw, cut_raw, CUT), CUT, "{max_raw} items, {pct} %");
            }
        }
    }

    #[test]
    fn scaling_is_monotonic_between_the_knots() {
        let mut previous = scale(0, 60, 42, CUT);
        for raw in 1..=60 {
            let next = scale(raw, 60, 42, CUT);
            assert!(next >= previous, "raw {raw}");
            previous = next;
        }
        assert_eq!(
            scale(21, 60, 42, CUT).get(),
            410,
            "half way to the cut is half way from 100 to 720"
        );
    }

    #[test]
    fn raw_cut_rounds_up() {
        assert_eq!(raw_cut(45, 70), 32);
        assert_eq!(raw_cut(40, 70), 28);
        assert_eq!(raw_cut(40, 100), 40);
        assert_eq!(raw_cut(40, 0), 0);
    }

    #[test]
    fn scaled_scores_parse_within_the_scale() {
        assert!(ScaledScore::parse(99).is_err());
        assert!(ScaledScore::parse(1001).is_err());
        assert_eq!(ScaledScore::parse(720), Ok(CUT));
    }
}
