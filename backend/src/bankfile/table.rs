//! Rows of cells (from delimited text or a spreadsheet) → a [`Mapping`] (detected, or given
//! and checked) → transactions and row problems.
//!
//! Detection: a *data line* has a date cell and another cell that reads as an amount. The
//! header is the nearest earlier line with at least two non-empty cells that is not a data
//! line (so title lines, account metadata and section markers before it are skipped). Columns
//! are chosen by header name (see `columns`) checked against their content, or by content alone
//! when there is no header. The date order and the decimal mark are decided from every row.

use super::amount::{self, DecimalSeparator};
use super::columns::{self, Side, Unbooked};
use super::date::{self, DateOrder, DateOrderBasis, DateOrderFinding};
use super::{
    exporters, AmountColumns, Format, ImportError, Item, LayoutFindings, Mapping, ParsedRow,
    Reading, RowProblem, SignFinding,
};
use crate::ledger::export::unescape_cell;
use chrono::NaiveDate;

/// One line (or spreadsheet row) split into cells, trimmed.
#[derive(Clone, Debug)]
pub struct Record {
    /// 1-based line or row number.
    pub line: usize,
    pub cells: Vec<String>,
}

impl Record {
    fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }
    fn non_empty(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }
}

pub(super) fn amount_like(s: &str) -> bool {
    if s.is_empty() || date::is_date(s) {
        return false;
    }
    [
        (DecimalSeparator::Point, Some(',')),
        (DecimalSeparator::Comma, Some('.')),
        (DecimalSeparator::Point, Some('\'')),
        (DecimalSeparator::Comma, Some(' ')),
    ]
    .iter()
    .any(|(d, t)| matches!(amount::parse(s, *d, *t, 2), Ok(Some(_))))
}

fn is_data(r: &Record) -> bool {
    let date_at = r.cells.iter().position(|c| date::is_date(c));
    match date_at {
        Some(d) => r
            .cells
            .iter()
            .enumerate()
            .any(|(i, c)| i != d && amount_like(c)),
        None => false,
    }
}

#[derive(Default, Clone, Debug)]
struct Stats {
    rows: usize,
    filled: usize,
    dates: usize,
    amounts: usize,
    negatives: usize,
    decimals: usize,
    long_numbers: usize,
    iso: usize,
    text_len: usize,
}

fn stats(rows: &[&Record], col: usize) -> Stats {
    let mut s = Stats {
        rows: rows.len(),
        ..Stats::default()
    };
    for r in rows {
        let c = r.cell(col);
        if c.is_empty() {
            continue;
        }
        s.filled += 1;
        if date::is_date(c) {
            s.dates += 1;
        }
        if amount_like(c) {
            s.amounts += 1;
            if amount::is_negative(c) {
                s.negatives += 1;
            }
            if c.contains(['.', ',']) {
                s.decimals += 1;
            }
            if c.chars().filter(|ch| ch.is_ascii_digit()).count() > 9 && !c.contains(['.', ',']) {
                s.long_numbers += 1;
            }
        }
        if c.len() == 3 && crate::money::is_currency(&c.to_ascii_uppercase()) {
            s.iso += 1;
        }
        s.text_len += c.chars().count();
    }
    s
}

impl Stats {
    fn date_col(&self) -> bool {
        self.filled > 0 && self.dates * 2 >= self.rows.max(1)
    }
    /// Every filled cell reads as an amount, and the column is not an id or account number.
    fn amount_col(&self) -> bool {
        self.filled > 0
            && self.amounts * 10 >= self.filled * 9
            && self.dates * 2 < self.filled
            && self.long_numbers * 2 < self.filled
    }
}

/// A table read one record at a time, as often as a reading needs: delimited text is split
/// again on each pass and nothing of it is kept; a spreadsheet's rows are held (its size is
/// bounded by the sheet limits). A pass stops at the first error `f` returns.
pub trait Table {
    fn each<E: From<ImportError>>(
        &mut self,
        f: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), E>;
}

impl Table for Vec<Record> {
    fn each<E: From<ImportError>>(
        &mut self,
        f: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), E> {
        self.iter().try_for_each(f)
    }
}

/// The first data line, and the header: the nearest of the six lines before it with at least
/// two non-empty cells, none of them a date or an amount (title lines and account metadata
/// before it are skipped). A data line on its own under a header of its own, followed by another
/// header and its table, is a block of account details (`Umsätze ab;Enddatum;…;Saldo` over
/// one line of values): the table is the one whose data lines follow each other. Fed one record
/// at a time; keeps the six lines before a data line, and at most `PENDING` after it.
#[derive(Default)]
pub struct HeaderScan {
    window: std::collections::VecDeque<Record>,
    /// The table found so far, until a second data line in a row confirms it.
    pending: Option<HeaderFound>,
    last_was_data: bool,
}

/// What [`HeaderScan`] found at the first data line.
pub struct HeaderFound {
    pub header: Option<Record>,
    /// The records after the header up to where the scan stopped.
    pub after: Vec<Record>,
}

/// Lines a found table is held before it counts as confirmed anyway (a statement whose every
/// data line is followed by a continuation line never has two in a row).
const PENDING: usize = 50;

