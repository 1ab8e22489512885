//! Transactions: listing with filters, totals and cursor pagination; single and bulk changes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::analytics::period::{first_of_month, last_of_month, parse_month};
use crate::db::expr::{sum_of, unindexed, SORTED_DIRECTLY_DAYS};
use crate::db::schema::{accounts, categories, monthly_sums, transactions};
use crate::db::DbConn;
use crate::error::{ApiError, FieldError};
use crate::ledger::amount_order;
use crate::ledger::categories::Category;
use crate::ledger::fingerprint::fingerprint;
use crate::ledger::search::{Step, TextMatch};
use crate::ledger::{accounts as account_store, categories as category_store, merchants, rules};
use crate::ledger::{not_found, EXPENSES, INCOME};
use crate::ml::direction::{Facts, Guard};
use crate::ml::{feedback, text};
use crate::users::now;
use crate::with_conn;

pub const MAX_PAGE: i64 = 500;
pub const DEFAULT_PAGE: i64 = 50;
/// Bulk operations take at most this many ids per call.
pub const MAX_BULK: usize = 1000;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = transactions)]
pub struct Transaction {
    pub id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub date: NaiveDate,
    pub amount: i64,
    pub description: String,
    pub merchant: Option<String>,
    pub notes: Option<String>,
    pub category_id: Option<i64>,
    pub category_source: Option<String>,
    pub category_confidence: Option<f64>,
    pub is_transfer: bool,
    pub import_id: Option<i64>,
    pub external_id: Option<String>,
    pub fingerprint: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The categorizer's guess for an uncategorized transaction it was not sure about.
    pub suggested_category_id: Option<i64>,
    /// Who it is with, derived (see `ledger::merchants`); empty when nothing names anyone.
    pub merchant_key: Option<String>,
}

