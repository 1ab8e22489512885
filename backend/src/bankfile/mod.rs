//! Bank-file parsing engine: bytes of a bank export in, transactions out. Pure Rust: no HTTP, no
//! database. [`parse`] detects everything it can by itself (encoding, format, delimiter, junk
//! lines, header, columns, date order, decimal mark, sign convention) and returns the
//! [`Mapping`] it used; a user can correct that mapping in the import wizard and call [`parse`]
//! again with it, which then applies it as given.
//!
//! Module map: `detect` (which format), `encoding` (bytes → text), `delimited` (CSV/TSV text →
//! records), `excel` (xlsx/xls/ods → records), `table` (records → mapping → rows, shared by
//! both), `columns` (which column is what), `ofx`, `qif`, `amount` (decimal text → minor units),
//! `date` (date text → `NaiveDate`).

mod amount;
mod camt;
mod columns;
mod date;
mod delimited;
mod detect;
mod encoding;
mod excel;
mod exporters;
mod mt940;
mod ofx;
mod qif;
mod table;
mod wide;

#[cfg(test)]
mod tests;

pub use amount::DecimalSeparator;
pub use date::{DateOrder, DateOrderBasis, DateOrderFinding};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::limits;

/// The kind of file that was read.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text: CSV, semicolon- or tab-separated, pipe-separated.
    Delimited,
    /// A spreadsheet: xlsx, xls or ods.
    Excel,
    /// OFX or QFX (1.x SGML or 2.x XML).
    Ofx,
    /// Quicken Interchange Format.
    Qif,
    /// SWIFT MT940 statement or MT942 interim report.
    Mt940,
    /// ISO 20022 CAMT.053 statement or CAMT.052 account report (XML).
    Camt,
}

/// Where the amount of a row comes from (delimited text and spreadsheets).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmountColumns {
    /// One column holds the signed amount.
    Single {
        /// 0-based column index of the amount.
        column: usize,
    },
    /// Money out and money in are in two columns (either may be empty on a row); the amount is
    /// credit minus debit, whatever sign the cells carry.
    DebitCredit {
        /// 0-based column index of money out (withdrawal, debit, Soll, Af).
        debit: usize,
        /// 0-based column index of money in (deposit, credit, Haben, Bij).
        credit: usize,
    },
    /// One column holds the amount, another says whether it is money out or in.
    Direction {
        /// 0-based column index of the amount (its own sign is ignored).
        column: usize,
        /// 0-based column index of the direction flag.
        direction: usize,
        /// Flag values meaning money out, compared case-insensitively after trimming ("" matches
        /// an empty cell).
        outflow_values: Vec<String>,
        /// Flag values meaning money in, compared the same way.
        inflow_values: Vec<String>,
    },
}

/// A one-character setting where the empty string, like `null`, means "none" or "detect", as
/// the documentation says.
fn empty_or_char<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<char>, D::Error> {
    let text = Option::<String>::deserialize(d)?.unwrap_or_default();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(None),
        (Some(c), None) => Ok(Some(c)),
        _ => Err(serde::de::Error::custom(
            "must be a single character, or empty",
        )),
    }
}

