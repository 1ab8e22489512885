//! A user's recurring series: detected from the ledger (`recurring`), given stable ids and the
//! user's choices (confirm, rename, dismiss) from `recurring_series`, and the bills due soon.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{accounts, recurring_series, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::outlook::{self, AccountProjection, Outlook};
use crate::forecast::recurring::{
    self, AmountKind, Cadence, Change, ChangeKind, Direction, Line, Series, Status,
};
use crate::forecast::{months_of_history, NotEnoughData};
use crate::insights::anomalies;
use crate::insights::anomaly_store;
use crate::ledger::cache::LedgerCache;
use crate::ledger::not_found;
use crate::money::format_minor;
use crate::users::now;
use crate::with_conn;

/// How far back detection reads: two yearly payments and the gap before the next.
const LOOKBACK_DAYS: i64 = 3 * 366;
/// A monthly series needs three payments, so three months of history.
pub const NEEDS_MONTHS: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SeriesChoice)]
pub enum Choice {
    /// Found by detection; you have not said anything about it.
    Detected,
    /// You said it is a real recurring payment.
    Confirmed,
    /// You said it is not: it is hidden and not counted as a bill.
    Dismissed,
}

impl Choice {
    fn as_str(self) -> &'static str {
        match self {
            Choice::Detected => "detected",
            Choice::Confirmed => "confirmed",
            Choice::Dismissed => "dismissed",
        }
    }

    fn parse(stored: &str) -> Self {
        match stored {
            "confirmed" => Choice::Confirmed,
            "dismissed" => Choice::Dismissed,
            _ => Choice::Detected,
        }
    }
}

/// A change in a series with the sentence it is shown as.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = SeriesChangeView)]
pub struct ChangeView {
    #[serde(flatten)]
    pub change: Change,
    /// e.g. "Netflix went from 15.49 to 17.99 in March 2026".
    pub message: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 4, "name": "Netflix", "merchant": "Netflix", "direction": "expense", "category_id": 12, "account_id": 1,
    "cadence": "monthly", "amount_kind": "fixed", "typical_amount": -1799, "currency": "USD",
    "last_date": "2026-11-12", "last_amount": -1799, "next_date": "2026-12-12",
    "next_amount": -1799, "status": "active", "choice": "detected", "confidence": 0.93,
    "payments": 9, "changes": [{"kind": "price_change", "date": "2026-03-12",
    "from_amount": -1549, "to_amount": -1799, "last_paid": null,
    "message": "Netflix went from 15.49 to 17.99 in March 2026"}],
    "transaction_ids": [101, 140, 188]
}))]
pub struct RecurringSeries {
    pub id: i64,
    /// Your name for it, else the merchant.
    pub name: String,
    /// The merchant as the latest payment names it.
    pub merchant: String,
    pub direction: Direction,
    /// The category of the latest payment.
    pub category_id: Option<i64>,
    /// The account of the latest payment.
    pub account_id: i64,
    pub cadence: Cadence,
    pub amount_kind: AmountKind,
    /// Signed minor units (bills negative): the current price of a fixed series, the median of
    /// the last six payments of a varying one.
    pub typical_amount: i64,
    pub currency: String,
    pub last_date: NaiveDate,
    pub last_amount: i64,
    /// The next expected payment; `null` once the series has ended.
    pub next_date: Option<NaiveDate>,
    pub next_amount: Option<i64>,
    pub status: Status,
    pub choice: Choice,
    /// 0 to 1: the share of gaps that fit the cadence × the share of amounts within the band
    /// × how many payments back it (full from two more than the minimum).
    pub confidence: f64,
    /// How many payments the series is based on.
    pub payments: usize,
    pub changes: Vec<ChangeView>,
    /// The payments, oldest first.
    pub transaction_ids: Vec<i64>,
    /// The day of the month it is paid on, for projecting payments after the next.
    #[serde(skip)]
    pub day_of_month: u32,
}

/// All series of a user, or why there are none yet.
pub struct Found {
    pub series: Vec<RecurringSeries>,
    pub not_enough_data: Option<NotEnoughData>,
}