/// A transaction with the currency of its account.
pub type Listed = (Transaction, String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CategorySource {
    Rule,
    Model,
    User,
    Import,
}

impl CategorySource {
    pub fn as_str(self) -> &'static str {
        match self {
            CategorySource::Rule => "rule",
            CategorySource::Model => "model",
            CategorySource::User => "user",
            CategorySource::Import => "import",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Money in (transfers excluded).
    Income,
    /// Money out (transfers excluded).
    Expense,
    /// Only transfers between own accounts.
    Transfer,
    #[default]
    All,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Date,
    /// By currency, then by amount within each currency: amounts in different currencies are
    /// not comparable as raw numbers.
    Amount,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// Which transactions: every filter narrows the set, and the totals cover all of it.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// First day, inclusive (`YYYY-MM-DD`).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (`YYYY-MM-DD`).
    pub to: Option<NaiveDate>,
    /// A calendar month, `YYYY-MM`.
    #[param(example = "2026-03")]
    pub month: Option<String>,
    /// A calendar year, 1900 to 9999.
    #[param(minimum = 1900, maximum = 9999, example = 2026)]
    pub year: Option<i32>,
    pub account_id: Option<i64>,
    pub category_id: Option<i64>,
    /// Only transactions without a category.
    pub uncategorized: Option<bool>,
    /// Text in the description, merchant or notes (case-insensitive).
    pub q: Option<String>,
    /// Smallest absolute amount, in minor units.
    pub min: Option<i64>,
    /// Largest absolute amount, in minor units.
    pub max: Option<i64>,
    #[param(inline)]
    pub flow: Option<Flow>,
    pub import_id: Option<i64>,
}

/// A filter with its dates resolved into one inclusive range.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// Only these accounts; empty: all.
    accounts: Vec<i64>,
    category_id: Option<i64>,
    uncategorized: bool,
    /// Text in the description, merchant or notes (see `search`).
    text: Option<TextMatch>,
    min: Option<i64>,
    max: Option<i64>,
    flow: Flow,
    import_id: Option<i64>,
    /// Check the dates row by row instead of through a date index (see `expr::unindexed`): set
    /// when paging by amount over a long range.
    dates_unindexed: bool,
}

impl Resolved {
    /// Every transaction of some days, optionally of some accounts only (empty: all).
    pub fn days(from: NaiveDate, to: NaiveDate, accounts: &[i64]) -> Self {
        Resolved {
            from: Some(from),
            to: Some(to),
            accounts: accounts.to_vec(),
            ..Default::default()
        }
    }
}

impl Filter {
    pub fn resolve(&self) -> Result<Resolved, ApiError> {
        let mut errors = Vec::new();
        let mut from = self.from;
        let mut to = self.to;
        let mut narrow = |first: NaiveDate, last: NaiveDate| {
            from = Some(from.map_or(first, |f| f.max(first)));
            to = Some(to.map_or(last, |t| t.min(last)));
        };
        if let Some(month) = &self.month {
            match parse_month(month) {
                Some(first) => narrow(first, last_of_month(first)),
                None => errors.push(FieldError::new("month", "must be a month as YYYY-MM")),
            }
        }
        if let Some(year) = self.year {
            match (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            ) {
                (Some(first), Some(last)) if (1900..=9999).contains(&year) => narrow(first, last),
                _ => errors.push(FieldError::new("year", "must be a year from 1900 to 9999")),
            }
        }
        if self.min.is_some_and(|m| m < 0) {
            errors.push(FieldError::new(
                "min",
                "must not be negative: it bounds the absolute amount",
            ));
        }
        if self.max.is_some_and(|m| m < 0) {
            errors.push(FieldError::new(
                "max",
                "must not be negative: it bounds the absolute amount",
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(Resolved {
            from,
            to,
            accounts: self.account_id.into_iter().collect(),
            category_id: self.category_id,
            uncategorized: self.uncategorized.unwrap_or(false),
            text: self.q.as_deref().and_then(TextMatch::new),
            min: self.min,
            max: self.max,
            flow: self.flow.unwrap_or_default(),
            import_id: self.import_id,
            dates_unindexed: false,
        })
    }
}

/// The user's transactions joined to their accounts, narrowed by a `Resolved` filter, as a boxed
/// query for whichever backend the surrounding `with_conn!` arm is compiled for.
macro_rules! filtered {
    ($user_id:expr, $filter:expr) => {
        filtered!(
            $user_id,
            $filter,
            transactions::table.inner_join(accounts::table)
        )
    };
    ($user_id:expr, $filter:expr, $source:expr) => {{
        let f: &Resolved = $filter;
        let mut q = $source
            .filter(transactions::user_id.eq($user_id))
            .into_boxed::<Backend>();
        match (f.from, f.dates_unindexed) {
            (Some(d), false) => q = q.filter(transactions::date.ge(d)),
            (Some(d), true) => {
                q = q.filter(unindexed(transactions::date, transactions::date).ge(d))
            }
            (None, _) => {}
        }
        match (f.to, f.dates_unindexed) {
            (Some(d), false) => q = q.filter(transactions::date.le(d)),
            (Some(d), true) => {
                q = q.filter(unindexed(transactions::date, transactions::date).le(d))
            }
            (None, _) => {}
        }
        if !f.accounts.is_empty() {
            q = q.filter(transactions::account_id.eq_any(&f.accounts));
        }
        if let Some(id) = f.category_id {
            q = q.filter(transactions::category_id.eq(id));
        }
        if f.uncategorized {
            q = q.filter(transactions::category_id.is_null());
        }
        if let Some(id) = f.import_id {
            q = q.filter(transactions::import_id.eq(id));
        }
        if let Some(text) = &f.text {
            q = q.filter(text.clone());
        }
        if let Some(min) = f.min {
            q = q.filter(
                transactions::amount
                    .ge(min)
                    .or(transactions::amount.le(-min)),
            );
        }
        if let Some(max) = f.max {
            q = q.filter(
                transactions::amount
                    .le(max)
                    .and(transactions::amount.ge(-max)),
            );
        }
        match f.flow {
            Flow::Income => {
                q = q.filter(
                    transactions::amount
                        .gt(0)
                        .and(transactions::is_transfer.eq(false)),
                )
            }
            Flow::Expense => {
                q = q.filter(
                    transactions::amount
                        .lt(0)
                        .and(transactions::is_transfer.eq(false)),
                )
            }
            // As a bare column, so the partial index of transfers (`WHERE is_transfer`) applies.
            Flow::Transfer => {
                q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "transactions.is_transfer",
                ))
            }
            Flow::All => {}
        }
        q
    }};
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many to return (1–500, default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    #[param(inline)]
    pub sort: Option<SortKey>,
    #[param(inline)]
    pub order: Option<SortOrder>,
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// The sort key of the last row: days since 0001-01-01 for dates, minor units for amounts.
    k: i64,
    id: i64,
    /// Sorting by amount: the last row's currency (amounts are only ordered within one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    c: Option<String>,
}

fn decode_cursor(raw: &str) -> Result<Cursor, ApiError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::validation("cursor", "is not a cursor this list returned"))
}

fn encode_cursor(sort: SortKey, (t, currency): &Listed) -> String {
    let (k, c) = match sort {
        SortKey::Date => (i64::from(t.date.num_days_from_ce()), None),
        SortKey::Amount => (t.amount, Some(currency.clone())),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Cursor { k, id: t.id, c }).unwrap_or_default())
}

#[derive(Debug, Serialize, ToSchema, Queryable)]
pub struct Totals {
    pub currency: String,
    pub count: i64,
    /// Money in, transfers excluded (minor units).
    pub income: i64,
    /// Money out, transfers excluded (minor units, negative).
    pub expenses: i64,
}

pub struct ListResult {
    pub items: Vec<Listed>,
    pub next_cursor: Option<String>,
    /// `None` when only a read of every matching row could total the filter (see
    /// `quick_totals`): a page never pays for that; `totals` does, on request.
    pub totals: Option<Vec<Totals>>,
}

