//! Badges: the facts of a user's ledger, budgets, goals and debts gathered in one pass, judged by
//! the rules in `rules.rs`, and the stored badges brought in line with them.
//!
//! `evaluate` runs after every write that can earn a badge. It is a sync, not an append: badges
//! the facts now earn and that are not stored are stored (keeping the day the rule names), and
//! stored badges the facts no longer earn (an import undone, a budget deleted) are removed. So
//! replaying never duplicates a badge, and an undo never leaves one a later evaluation would not
//! give.

pub mod rules;

use std::collections::{BTreeSet, HashMap};

use chrono::{Months, NaiveDate};
use diesel::prelude::*;

use crate::analytics::period::{first_of_month, last_of_month, shift_months};
use crate::analytics::sums::{self, Scope};
use crate::budgets;
use crate::db::schema::{
    badge_settings, badges, budgets as budget_table, goal_milestones, goals, imports, transactions,
};
use crate::db::DbConn;
use crate::debts;
use crate::error::ApiError;
use crate::ledger::accounts as ledger_accounts;
use crate::ledger::{categories, inserted_once};
use crate::users::now;
use crate::with_conn;
use rules::{Facts, Month, BADGES};

/// Months looked back at for month badges.
const MONTHS_BACK: u32 = 24;

pub fn enabled(conn: &mut DbConn, user_id: i64) -> Result<bool, ApiError> {
    let setting: Option<bool> = with_conn!(conn, c => badge_settings::table
        .filter(badge_settings::user_id.eq(user_id))
        .select(badge_settings::enabled)
        .first(c)
        .optional())?;
    Ok(setting.unwrap_or(true))
}

pub fn set_enabled(conn: &mut DbConn, user_id: i64, enabled: bool) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        with_conn!(conn, c => diesel::delete(badge_settings::table.filter(badge_settings::user_id.eq(user_id))).execute(c))?;
        with_conn!(conn, c => diesel::insert_into(badge_settings::table)
            .values((badge_settings::user_id.eq(user_id), badge_settings::enabled.eq(enabled)))
            .execute(c))?;
        Ok(())
    })
}

/// Everything the rules look at, for the user's base currency.
pub fn facts(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
) -> Result<Facts, ApiError> {
    let first_import: Option<(chrono::NaiveDateTime, String)> = with_conn!(conn, c => imports::table
        .filter(imports::user_id.eq(user_id))
        .filter(imports::status.eq("committed"))
        .order(imports::created_at.asc())
        .select((imports::created_at, imports::filename))
        .first(c)
        .optional())?;
    let first_budget: Option<chrono::NaiveDateTime> = with_conn!(conn, c => budget_table::table
        .filter(budget_table::user_id.eq(user_id))
        .order(budget_table::created_at.asc())
        .select(budget_table::created_at)
        .first(c)
        .optional())?;
    let goal_rows: Vec<(i64, String, chrono::NaiveDateTime)> = with_conn!(conn, c => goals::table
        .filter(goals::user_id.eq(user_id))
        .order(goals::created_at.asc())
        .select((goals::id, goals::name, goals::created_at))
        .load(c))?;
    let goal_names: HashMap<i64, String> = goal_rows
        .iter()
        .map(|(id, name, _)| (*id, name.clone()))
        .collect();
    let milestones: Vec<(i64, i32, NaiveDate)> = with_conn!(conn, c => goal_milestones::table
        .inner_join(goals::table)
        .filter(goals::user_id.eq(user_id))
        .order((goal_milestones::reached_on.asc(), goal_milestones::id.asc()))
        .select((goal_milestones::goal_id, goal_milestones::percent, goal_milestones::reached_on))
        .load(c))?;
    let first_at = |percent: i32| {
        milestones
            .iter()
            .find(|(_, p, _)| *p == percent)
            .map(|(goal, _, on)| (*on, goal_names.get(goal).cloned().unwrap_or_default()))
    };
    let span: (Option<NaiveDate>, Option<NaiveDate>) = with_conn!(conn, c => transactions::table
        .filter(transactions::user_id.eq(user_id))
        .select((diesel::dsl::min(transactions::date), diesel::dsl::max(transactions::date)))
        .first(c))?;
    let spending_days: BTreeSet<NaiveDate> = with_conn!(conn, c => transactions::table
        .filter(transactions::user_id.eq(user_id))
        .filter(transactions::amount.lt(0))
        .filter(transactions::is_transfer.eq(false))
        .filter(transactions::date.ge(today - chrono::Duration::days(372)))
        .select(transactions::date)
        .distinct()
        .load::<NaiveDate>(c))?
    .into_iter()
    .collect();
    let savings_accounts: Vec<ledger_accounts::Account> =
        ledger_accounts::list(conn, user_id, false)?
            .into_iter()
            .filter(|a| a.kind == "savings" && a.currency == currency)
            .collect();
    let savings = if savings_accounts.is_empty() {
        0
    } else {
        let sums = ledger_accounts::transaction_sums(conn, user_id)?;
        savings_accounts.iter().try_fold(0, |total, a| {
            crate::limits::add(total, ledger_accounts::balance(a, &sums)?)
        })?
    };
    let open_debts = debts::list(conn, user_id)?
        .into_iter()
        .map(|d| (d.debt.name, d.balance))
        .collect();
    let months = match span.0 {
        Some(first) => complete_months(conn, user_id, currency, first, today)?,
        None => Vec::new(),
    };
    let best_goal_percent = if goal_rows.is_empty() {
        0
    } else {
        crate::goals::list(conn, user_id, today, true)?
            .iter()
            .map(|g| g.progress.percent as i64)
            .max()
            .unwrap_or(0)
    };
    Ok(Facts {
        today,
        first_import: first_import.map(|(at, file)| (at.date(), file)),
        first_budget: first_budget.map(|at| at.date()),
        months,
        first_goal: goal_rows
            .first()
            .map(|(_, name, at)| (at.date(), name.clone())),
        goal_halfway: first_at(50),
        goal_reached: first_at(100),
        best_goal_percent,
        debts: open_debts,
        first_transaction: span.0,
        last_transaction: span.1,
        spending_days,
        savings,
    })
}

