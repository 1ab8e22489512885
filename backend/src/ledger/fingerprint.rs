//! The duplicate-detection key of a transaction. Two rows with the same key in one account are
//! the same bank movement, unless one file lists it twice (two coffees on one day): importing
//! keeps as many copies as the file has beyond those already stored, so re-importing a file adds
//! nothing and an overlapping statement adds only its new rows.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

/// The bank's own id when the file has one (OFX FITID), else date, amount and description with
/// case and spacing folded.
pub fn fingerprint(
    date: NaiveDate,
    amount: i64,
    description: &str,
    external_id: Option<&str>,
) -> String {
    if let Some(id) = external_id.map(str::trim).filter(|id| !id.is_empty()) {
        return format!("id:{id}");
    }
    let folded = description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let digest = Sha256::digest(format!("{date}|{amount}|{folded}").as_bytes());
    format!("h:{:x}", digest)[..34].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn folds_case_and_spacing_but_not_content() {
        let a = fingerprint(day(1), -350, "COFFEE  Shop ", None);
        assert_eq!(a, fingerprint(day(1), -350, "coffee shop", None));
        assert_ne!(a, fingerprint(day(2), -350, "coffee shop", None));
        assert_ne!(a, fingerprint(day(1), -351, "coffee shop", None));
        assert_ne!(a, fingerprint(day(1), -350, "coffee shops", None));
    }

    #[test]
    fn bank_ids_win() {
        assert_eq!(
            fingerprint(day(1), -350, "x", Some("FIT-1")),
            fingerprint(day(9), 1, "y", Some(" FIT-1 "))
        );
    }
}