/// One page of the filtered transactions. Its cost follows the page, not the history: each
/// sort is served by an index within the user's rows (see the ledger migrations), and the totals
/// come from the monthly pre-aggregates or are left out.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
    page: &Page,
) -> Result<ListResult, ApiError> {
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 500"));
    }
    let sort = page.sort.unwrap_or_default();
    let descending = page.order.unwrap_or_default() == SortOrder::Desc;
    let after = page.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut rows = match sort {
        SortKey::Date => {
            let after = after.map(|cur| (cur.k, cur.id));
            page_rows(conn, user_id, filter, sort, descending, after, limit + 1)?
        }
        SortKey::Amount => by_amount(conn, user_id, filter, descending, after, limit + 1)?,
    };
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| encode_cursor(sort, row))
    } else {
        None
    };
    Ok(ListResult {
        items: rows,
        next_cursor,
        totals: quick_totals(conn, user_id, filter)?,
    })
}

/// Sorted by amount: one currency after the other (amounts of different currencies are not
/// comparable), each read through the user's (amount, id) index restricted to the accounts of
/// that currency, so no query sorts more rows than the page needs.
fn by_amount(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
    descending: bool,
    after: Option<Cursor>,
    wanted: i64,
) -> Result<Vec<Listed>, ApiError> {
    let short_range = filter
        .from
        .zip(filter.to)
        .is_some_and(|(from, to)| (to - from).num_days() <= SORTED_DIRECTLY_DAYS);
    let mut owned: Vec<(i64, String)> = with_conn!(conn, c => accounts::table
        .filter(accounts::user_id.eq(user_id))
        .select((accounts::id, accounts::currency))
        .order((accounts::currency.asc(), accounts::id.asc()))
        .load(c))?;
    if !filter.accounts.is_empty() {
        owned.retain(|(id, _)| filter.accounts.contains(id));
    }
    let mut rows: Vec<Listed> = Vec::new();
    let mut groups = owned.chunk_by(|a, b| a.1 == b.1).peekable();
    while let Some(group) = groups.next() {
        let currency = &group[0].1;
        let resume = match &after {
            Some(cur) => match cur.c.as_deref().unwrap_or_default().cmp(currency.as_str()) {
                std::cmp::Ordering::Greater => continue,
                std::cmp::Ordering::Equal => Some((cur.k, cur.id)),
                std::cmp::Ordering::Less => None,
            },
            None => None,
        };
        // A single currency needs no restriction to its accounts: an account filter in the query
        // would lead the planners to the account index instead of the amount index.
        let of_currency = Resolved {
            accounts: match owned.len() == group.len() && filter.accounts.is_empty() {
                true => Vec::new(),
                false => group.iter().map(|(id, _)| *id).collect(),
            },
            dates_unindexed: !short_range,
            ..filter.clone()
        };
        let left = wanted - rows.len() as i64;
        rows.extend(page_rows(
            conn,
            user_id,
            &of_currency,
            SortKey::Amount,
            descending,
            resume,
            left,
        )?);
        if rows.len() as i64 >= wanted || groups.peek().is_none() {
            break;
        }
    }
    Ok(rows)
}

/// Up to `limit` rows of the filter in the order of `sort`, after the row whose sort key and id
/// are `after`. Ties on the key are broken by id, in the same direction, so a cursor is exact.
/// A text search is read in the steps `ledger::search` plans: stretches of the sort's order
/// bounded by the key of their last row, then the rest.
fn page_rows(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
    sort: SortKey,
    descending: bool,
    mut after: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<Listed>, ApiError> {
    let Some(text) = &filter.text else {
        return rows_in_order(conn, user_id, filter, sort, descending, after, None, limit);
    };
    let without_text = Resolved {
        text: None,
        ..filter.clone()
    };
    let searching = |m: TextMatch| Resolved {
        text: Some(m),
        ..filter.clone()
    };
    let mut rows = Vec::new();
    let mut walked: i64 = 0;
    let mut steps = text.steps(sort == SortKey::Amount);
    let mut step = steps.first(conn)?;
    loop {
        let (m, stretch) = match &step {
            Step::Read(m) => (m, None),
            Step::Walk(m, stretch) => (m, Some(*stretch)),
        };
        let last = match stretch {
            Some(n) => nth_key(conn, user_id, &without_text, sort, descending, after, n)?,
            None => None,
        };
        let left = limit - rows.len() as i64;
        rows.extend(step.read(conn, |conn| {
            rows_in_order(
                conn,
                user_id,
                &searching(m.clone()),
                sort,
                descending,
                after,
                last,
                left,
            )
        })?);
        match (last, stretch) {
            (Some(last), Some(stretch)) if (rows.len() as i64) < limit => {
                after = Some(last);
                walked = walked.saturating_add(stretch);
                step = steps.next(conn, walked)?;
            }
            // The page is full, or it was the rest of the filter's rows.
            _ => return Ok(rows),
        }
    }
}

/// A stretch of the sort's order as index ranges: the rows after `after` (excluded) and up to
/// `last` (included) are the rest of `after`'s run of equal keys, then the keys strictly between,
/// then `last`'s run up to `last`. Each is one range of the sort's index (user, key, id), read
/// from where it starts. Written as one condition (`key <= k AND (key < k OR id < i)`), the
/// planners seek on the key alone and read a run of equal keys from its start: a stretch inside
/// the 25,000 incomes of one amount read the whole run each time (docs/BENCHMARKS.md, "A stretch
/// read as index ranges").
#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    /// Rows of key `key`, with ids beyond `after_id` and up to `upto_id` in the order's direction.
    Tie {
        key: i64,
        after_id: Option<i64>,
        upto_id: Option<i64>,
    },
    /// Rows whose key lies strictly beyond `after_key` and strictly before `before_key`.
    Between {
        after_key: Option<i64>,
        before_key: Option<i64>,
    },
}

