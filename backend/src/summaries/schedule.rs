//! When a summary falls due, and how one instance among several claims it so that it is sent
//! exactly once.
//!
//! All dates are UTC. A weekly summary covers Monday to Sunday and goes out on the chosen weekday
//! of the week after; a monthly one covers a calendar month and goes out on the chosen day of the
//! next month, the month's last day when it is shorter (31 → 28 February).
//!
//! A due summary gets a `summary_sends` row, unique per (user, kind, period). Inserting the row
//! claims it; a claim whose sender crashed (`sending` for longer than `CLAIM_EXPIRES`) or a failed
//! attempt whose backoff is over is taken over by an `UPDATE` that only one instance's statement
//! can match. A row marked `sent` is never sent again, restarts included. A crash between the SMTP
//! server accepting the message and the row being marked sent re-sends it once the claim expires:
//! SMTP offers nothing to make that boundary atomic.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::analytics::period::{first_of_month, last_of_month, shift_months, Period};
use crate::db::schema::summary_sends;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::summaries::{Kind, Settings};
use crate::with_conn;

/// How long a sender may hold a claim before another instance assumes it crashed.
pub const CLAIM_EXPIRES: Duration = Duration::minutes(10);
/// Attempts before a summary is given up on.
pub const MAX_ATTEMPTS: i32 = 6;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::hours(12);

/// A period a summary covers, and the day it falls due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub kind: Kind,
    pub period: Period,
    pub due: NaiveDate,
}

/// The most recent period of `kind` whose summary is due on or before `today`, for a summary
/// sent on `day` (ISO weekday 1–7 for weekly, day of month 1–31 for monthly).
pub fn latest(kind: Kind, day: u32, today: NaiveDate) -> Due {
    match kind {
        Kind::Weekly => {
            let this_monday = today - Duration::days(today.weekday().num_days_from_monday().into());
            let mut start = this_monday - Duration::days(7);
            // The week Monday..Sunday is sent `day` days after its Sunday.
            let due_of = |start: NaiveDate| start + Duration::days(6 + i64::from(day));
            if due_of(start) > today {
                start -= Duration::days(7);
            }
            Due {
                kind,
                period: Period::range(start, start + Duration::days(6)),
                due: due_of(start),
            }
        }
        Kind::Monthly => {
            let due_in = |month: NaiveDate| {
                let last = last_of_month(month).day();
                month
                    .with_day(day.clamp(1, last))
                    .expect("a day within the month")
            };
            let mut month = first_of_month(today);
            if due_in(month) > today {
                month = shift_months(month, -1);
            }
            Due {
                kind,
                period: Period::month(shift_months(month, -1)),
                due: due_in(month),
            }
        }
    }
}

/// The user's summaries due on `today`: turned on, and fallen due no earlier than the day they
/// were turned on (so turning one on does not send a summary of a period long gone).
pub fn due_for(settings: &Settings, today: NaiveDate) -> Vec<Due> {
    [Kind::Weekly, Kind::Monthly]
        .into_iter()
        .filter_map(|kind| {
            let choice = settings.of(kind);
            let since = choice.since.filter(|_| choice.enabled)?;
            let due = latest(kind, choice.day, today);
            (due.due >= since).then_some(due)
        })
        .collect()
}

/// A summary this instance holds the claim on and must send.
#[derive(Clone, Debug)]
pub struct Claim {
    pub id: i64,
    pub user_id: i64,
    pub kind: Kind,
    pub period_start: NaiveDate,
    /// Including this one.
    pub attempts: i32,
}