impl HeaderScan {
    /// `Some` once the table is settled: at its second data line in a row.
    pub fn add(&mut self, r: &Record) -> Option<HeaderFound> {
        let data = is_data(r);
        let in_a_row = std::mem::replace(&mut self.last_was_data, data);
        if let Some(p) = self.pending.as_mut() {
            p.after.push(r.clone());
            if (data && in_a_row) || p.after.len() >= PENDING {
                return self.pending.take();
            }
        }
        if !data {
            if self.window.len() == 6 {
                self.window.pop_front();
            }
            self.window.push_back(r.clone());
            return None;
        }
        let at = self.window.iter().rposition(|h| {
            h.non_empty() >= 2
                && h.cells.iter().all(|c| !date::is_date(c))
                && !h.cells.iter().any(|c| amount_like(c))
        });
        let mut window: Vec<Record> = std::mem::take(&mut self.window).into();
        window.push(r.clone());
        let (header, after) = match at {
            Some(i) => {
                let after = window.split_off(i + 1);
                (window.pop(), after)
            }
            None => (None, Vec::new()),
        };
        // A data line under no header of its own goes on the table found before it; a header
        // replaces that table's only when it is as wide (not a two-cell continuation line).
        let wider = |h: &Record, than: Option<&Record>| {
            h.non_empty() >= 3 && than.is_none_or(|t| h.non_empty() >= t.non_empty())
        };
        let replaces = match (&self.pending, &header) {
            (None, _) => true,
            (Some(p), Some(h)) => wider(h, p.header.as_ref()),
            (Some(_), None) => false,
        };
        if replaces {
            self.pending = Some(HeaderFound { header, after });
        }
        None
    }

    /// At the end of the records: the table found, if no second data line settled it.
    pub fn finish(self) -> Option<HeaderFound> {
        self.pending
    }
}

/// Column roles are judged on a sample of a long table: its first `HEAD` records and about
/// `SPREAD` more spread over the rest.
const HEAD: usize = 2000;
const SPREAD: usize = 1000;

/// Detection's first pass over a table: the sample's head, the header, how many records and
/// how wide. Fed one record at a time, so that a reader can gather it on a pass it makes anyway.
pub struct Head {
    sampled: Vec<Record>,
    count: usize,
    width: usize,
    scan: Option<HeaderScan>,
    header: Option<Record>,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            sampled: Vec::new(),
            count: 0,
            width: 0,
            scan: Some(HeaderScan::default()),
            header: None,
        }
    }
}

impl Head {
    pub fn add(&mut self, r: &Record) {
        if self.count < HEAD {
            self.sampled.push(r.clone());
        }
        self.count += 1;
        self.width = self.width.max(r.cells.len());
        if let Some(found) = self.scan.as_mut().and_then(|s| s.add(r)) {
            self.header = found.header;
            self.scan = None;
        }
    }

    /// The header, once every record has been added.
    fn finish(&mut self) {
        if let Some(found) = self.scan.take().and_then(HeaderScan::finish) {
            self.header = found.header;
        }
    }
}

/// Detects the layout of a table; `card_account` says the account is a credit card.
pub fn detect(
    table: &mut impl Table,
    mapping: Mapping,
    card_account: bool,
) -> Result<(Mapping, LayoutFindings), ImportError> {
    let mut head = Head::default();
    table.each(|r| {
        head.add(r);
        Ok::<_, ImportError>(())
    })?;
    detect_after(table, head, mapping, card_account)
}

