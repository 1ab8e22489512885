//! Spreadsheets (xlsx, xls, ods) → records, read with calamine, then the same detection as
//! delimited text.
//!
//! Safety: a zip container (xlsx, ods) is checked before calamine opens it: at most
//! `MAX_ENTRIES` entries, at most `MAX_UNPACKED` bytes declared uncompressed in total, and no
//! entry packed more than `MAX_RATIO` times (zip bombs). Sheets beyond `MAX_ROWS` rows or
//! `MAX_CELLS` cells are refused.
//!
//! Numbers: a spreadsheet stores numbers as IEEE doubles; a cell is turned into its shortest
//! decimal text (what the sheet shows, `12.34`) and read from there with integer arithmetic.

use super::table::{self, Record};
use super::{Format, ImportError, Item, LayoutFindings, Mapping, ParseOptions, Reading};
use calamine::{Data, Reader};
use std::io::Cursor;

const MAX_ENTRIES: usize = 5_000;
const MAX_UNPACKED: u64 = 200 * 1024 * 1024;
const MAX_RATIO: u64 = 200;
const MAX_ROWS: usize = 100_000;
const MAX_CELLS: usize = 5_000_000;

fn check_zip(bytes: &[u8]) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ImportError::Spreadsheet(format!("the file is not a valid zip container ({e})."))
    })?;
    if zip.len() > MAX_ENTRIES {
        return Err(ImportError::TooLarge(format!(
            "it holds {} parts (at most {MAX_ENTRIES}).",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ImportError::Spreadsheet(format!("a part cannot be read ({e}).")))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if size > 1024 * 1024 && size / packed.max(1) > MAX_RATIO {
            return Err(ImportError::TooLarge(format!(
                "the part '{}' unpacks {}-fold, like a zip bomb.",
                entry.name().unwrap_or_default(),
                size / packed.max(1)
            )));
        }
    }
    if total > MAX_UNPACKED {
        return Err(ImportError::TooLarge(format!(
            "it unpacks to {} MiB (at most {} MiB).",
            total / (1024 * 1024),
            MAX_UNPACKED / (1024 * 1024)
        )));
    }
    Ok(())
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|t| t.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

pub fn read<E: From<ImportError>>(
    bytes: &[u8],
    options: &ParseOptions,
    emit: &mut impl FnMut(Item) -> Result<(), E>,
) -> Result<Reading, E> {
    let (mut records, mapping, detected) = sheet(bytes, options)?;
    table::extract(
        &mut records,
        mapping,
        options.minor_unit_digits,
        Format::Excel,
        "UTF-8".into(),
        detected,
        emit,
    )
}

/// The first sheet holding data (or the mapping's) as records, with the mapping to read them.
fn sheet(
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<(Vec<Record>, Mapping, LayoutFindings), ImportError> {
    let given = options.mapping;
    if bytes.starts_with(b"PK") {
        check_zip(bytes)?;
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
    let names = book.sheet_names();
    let wanted = given.and_then(|m| m.sheet.clone());
    if let Some(w) = &wanted {
        if !names.contains(w) {
            return Err(ImportError::BadMapping(format!(
                "the spreadsheet has no sheet named '{w}' (it has: {}).",
                names.join(", ")
            )));
        }
    }
    let mut last_error = None;
    for name in names
        .iter()
        .filter(|n| wanted.as_ref().is_none_or(|w| w == *n))
    {
        let range = book
            .worksheet_range(name)
            .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
        let (rows, cols) = range.get_size();
        if cols > options.limits.max_columns {
            return Err(ImportError::Limit {
                line: range.start().map_or(1, |(r, _)| r as usize + 1),
                message: format!(
                    "the sheet '{name}' has {cols} columns; at most {} are read (DHANA_IMPORT_MAX_COLUMNS)",
                    options.limits.max_columns
                ),
            });
        }
        if rows > MAX_ROWS || rows.saturating_mul(cols) > MAX_CELLS {
            return Err(ImportError::TooLarge(format!(
                "the sheet '{name}' has {rows} rows and {cols} columns."
            )));
        }
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let mut records: Vec<Record> = range
            .rows()
            .enumerate()
            .map(|(i, row)| Record {
                line: first_row + i + 1,
                cells: std::iter::repeat_n(String::new(), first_col)
                    .chain(row.iter().map(cell_text))
                    .collect(),
            })
            .collect();
        let base = Mapping {
            sheet: Some(name.clone()),
            ..Mapping::default()
        };
        let (mapping, detected) = match given {
            Some(m) => (
                Mapping {
                    sheet: Some(name.clone()),
                    ..m.clone()
                },
                LayoutFindings::default(),
            ),
            None => match table::detect(&mut records, base, options.card_account) {
                Ok(found) => found,
                Err(e) => {
                    last_error = Some(e);
                    continue;
                }
            },
        };
        return Ok((records, mapping, detected));
    }
    Err(last_error.unwrap_or_else(|| {
        ImportError::NoTransactions("the spreadsheet has no sheet with data.".into())
    }))
}
