//! Categorization rules the user writes: "description contains AMAZON → Shopping". Rules run in
//! ascending priority (then creation order); the first that matches and whose category fits
//! the money's direction decides (a rule filing "ACME" as Salary leaves ACME's debits alone;
//! one filing "AMAZON" as Shopping files Amazon's credits only as refunds, with evidence).

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{rules, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::transactions::CategorySource;
use crate::ledger::{accounts, categories, merchants, not_found};
use crate::ml::direction::{Facts, Guard};
use crate::ml::text;
use crate::users::now;
use crate::with_conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The description contains the pattern (ignoring case).
    Contains,
    /// The description is the pattern (ignoring case and surrounding spaces).
    Equals,
    /// The description matches the regular expression (ignoring case).
    Regex,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Contains => "contains",
            MatchKind::Equals => "equals",
            MatchKind::Regex => "regex",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = rules)]
pub struct Rule {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub priority: i32,
    pub match_kind: String,
    pub pattern: String,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub account_id: Option<i64>,
    pub category_id: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

enum Test {
    Contains(String),
    Equals(String),
    Regex(Regex),
}

fn compile(kind: &str, pattern: &str) -> Result<Test, String> {
    Ok(match kind {
        "equals" => Test::Equals(pattern.trim().to_lowercase()),
        "regex" => Test::Regex(
            RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| format!("is not a valid regular expression: {e}"))?,
        ),
        _ => Test::Contains(pattern.to_lowercase()),
    })
}

/// The user's rules, compiled once for a batch of transactions.
pub struct Matcher(Vec<(Rule, Test)>);

impl Matcher {
    pub fn load(conn: &mut DbConn, user_id: i64) -> Result<Self, ApiError> {
        let rules = list(conn, user_id)?;
        Ok(Matcher(
            rules
                .into_iter()
                .filter_map(|r| compile(&r.match_kind, &r.pattern).ok().map(|t| (r, t)))
                .collect(),
        ))
    }

    /// The rules that match a row, in the order they run, whatever their category.
    fn matching<'r>(
        &'r self,
        description: &'r str,
        amount: i64,
        account_id: i64,
    ) -> impl Iterator<Item = &'r Rule> {
        let lowered = description.to_lowercase();
        self.0
            .iter()
            .filter(move |(rule, test)| {
                rule.account_id.is_none_or(|a| a == account_id)
                    && rule.min_amount.is_none_or(|m| amount >= m)
                    && rule.max_amount.is_none_or(|m| amount <= m)
                    && match test {
                        Test::Contains(p) => lowered.contains(p.as_str()),
                        Test::Equals(p) => lowered.trim() == p,
                        Test::Regex(r) => r.is_match(description),
                    }
            })
            .map(|(rule, _)| rule)
    }

    /// The category the first matching rule (read on the row's `description`) whose category
    /// fits the row's direction gives.
    pub fn category_for(
        &self,
        guard: &Guard,
        description: &str,
        row: &Facts,
        account_id: i64,
    ) -> Option<i64> {
        self.matching(description, row.amount, account_id)
            .find(|r| guard.fit(r.category_id, row).allowed())
            .map(|r| r.category_id)
    }
}

