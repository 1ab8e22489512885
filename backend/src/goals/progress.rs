//! How a goal's progress is judged, from what was saved at the end of each month. Pure: no
//! database, no HTTP. Money in minor units; every division rounds as stated.
//!
//! - `needed_per_month`: what is left divided over the months from the current one through the
//!   target date's month (at least one), rounded up so that paying it reaches the target.
//!   Re-planned from today: it never looks at what an even pace from the start would have been.
//! - `pace`: the net saved per month over the last three complete months (the change from the end
//!   of the month four months back to the end of last month, divided by three, half to even).
//!   It needs three complete months since the goal started; before that it is "not enough data
//!   yet" and so is the projection.
//! - The projection: the month the rest is saved at that pace, with a range from the best and the
//!   worst of those three months (no latest month when the worst one saved nothing).
//! - `status`: `reached` once saved covers the target; `no_date` without a target date; otherwise
//!   `on_track` when the pace covers what is needed per month, or, while the pace is not yet
//!   known, until the target month has passed; else `behind`.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::shift_months;
use crate::debts::plan::round_half_even;

/// The milestones recorded, in percent of the target.
pub const MILESTONES: [i32; 4] = [25, 50, 75, 100];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    OnTrack,
    Behind,
    Reached,
    NoDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Projection {
    /// The month the target is reached at the current pace, `YYYY-MM`.
    pub expected: String,
    /// At the pace of the best of the last three months.
    pub earliest: String,
    /// At the pace of the worst of them; `null` when that month saved nothing.
    pub latest: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Progress {
    pub saved: i64,
    /// What is left to save; 0 once reached.
    pub remaining: i64,
    /// `saved / target` in percent, to one decimal.
    pub percent: f64,
    /// Per month from now to reach the target by its date; `null` without a date.
    pub needed_per_month: Option<i64>,
    /// Net saved per month over the last three complete months; `null`: not enough data yet.
    pub pace: Option<i64>,
    /// `null` when reached, when the pace is not known yet, or when it is not positive.
    pub projection: Option<Projection>,
    /// Why there is no projection: `not_enough_data`, `not_saving`, or `null`.
    pub projection_note: Option<&'static str>,
    pub status: GoalStatus,
}

/// What a goal is judged on. `saved_at(month)` answers the amount saved at the end of `month`
/// (its first day), the current month meaning now.
pub struct Inputs<'a> {
    pub target: i64,
    pub target_month: Option<NaiveDate>,
    pub start_month: NaiveDate,
    pub current_month: NaiveDate,
    pub saved_at: &'a dyn Fn(NaiveDate) -> i64,
}

/// `num / den` rounded up, for positive `den`.
fn ceil_div(num: i64, den: i64) -> i64 {
    let q = num.div_euclid(den);
    if num.rem_euclid(den) == 0 {
        q
    } else {
        q + 1
    }
}

