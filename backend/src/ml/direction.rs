//! Which way money moves is a fact every automatic categorization must respect, whoever proposes
//! the category (the model, the user's memory, a rule, the bank file's own column): money in is
//! income, money out is spending. A transfer category fits either way. A credit lands in an
//! expense category only as a refund, and only with evidence: refund wording in the
//! description, or earlier spending at the same merchant in that category. A debit never lands
//! in an income category.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text};

use crate::db::expr::{sum_of, unindexed};
use crate::db::schema::{accounts, categories, monthly_sums, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories::{CategoryKind, DEFAULTS};
use crate::ledger::merchants;
use crate::ml::text;
use crate::with_conn;

/// Word beginnings that say money came back, in the languages of the banks Dhana reads
/// (English, German, French, Spanish, Italian, Dutch, Portuguese, Polish, Nordic, Indian
/// banks' abbreviations). Matched at the start of a word, so "refunded" and "rückerstattung"
/// count; "gutschrift" and "abono" do not, because banks write them on every incoming payment.
#[rustfmt::skip]
const REFUND_STEMS: &[&str] = &[
    "refund", "rfnd", "return", "revers", "rvsl", "chargeback", "reimburs",
    "erstatt", "rückerstatt", "rueckerstatt", "ruckerstatt", "rückbuch", "rueckbuch", "retoure",
    "storno", "stornier", "rembours", "rembt", "annulation", "retour", "reembols", "devoluc",
    "devoluç", "anulac", "rimbors", "stornat", "terugbetal", "terugboek", "terugstort",
    "restitu", "estorno", "zwrot", "återbetal", "aterbetal", "refusion", "refusjon",
    "tilbagebetal",
];

/// The refund word a description holds, if any ("charge back" as two words counts too).
pub fn refund_word(description: &str) -> Option<String> {
    let words = text::words(description);
    if let Some(w) = words
        .iter()
        .find(|w| REFUND_STEMS.iter().any(|s| w.starts_with(s)))
    {
        return Some(w.clone());
    }
    words
        .windows(2)
        .any(|pair| pair[0] == "charge" && pair[1] == "back")
        .then(|| "charge back".to_owned())
}

/// Why a credit may sit in an expense category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundEvidence {
    /// The description says so: the word that does.
    Wording(String),
    /// The user spent at this merchant in this category before: one such description.
    EarlierSpending(String),
    /// The user filed a credit from this merchant under this category by hand.
    UserChoice,
}

impl RefundEvidence {
    /// The end of a sentence that starts "a refund …".
    pub fn because(&self) -> String {
        match self {
            RefundEvidence::Wording(word) => format!("the description says “{word}”"),
            RefundEvidence::EarlierSpending(example) => {
                format!("you spent at this merchant in it before (“{example}”)")
            }
            RefundEvidence::UserChoice => {
                "you filed money in from this merchant as a refund before".to_owned()
            }
        }
    }
}

/// Whether a category may hold a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Its kind fits the money's direction.
    Fits,
    /// Money in under an expense category, backed by evidence.
    Refund(RefundEvidence),
    /// Money in under an expense category without evidence, or money out under income.
    Contradicts,
}

impl Fit {
    pub fn allowed(&self) -> bool {
        !matches!(self, Fit::Contradicts)
    }
}

/// The rule itself, on plain values. `evidence` is only consulted for a credit under an expense
/// category, so a caller may compute it lazily.
pub fn fit(
    kind: CategoryKind,
    amount: i64,
    evidence: impl FnOnce() -> Option<RefundEvidence>,
) -> Fit {
    match (kind, amount.signum()) {
        (CategoryKind::Transfer, _) | (_, 0) => Fit::Fits,
        (CategoryKind::Income, 1) | (CategoryKind::Expense, -1) => Fit::Fits,
        (CategoryKind::Income, _) => Fit::Contradicts,
        (CategoryKind::Expense, _) => evidence().map_or(Fit::Contradicts, Fit::Refund),
    }
}

