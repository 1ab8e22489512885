//! Rows with more cells than the header names. A field that holds the delimiter without being
//! quoted as CSV wants (`123 Main St, Springfield` unquoted, or quoted after a space) is split
//! into several cells, and every column after it moves right. Each such row is put back
//! together by content: the extra cells are joined into the one column where the row then fits
//! the columns best (dates under the date column, amounts under amounts, text under text), as
//! learnt from the rows that have the header's width, or from the header's names when none has.

use super::columns;
use super::date;
use super::table::{amount_like, Record};
use super::WideRowsFinding;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Empty,
    Date,
    Amount,
    Text,
}

fn kind(cell: &str) -> Kind {
    if cell.is_empty() {
        Kind::Empty
    } else if date::is_date(cell) {
        Kind::Date
    } else if amount_like(cell) && !wordy(cell) {
        Kind::Amount
    } else {
        Kind::Text
    }
}

/// Words in a cell beyond a currency code or a CR/DR mark: a house number ("Oak 3") reads as
/// an amount with a currency word, but is text.
fn wordy(cell: &str) -> bool {
    cell.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .any(|w| {
            !(w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase())) && w != "CR" && w != "DR"
        })
}

/// What each column holds on the rows after the header that have its width, counted one row at
/// a time; and whether any row is wider.
pub struct Profile {
    header: Record,
    /// Per column, how many fitting rows hold each kind there; not counted (`None`) on a pass
    /// that only looks for wide rows.
    counts: Option<Vec<[usize; 4]>>,
    fitting: usize,
    any_wide: bool,
}

impl Profile {
    /// `kinds`: whether to tell what each cell holds, which costs a date and an amount parse
    /// per cell: a pass over a file first only looks whether any row is wide, as most have none.
    pub fn new(header: Record, kinds: bool) -> Self {
        let width = header.cells.len();
        Profile {
            header,
            counts: kinds.then(|| vec![[0; 4]; width]),
            fitting: 0,
            any_wide: false,
        }
    }

    /// The next row after the header.
    pub fn add(&mut self, r: &Record) {
        let width = self.header.cells.len();
        if r.cells.len() == width {
            self.fitting += 1;
            for (counts, cell) in self.counts.iter_mut().flatten().zip(&r.cells) {
                counts[kind(cell) as usize] += 1;
            }
        }
        self.any_wide |= is_wide(r, width);
    }

    pub fn any_wide(&self) -> bool {
        self.any_wide
    }

    /// What folds the wide rows, when there are any to fold.
    pub fn folder(self, delimiter: char) -> Option<Folder> {
        if self.header.cells.len() < 2 || !self.any_wide {
            return None;
        }
        let kinds = (0..self.header.cells.len())
            .map(|i| {
                if self.fitting == 0 {
                    let name = self.header.cells[i].as_str();
                    return if columns::date_score(name).is_some() {
                        Kind::Date
                    } else if columns::amount_score(name).is_some()
                        || columns::debit_credit(name).is_some()
                    {
                        Kind::Amount
                    } else {
                        Kind::Text
                    };
                }
                let counts = self.counts.as_ref().map_or([0; 4], |c| c[i]);
                [Kind::Date, Kind::Amount, Kind::Text]
                    .into_iter()
                    .max_by_key(|k| counts[*k as usize])
                    .filter(|k| counts[*k as usize] > 0)
                    .unwrap_or(Kind::Empty)
            })
            .collect();
        Some(Folder {
            header: self.header,
            kinds,
            joint: format!("{delimiter} "),
            delimiter,
            rows: 0,
            lines: Vec::new(),
            joined: Vec::new(),
        })
    }
}

fn is_wide(r: &Record, width: usize) -> bool {
    r.cells.len() > width && r.cells[width..].iter().any(|c| !c.is_empty())
}

/// How well cells fit the columns: a match counts one, an empty cell nothing, a mismatch
/// against a date or amount column costs two (those columns decide the transaction).
fn fit(cells: &[String], profile: &[Kind]) -> i64 {
    cells
        .iter()
        .zip(profile)
        .map(|(c, want)| match (kind(c), want) {
            (Kind::Empty, _) => 0,
            (k, w) if k == *w => 1,
            (_, Kind::Date | Kind::Amount) => -2,
            _ => -1,
        })
        .sum()
}

/// Joins the extra cells of each row after the header wider than it, one row at a time. The
/// joint is the delimiter and a space, as the text most likely read.
#[derive(Clone)]
pub struct Folder {
    header: Record,
    kinds: Vec<Kind>,
    joint: String,
    delimiter: char,
    rows: usize,
    lines: Vec<usize>,
    joined: Vec<usize>,
}

impl Folder {
    /// The same folding with nothing folded yet, for another pass over the rows.
    pub fn restart(&self) -> Folder {
        Folder {
            rows: 0,
            lines: Vec::new(),
            joined: Vec::new(),
            ..self.clone()
        }
    }

