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
use super::table::{self, Head, HeaderScan, Record, Table};
use super::wide::{Folder, Profile};
use super::{Format, ImportError, Item, LayoutFindings, Limits, Mapping, ParseOptions, Reading};

const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

/// CRLF, and bare CR (old Mac exports), become LF, as one line end each.
fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Calls `f` with each record of the text in turn; nothing of the text is copied but the
/// record at hand. Cells are trimmed, and quotes that follow a space (`a, "b"`) are removed
/// too. A row of more cells, or a cell of more bytes, than the limits is refused with its line
/// (a quote left open swallows the rest of the file into one cell). Lines end with LF, CRLF
/// or a bare CR (old Mac exports), each one line.
fn each_record<E: From<ImportError>>(
    text: &str,
    delimiter: char,
    limits: &Limits,
    mut f: impl FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(bytes);
    // The line at byte `at`, counted forward as records arrive (they arrive in order).
    let (mut at, mut line, mut count) = (0usize, 1usize, 0usize);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => continue,
        }
        count += 1;
        let line = match record.position() {
            None => count,
            Some(p) => {
                // the reader's position may sit on blank lines it skipped
                let mut b = p.byte() as usize;
                while matches!(bytes.get(b), Some(b'\n' | b'\r')) {
                    b += 1;
                }
                for i in at..b {
                    let end = match bytes[i] {
                        b'\n' => true,
                        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                        _ => false,
                    };
                    line += usize::from(end);
                }
                at = at.max(b);
                line
            }
        };
        let refuse = |message: String| Err(ImportError::Limit { line, message }.into());
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
        f(Record { line, cells })?;
    }
    Ok(())
}

/// Splits (a sample of) text into records.
pub fn split(text: &str, delimiter: char, limits: &Limits) -> Result<Vec<Record>, ImportError> {
    let mut out = Vec::new();
    each_record(text, delimiter, limits, |r| {
        out.push(r);
        Ok::<_, ImportError>(())
    })?;
    Ok(out)
}

fn clean(cell: &str) -> String {
    let normalized;
    let cell = if cell.contains('\r') {
        normalized = normalize_newlines(cell);
        normalized.as_str()
    } else {
        cell
    };
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].replace("\"\"", "\"").trim().to_string()
    } else {
        t.to_string()
    }
}

/// The first `n` lines of the text, with LF line ends.
fn first_lines(text: &str, n: usize) -> String {
    let bytes = text.as_bytes();
    let (mut lines, mut end) = (0, bytes.len());
    for (i, b) in bytes.iter().enumerate() {
        let ends = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends {
            lines += 1;
            if lines == n {
                end = i;
                break;
            }
        }
    }
    normalize_newlines(&text[..end])
}

/// The delimiter that splits the most lines into the same number (≥ 2) of cells.
pub fn detect_delimiter(text: &str, limits: &Limits) -> char {
    let sample = first_lines(text, 300);
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

/// Delimited text as a table: split again on each pass, its wide rows folded as they come.
struct Split<'t> {
    text: &'t str,
    delimiter: char,
    limits: Limits,
    folder: Option<Folder>,
}

impl Table for Split<'_> {
    fn each<E: From<ImportError>>(
        &mut self,
        mut f: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut folder = self.folder.as_ref().map(Folder::restart);
        each_record(self.text, self.delimiter, &self.limits, |mut r| {
            if let Some(folder) = folder.as_mut().filter(|x| r.line > x.header_line()) {
                folder.fold(&mut r);
            }
            f(&r)
        })?;
        // Each pass folds the same rows: the last one's tally is the file's.
        if let Some(done) = folder {
            self.folder = Some(done);
        }
        Ok(())
    }
}