fn parts(after: Option<(i64, i64)>, last: Option<(i64, i64)>) -> Vec<Part> {
    let tie = |key, after_id, upto_id| Part::Tie {
        key,
        after_id,
        upto_id,
    };
    match (after, last) {
        (Some((ka, ia)), Some((kl, il))) if ka == kl => vec![tie(ka, Some(ia), Some(il))],
        (after, last) => {
            let mut parts = Vec::with_capacity(3);
            if let Some((k, id)) = after {
                parts.push(tie(k, Some(id), None));
            }
            parts.push(Part::Between {
                after_key: after.map(|(k, _)| k),
                before_key: last.map(|(k, _)| k),
            });
            if let Some((k, id)) = last {
                parts.push(tie(k, None, Some(id)));
            }
            parts
        }
    }
}

/// `q` with the sort key compared to `k` (days since 0001-01-01 for dates) by `op`.
macro_rules! key_is {
    ($q:expr, $sort:expr, $op:ident, $k:expr) => {{
        let k: i64 = $k;
        match $sort {
            SortKey::Date => $q.filter(transactions::date.$op(cursor_day(k)?)),
            SortKey::Amount => $q.filter(transactions::amount.$op(k)),
        }
    }};
}

/// A boxed query over `transactions` narrowed to one `Part` and ordered by `sort`.
macro_rules! in_part {
    ($q:expr, $sort:expr, $descending:expr, $part:expr) => {{
        let (sort, descending, part): (SortKey, bool, Part) = ($sort, $descending, $part);
        let mut q = $q;
        match part {
            Part::Tie {
                key,
                after_id,
                upto_id,
            } => {
                q = key_is!(q, sort, eq, key);
                if let Some(id) = after_id {
                    q = match descending {
                        true => q.filter(transactions::id.lt(id)),
                        false => q.filter(transactions::id.gt(id)),
                    };
                }
                if let Some(id) = upto_id {
                    q = match descending {
                        true => q.filter(transactions::id.ge(id)),
                        false => q.filter(transactions::id.le(id)),
                    };
                }
            }
            Part::Between {
                after_key,
                before_key,
            } => {
                if let Some(k) = after_key {
                    q = match descending {
                        true => key_is!(q, sort, lt, k),
                        false => key_is!(q, sort, gt, k),
                    };
                }
                if let Some(k) = before_key {
                    q = match descending {
                        true => key_is!(q, sort, gt, k),
                        false => key_is!(q, sort, lt, k),
                    };
                }
            }
        }
        match (sort, descending) {
            (SortKey::Date, true) => q.order((transactions::date.desc(), transactions::id.desc())),
            (SortKey::Date, false) => q.order((transactions::date.asc(), transactions::id.asc())),
            (SortKey::Amount, true) => {
                q.order((transactions::amount.desc(), transactions::id.desc()))
            }
            (SortKey::Amount, false) => {
                q.order((transactions::amount.asc(), transactions::id.asc()))
            }
        }
    }};
}

fn cursor_day(k: i64) -> Result<NaiveDate, ApiError> {
    i32::try_from(k)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| ApiError::validation("cursor", "is not a cursor this list returned"))
}

