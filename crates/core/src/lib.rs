//! Types every Certify domain shares: the injected [`Clock`], parsed newtypes such as [`Email`],
//! and keyset [`pagination`]. Nothing here knows about HTTP or SQL, but for how a write
//! [`transaction`] begins.

pub mod clock;
pub mod email;
pub mod hash;
pub mod pagination;
pub mod text;
pub mod transaction;

pub use clock::{Clock, SharedClock, SystemClock, TestClock, rfc3339};
pub use email::Email;
pub use hash::Sha256Hex;
pub use pagination::{Page, PageRequest, PageSize};
pub use text::{DisplayName, SearchText, TextError};
pub use transaction::begin_write;
