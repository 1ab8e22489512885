//! What each parsed row becomes: cleaned text, a category (rules first, then the bank's own
//! category by name, then the categorizer when it is sure enough; otherwise its suggestion is
//! kept beside the row), its fingerprint, and whether the account already has it. Each of the
//! three gives only a category whose kind fits the money's direction (`ml::direction`); the
//! spending filed earlier in the file counts as refund evidence for later rows.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::bankfile::ParsedRow;
use crate::db::schema::transactions;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::fingerprint::fingerprint;
use crate::ledger::rules::Matcher;
use crate::ledger::transactions::CategorySource;
use crate::ledger::{categories, merchants};
use crate::ml::direction::Facts;
use crate::ml::features::amount_bucket;
use crate::ml::registry::Categorizer;
use crate::ml::suggest::Suggester;
use crate::ml::text;
use crate::with_conn;

/// How far around the file's dates to look for rows it may repeat. Fingerprints hold the date,
/// so only bank ids (which do not) need the margin, for banks that re-date a booking.
const DATE_MARGIN_DAYS: i64 = 7;

/// A row as it will be stored. It borrows the parsed row's text: a large file is planned in full
/// before it is written, and copies would double what it holds in memory.
#[derive(Clone, Debug)]
pub struct Planned<'a> {
    pub line: usize,
    /// The account it is written to.
    pub account_id: i64,
    pub date: NaiveDate,
    pub amount: i64,
    pub description: &'a str,
    pub merchant: Option<&'a str>,
    /// Who the row is with, derived when the file has no merchant column.
    pub merchant_key: String,
    pub notes: Option<&'a str>,
    pub category_id: Option<i64>,
    pub category_source: Option<CategorySource>,
    /// The categorizer's confidence when it set the category.
    pub category_confidence: Option<f64>,
    /// The categorizer's guess when it was not sure enough to set the category.
    pub suggested_category_id: Option<i64>,
    pub is_transfer: bool,
    pub external_id: Option<&'a str>,
    pub fingerprint: String,
    /// Already in the account: skipped on commit.
    pub duplicate: bool,
}

/// A planned row on its own, as a preview shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PreviewRow {
    /// Where it is in the file.
    pub line: usize,
    /// The account it will be written to: the import's, or (routed by account) the one the row
    /// names.
    pub account_id: i64,
    pub date: NaiveDate,
    pub amount: i64,
    pub description: String,
    pub merchant: Option<String>,
    /// The merchant's name: the file's, else the one derived from the description.
    pub merchant_name: Option<String>,
    pub notes: Option<String>,
    pub category_id: Option<i64>,
    pub category_source: Option<CategorySource>,
    pub category_confidence: Option<f64>,
    pub suggested_category_id: Option<i64>,
    pub is_transfer: bool,
    /// Already in the account: the commit skips it.
    pub duplicate: bool,
}

impl From<&Planned<'_>> for PreviewRow {
    fn from(p: &Planned<'_>) -> Self {
        PreviewRow {
            line: p.line,
            account_id: p.account_id,
            date: p.date,
            amount: p.amount,
            description: p.description.to_owned(),
            merchant: p.merchant.map(str::to_owned),
            merchant_name: merchants::name(p.merchant, Some(&p.merchant_key)),
            notes: p.notes.map(str::to_owned),
            category_id: p.category_id,
            category_source: p.category_source,
            category_confidence: p.category_confidence,
            suggested_category_id: p.suggested_category_id,
            is_transfer: p.is_transfer,
            duplicate: p.duplicate,
        }
    }
}

fn optional(text: Option<&String>) -> Option<&str> {
    text.map(|t| t.trim()).filter(|t| !t.is_empty())
}

/// How many rows with each fingerprint each of the accounts already has around the file's dates.
fn existing(
    conn: &mut DbConn,
    account_ids: &[i64],
    dates: Option<(NaiveDate, NaiveDate)>,
) -> Result<HashMap<i64, HashMap<String, usize>>, ApiError> {
    let Some((first, last)) = dates else {
        return Ok(HashMap::new());
    };
    let margin = Duration::days(DATE_MARGIN_DAYS);
    let (from, to) = (first - margin, last + margin);
    let found: Vec<(i64, String)> = with_conn!(conn, c => transactions::table
        .filter(transactions::account_id.eq_any(account_ids))
        .filter(transactions::date.between(from, to))
        .select((transactions::account_id, transactions::fingerprint))
        .load(c))?;
    let mut counts: HashMap<i64, HashMap<String, usize>> = HashMap::new();
    for (account, f) in found {
        *counts.entry(account).or_default().entry(f).or_insert(0) += 1;
    }
    Ok(counts)
}

/// What the categorizer made of a row.
#[derive(Clone, Copy)]
enum ModelSays {
    File { id: i64, confidence: f64 },
    Suggest(Option<i64>),
}

/// Money-out rows the categorizer has judged, by what it judges them on. Statements repeat
/// merchants, and the same words with an amount of the same size always get the same answer.
/// Money in is not remembered: whether it is a refund depends on the spending before it.
type Judged = HashMap<(String, i64), ModelSays>;
/// Past this many distinct rows the memo starts over, to keep memory bounded on huge files.
const JUDGED_MAX: usize = 100_000;