/// How to read a file: what the import wizard shows and lets the user correct. [`parse`] returns
/// the mapping it detected; passing it back in gives the same rows. Stored as JSON (all fields
/// have defaults, so `{}` is a valid, empty mapping). Columns are 0-based indexes, because
/// header names repeat in real files (`Währung` twice).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq, Default)]
#[serde(default)]
pub struct Mapping {
    /// Text encoding (WHATWG label such as `UTF-8`, `UTF-16LE`, `windows-1252`, `windows-1250`).
    /// Empty: detect (BOM, UTF-8 validity, OFX/XML declarations, legacy code-page statistics).
    pub encoding: Option<String>,
    /// Field delimiter of delimited text: `,` `;` tab or `|`. Empty: detect.
    #[serde(deserialize_with = "empty_or_char")]
    #[schema(value_type = Option<String>, max_length = 1)]
    pub delimiter: Option<char>,
    /// Lines (spreadsheet rows) before the header, or before the first data line when there is
    /// no header. Blank lines count.
    pub skip_rows: usize,
    /// Whether the first line after `skip_rows` names the columns.
    pub has_header: bool,
    /// Spreadsheet sheet to read. Empty: the first sheet holding data.
    pub sheet: Option<String>,
    /// 0-based column index of the transaction (booking) date.
    pub date_column: Option<usize>,
    /// Order of day, month and year in dates. Any separator, one- or two-digit days and months,
    /// two-digit years (00–69 → 20xx, 70–99 → 19xx), month names (English, German, French, Dutch,
    /// Spanish), trailing dots and a trailing time are accepted in every order. QIF uses it too.
    pub date_order: Option<DateOrder>,
    /// Where the amount comes from.
    pub amount: Option<AmountColumns>,
    /// Decimal mark of amounts.
    pub decimal_separator: Option<DecimalSeparator>,
    /// Digit-group mark allowed in amounts (`,` `.` space or `'`); empty: none. Groups must be
    /// of three digits.
    #[serde(deserialize_with = "empty_or_char")]
    #[schema(value_type = Option<String>, max_length = 1)]
    pub thousands_separator: Option<char>,
    /// Flip every amount's sign (for exports that list purchases as positive numbers).
    pub invert_sign: bool,
    /// 0-based column of a fee charged on top of the amount, not part of it (Revolut's `Fee`):
    /// subtracted from the amount (after `invert_sign`), as the bank's balance does. An empty
    /// cell is no fee.
    pub fee_column: Option<usize>,
    /// 0-based column indexes joined (with ` | `) into the description.
    pub description_columns: Vec<usize>,
    /// 0-based column index of the payee / counterparty.
    pub payee_column: Option<usize>,
    /// 0-based column of free-text notes (kept as the transaction's notes).
    pub memo_column: Option<usize>,
    /// 0-based column index of the bank's own category.
    pub category_column: Option<usize>,
    /// 0-based column index of an ISO 4217 currency code (used to report the file's currency).
    pub currency_column: Option<usize>,
    /// 0-based column naming the account each row belongs to (Dhana's own export of several
    /// accounts has one).
    pub account_column: Option<usize>,
    /// Write each row to your account named in `account_column` (with the row's currency)
    /// instead of the import's account; a row no account of yours matches is refused.
    pub route_by_account: bool,
    /// 0-based column index of a record type (Swedbank: 10 opening balance, 20 transaction, 82
    /// turnover, 86 closing balance).
    pub record_type_column: Option<usize>,
    /// With `record_type_column`: the values that mark a transaction; lines with any other are
    /// balance or summary lines, left out and listed as skipped.
    pub transaction_record_types: Vec<String>,
}

/// One transaction read from the file.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct ParsedRow {
    /// 1-based line in the file (spreadsheet: 1-based row) where the transaction starts.
    pub line: usize,
    pub date: chrono::NaiveDate,
    /// Minor units of the currency; outflows negative (the account holder's view).
    pub amount: i64,
    pub description: String,
    pub payee: Option<String>,
    pub memo: Option<String>,
    pub bank_category: Option<String>,
    /// The bank's own transaction id (OFX FITID).
    pub external_id: Option<String>,
    /// ISO 4217 code the row itself states (a currency column), if any.
    pub currency: Option<String>,
    /// The account the row names (an account column), if any.
    #[serde(default)]
    pub account: Option<String>,
}

/// Which way round a file's amounts are, and why (delimited text and spreadsheets with one
/// amount column).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct SignFinding {
    /// Whether every amount is flipped (the mapping's `invert_sign`): the file lists purchases
    /// as positive numbers.
    pub inverted: bool,
    /// `payment_wording` (the file's payment and credit lines carry the other sign than its
    /// purchases), `card_account` (a card account's file without such lines, its amounts mostly
    /// positive), or `purchase_total` (an order history's "Total" column).
    pub basis: String,
    /// A sentence for the user; flip `invert_sign` in the mapping if it is wrong.
    pub message: String,
}