/// [`detect`] with its first pass already made (`head`, over the same records).
pub fn detect_after(
    table: &mut impl Table,
    mut head: Head,
    mut mapping: Mapping,
    card_account: bool,
) -> Result<(Mapping, LayoutFindings), ImportError> {
    let mut findings = LayoutFindings::default();
    head.finish();
    let Head {
        mut sampled,
        count,
        width,
        header,
        ..
    } = head;
    // Second pass, on a long table: the rest of the sample. Column roles are judged on it; the
    // date order and the decimal mark on every line.
    if count > HEAD {
        let step = if count <= HEAD + SPREAD {
            1
        } else {
            ((count - HEAD) / SPREAD).max(1)
        };
        let mut i = 0usize;
        table.each(|r| {
            if i >= HEAD && (i - HEAD) % step == 0 {
                sampled.push(r.clone());
            }
            i += 1;
            Ok::<_, ImportError>(())
        })?;
    }
    let data: Vec<&Record> = sampled.iter().filter(|r| is_data(r)).collect();
    let Some(first) = data.first() else {
        return Err(ImportError::NoTransactions(
            "no line holds both a date and an amount.".into(),
        ));
    };
    mapping.has_header = header.is_some();
    mapping.skip_rows = header.as_ref().map_or(first.line, |h| h.line) - 1;
    let names: Vec<String> = (0..width)
        .map(|i| {
            header
                .as_ref()
                .map(|h| h.cell(i).to_string())
                .unwrap_or_default()
        })
        .collect();
    let all: Vec<Stats> = (0..width).map(|i| stats(&data, i)).collect();

    // Date column: the best-named column whose content is dates, else the first date column.
    let date_col = (0..width)
        .filter(|i| all[*i].date_col())
        .filter_map(|i| columns::date_score(&names[i]).map(|s| (s, i)))
        .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)))
        .map(|(_, i)| i)
        .or_else(|| (0..width).find(|i| all[*i].date_col()))
        .ok_or_else(|| ImportError::ColumnNotFound {
            what: "date".into(),
            headers: names.clone(),
        })?;
    mapping.date_column = Some(date_col);

    let usable = |i: usize| i != date_col && all[i].amount_col();
    let named_amount = (0..width)
        .filter(|i| usable(*i))
        .filter_map(|i| columns::amount_score(&names[i]).map(|s| (s, i)))
        .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)))
        .map(|(_, i)| i);
    let side = |want: Side| {
        (0..width).find(|i| {
            (*i != date_col && all[*i].filled == 0 || usable(*i))
                && columns::debit_credit(&names[*i]) == Some(want)
        })
    };
    let (debit, credit) = (side(Side::Debit), side(Side::Credit));
    let mut amount_cols = match (named_amount, debit, credit) {
        (Some(a), _, _) => AmountColumns::Single { column: a },
        (None, Some(d), Some(c)) => AmountColumns::DebitCredit {
            debit: d,
            credit: c,
        },
        (None, Some(one), None) | (None, None, Some(one)) if usable(one) => {
            AmountColumns::Single { column: one }
        }
        _ => by_content(&data, &all, &names, date_col, width).ok_or_else(|| {
            ImportError::ColumnNotFound {
                what: "amount".into(),
                headers: names.clone(),
            }
        })?,
    };

    let mut used = vec![date_col];
    match &amount_cols {
        AmountColumns::Single { column } => used.push(*column),
        AmountColumns::DebitCredit { debit, credit } => used.extend([*debit, *credit]),
        AmountColumns::Direction { .. } => {}
    }
    if let AmountColumns::Single { column } = amount_cols {
        if let Some(dir) = direction(&data, &all, &names, column, &used, width) {
            used.push(dir.0);
            amount_cols = AmountColumns::Direction {
                column,
                direction: dir.0,
                outflow_values: dir.1,
                inflow_values: dir.2,
            };
        } else if all[column].negatives == 0 && columns::is_purchase_total(&names[column]) {
            mapping.invert_sign = true;
            findings.sign = Some(SignFinding {
                inverted: true,
                basis: "purchase_total".into(),
                message: format!(
                    "'{}' lists purchases as positive numbers: every sign is flipped.",
                    names[column]
                ),
            });
        }
    }

    if let AmountColumns::Single { .. } = amount_cols {
        mapping.fee_column = exporters::fee_column(&names);
    }

    let numeric: Vec<usize> = (0..width).filter(|i| all[*i].amount_col()).collect();
    // Currency: a column of ISO codes (named, or by content), preferring the one after the amount.
    let amount_at = match &amount_cols {
        AmountColumns::Single { column } | AmountColumns::Direction { column, .. } => *column,
        AmountColumns::DebitCredit { debit, .. } => *debit,
    };
    let iso_col = |i: &usize| {
        all[*i].iso > 0
            && all[*i].iso == all[*i].filled
            && !columns::names_another_currency(&names[*i])
    };
    let mut currency_cols: Vec<usize> = (0..width).filter(iso_col).collect();
    currency_cols.sort_by_key(|i| {
        (
            !columns::is_currency_header(&names[*i]),
            *i <= amount_at,
            i.abs_diff(amount_at),
        )
    });
    mapping.currency_column = currency_cols.first().copied();
    used.extend(mapping.currency_column);
    if let Some((column, kinds)) = record_types(&data, &names, &used, width) {
        used.push(column);
        mapping.record_type_column = Some(column);
        mapping.transaction_record_types = kinds;
    }

    mapping.amount = Some(amount_cols);

    // Text columns.
    let payee = (0..width)
        .filter(|i| !used.contains(i) && all[*i].filled > 0 && all[*i].amounts < all[*i].filled)
        .filter_map(|i| columns::payee_score(&names[i]).map(|s| (s, i)))
        .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)))
        .map(|(_, i)| i);
    mapping.payee_column = payee;
    let text_col = |i: &usize| {
        !used.contains(i)
            && Some(*i) != payee
            && all[*i].filled > 0
            && all[*i].amounts * 2 < all[*i].filled
            && all[*i].dates * 2 < all[*i].filled
    };
    let description = (0..width)
        .filter(text_col)
        .filter_map(|i| columns::description_score(&names[i]).map(|s| (s, i)))
        .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)))
        .map(|(_, i)| i)
        .or_else(|| {
            // No name says it: the column with the most text.
            (0..width)
                .filter(text_col)
                .filter(|i| mapping.has_header || all[*i].iso < all[*i].filled)
                .filter(|i| !mapping.has_header || columns::payee_score(&names[*i]).is_none())
                .max_by_key(|i| (all[*i].text_len, std::cmp::Reverse(*i)))
        });
    // The payee is kept apart (as the merchant); it stands in as the description only where
    // the file has no other text.
    mapping.description_columns = description.or(payee).into_iter().collect();
    mapping.memo_column = (0..width)
        .filter(|i| text_col(i) && Some(*i) != description)
        .find(|i| columns::is_memo(&names[*i]));
    mapping.category_column = (0..width)
        .filter(|i| !used.contains(i) && all[*i].filled > 0)
        .find(|i| columns::is_category(&names[*i]));
    mapping.account_column = (0..width)
        .filter(|i| text_col(i) && Some(*i) != description && Some(*i) != mapping.memo_column)
        .filter(|i| Some(*i) != mapping.category_column)
        .find(|i| columns::is_account_name(&names[*i]));
    if findings.sign.is_none() {
        findings.sign = sign_convention(&data, &mapping, &names, card_account);
        mapping.invert_sign = findings.sign.as_ref().is_some_and(|s| s.inverted);
    }

    // A pass over every line: the decimal mark from every amount-like cell of every numeric
    // column, then the date order from the dates, a known exporter, or asked (left open in the
    // mapping).
    let skip = mapping.skip_rows;
    let mut separators = amount::SeparatorVotes::default();
    let other_column = (0..width)
        .filter(|i| *i != date_col && all[*i].date_col())
        .find_map(|c| {
            let values = data.iter().map(|r| r.cell(c)).filter(|d| !d.is_empty());
            date::decide_order(values, DateOrder::Dmy)
                .filter(|f| f.basis == DateOrderBasis::Content)
                .filter(|f| matches!(f.order, DateOrder::Dmy | DateOrder::Mdy))
                .map(|f| (names[c].clone(), f.order))
        });
    let mut dates = DateEvidence {
        other_column,
        ..DateEvidence::default()
    };
    table.each(|r| {
        if r.line > skip {
            numeric.iter().for_each(|i| separators.add(r.cell(*i)));
            dates.add(r, &mapping);
        }
        Ok::<_, ImportError>(())
    })?;
    let (dec, thousands) = separators.decide();
    mapping.decimal_separator = Some(dec);
    mapping.thousands_separator = thousands;
    findings.date_order = dates.decide(&mapping, &names);
    mapping.date_order = findings
        .date_order
        .as_ref()
        .filter(|f| f.basis != DateOrderBasis::Ask)
        .map(|f| f.order);
    Ok((mapping, findings))
}