/// The kind of the default category `name`: what a model class is when the user has no
/// category of that name. An unknown name counts as spending, the kind money in must not get.
pub fn default_kind(name: &str) -> CategoryKind {
    DEFAULTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or(CategoryKind::Expense, |(_, kind, _)| *kind)
}

/// A user's spending by merchant: for each merchant key (`ledger::merchants::key`, the key stored
/// with every transaction), the expense categories it was spent in and the first day it was.
#[derive(Default)]
pub struct Spending(HashMap<String, Vec<Spent>>);

struct Spent {
    category_id: i64,
    first: NaiveDate,
    example: String,
}

impl Spending {
    /// Records money out at the merchant `key` in a category (rows loaded, or planned in an
    /// import); `example` is the row's text.
    pub fn note(&mut self, key: &str, example: &str, category_id: i64, date: NaiveDate) {
        if key.is_empty() {
            return;
        }
        let spent = self.0.entry(key.to_owned()).or_default();
        match spent.iter_mut().find(|s| s.category_id == category_id) {
            Some(s) if date < s.first => {
                s.first = date;
                example.clone_into(&mut s.example);
            }
            Some(_) => {}
            None => spent.push(Spent {
                category_id,
                first: date,
                example: example.to_owned(),
            }),
        }
    }

    /// A text of spending at the merchant `key` in `category_id` on or before `date` (at any
    /// time when the date is not known).
    pub fn before(&self, key: &str, category_id: i64, date: Option<NaiveDate>) -> Option<&str> {
        self.0
            .get(key)?
            .iter()
            .find(|s| s.category_id == category_id && date.is_none_or(|d| s.first <= d))
            .map(|s| s.example.as_str())
    }
}

/// The first money out at a merchant in an expense category.
#[derive(QueryableByName)]
struct FirstOut {
    #[diesel(sql_type = BigInt)]
    category_id: i64,
    #[diesel(sql_type = Text)]
    merchant_key: String,
    #[diesel(sql_type = Date)]
    date: NaiveDate,
    #[diesel(sql_type = Text)]
    description: String,
    #[diesel(sql_type = Nullable<Text>)]
    merchant: Option<String>,
}

/// Up to how many pairs of an expense category and a merchant of the money in are always sought:
/// at most about 10 ms (85,000 seeks took 0.1–0.3 s on SQLite and 0.38 s on PostgreSQL,
/// docs/BENCHMARKS.md).
const SEEKS_WITHOUT_COUNTING: usize = 2_000;

/// The keys among `keys` worth a seek in each category of `expense`: all of them, unless the
/// seeks would outnumber the user's rows in those categories (thousands of paying customers in
/// one file, a short history). Then the rows' merchant keys are read once from the index, and
/// only the keys among them are sought. The rows are counted from the monthly sums.
fn keys_worth_seeking<'k>(
    conn: &mut DbConn,
    user_id: i64,
    expense: &[i64],
    keys: Vec<&'k String>,
) -> Result<Vec<&'k String>, ApiError> {
    let seeks = expense.len() * keys.len();
    if seeks <= SEEKS_WITHOUT_COUNTING {
        return Ok(keys);
    }
    let rows: i64 = with_conn!(conn, c => monthly_sums::table
        .inner_join(accounts::table)
        .filter(accounts::user_id.eq(user_id))
        .filter(monthly_sums::category_id.eq_any(expense))
        .select(sum_of(monthly_sums::count))
        .first(c))?;
    if rows >= seeks as i64 {
        return Ok(keys);
    }
    let spent_at: HashSet<String> = with_conn!(conn, c => transactions::table
        .filter(transactions::user_id.eq(user_id))
        .filter(transactions::category_id.eq_any(expense))
        .select(transactions::merchant_key)
        .distinct()
        .load::<Option<String>>(c))?
    .into_iter()
    .flatten()
    .collect();
    Ok(keys
        .into_iter()
        .filter(|k| spent_at.contains(k.as_str()))
        .collect())
}