/// Rows with more cells than the header names: a field holding the delimiter (an address
/// written without quotes) split it. Each such row's extra cells are joined back into one
/// column, chosen by what the cells around it hold.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct WideRowsFinding {
    /// How many rows were wider than the header.
    pub rows: usize,
    /// Their first lines (up to 20).
    pub lines: Vec<usize>,
    /// The header names of the columns their extra cells were joined into.
    pub columns: Vec<String>,
    /// A sentence for the user.
    pub message: String,
}

/// What reading the file decided that the user should check, shown with the preview. Lines
/// left out as balances or totals are listed among the `problems` as skipped lines.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq, Default)]
pub struct LayoutFindings {
    /// How the date order was decided (absent when the mapping names it).
    pub date_order: Option<DateOrderFinding>,
    /// Which way round the amounts are (absent when the mapping says it or no rule applies).
    pub sign: Option<SignFinding>,
    /// Rows wider than the header, put back together.
    pub wide_rows: Option<WideRowsFinding>,
}

impl LayoutFindings {
    /// The question a commit must not go past: dates that read two ways with nothing to tell.
    pub fn unanswered(&self) -> Option<&DateOrderFinding> {
        self.date_order
            .as_ref()
            .filter(|f| f.basis == DateOrderBasis::Ask)
    }
}

/// A line that looks like a transaction but could not be read; never silently dropped.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line (spreadsheet: row).
    pub line: usize,
    /// Which field: `date`, `amount`, `direction`; `summary` for a balance, turnover or total
    /// line left out; `balance` for a statement's balance that cannot be read or that its
    /// opening balance and bookings do not add up to (MT940, CAMT).
    pub field: String,
    /// The offending text as found.
    pub text: String,
    /// A sentence for the user, starting with the line number.
    pub message: String,
    /// A line deliberately left out (a pending booking, a line without an amount) rather than
    /// one that could not be read: it does not stop an import.
    #[serde(default)]
    pub skipped: bool,
}

/// The result of reading a file.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub format: Format,
    /// The mapping used (detected or given): store it to re-read the file the same way.
    pub mapping: Mapping,
    /// The encoding the text was decoded with (WHATWG name, e.g. `UTF-8`, `windows-1252`).
    pub encoding: String,
    /// ISO 4217 code stated by the file (OFX CURDEF, a currency column, `Betrag (EUR)`), if any.
    pub currency: Option<String>,
    /// Column names (delimited/excel; `Column N` when the file has no header). Empty for OFX/QIF.
    pub headers: Vec<String>,
    pub rows: Vec<ParsedRow>,
    pub problems: Vec<RowProblem>,
    /// What detection decided that the user should check.
    pub findings: LayoutFindings,
    /// Cells that lost characters, in file order (the first `CLEANED_KEPT`).
    pub cleaned: Vec<CleanedCell>,
}

/// What reading a file found besides its transactions and problems, which [`read`] hands on
/// one at a time (in line order) instead of keeping them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub format: Format,
    /// The mapping used (detected or given): store it to re-read the file the same way.
    pub mapping: Mapping,
    /// The encoding the text was decoded with (WHATWG name, e.g. `UTF-8`, `windows-1252`).
    pub encoding: String,
    /// ISO 4217 code stated by the file (OFX CURDEF, a currency column, `Betrag (EUR)`), if any.
    pub currency: Option<String>,
    /// Column names (delimited/excel; `Column N` when the file has no header). Empty for OFX/QIF.
    pub headers: Vec<String>,
    /// What detection decided that the user should check.
    pub findings: LayoutFindings,
    /// Cells that lost characters, in file order (the first `CLEANED_KEPT`).
    pub cleaned: Vec<CleanedCell>,
    /// Transactions handed on.
    pub rows: usize,
    /// Problems handed on that stop a commit (not `skipped`).
    pub errors: usize,
    /// Problems handed on that are lines left out on purpose (`skipped`).
    pub skipped: usize,
}