/// Plans rows one at a time, so a large file is never planned (and held) in full. A fingerprint
/// the row's account already holds n times marks the file's first n rows with it for that
/// account as duplicates; the rest are new, so two identical rows in one file both stay.
pub struct Planner<'c> {
    rules: Matcher,
    suggester: Suggester<'c>,
    judged: Judged,
    by_name: HashMap<String, categories::Category>,
    remaining: HashMap<i64, HashMap<String, usize>>,
}

impl<'c> Planner<'c> {
    /// Loads what planning a file's rows into `accounts` needs: the rules, the categories, the
    /// user's categorizer memory and the accounts' rows around the file's `dates` (its first and
    /// last, from a first pass over it).
    pub fn new(
        conn: &mut DbConn,
        categorizer: &'c Categorizer,
        user_id: i64,
        accounts: &[i64],
        dates: Option<(NaiveDate, NaiveDate)>,
        credit_keys: &HashSet<String>,
    ) -> Result<Self, ApiError> {
        Ok(Planner {
            rules: Matcher::load(conn, user_id)?,
            suggester: Suggester::load(conn, user_id, categorizer, credit_keys)?,
            judged: Judged::new(),
            by_name: categories::list(conn, user_id)?
                .into_iter()
                .map(|c| (c.name.to_lowercase(), c))
                .collect(),
            remaining: existing(conn, accounts, dates)?,
        })
    }

    fn by_model(&mut self, row: &Facts) -> ModelSays {
        let key = (text::words(row.text).join(" "), amount_bucket(row.amount));
        let memo = row.amount <= 0;
        if let Some(&said) = self.judged.get(&key).filter(|_| memo) {
            return said;
        }
        let suggestion = self.suggester.suggest_on(row);
        let said = match suggestion.category {
            Some(c) => ModelSays::File {
                id: c.id,
                confidence: f64::from(suggestion.confidence),
            },
            None => ModelSays::Suggest(
                suggestion
                    .alternatives
                    .first()
                    .and_then(|a| a.category.as_ref())
                    .map(|c| c.id),
            ),
        };
        if memo {
            if self.judged.len() >= JUDGED_MAX {
                self.judged.clear();
            }
            self.judged.insert(key, said);
        }
        said
    }

    /// Whether the account already holds one more row with this fingerprint than the file's
    /// rows before it took.
    fn take_duplicate(&mut self, account_id: i64, fingerprint: &str) -> bool {
        match self
            .remaining
            .get_mut(&account_id)
            .and_then(|counts| counts.get_mut(fingerprint))
        {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Whether the next row of the file is a duplicate, as `plan` would say, without
    /// categorizing it: what a preview needs of the rows it does not show.
    pub fn duplicate(&mut self, row: &ParsedRow, account_id: i64) -> bool {
        let description = row.description.trim();
        let external_id = optional(row.external_id.as_ref());
        self.take_duplicate(
            account_id,
            &fingerprint(row.date, row.amount, description, external_id),
        )
    }

    /// The next row of the file, in file order, going to `account_id`.
    pub fn plan<'a>(&mut self, row: &'a ParsedRow, account_id: i64) -> Planned<'a> {
        let description = row.description.trim();
        let external_id = optional(row.external_id.as_ref());
        let fingerprint = fingerprint(row.date, row.amount, description, external_id);
        let duplicate = self.take_duplicate(account_id, &fingerprint);
        let text = text::with_payee(description, row.payee.as_deref());
        let facts = Facts {
            text: &text,
            merchant: row.payee.as_deref(),
            amount: row.amount,
            date: Some(row.date),
        };
        let guard = self.suggester.guard();
        let by_rule = self
            .rules
            .category_for(guard, description, &facts, account_id)
            .map(|id| (id, CategorySource::Rule));
        let by_bank = || {
            row.bank_category
                .as_deref()
                .and_then(|name| self.by_name.get(&name.trim().to_lowercase()))
                .filter(|c| guard.fit(c.id, &facts).allowed())
                .map(|c| (c.id, CategorySource::Import))
        };
        let mut suggested_category_id = None;
        let category = match by_rule.or_else(by_bank) {
            Some((id, source)) => Some((id, source, None)),
            None => match self.by_model(&facts) {
                ModelSays::File { id, confidence } => {
                    Some((id, CategorySource::Model, Some(confidence)))
                }
                ModelSays::Suggest(id) => {
                    suggested_category_id = id;
                    None
                }
            },
        };
        let merchant = optional(row.payee.as_ref());
        let merchant_key = merchants::key(merchant, description);
        if let Some((id, _, _)) = category {
            self.suggester
                .guard_mut()
                .note(id, row.amount, &merchant_key, &text, row.date);
        }
        let is_transfer = category
            .is_some_and(|(id, _, _)| self.by_name.values().any(|c| c.id == id && c.is_transfer()));
        Planned {
            line: row.line,
            account_id,
            date: row.date,
            amount: row.amount,
            description,
            merchant,
            merchant_key,
            notes: optional(row.memo.as_ref()),
            category_id: category.map(|(id, _, _)| id),
            category_source: category.map(|(_, source, _)| source),
            category_confidence: category.and_then(|(_, _, confidence)| confidence),
            suggested_category_id,
            is_transfer,
            external_id,
            fingerprint,
            duplicate,
        }
    }
}
