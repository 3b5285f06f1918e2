//! Where a bank's answer keys sit. Item writers spread the correct option over the positions
//! (and true/false keys over both answers); a bank whose keys crowd one position teaches a
//! candidate to guess it. Served letters are shuffled per form, so such a bank no longer leaks
//! through the exam, but it still shows careless item writing and staff should hear of it.

use crate::bank::{ItemContent, ItemKind};

/// How the keys of one kind of item are spread over the options' positions in the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPositions {
    pub kind: ItemKind,
    /// Items of this kind.
    pub items: usize,
    /// Per position (0 = the first option, or `true` for true/false items), how many items key it.
    pub keyed: Vec<usize>,
    /// The keys crowd some positions: see [`key_positions`].
    pub lopsided: bool,
}

/// Fewer items than this of a kind are too few to call lopsided.
const MIN_ITEMS: usize = 6;

/// The key positions per kind, over `items`, in the order single choice, multiple response,
/// true/false (kinds without items are left out).
///
/// A kind is lopsided when one position is keyed at least twice as often as an even spread would
/// key it (a single-choice bank of four options with half its keys at `b`; a true/false bank
/// whose keys are all `true`) or, for multiple-response items, when some position is keyed in
/// every item or in none.
pub fn key_positions<'a>(items: impl IntoIterator<Item = &'a ItemContent> + Clone) -> Vec<KeyPositions> {
    [ItemKind::SingleChoice, ItemKind::MultipleResponse, ItemKind::TrueFalse]
        .into_iter()
        .filter_map(|kind| positions_of(kind, items.clone().into_iter().filter(|i| i.kind == kind)))
        .collect()
}

fn positions_of<'a>(kind: ItemKind, items: impl Iterator<Item = &'a ItemContent>) -> Option<KeyPositions> {
    let mut keyed: Vec<usize> = Vec::new();
    let mut count = 0;
    let mut fair_share = 0.0;
    for item in items {
        count += 1;
        let positions = item_positions(item);
        if keyed.len() < positions.len() {
            keyed.resize(positions.len(), 0);
        }
        for (slot, is_key) in keyed.iter_mut().zip(&positions) {
            *slot += usize::from(*is_key);
        }
        #[allow(clippy::cast_precision_loss)] // reason: at most eight options
        {
            fair_share += item.key.len() as f64 / positions.len() as f64;
        }
    }
    if count == 0 {
        return None;
    }
    let lopsided = count >= MIN_ITEMS
        && match kind {
            ItemKind::MultipleResponse => keyed.iter().any(|k| *k == 0 || *k == count),
            ItemKind::SingleChoice | ItemKind::TrueFalse => {
                #[allow(clippy::cast_precision_loss)] // reason: item counts are small
                let most = keyed.iter().copied().max().unwrap_or(0) as f64;
                most >= 2.0 * fair_share
            }
        };
    Some(KeyPositions {
        kind,
        items: count,
        keyed,
        lopsided,
    })
}

/// For each option position, whether it is keyed. True/false items count `true` first.
fn item_positions(item: &ItemContent) -> Vec<bool> {
    if item.kind == ItemKind::TrueFalse {
        return ["true", "false"].iter().map(|id| item.key.contains(*id)).collect();
    }
    item.options.iter().map(|o| item.key.contains(&o.id)).collect()
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::bank::ItemOption;

    fn item(kind: ItemKind, options: &[&str], key: &[&str]) -> ItemContent {
        ItemContent {
            domain_id: Uuid::nil(),
            kind,
            stem: "Q".into(),
            options: options
                .iter()
                .map(|id| ItemOption {
                    id: (*id).into(),
                    text: "x".into(),
                })
                .collect(),
            key: key.iter().map(|k| (*k).to_owned()).collect(),
        }
    }

    const ABCD: [&str; 4] = ["a", "b", "c", "d"];

    #[test]
    fn the_reviewed_demo_bank_is_lopsided_and_a_balanced_one_is_not() {
        // 21 of 25 keys at b, every multiple-response key a,b,c, every true/false key true.
        let mut bank: Vec<ItemContent> = (0..25)
            .map(|n| item(ItemKind::SingleChoice, &ABCD, &[if n < 21 { "b" } else { "a" }]))
            .collect();
        bank.extend((0..8).map(|_| item(ItemKind::MultipleResponse, &ABCD, &["a", "b", "c"])));
        bank.extend((0..8).map(|_| item(ItemKind::TrueFalse, &["true", "false"], &["true"])));
        let report = key_positions(&bank);
        assert_eq!(report[0].keyed, [4, 21, 0, 0]);
        assert!(report.iter().all(|k| k.lopsided), "{report:?}");

        let mut balanced: Vec<ItemContent> = (0..24)
            .map(|n| item(ItemKind::SingleChoice, &ABCD, &[ABCD[n % 4]]))
            .collect();
        balanced.extend((0..8).map(|n| {
            let key: Vec<&str> = ABCD.iter().copied().filter(|id| *id != ABCD[n % 4]).collect();
            item(ItemKind::MultipleResponse, &ABCD, &key)
        }));
        balanced.extend((0..8).map(|n| item(ItemKind::TrueFalse, &["false", "true"], &[["true", "false"][n % 2]])));
        let report = key_positions(&balanced);
        assert_eq!(report[2].keyed, [4, 4], "true counted first whatever the option order");
        assert!(report.iter().all(|k| !k.lopsided), "{report:?}");
    }

    #[test]
    fn a_few_items_are_never_called_lopsided() {
        let bank: Vec<ItemContent> = (0..5).map(|_| item(ItemKind::SingleChoice, &ABCD, &["b"])).collect();
        let report = key_positions(&bank);
        assert_eq!(report.len(), 1);
        assert!(!report[0].lopsided);
    }
}
