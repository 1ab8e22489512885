//! The badges and the rule that earns each, as pure functions of `Facts`. A badge is earned when
//! its rule holds on the facts as they are now, so evaluating again gives the same answer and a
//! badge whose facts were undone is no longer given. Never negative: a rule only says what was
//! achieved, and how far along the way one is.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::analytics::period::{last_of_month, month_label};

/// One complete month of the user's ledger in the base currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Month {
    /// First day.
    pub month: NaiveDate,
    pub income: i64,
    /// Positive.
    pub spending: i64,
    pub transactions: i64,
    pub uncategorized: i64,
    /// `None` when no budget applied; else whether every budget stayed within its limit.
    pub under_budget: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub today: NaiveDate,
    /// The first committed import: its day and file name.
    pub first_import: Option<(NaiveDate, String)>,
    pub first_budget: Option<NaiveDate>,
    /// Complete months, oldest first, without gaps.
    pub months: Vec<Month>,
    pub first_goal: Option<(NaiveDate, String)>,
    /// The first goal to reach 50 % and 100 %, with the day.
    pub goal_halfway: Option<(NaiveDate, String)>,
    pub goal_reached: Option<(NaiveDate, String)>,
    /// The highest percent any goal has saved.
    pub best_goal_percent: i64,
    /// Each debt's name and what it owes now.
    pub debts: Vec<(String, i64)>,
    pub first_transaction: Option<NaiveDate>,
    pub last_transaction: Option<NaiveDate>,
    /// Days with spending, over the last year.
    pub spending_days: BTreeSet<NaiveDate>,
    /// Balance of savings accounts in the base currency.
    pub savings: i64,
}

#[derive(Clone, Copy, Debug)]
pub struct Badge {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub how: &'static str,
}

pub const BADGES: [Badge; 15] = [
    Badge {
        key: "first_import",
        name: "First import",
        description: "Your bank's history is in.",
        how: "Commit an import of a bank file.",
    },
    Badge {
        key: "first_budget",
        name: "First budget",
        description: "A plan for your spending.",
        how: "Set a budget.",
    },
    Badge {
        key: "month_under_budget",
        name: "Within budget",
        description: "A whole month within every budget.",
        how: "End a month with no budget over its limit.",
    },
    Badge {
        key: "three_months_under_budget",
        name: "Steady hand",
        description: "Three months in a row within budget.",
        how: "End three consecutive months with no budget over its limit.",
    },
    Badge {
        key: "saved_three_months",
        name: "Saver",
        description: "Money saved three months in a row.",
        how: "Have income above spending in three consecutive months.",
    },
    Badge {
        key: "savings_rate_20",
        name: "One in five",
        description: "Saved a fifth of a month's income.",
        how: "Save at least 20 % of your income in a month.",
    },
    Badge {
        key: "first_goal",
        name: "Goal setter",
        description: "Something to save for.",
        how: "Set a savings goal.",
    },
    Badge {
        key: "goal_halfway",
        name: "Halfway there",
        description: "A goal half saved.",
        how: "Reach 50 % of a goal.",
    },
    Badge {
        key: "goal_reached",
        name: "Goal reached",
        description: "A goal fully saved.",
        how: "Reach 100 % of a goal.",
    },
    Badge {
        key: "first_debt_paid_off",
        name: "One down",
        description: "A debt paid off.",
        how: "Bring a debt's balance to zero.",
    },
    Badge {
        key: "debt_free",
        name: "Debt-free",
        description: "Every debt paid off.",
        how: "Bring every debt you track to zero.",
    },
    Badge {
        key: "month_categorized",
        name: "Everything in its place",
        description: "A month with every transaction categorized.",
        how: "Categorize every transaction of a month.",
    },
    Badge {
        key: "no_spend_weekend",
        name: "No-spend weekend",
        description: "A weekend without spending.",
        how: "Spend nothing on a Saturday and the Sunday after.",
    },
    Badge {
        key: "year_of_history",
        name: "A year of history",
        description: "A full year of your money in one place.",
        how: "Have transactions spanning a year.",
    },
    Badge {
        key: "emergency_fund",
        name: "Safety net",
        description: "Three months of spending put aside.",
        how: "Hold savings of at least three months of your average spending.",
    },
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// The day it was earned and the fact that earned it.
    pub earned: Option<(NaiveDate, String)>,
    /// How far along: `(current, target)`, for badges where that means something.
    pub progress: Option<(i64, i64)>,
}