impl Reading {
    /// A file's facts as a format reader knows them, before any row is counted.
    pub(super) fn of(
        format: Format,
        mapping: Mapping,
        encoding: String,
        currency: Option<String>,
        headers: Vec<String>,
        findings: LayoutFindings,
    ) -> Self {
        Reading {
            format,
            mapping,
            encoding,
            currency,
            headers,
            findings,
            cleaned: Vec::new(),
            rows: 0,
            errors: 0,
            skipped: 0,
        }
    }
}

/// One thing read from a file, handed on as soon as it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Row(ParsedRow),
    Problem(RowProblem),
}

/// How many cleaned cells are listed; a file broken on every line says so in the first ones.
pub const CLEANED_KEPT: usize = 200;

/// Characters dropped from one cell of a file: its control characters, or a payee's beyond 200,
/// the longest merchant name. The text is imported without them.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
#[schema(example = json!({"line": 7, "field": "description", "removed": 2, "reason": "control_characters"}))]
pub struct CleanedCell {
    /// 1-based line (spreadsheet: row); `null` for the header row.
    pub line: Option<usize>,
    /// Which field of the transaction (`description`, `payee`, `memo`, `bank_category`,
    /// `external_id`), or `column N` (1-based) of the header row.
    pub field: String,
    /// How many characters were dropped.
    pub removed: usize,
    pub reason: Cleaning,
}

/// Why a cell lost characters.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Cleaning {
    /// Control characters (such as U+0000), which mean nothing in a bank's text.
    ControlCharacters,
    /// A payee longer than a merchant name (200 characters) was cut to one.
    LongerThanAMerchantName,
}

/// Shapes of file refused before they cost memory: a 49 MiB file of one field, of one line or
/// of 500,000 columns would otherwise take gigabytes to split into cells. Real bank exports stay
/// far inside these (`DHANA_IMPORT_MAX_COLUMNS`, `…_MAX_FIELD_BYTES`, `…_MAX_LINE_BYTES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Cells in one row of delimited text, columns of a spreadsheet.
    pub max_columns: usize,
    /// Bytes in one cell of delimited text.
    pub max_field_bytes: usize,
    /// Bytes in one line of a line-based format (delimited text, QIF, MT940).
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_columns: 200,
            max_field_bytes: 16 * 1024,
            max_line_bytes: 64 * 1024,
        }
    }
}

/// What the caller knows besides the bytes.
#[derive(Clone, Copy, Debug)]
pub struct ParseOptions<'a> {
    /// The uploaded file's name: only a hint, the content decides.
    pub filename: Option<&'a str>,
    /// A mapping to apply instead of detecting one.
    pub mapping: Option<&'a Mapping>,
    /// Decimal digits of the account currency's minor unit (`dhana::money::minor_unit_digits`).
    /// Amounts with more digits are rounded half away from zero.
    pub minor_unit_digits: u32,
    /// The account is a credit card: a file without payment lines whose amounts are mostly
    /// positive lists purchases as positive numbers.
    pub card_account: bool,
    pub limits: Limits,
    /// Known from an earlier reading of the file with this mapping: no row is wider than its
    /// header (`LayoutFindings::wide_rows` was absent), so no pass looks for such rows.
    pub no_wide_rows: bool,
}

impl Default for ParseOptions<'_> {
    fn default() -> Self {
        ParseOptions {
            filename: None,
            mapping: None,
            minor_unit_digits: 2,
            card_account: false,
            limits: Limits::default(),
            no_wide_rows: false,
        }
    }
}