/// Where the rows start being folded: after the header (the mapping's, or the detected one),
/// by what a pass over the rows after it found in their columns. A first pass only looks for
/// rows wider than the header, and gathers detection's first pass (`head`) on the way; what
/// the columns hold is read only when some row is wide, and then `head`, gathered from rows
/// not yet folded, is dropped.
fn folder(
    split: &Split,
    given: Option<&Mapping>,
    head: &mut Option<Head>,
) -> Result<Option<Folder>, ImportError> {
    let widths = profile(split, given, false, |r| {
        if let Some(head) = head.as_mut() {
            head.add(r);
        }
    })?;
    match widths {
        Some(p) if p.any_wide() => {
            *head = None;
            Ok(profile(split, given, true, |_| {})?.and_then(|p| p.folder(split.delimiter)))
        }
        _ => Ok(None),
    }
}

/// The rows after the header, profiled (`kinds`: with what each column holds); `also` sees
/// every record of the pass.
fn profile(
    split: &Split,
    given: Option<&Mapping>,
    kinds: bool,
    mut also: impl FnMut(&Record),
) -> Result<Option<Profile>, ImportError> {
    enum State {
        Looking(HeaderScan),
        /// (first line after the skipped ones)
        Skipping(usize),
        Profiling(Profile),
        NoHeader,
    }
    let mut state = match given {
        Some(m) if m.has_header => State::Skipping(m.skip_rows),
        Some(_) => State::NoHeader,
        None => State::Looking(HeaderScan::default()),
    };
    if matches!(state, State::NoHeader) {
        return Ok(None);
    }
    each_record(split.text, split.delimiter, &split.limits, |r| {
        also(&r);
        state = match std::mem::replace(&mut state, State::NoHeader) {
            State::Profiling(mut p) => {
                p.add(&r);
                State::Profiling(p)
            }
            State::Skipping(skip) if r.line > skip => State::Profiling(Profile::new(r, kinds)),
            State::Looking(mut scan) => match scan.add(&r) {
                None => State::Looking(scan),
                Some(found) => match found.header {
                    None => State::NoHeader,
                    Some(h) => {
                        let mut p = Profile::new(h, kinds);
                        found.after.iter().for_each(|r| p.add(r));
                        State::Profiling(p)
                    }
                },
            },
            other => other,
        };
        Ok::<_, ImportError>(())
    })?;
    Ok(match state {
        State::Profiling(p) => Some(p),
        State::Looking(scan) => scan.finish().and_then(|found| {
            let mut p = Profile::new(found.header?, kinds);
            found.after.iter().for_each(|r| p.add(r));
            Some(p)
        }),
        _ => None,
    })
}

pub fn read<E: From<ImportError>>(
    text: &Text,
    options: &ParseOptions,
    emit: &mut impl FnMut(Item) -> Result<(), E>,
) -> Result<Reading, E> {
    let given = options.mapping;
    let name = text.encoding.name().to_string();
    let delimiter = match given.and_then(|m| m.delimiter) {
        Some(d) if DELIMITERS.contains(&d) || (d.is_ascii_punctuation() && d != '"') => d,
        Some(d) => {
            return Err(
                ImportError::BadMapping(format!("'{d}' cannot be used as the delimiter.")).into(),
            )
        }
        None => detect_delimiter(&text.text, &options.limits),
    };
    let mut split = Split {
        text: &text.text,
        delimiter,
        limits: options.limits,
        folder: None,
    };
    // A file read before with this mapping and found to have no wide rows needs no pass to
    // look for them.
    let mut head = given.is_none().then(Head::default);
    if !options.no_wide_rows {
        split.folder = folder(&split, given, &mut head)?;
    }
    let (mapping, detected) = match given {
        Some(m) => (
            Mapping {
                encoding: Some(name.clone()),
                delimiter: Some(delimiter),
                ..m.clone()
            },
            LayoutFindings::default(),
        ),
        None => {
            let mapping = Mapping {
                encoding: Some(name.clone()),
                delimiter: Some(delimiter),
                ..Mapping::default()
            };
            match head {
                Some(head) => table::detect_after(&mut split, head, mapping, options.card_account)?,
                None => table::detect(&mut split, mapping, options.card_account)?,
            }
        }
    };
    let mut reading = table::extract(
        &mut split,
        mapping,
        options.minor_unit_digits,
        Format::Delimited,
        name,
        detected,
        emit,
    )?;
    reading.findings.wide_rows = split.folder.as_ref().and_then(Folder::finding);
    Ok(reading)
}
