//! Savings goals: stored per user, funded by earmarks on accounts, by contributions and/or by a
//! share of each complete month's net savings; their progress is judged in `progress.rs`.
//!
//! What a goal has saved at the end of a month is computed, never stored, so imports, edits and
//! undos always show: the contributions dated up to then, plus for each linked account the
//! earmarked amount as far as the account's balance then covers it (goals sharing an account are
//! served oldest first), plus the goal's share of the
//! net savings (income minus spending in the goal's currency) of each complete month since it
//! started in which it was active.

pub mod progress;

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month, shift_months};
use crate::analytics::sums::{self, Scope};
use crate::db::schema::{
    accounts, goal_accounts, goal_contributions, goal_milestones, goal_pauses, goals, transactions,
};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::{categories, inserted_once, not_found, unique};
use crate::users::now;
use crate::with_conn;
use progress::{Inputs, Progress};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalState {
    Active,
    Paused,
    Completed,
    Archived,
}

impl GoalState {
    pub fn as_str(self) -> &'static str {
        match self {
            GoalState::Active => "active",
            GoalState::Paused => "paused",
            GoalState::Completed => "completed",
            GoalState::Archived => "archived",
        }
    }

    pub fn parse(value: &str) -> GoalState {
        match value {
            "paused" => GoalState::Paused,
            "completed" => GoalState::Completed,
            "archived" => GoalState::Archived,
            _ => GoalState::Active,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = goals)]
pub struct Goal {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub target_amount: i64,
    pub currency: String,
    pub target_date: Option<NaiveDate>,
    pub savings_share_bp: Option<i64>,
    pub state: String,
    pub starts_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = goal_contributions)]
pub struct Contribution {
    pub id: i64,
    pub goal_id: i64,
    pub date: NaiveDate,
    pub amount: i64,
    pub note: String,
    pub created_at: NaiveDateTime,
}

/// A goal with everything its progress is computed from, and that progress.
#[derive(Clone, Debug)]
pub struct GoalView {
    pub goal: Goal,
    /// `(account_id, earmarked amount)`.
    pub accounts: Vec<(i64, i64)>,
    pub progress: Progress,
    /// Saved at the end of each month from the start to the current month (now).
    pub history: Vec<(NaiveDate, i64)>,
    /// `(percent, day first seen)`.
    pub milestones: Vec<(i32, NaiveDate)>,
    /// Milestones this request recorded (for the web app's celebration).
    pub new_milestones: Vec<i32>,
}

pub struct GoalInput {
    pub name: String,
    pub target_amount: i64,
    pub currency: String,
    pub target_date: Option<NaiveDate>,
    pub savings_share_bp: Option<i64>,
    pub accounts: Vec<(i64, i64)>,
    pub starts_on: NaiveDate,
}

#[derive(Default)]
pub struct GoalChange {
    pub name: Option<String>,
    pub target_amount: Option<i64>,
    pub target_date: Option<Option<NaiveDate>>,
    pub savings_share_bp: Option<Option<i64>>,
    pub accounts: Option<Vec<(i64, i64)>>,
    pub state: Option<GoalState>,
}

fn unique_name<T>(result: QueryResult<T>) -> Result<T, ApiError> {
    unique(result, "you already have a goal with this name")
}

