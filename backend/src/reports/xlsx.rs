//! The Excel workbook: a sheet per section of `tables`, the transactions on a sheet of their own
//! (written row by row in rust_xlsxwriter's constant-memory mode, so a 100,000-row year does not
//! sit in memory twice), and native charts. Text is always written as a string cell, so nothing
//! a bank wrote can run as a formula.

use std::collections::HashMap;

use rust_xlsxwriter::{Chart, ChartType, ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};

use super::tables::{self, Cell, Table, TRANSACTION_HEADERS};
use super::{accounts_line, Contents, Progress};
use crate::error::ApiError;
use crate::money::minor_unit_digits;

fn failed(e: XlsxError) -> ApiError {
    ApiError::Internal(format!("writing the workbook: {e}"))
}

/// Number formats per currency, made once each: `#,##0.00 "EUR"`.
struct Formats {
    money: HashMap<String, Format>,
    percent: Format,
    date: Format,
    header: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            money: HashMap::new(),
            percent: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            header: Format::new().set_bold(),
        }
    }

    /// Looked up by `&str` first: the workbook asks once per amount cell (100,000 in a big year),
    /// and an owned key would cost an allocation each time.
    fn money(&mut self, currency: &str) -> &Format {
        if !self.money.contains_key(currency) {
            let format = Self::money_format(currency);
            self.money.insert(currency.to_owned(), format);
        }
        &self.money[currency]
    }

    fn money_format(currency: &str) -> Format {
        let digits = minor_unit_digits(currency) as usize;
        let decimals = if digits == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(digits))
        };
        // Currency codes are three capital letters (checked when accounts are made).
        let code: String = currency.chars().filter(char::is_ascii_alphabetic).collect();
        Format::new().set_num_format(format!("#,##0{decimals} \"{code}\""))
    }
}

/// Minor units as the decimal number a spreadsheet computes with.
fn decimal(amount: i64, currency: &str) -> f64 {
    amount as f64 / 10f64.powi(minor_unit_digits(currency) as i32)
}

fn write_cell(
    sheet: &mut Worksheet,
    formats: &mut Formats,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => sheet.write_string(row, col, s.as_ref()).map(|_| ()),
        Cell::Money(amount, currency) => sheet
            .write_number_with_format(
                row,
                col,
                decimal(*amount, currency),
                formats.money(currency),
            )
            .map(|_| ()),
        Cell::Percent(Some(p)) => sheet
            .write_number_with_format(row, col, *p, &formats.percent)
            .map(|_| ()),
        Cell::Percent(None) => Ok(()),
        Cell::Date(d) => sheet
            .write_date_with_format(row, col, d, &formats.date)
            .map(|_| ()),
        Cell::Count(n) => sheet.write_number(row, col, *n as f64).map(|_| ()),
        Cell::Blank => Ok(()),
    }
}

fn write_headers(
    sheet: &mut Worksheet,
    formats: &Formats,
    headers: &[&str],
) -> Result<(), XlsxError> {
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as ColNum, *header, &formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A section as a sheet starting at A1, with its header frozen; returns the last row written.
fn write_table(
    sheet: &mut Worksheet,
    formats: &mut Formats,
    table: &Table,
) -> Result<RowNum, XlsxError> {
    sheet.set_name(table.title)?;
    write_headers(sheet, formats, &table.headers)?;
    for (r, row) in table.rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            write_cell(sheet, formats, r as RowNum + 1, col as ColNum, cell)?;
        }
    }
    for (col, header) in table.headers.iter().enumerate() {
        let widest = table
            .rows
            .iter()
            .map(|row| match &row[col] {
                Cell::Text(s) => s.chars().count(),
                _ => 14,
            })
            .chain([header.len()])
            .max()
            .unwrap_or(10);
        sheet.set_column_width(col as ColNum, widest.clamp(8, 50) as f64 + 2.0)?;
    }
    if let Some(note) = &table.note {
        sheet.write_string(table.rows.len() as RowNum + 2, 0, note)?;
    }
    Ok(table.rows.len() as RowNum)
}

/// Where `tables::transaction_row` puts the date and the amount.
const DATE_COLUMN: ColNum = 0;
const AMOUNT_COLUMN: ColNum = 5;