pub fn list(conn: &mut DbConn, user_id: i64) -> Result<Vec<Rule>, ApiError> {
    Ok(with_conn!(conn, c => rules::table
        .filter(rules::user_id.eq(user_id))
        .order((rules::priority.asc(), rules::id.asc()))
        .select(Rule::as_select())
        .load(c))?)
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Rule, ApiError> {
    with_conn!(conn, c => rules::table
        .filter(rules::id.eq(id))
        .filter(rules::user_id.eq(user_id))
        .select(Rule::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| not_found("rule", id))
}

#[derive(Clone, Debug)]
pub struct RuleFields {
    pub name: String,
    pub priority: i32,
    pub match_kind: MatchKind,
    pub pattern: String,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub account_id: Option<i64>,
    pub category_id: i64,
}

/// What a rule looks for, without what it does.
#[derive(Clone, Debug)]
pub struct Condition {
    pub match_kind: MatchKind,
    pub pattern: String,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub account_id: Option<i64>,
}

/// Checks a condition: the pattern compiles, the range is a range, the account is the user's.
fn check_condition(
    conn: &mut DbConn,
    user_id: i64,
    condition: &Condition,
) -> Result<Test, ApiError> {
    let test = compile(condition.match_kind.as_str(), &condition.pattern)
        .map_err(|message| ApiError::validation("pattern", message))?;
    if let (Some(min), Some(max)) = (condition.min_amount, condition.max_amount) {
        if min > max {
            return Err(ApiError::validation(
                "max_amount",
                "must not be below min_amount",
            ));
        }
    }
    if let Some(account) = condition.account_id {
        accounts::get(conn, user_id, account)
            .map_err(|_| ApiError::validation("account_id", "is not one of your accounts"))?;
    }
    Ok(test)
}

impl RuleFields {
    fn condition(&self) -> Condition {
        Condition {
            match_kind: self.match_kind,
            pattern: self.pattern.clone(),
            min_amount: self.min_amount,
            max_amount: self.max_amount,
            account_id: self.account_id,
        }
    }
}

/// Checks what the database cannot: the condition holds together, and the account and
/// category are the user's own.
fn check(conn: &mut DbConn, user_id: i64, fields: &RuleFields) -> Result<(), ApiError> {
    check_condition(conn, user_id, &fields.condition())?;
    categories::owned(conn, user_id, fields.category_id, "category_id")?;
    Ok(())
}

/// What a rule would match among the user's transactions, before it is saved.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"matches": 14, "uncategorized": 3, "examples": ["TESCO STORES 3297 LONDON", "TESCO EXPRESS 0042"]}))]
pub struct Preview {
    /// Transactions it matches.
    pub matches: usize,
    /// Of those, how many have no category yet (what applying it to uncategorized ones files).
    pub uncategorized: usize,
    /// Up to five different descriptions it matches, newest first.
    pub examples: Vec<String>,
}

const PREVIEW_EXAMPLES: usize = 5;

/// Counts what `condition` matches, with the very matching rules use (a one-rule `Matcher`).
pub fn preview(conn: &mut DbConn, user_id: i64, condition: Condition) -> Result<Preview, ApiError> {
    let test = check_condition(conn, user_id, &condition)?;
    let stamp = now();
    let candidate = Rule {
        id: 0,
        user_id,
        name: String::new(),
        priority: 0,
        match_kind: condition.match_kind.as_str().to_owned(),
        pattern: condition.pattern,
        min_amount: condition.min_amount,
        max_amount: condition.max_amount,
        account_id: condition.account_id,
        category_id: 0,
        created_at: stamp,
        updated_at: stamp,
    };
    let matcher = Matcher(vec![(candidate, test)]);
    let rows: Vec<(String, i64, i64, Option<i64>)> = with_conn!(conn, c => transactions::table
        .filter(transactions::user_id.eq(user_id))
        .select((
            transactions::description,
            transactions::amount,
            transactions::account_id,
            transactions::category_id,
        ))
        .order((transactions::date.desc(), transactions::id.desc()))
        .load(c))?;
    let mut preview = Preview {
        matches: 0,
        uncategorized: 0,
        examples: Vec::new(),
    };
    for (description, amount, account_id, category_id) in rows {
        if matcher
            .matching(&description, amount, account_id)
            .next()
            .is_none()
        {
            continue;
        }
        preview.matches += 1;
        preview.uncategorized += usize::from(category_id.is_none());
        if preview.examples.len() < PREVIEW_EXAMPLES && !preview.examples.contains(&description) {
            preview.examples.push(description);
        }
    }
    Ok(preview)
}

pub fn create(conn: &mut DbConn, user_id: i64, fields: RuleFields) -> Result<Rule, ApiError> {
    check(conn, user_id, &fields)?;
    let now = now();
    let row = (
        rules::user_id.eq(user_id),
        rules::name.eq(fields.name.trim()),
        rules::priority.eq(fields.priority),
        rules::match_kind.eq(fields.match_kind.as_str()),
        rules::pattern.eq(&fields.pattern),
        rules::min_amount.eq(fields.min_amount),
        rules::max_amount.eq(fields.max_amount),
        rules::account_id.eq(fields.account_id),
        rules::category_id.eq(fields.category_id),
        rules::created_at.eq(now),
        rules::updated_at.eq(now),
    );
    Ok(with_conn!(conn, c => diesel::insert_into(rules::table)
        .values(row)
        .returning(Rule::as_returning())
        .get_result(c))?)
}

pub fn replace(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    fields: RuleFields,
) -> Result<Rule, ApiError> {
    let rule = get(conn, user_id, id)?;
    check(conn, user_id, &fields)?;
    Ok(
        with_conn!(conn, c => diesel::update(rules::table.find(rule.id))
        .set((
            rules::name.eq(fields.name.trim()),
            rules::priority.eq(fields.priority),
            rules::match_kind.eq(fields.match_kind.as_str()),
            rules::pattern.eq(&fields.pattern),
            rules::min_amount.eq(fields.min_amount),
            rules::max_amount.eq(fields.max_amount),
            rules::account_id.eq(fields.account_id),
            rules::category_id.eq(fields.category_id),
            rules::updated_at.eq(now()),
        ))
        .returning(Rule::as_returning())
        .get_result(c))?,
    )
}

pub fn delete(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let rule = get(conn, user_id, id)?;
    with_conn!(conn, c => diesel::delete(rules::table.find(rule.id)).execute(c))?;
    Ok(())
}

/// A rule that files future transactions like this one: its merchant key (else its merchant or
/// description) and its category, else the categorizer's suggestion for it.
pub fn from_transaction(
    conn: &mut DbConn,
    user_id: i64,
    transaction_id: i64,
) -> Result<Rule, ApiError> {
    let (t, _) = crate::ledger::transactions::get(conn, user_id, transaction_id)?;
    let category_id = t.category_id.or(t.suggested_category_id).ok_or_else(|| {
        ApiError::validation(
            "category_id",
            "the transaction has no category (nor a suggestion) for the rule to assign; categorize it first",
        )
    })?;
    let pattern = t
        .merchant_key
        .filter(|k| !k.is_empty())
        .or(t.merchant.filter(|m| !m.trim().is_empty()))
        .unwrap_or(t.description)
        .trim()
        .to_owned();
    create(
        conn,
        user_id,
        RuleFields {
            name: pattern.clone(),
            priority: 100,
            match_kind: MatchKind::Contains,
            pattern,
            min_amount: None,
            max_amount: None,
            account_id: None,
            category_id,
        },
    )
}

/// Runs the rules over existing transactions. Categories the user set by hand are never
/// touched; with `only_uncategorized` the rules only fill gaps. Returns how many changed.
pub fn apply(conn: &mut DbConn, user_id: i64, only_uncategorized: bool) -> Result<usize, ApiError> {
    let matcher = Matcher::load(conn, user_id)?;
    let user_source = CategorySource::User.as_str();
    type Candidate = (
        i64,
        String,
        Option<String>,
        i64,
        i64,
        NaiveDate,
        Option<i64>,
    );
    let candidates: Vec<Candidate> = with_conn!(conn, c => {
        let mut q = transactions::table
            .filter(transactions::user_id.eq(user_id))
            .select((
                transactions::id,
                transactions::description,
                transactions::merchant,
                transactions::amount,
                transactions::account_id,
                transactions::date,
                transactions::category_id,
            ))
            .into_boxed();
        q = if only_uncategorized {
            q.filter(transactions::category_id.is_null())
        } else {
            q.filter(
                transactions::category_source
                    .ne(user_source)
                    .or(transactions::category_source.is_null()),
            )
        };
        q.load(c)
    })?;
    let credit_keys: HashSet<String> = candidates
        .iter()
        .filter(|(_, _, _, amount, ..)| *amount > 0)
        .map(|(_, description, merchant, ..)| merchants::key(merchant.as_deref(), description))
        .collect();
    let guard = Guard::load_for(conn, user_id, &credit_keys)?;
    let mut moves: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, description, merchant, amount, account_id, date, current) in candidates {
        let text = text::with_payee(&description, merchant.as_deref());
        let merchant = merchant.as_deref();
        let row = Facts {
            text: &text,
            merchant,
            amount,
            date: Some(date),
        };
        match matcher.category_for(&guard, &description, &row, account_id) {
            Some(category) if current != Some(category) => {
                moves.entry(category).or_default().push(id)
            }
            _ => {}
        }
    }
    let rule_source = CategorySource::Rule.as_str();
    conn.transaction(|conn| {
        let mut changed = 0;
        let now = now();
        // One statement per category and chunk, not per row: PostgreSQL's `monthly_sums`
        // trigger runs once per statement.
        for (category, ids) in &moves {
            for chunk in ids.chunks(1000) {
                changed += with_conn!(conn, c => diesel::update(
                    transactions::table.filter(transactions::id.eq_any(chunk)),
                )
                .set((
                    transactions::category_id.eq(category),
                    transactions::category_source.eq(rule_source),
                    transactions::category_confidence.eq(None::<f64>),
                    transactions::updated_at.eq(now),
                ))
                .execute(c))?;
            }
        }
        Ok(changed)
    })
}
