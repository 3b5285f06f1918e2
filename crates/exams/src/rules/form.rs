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

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

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