/// A user's ledger lines up to a day and the series detection finds in them: what every
/// recurring, forecast, recommendation, anomaly and insight answer starts from, and most of
/// what they cost. Kept per ledger version (`Ledgers`).
pub struct Ledger {
    pub lines: Vec<Line>,
    /// Before the user's choices (which `find_in` reads afresh).
    pub detected: Vec<Series>,
}

/// The per-process caches of what is computed from users' ledgers, each kept per ledger
/// version: the `Ledger`s, and the answers computed from them that cost most (keyed by what
/// else they depend on, see each key).
pub struct Ledgers {
    ledgers: LedgerCache<Ledger>,
    pub(crate) anomalies: LedgerCache<Vec<anomalies::Found>, anomaly_store::DetectionKey>,
    pub(crate) balances: LedgerCache<Vec<AccountProjection>, outlook::BalanceKey>,
    pub(crate) outlooks: LedgerCache<Outlook, outlook::OutlookKey>,
}

/// What each derived cache may hold, in items (anomalies, projected days, forecast items):
/// a few hundred bytes each, some 20 MB per cache at most.
const CACHED_ITEMS: usize = 50_000;

impl Ledgers {
    /// Caches holding at most `lines` ledger lines.
    pub fn new(lines: usize) -> Self {
        Ledgers {
            ledgers: LedgerCache::new(lines),
            anomalies: LedgerCache::new(CACHED_ITEMS),
            balances: LedgerCache::new(CACHED_ITEMS),
            outlooks: LedgerCache::new(CACHED_ITEMS),
        }
    }
}

/// What the cache of `Ledger`s may hold, in lines: at about 200 bytes a line, some 60 MB, three
/// years of ten users of the benchmark's size (`scripts/bench-insights`).
pub const CACHED_LINES: usize = 300_000;

/// The user's choices about the detected series (id, choice, name): what answers computed from
/// the series depend on besides the ledger, so part of their cache keys.
pub type Choices = Vec<(i64, Choice, String)>;

pub fn choices(series: &[RecurringSeries]) -> Choices {
    series
        .iter()
        .map(|s| (s.id, s.choice, s.name.clone()))
        .collect()
}

/// The user's `Ledger` up to `until`, from the cache when the ledger has not changed since.
pub fn ledger(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    until: NaiveDate,
) -> Result<Arc<Ledger>, ApiError> {
    ledgers.ledgers.get_or_load(conn, user_id, until, |conn| {
        let lines = lines(conn, user_id, until)?;
        let detected = recurring::detect(&lines, until);
        let weight = lines.len();
        Ok((Ledger { lines, detected }, weight))
    })
}