/// A row of the table that is a transaction by its record type (when the file has one).
fn is_transaction(r: &Record, mapping: &Mapping) -> bool {
    mapping.record_type_column.is_none_or(|c| {
        mapping
            .transaction_record_types
            .iter()
            .any(|t| t.trim() == r.cell(c))
    })
}

/// What the lines say about the order the dates are written in, gathered one line at a time
/// (lines of transactions only, when the file has record types).
#[derive(Default)]
struct DateEvidence {
    dollars: bool,
    usd: bool,
    dotted: bool,
    votes: date::OrderVotes,
    /// Another date column (a purchase date beside the booking date) and the one order, day or
    /// month first, its dates read in (decided on the detection's sample of rows).
    other_column: Option<(String, DateOrder)>,
}

impl DateEvidence {
    fn add(&mut self, r: &Record, mapping: &Mapping) {
        let Some(date_col) = mapping.date_column else {
            return;
        };
        if !is_transaction(r, mapping) {
            return;
        }
        let amount_cells: &[usize] = match &mapping.amount {
            Some(AmountColumns::Single { column } | AmountColumns::Direction { column, .. }) => {
                std::slice::from_ref(column)
            }
            Some(AmountColumns::DebitCredit { debit, credit }) => &[*debit, *credit],
            None => &[],
        };
        self.dollars = self.dollars || amount_cells.iter().any(|c| r.cell(*c).contains('$'));
        self.usd = self.usd
            || mapping
                .currency_column
                .is_some_and(|c| r.cell(c).eq_ignore_ascii_case("USD"));
        let d = r.cell(date_col);
        self.dotted =
            self.dotted || (d.trim().trim_end_matches('.').contains('.') && date::is_date(d));
        self.votes.add(d);
    }

    /// The order the dates are written in: what the dates themselves say, else what a known
    /// exporter's header says, else a question (with the locale's likely order shown meanwhile:
    /// month first for amounts in dollars with a decimal point).
    fn decide(&self, mapping: &Mapping, names: &[String]) -> Option<DateOrderFinding> {
        mapping.date_column?;
        let point = mapping.decimal_separator != Some(DecimalSeparator::Comma);
        let prefer = if point && (self.dollars || self.usd) {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        };
        let dotted = self.dotted;
        let mut finding = self.votes.decide(prefer)?;
        if finding.basis == DateOrderBasis::Content {
            return Some(finding);
        }
        // Day or month first, as another date column (a purchase date beside the booking date)
        // says without doubt: an export writes its dates alike.
        let other = self
            .other_column
            .as_ref()
            .filter(|(_, order)| finding.candidates.contains(order));
        if let Some((column, order)) = other {
            finding.order = *order;
            finding.basis = DateOrderBasis::OtherDateColumn;
            finding.message = format!(
                "Every date reads both ways; the file's '{column}' column reads only as {}, and \
                 an export writes its dates alike.",
                order.label()
            );
            return Some(finding);
        }
        // A known exporter's header says how its dates are written: a fact, where the file's
        // order and the period its dates span are guesses (two rows of a Mint export a few
        // months apart span fewer days read day first).
        if let Some((name, order)) =
            exporters::date_order(names).filter(|(_, order)| finding.candidates.contains(order))
        {
            finding.order = order;
            finding.basis = DateOrderBasis::Exporter;
            finding.exporter = Some(name.to_string());
            finding.message = format!(
                "Every date reads both ways; the header is {name}'s export, which writes {}.",
                order.label()
            );
        } else if finding.basis != DateOrderBasis::Ask {
            return Some(finding);
        } else if (dotted || !point) && finding.candidates.contains(&DateOrder::Dmy) {
            finding.order = DateOrder::Dmy;
            finding.basis = DateOrderBasis::Convention;
            finding.message = format!(
                "Every date reads both ways; {} written day first wherever that is the custom.",
                if dotted {
                    "dates with dots are"
                } else {
                    "amounts with a decimal comma come from countries whose dates are"
                }
            );
        }
        Some(finding)
    }
}

/// A one-cell line (a section marker such as `Posted Transactions`) that lost its line break
/// joins the next row's first cell: `Posted Transactions"11/13/2020`. The row is the bank's, so
/// its date is read after the quote, when the words before it hold no digit.
fn date_after_a_marker(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let (marker, date) = text.rsplit_once('"')?;
    if marker.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    date::parse(date, order)
}

/// A column of short codes saying what kind of line each is, where balance lines carry other
/// codes than transactions: (column, the codes of transactions). Evidence is needed besides
/// the codes: balance wording on lines whose code is not the usual one, or a header naming a
/// record type. A code only seen before the first or after the last usual line (an opening,
/// turnover or closing line without wording) is not a transaction's either.
fn record_types(
    data: &[&Record],
    names: &[String],
    used: &[usize],
    width: usize,
) -> Option<(usize, Vec<String>)> {
    let worded: Vec<bool> = data.iter().map(|r| is_summary_row(r, None)).collect();
    let mut best: Option<(usize, Vec<String>)> = None;
    for i in (0..width).filter(|i| !used.contains(i)) {
        let values: Vec<&str> = data.iter().map(|r| r.cell(i)).collect();
        let code = |v: &&str| !v.is_empty() && v.len() <= 4 && v.chars().all(char::is_alphanumeric);
        if !values.iter().all(code) {
            continue;
        }
        let mut distinct = values.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if !(2..=8).contains(&distinct.len()) {
            continue;
        }
        let on_worded: Vec<&str> = values
            .iter()
            .zip(&worded)
            .filter(|(_, w)| **w)
            .map(|(v, _)| *v)
            .collect();
        // The transactions' code: the most common one on lines without balance wording.
        let count = |v: &str| {
            values
                .iter()
                .zip(&worded)
                .filter(|(x, w)| **x == v && !**w)
                .count()
        };
        let Some(usual) = distinct.iter().copied().max_by_key(|v| count(v)) else {
            continue;
        };
        let named = columns::is_record_type(&names[i]);
        let evidence = if on_worded.is_empty() {
            named && count(usual) * 2 >= values.len()
        } else {
            !on_worded.contains(&usual)
        };
        if count(usual) == 0 || !evidence {
            continue;
        }
        let first = values.iter().position(|v| *v == usual)?;
        let last = values.iter().rposition(|v| *v == usual)?;
        let transactions: Vec<String> = distinct
            .iter()
            .filter(|v| {
                **v == usual
                    || (!on_worded.contains(v) && values[first..last].iter().any(|x| x == *v))
            })
            .map(|v| v.to_string())
            .collect();
        if transactions.len() < distinct.len()
            && best
                .as_ref()
                .is_none_or(|(_, t)| transactions.len() < t.len())
        {
            best = Some((i, transactions));
        }
    }
    best
}