/// Why a file cannot be imported at all. Each message is a sentence for the user.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ImportError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is not readable text nor a spreadsheet; it looks like binary data.")]
    Binary,
    #[error("The file format was not recognised: expected CSV or other delimited text, an Excel or OpenDocument spreadsheet, OFX/QFX, QIF, MT940 or CAMT.053.")]
    UnknownFormat,
    #[error("The text encoding '{0}' is not known.")]
    UnknownEncoding(String),
    #[error("No transactions found: {0}")]
    NoTransactions(String),
    #[error("The bank's server sent an error instead of a statement (code {code}: {message}).")]
    OfxServerError { code: String, message: String },
    #[error("The file holds statements in several currencies ({0}); import each account from its own file.")]
    MixedCurrencies(String),
    #[error("The spreadsheet could not be read: {0}")]
    Spreadsheet(String),
    #[error("The spreadsheet is too large to import safely: {0}")]
    TooLarge(String),
    #[error("The column mapping uses column {column} for the {field}, but the file has only {available} columns.")]
    ColumnMissing {
        field: String,
        /// 1-based, as a user counts.
        column: usize,
        available: usize,
    },
    #[error("Could not tell which column holds the {what}; choose it in the column mapping.")]
    ColumnNotFound {
        what: String,
        /// The column names found, for the wizard.
        headers: Vec<String>,
    },
    #[error("The column mapping is not usable: {0}")]
    BadMapping(String),
    #[error("line {line}: {message}")]
    Limit {
        /// 1-based line (spreadsheet: row) where the limit was passed.
        line: usize,
        message: String,
    },
}

/// A row whose amount or date is outside what Dhana stores: a problem on its line, never a
/// wrapped sum or an unstorable date.
fn out_of_range_problem(row: &ParsedRow) -> RowProblem {
    let (field, text, range) = if limits::amount_in_range(row.amount) {
        ("date", row.date.to_string(), limits::DATE_RANGE)
    } else {
        ("amount", row.amount.to_string(), limits::AMOUNT_RANGE)
    };
    RowProblem {
        line: row.line,
        field: field.into(),
        message: format!("line {}: the {field} {text} {range}", row.line),
        text,
        skipped: false,
    }
}

/// Control characters in a cell (a stray U+0000 from a broken export) are dropped: PostgreSQL
/// cannot store U+0000 and none of them means anything in a description. Tab and line breaks
/// are white space and stay, as in text sent as JSON. Each cleaned cell is listed, so the
/// preview can say where text changed.
fn strip_control_characters(
    text: &mut String,
    line: Option<usize>,
    field: impl FnOnce() -> String,
    cleaned: &mut Vec<CleanedCell>,
) {
    let mut removed = 0;
    text.retain(|c| {
        let keep = !c.is_control() || matches!(c, '\t' | '\n' | '\r');
        removed += usize::from(!keep);
        keep
    });
    if removed > 0 && cleaned.len() < CLEANED_KEPT {
        cleaned.push(CleanedCell {
            line,
            field: field(),
            removed,
            reason: Cleaning::ControlCharacters,
        });
    }
}

/// A payee longer than any merchant name (`limits::MERCHANT_CHARS`) is cut to one, and listed.
fn cut_payee(payee: &mut String, line: Option<usize>, cleaned: &mut Vec<CleanedCell>) {
    let removed = limits::cut_to_chars(payee, limits::MERCHANT_CHARS);
    if removed > 0 && cleaned.len() < CLEANED_KEPT {
        cleaned.push(CleanedCell {
            line,
            field: "payee".into(),
            removed,
            reason: Cleaning::LongerThanAMerchantName,
        });
    }
}

/// A bank statement file (MT940, CAMT) as read: no columns to map, one currency for all of it.
fn statement_file(
    format: Format,
    text: &encoding::Text,
    mut currencies: Vec<String>,
    rows: Vec<ParsedRow>,
    mut problems: Vec<RowProblem>,
) -> Result<Parsed, ImportError> {
    if currencies.len() > 1 {
        return Err(ImportError::MixedCurrencies(currencies.join(", ")));
    }
    // A statement's balance is checked once its entries are read, but a preview lists problems
    // in the file's order.
    problems.sort_by_key(|p| p.line);
    Ok(Parsed {
        format,
        mapping: Mapping {
            encoding: Some(text.encoding.name().to_owned()),
            ..Mapping::default()
        },
        encoding: text.encoding.name().to_owned(),
        currency: currencies.pop(),
        headers: Vec::new(),
        rows,
        problems,
        findings: LayoutFindings::default(),
        cleaned: Vec::new(),
    })
}