/// The rows of `page_rows` for one condition, up to the row whose sort key and id are `last`.
#[allow(clippy::too_many_arguments)]
fn rows_in_order(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
    sort: SortKey,
    descending: bool,
    after: Option<(i64, i64)>,
    last: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<Listed>, ApiError> {
    // The text last: SQLite checks a WHERE's terms in their written order, and the bounds are
    // cheap where the LIKE on three columns is not.
    let unsearched = Resolved {
        text: None,
        ..filter.clone()
    };
    let halves = halves(conn, filter, sort);
    let mut rows: Vec<Listed> = Vec::new();
    for part in parts(after, last) {
        let left = limit - rows.len() as i64;
        if left <= 0 {
            break;
        }
        if let Some(halves) = &halves {
            let keys = amount_keys(
                conn,
                user_id,
                &unsearched,
                filter.text.as_ref(),
                descending,
                part,
                left,
                halves,
            )?;
            let ids: Vec<i64> = keys.iter().map(|(_, id)| *id).collect();
            rows.extend(rows_of(conn, user_id, &ids)?);
            continue;
        }
        if let Some(text) = filter.text.as_ref().filter(|text| text.through_index()) {
            // The ids first: sorting every row the trigram index names then orders two columns
            // of each, not all of them (SQLite, 11,111 rows: 23 → 15 ms of CPU).
            let ids: Vec<i64> = with_conn!(conn, c => {
                let q = filtered!(user_id, &unsearched, transactions::table)
                    .select(transactions::id);
                in_part!(q, sort, descending, part)
                    .filter(text.clone())
                    .limit(left)
                    .load(c)
            })?;
            rows.extend(rows_of(conn, user_id, &ids)?);
            continue;
        }
        rows.extend(with_conn!(conn, c => {
            let q = filtered!(user_id, &unsearched)
                .select((Transaction::as_select(), accounts::currency));
            let q = in_part!(q, sort, descending, part);
            match &filter.text {
                Some(text) => q.filter(text.clone()),
                None => q,
            }
            .limit(left)
            .load::<Listed>(c)
        })?);
    }
    Ok(rows)
}

/// The halves of PostgreSQL's amount index when a read of `filter` in the order of `sort` goes
/// through it (`ledger::amount_order`), or `None` where a part is one query: one index holds every
/// row with its texts (the date index, SQLite's amount index), or the rows come from those the
/// trigram index names, sorted (each half would build that index's bitmap again).
fn halves(
    conn: &DbConn,
    filter: &Resolved,
    sort: SortKey,
) -> Option<Vec<Option<SqlLiteral<Bool>>>> {
    if sort == SortKey::Date || filter.text.as_ref().is_some_and(TextMatch::through_index) {
        return None;
    }
    Some(amount_order::indexes(conn)).filter(|halves| halves.len() > 1)
}

/// The user's rows of these ids, in their order.
fn rows_of(conn: &mut DbConn, user_id: i64, ids: &[i64]) -> Result<Vec<Listed>, ApiError> {
    let mut rows: Vec<Listed> = with_conn!(conn, c => transactions::table
        .inner_join(accounts::table)
        .filter(transactions::user_id.eq(user_id))
        .filter(transactions::id.eq_any(ids))
        .select((Transaction::as_select(), accounts::currency))
        .load::<Listed>(c))?;
    let place: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|(t, _)| place[&t.id]);
    Ok(rows)
}

/// The (amount, id) of up to `limit` rows of one part in amount order, each half's from its
/// entries alone (`text` checked last, on the texts they carry, as SQLite's single query does),
/// merged. `unsearched`: the filter without its text.
#[allow(clippy::too_many_arguments)]
fn amount_keys(
    conn: &mut DbConn,
    user_id: i64,
    unsearched: &Resolved,
    text: Option<&TextMatch>,
    descending: bool,
    part: Part,
    limit: i64,
    halves: &[Option<SqlLiteral<Bool>>],
) -> Result<Vec<(i64, i64)>, ApiError> {
    let mut read = Vec::with_capacity(halves.len());
    for half in halves {
        read.push(with_conn!(conn, c => {
            let q = filtered!(user_id, unsearched, transactions::table)
                .select((transactions::amount, transactions::id));
            let q = match half {
                Some(rows) => q.filter(rows.clone()),
                None => q,
            };
            let q = in_part!(q, SortKey::Amount, descending, part);
            match text {
                Some(text) => q.filter(text.clone()),
                None => q,
            }
            .limit(limit)
            .load::<(i64, i64)>(c)
        })?);
    }
    Ok(amount_order::merged(
        read,
        |key| *key,
        descending,
        usize::try_from(limit).unwrap_or(0),
    ))
}

/// The sort key and id of the `n`th row of the filter after `after`, if it has that many: read
/// from the sort's index alone when the filter allows (no join, no text).
fn nth_key(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
    sort: SortKey,
    descending: bool,
    after: Option<(i64, i64)>,
    n: i64,
) -> Result<Option<(i64, i64)>, ApiError> {
    // Both keys come from either sort's index (each holds the other's column).
    let mut left = n.max(1);
    let halves = halves(conn, filter, sort);
    for part in parts(after, None) {
        if let Some(halves) = &halves {
            // No offset into a merge: the first `left` keys of each half, merged.
            let keys = amount_keys(conn, user_id, filter, None, descending, part, left, halves)?;
            if keys.len() as i64 == left {
                return Ok(keys.last().copied());
            }
            left -= keys.len() as i64;
            continue;
        }
        let key: Option<(NaiveDate, i64, i64)> = with_conn!(conn, c => {
            let q = filtered!(user_id, filter, transactions::table).select((
                transactions::date,
                transactions::amount,
                transactions::id,
            ));
            in_part!(q, sort, descending, part)
                .offset(left - 1)
                .first(c)
                .optional()
        })?;
        if let Some((date, amount, id)) = key {
            return Ok(Some(match sort {
                SortKey::Date => (i64::from(date.num_days_from_ce()), id),
                SortKey::Amount => (amount, id),
            }));
        }
        // Fewer than `left` rows in this part: count them (fewer than `left`, so it is bounded).
        let counted: i64 = with_conn!(conn, c => {
            let q = filtered!(user_id, filter, transactions::table).select(transactions::id);
            in_part!(q, sort, descending, part).load::<i64>(c).map(|ids| ids.len() as i64)
        })?;
        left -= counted;
    }
    Ok(None)
}