/// Which way round the amounts of one signed column are. A file whose payment and credit lines
/// ("PAYMENT - THANK YOU", refunds) are all negative while its other lines are mostly positive
/// lists purchases as positive numbers: its signs are flipped. A card account's file (or one
/// whose header names a card) without such lines but with mostly positive amounts is read the
/// same way. Other files keep their signs.
fn sign_convention(
    data: &[&Record],
    mapping: &Mapping,
    names: &[String],
    card_account: bool,
) -> Option<SignFinding> {
    let Some(AmountColumns::Single { column }) = mapping.amount else {
        return None;
    };
    let card = card_account || names.iter().any(|n| columns::is_card_header(n));
    let texts: Vec<usize> = mapping
        .description_columns
        .iter()
        .copied()
        .chain(mapping.payee_column)
        .chain(mapping.category_column)
        .chain(mapping.memo_column)
        .collect();
    // (negative, positive) amounts of payment/credit lines and of the others
    let (mut credits, mut others) = ((0usize, 0usize), (0usize, 0usize));
    let mut example = None;
    for r in data {
        let cell = r.cell(column);
        if cell.is_empty() || !amount_like(cell) {
            continue;
        }
        let negative = amount::is_negative(cell);
        let credit_text = texts
            .iter()
            .map(|c| r.cell(*c))
            .find(|t| columns::is_card_credit(t));
        let side = if let Some(text) = credit_text {
            example.get_or_insert_with(|| text.to_string());
            &mut credits
        } else {
            &mut others
        };
        if negative {
            side.0 += 1;
        } else {
            side.1 += 1;
        }
    }
    let mostly_positive = |(neg, pos): (usize, usize)| pos > 0 && pos * 5 >= (neg + pos) * 4;
    let n_credits = credits.0 + credits.1;
    let example = example.unwrap_or_default();
    if n_credits > 0 && credits.1 == 0 && mostly_positive(others) && (card || others.1 >= 3) {
        return Some(SignFinding {
            inverted: true,
            basis: "payment_wording".into(),
            message: format!(
                "The {n_credits} payment or credit line{} (such as '{example}') {} negative and the other lines positive: this file lists purchases as positive numbers, so every sign is flipped.",
                if n_credits == 1 { "" } else { "s" },
                if n_credits == 1 { "is" } else { "are" },
            ),
        });
    }
    if !card {
        return None;
    }
    if n_credits > 0 && credits.0 == 0 {
        return Some(SignFinding {
            inverted: false,
            basis: "payment_wording".into(),
            message: format!(
                "Payments and credits (such as '{example}') are positive: amounts are taken as written, purchases negative."
            ),
        });
    }
    if n_credits == 0 && mostly_positive(others) {
        let total = others.0 + others.1;
        return Some(SignFinding {
            inverted: true,
            basis: "card_account".into(),
            message: format!(
                "A card's statement with {} of its {total} amounts positive and no payment lines: purchases are listed as positive numbers, so every sign is flipped.",
                others.1
            ),
        });
    }
    None
}

/// No header names the amount: the numeric columns decide. Two columns that are never filled
/// on the same line are money out and money in (the more often filled one is money out: most
/// statement lines are spending). An unsigned column followed by an always-empty column, in a
/// file without names, is read the same way.
fn by_content(
    data: &[&Record],
    all: &[Stats],
    names: &[String],
    date_col: usize,
    width: usize,
) -> Option<AmountColumns> {
    // A file of daily balances (`Datum, Boeksaldo, Valutair saldo`) has no amount column.
    let numeric: Vec<usize> = (0..width)
        .filter(|i| *i != date_col && all[*i].amount_col())
        .filter(|i| {
            !names
                .get(*i)
                .is_some_and(|n| columns::names_another_number(n))
        })
        .collect();
    // Money out and money in side by side, never both on a row; some banks write the side a row
    // does not use as `0` or `0.00` rather than leaving it empty (SunTrust).
    let unused = |r: &Record, c: usize| {
        r.cell(c)
            .chars()
            .all(|ch| matches!(ch, '0' | '.' | ',' | ' ' | '-' | '+'))
    };
    let used = |c: usize| data.iter().filter(|r| !unused(r, c)).count();
    for (k, &a) in numeric.iter().enumerate() {
        for &b in &numeric[k + 1..] {
            let both = data
                .iter()
                .filter(|r| !unused(r, a) && !unused(r, b))
                .count();
            if both == 0 && b == a + 1 && used(a) > 0 && used(b) > 0 {
                let (debit, credit) = if used(b) > used(a) { (b, a) } else { (a, b) };
                return Some(AmountColumns::DebitCredit { debit, credit });
            }
        }
    }
    let best = numeric.iter().copied().max_by_key(|i| {
        (
            all[*i].filled,
            all[*i].negatives > 0,
            all[*i].decimals,
            std::cmp::Reverse(*i),
        )
    })?;
    let next = best + 1;
    let next_empty = next < width && data.iter().all(|r| r.cell(next).is_empty());
    let raw_next = data.iter().any(|r| r.cells.len() > next);
    if all[best].negatives == 0 && next_empty && raw_next && next < width - 1 {
        return Some(AmountColumns::DebitCredit {
            debit: best,
            credit: next,
        });
    }
    Some(AmountColumns::Single { column: best })
}

