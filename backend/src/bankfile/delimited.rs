//! Delimited text (CSV, semicolon-, tab- or pipe-separated) → records.
//!
//! Engine choice, measured on this project's 2-core build machine: Polars (0.55, default
//! features off, only `csv`) builds clean in about 2 min 13 s, within budget, but it fights
//! messy bank files: a file with bare-CR line ends read as one row of 7 columns; a file with
//! junk lines before the header (ING's 12 metadata lines) failed with "found more fields than
//! defined in 'Schema'"; and it reports no source line numbers, which every row problem needs.
//! Detection must look at the raw records anyway, so the small `csv` crate (flexible records,
//! positions) splits them and `table` does the rest.

use super::encoding::Text;
use super::table::{self, Record};
use super::{wide, Format, ImportError, LayoutFindings, Limits, Mapping, ParseOptions, Parsed};

const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

/// CRLF, and bare CR (old Mac exports), become LF so that line numbers are right. Text that
/// has none is kept, not copied: a large file is then held once.
fn normalize_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Splits text into records; cells are trimmed, and quotes that follow a space (`a, "b"`)
/// are removed too. A row of more cells, or a cell of more bytes, than the limits is refused
/// with its line (a quote left open swallows the rest of the file into one cell).
pub fn split(text: &str, delimiter: char, limits: &Limits) -> Result<Vec<Record>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(text.as_bytes());
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |byte: usize| line_starts.partition_point(|s| *s <= byte);
    // at most one record per line: sized once, never regrown (and doubled) on large files
    let mut out = Vec::with_capacity(line_starts.len());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => continue,
        }
        let line = record.position().map_or(out.len() + 1, |p| {
            // the reader's position may sit on blank lines it skipped
            let mut b = p.byte() as usize;
            while text.as_bytes().get(b) == Some(&b'\n') {
                b += 1;
            }
            line_of(b)
        });
        let refuse = |message: String| Err(ImportError::Limit { line, message });
        if record.len() > limits.max_columns {
            return refuse(format!(
                "the line has {} cells; at most {} columns are read (DHANA_IMPORT_MAX_COLUMNS)",
                record.len(),
                limits.max_columns
            ));
        }
        if let Some(long) = record.iter().find(|c| c.len() > limits.max_field_bytes) {
            return refuse(format!(
                "a field is {} bytes long; at most {} are read (DHANA_IMPORT_MAX_FIELD_BYTES)",
                long.len(),
                limits.max_field_bytes
            ));
        }
        let cells = record.iter().map(clean).collect();
        out.push(Record { line, cells });
    }
    Ok(out)
}

fn clean(cell: &str) -> String {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].replace("\"\"", "\"").trim().to_string()
    } else {
        t.to_string()
    }
}

/// The delimiter that splits the most lines into the same number (≥ 2) of cells.
pub fn detect_delimiter(text: &str, limits: &Limits) -> char {
    let sample: String = text.lines().take(300).collect::<Vec<_>>().join("\n");
    let mut best = (',', 0.0f64);
    for d in DELIMITERS {
        // A delimiter that splits a line past the limits is not this file's.
        let records = split(&sample, d, limits).unwrap_or_default();
        let mut counts: std::collections::HashMap<usize, usize> = Default::default();
        for r in &records {
            if r.cells.len() >= 2 {
                *counts.entry(r.cells.len()).or_default() += 1;
            }
        }
        if let Some((width, n)) = counts.iter().max_by_key(|(w, n)| (**n, **w)) {
            let score = *n as f64 * (*width as f64).sqrt();
            if score > best.1 {
                best = (d, score);
            }
        }
    }
    best.0
}

/// Takes the text so that it is freed once split: records and rows then never share memory
/// with it.
pub fn parse(text: Text, options: &ParseOptions) -> Result<Parsed, ImportError> {
    let given = options.mapping;
    let name = text.encoding.name().to_string();
    let normalized = normalize_newlines(text.text);
    let delimiter = match given.and_then(|m| m.delimiter) {
        Some(d) if DELIMITERS.contains(&d) || (d.is_ascii_punctuation() && d != '"') => d,
        Some(d) => {
            return Err(ImportError::BadMapping(format!(
                "'{d}' cannot be used as the delimiter."
            )))
        }
        None => detect_delimiter(&normalized, &options.limits),
    };
    let mut records = split(&normalized, delimiter, &options.limits)?;
    drop(normalized);
    let header = match given {
        Some(m) if m.has_header => records.iter().position(|r| r.line > m.skip_rows),
        Some(_) => None,
        None => table::find_header(&records),
    };
    let wide_rows = header.and_then(|h| wide::fold(&mut records, h, delimiter));
    let (mapping, detected) = match given {
        Some(m) => (
            Mapping {
                encoding: Some(name.clone()),
                delimiter: Some(delimiter),
                ..m.clone()
            },
            LayoutFindings::default(),
        ),
        None => table::detect(
            &records,
            Mapping {
                encoding: Some(name.clone()),
                delimiter: Some(delimiter),
                ..Mapping::default()
            },
            options.card_account,
        )?,
    };
    let detected = LayoutFindings {
        wide_rows,
        ..detected
    };
    table::extract(
        records,
        mapping,
        options.minor_unit_digits,
        Format::Delimited,
        name,
        detected,
    )
}