/// Claims the summary of (`user_id`, `due`) for `instance`: a new row, or one whose claim
/// expired or whose retry time has come. `None`: sent already, or another instance holds it.
pub fn claim(
    conn: &mut DbConn,
    user_id: i64,
    due: &Due,
    instance: &str,
    now: NaiveDateTime,
) -> Result<Option<Claim>, ApiError> {
    use summary_sends::dsl as s;
    let kind = due.kind.as_str();
    let start = due.period.from;
    // A summary stays due for days after it was sent: reading first keeps those rounds from
    // writing (and SQLite's single writer free).
    let status: Option<String> = with_conn!(conn, c => s::summary_sends
        .filter(s::user_id.eq(user_id))
        .filter(s::kind.eq(kind))
        .filter(s::period_start.eq(start))
        .select(s::status)
        .first(c)
        .optional())?;
    if matches!(status.as_deref(), Some("sent" | "failed")) {
        return Ok(None);
    }
    let inserted: Option<i64> = with_conn!(conn, c => diesel::insert_into(s::summary_sends)
        .values((
            s::user_id.eq(user_id),
            s::kind.eq(kind),
            s::period_start.eq(start),
            s::status.eq("sending"),
            s::claimed_by.eq(instance),
            s::claimed_at.eq(now),
            s::attempts.eq(1),
        ))
        .on_conflict((s::user_id, s::kind, s::period_start))
        .do_nothing()
        .returning(s::id)
        .get_result(c)
        .optional())?;
    let claimed = match inserted {
        Some(id) => Some((id, 1)),
        None => {
            let expired = now - CLAIM_EXPIRES;
            with_conn!(conn, c => diesel::update(
                s::summary_sends
                    .filter(s::user_id.eq(user_id))
                    .filter(s::kind.eq(kind))
                    .filter(s::period_start.eq(start))
                    .filter(
                        s::status
                            .eq("retry")
                            .and(s::next_attempt_at.le(now))
                            .or(s::status.eq("sending").and(s::claimed_at.lt(expired))),
                    ),
            )
            .set((
                s::status.eq("sending"),
                s::claimed_by.eq(instance),
                s::claimed_at.eq(now),
                s::attempts.eq(s::attempts + 1),
                s::next_attempt_at.eq(None::<NaiveDateTime>),
            ))
            .returning((s::id, s::attempts))
            .get_result(c)
            .optional())?
        }
    };
    Ok(claimed.map(|(id, attempts)| Claim {
        id,
        user_id,
        kind: due.kind,
        period_start: start,
        attempts,
    }))
}

/// Marks a claimed summary sent, for good.
pub fn mark_sent(
    conn: &mut DbConn,
    claim: &Claim,
    instance: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    use summary_sends::dsl as s;
    with_conn!(conn, c => diesel::update(
        s::summary_sends.filter(s::id.eq(claim.id)).filter(s::claimed_by.eq(instance)),
    )
    .set((s::status.eq("sent"), s::sent_at.eq(now), s::last_error.eq(None::<String>)))
    .execute(c))?;
    Ok(())
}

/// The wait after the `attempts`-th failure: `base`, then twice as long each time, capped.
pub fn backoff(attempts: i32, base: Duration) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    base.checked_mul(1 << doublings)
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
}