fn months_from(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

fn label(month: NaiveDate) -> String {
    crate::analytics::period::month_label(month)
}

fn in_months(from: NaiveDate, months: i64) -> String {
    label(shift_months(
        from,
        i32::try_from(months).unwrap_or(i32::MAX),
    ))
}

pub fn progress(inputs: &Inputs) -> Progress {
    let saved = (inputs.saved_at)(inputs.current_month);
    let target = inputs.target;
    let remaining = (target - saved).max(0);
    let percent = if target > 0 {
        (saved as f64 * 1000.0 / target as f64).round() / 10.0
    } else {
        100.0
    };
    let needed_per_month = inputs.target_month.map(|month| {
        let months = (months_from(inputs.current_month, month) + 1).max(1);
        ceil_div(remaining, months)
    });
    let enough = months_from(inputs.start_month, inputs.current_month) >= 3;
    let deltas: Option<Vec<i64>> = enough.then(|| {
        (1..=3)
            .map(|back| {
                let month = shift_months(inputs.current_month, -back);
                (inputs.saved_at)(month) - (inputs.saved_at)(shift_months(month, -1))
            })
            .collect()
    });
    let pace = deltas.as_ref().map(|d| {
        let sum: i64 = d.iter().sum();
        i64::try_from(round_half_even(i128::from(sum), 3)).unwrap_or(i64::MAX)
    });
    let (projection, projection_note) = match (&deltas, pace) {
        _ if remaining == 0 => (None, None),
        (None, _) | (_, None) => (None, Some("not_enough_data")),
        (Some(_), Some(pace)) if pace <= 0 => (None, Some("not_saving")),
        (Some(deltas), Some(pace)) => {
            let best = deltas.iter().copied().max().unwrap_or(pace);
            let worst = deltas.iter().copied().min().unwrap_or(pace);
            let from = inputs.current_month;
            (
                Some(Projection {
                    expected: in_months(from, ceil_div(remaining, pace)),
                    earliest: in_months(from, ceil_div(remaining, best)),
                    latest: (worst > 0).then(|| in_months(from, ceil_div(remaining, worst))),
                }),
                None,
            )
        }
    };
    let status = match (remaining, inputs.target_month, needed_per_month, pace) {
        (0, _, _, _) => GoalStatus::Reached,
        (_, None, _, _) => GoalStatus::NoDate,
        (_, Some(_), Some(needed), Some(pace)) if pace >= needed => GoalStatus::OnTrack,
        (_, Some(month), _, None) if month >= inputs.current_month => GoalStatus::OnTrack,
        _ => GoalStatus::Behind,
    };
    Progress {
        saved,
        remaining,
        percent,
        needed_per_month,
        pace,
        projection,
        projection_note,
        status,
    }
}

/// The milestones `saved` has reached.
pub fn milestones_reached(saved: i64, target: i64) -> Vec<i32> {
    MILESTONES
        .into_iter()
        .filter(|&p| i128::from(saved) * 100 >= i128::from(p) * i128::from(target))
        .collect()
}

/// A month's share of net savings: `share_bp` of a positive month, nothing of a negative one.
pub fn allocation(net_savings: i64, share_bp: i64) -> i64 {
    if net_savings <= 0 {
        return 0;
    }
    let share = round_half_even(i128::from(net_savings) * i128::from(share_bp), 10_000);
    i64::try_from(share).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    fn judge(
        target: i64,
        target_month: Option<NaiveDate>,
        start: NaiveDate,
        saved: &[(NaiveDate, i64)],
    ) -> Progress {
        let lookup = |month: NaiveDate| {
            saved
                .iter()
                .rfind(|(m, _)| *m <= month)
                .map_or(0, |(_, s)| *s)
        };
        progress(&Inputs {
            target,
            target_month,
            start_month: start,
            current_month: day(2026, 11, 1),
            saved_at: &lookup,
        })
    }

    #[test]
    fn needs_what_is_left_over_the_months_through_the_target_rounded_up() {
        // 1,000.00 left over Nov, Dec, Jan: 333.34.
        let p = judge(
            200_000,
            Some(day(2027, 1, 1)),
            day(2026, 11, 1),
            &[(day(2026, 11, 1), 100_000)],
        );
        assert_eq!(p.needed_per_month, Some(33_334));
        assert_eq!(p.remaining, 100_000);
        assert_eq!(p.percent, 50.0);
        assert_eq!(p.pace, None);
        assert_eq!(p.projection_note, Some("not_enough_data"));
        assert_eq!(p.status, GoalStatus::OnTrack);
        // A date already past asks for everything now and is behind.
        let late = judge(
            200_000,
            Some(day(2026, 9, 1)),
            day(2026, 11, 1),
            &[(day(2026, 11, 1), 100_000)],
        );
        assert_eq!(late.needed_per_month, Some(100_000));
        assert_eq!(late.status, GoalStatus::Behind);
    }

    #[test]
    fn pace_is_the_last_three_complete_months_with_a_range() {
        // Saved at month ends: Jul 100, Aug 300 (+200), Sep 400 (+100), Oct 700 (+300); Nov now 750.
        let saved = [
            (day(2026, 7, 1), 10_000),
            (day(2026, 8, 1), 30_000),
            (day(2026, 9, 1), 40_000),
            (day(2026, 10, 1), 70_000),
            (day(2026, 11, 1), 75_000),
        ];
        let p = judge(135_000, Some(day(2027, 2, 1)), day(2026, 7, 1), &saved);
        assert_eq!(p.pace, Some(20_000));
        // 600.00 left: 3 months at 200, 2 at the best (300), 6 at the worst (100).
        assert_eq!(
            p.projection,
            Some(Projection {
                expected: "2027-02".into(),
                earliest: "2027-01".into(),
                latest: Some("2027-05".into()),
            })
        );
        // Needed over Nov..Feb: 600 / 4 = 150 ≤ 200.
        assert_eq!(p.needed_per_month, Some(15_000));
        assert_eq!(p.status, GoalStatus::OnTrack);
        let tight = judge(135_000, Some(day(2026, 12, 1)), day(2026, 7, 1), &saved);
        assert_eq!(tight.needed_per_month, Some(30_000));
        assert_eq!(tight.status, GoalStatus::Behind);
        let open = judge(135_000, None, day(2026, 7, 1), &saved);
        assert_eq!(open.status, GoalStatus::NoDate);
    }

    #[test]
    fn a_flat_or_falling_pace_is_not_saving() {
        let saved = [(day(2026, 6, 1), 50_000), (day(2026, 10, 1), 40_000)];
        let p = judge(100_000, None, day(2026, 6, 1), &saved);
        assert_eq!(p.pace, Some(-3_333));
        assert_eq!(p.projection, None);
        assert_eq!(p.projection_note, Some("not_saving"));
    }

    #[test]
    fn reached_goals_stop_asking() {
        let p = judge(
            100_000,
            Some(day(2027, 1, 1)),
            day(2026, 1, 1),
            &[(day(2026, 3, 1), 120_000)],
        );
        assert_eq!(p.status, GoalStatus::Reached);
        assert_eq!(p.remaining, 0);
        assert_eq!(p.needed_per_month, Some(0));
        assert_eq!(p.projection_note, None);
        assert_eq!(p.percent, 120.0);
    }

    #[test]
    fn milestones_and_allocations() {
        assert_eq!(milestones_reached(24_999, 100_000), Vec::<i32>::new());
        assert_eq!(milestones_reached(25_000, 100_000), [25]);
        assert_eq!(milestones_reached(99_999, 100_000), [25, 50, 75]);
        assert_eq!(milestones_reached(100_000, 100_000), [25, 50, 75, 100]);
        assert_eq!(allocation(100_050, 1_000), 10_005);
        // 10 % of 0.05 is half a cent: to the even cent, 0.
        assert_eq!(allocation(5, 1_000), 0);
        assert_eq!(allocation(15, 1_000), 2);
        assert_eq!(allocation(-50_000, 1_000), 0);
    }
}
