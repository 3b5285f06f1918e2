//! Keyset pages at the edge: the query every list takes and its parsing into a [`PageRequest`].

use certify_core::{Page, PageRequest, PageSize};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;

/// `?after=&limit=` of a list that has no filters of its own.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub after: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The page a list asked for; a `limit` outside 1 to 200 is a 422 naming `limit`.
pub(crate) fn page_request(after: Option<Uuid>, limit: Option<u64>) -> Result<PageRequest, ApiError> {
    let size = match limit {
        None => PageSize::DEFAULT,
        Some(limit) => PageSize::parse(limit).map_err(|err| ApiError::invalid_field("limit", err))?,
    };
    Ok(PageRequest { after, size })
}

/// One page of a list, in the list's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Uuid>,
}

impl<T, D: Into<T>> From<Page<D>> for PageView<T> {
    fn from(page: Page<D>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }
    }
}