/// Linked accounts must be the user's, in the goal's currency, each once.
fn check_accounts(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    links: &[(i64, i64)],
) -> Result<(), ApiError> {
    let mine: HashMap<i64, String> = with_conn!(conn, c => accounts::table
        .filter(accounts::user_id.eq(user_id))
        .select((accounts::id, accounts::currency))
        .load::<(i64, String)>(c))?
    .into_iter()
    .collect();
    for (i, (account, _)) in links.iter().enumerate() {
        let field = format!("accounts[{i}].account_id");
        match mine.get(account) {
            None => return Err(ApiError::validation(field, "is not one of your accounts")),
            Some(c) if c != currency => {
                return Err(ApiError::validation(
                    field,
                    format!("is in {c}, the goal in {currency}"),
                ))
            }
            Some(_) if links[..i].iter().any(|(a, _)| a == account) => {
                return Err(ApiError::validation(field, "is linked twice"))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn replace_accounts(conn: &mut DbConn, goal_id: i64, links: &[(i64, i64)]) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::delete(goal_accounts::table.filter(goal_accounts::goal_id.eq(goal_id))).execute(c))?;
    let rows: Vec<_> = links
        .iter()
        .map(|&(account, amount)| {
            (
                goal_accounts::goal_id.eq(goal_id),
                goal_accounts::account_id.eq(account),
                goal_accounts::amount.eq(amount),
            )
        })
        .collect();
    if !rows.is_empty() {
        with_conn!(conn, c => diesel::insert_into(goal_accounts::table).values(&rows).execute(c))?;
    }
    Ok(())
}

fn stored(conn: &mut DbConn, user_id: i64, id: Option<i64>) -> Result<Vec<Goal>, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut q = goals::table
            .filter(goals::user_id.eq(user_id))
            .order((goals::name.asc(), goals::id.asc()))
            .select(Goal::as_select())
            .into_boxed::<Backend>();
        if let Some(id) = id {
            q = q.filter(goals::id.eq(id));
        }
        q.load(c)
    })?)
}