/// The user's ledger lines detection reads: the last three years up to `today`, transfers
/// between own accounts left out.
fn lines(conn: &mut DbConn, user_id: i64, today: NaiveDate) -> Result<Vec<Line>, ApiError> {
    let from = today - Duration::days(LOOKBACK_DAYS);
    type Row = (
        i64,
        i64,
        NaiveDate,
        i64,
        String,
        Option<String>,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = with_conn!(conn, c => transactions::table
        .inner_join(accounts::table)
        .filter(transactions::user_id.eq(user_id))
        .filter(transactions::is_transfer.eq(false))
        .filter(transactions::date.between(from, today))
        .select((
            transactions::id,
            transactions::account_id,
            transactions::date,
            transactions::amount,
            transactions::description,
            transactions::merchant,
            transactions::category_id,
            accounts::currency,
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(id, account_id, date, amount, description, merchant, category_id, currency)| Line {
                id,
                account_id,
                date,
                amount,
                currency,
                description,
                merchant,
                category_id,
            },
        )
        .collect())
}

/// Every series found in the user's ledger, with its id and the user's choice; dismissed ones
/// included (callers decide whether to show them).
pub fn find(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    today: NaiveDate,
) -> Result<Found, ApiError> {
    let ledger = ledger(conn, ledgers, user_id, today)?;
    find_in(conn, user_id, &ledger, today)
}

/// `find` in a `Ledger` already read.
pub fn find_in(
    conn: &mut DbConn,
    user_id: i64,
    ledger: &Ledger,
    today: NaiveDate,
) -> Result<Found, ApiError> {
    let first = ledger.lines.iter().map(|l| l.date).min();
    let not_enough_data = NotEnoughData::check(NEEDS_MONTHS, months_of_history(first, today));
    let stored = remember(conn, user_id, &ledger.detected)?;
    let series = ledger
        .detected
        .iter()
        .cloned()
        .filter_map(|s| {
            let (id, choice, name) = stored.get(&s.key)?.clone();
            Some(view(s, id, choice, name))
        })
        .collect();
    Ok(Found {
        series,
        not_enough_data,
    })
}

/// A stored series: id, key, choice, the user's name.
type Stored = (i64, String, String, Option<String>);
/// What is kept about a series: id, choice, the user's name.
type Remembered = (i64, Choice, Option<String>);

/// Gives every detected series a row (ids stay stable across runs) and returns the rows by
/// key: id, choice, name.
fn remember(
    conn: &mut DbConn,
    user_id: i64,
    detected: &[Series],
) -> Result<HashMap<String, Remembered>, ApiError> {
    let keys: Vec<&str> = detected.iter().map(|s| s.key.as_str()).collect();
    let load = |conn: &mut DbConn| -> Result<Vec<Stored>, ApiError> {
        Ok(with_conn!(conn, c => recurring_series::table
            .filter(recurring_series::user_id.eq(user_id))
            .filter(recurring_series::series_key.eq_any(&keys))
            .select((
                recurring_series::id,
                recurring_series::series_key,
                recurring_series::choice,
                recurring_series::name,
            ))
            .load(c))?)
    };
    let mut rows = load(conn)?;
    if rows.len() < keys.len() {
        let now = now();
        let new: Vec<_> = keys
            .iter()
            .filter(|k| !rows.iter().any(|r| r.1 == **k))
            .map(|k| {
                (
                    recurring_series::user_id.eq(user_id),
                    recurring_series::series_key.eq(*k),
                    recurring_series::choice.eq(Choice::Detected.as_str()),
                    recurring_series::created_at.eq(now),
                    recurring_series::updated_at.eq(now),
                )
            })
            .collect();
        // Two requests may detect the same new series at once; the unique key keeps one row.
        with_conn!(conn, c => diesel::insert_into(recurring_series::table)
            .values(&new)
            .on_conflict((recurring_series::user_id, recurring_series::series_key))
            .do_nothing()
            .execute(c))?;
        rows = load(conn)?;
    }
    Ok(rows
        .into_iter()
        .map(|(id, key, choice, name)| (key, (id, Choice::parse(&choice), name)))
        .collect())
}

/// A detected series as the API shows it, for evaluations that keep nothing in a database.
pub fn unstored(s: Series, id: i64) -> RecurringSeries {
    view(s, id, Choice::Detected, None)
}

fn view(s: Series, id: i64, choice: Choice, name: Option<String>) -> RecurringSeries {
    let name = name.unwrap_or_else(|| s.label.clone());
    let changes = s
        .changes
        .iter()
        .map(|c| ChangeView {
            message: message(c, &name, s.direction, &s.currency),
            change: c.clone(),
        })
        .collect();
    let ended = s.status == Status::Ended;
    RecurringSeries {
        id,
        merchant: s.label,
        name,
        direction: s.direction,
        category_id: s.category_id,
        account_id: s.account_id,
        cadence: s.cadence,
        amount_kind: s.amount_kind,
        typical_amount: s.typical_amount,
        currency: s.currency,
        last_date: s.last_date,
        last_amount: s.last_amount,
        next_date: (!ended).then_some(s.next_date),
        next_amount: (!ended).then_some(s.typical_amount),
        status: s.status,
        choice,
        confidence: s.confidence,
        payments: s.transaction_ids.len(),
        changes,
        transaction_ids: s.transaction_ids,
        day_of_month: s.day_of_month,
    }
}

/// The sentence a change is shown as. Amounts are shown without their sign: the direction is
/// in the words.
fn message(change: &Change, name: &str, direction: Direction, currency: &str) -> String {
    let money = |amount: Option<i64>| format_minor(amount.unwrap_or(0).abs(), currency);
    match change.kind {
        ChangeKind::PriceChange => format!(
            "{name} went from {} to {} in {}",
            money(change.from_amount),
            money(change.to_amount),
            change.date.format("%B %Y")
        ),
        ChangeKind::Missing => {
            let last = change
                .last_paid
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_default();
            let preposition = match direction {
                Direction::Expense => "to",
                Direction::Income => "from",
            };
            format!(
                "no payment {preposition} {name} since {last}; one was expected on {}",
                change.date.format("%-d %B %Y")
            )
        }
    }
}

/// One series, by id.
pub fn get(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    id: i64,
    today: NaiveDate,
) -> Result<RecurringSeries, ApiError> {
    owned(conn, user_id, id)?;
    find(conn, ledgers, user_id, today)?
        .series
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "series {id} is no longer found in your transactions"
            ))
        })
}