/// Each pair of the categories `expense` and the merchant keys `keys` with money out: its first
/// money out, found by a seek in the category index (usually its first entry there, the index
/// being in date order within a pair), so that the cost grows with the pairs, not with the
/// history. PostgreSQL seeks every pair in one statement, saving a round trip per pair; its
/// index compares keys byte by byte (migration `category_index_with_merchant`). Listing the
/// pairs that have rows first would cost more than it saves: PostgreSQL's DISTINCT reads every
/// entry of the range (30 ms for a merchant of 67,000 rows). The amount's sign is checked
/// unindexed: SQLite would otherwise read the amount index's half of the user's rows.
fn first_spending(
    conn: &mut DbConn,
    user_id: i64,
    expense: &[i64],
    keys: &[&String],
) -> Result<Vec<FirstOut>, ApiError> {
    if expense.is_empty() || keys.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        DbConn::Postgres(c) => Ok(diesel::sql_query(
            r#"SELECT c.id AS category_id, k.key AS merchant_key, f.date, f.description, f.merchant
             FROM unnest($2::bigint[]) AS c (id) CROSS JOIN unnest($3::text[]) AS k (key)
             CROSS JOIN LATERAL (
                 SELECT t.date, t.description, t.merchant FROM transactions t
                 WHERE t.user_id = $1 AND t.category_id = c.id
                   AND t.merchant_key COLLATE "C" = k.key
                   AND COALESCE(t.amount, t.amount) < 0
                 ORDER BY t.date LIMIT 1) f"#,
        )
        .bind::<BigInt, _>(user_id)
        .bind::<Array<BigInt>, _>(expense)
        .bind::<Array<Text>, _>(keys)
        .load(&mut **c)?),
        DbConn::Sqlite(c) => {
            let c: &mut SqliteConnection = c;
            let mut firsts = Vec::new();
            for &category_id in expense {
                for &merchant_key in keys {
                    let first: Option<(NaiveDate, String, Option<String>)> = transactions::table
                        .filter(transactions::user_id.eq(user_id))
                        .filter(transactions::category_id.eq(category_id))
                        .filter(transactions::merchant_key.eq(merchant_key))
                        .filter(unindexed(transactions::amount, transactions::amount).lt(0))
                        .order(transactions::date.asc())
                        .select((
                            transactions::date,
                            transactions::description,
                            transactions::merchant,
                        ))
                        .first(c)
                        .optional()?;
                    firsts.extend(first.map(|(date, description, merchant)| FirstOut {
                        category_id,
                        merchant_key: merchant_key.clone(),
                        date,
                        description,
                        merchant,
                    }));
                }
            }
            Ok(firsts)
        }
    }
}

/// What the guard weighs of a row: its text (the description, led by the payee), the bank's
/// merchant when it names one, its amount and, when known, its date (only spending on or before
/// it counts as refund evidence).
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub text: &'a str,
    pub merchant: Option<&'a str>,
    pub amount: i64,
    pub date: Option<NaiveDate>,
}

/// What judging a user's rows needs: the kinds of their categories and their spending at the
/// merchants of the money in to be judged.
pub struct Guard {
    kinds: HashMap<i64, CategoryKind>,
    spending: Spending,
}

impl Guard {
    /// The guard for rows whose money in comes from the merchants `credit_keys` (none: money out
    /// only). Only a credit ever needs the user's spending (refund evidence), and only at its own
    /// merchant, so only the first money out of each of those merchants in each expense
    /// category is read (`first_spending`): the cost does not grow with the user's history.
    pub fn load_for(
        conn: &mut DbConn,
        user_id: i64,
        credit_keys: &HashSet<String>,
    ) -> Result<Self, ApiError> {
        let kinds: Vec<(i64, String)> = with_conn!(conn, c => categories::table
            .filter(categories::user_id.eq(user_id))
            .select((categories::id, categories::kind))
            .load(c))?;
        let mut guard = Guard::of(kinds, Spending::default());
        let expense: Vec<i64> = guard
            .kinds
            .iter()
            .filter(|(_, kind)| **kind == CategoryKind::Expense)
            .map(|(id, _)| *id)
            .collect();
        let keys: Vec<&String> = credit_keys.iter().filter(|k| !k.is_empty()).collect();
        let keys = keys_worth_seeking(conn, user_id, &expense, keys)?;
        for first in first_spending(conn, user_id, &expense, &keys)? {
            let example = text::with_payee(&first.description, first.merchant.as_deref());
            guard
                .spending
                .note(&first.merchant_key, &example, first.category_id, first.date);
        }
        Ok(guard)
    }