fn owned(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Goal, ApiError> {
    stored(conn, user_id, Some(id))?
        .pop()
        .ok_or_else(|| not_found("goal", id))
}

pub fn create(
    conn: &mut DbConn,
    user_id: i64,
    input: GoalInput,
    today: NaiveDate,
) -> Result<GoalView, ApiError> {
    check_accounts(conn, user_id, &input.currency, &input.accounts)?;
    let now = now();
    let id = conn.transaction(|conn| {
        let id = unique_name(with_conn!(conn, c => diesel::insert_into(goals::table)
            .values((
                goals::user_id.eq(user_id),
                goals::name.eq(input.name.trim()),
                goals::target_amount.eq(input.target_amount),
                goals::currency.eq(&input.currency),
                goals::target_date.eq(input.target_date),
                goals::savings_share_bp.eq(input.savings_share_bp),
                goals::state.eq(GoalState::Active.as_str()),
                goals::starts_on.eq(first_of_month(input.starts_on)),
                goals::created_at.eq(now),
                goals::updated_at.eq(now),
            ))
            .returning(goals::id)
            .get_result::<i64>(c)))?;
        replace_accounts(conn, id, &input.accounts)?;
        Ok::<_, ApiError>(id)
    })?;
    get(conn, user_id, id, today)
}

/// Leaving the active state opens a pause from this month; coming back closes it at the month
/// before (a pause and resume within one month skips nothing).
fn record_state(
    conn: &mut DbConn,
    goal: &Goal,
    state: GoalState,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let was_active = GoalState::parse(&goal.state) == GoalState::Active;
    let month = first_of_month(today);
    if was_active && state != GoalState::Active {
        with_conn!(conn, c => diesel::insert_into(goal_pauses::table)
            .values((goal_pauses::goal_id.eq(goal.id), goal_pauses::from_month.eq(month)))
            .execute(c))?;
    } else if !was_active && state == GoalState::Active {
        let until = shift_months(month, -1);
        let open = goal_pauses::table
            .filter(goal_pauses::goal_id.eq(goal.id))
            .filter(goal_pauses::to_month.is_null());
        with_conn!(conn, c => diesel::delete(open.filter(goal_pauses::from_month.gt(until))).execute(c))?;
        with_conn!(conn, c => diesel::update(open)
            .set(goal_pauses::to_month.eq(until))
            .execute(c))?;
    }
    Ok(())
}

pub fn update(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    change: GoalChange,
    today: NaiveDate,
) -> Result<GoalView, ApiError> {
    let goal = owned(conn, user_id, id)?;
    if let Some(links) = &change.accounts {
        check_accounts(conn, user_id, &goal.currency, links)?;
    }
    conn.transaction(|conn| {
        unique_name(
            with_conn!(conn, c => diesel::update(goals::table.find(goal.id))
            .set((
                change.name.as_ref().map(|n| goals::name.eq(n.trim().to_owned())),
                change.target_amount.map(|a| goals::target_amount.eq(a)),
                change.target_date.map(|d| goals::target_date.eq(d)),
                change.savings_share_bp.map(|s| goals::savings_share_bp.eq(s)),
                change.state.map(|s| goals::state.eq(s.as_str())),
                goals::updated_at.eq(now()),
            ))
            .execute(c)),
        )?;
        if let Some(links) = &change.accounts {
            replace_accounts(conn, goal.id, links)?;
        }
        if let Some(state) = change.state {
            record_state(conn, &goal, state, today)?;
        }
        Ok::<_, ApiError>(())
    })?;
    get(conn, user_id, id, today)
}

pub fn delete(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let goal = owned(conn, user_id, id)?;
    with_conn!(conn, c => diesel::delete(goals::table.find(goal.id)).execute(c))?;
    Ok(())
}

pub fn contributions(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
) -> Result<Vec<Contribution>, ApiError> {
    let goal = owned(conn, user_id, id)?;
    Ok(with_conn!(conn, c => goal_contributions::table
        .filter(goal_contributions::goal_id.eq(goal.id))
        .order((goal_contributions::date.asc(), goal_contributions::id.asc()))
        .select(Contribution::as_select())
        .load(c))?)
}

pub fn contribute(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    date: NaiveDate,
    amount: i64,
    note: &str,
) -> Result<Contribution, ApiError> {
    let goal = owned(conn, user_id, id)?;
    Ok(
        with_conn!(conn, c => diesel::insert_into(goal_contributions::table)
        .values((
            goal_contributions::goal_id.eq(goal.id),
            goal_contributions::date.eq(date),
            goal_contributions::amount.eq(amount),
            goal_contributions::note.eq(note.trim()),
            goal_contributions::created_at.eq(now()),
        ))
        .returning(Contribution::as_returning())
        .get_result(c))?,
    )
}

pub fn remove_contribution(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    contribution: i64,
) -> Result<(), ApiError> {
    let goal = owned(conn, user_id, id)?;
    let deleted = with_conn!(conn, c => diesel::delete(
        goal_contributions::table
            .filter(goal_contributions::goal_id.eq(goal.id))
            .filter(goal_contributions::id.eq(contribution)),
    )
    .execute(c))?;
    if deleted == 0 {
        return Err(not_found("contribution", contribution));
    }
    Ok(())
}

/// What goals are computed from, loaded once for all of a user's goals.
struct Facts {
    links: HashMap<i64, Vec<(i64, i64)>>,
    /// Per account: the goals earmarking it, oldest goal first, with their amounts.
    holders: HashMap<i64, Vec<(i64, i64)>>,
    contributions: HashMap<i64, Vec<(NaiveDate, i64)>>,
    pauses: HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>)>>,
    milestones: HashMap<i64, Vec<(i32, NaiveDate)>>,
    /// Per linked account: opening balance and the net of each month.
    balances: HashMap<i64, (i64, BTreeMap<NaiveDate, i64>)>,
    /// Net savings per currency and complete month.
    savings: HashMap<String, BTreeMap<NaiveDate, i64>>,
}

