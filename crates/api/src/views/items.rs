//! Exam items as the bank and the attempts show them.

use certify_exams::{ItemKind, ItemOption};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---- item bank (staff only: these carry answer keys) ---------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKindName {
    SingleChoice,
    MultipleResponse,
    TrueFalse,
}

impl From<ItemKindName> for ItemKind {
    fn from(k: ItemKindName) -> Self {
        match k {
            ItemKindName::SingleChoice => Self::SingleChoice,
            ItemKindName::MultipleResponse => Self::MultipleResponse,
            ItemKindName::TrueFalse => Self::TrueFalse,
        }
    }
}

impl From<ItemKind> for ItemKindName {
    fn from(k: ItemKind) -> Self {
        match k {
            ItemKind::SingleChoice => Self::SingleChoice,
            ItemKind::MultipleResponse => Self::MultipleResponse,
            ItemKind::TrueFalse => Self::TrueFalse,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OptionView {
    #[schema(example = "a")]
    pub id: String,
    pub text: String,
}

impl From<ItemOption> for OptionView {
    fn from(o: ItemOption) -> Self {
        Self { id: o.id, text: o.text }
    }
}

impl From<OptionView> for ItemOption {
    fn from(o: OptionView) -> Self {
        Self { id: o.id, text: o.text }
    }
}