fn owned(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let found: Option<i64> = with_conn!(conn, c => recurring_series::table
        .filter(recurring_series::id.eq(id))
        .filter(recurring_series::user_id.eq(user_id))
        .select(recurring_series::id)
        .first(c)
        .optional())?;
    found
        .map(drop)
        .ok_or_else(|| not_found("recurring series", id))
}

/// What the user says about a series; `name: Some(None)` goes back to the merchant's name.
pub struct Decision {
    pub choice: Option<Choice>,
    pub name: Option<Option<String>>,
}

pub fn decide(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    id: i64,
    decision: Decision,
    today: NaiveDate,
) -> Result<RecurringSeries, ApiError> {
    owned(conn, user_id, id)?;
    with_conn!(conn, c => diesel::update(recurring_series::table.find(id))
        .set((
            decision.choice.map(|ch| recurring_series::choice.eq(ch.as_str())),
            decision.name.map(|n| recurring_series::name.eq(n)),
            recurring_series::updated_at.eq(now()),
        ))
        .execute(c))?;
    get(conn, ledgers, user_id, id, today)
}

/// One expected payment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UpcomingBill {
    pub series_id: i64,
    pub name: String,
    pub category_id: Option<i64>,
    pub date: NaiveDate,
    /// Signed minor units (negative: money out).
    pub amount: i64,
    pub currency: String,
    /// The date has passed but the payment is still within its grace days.
    pub overdue: bool,
    /// The series' confidence.
    pub confidence: f64,
}

/// Expected bill payments from `today` through `until`, by date, counting every active series
/// that is not dismissed (a weekly one appears once per week). Late ones still within their
/// grace days are listed as overdue; missing ones are reported by the series, not as due.
pub fn upcoming(
    series: &[RecurringSeries],
    today: NaiveDate,
    until: NaiveDate,
) -> Vec<UpcomingBill> {
    let mut due: Vec<UpcomingBill> = series
        .iter()
        .filter(|s| {
            s.direction == Direction::Expense
                && s.choice != Choice::Dismissed
                && s.status == Status::Active
        })
        .flat_map(|s| {
            let dates = s.next_date.map_or_else(Vec::new, |next| {
                recurring::expected(s.cadence, next, s.day_of_month, until)
            });
            dates.into_iter().map(move |date| UpcomingBill {
                series_id: s.id,
                name: s.name.clone(),
                category_id: s.category_id,
                date,
                amount: s.next_amount.unwrap_or(s.typical_amount),
                currency: s.currency.clone(),
                overdue: date < today,
                confidence: s.confidence,
            })
        })
        .collect();
    due.sort_by(|a, b| a.date.cmp(&b.date).then(a.series_id.cmp(&b.series_id)));
    due
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = BillTotal)]
pub struct Total {
    pub currency: String,
    pub amount: i64,
}

/// The bills' sum per currency, in the order the currencies first appear.
pub fn totals(bills: &[UpcomingBill]) -> Vec<Total> {
    let mut totals: Vec<Total> = Vec::new();
    for bill in bills {
        match totals.iter_mut().find(|t| t.currency == bill.currency) {
            // Amounts are not bounded at the edge yet; absurd ones saturate rather than fail.
            Some(t) => t.amount = t.amount.saturating_add(bill.amount),
            None => totals.push(Total {
                currency: bill.currency.clone(),
                amount: bill.amount,
            }),
        }
    }
    totals
}