type Direction = (usize, Vec<String>, Vec<String>);

/// A column of direction flags next to an unsigned (or agreeing) amount.
fn direction(
    data: &[&Record],
    all: &[Stats],
    names: &[String],
    amount_col: usize,
    used: &[usize],
    width: usize,
) -> Option<Direction> {
    for i in 0..width {
        if used.contains(&i) || all[i].filled == 0 {
            continue;
        }
        let mut out: Vec<String> = Vec::new();
        let mut inn: Vec<String> = Vec::new();
        let mut ok = true;
        for r in data {
            let v = r.cell(i);
            if v.is_empty() {
                continue;
            }
            match columns::direction_token(v) {
                Some(Side::Debit) => {
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(v)) {
                        out.push(v.to_string());
                    }
                }
                Some(Side::Credit) => {
                    if !inn.iter().any(|o| o.eq_ignore_ascii_case(v)) {
                        inn.push(v.to_string());
                    }
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            continue;
        }
        let has_empty = all[i].filled < all[i].rows;
        let unsigned = all[amount_col].negatives == 0;
        // Every row one way (a file of purchases only): the header must say the column holds
        // directions and the flags be words (a lone `C` may be a card or a cleared mark); the
        // other direction is the same wording's opposite.
        let named = names
            .get(i)
            .is_some_and(|h| columns::is_direction_header(h))
            && out.iter().chain(&inn).all(|f| f.trim().chars().count() > 1);
        let opposites = |flags: &[String]| {
            let mut other: Vec<String> = Vec::new();
            for o in flags.iter().filter_map(|f| columns::opposite_flag(f)) {
                if !other.iter().any(|x| x == o) {
                    other.push(o.to_owned());
                }
            }
            other
        };
        match (out.is_empty(), inn.is_empty()) {
            (false, false) => return Some((i, out, inn)),
            (true, false) if has_empty && unsigned => return Some((i, vec![String::new()], inn)),
            (false, true) if has_empty && unsigned => return Some((i, out, vec![String::new()])),
            (true, false) if named && unsigned => return Some((i, opposites(&inn), inn)),
            (false, true) if named && unsigned => {
                let other = opposites(&out);
                return Some((i, out, other));
            }
            _ => {}
        }
    }
    None
}

fn check_columns(mapping: &Mapping, width: usize) -> Result<(), ImportError> {
    let mut wanted: Vec<(&str, usize)> = Vec::new();
    wanted.extend(mapping.date_column.map(|c| ("date", c)));
    match &mapping.amount {
        Some(AmountColumns::Single { column }) => wanted.push(("amount", *column)),
        Some(AmountColumns::DebitCredit { debit, credit }) => {
            wanted.push(("debit amount", *debit));
            wanted.push(("credit amount", *credit));
        }
        Some(AmountColumns::Direction {
            column, direction, ..
        }) => {
            wanted.push(("amount", *column));
            wanted.push(("direction", *direction));
        }
        None => {}
    }
    wanted.extend(
        mapping
            .description_columns
            .iter()
            .map(|c| ("description", *c)),
    );
    wanted.extend(mapping.payee_column.map(|c| ("payee", c)));
    wanted.extend(mapping.memo_column.map(|c| ("memo", c)));
    wanted.extend(mapping.category_column.map(|c| ("category", c)));
    wanted.extend(mapping.currency_column.map(|c| ("currency", c)));
    wanted.extend(mapping.account_column.map(|c| ("account", c)));
    wanted.extend(mapping.record_type_column.map(|c| ("record type", c)));
    wanted.extend(mapping.fee_column.map(|c| ("fee", c)));
    for (field, column) in wanted {
        if column >= width {
            return Err(ImportError::ColumnMissing {
                field: field.into(),
                column: column + 1,
                available: width,
            });
        }
    }
    if mapping.date_column.is_none() {
        return Err(ImportError::BadMapping("no date column is chosen.".into()));
    }
    if mapping.amount.is_none() {
        return Err(ImportError::BadMapping(
            "no amount column is chosen.".into(),
        ));
    }
    Ok(())
}

/// Applies a mapping (detected or given) to the table, handing each transaction and each
/// problem to `emit` in line order as it is read: nothing of the file is kept. `detected`: what
/// detection found, kept in the result.
pub fn extract<E: From<ImportError>>(
    table: &mut impl Table,
    mapping: Mapping,
    digits: u32,
    format: Format,
    encoding: String,
    detected: LayoutFindings,
    emit: &mut impl FnMut(Item) -> Result<(), E>,
) -> Result<Reading, E> {
    let skip = mapping.skip_rows;
    // With no order in the mapping, a first pass reads what the dates say (asked again when
    // nothing tells), and the width and the header with it. Otherwise they are gathered on the
    // pass over the rows, and the columns checked after it: the caller drops what an error
    // answers (a reading's items are never written before the reading has succeeded).
    let (mut width, mut header_record) = (0usize, None::<Record>);
    let undecided = mapping.date_order.is_none();
    let mut date_order = None;
    if undecided {
        let mut dates = DateEvidence::default();
        table.each(|r| {
            if r.line > skip {
                width = width.max(r.cells.len());
                if header_record.is_none() && mapping.has_header {
                    header_record = Some(r.clone());
                }
                dates.add(r, &mapping);
            }
            Ok::<_, ImportError>(())
        })?;
        check_columns(&mapping, width)?;
        date_order = dates.decide(&mapping, &headers_of(header_record.as_ref(), width));
    }
    let date_col = mapping.date_column.unwrap_or(0);
    let order = mapping
        .date_order
        .or(date_order.as_ref().map(|f| f.order))
        .unwrap_or(DateOrder::Ymd);
    let dec = mapping.decimal_separator.unwrap_or(DecimalSeparator::Point);
    let thousands = mapping.thousands_separator;
    let amount_spec = mapping.amount.clone().expect("checked");

    let mut emitted = false;
    let mut currencies: Vec<String> = Vec::new();
    let mut header_seen = !mapping.has_header;
    let mut pending_section: Option<String> = None;
    table.each(|record| {
        let r = record;
        if r.line <= skip {
            return Ok(());
        }
        if !undecided {
            width = width.max(r.cells.len());
        }
        if !header_seen {
            header_seen = true;
            if !undecided {
                header_record = Some(r.clone());
            }
            return Ok(());
        }
        if r.non_empty() == 0 {
            return Ok(());
        }
        if let Some(h) = &header_record {
            if r.cells == h.cells {
                return Ok(()); // the header repeated (page breaks, concatenated exports)
            }
        }
        let line = r.line;
        // A section of rows not booked yet (Schwab: `Pending Transactions` … `Posted
        // Transactions`): a one-cell heading of pending wording starts it, any other one-cell
        // heading ends it. A sentence ("Pending Transactions are not reflected within this sort
        // criterion.") is no heading.
        if r.non_empty() == 1 {
            let marker = r.cells.iter().map(|c| c.trim()).find(|c| !c.is_empty());
            let heading = |m: &&str| m.split_whitespace().count() <= 3 && !m.ends_with('.');
            if let Some(marker) = marker.filter(|m| heading(m) && !date::is_date(m) && !amount_like(m)) {
                pending_section = columns::is_pending(marker).then(|| marker.to_string());
            }
        }

        if let Some(why) = summary_line(r, &mapping) {
            emitted = true;
            return emit(Item::Problem(RowProblem {
                line,
                field: "summary".into(),
                text: why.0,
                message: format!(
                    "line {line}: {}, not a transaction; the line is not imported",
                    why.1
                ),
                skipped: true,
            }));
        }
        let date_text = r.cell(date_col);
        let amount = read_amount(r, &amount_spec, dec, thousands, digits).and_then(|(a, text)| {
            let sign = if mapping.invert_sign { -1 } else { 1 };
            let fee = match mapping.fee_column {
                Some(c) => amount::parse_to_store(r.cell(c), dec, thousands, digits)
                    .map_err(|why| ("fee", r.cell(c).to_string(), why))?,
                None => None,
            };
            Ok((a.map(|a| sign * a - fee.unwrap_or(0)), text))
        });
        let date = date::parse(date_text, order).or_else(|| date_after_a_marker(date_text, order));
        let problem = |field: &str, text: &str, message: String| RowProblem {
            line,
            field: field.into(),
            text: text.into(),
            message: format!("line {line}: {message}"),
            skipped: false,
        };
        let skipped = |field: &str, text: &str, message: String| RowProblem {
            skipped: true,
            ..problem(field, text, format!("{message}; the line is not imported"))
        };
        let unbooked = r.cells.iter().find_map(|c| {
            let status = c.trim();
            columns::unbooked_status(c).map(|why| {
                let why = match why {
                    Unbooked::Declined => format!("the payment is '{status}': it never went through"),
                    Unbooked::Noted => format!("it is '{status}': a pending transaction"),
                };
                (status, why)
            })
        });
        let item = match (date, amount) {
            (Some(_), Ok((Some(_), _))) if pending_section.is_some() => {
                let section = pending_section.as_deref().unwrap_or_default();
                Item::Problem(skipped(
                    "status",
                    section,
                    format!("it is listed under '{section}': a pending transaction"),
                ))
            }
            (Some(_), Ok((Some(_), _))) if unbooked.is_some() => {
                let (status, why) = unbooked.unwrap_or_default();
                Item::Problem(skipped("status", status, why))
            }
            (Some(date), Ok((Some(minor), _))) => {
                let text = |c: usize| unescape_cell(r.cell(c));
                let cell =
                    |c: Option<usize>| c.map(text).filter(|s| !s.is_empty()).map(str::to_owned);
                let mut parts: Vec<&str> = Vec::new();
                for c in &mapping.description_columns {
                    let t = text(*c);
                    if !t.is_empty() && !parts.contains(&t) {
                        parts.push(t);
                    }
                }
                let payee = cell(mapping.payee_column);
                let description = if parts.is_empty() {
                    payee.clone().unwrap_or_default()
                } else {
                    parts.join(" | ")
                };
                let row_currency = mapping
                    .currency_column
                    .map(|c| r.cell(c).trim().to_ascii_uppercase())
                    .filter(|code| !code.is_empty());
                if let Some(code) = &row_currency {
                    if !currencies.contains(code) {
                        currencies.push(code.clone());
                    }
                }
                Item::Row(ParsedRow {
                    line,
                    date,
                    amount: minor,
                    description,
                    payee,
                    memo: cell(mapping.memo_column),
                    bank_category: cell(mapping.category_column),
                    external_id: None,
                    currency: row_currency,
                    account: cell(mapping.account_column),
                })
            }
            (None, Ok((Some(_), _)))
                if columns::is_summary_label(date_text)
                    || r.cells.iter().any(|c| columns::is_summary(c)) =>
            {
                Item::Problem(RowProblem {
                    skipped: true,
                    field: "summary".into(),
                    ..problem(
                        "date",
                        date_text,
                        format!("'{date_text}' is a balance or total line, not a transaction; the line is not imported"),
                    )
                })
            }
            // A booking date left empty until the bank books the row.
            (None, Ok((Some(_), _)))
                if date_text.is_empty() && r.cells.iter().any(|c| columns::is_pending(c)) =>
            {
                Item::Problem(skipped("date", "", "the date is empty: a pending transaction".into()))
            }
            (None, Ok((Some(_), _))) if date_text.is_empty() => {
                Item::Problem(problem("date", "", "the date is empty".into()))
            }
            (None, Ok((Some(_), _))) if columns::is_pending(date_text) => Item::Problem(skipped(
                "date",
                date_text,
                format!("'{date_text}' is not a date yet (a pending transaction)"),
            )),
            (None, Ok((Some(_), _))) => Item::Problem(problem(
                "date",
                date_text,
                format!("cannot read the date '{date_text}'"),
            )),
            (None, _) => return Ok(()), // neither a date nor an amount: not a transaction line
            (Some(_), Ok((None, text))) => {
                Item::Problem(skipped("amount", &text, "the amount is empty".into()))
            }
            (Some(_), Err((field, text, why))) => Item::Problem(problem(
                field,
                &text,
                if field == "direction" {
                    format!("cannot tell whether '{text}' means money in or out")
                } else if field == "fee" {
                    format!("cannot read the fee '{text}' ({why})")
                } else {
                    format!("cannot read the amount '{text}' ({why})")
                },
            )),
        };
        emitted = true;
        emit(item)
    })?;
    check_columns(&mapping, width)?;
    let header = header_record.as_ref();
    let headers = headers_of(header, width);
    if !emitted {
        return Err(E::from(ImportError::NoTransactions(
            "no line holds both a date and an amount.".into(),
        )));
    }
    let mut currency = if currencies.len() == 1 {
        currencies.pop()
    } else {
        None
    };
    if currency.is_none() {
        let named =
            |column: usize| header.and_then(|h| columns::currency_in_header(h.cell(column)));
        currency = match &mapping.amount {
            Some(AmountColumns::Single { column } | AmountColumns::Direction { column, .. }) => {
                named(*column)
            }
            // `Withdrawals (SGD)`, `Deposits (SGD)`: both must agree when both say.
            Some(AmountColumns::DebitCredit { debit, credit }) => {
                match (named(*debit), named(*credit)) {
                    (Some(d), Some(c)) => (d == c).then_some(d),
                    (d, c) => d.or(c),
                }
            }
            None => None,
        };
    }
    let findings = LayoutFindings {
        date_order: detected.date_order.or(date_order),
        ..detected
    };
    Ok(Reading::of(
        format, mapping, encoding, currency, headers, findings,
    ))
}

/// The column names: the header's, `Column N` where it names none.
fn headers_of(header: Option<&Record>, width: usize) -> Vec<String> {
    (0..width)
        .map(|i| match header.map(|h| h.cell(i)) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => format!("Column {}", i + 1),
        })
        .collect()
}

