//! Where the money is going: recurring bills and income found in the ledger, and what they
//! say about the days ahead. Plain Rust over ledger rows; the handlers are in `api/`.

pub mod bills;
#[cfg(feature = "training")]
pub mod card;
pub mod evaluate;
pub mod features;
pub mod households;
pub mod learned;
pub mod monthly;
pub mod outlook;
pub mod recommend;
pub mod recurring;
#[cfg(feature = "training")]
pub mod train;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// The answer in place of a number that the history cannot back yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"needs_months": 3, "has_months": 1,
    "message": "not enough data yet: needs 3 months, you have 1"}))]
pub struct NotEnoughData {
    pub needs_months: u32,
    pub has_months: u32,
    pub message: String,
}

impl NotEnoughData {
    /// `None` when `has` months are enough.
    pub fn check(needs: u32, has: u32) -> Option<Self> {
        (has < needs).then(|| NotEnoughData {
            needs_months: needs,
            has_months: has,
            message: format!("not enough data yet: needs {needs} months, you have {has}"),
        })
    }
}

/// Calendar months from the first of `dates` through `today`, both counted: the history a
/// user has, whether or not every month saw a transaction.
pub fn months_of_history(first: Option<NaiveDate>, today: NaiveDate) -> u32 {
    first.map_or(0, |first| {
        let months =
            (today.year() - first.year()) * 12 + today.month() as i32 - first.month() as i32 + 1;
        months.max(0) as u32
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    #[test]
    fn history_counts_calendar_months() {
        assert_eq!(months_of_history(None, day(2026, 5, 1)), 0);
        assert_eq!(
            months_of_history(Some(day(2026, 5, 31)), day(2026, 5, 31)),
            1
        );
        assert_eq!(
            months_of_history(Some(day(2025, 11, 30)), day(2026, 2, 1)),
            4
        );
        assert_eq!(NotEnoughData::check(3, 3), None);
        assert_eq!(
            NotEnoughData::check(3, 1).unwrap().message,
            "not enough data yet: needs 3 months, you have 1"
        );
    }
}