/// Count, income and expenses of the whole filtered set, per currency: amounts in different
/// currencies are never added together. From the monthly pre-aggregates when the filter allows,
/// otherwise from every matching row.
pub fn totals(conn: &mut DbConn, user_id: i64, filter: &Resolved) -> Result<Vec<Totals>, ApiError> {
    match quick_totals(conn, user_id, filter)? {
        Some(totals) => Ok(totals),
        None => row_totals(conn, user_id, filter),
    }
}

fn row_totals(conn: &mut DbConn, user_id: i64, filter: &Resolved) -> Result<Vec<Totals>, ApiError> {
    Ok(with_conn!(conn, c => filtered!(
        user_id,
        filter,
        transactions::table
            .inner_join(accounts::table)
            .group_by(accounts::currency)
            .select((
                accounts::currency,
                diesel::dsl::count_star(),
                sum_of(diesel::dsl::sql::<BigInt>(INCOME)),
                sum_of(diesel::dsl::sql::<BigInt>(EXPENSES)),
            ))
    )
        .order(accounts::currency.asc())
        .load::<Totals>(c))?)
}

/// The totals of a filter that only narrows by account, category and dates (all or transfers
/// only), at a cost that does not grow with the rows: whole months from `monthly_sums` (which
/// leaves transfers out), transfers counted from their own small index, and the rows of the at
/// most two months the dates cut into. `None` for any other filter (text, amounts, an import,
/// income or expenses only): monthly sums cannot answer those.
pub fn quick_totals(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
) -> Result<Option<Vec<Totals>>, ApiError> {
    let narrows_rows = filter.text.is_some()
        || filter.min.is_some()
        || filter.max.is_some()
        || filter.import_id.is_some()
        || matches!(filter.flow, Flow::Income | Flow::Expense);
    if narrows_rows || filter.from.zip(filter.to).is_some_and(|(f, t)| f > t) {
        return Ok((!narrows_rows).then(Vec::new));
    }
    // Whole months inside the filter's dates, and the days at either end that cut into a month.
    let whole_from = filter.from.map(|d| match d.day() {
        1 => d,
        _ => last_of_month(d).succ_opt().unwrap_or(d),
    });
    let whole_to = filter.to.map(|d| match d == last_of_month(d) {
        true => d,
        false => first_of_month(d).pred_opt().unwrap_or(d),
    });
    let edges: Vec<(NaiveDate, NaiveDate)> = match (filter.from, filter.to, whole_from, whole_to) {
        // Within one or two months, no whole one: every day is an edge.
        (Some(from), Some(to), Some(wf), Some(wt)) if wf > wt => vec![(from, to)],
        _ => [
            filter
                .from
                .zip(whole_from)
                .filter(|(f, w)| f < w)
                .map(|(f, w)| (f, w.pred_opt().unwrap_or(w))),
            filter
                .to
                .zip(whole_to)
                .filter(|(t, w)| w < t)
                .map(|(t, w)| (w.succ_opt().unwrap_or(w), t)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let mut sums: std::collections::BTreeMap<String, Totals> = Default::default();
    let mut add = |rows: Vec<Totals>| -> Result<(), ApiError> {
        for row in rows {
            let entry = sums.entry(row.currency.clone()).or_insert(Totals {
                currency: row.currency,
                count: 0,
                income: 0,
                expenses: 0,
            });
            let overflow = || ApiError::Internal("totals overflow".into());
            entry.count = entry.count.checked_add(row.count).ok_or_else(overflow)?;
            entry.income = entry.income.checked_add(row.income).ok_or_else(overflow)?;
            entry.expenses = entry
                .expenses
                .checked_add(row.expenses)
                .ok_or_else(overflow)?;
        }
        Ok(())
    };
    for (from, to) in edges {
        let edge = Resolved {
            from: Some(from),
            to: Some(to),
            ..filter.clone()
        };
        add(row_totals(conn, user_id, &edge)?)?;
    }
    if whole_from.zip(whole_to).is_none_or(|(f, t)| f <= t) {
        let whole = Resolved {
            from: whole_from,
            to: whole_to,
            flow: Flow::Transfer,
            ..filter.clone()
        };
        add(row_totals(conn, user_id, &whole)?)?;
        if filter.flow == Flow::All {
            add(monthly_totals(conn, user_id, &whole)?)?;
        }
    }
    Ok(Some(sums.into_values().collect()))
}

/// Transfers left out, from `monthly_sums`: `filter`'s dates are whole months.
fn monthly_totals(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
) -> Result<Vec<Totals>, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut q = monthly_sums::table
            .inner_join(accounts::table)
            .filter(accounts::user_id.eq(user_id))
            .group_by(accounts::currency)
            .select((
                accounts::currency,
                sum_of(monthly_sums::count),
                sum_of(monthly_sums::inflow),
                sum_of(monthly_sums::outflow),
            ))
            .into_boxed::<Backend>();
        if let Some(d) = filter.from {
            q = q.filter(monthly_sums::month.ge(d));
        }
        if let Some(d) = filter.to {
            q = q.filter(monthly_sums::month.le(d));
        }
        if !filter.accounts.is_empty() {
            q = q.filter(monthly_sums::account_id.eq_any(&filter.accounts));
        }
        if let Some(id) = filter.category_id {
            q = q.filter(monthly_sums::category_id.eq(id));
        }
        if filter.uncategorized {
            q = q.filter(monthly_sums::category_id.is_null());
        }
        q.load::<Totals>(c)
    })?)
}