/// Why a row is a balance, turnover or total line rather than a transaction: (the text that
/// says so, a phrase for the user).
fn summary_line(r: &Record, mapping: &Mapping) -> Option<(String, String)> {
    let wording = || {
        r.cells
            .iter()
            .find(|c| columns::is_summary(c))
            .map(|c| unescape_cell(c).to_string())
    };
    if let Some(column) = mapping.record_type_column {
        if !is_transaction(r, mapping) {
            let code = r.cell(column).to_string();
            let what = match wording() {
                Some(text) => format!("record type '{code}' ('{text}')"),
                None => format!(
                    "record type '{code}' (transactions are {})",
                    mapping.transaction_record_types.join(", ")
                ),
            };
            return Some((code, format!("a balance or summary line by its {what}")));
        }
    }
    if is_summary_row(r, mapping.payee_column) {
        let text = wording().unwrap_or_default();
        return Some((text.clone(), format!("a balance or total line ('{text}')")));
    }
    None
}

/// A balance, turnover or total line. A one-word label ("Total", "Saldo") only counts outside
/// the payee column and when the payee is empty, so a merchant named TOTAL stays a transaction.
fn is_summary_row(r: &Record, payee: Option<usize>) -> bool {
    let payee_empty = payee.is_none_or(|p| r.cell(p).is_empty());
    r.cells.iter().enumerate().any(|(i, c)| {
        columns::is_summary(c) && (c.trim().contains(' ') || (Some(i) != payee && payee_empty))
    })
}

