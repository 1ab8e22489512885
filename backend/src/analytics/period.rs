//! Reporting periods: a month, a year or any range of days, and the period before it.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Year,
    Range,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    pub kind: PeriodKind,
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// `2026-03`, `2026`, or `2026-01-01..2026-02-15`.
    pub label: String,
}

/// The longest range a report covers.
const MAX_DAYS: i64 = 366 * 20;

pub fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}

pub fn last_of_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d) + Months::new(1) - Duration::days(1)
}

/// `n` months after the month of `d` (before, when negative), as its first day.
pub fn shift_months(d: NaiveDate, n: i32) -> NaiveDate {
    let first = first_of_month(d);
    if n >= 0 {
        first + Months::new(n as u32)
    } else {
        first - Months::new(n.unsigned_abs())
    }
}

/// Parses `YYYY-MM` into the month's first day.
pub fn parse_month(value: &str) -> Option<NaiveDate> {
    let (y, m) = value.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let year = y
        .parse()
        .ok()
        .filter(|y| (crate::limits::MIN_YEAR..=crate::limits::MAX_YEAR).contains(y))?;
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, 1)
}

/// `YYYY-MM`. Written out rather than through chrono's `format`, which parses its pattern on
/// every call: a debt plan labels thousands of schedule rows.
pub fn month_label(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

impl Period {
    pub fn month(first: NaiveDate) -> Self {
        Period {
            kind: PeriodKind::Month,
            from: first,
            to: last_of_month(first),
            label: month_label(first),
        }
    }

    /// A period as stored: its kind and days.
    pub fn of(kind: PeriodKind, from: NaiveDate, to: NaiveDate) -> Self {
        match kind {
            PeriodKind::Month => Period::month(from),
            PeriodKind::Year => {
                Period::year(from.year()).unwrap_or_else(|| Period::range(from, to))
            }
            PeriodKind::Range => Period::range(from, to),
        }
    }

    fn year(year: i32) -> Option<Self> {
        Some(Period {
            kind: PeriodKind::Year,
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
            label: year.to_string(),
        })
    }

    pub fn range(from: NaiveDate, to: NaiveDate) -> Self {
        Period {
            kind: PeriodKind::Range,
            from,
            to,
            label: format!("{from}..{to}"),
        }
    }

    /// The period just before: the previous month or year, or a range as long ending the day
    /// before.
    pub fn previous(&self) -> Period {
        match self.kind {
            PeriodKind::Month => Period::month(shift_months(self.from, -1)),
            PeriodKind::Year => Period::year(self.from.year() - 1).unwrap_or_else(|| self.clone()),
            PeriodKind::Range => {
                let days = (self.to - self.from).num_days();
                let to = self.from - Duration::days(1);
                Period::range(to - Duration::days(days), to)
            }
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// Which period a report covers: one of `month`, `year`, or `from` with `to`. Without any, the
/// current month, or the latest month with transactions when the current one has none yet.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `YYYY-MM`.
    #[param(example = "2026-03")]
    pub month: Option<String>,
    /// A calendar year, 1900 to 9999.
    #[param(minimum = 1900, maximum = 9999, example = 2026)]
    pub year: Option<i32>,
    /// First day (with `to`).
    pub from: Option<NaiveDate>,
    /// Last day (with `from`).
    pub to: Option<NaiveDate>,
}

impl PeriodQuery {
    /// Whether any period was asked for at all.
    pub fn is_given(&self) -> bool {
        self.month.is_some() || self.year.is_some() || self.from.is_some() || self.to.is_some()
    }

    pub fn period(&self, today: NaiveDate) -> Result<Period, ApiError> {
        let given = [
            self.month.is_some(),
            self.year.is_some(),
            self.from.is_some() || self.to.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(ApiError::validation(
                "month",
                "give one of month, year, or from and to",
            ));
        }
        if let Some(month) = &self.month {
            return parse_month(month)
                .map(Period::month)
                .ok_or_else(|| ApiError::validation("month", "must be a month as YYYY-MM"));
        }
        if let Some(year) = self.year {
            return Period::year(year)
                .filter(|_| (1900..=9999).contains(&year))
                .ok_or_else(|| ApiError::validation("year", "must be a year from 1900 to 9999"));
        }
        match (self.from, self.to) {
            (None, None) => Ok(Period::month(first_of_month(today))),
            (Some(from), Some(to)) if from > to => {
                Err(ApiError::validation("to", "must not be before from"))
            }
            (Some(from), Some(to)) if (to - from).num_days() >= MAX_DAYS => Err(
                ApiError::validation("to", "the range may cover at most 20 years"),
            ),
            (Some(from), Some(to)) => Ok(Period::range(from, to)),
            (None, Some(_)) => Err(ApiError::validation("from", "is needed with to")),
            (Some(_), None) => Err(ApiError::validation("to", "is needed with from")),
        }
    }
}

/// A date in tests, written the way people read it.
#[cfg(test)]
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_know_their_length_and_neighbours() {
        let feb = Period::month(day(2024, 2, 1));
        assert_eq!(feb.to, day(2024, 2, 29), "a leap year");
        assert_eq!(feb.previous(), Period::month(day(2024, 1, 1)));
        assert_eq!(Period::month(day(2026, 1, 1)).previous().label, "2025-12");
        assert_eq!(shift_months(day(2026, 3, 31), -1), day(2026, 2, 1));
        assert_eq!(shift_months(day(2026, 11, 15), 2), day(2027, 1, 1));
    }

    #[test]
    fn ranges_are_followed_by_an_equally_long_previous_range() {
        let q = PeriodQuery {
            from: Some(day(2026, 3, 1)),
            to: Some(day(2026, 3, 10)),
            ..Default::default()
        };
        let p = q.period(day(2026, 5, 1)).unwrap();
        assert_eq!(p.days(), 10);
        let before = p.previous();
        assert_eq!(
            (before.from, before.to),
            (day(2026, 2, 19), day(2026, 2, 28))
        );
    }

    #[test]
    fn queries_take_exactly_one_kind_of_period() {
        let today = day(2026, 11, 21);
        assert_eq!(
            PeriodQuery::default().period(today).unwrap().label,
            "2026-11"
        );
        let both = PeriodQuery {
            month: Some("2026-03".into()),
            year: Some(2026),
            ..Default::default()
        };
        assert!(both.period(today).is_err());
        let half = PeriodQuery {
            from: Some(today),
            ..Default::default()
        };
        assert!(half.period(today).is_err());
        for bad in ["2026-13", "26-01", "2026/01", "0001-01"] {
            let q = PeriodQuery {
                month: Some(bad.into()),
                ..Default::default()
            };
            assert!(q.period(today).is_err(), "{bad}");
        }
    }
}