/// A transaction as the CSV export and the reports list it, with its currency, account name and
/// category name: only the columns they show, since a year of rows is read at once (whole rows,
/// with the timestamps SQLite stores as text, cost a 100,000-row workbook about a fifth of its
/// time; docs/BENCHMARKS.md).
#[derive(Queryable)]
pub struct Exported {
    pub date: NaiveDate,
    pub amount: i64,
    pub description: String,
    pub merchant: Option<String>,
    pub notes: Option<String>,
    pub is_transfer: bool,
    pub currency: String,
    pub account: String,
    pub category: Option<String>,
}

/// Every transaction of the filter in date order, for export.
pub fn all_matching(
    conn: &mut DbConn,
    user_id: i64,
    filter: &Resolved,
) -> Result<Vec<Exported>, ApiError> {
    Ok(with_conn!(conn, c => filtered!(user_id, filter)
        .left_join(categories::table)
        .select((
            transactions::date,
            transactions::amount,
            transactions::description,
            transactions::merchant,
            transactions::notes,
            transactions::is_transfer,
            accounts::currency,
            accounts::name,
            categories::name.nullable(),
        ))
        .order((transactions::date.asc(), transactions::id.asc()))
        .load(c))?)
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Listed, ApiError> {
    with_conn!(conn, c => transactions::table
        .inner_join(accounts::table)
        .filter(transactions::id.eq(id))
        .filter(transactions::user_id.eq(user_id))
        .select((Transaction::as_select(), accounts::currency))
        .first(c)
        .optional())?
    .ok_or_else(|| not_found("transaction", id))
}

pub struct NewTransaction {
    pub account_id: i64,
    pub date: NaiveDate,
    pub amount: i64,
    pub description: String,
    pub merchant: Option<String>,
    pub notes: Option<String>,
    pub category_id: Option<i64>,
    pub is_transfer: bool,
}

/// The category columns for a category the user picked.
fn chosen(category: Option<&Category>) -> (Option<i64>, Option<&'static str>) {
    (
        category.map(|c| c.id),
        category.map(|_| CategorySource::User.as_str()),
    )
}

pub fn create(conn: &mut DbConn, user_id: i64, new: NewTransaction) -> Result<Listed, ApiError> {
    let account = account_store::get(conn, user_id, new.account_id)
        .map_err(|_| ApiError::validation("account_id", "is not one of your accounts"))?;
    let picked = new
        .category_id
        .map(|id| category_store::owned(conn, user_id, id, "category_id"))
        .transpose()?;
    let (category_id, source, is_transfer) = match &picked {
        Some(category) => {
            let (id, source) = chosen(Some(category));
            (id, source, new.is_transfer || category.is_transfer())
        }
        None => {
            let credit_keys = (new.amount > 0)
                .then(|| merchants::key(new.merchant.as_deref(), &new.description))
                .into_iter()
                .collect();
            let guard = Guard::load_for(conn, user_id, &credit_keys)?;
            let text = text::with_payee(&new.description, new.merchant.as_deref());
            let row = Facts {
                text: &text,
                merchant: new.merchant.as_deref(),
                amount: new.amount,
                date: Some(new.date),
            };
            let matched = rules::Matcher::load(conn, user_id)?.category_for(
                &guard,
                &new.description,
                &row,
                account.id,
            );
            let category = matched
                .map(|id| category_store::get(conn, user_id, id))
                .transpose()?;
            (
                category.as_ref().map(|c| c.id),
                category.as_ref().map(|_| CategorySource::Rule.as_str()),
                new.is_transfer || category.is_some_and(|c| c.is_transfer()),
            )
        }
    };
    let now = now();
    let row = (
        transactions::user_id.eq(user_id),
        transactions::account_id.eq(account.id),
        transactions::date.eq(new.date),
        transactions::amount.eq(new.amount),
        transactions::description.eq(new.description.trim()),
        transactions::merchant.eq(new.merchant.as_deref().map(str::trim)),
        transactions::merchant_key.eq(merchants::key(new.merchant.as_deref(), &new.description)),
        transactions::notes.eq(new.notes.as_deref()),
        transactions::category_id.eq(category_id),
        transactions::category_source.eq(source),
        transactions::is_transfer.eq(is_transfer),
        transactions::fingerprint.eq(fingerprint(new.date, new.amount, &new.description, None)),
        transactions::created_at.eq(now),
        transactions::updated_at.eq(now),
    );
    let created = with_conn!(conn, c => diesel::insert_into(transactions::table)
        .values(row)
        .returning(Transaction::as_returning())
        .get_result(c))?;
    if let Some(category) = &picked {
        feedback::remember(
            conn,
            user_id,
            [(created.description.as_str(), created.amount)],
            category.id,
        )?;
    }
    Ok((created, account.currency))
}

#[derive(Default)]
pub struct TransactionChange {
    pub account_id: Option<i64>,
    pub date: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub description: Option<String>,
    pub merchant: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    /// `Some(None)` removes the category.
    pub category_id: Option<Option<i64>>,
    pub is_transfer: Option<bool>,
}

pub fn update(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    change: TransactionChange,
) -> Result<Listed, ApiError> {
    let (current, _) = get(conn, user_id, id)?;
    if let Some(account_id) = change.account_id {
        account_store::get(conn, user_id, account_id)
            .map_err(|_| ApiError::validation("account_id", "is not one of your accounts"))?;
    }
    let category = match change.category_id {
        Some(Some(cid)) => Some(Some(category_store::owned(
            conn,
            user_id,
            cid,
            "category_id",
        )?)),
        Some(None) => Some(None),
        None => None,
    };
    let is_transfer = match (&category, change.is_transfer) {
        (_, Some(flag)) => Some(flag),
        (Some(Some(c)), None) if c.is_transfer() => Some(true),
        _ => None,
    };
    let category_columns = category.as_ref().map(|c| {
        let (id, source) = chosen(c.as_ref());
        (
            transactions::category_id.eq(id),
            transactions::category_source.eq(source),
            transactions::category_confidence.eq(None::<f64>),
            transactions::suggested_category_id.eq(None::<i64>),
        )
    });
    if let Some(Some(picked)) = &category {
        let description = change
            .description
            .as_deref()
            .unwrap_or(&current.description);
        let amount = change.amount.unwrap_or(current.amount);
        feedback::remember(conn, user_id, [(description.trim(), amount)], picked.id)?;
    }
    let merchant_key = (change.description.is_some() || change.merchant.is_some()).then(|| {
        let merchant = match &change.merchant {
            Some(m) => m.as_deref(),
            None => current.merchant.as_deref(),
        };
        let description = change
            .description
            .as_deref()
            .unwrap_or(&current.description);
        transactions::merchant_key.eq(merchants::key(merchant, description))
    });
    let changes = (
        change.account_id.map(|a| transactions::account_id.eq(a)),
        merchant_key,
        change.date.map(|d| transactions::date.eq(d)),
        change.amount.map(|a| transactions::amount.eq(a)),
        change
            .description
            .map(|d| transactions::description.eq(d.trim().to_owned())),
        change.merchant.map(|m| transactions::merchant.eq(m)),
        change.notes.map(|n| transactions::notes.eq(n)),
        category_columns,
        is_transfer.map(|t| transactions::is_transfer.eq(t)),
        transactions::updated_at.eq(now()),
    );
    with_conn!(conn, c => diesel::update(transactions::table.find(current.id))
        .set(changes)
        .execute(c))?;
    get(conn, user_id, id)
}

pub fn delete(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let (current, _) = get(conn, user_id, id)?;
    with_conn!(conn, c => diesel::delete(transactions::table.find(current.id)).execute(c))?;
    Ok(())
}

fn check_bulk(ids: &[i64]) -> Result<(), ApiError> {
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(ApiError::validation(
            "ids",
            "must list 1 to 1000 transaction ids",
        ));
    }
    Ok(())
}