/// The complete months since the first transaction (at most `MONTHS_BACK`), with their income,
/// spending, counts and budget standing.
fn complete_months(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    first: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Month>, ApiError> {
    let last = shift_months(today, -1);
    let from = first_of_month(first).max(shift_months(today, -(MONTHS_BACK as i32)));
    if from > last {
        return Ok(Vec::new());
    }
    let categories = categories::by_id(conn, user_id)?;
    let scope = Scope {
        user_id,
        currency,
        accounts: &[],
        from,
        to: last_of_month(last),
    };
    let mut by_month: HashMap<NaiveDate, Month> = HashMap::new();
    for sum in sums::by_category(conn, &scope, &BTreeSet::new())? {
        let category = sum.category_id.and_then(|id| categories.get(&id));
        let month = by_month.entry(first_of_month(sum.first)).or_default();
        month.income += sums::income(category, &sum);
        month.spending += sums::spending(category, &sum);
        month.transactions += sum.count;
        if sum.category_id.is_none() {
            month.uncategorized += sum.count;
        }
    }
    let all_budgets = budgets::list(conn, user_id)?;
    let mut months = Vec::new();
    let mut month = from;
    while month <= last {
        let mut facts = by_month.remove(&month).unwrap_or_default();
        facts.month = month;
        if all_budgets.iter().any(|(b, _)| b.starts_on <= month) {
            let (items, overall) = budgets::month_status(conn, user_id, currency, month, today)?;
            facts.under_budget = Some(
                items
                    .iter()
                    .chain(overall.iter())
                    .all(|s| s.spent <= s.limit),
            );
        }
        months.push(facts);
        month = month + Months::new(1);
    }
    Ok(months)
}

/// Brings the stored badges in line with the facts; answers the keys newly earned. Does nothing
/// for a user who turned badges off.
pub fn evaluate(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
) -> Result<Vec<&'static str>, ApiError> {
    if !enabled(conn, user_id)? {
        return Ok(Vec::new());
    }
    let facts = facts(conn, user_id, currency, today)?;
    sync(conn, user_id, &facts)
}

fn sync(conn: &mut DbConn, user_id: i64, facts: &Facts) -> Result<Vec<&'static str>, ApiError> {
    let stored: Vec<String> = with_conn!(conn, c => badges::table
        .filter(badges::user_id.eq(user_id))
        .select(badges::key)
        .load(c))?;
    let mut new = Vec::new();
    let mut unearned = Vec::new();
    for badge in BADGES {
        let is_stored = stored.iter().any(|k| k == badge.key);
        match (rules::judge(badge.key, facts).earned, is_stored) {
            (Some((on, fact)), false) => {
                let inserted = with_conn!(conn, c => diesel::insert_into(badges::table)
                    .values((
                        badges::user_id.eq(user_id),
                        badges::key.eq(badge.key),
                        badges::earned_on.eq(on),
                        badges::fact.eq(&fact),
                        badges::created_at.eq(now()),
                    ))
                    .execute(c));
                if inserted_once(inserted)? {
                    new.push(badge.key);
                }
            }
            (None, true) => unearned.push(badge.key),
            _ => {}
        }
    }
    if !unearned.is_empty() {
        with_conn!(conn, c => diesel::delete(
            badges::table
                .filter(badges::user_id.eq(user_id))
                .filter(badges::key.eq_any(&unearned)),
        )
        .execute(c))?;
    }
    Ok(new)
}

/// One badge as the user sees it.
pub struct BadgeView {
    pub badge: rules::Badge,
    pub earned: Option<(NaiveDate, String)>,
    pub progress: Option<(i64, i64)>,
}

