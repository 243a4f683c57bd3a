//! Money and sign types as the database stores them: integer fen in a `BIGINT` (read into the
//! core's [`Fen`], never an `i64` past this file), and the sign type by WeChat's name (read into
//! [`SignType`]). A stored value that is not one of them is an error, not a default.

use sqlx::any::AnyRow;
use sqlx::Row;
use wxpay::{Fen, SignType};

use crate::error::{Error, Result};

/// The column `col` as fen.
///
/// # Errors
/// A negative amount, or a database error.
pub fn fen(r: &AnyRow, col: &str) -> Result<Fen> {
    let v: i64 = r.try_get(col)?;
    u64::try_from(v).map(Fen::new).map_err(|_| Error::Internal(format!("stored {col} is negative")))
}

/// The nullable column `col` as fen.
///
/// # Errors
/// As [`fen`].
pub fn fen_opt(r: &AnyRow, col: &str) -> Result<Option<Fen>> {
    let v: Option<i64> = r.try_get(col)?;
    v.map(|v| u64::try_from(v).map(Fen::new).map_err(|_| Error::Internal(format!("stored {col} is negative")))).transpose()
}

/// Fen as the database binds it.
///
/// # Errors
/// More fen than a `BIGINT` holds (never a real amount).
pub fn bind(f: Fen) -> Result<i64> {
    i64::try_from(f.get()).map_err(|_| Error::Invalid(format!("{f} fen is too large")))
}

/// The column `col` as a sign type.
///
/// # Errors
/// An unknown name, or a database error.
pub fn sign_type(r: &AnyRow, col: &str) -> Result<SignType> {
    let v: String = r.try_get(col)?;
    v.parse().map_err(|_| Error::Internal(format!("stored {col} {v:?} is not a sign type")))
}

/// The sum of amounts (saturating: no real sum comes near `u64::MAX` fen).
pub fn sum(amounts: impl IntoIterator<Item = Fen>) -> Fen {
    amounts.into_iter().fold(Fen::ZERO, |a, f| a.checked_add(f).unwrap_or(Fen::new(u64::MAX)))
}
