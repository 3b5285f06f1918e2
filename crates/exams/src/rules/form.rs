//! Assembling a random form from a blueprint. The draw is a pure function of the seed and the
//! bank, so a stored seed lets anyone reproduce (and audit) the form an attempt was given.

use rand::SeedableRng as _;
use rand::seq::{IndexedRandom as _, SliceRandom as _};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// How many items a form draws from one domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainDraw {
    pub domain_id: Uuid,
    pub items: u32,
}

/// An item that may be drawn: active, in its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub item_id: Uuid,
    pub domain_id: Uuid,
    pub option_ids: Vec<String>,
}

/// One item of an assembled form, with the order its options are shown in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormItem {
    pub item_id: Uuid,
    pub domain_id: Uuid,
    pub option_order: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("domain {domain_id} needs {needed} active items but has {available}")]
pub struct NotEnoughItems {
    pub domain_id: Uuid,
    pub needed: u32,
    pub available: usize,
}

/// Draws each domain's share of items at random, shuffles the form and every item's options.
pub fn assemble(seed: u64, blueprint: &[DomainDraw], bank: &[Candidate]) -> Result<Vec<FormItem>, NotEnoughItems> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut form = Vec::new();
    for draw in blueprint {
        // Sorted so the same seed over the same bank always draws the same items.
        let mut pool: Vec<&Candidate> = bank.iter().filter(|c| c.domain_id == draw.domain_id).collect();
        pool.sort_by_key(|c| c.item_id);
        let needed = usize::try_from(draw.items).unwrap_or(usize::MAX);
        if pool.len() < needed {
            return Err(NotEnoughItems {
                domain_id: draw.domain_id,
                needed: draw.items,
                available: pool.len(),
            });
        }
        for candidate in pool.choose_multiple(&mut rng, needed) {
            let mut option_order = candidate.option_ids.clone();
            option_order.shuffle(&mut rng);
            form.push(FormItem {
                item_id: candidate.item_id,
                domain_id: candidate.domain_id,
                option_order,
            });
        }
    }
    form.shuffle(&mut rng);
    Ok(form)
}

/// The id a candidate is served for the option shown at `index` (0-based) on their form: its
/// letter, `A`, `B`, `C`, … Letters name where an option is shown, never which bank option it
/// is, and the order is shuffled per form, so a fixed answer pattern ("always B") is worth no
/// more than guessing whatever the bank's keys look like. Items have at most 8 options.
pub fn served_option_id(index: usize) -> String {
    u8::try_from(index)
        .ok()
        .filter(|i| *i < 26)
        .map_or_else(|| format!("Z{index}"), |i| char::from(b'A' + i).to_string())
}

/// The bank's id of the option served as `served` on a form showing `order`, if there is one.
pub fn bank_option_id<'a>(order: &'a [String], served: &str) -> Option<&'a str> {
    order
        .iter()
        .enumerate()
        .find(|(index, _)| served_option_id(*index) == served)
        .map(|(_, bank_id)| bank_id.as_str())
}