fn commonest_currency(contents: &Contents) -> Option<&str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for t in &contents.transactions {
        match counts.iter_mut().find(|(c, _)| *c == t.currency) {
            Some((_, n)) => *n += 1,
            None => counts.push((&t.currency, 1)),
        }
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(c, _)| c)
}

/// A chart of columns `values` (named by their headers) against the labels in column A.
fn chart(kind: ChartType, title: &str, table: &Table, last: RowNum, values: &[ColNum]) -> Chart {
    let mut chart = Chart::new(kind);
    chart.title().set_name(title);
    for col in values {
        chart
            .add_series()
            .set_name((table.title, 0, *col))
            .set_categories((table.title, 1, 0, last, 0))
            .set_values((table.title, 1, *col, last, *col));
    }
    chart
}

pub fn write(contents: &Contents, progress: Progress) -> Result<Vec<u8>, ApiError> {
    let mut book = Workbook::new();
    let mut formats = Formats::new();
    let summary = tables::summary(contents);
    let sheet = book.add_worksheet();
    write_table(sheet, &mut formats, &summary).map_err(failed)?;
    let d = &contents.summary.dashboard;
    let about = [
        format!("Dhana report for {}", contents.user.display_name),
        format!(
            "Period: {} ({} to {})",
            d.period.label, d.period.from, d.period.to
        ),
        format!("Compared with: {}", d.previous_period.label),
        format!("Accounts: {}", accounts_line(contents)),
        format!(
            "Amounts in {}; transfers between your accounts left out",
            d.currency
        ),
        format!(
            "Made {} UTC",
            contents.generated_at.format("%Y-%m-%d %H:%M")
        ),
    ];
    for (i, line) in about.iter().enumerate() {
        sheet
            .write_string(summary.rows.len() as RowNum + 2 + i as RowNum, 0, line)
            .map_err(failed)?;
    }

    let sheet = book.add_worksheet_with_constant_memory();
    sheet.set_name("Transactions").map_err(failed)?;
    write_headers(sheet, &formats, &TRANSACTION_HEADERS).map_err(failed)?;
    // Dates, and amounts in the commonest currency, are written without a format and take their
    // column's: rust_xlsxwriter hashes a cell's own format under a lock on every write, a tenth of
    // a 100,000-row workbook's time.
    let commonest = commonest_currency(contents);
    sheet
        .set_column_format(DATE_COLUMN, &formats.date)
        .map_err(failed)?;
    if let Some(currency) = commonest {
        sheet
            .set_column_format(AMOUNT_COLUMN, formats.money(currency))
            .map_err(failed)?;
    }
    let count = contents.transactions.len();
    let step = (count / 20).max(1);
    for i in 0..count {
        let row = i as RowNum + 1;
        for (col, cell) in tables::transaction_row(contents, i).iter().enumerate() {
            let col = col as ColNum;
            match cell {
                Cell::Date(d) => sheet.write_datetime(row, col, d).map(|_| ()),
                Cell::Money(amount, currency) if Some(*currency) == commonest => sheet
                    .write_number(row, col, decimal(*amount, currency))
                    .map(|_| ()),
                _ => write_cell(sheet, &mut formats, row, col, cell),
            }
            .map_err(failed)?;
        }
        if i % step == 0 {
            progress(40 + (50 * i / count.max(1)) as i32);
        }
    }
    sheet
        .autofilter(
            0,
            0,
            count as RowNum,
            TRANSACTION_HEADERS.len() as ColNum - 1,
        )
        .map_err(failed)?;
    for (col, width) in [12, 20, 40, 24, 20, 14, 9, 30].into_iter().enumerate() {
        sheet
            .set_column_width(col as ColNum, width)
            .map_err(failed)?;
    }

    for table in tables::sections(contents) {
        let sheet = book.add_worksheet();
        let last = write_table(sheet, &mut formats, &table).map_err(failed)?;
        let drawn = match table.title {
            "By category" => Some(chart(
                ChartType::Bar,
                "Spending by category",
                &table,
                last,
                &[1],
            )),
            "By month" => Some(chart(
                ChartType::Column,
                "Income and spending by month",
                &table,
                last,
                &[1, 2],
            )),
            _ => None,
        };
        if let Some(drawn) = drawn {
            sheet
                .insert_chart(1, table.headers.len() as ColNum + 1, &drawn)
                .map_err(failed)?;
        }
    }
    progress(95);
    book.save_to_buffer().map_err(failed)
}