fn facts(
    conn: &mut DbConn,
    user_id: i64,
    goals: &[Goal],
    today: NaiveDate,
) -> Result<Facts, ApiError> {
    let ids: Vec<i64> = goals.iter().map(|g| g.id).collect();
    let mut links: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    let mut holders: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    // Every goal of the user that earmarks money, since goals sharing an account share its balance.
    for (goal, account, amount) in with_conn!(conn, c => goal_accounts::table
        .inner_join(goals::table)
        .filter(goals::user_id.eq(user_id))
        .order((goal_accounts::goal_id.asc(), goal_accounts::id.asc()))
        .select((goal_accounts::goal_id, goal_accounts::account_id, goal_accounts::amount))
        .load::<(i64, i64, i64)>(c))?
    {
        holders.entry(account).or_default().push((goal, amount));
        if ids.contains(&goal) {
            links.entry(goal).or_default().push((account, amount));
        }
    }
    let mut contributions: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (goal, date, amount) in with_conn!(conn, c => goal_contributions::table
        .filter(goal_contributions::goal_id.eq_any(&ids))
        .select((goal_contributions::goal_id, goal_contributions::date, goal_contributions::amount))
        .load::<(i64, NaiveDate, i64)>(c))?
    {
        contributions.entry(goal).or_default().push((date, amount));
    }
    let mut pauses: HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for (goal, from, to) in with_conn!(conn, c => goal_pauses::table
        .filter(goal_pauses::goal_id.eq_any(&ids))
        .select((goal_pauses::goal_id, goal_pauses::from_month, goal_pauses::to_month))
        .load::<(i64, NaiveDate, Option<NaiveDate>)>(c))?
    {
        pauses.entry(goal).or_default().push((from, to));
    }
    let mut milestones: HashMap<i64, Vec<(i32, NaiveDate)>> = HashMap::new();
    for (goal, percent, on) in with_conn!(conn, c => goal_milestones::table
        .filter(goal_milestones::goal_id.eq_any(&ids))
        .order(goal_milestones::percent.asc())
        .select((goal_milestones::goal_id, goal_milestones::percent, goal_milestones::reached_on))
        .load::<(i64, i32, NaiveDate)>(c))?
    {
        milestones.entry(goal).or_default().push((percent, on));
    }
    let linked: Vec<i64> = holders.keys().copied().collect();
    let mut balances: HashMap<i64, (i64, BTreeMap<NaiveDate, i64>)> = HashMap::new();
    if !linked.is_empty() {
        for (account, opening) in with_conn!(conn, c => accounts::table
            .filter(accounts::id.eq_any(&linked))
            .select((accounts::id, accounts::opening_balance))
            .load::<(i64, i64)>(c))?
        {
            balances.insert(account, (opening, BTreeMap::new()));
        }
        for (account, date, amount) in with_conn!(conn, c => transactions::table
            .filter(transactions::account_id.eq_any(&linked))
            .select((transactions::account_id, transactions::date, transactions::amount))
            .load::<(i64, NaiveDate, i64)>(c))?
        {
            if let Some((_, months)) = balances.get_mut(&account) {
                *months.entry(first_of_month(date)).or_default() += amount;
            }
        }
    }
    let mut savings: HashMap<String, BTreeMap<NaiveDate, i64>> = HashMap::new();
    let last_complete = last_of_month(shift_months(today, -1));
    for goal in goals.iter().filter(|g| g.savings_share_bp.is_some()) {
        if savings.contains_key(&goal.currency) {
            continue;
        }
        let from = goals
            .iter()
            .filter(|g| g.currency == goal.currency && g.savings_share_bp.is_some())
            .map(|g| g.starts_on)
            .min()
            .unwrap_or(goal.starts_on);
        let mut by_month = BTreeMap::new();
        if from <= last_complete {
            let categories = categories::by_id(conn, user_id)?;
            let scope = Scope {
                user_id,
                currency: &goal.currency,
                accounts: &[],
                from,
                to: last_complete,
            };
            for sum in sums::by_category(conn, &scope, &Default::default())? {
                let category = sum.category_id.and_then(|id| categories.get(&id));
                *by_month.entry(first_of_month(sum.first)).or_default() +=
                    sums::income(category, &sum) - sums::spending(category, &sum);
            }
        }
        savings.insert(goal.currency.clone(), by_month);
    }
    Ok(Facts {
        links,
        holders,
        contributions,
        pauses,
        milestones,
        balances,
        savings,
    })
}