    fn of(kinds: Vec<(i64, String)>, spending: Spending) -> Self {
        Guard {
            kinds: kinds
                .into_iter()
                .filter_map(|(id, kind)| Some((id, CategoryKind::parse(&kind)?)))
                .collect(),
            spending,
        }
    }

    pub fn kind(&self, category_id: i64) -> Option<CategoryKind> {
        self.kinds.get(&category_id).copied()
    }

    /// The evidence that a credit is a refund of `category_id`.
    pub fn refund_evidence(&self, row: &Facts, category_id: Option<i64>) -> Option<RefundEvidence> {
        refund_word(row.text)
            .map(RefundEvidence::Wording)
            .or_else(|| {
                let key = merchants::key(row.merchant, row.text);
                let example = self.spending.before(&key, category_id?, row.date)?;
                Some(RefundEvidence::EarlierSpending(example.to_owned()))
            })
    }

    /// Whether the user's category `category_id` may hold the row. A category that is not
    /// theirs never fits.
    pub fn fit(&self, category_id: i64, row: &Facts) -> Fit {
        match self.kind(category_id) {
            Some(kind) => fit(kind, row.amount, || {
                self.refund_evidence(row, Some(category_id))
            }),
            None => Fit::Contradicts,
        }
    }

    /// Remembers spending filed while an import is planned, so a later refund in the same file
    /// finds it: money out described by `text` at the merchant `key` (`ledger::merchants::key`).
    pub fn note(&mut self, category_id: i64, amount: i64, key: &str, text: &str, date: NaiveDate) {
        if amount < 0 && self.kind(category_id) == Some(CategoryKind::Expense) {
            self.spending.note(key, text, category_id, date);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn facts<'a>(
        amount: i64,
        text: &'a str,
        merchant: Option<&'a str>,
        date: Option<NaiveDate>,
    ) -> Facts<'a> {
        Facts {
            text,
            merchant,
            amount,
            date,
        }
    }

    #[test]
    fn refund_wording_is_read_in_several_languages() {
        for (description, word) in [
            ("AMAZON MKTPLACE REFUND 112-33", "refund"),
            ("Zalando Retoure 4471", "retoure"),
            ("RÜCKERSTATTUNG MEDIAMARKT", "rückerstattung"),
            ("Remboursement FNAC", "remboursement"),
            ("DEVOLUCIÓN EL CORTE INGLES", "devolución"),
            ("Rimborso Trenitalia", "rimborso"),
            ("Terugbetaling Bol.com", "terugbetaling"),
            ("UPI RVSL 3321 SWIGGY", "rvsl"),
            ("CARD REVERSAL SHELL", "reversal"),
            ("VISA CHARGEBACK HOTEL", "chargeback"),
            ("Returned item: H&M", "returned"),
        ] {
            assert_eq!(
                refund_word(description).as_deref(),
                Some(word),
                "{description}"
            );
        }
        assert_eq!(
            refund_word("Charge back from Hotel X").as_deref(),
            Some("charge back")
        );
        for description in [
            "SALARY ACME CORP",
            "Gutschrift Gehalt Maerz",
            "Freelance invoice 42",
            "REVENUE SHARE PAYOUT",
            "Retail park parking",
            "Back to school charge",
        ] {
            assert_eq!(refund_word(description), None, "{description}");
        }
    }