fn earned(on: NaiveDate, fact: String) -> Judgement {
    Judgement {
        earned: Some((on, fact)),
        progress: None,
    }
}

fn locked(progress: Option<(i64, i64)>) -> Judgement {
    Judgement {
        earned: None,
        progress,
    }
}

/// The end of the first run of `n` consecutive months passing `test`, and the longest run ending
/// at the last month (the streak now).
fn run_of(months: &[Month], n: usize, test: impl Fn(&Month) -> bool) -> (Option<&Month>, i64) {
    let mut run = 0;
    let mut first = None;
    for m in months {
        run = if test(m) { run + 1 } else { 0 };
        if run >= n && first.is_none() {
            first = Some(m);
        }
    }
    (first, run as i64)
}

fn saved_share_bp(m: &Month) -> Option<i64> {
    (m.income > 0).then(|| (m.income - m.spending) * 10_000 / m.income)
}

/// The first Saturday–Sunday within the ledger's span, and before today, with no spending.
fn no_spend_weekend(f: &Facts) -> Option<NaiveDate> {
    let (first, last) = (f.first_transaction?, f.last_transaction?);
    let mut day = first.max(f.today - Duration::days(365));
    while day.weekday() != Weekday::Sat {
        day += Duration::days(1);
    }
    while day + Duration::days(1) < f.today && day + Duration::days(1) <= last {
        let sunday = day + Duration::days(1);
        if !f.spending_days.contains(&day) && !f.spending_days.contains(&sunday) {
            return Some(sunday);
        }
        day += Duration::days(7);
    }
    None
}