impl Facts {
    /// Saved by `goal` at the end of `month` (the current month: now).
    fn saved_at(&self, goal: &Goal, month: NaiveDate, current: NaiveDate) -> i64 {
        let end = last_of_month(month);
        let contributed: i64 = self.contributions.get(&goal.id).map_or(0, |c| {
            c.iter().filter(|(d, _)| *d <= end).map(|(_, a)| a).sum()
        });
        let earmarked: i64 = self.links.get(&goal.id).map_or(0, |links| {
            links
                .iter()
                .map(|(account, amount)| {
                    let balance = self.balances.get(account).map_or(0, |(opening, months)| {
                        opening + months.range(..=month).map(|(_, n)| n).sum::<i64>()
                    });
                    let before: i64 = self.holders.get(account).map_or(0, |h| {
                        h.iter()
                            .take_while(|(g, _)| *g != goal.id)
                            .map(|(_, a)| a)
                            .sum()
                    });
                    (balance - before).clamp(0, *amount)
                })
                .sum()
        });
        let allocated: i64 = match (goal.savings_share_bp, self.savings.get(&goal.currency)) {
            (Some(share), Some(net)) => {
                let pauses = self.pauses.get(&goal.id);
                net.range(goal.starts_on..=month)
                    .filter(|(m, _)| **m < current)
                    .filter(|(m, _)| {
                        !pauses.is_some_and(|p| {
                            p.iter()
                                .any(|(from, to)| *from <= **m && to.is_none_or(|t| **m <= t))
                        })
                    })
                    .map(|(_, n)| progress::allocation(*n, share))
                    .sum()
            }
            _ => 0,
        };
        contributed + earmarked + allocated
    }
}

/// Every goal of the user (archived ones too when asked) with its progress; milestones reached
/// and not yet recorded are recorded with today's date.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    today: NaiveDate,
    include_archived: bool,
) -> Result<Vec<GoalView>, ApiError> {
    let goals: Vec<Goal> = stored(conn, user_id, None)?
        .into_iter()
        .filter(|g| include_archived || g.state != GoalState::Archived.as_str())
        .collect();
    views(conn, user_id, goals, today)
}

pub fn get(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    today: NaiveDate,
) -> Result<GoalView, ApiError> {
    let goal = owned(conn, user_id, id)?;
    Ok(views(conn, user_id, vec![goal], today)?.remove(0))
}

fn views(
    conn: &mut DbConn,
    user_id: i64,
    goals: Vec<Goal>,
    today: NaiveDate,
) -> Result<Vec<GoalView>, ApiError> {
    let mut facts = facts(conn, user_id, &goals, today)?;
    let current = first_of_month(today);
    let mut views = Vec::new();
    for goal in goals {
        let saved_at = |month: NaiveDate| facts.saved_at(&goal, month, current);
        let progress = progress::progress(&Inputs {
            target: goal.target_amount,
            target_month: goal.target_date.map(first_of_month),
            start_month: goal.starts_on,
            current_month: current,
            saved_at: &saved_at,
        });
        let mut history = Vec::new();
        let mut month = goal.starts_on.min(current);
        while month <= current {
            history.push((month, saved_at(month)));
            month = shift_months(month, 1);
        }
        let mut milestones = facts.milestones.remove(&goal.id).unwrap_or_default();
        let new_milestones: Vec<i32> =
            progress::milestones_reached(progress.saved, goal.target_amount)
                .into_iter()
                .filter(|p| !milestones.iter().any(|(m, _)| m == p))
                .collect();
        for &percent in &new_milestones {
            let inserted = with_conn!(conn, c => diesel::insert_into(goal_milestones::table)
                .values((
                    goal_milestones::goal_id.eq(goal.id),
                    goal_milestones::percent.eq(percent),
                    goal_milestones::reached_on.eq(today),
                ))
                .execute(c));
            inserted_once(inserted)?;
            milestones.push((percent, today));
        }
        milestones.sort();
        views.push(GoalView {
            accounts: facts.links.get(&goal.id).cloned().unwrap_or_default(),
            goal,
            progress,
            history,
            milestones,
            new_milestones,
        });
    }
    Ok(views)
}