type AmountError = (&'static str, String, String);

/// The amount of a line: `Ok((None, text))` when the amount cells are empty.
fn read_amount(
    r: &Record,
    spec: &AmountColumns,
    dec: DecimalSeparator,
    thousands: Option<char>,
    digits: u32,
) -> Result<(Option<i64>, String), AmountError> {
    let read = |c: usize| {
        let t = r.cell(c);
        amount::parse_to_store(t, dec, thousands, digits)
            .map_err(|why| ("amount", t.to_string(), why))
    };
    match spec {
        AmountColumns::Single { column } => Ok((read(*column)?, r.cell(*column).to_string())),
        AmountColumns::DebitCredit { debit, credit } => {
            let d = read(*debit)?;
            let c = read(*credit)?;
            let text = format!("{}{}", r.cell(*debit), r.cell(*credit));
            Ok(match (d, c) {
                (None, None) => (None, text),
                (d, c) => (Some(c.map_or(0, i64::abs) - d.map_or(0, i64::abs)), text),
            })
        }
        AmountColumns::Direction {
            column,
            direction,
            outflow_values,
            inflow_values,
        } => {
            let Some(v) = read(*column)? else {
                return Ok((None, r.cell(*column).to_string()));
            };
            let flag = r.cell(*direction).trim();
            let is = |list: &Vec<String>| list.iter().any(|x| x.trim().eq_ignore_ascii_case(flag));
            let signed = if is(outflow_values) {
                -v.abs()
            } else if is(inflow_values) {
                v.abs()
            } else {
                return Err(("direction", flag.to_string(), String::new()));
            };
            Ok((Some(signed), r.cell(*column).to_string()))
        }
    }
}