/// The served id of `bank_id` on a form showing `order`.
pub fn served_id_of(order: &[String], bank_id: &str) -> Option<String> {
    order.iter().position(|id| id == bank_id).map(served_option_id)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap, HashSet};

    use super::*;

    fn bank(domains: &[(Uuid, usize)]) -> Vec<Candidate> {
        let mut n = 0;
        let mut bank = Vec::new();
        for (domain_id, count) in domains {
            for _ in 0..*count {
                n += 1;
                bank.push(Candidate {
                    item_id: Uuid::from_u128(n),
                    domain_id: *domain_id,
                    option_ids: vec!["a".into(), "b".into(), "c".into(), "d".into()],
                });
            }
        }
        bank
    }

    #[test]
    fn forms_respect_the_blueprint_for_every_seed() {
        let (d1, d2, d3) = (Uuid::from_u128(101), Uuid::from_u128(102), Uuid::from_u128(103));
        let bank = bank(&[(d1, 12), (d2, 8), (d3, 5)]);
        let blueprint = [
            DomainDraw {
                domain_id: d1,
                items: 6,
            },
            DomainDraw {
                domain_id: d2,
                items: 4,
            },
            DomainDraw {
                domain_id: d3,
                items: 5,
            },
        ];
        for seed in 0..200 {
            let form = assemble(seed, &blueprint, &bank).expect("enough items");
            let mut per_domain: HashMap<Uuid, u32> = HashMap::new();
            for item in &form {
                *per_domain.entry(item.domain_id).or_default() += 1;
                let options: HashSet<&String> = item.option_order.iter().collect();
                assert_eq!(options.len(), 4, "every option shown once");
            }
            assert_eq!(per_domain, HashMap::from([(d1, 6), (d2, 4), (d3, 5)]), "seed {seed}");
            let distinct: HashSet<Uuid> = form.iter().map(|i| i.item_id).collect();
            assert_eq!(distinct.len(), form.len(), "no item twice");
        }
    }

    #[test]
    fn the_seed_reproduces_the_form_and_different_seeds_differ() {
        let d = Uuid::from_u128(7);
        let bank = bank(&[(d, 30)]);
        let blueprint = [DomainDraw {
            domain_id: d,
            items: 10,
        }];
        let a = assemble(42, &blueprint, &bank).expect("form");
        let mut shuffled_bank = bank.clone();
        shuffled_bank.reverse();
        assert_eq!(
            a,
            assemble(42, &blueprint, &shuffled_bank).expect("form"),
            "bank order does not matter"
        );
        assert_ne!(a, assemble(43, &blueprint, &bank).expect("form"));
    }

    #[test]
    fn every_item_and_option_order_gets_drawn_eventually() {
        let d = Uuid::from_u128(7);
        let bank = bank(&[(d, 10)]);
        let blueprint = [DomainDraw { domain_id: d, items: 3 }];
        let mut items = HashSet::new();
        let mut first_options = HashSet::new();
        for seed in 0..300 {
            for item in assemble(seed, &blueprint, &bank).expect("form") {
                items.insert(item.item_id);
                first_options.insert(item.option_order[0].clone());
            }
        }
        assert_eq!(items.len(), 10);
        assert_eq!(first_options.len(), 4);
    }

    #[test]
    fn served_ids_are_letters_that_map_back_to_the_bank() {
        let order: Vec<String> = ["c", "a", "d", "b"].into_iter().map(String::from).collect();
        let served: Vec<String> = (0..4).map(served_option_id).collect();
        assert_eq!(served, ["A", "B", "C", "D"]);
        assert_eq!(bank_option_id(&order, "B"), Some("a"));
        assert_eq!(bank_option_id(&order, "b"), None, "bank ids are not served ids");
        assert_eq!(bank_option_id(&order, "E"), None);
        assert_eq!(served_id_of(&order, "d").as_deref(), Some("C"));
    }

    /// The review's attack: a bank whose keys are all `b` (single choice) or `a,b,c` (multiple
    /// response). Over many forms the served id of the key is spread evenly over the letters,
    /// and no fixed pattern of answers reaches a 70 % cut.
    #[test]
    fn the_served_key_carries_no_information_about_the_bank() {
        use crate::rules::scaling::ScaledScore;
        use crate::rules::scoring::{Marked, score};

        let (single, multiple) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let options = |n: u8| -> Vec<String> { (0..n).map(|i| char::from(b'a' + i).to_string()).collect() };
        let mut bank = Vec::new();
        for n in 0..30_u128 {
            let (domain_id, option_ids) = if n < 20 {
                (single, options(4))
            } else {
                (multiple, options(5))
            };
            bank.push(Candidate {
                item_id: Uuid::from_u128(100 + n),
                domain_id,
                option_ids,
            });
        }
        let key_of = |domain_id: Uuid| -> BTreeSet<&str> {
            if domain_id == single {
                BTreeSet::from(["b"])
            } else {
                BTreeSet::from(["a", "b", "c"])
            }
        };
        let blueprint = [
            DomainDraw {
                domain_id: single,
                items: 20,
            },
            DomainDraw {
                domain_id: multiple,
                items: 10,
            },
        ];
        // Every single letter, each with a few fixed triples for the multiple-response items.
        let triples = [["A", "B", "C"], ["B", "C", "D"], ["C", "D", "E"], ["A", "B", "E"]];
        let patterns: Vec<(String, BTreeSet<String>)> = (0..4)
            .map(served_option_id)
            .flat_map(|one| {
                triples
                    .iter()
                    .map(move |triple| (one.clone(), triple.iter().map(|s| (*s).to_owned()).collect()))
            })
            .collect();
        let forms = 2000;
        let mut key_letters: HashMap<String, u32> = HashMap::new();
        let mut passes = 0;
        let cut = ScaledScore::parse(700).expect("cut");
        for seed in 0..forms {
            let form = assemble(seed, &blueprint, &bank).expect("form");
            for item in &form {
                if item.domain_id == single {
                    let served = served_id_of(&item.option_order, "b").expect("key served");
                    *key_letters.entry(served).or_default() += 1;
                }
            }
            for (one, three) in &patterns {
                let marked: Vec<Marked> = form
                    .iter()
                    .map(|item| {
                        let chosen: BTreeSet<&str> = if item.domain_id == single {
                            bank_option_id(&item.option_order, one).into_iter().collect()
                        } else {
                            three
                                .iter()
                                .filter_map(|s| bank_option_id(&item.option_order, s))
                                .collect()
                        };
                        Marked {
                            domain_id: item.domain_id,
                            correct: chosen == key_of(item.domain_id),
                        }
                    })
                    .collect();
                passes += u32::from(score(&marked, 70, cut, &[single, multiple]).passed);
            }
        }
        // 40,000 keys over four letters: each letter expects 10,000; a chi-square over three
        // degrees of freedom above 16.3 would happen by chance once in a thousand runs.
        let expected = f64::from(20 * u32::try_from(forms).expect("forms")) / 4.0;
        let chi_square: f64 = (0..4)
            .map(|i| f64::from(key_letters.get(&served_option_id(i)).copied().unwrap_or(0)))
            .map(|seen| (seen - expected).powi(2) / expected)
            .sum();
        assert_eq!(key_letters.len(), 4, "{key_letters:?}");
        assert!(
            chi_square < 16.3,
            "served keys are lopsided: {key_letters:?} (chi-square {chi_square:.1})"
        );
        assert_eq!(passes, 0, "a fixed answer pattern passed");
    }

    #[test]
    fn a_thin_domain_is_reported() {
        let d = Uuid::from_u128(7);
        let err = assemble(1, &[DomainDraw { domain_id: d, items: 5 }], &bank(&[(d, 3)])).expect_err("too few");
        assert_eq!(
            err,
            NotEnoughItems {
                domain_id: d,
                needed: 5,
                available: 3
            }
        );
    }
}
