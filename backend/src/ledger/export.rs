//! Transactions as CSV for spreadsheets and scripts. Text cells that a spreadsheet would run as a
//! formula are escaped; the importer undoes exactly that escape, so an export re-imports as it
//! was.

use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::transactions::{self, Resolved};
use crate::money::format_minor;

/// Characters that make a spreadsheet treat a cell as a formula (OWASP's list).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Prefixes a would-be formula with `'`, which spreadsheets show as text.
pub fn escape_cell(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The inverse of `escape_cell`, applied to cells read from imported delimited files.
pub fn unescape_cell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

/// One CSV field: quoted when it holds a delimiter, quote or line break.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

const HEADER: &[&str] = &[
    "Date",
    "Amount",
    "Currency",
    "Description",
    "Merchant",
    "Category",
    "Account",
    "Notes",
    "Transfer",
];

struct ExportRow<'a> {
    pub date: chrono::NaiveDate,
    pub amount: i64,
    pub currency: &'a str,
    pub description: &'a str,
    pub merchant: Option<&'a str>,
    pub category: Option<&'a str>,
    pub account: &'a str,
    pub notes: Option<&'a str>,
    pub is_transfer: bool,
}

fn write_header(out: &mut String) {
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
}

fn write_row(out: &mut String, row: &ExportRow) {
    let text = |v: Option<&str>| field(&escape_cell(v.unwrap_or_default()));
    let cells = [
        row.date.to_string(),
        format_minor(row.amount, row.currency),
        row.currency.to_owned(),
        text(Some(row.description)),
        text(row.merchant),
        text(row.category),
        text(Some(row.account)),
        text(row.notes),
        if row.is_transfer { "yes" } else { "" }.to_owned(),
    ];
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// The CSV of every transaction matching `filter`, oldest first: the transaction export and the
/// CSV report both.
pub fn csv(conn: &mut DbConn, user_id: i64, filter: &Resolved) -> Result<String, ApiError> {
    let rows = transactions::all_matching(conn, user_id, filter)?;
    let mut out = String::new();
    write_header(&mut out);
    for t in &rows {
        write_row(
            &mut out,
            &ExportRow {
                date: t.date,
                amount: t.amount,
                currency: &t.currency,
                description: &t.description,
                merchant: t.merchant.as_deref(),
                category: t.category.as_deref(),
                account: &t.account,
                notes: t.notes.as_deref(),
                is_transfer: t.is_transfer,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for value in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx"] {
            let escaped = escape_cell(value);
            assert!(escaped.starts_with('\''), "{value}");
            assert_eq!(unescape_cell(&escaped), value);
        }
        assert_eq!(escape_cell("Coffee"), "Coffee");
        assert_eq!(unescape_cell("'quoted on purpose"), "'quoted on purpose");
    }

    #[test]
    fn rows_are_valid_csv() {
        let mut out = String::new();
        write_header(&mut out);
        write_row(
            &mut out,
            &ExportRow {
                date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                amount: -123456,
                currency: "EUR",
                description: "Café \"Le Bon\", Paris",
                merchant: None,
                category: Some("Dining"),
                account: "Checking",
                notes: Some("=1+1"),
                is_transfer: false,
            },
        );
        assert_eq!(
            out.lines().nth(1).unwrap(),
            "2026-03-01,-1234.56,EUR,\"Café \"\"Le Bon\"\", Paris\",,Dining,Checking,'=1+1,"
        );
    }
}
