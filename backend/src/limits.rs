//! The documented ranges of what Dhana stores: amounts and dates. Inputs outside them are
//! refused at the edge (422 naming the field, or a problem on the file line), so every sum the
//! ledger forms stays far inside 64 bits and both databases store every date the same way.

use chrono::NaiveDate;
use validator::ValidationError;

/// The largest amount of one transaction, balance, budget or rule bound, in minor units:
/// 10^12, i.e. 10,000,000,000.00 in a two-decimal currency. Nine million transactions of this
/// size still sum inside a 64-bit integer.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
pub const MIN_AMOUNT: i64 = -MAX_AMOUNT;
pub const AMOUNT_RANGE: &str = "must be between -1000000000000 and 1000000000000 minor units";

/// Dates from 1900-01-01 to 2999-12-31: old enough for any statement, four-digit years that
/// sort as text (SQLite keeps dates as text).
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2999;
pub const DATE_RANGE: &str = "must be between 1900-01-01 and 2999-12-31";

/// The longest merchant name, in characters, whoever names it: the API refuses a longer one, and
/// a bank file's longer payee is cut to it (and the cut listed with the preview's cleaned cells).
/// Far longer than any bank's payee field (SEPA names hold 70, CAMT 140), and short enough for
/// PostgreSQL's index entries, which hold at most 2,704 bytes (`merchant_sums`' key holds it).
pub const MERCHANT_CHARS: usize = 200;

/// Cuts `text` to at most `chars` characters; returns how many it dropped.
pub fn cut_to_chars(text: &mut String, chars: usize) -> usize {
    match text.char_indices().nth(chars) {
        Some((end, _)) => {
            let dropped = text[end..].chars().count();
            text.truncate(end);
            dropped
        }
        None => 0,
    }
}

pub fn amount_in_range(amount: i64) -> bool {
    (MIN_AMOUNT..=MAX_AMOUNT).contains(&amount)
}

pub fn date_in_range(date: NaiveDate) -> bool {
    use chrono::Datelike;
    (MIN_YEAR..=MAX_YEAR).contains(&date.year())
}

/// The check behind `api::fields::Amount`.
pub fn amount(amount: i64) -> Result<(), ValidationError> {
    if amount_in_range(amount) {
        Ok(())
    } else {
        Err(ValidationError::new("amount_range").with_message(AMOUNT_RANGE.into()))
    }
}

/// The check behind `api::fields::DateInRange`.
pub fn date(date: &NaiveDate) -> Result<(), ValidationError> {
    if date_in_range(*date) {
        Ok(())
    } else {
        Err(ValidationError::new("date_range").with_message(DATE_RANGE.into()))
    }
}

/// `a + b` for money, or the 422 that a database overflow also answers: no wrapped sums.
pub fn add(a: i64, b: i64) -> Result<i64, crate::error::ApiError> {
    a.checked_add(b).ok_or_else(too_large)
}

pub fn too_large() -> crate::error::ApiError {
    crate::error::ApiError::validation(
        "amount",
        "a sum of amounts would exceed the supported range of 64-bit minor units",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_their_ends_and_nothing_beyond() {
        assert!(amount(MAX_AMOUNT).is_ok() && amount(MIN_AMOUNT).is_ok());
        assert!(amount(MAX_AMOUNT + 1).is_err() && amount(i64::MIN).is_err());
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(date(&d(1900, 1, 1)).is_ok() && date(&d(2999, 12, 31)).is_ok());
        for outside in [
            d(1899, 12, 31),
            d(3000, 1, 1),
            d(10000, 1, 1),
            d(0, 1, 1),
            d(-1, 6, 1),
        ] {
            assert_eq!(date(&outside).unwrap_err().message.unwrap(), DATE_RANGE);
        }
        // 9 million maximal amounts still fit.
        assert!(MAX_AMOUNT.checked_mul(9_000_000).is_some());
        assert_eq!(add(i64::MAX - 1, 1).unwrap(), i64::MAX);
        assert!(add(i64::MAX, 1).is_err() && add(i64::MIN, -1).is_err());
    }
}