    /// The line of the header: rows after it are folded.
    pub fn header_line(&self) -> usize {
        self.header.line
    }

    /// Folds one row after the header, if it is wide.
    pub fn fold(&mut self, r: &mut Record) {
        let width = self.header.cells.len();
        if !is_wide(r, width) {
            return;
        }
        let extra = r.cells.len() - width;
        let joint = &self.joint;
        let candidate = |p: usize| -> Vec<String> {
            let mut cells = r.cells[..p].to_vec();
            let joined = r.cells[p..=p + extra].join(joint);
            // A field quoted after a space (`, "7 Quay Rd, Hull"`) keeps its quotes when split.
            cells.push(
                match joined.strip_prefix('"').and_then(|j| j.strip_suffix('"')) {
                    Some(inner) => inner.to_string(),
                    None => joined,
                },
            );
            cells.extend_from_slice(&r.cells[p + extra + 1..]);
            cells
        };
        // Best fit; among equals an address column, then the leftmost.
        let Some(p) = (0..width).max_by_key(|p| {
            (
                fit(&candidate(*p), &self.kinds),
                columns::is_address(&self.header.cells[*p]),
                std::cmp::Reverse(*p),
            )
        }) else {
            return;
        };
        r.cells = candidate(p);
        self.rows += 1;
        if self.lines.len() < 20 {
            self.lines.push(r.line);
        }
        if !self.joined.contains(&p) {
            self.joined.push(p);
        }
    }

    /// What folding the rows so far did.
    pub fn finding(&self) -> Option<WideRowsFinding> {
        let rows = self.rows;
        if rows == 0 {
            return None;
        }
        let mut joined = self.joined.clone();
        joined.sort_unstable();
        let columns: Vec<String> = joined
            .iter()
            .map(|p| match self.header.cells[*p].as_str() {
                "" => format!("Column {}", p + 1),
                name => name.to_string(),
            })
            .collect();
        Some(WideRowsFinding {
            rows,
            message: format!(
                "{rows} row{} had more cells than the header names (a field holding '{}'); their extra cells were joined into {}.",
                if rows == 1 { "" } else { "s" },
                self.delimiter,
                columns.join(", ")
            ),
            lines: self.lines.clone(),
            columns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folds every row after the header at `header`, as a reading of the file does.
    fn fold(records: &mut [Record], header: usize, delimiter: char) -> Option<WideRowsFinding> {
        let (head, body) = records.split_at_mut(header + 1);
        let mut profile = Profile::new(head[header].clone(), true);
        body.iter().for_each(|r| profile.add(r));
        let mut folder = profile.folder(delimiter)?;
        body.iter_mut().for_each(|r| folder.fold(r));
        folder.finding()
    }

    fn record(line: usize, cells: &[&str]) -> Record {
        Record {
            line,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn joins_an_unquoted_address_by_content() {
        let mut records = vec![
            record(1, &["Date", "Payee", "Address", "Amount", "Memo"]),
            record(2, &["2024-01-02", "ACME", "Main St 1", "-10.00", "x"]),
            record(
                3,
                &[
                    "2024-01-03",
                    "SHOP",
                    "Elm St 2",
                    "Springfield",
                    "IL",
                    "-4.50",
                    "",
                ],
            ),
            record(4, &["2024-01-04", "BAR", "Oak 3", "Town", "12.00", "note"]),
        ];
        let found = fold(&mut records, 0, ',').unwrap();
        assert_eq!(found.rows, 2);
        assert_eq!(found.lines, vec![3, 4]);
        assert_eq!(found.columns, vec!["Address"]);
        assert_eq!(
            records[2].cells,
            [
                "2024-01-03",
                "SHOP",
                "Elm St 2, Springfield, IL",
                "-4.50",
                ""
            ]
        );
        assert_eq!(
            records[3].cells,
            ["2024-01-04", "BAR", "Oak 3, Town", "12.00", "note"]
        );
    }

    #[test]
    fn every_row_wide_is_read_from_the_header_names() {
        let mut records = vec![
            record(1, &["Date", "Description", "Amount"]),
            record(2, &["02.01.2024", "Shop", "Berlin", "-1,00"]),
            record(3, &["03.01.2024", "Bar", "Köln", "-2,00"]),
        ];
        fold(&mut records, 0, ';').unwrap();
        assert_eq!(records[1].cells, ["02.01.2024", "Shop; Berlin", "-1,00"]);
        // a trailing empty cell is no reason to join anything
        let mut records = vec![
            record(1, &["Date", "Amount"]),
            record(2, &["2024-01-02", "1.00", ""]),
        ];
        assert!(fold(&mut records, 0, ',').is_none());
    }
}