pub fn judge(key: &str, f: &Facts) -> Judgement {
    let month_end = |m: &Month| last_of_month(m.month);
    match key {
        "first_import" => f.first_import.clone().map_or(locked(None), |(on, file)| {
            earned(on, format!("imported {file}"))
        }),
        "first_budget" => f
            .first_budget
            .map_or(locked(None), |on| earned(on, "set a budget".into())),
        "month_under_budget" => match f.months.iter().find(|m| m.under_budget == Some(true)) {
            Some(m) => earned(
                month_end(m),
                format!("within budget in {}", month_label(m.month)),
            ),
            None => locked(None),
        },
        "three_months_under_budget" => {
            match run_of(&f.months, 3, |m| m.under_budget == Some(true)) {
                (Some(m), _) => earned(
                    month_end(m),
                    format!("within budget three months to {}", month_label(m.month)),
                ),
                (None, streak) => locked(Some((streak, 3))),
            }
        }
        "saved_three_months" => match run_of(&f.months, 3, |m| m.income > m.spending) {
            (Some(m), _) => earned(
                month_end(m),
                format!("saved three months in a row to {}", month_label(m.month)),
            ),
            (None, streak) => locked(Some((streak, 3))),
        },
        "savings_rate_20" => {
            match f
                .months
                .iter()
                .find(|m| saved_share_bp(m).is_some_and(|s| s >= 2_000))
            {
                Some(m) => earned(
                    month_end(m),
                    format!(
                        "saved {} % of your income in {}",
                        saved_share_bp(m).unwrap_or(0) / 100,
                        month_label(m.month)
                    ),
                ),
                None => locked(None),
            }
        }
        "first_goal" => f.first_goal.clone().map_or(locked(None), |(on, name)| {
            earned(on, format!("set the goal {name}"))
        }),
        "goal_halfway" => f.goal_halfway.clone().map_or(
            locked(Some((f.best_goal_percent.min(50), 50))),
            |(on, name)| earned(on, format!("{name} is half saved")),
        ),
        "goal_reached" => f.goal_reached.clone().map_or(
            locked(Some((f.best_goal_percent.min(100), 100))),
            |(on, name)| earned(on, format!("{name} is fully saved")),
        ),
        "first_debt_paid_off" => match f.debts.iter().find(|(_, owed)| *owed == 0) {
            Some((name, _)) => earned(f.today, format!("paid off {name}")),
            None => locked(None),
        },
        "debt_free" => {
            let paid = f.debts.iter().filter(|(_, owed)| *owed == 0).count() as i64;
            if !f.debts.is_empty() && paid == f.debts.len() as i64 {
                earned(f.today, format!("paid off all {} debts", f.debts.len()))
            } else {
                locked((!f.debts.is_empty()).then_some((paid, f.debts.len() as i64)))
            }
        }
        "month_categorized" => {
            match f
                .months
                .iter()
                .find(|m| m.transactions > 0 && m.uncategorized == 0)
            {
                Some(m) => earned(
                    month_end(m),
                    format!("every transaction of {} categorized", month_label(m.month)),
                ),
                None => locked(None),
            }
        }
        "no_spend_weekend" => no_spend_weekend(f).map_or(locked(None), |sunday| {
            earned(
                sunday,
                format!("spent nothing on the weekend ending {sunday}"),
            )
        }),
        "year_of_history" => match (f.first_transaction, f.last_transaction) {
            (Some(first), Some(last)) if (last - first).num_days() >= 365 => earned(
                first + Duration::days(365),
                format!("transactions from {first} to {last}"),
            ),
            (Some(first), Some(last)) => locked(Some(((last - first).num_days(), 365))),
            _ => locked(Some((0, 365))),
        },
        "emergency_fund" => {
            let recent: Vec<&Month> = f.months.iter().rev().take(3).collect();
            let spent: i64 = recent.iter().map(|m| m.spending).sum();
            // Three months of the average month's spending is the last three months' total.
            if recent.len() == 3 && spent > 0 && f.savings >= spent {
                earned(
                    f.today,
                    format!("savings cover the {spent} spent in three months"),
                )
            } else if recent.len() == 3 && spent > 0 {
                locked(Some((f.savings.max(0), spent)))
            } else {
                locked(None)
            }
        }
        _ => locked(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    fn month(m: u32, income: i64, spending: i64, under: Option<bool>) -> Month {
        Month {
            month: day(2026, m, 1),
            income,
            spending,
            transactions: 10,
            uncategorized: 1,
            under_budget: under,
        }
    }

    fn facts() -> Facts {
        Facts {
            today: day(2026, 11, 15),
            ..Facts::default()
        }
    }

    fn earned_on(key: &str, f: &Facts) -> Option<NaiveDate> {
        judge(key, f).earned.map(|(on, _)| on)
    }

    #[test]
    fn every_badge_has_a_rule_and_a_unique_key() {
        let keys: BTreeSet<&str> = BADGES.iter().map(|b| b.key).collect();
        assert_eq!(keys.len(), BADGES.len());
        // Nothing is earned from nothing.
        for badge in BADGES {
            assert_eq!(judge(badge.key, &facts()).earned, None, "{}", badge.key);
        }
    }

    #[test]
    fn first_import_budget_and_goal_take_their_day() {
        let mut f = facts();
        f.first_import = Some((day(2026, 3, 2), "bank.csv".into()));
        f.first_budget = Some(day(2026, 4, 1));
        f.first_goal = Some((day(2026, 5, 1), "Car".into()));
        assert_eq!(
            judge("first_import", &f).earned,
            Some((day(2026, 3, 2), "imported bank.csv".into()))
        );
        assert_eq!(earned_on("first_budget", &f), Some(day(2026, 4, 1)));
        assert_eq!(earned_on("first_goal", &f), Some(day(2026, 5, 1)));
    }

    #[test]
    fn budget_months_and_streaks() {
        let mut f = facts();
        f.months = vec![
            month(5, 0, 0, None),
            month(6, 0, 0, Some(true)),
            month(7, 0, 0, Some(true)),
            month(8, 0, 0, Some(false)),
            month(9, 0, 0, Some(true)),
            month(10, 0, 0, Some(true)),
        ];
        assert_eq!(earned_on("month_under_budget", &f), Some(day(2026, 6, 30)));
        assert_eq!(
            judge("three_months_under_budget", &f).progress,
            Some((2, 3))
        );
        f.months.push(month(11, 0, 0, Some(true)));
        assert_eq!(
            earned_on("three_months_under_budget", &f),
            Some(day(2026, 11, 30))
        );
    }

    #[test]
    fn saving_streaks_and_the_savings_rate() {
        let mut f = facts();
        f.months = vec![
            month(6, 100_000, 90_000, None),
            month(7, 100_000, 120_000, None),
            month(8, 100_000, 81_000, None),
            month(9, 100_000, 99_000, None),
        ];
        // 19 % is not 20 %.
        assert_eq!(earned_on("savings_rate_20", &f), None);
        assert_eq!(judge("saved_three_months", &f).progress, Some((2, 3)));
        f.months.push(month(10, 100_000, 80_000, None));
        assert_eq!(earned_on("savings_rate_20", &f), Some(day(2026, 10, 31)));
        assert_eq!(earned_on("saved_three_months", &f), Some(day(2026, 10, 31)));
        // No income: no rate, and no division by zero.
        f.months = vec![month(6, 0, 10, None)];
        assert_eq!(earned_on("savings_rate_20", &f), None);
    }

    #[test]
    fn goals_report_progress_until_reached() {
        let mut f = facts();
        f.best_goal_percent = 30;
        assert_eq!(judge("goal_halfway", &f).progress, Some((30, 50)));
        assert_eq!(judge("goal_reached", &f).progress, Some((30, 100)));
        f.goal_halfway = Some((day(2026, 9, 9), "Car".into()));
        assert_eq!(earned_on("goal_halfway", &f), Some(day(2026, 9, 9)));
        assert_eq!(earned_on("goal_reached", &f), None);
    }

    #[test]
    fn debts_paid_and_debt_free() {
        let mut f = facts();
        assert_eq!(judge("debt_free", &f), locked(None));
        f.debts = vec![("Card".into(), 0), ("Car".into(), 5_000)];
        assert!(earned_on("first_debt_paid_off", &f).is_some());
        assert_eq!(judge("debt_free", &f).progress, Some((1, 2)));
        f.debts[1].1 = 0;
        assert_eq!(earned_on("debt_free", &f), Some(f.today));
    }

    #[test]
    fn a_categorized_month_needs_transactions_and_no_uncategorized_one() {
        let mut f = facts();
        let mut empty = month(6, 0, 0, None);
        empty.transactions = 0;
        empty.uncategorized = 0;
        f.months = vec![empty, month(7, 0, 0, None)];
        assert_eq!(earned_on("month_categorized", &f), None);
        f.months[1].uncategorized = 0;
        assert_eq!(earned_on("month_categorized", &f), Some(day(2026, 7, 31)));
    }

    #[test]
    fn a_weekend_without_spending_inside_the_ledger() {
        let mut f = facts();
        // 2026-11-07 is a Saturday.
        f.first_transaction = Some(day(2026, 11, 1));
        f.last_transaction = Some(day(2026, 11, 12));
        f.spending_days = [day(2026, 11, 7), day(2026, 11, 8)].into();
        assert_eq!(earned_on("no_spend_weekend", &f), None);
        f.spending_days.remove(&day(2026, 11, 8));
        assert_eq!(earned_on("no_spend_weekend", &f), None);
        f.spending_days.remove(&day(2026, 11, 7));
        assert_eq!(earned_on("no_spend_weekend", &f), Some(day(2026, 11, 8)));
        // A weekend after the last transaction says nothing about spending.
        f.last_transaction = Some(day(2026, 11, 7));
        assert_eq!(earned_on("no_spend_weekend", &f), None);
    }

    #[test]
    fn a_year_of_history_and_an_emergency_fund() {
        let mut f = facts();
        f.first_transaction = Some(day(2025, 11, 20));
        f.last_transaction = Some(day(2026, 11, 10));
        assert_eq!(judge("year_of_history", &f).progress, Some((355, 365)));
        f.first_transaction = Some(day(2025, 11, 10));
        assert_eq!(earned_on("year_of_history", &f), Some(day(2026, 11, 10)));

        f.months = vec![
            month(8, 0, 100_000, None),
            month(9, 0, 150_000, None),
            month(10, 0, 50_000, None),
        ];
        f.savings = 299_999;
        assert_eq!(
            judge("emergency_fund", &f).progress,
            Some((299_999, 300_000))
        );
        f.savings = 300_000;
        assert_eq!(earned_on("emergency_fund", &f), Some(f.today));
    }
}