    #[test]
    fn the_kind_must_fit_the_direction() {
        let none = || None;
        let said = || Some(RefundEvidence::Wording("refund".into()));
        assert_eq!(fit(CategoryKind::Income, 100, none), Fit::Fits);
        assert_eq!(fit(CategoryKind::Expense, -100, none), Fit::Fits);
        assert_eq!(fit(CategoryKind::Transfer, 100, none), Fit::Fits);
        assert_eq!(fit(CategoryKind::Transfer, -100, none), Fit::Fits);
        assert_eq!(fit(CategoryKind::Income, -100, none), Fit::Contradicts);
        assert_eq!(
            fit(CategoryKind::Income, -100, said),
            Fit::Contradicts,
            "no evidence makes money out income"
        );
        assert_eq!(fit(CategoryKind::Expense, 100, none), Fit::Contradicts);
        assert_eq!(
            fit(CategoryKind::Expense, 100, said),
            Fit::Refund(RefundEvidence::Wording("refund".into()))
        );
        assert_eq!(fit(CategoryKind::Income, 0, none), Fit::Fits);
        assert_eq!(fit(CategoryKind::Expense, 0, none), Fit::Fits);
    }

    #[test]
    fn earlier_spending_at_the_merchant_in_the_category_is_evidence() {
        let mut spending = Spending::default();
        spending.note("tesco stores", "POS 4821 TESCO STORES 3297", 7, day(10));
        spending.note("tesco stores", "TESCO STORES 11", 7, day(4));
        spending.note("", "1234 5678", 7, day(1));
        assert_eq!(
            spending.before("tesco stores", 7, Some(day(20))),
            Some("TESCO STORES 11"),
            "the first day's text"
        );
        assert!(spending.before("tesco stores", 7, Some(day(4))).is_some());
        assert_eq!(
            spending.before("tesco stores", 7, Some(day(3))),
            None,
            "spending after the refund is no evidence"
        );
        assert!(spending.before("tesco stores", 7, None).is_some());
        assert_eq!(
            spending.before("tesco stores", 8, None),
            None,
            "another category"
        );
        assert_eq!(
            spending.before("sainsburys", 7, None),
            None,
            "another merchant"
        );
        assert_eq!(spending.before("", 7, None), None, "a row naming no one");
    }

    #[test]
    fn the_guard_judges_user_categories() {
        let mut guard = Guard {
            kinds: HashMap::from([
                (1, CategoryKind::Expense),
                (2, CategoryKind::Income),
                (3, CategoryKind::Transfer),
            ]),
            spending: Spending::default(),
        };
        assert_eq!(
            guard.fit(1, &facts(500, "ACME LTD", None, None)),
            Fit::Contradicts
        );
        assert_eq!(
            guard.fit(2, &facts(-500, "ACME LTD", None, None)),
            Fit::Contradicts
        );
        assert_eq!(guard.fit(3, &facts(500, "ACME LTD", None, None)), Fit::Fits);
        assert_eq!(
            guard.fit(99, &facts(-500, "ACME LTD", None, None)),
            Fit::Contradicts
        );
        let acme = merchants::key(None, "ACME LTD");
        guard.note(2, 900, &acme, "ACME LTD", day(1));
        guard.note(1, 900, &acme, "ACME LTD", day(1));
        assert_eq!(
            guard.fit(1, &facts(500, "ACME LTD", None, None)),
            Fit::Contradicts,
            "money in is not spending"
        );
        guard.note(1, -900, &acme, "ACME LTD 4411", day(1));
        assert_eq!(
            guard.fit(1, &facts(500, "ACME LTD", None, Some(day(2)))),
            Fit::Refund(RefundEvidence::EarlierSpending("ACME LTD 4411".into()))
        );
        assert_eq!(
            guard.fit(1, &facts(500, "Refund OTHER SHOP", None, None)),
            Fit::Refund(RefundEvidence::Wording("refund".into()))
        );
        // The merchant is the bank's, where it names one, whatever the descriptions say.
        let shell = merchants::key(Some("Shell"), "Card payment 11");
        guard.note(1, -900, &shell, "Shell Card payment 11", day(1));
        assert_eq!(
            guard.fit(
                1,
                &facts(500, "Shell Fuel station 7", Some("Shell"), Some(day(2)))
            ),
            Fit::Refund(RefundEvidence::EarlierSpending(
                "Shell Card payment 11".into()
            ))
        );
        assert_eq!(
            guard.fit(1, &facts(500, "Shell Fuel station 7", None, Some(day(2)))),
            Fit::Contradicts,
            "without the bank's merchant the description names another one"
        );
    }
}