/// Sets (or, with `None`, removes) the category of the user's transactions among `ids`; ids of
/// other users are ignored. Returns how many changed.
pub fn bulk_categorize(
    conn: &mut DbConn,
    user_id: i64,
    ids: &[i64],
    category_id: Option<i64>,
) -> Result<usize, ApiError> {
    check_bulk(ids)?;
    let category = category_id
        .map(|id| category_store::owned(conn, user_id, id, "category_id"))
        .transpose()?;
    let (id, source) = chosen(category.as_ref());
    let transfer = category.as_ref().is_some_and(Category::is_transfer);
    if let Some(category) = &category {
        let rows: Vec<(String, i64)> = with_conn!(conn, c => transactions::table
            .filter(transactions::user_id.eq(user_id))
            .filter(transactions::id.eq_any(ids))
            .select((transactions::description, transactions::amount))
            .load(c))?;
        feedback::remember(
            conn,
            user_id,
            rows.iter().map(|(d, a)| (d.as_str(), *a)),
            category.id,
        )?;
    }
    let now = now();
    Ok(with_conn!(conn, c => {
        let targets = transactions::table
            .filter(transactions::user_id.eq(user_id))
            .filter(transactions::id.eq_any(ids));
        let count = diesel::update(targets.clone())
            .set((
                transactions::category_id.eq(id),
                transactions::category_source.eq(source),
                transactions::category_confidence.eq(None::<f64>),
                transactions::suggested_category_id.eq(None::<i64>),
                transactions::updated_at.eq(now),
            ))
            .execute(c)?;
        if transfer {
            diesel::update(targets).set(transactions::is_transfer.eq(true)).execute(c)?;
        }
        count
    }))
}

pub fn bulk_delete(conn: &mut DbConn, user_id: i64, ids: &[i64]) -> Result<usize, ApiError> {
    check_bulk(ids)?;
    Ok(with_conn!(conn, c => diesel::delete(
        transactions::table
            .filter(transactions::user_id.eq(user_id))
            .filter(transactions::id.eq_any(ids)),
    )
    .execute(c))?)
}