/// Records a failed attempt: retried after the backoff, or given up after `MAX_ATTEMPTS`.
/// `error` must not carry secrets (it is stored and logged).
pub fn mark_failed(
    conn: &mut DbConn,
    claim: &Claim,
    instance: &str,
    now: NaiveDateTime,
    error: &str,
    base: Duration,
) -> Result<(), ApiError> {
    use summary_sends::dsl as s;
    let (status, next) = if claim.attempts >= MAX_ATTEMPTS {
        ("failed", None)
    } else {
        ("retry", Some(now + backoff(claim.attempts, base)))
    };
    with_conn!(conn, c => diesel::update(
        s::summary_sends.filter(s::id.eq(claim.id)).filter(s::claimed_by.eq(instance)),
    )
    .set((
        s::status.eq(status),
        s::next_attempt_at.eq(next),
        s::last_error.eq(error),
    ))
    .execute(c))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;
    use crate::summaries::Choice;

    #[test]
    fn a_week_is_sent_on_the_chosen_weekday_after_it() {
        // Sunday 29 November 2026.
        let sunday = day(2026, 11, 29);
        let monday_after = latest(Kind::Weekly, 1, day(2026, 11, 30));
        assert_eq!(monday_after.period.from, day(2026, 11, 23));
        assert_eq!(monday_after.period.to, sunday);
        assert_eq!(monday_after.due, day(2026, 11, 30));

        // On Sunday the week that ends today is not complete: the one before is the latest.
        let on_sunday = latest(Kind::Weekly, 1, sunday);
        assert_eq!(on_sunday.period.from, day(2026, 11, 16));
        assert_eq!(on_sunday.due, day(2026, 11, 23));

        // Sent on Sundays: the week of 23–29 November goes out on 6 December.
        let sundays = latest(Kind::Weekly, 7, day(2026, 12, 6));
        assert_eq!(
            (sundays.period.from, sundays.due),
            (day(2026, 11, 23), day(2026, 12, 6))
        );
        let saturday_before = latest(Kind::Weekly, 7, day(2026, 12, 5));
        assert_eq!(
            (saturday_before.period.from, saturday_before.due),
            (day(2026, 11, 16), day(2026, 11, 29))
        );
        // Across a year end.
        let new_year = latest(Kind::Weekly, 3, day(2027, 1, 6));
        assert_eq!(new_year.period.from, day(2026, 12, 28));
        assert_eq!(new_year.period.to, day(2027, 1, 3));
        assert_eq!(new_year.period.previous().from, day(2026, 12, 21));
    }

    #[test]
    fn a_month_is_sent_on_the_chosen_day_clamped_to_short_months() {
        let on_the_first = latest(Kind::Monthly, 1, day(2026, 12, 1));
        assert_eq!(on_the_first.period.label, "2026-11");
        assert_eq!(on_the_first.due, day(2026, 12, 1));

        // Day 31 in February means its last day: 28th in 2026, 29th in 2028.
        let feb = latest(Kind::Monthly, 31, day(2026, 2, 28));
        assert_eq!(
            (feb.period.label.as_str(), feb.due),
            ("2026-01", day(2026, 2, 28))
        );
        let leap = latest(Kind::Monthly, 31, day(2028, 2, 28));
        assert_eq!(
            (leap.period.label.as_str(), leap.due),
            ("2027-12", day(2028, 1, 31))
        );
        assert_eq!(
            latest(Kind::Monthly, 31, day(2028, 2, 29)).due,
            day(2028, 2, 29)
        );

        // Before this month's day: last month's summary (of the month before) is the latest.
        let early = latest(Kind::Monthly, 15, day(2026, 3, 14));
        assert_eq!(
            (early.period.label.as_str(), early.due),
            ("2026-01", day(2026, 2, 15))
        );
        // January's summary covers December of the year before.
        assert_eq!(
            latest(Kind::Monthly, 2, day(2027, 1, 2)).period.label,
            "2026-12"
        );
    }

    #[test]
    fn only_summaries_falling_due_since_they_were_turned_on_are_due() {
        let settings = |since| Settings {
            weekly: Choice {
                enabled: true,
                day: 1,
                since: Some(since),
            },
            monthly: Choice {
                enabled: false,
                day: 1,
                since: Some(since),
            },
        };
        let monday = day(2026, 11, 30);
        let due = due_for(&settings(monday), monday);
        assert_eq!(due.len(), 1, "due today, turned on today");
        assert_eq!(due[0].kind, Kind::Weekly);
        assert!(
            due_for(&settings(monday), day(2026, 12, 6)).len() == 1,
            "still due later in the week (the send row keeps it from going twice)"
        );
        assert!(
            due_for(&settings(day(2026, 12, 1)), day(2026, 12, 1)).is_empty(),
            "turned on the day after: the next one is the first"
        );
    }

    #[test]
    fn retries_back_off_doubling_up_to_a_cap() {
        let base = Duration::minutes(5);
        assert_eq!(backoff(1, base), Duration::minutes(5));
        assert_eq!(backoff(2, base), Duration::minutes(10));
        assert_eq!(backoff(4, base), Duration::minutes(40));
        assert_eq!(backoff(30, base), MAX_BACKOFF);
    }
}
