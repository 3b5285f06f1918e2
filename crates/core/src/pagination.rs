//! Keyset pagination. Lists are ordered by a unique, time-ordered key (UUIDv7 ids), and a page
//! continues strictly after the last key it returned, so pages stay stable while rows are added
//! and a deep page costs the same as the first: no OFFSET scans over hundreds of thousands of rows.

use uuid::Uuid;

/// How many items one page holds: at least 1, at most [`PageSize::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and {max}", max = PageSize::MAX)]
pub struct InvalidPageSize;

impl PageSize {
    pub const DEFAULT: PageSize = PageSize(50);
    pub const MAX: u64 = 200;

    pub fn parse(requested: u64) -> Result<Self, InvalidPageSize> {
        if (1..=Self::MAX).contains(&requested) {
            Ok(Self(requested))
        } else {
            Err(InvalidPageSize)
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Continue strictly after this key; `None` starts at the beginning.
    pub after: Option<Uuid>,
    pub size: PageSize,
}

/// One page of results and the cursor for the next page, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from a query that fetched `size + 1` rows: the extra row only proves that a
    /// next page exists and is not returned.
    pub fn from_overfetched(mut rows: Vec<T>, request: PageRequest, key: impl Fn(&T) -> Uuid) -> Self {
        let size = usize::try_from(request.size.get()).unwrap_or(usize::MAX);
        let has_more = rows.len() > size;
        rows.truncate(size);
        let next_cursor = if has_more { rows.last().map(key) } else { None };
        Self {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_bounds() {
        assert!(PageSize::parse(0).is_err());
        assert!(PageSize::parse(201).is_err());
        assert_eq!(PageSize::parse(200).map(PageSize::get), Ok(200));
    }

    #[test]
    fn overfetched_row_becomes_the_cursor_of_the_last_returned_item() {
        let ids: Vec<Uuid> = (0..4).map(|n| Uuid::from_u128(n + 1)).collect();
        let request = PageRequest {
            after: None,
            size: PageSize::parse(3).expect("valid"),
        };
        let page = Page::from_overfetched(ids.clone(), request, |id| *id);
        assert_eq!(page.items, ids[..3]);
        assert_eq!(page.next_cursor, Some(ids[2]));

        let last = Page::from_overfetched(ids[..3].to_vec(), request, |id| *id);
        assert_eq!(last.next_cursor, None);
    }
}