/// A statement (MT940, CAMT) whose opening balance plus its movements is not its closing
/// balance, reported on the closing balance's line. It does not stop the import: the bookings are
/// what the bank sent, and a file the user cannot change is better imported with the difference
/// shown than refused.
fn unbalanced(
    line: usize,
    statement: &str,
    expected: i64,
    closing: i64,
    digits: u32,
) -> RowProblem {
    let (expected, closing) = (
        mt940::minor(expected, digits),
        mt940::minor(closing, digits),
    );
    RowProblem {
        line,
        field: "balance".into(),
        text: closing.clone(),
        message: format!(
            "line {line}: {statement} does not add up: the opening balance plus its movements is \
             {expected} but its closing balance is {closing}; compare the rows with the bank's statement"
        ),
        skipped: true,
    }
}

/// A text's lines as the line limit and QIF count them: old Mac exports end lines with a bare CR.
fn lines_of(text: &str) -> std::str::Split<'_, char> {
    text.split(if text.contains('\n') { '\n' } else { '\r' })
}

/// Refuses the first line longer than the limit, naming it, before the text is split.
fn check_lines(text: &str, limits: &Limits) -> Result<(), ImportError> {
    let too_long = lines_of(text)
        .enumerate()
        .find(|(_, line)| line.len() > limits.max_line_bytes);
    match too_long {
        Some((i, line)) => Err(ImportError::Limit {
            line: i + 1,
            message: format!(
                "the line is {} bytes long; at most {} are read (DHANA_IMPORT_MAX_LINE_BYTES)",
                line.len(),
                limits.max_line_bytes
            ),
        }),
        None => Ok(()),
    }
}

/// Hands on what a reader of a whole file (OFX, QIF, MT940, CAMT: sizes bounded by the upload
/// limit) returned, in line order.
fn replay<E: From<ImportError>>(
    parsed: Parsed,
    emit: &mut impl FnMut(Item) -> Result<(), E>,
) -> Result<Reading, E> {
    let mut problems = parsed.problems;
    problems.sort_by_key(|p| p.line);
    let mut problems = problems.into_iter().peekable();
    for row in parsed.rows {
        while let Some(p) = problems.next_if(|p| p.line <= row.line) {
            emit(Item::Problem(p))?;
        }
        emit(Item::Row(row))?;
    }
    problems.try_for_each(|p| emit(Item::Problem(p)))?;
    Ok(Reading::of(
        parsed.format,
        parsed.mapping,
        parsed.encoding,
        parsed.currency,
        parsed.headers,
        parsed.findings,
    ))
}

/// Counts and cleans what a format reader hands on before it goes to the caller: a row out of
/// Dhana's ranges becomes a problem on its line, control characters leave the text.
struct Counter<F> {
    sink: F,
    rows: usize,
    errors: usize,
    skipped: usize,
    first_problem: Option<RowProblem>,
    cleaned: Vec<CleanedCell>,
}

impl<F> Counter<F> {
    fn take<E>(&mut self, item: Item) -> Result<(), E>
    where
        F: FnMut(Item) -> Result<(), E>,
    {
        let mut row = match item {
            Item::Problem(p) => return self.problem(p),
            Item::Row(row) => row,
        };
        if !(limits::amount_in_range(row.amount) && limits::date_in_range(row.date)) {
            return self.problem(out_of_range_problem(&row));
        }
        let line = Some(row.line);
        let cleaned = &mut self.cleaned;
        strip_control_characters(&mut row.description, line, || "description".into(), cleaned);
        for (field, text) in [
            ("payee", &mut row.payee),
            ("memo", &mut row.memo),
            ("bank_category", &mut row.bank_category),
            ("external_id", &mut row.external_id),
        ] {
            if let Some(text) = text {
                strip_control_characters(text, line, || field.into(), cleaned);
            }
        }
        if let Some(payee) = &mut row.payee {
            cut_payee(payee, line, cleaned);
        }
        self.rows += 1;
        (self.sink)(Item::Row(row))
    }