/// Every badge, earned (with day and fact as stored) or locked (with progress where it means
/// something), after bringing them up to date. Callers check `enabled` first.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
) -> Result<Vec<BadgeView>, ApiError> {
    let facts = facts(conn, user_id, currency, today)?;
    sync(conn, user_id, &facts)?;
    let stored: Vec<(String, NaiveDate, String)> = with_conn!(conn, c => badges::table
        .filter(badges::user_id.eq(user_id))
        .select((badges::key, badges::earned_on, badges::fact))
        .load(c))?;
    Ok(BADGES
        .into_iter()
        .map(|badge| {
            let earned = stored
                .iter()
                .find(|(k, _, _)| k == badge.key)
                .map(|(_, on, fact)| (*on, fact.clone()));
            let progress = match earned {
                Some(_) => None,
                None => rules::judge(badge.key, &facts).progress,
            };
            BadgeView {
                badge,
                earned,
                progress,
            }
        })
        .collect())
}

/// Re-evaluates after a successful write and passes its result on. A failing evaluation must
/// not fail the write the user asked for, so it is logged and the write stands.
pub fn after<T>(
    conn: &mut DbConn,
    user: &crate::users::User,
    done: Result<T, ApiError>,
) -> Result<T, ApiError> {
    if done.is_ok() {
        let today = chrono::Utc::now().date_naive();
        if let Err(e) = evaluate(conn, user.id, &user.base_currency, today) {
            tracing::warn!(error = %e, "badge evaluation failed");
        }
    }
    done
}

/// A goal milestone not celebrated yet.
pub struct UnseenMilestone {
    pub id: i64,
    pub goal_id: i64,
    pub goal_name: String,
    pub percent: i32,
    pub reached_on: NaiveDate,
}

/// What the web app has yet to celebrate: badges (none while badges are off) and goal
/// milestones, oldest first. Celebrations are kept in the database, not in the answers of the
/// writes that earned them, so one earned by a script is celebrated when the app next looks.
pub fn unseen(
    conn: &mut DbConn,
    user_id: i64,
) -> Result<(Vec<BadgeView>, Vec<UnseenMilestone>), ApiError> {
    let stored: Vec<(String, NaiveDate, String)> = if enabled(conn, user_id)? {
        with_conn!(conn, c => badges::table
            .filter(badges::user_id.eq(user_id))
            .filter(badges::seen.eq(false))
            .order((badges::created_at.asc(), badges::id.asc()))
            .select((badges::key, badges::earned_on, badges::fact))
            .load(c))?
    } else {
        Vec::new()
    };
    let badges = stored
        .into_iter()
        .filter_map(|(key, on, fact)| {
            let badge = BADGES.into_iter().find(|b| b.key == key)?;
            Some(BadgeView {
                badge,
                earned: Some((on, fact)),
                progress: None,
            })
        })
        .collect();
    let milestones: Vec<(i64, i64, String, i32, NaiveDate)> = with_conn!(conn, c => goal_milestones::table
        .inner_join(goals::table)
        .filter(goals::user_id.eq(user_id))
        .filter(goal_milestones::seen.eq(false))
        .order((goal_milestones::reached_on.asc(), goal_milestones::id.asc()))
        .select((goal_milestones::id, goals::id, goals::name, goal_milestones::percent, goal_milestones::reached_on))
        .load(c))?;
    let milestones = milestones
        .into_iter()
        .map(
            |(id, goal_id, goal_name, percent, reached_on)| UnseenMilestone {
                id,
                goal_id,
                goal_name,
                percent,
                reached_on,
            },
        )
        .collect();
    Ok((badges, milestones))
}

/// Marks badges (by key) and goal milestones (by id) as celebrated. An unknown key is a 422
/// naming its place; a milestone id that is not one of the user's is a 404, like any other id.
/// Marking one already seen, or a badge not (or no longer) earned, changes nothing.
pub fn mark_seen(
    conn: &mut DbConn,
    user_id: i64,
    keys: &[String],
    milestone_ids: &[i64],
) -> Result<(), ApiError> {
    let unknown: Vec<crate::error::FieldError> = keys
        .iter()
        .enumerate()
        .filter(|(_, key)| !BADGES.iter().any(|b| b.key == key.as_str()))
        .map(|(i, _)| {
            crate::error::FieldError::new(format!("badges[{i}]"), "no badge has this key")
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let wanted: BTreeSet<i64> = milestone_ids.iter().copied().collect();
    conn.transaction(|conn| {
        if !wanted.is_empty() {
            let ids: Vec<i64> = wanted.iter().copied().collect();
            let owned: Vec<i64> = with_conn!(conn, c => goal_milestones::table
                .inner_join(goals::table)
                .filter(goals::user_id.eq(user_id))
                .filter(goal_milestones::id.eq_any(&ids))
                .select(goal_milestones::id)
                .load(c))?;
            if owned.len() != wanted.len() {
                return Err(ApiError::NotFound("no such goal milestone".into()));
            }
            with_conn!(conn, c => diesel::update(goal_milestones::table.filter(goal_milestones::id.eq_any(&owned)))
                .set(goal_milestones::seen.eq(true))
                .execute(c))?;
        }
        if !keys.is_empty() {
            with_conn!(conn, c => diesel::update(
                badges::table
                    .filter(badges::user_id.eq(user_id))
                    .filter(badges::key.eq_any(keys)),
            )
            .set(badges::seen.eq(true))
            .execute(c))?;
        }
        Ok(())
    })
}