    fn problem<E>(&mut self, p: RowProblem) -> Result<(), E>
    where
        F: FnMut(Item) -> Result<(), E>,
    {
        if p.skipped {
            self.skipped += 1;
        } else {
            self.errors += 1;
        }
        if self.first_problem.is_none() {
            self.first_problem = Some(p.clone());
        }
        (self.sink)(Item::Problem(p))
    }
}

/// Reads a bank export (see the module documentation), handing each transaction and each
/// problem to `sink` as it is read, in line order. Delimited text is read in passes over the
/// text (detection keeps a bounded sample and counters), so memory does not grow with the
/// number of lines; the other formats are read whole (their size is bounded by the upload
/// limit) and then handed on.
pub fn read<E: From<ImportError>>(
    bytes: &[u8],
    options: &ParseOptions,
    sink: impl FnMut(Item) -> Result<(), E>,
) -> Result<Reading, E> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty.into());
    }
    let digits = options.minor_unit_digits;
    let mut counter = Counter {
        sink,
        rows: 0,
        errors: 0,
        skipped: 0,
        first_problem: None,
        cleaned: Vec::new(),
    };
    let mut emit = |item| counter.take(item);
    let mut reading = match detect::sniff(bytes, options.filename) {
        detect::Sniffed::Spreadsheet => excel::read(bytes, options, &mut emit)?,
        detect::Sniffed::Text => {
            let forced = match options.mapping.and_then(|m| m.encoding.as_deref()) {
                Some(label) => Some(
                    encoding::by_label(label)
                        .ok_or_else(|| ImportError::UnknownEncoding(label.to_string()))?,
                ),
                None => None,
            };
            let text = encoding::decode(bytes, forced)?;
            let format = detect::text_format(&text.text, options.filename);
            if matches!(format, Format::Delimited | Format::Qif | Format::Mt940) {
                check_lines(&text.text, &options.limits)?;
            }
            match format {
                Format::Ofx => replay(ofx::parse(bytes, &text, forced, digits)?, &mut emit)?,
                Format::Qif => replay(qif::parse(&text, options.mapping, digits)?, &mut emit)?,
                Format::Mt940 => replay(mt940::parse(&text, digits)?, &mut emit)?,
                Format::Camt => replay(camt::parse(&text, digits)?, &mut emit)?,
                _ => delimited::read(&text, options, &mut emit)?,
            }
        }
    };
    let mut cleaned = Vec::new();
    for (i, header) in reading.headers.iter_mut().enumerate() {
        strip_control_characters(header, None, || format!("column {}", i + 1), &mut cleaned);
    }
    cleaned.append(&mut counter.cleaned);
    cleaned.truncate(CLEANED_KEPT);
    reading.cleaned = cleaned;
    (reading.rows, reading.errors, reading.skipped) =
        (counter.rows, counter.errors, counter.skipped);
    if let (0, Some(first)) = (reading.rows, &counter.first_problem) {
        let problems = reading.errors + reading.skipped;
        let plural = if problems == 1 { "" } else { "s" };
        // Only lines left out on purpose (pending entries, a balance): nothing failed to read.
        let what = if reading.errors == 0 {
            format!("every line was left out on purpose ({problems} line{plural})")
        } else {
            format!("no line could be read ({problems} problem{plural})")
        };
        return Err(
            ImportError::NoTransactions(format!("{what}; the first: {}", first.message)).into(),
        );
    }
    Ok(reading)
}

/// Reads a bank export whole: [`read`] with every row and problem collected.
pub fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Parsed, ImportError> {
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    let reading = read(bytes, options, |item| {
        match item {
            Item::Row(row) => rows.push(row),
            Item::Problem(p) => problems.push(p),
        }
        Ok::<_, ImportError>(())
    })?;
    problems.sort_by_key(|p| p.line);
    Ok(Parsed {
        format: reading.format,
        mapping: reading.mapping,
        encoding: reading.encoding,
        currency: reading.currency,
        headers: reading.headers,
        rows,
        problems,
        findings: reading.findings,
        cleaned: reading.cleaned,
    })
}
