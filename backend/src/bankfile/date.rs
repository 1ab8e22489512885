//! Date text → `NaiveDate`, given the order of day, month and year; and deciding that order from
//! all the dates of a column at once.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use utoipa::ToSchema;

/// Order of day (d), month (m) and year (y) in a date.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// 2018-02-10, 2018/2/10, 20180210
    Ymd,
    /// 10.02.2018, 10/02/18, 10-Feb-2019, 10 Feb 2018
    Dmy,
    /// 02/10/2018, 2/10/18, 12/19'18, Feb 10, 2018
    Mdy,
    /// 2018/10/02 (rare)
    Ydm,
    /// 10/2018/02 (rare)
    Dym,
    /// 02/2018/10 (rare)
    Myd,
}

const ORDERS: [DateOrder; 6] = [
    DateOrder::Ymd,
    DateOrder::Dmy,
    DateOrder::Mdy,
    DateOrder::Ydm,
    DateOrder::Dym,
    DateOrder::Myd,
];

/// Years outside this range are rejected as implausible (anonymised exports use `1111/11/11`).
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    Num(u32, usize),
    Month(u32),
}

/// Month names (English, German, French, Dutch, Spanish, Italian, Portuguese), January first.
const MONTHS: [&str; 12] = [
    "january januar jänner janvier januari enero gennaio janeiro",
    "february februar février fevrier februari febrero febbraio fevereiro",
    "march märz maerz mars maart mrt marzo março",
    "april avril abril aprile",
    "may mai mei mayo maggio maio",
    "june juni juin junio giugno junho",
    "july juli juillet julio luglio julho",
    "august août aout augustus agosto",
    "september septembre septiembre setiembre settembre setembro",
    "october oktober octobre octubre ottobre outubro",
    "november novembre noviembre novembro",
    "december dezember décembre decembre diciembre dicembre dezembro",
];

/// Weekday names in the same languages, Monday first.
const WEEKDAYS: [&str; 7] = [
    "monday montag lundi maandag lunes lunedì segunda",
    "tuesday dienstag mardi dinsdag martes martedì terça",
    "wednesday mittwoch mercredi woensdag miércoles miercoles mercoledì quarta",
    "thursday donnerstag jeudi donderdag jueves giovedì quinta",
    "friday freitag vendredi vrijdag viernes venerdì sexta",
    "saturday samstag sonnabend samedi zaterdag sábado sabado sabato",
    "sunday sonntag dimanche zondag domingo domenica",
];

/// Which entry of `names` the word names: one of its names, or a prefix of at least three
/// letters of names of that entry only ("Feb", "Sept.", "janv", "Mär", "Thurs."; not "son",
/// which begins both of German's Saturday and Sunday). `names` is an `index`: every cell of a
/// file whose text begins with a letter is asked, in each date order tried.
fn named(word: &str, names: &[(&str, usize)]) -> Option<usize> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    if w.chars().count() < 3 {
        return None;
    }
    let from = names.partition_point(|(name, _)| *name < w);
    let mut entries = names[from..]
        .iter()
        .take_while(|(name, _)| name.starts_with(w))
        .map(|(_, entry)| *entry);
    let first = entries.next()?;
    entries.all(|entry| entry == first).then_some(first)
}

/// Each name of `table` with its entry, sorted: the names a word begins are then next to each
/// other.
fn index(table: &[&'static str]) -> Vec<(&'static str, usize)> {
    let mut names: Vec<_> = (0..table.len())
        .flat_map(|entry| table[entry].split(' ').map(move |name| (name, entry)))
        .collect();
    names.sort_unstable();
    names
}

fn month_name(word: &str) -> Option<u32> {
    static NAMES: LazyLock<Vec<(&str, usize)>> = LazyLock::new(|| index(&MONTHS));
    named(word, &NAMES).map(|entry| entry as u32 + 1)
}

fn weekday_name(word: &str) -> Option<Weekday> {
    static NAMES: LazyLock<Vec<(&str, usize)>> = LazyLock::new(|| index(&WEEKDAYS));
    named(word, &NAMES).and_then(|entry| Weekday::try_from(entry as u8).ok())
}

/// A date's parts as written, and the weekday written beside it, if any.
struct Written {
    parts: Vec<Part>,
    /// `20180210`: only ever year, month, day.
    compact: bool,
    weekday: Option<Weekday>,
}

/// Splits the leading date of `text` into three parts. Text after the date is allowed when it
/// is separated by a space or `T` (a time, "as of …"). A weekday may come before the date ("Sat,
/// 1 Jun 2019") or right after it ("06/01/2019  Sat").
fn split(text: &str) -> Option<Written> {
    // A leading apostrophe: a spreadsheet's mark that the cell is text (`'01.06.2019`).
    let t = text.trim().trim_matches('"').trim_start_matches('\'');
    let chars: Vec<char> = t.chars().collect();
    let mut parts = Vec::new();
    let mut compact = false;
    let mut weekday = None;
    let mut i = 0;
    while i < chars.len() && parts.len() < 3 {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            if parts.is_empty() && matches!(s.len(), 8 | 12 | 14) {
                // 20180210 (OFX adds a time: 20180210120000): only as year-month-day
                let (y, m, d) = (&s[..4], &s[4..6], &s[6..8]);
                parts.push(Part::Num(y.parse().ok()?, 4));
                parts.push(Part::Num(m.parse().ok()?, 2));
                parts.push(Part::Num(d.parse().ok()?, 2));
                compact = true;
                break;
            }
            if s.len() > 4 {
                return None;
            }
            parts.push(Part::Num(s.parse().ok()?, s.len()));
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            match (month_name(&w), parts.is_empty() && weekday.is_none()) {
                (Some(month), _) => parts.push(Part::Month(month)),
                (None, true) => {
                    weekday = Some(weekday_name(&w)?);
                    while i < chars.len() && matches!(chars[i], '.' | ',' | ' ') {
                        i += 1;
                    }
                    continue;
                }
                (None, false) => return None,
            }
            if i < chars.len() && chars[i] == '.' {
                i += 1;
            }
        } else if c == ':' && matches!(parts[..], [Part::Num(_, 4)] | [Part::Num(_, 4), _]) {
            // `2012:03:01` (Danske Bank Lithuania): only after a year, where a time cannot be.
            i += 1;
        } else if matches!(c, '-' | '/' | '.' | ' ' | ',' | '\'') && !parts.is_empty() {
            // At most two separator characters between parts ("12. Feb", "Feb 10, 2018"): a
            // wider gap is the next column of a text laid out in columns ("24 mrt      24 mrt"),
            // whose day would become a year.
            let start = i;
            while i < chars.len() && matches!(chars[i], '-' | '/' | '.' | ' ' | ',' | '\'') {
                i += 1;
            }
            if i - start > 2 {
                return None;
            }
        } else {
            return None;
        }
    }
    if parts.len() != 3 {
        return None;
    }
    // What follows the date must be separated from it.
    let rest: String = chars[i..].iter().collect();
    let rest = rest.trim_start_matches('.');
    if !(compact || rest.is_empty() || rest.starts_with([' ', 'T', '\t', '.', '['])) {
        return None;
    }
    if parts.iter().filter(|p| matches!(p, Part::Month(_))).count() > 1 {
        return None;
    }
    if weekday.is_none() {
        let word = rest.trim_start_matches([' ', '\t', ',', '(']);
        let word = &word[..word
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(word.len())];
        // "mar" after a date is as likely March as Tuesday (martes, mardi): not checked.
        weekday = weekday_name(word).filter(|_| month_name(word).is_none());
    }
    Some(Written {
        parts,
        compact,
        weekday,
    })
}

fn year(value: u32, len: usize) -> Option<i32> {
    match len {
        4 => Some(value as i32),
        2 => Some(if value < 70 { 2000 } else { 1900 } + value as i32),
        _ => None,
    }
}

/// Parses a date written in `order`. Dates with a month name ignore the numeric order where the
/// name makes it clear ("10 Feb 2018", "Feb 10, 2018", "2018-Feb-10"). A date written with its
/// weekday reads only in an order that falls on that weekday (Amex's "06/01/2019  Sat").
pub fn parse(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let Written {
        parts,
        compact,
        weekday,
    } = split(text)?;
    if compact && order != DateOrder::Ymd {
        return None;
    }
    let (y, m, d) = if let Some(pos) = parts.iter().position(|p| matches!(p, Part::Month(_))) {
        let Part::Month(m) = parts[pos] else {
            return None;
        };
        let nums: Vec<(u32, usize)> = parts
            .iter()
            .filter_map(|p| match p {
                Part::Num(v, l) => Some((*v, *l)),
                Part::Month(_) => None,
            })
            .collect();
        let (a, b) = (nums[0], nums[1]);
        // The four-digit number is the year; else the year is last.
        let (yv, dv) = if a.1 == 4 || (a.1 <= 2 && pos == 1 && a.0 > 31) {
            (a, b)
        } else {
            (b, a)
        };
        (year(yv.0, yv.1)?, m, dv.0)
    } else {
        let n: Vec<(u32, usize)> = parts
            .iter()
            .map(|p| match p {
                Part::Num(v, l) => (*v, *l),
                Part::Month(m) => (*m, 2),
            })
            .collect();
        let (yi, mi, di) = match order {
            DateOrder::Ymd => (0, 1, 2),
            DateOrder::Dmy => (2, 1, 0),
            DateOrder::Mdy => (2, 0, 1),
            DateOrder::Ydm => (0, 2, 1),
            DateOrder::Dym => (1, 2, 0),
            DateOrder::Myd => (1, 0, 2),
        };
        if n[mi].1 > 2 || n[di].1 > 2 {
            return None;
        }
        (year(n[yi].0, n[yi].1)?, n[mi].0, n[di].0)
    };
    if !YEARS.contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d).filter(|date| weekday.is_none_or(|w| date.weekday() == w))
}

/// Whether the text is a date in some order.
pub fn is_date(text: &str) -> bool {
    ORDERS.iter().any(|o| parse(text, *o).is_some())
}

/// How the order of day, month and year was decided; shown in the preview, so a guess is never
/// silent.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DateOrderBasis {
    /// Only one order reads every date (a day above 12, a four-digit year first, a month name).
    Content,
    /// Several orders read every date, but only one keeps them in the file's order (statements
    /// are sorted).
    FileOrder,
    /// Several orders read every date in order, but only one makes them a statement of a few
    /// weeks; the others spread them over many months.
    Span,
    /// The header is a known exporter's, whose dates are written in this order (this outranks
    /// the file's order and the span, which are guesses).
    Exporter,
    /// Several orders read every date, but the file writes them with dots, or its amounts with
    /// a decimal comma: conventions of countries that all write the day first.
    Convention,
    /// Several orders read every date, but another date column of the file (a purchase date
    /// beside the booking date) reads only one way, and an export writes its dates alike.
    OtherDateColumn,
    /// The account's earlier imports read their dates in this order.
    EarlierImports,
    /// Nothing tells the orders apart (every day is 12 or less): the rows are shown in `order`,
    /// and the commit waits until a mapping names the order.
    Ask,
}

/// The date order as decided, and why.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct DateOrderFinding {
    /// The order the rows are read in (with `basis: ask`, only as shown, not yet confirmed).
    pub order: DateOrder,
    pub basis: DateOrderBasis,
    /// Every order that reads all the dates.
    pub candidates: Vec<DateOrder>,
    /// The exporter whose header signature decided (`basis: exporter`).
    pub exporter: Option<String>,
    /// A sentence for the user.
    pub message: String,
}

impl DateOrder {
    /// How a user reads the order.
    pub fn label(self) -> &'static str {
        match self {
            DateOrder::Ymd => "year-month-day",
            DateOrder::Dmy => "day/month/year",
            DateOrder::Mdy => "month/day/year",
            DateOrder::Ydm => "year-day-month",
            DateOrder::Dym => "day/year/month",
            DateOrder::Myd => "month/year/day",
        }
    }

    fn common(self) -> bool {
        matches!(self, DateOrder::Ymd | DateOrder::Dmy | DateOrder::Mdy)
    }
}

/// What one order makes of a column's values so far: how many it reads, how often consecutive
/// dates go up and down, their range, and a hash of the dates it read (orders that read the same
/// dates are one reading).
#[derive(Clone)]
struct Reading {
    read: usize,
    up: usize,
    down: usize,
    last: Option<NaiveDate>,
    min: Option<NaiveDate>,
    max: Option<NaiveDate>,
    dates: std::hash::DefaultHasher,
}

/// The date order of a column, decided from its values one at a time: counters per order, not
/// the dates, so a file of a million lines costs no more than one of ten.
#[derive(Clone)]
pub struct OrderVotes {
    readings: Vec<Reading>,
}

impl Default for OrderVotes {
    fn default() -> Self {
        let empty = Reading {
            read: 0,
            up: 0,
            down: 0,
            last: None,
            min: None,
            max: None,
            dates: std::hash::DefaultHasher::new(),
        };
        OrderVotes {
            readings: vec![empty; ORDERS.len()],
        }
    }
}

impl OrderVotes {
    pub fn add(&mut self, value: &str) {
        use std::hash::Hasher;
        for (order, r) in ORDERS.iter().zip(&mut self.readings) {
            let Some(date) = parse(value, *order) else {
                continue;
            };
            r.read += 1;
            match r.last {
                Some(last) if date > last => r.up += 1,
                Some(last) if date < last => r.down += 1,
                _ => {}
            }
            r.last = Some(date);
            r.min = Some(r.min.map_or(date, |m| m.min(date)));
            r.max = Some(r.max.map_or(date, |m| m.max(date)));
            r.dates.write_i32(date.num_days_from_ce());
        }
    }

    /// The order that reads the most values wins; when several read them all, the file's own
    /// order and then the period they span may tell them apart; otherwise `prefer` (a locale
    /// hint) is shown and the finding asks.
    pub fn decide(&self, prefer: DateOrder) -> Option<DateOrderFinding> {
        use std::hash::Hasher;
        // (order, dates read, disorder, span in days)
        let mut readings: Vec<(DateOrder, usize, usize, i64)> = Vec::new();
        let mut seen: Vec<(usize, u64)> = Vec::new();
        for (order, r) in ORDERS.iter().zip(&self.readings) {
            let same = (r.read, r.dates.finish());
            // Orders that read the same dates (month names, "27 Feb 2018") are one reading.
            if r.read == 0 || seen.contains(&same) {
                continue;
            }
            let span = match (r.min, r.max) {
                (Some(a), Some(b)) => (b - a).num_days(),
                _ => 0,
            };
            readings.push((*order, r.read, r.up.min(r.down), span));
            seen.push(same);
        }
        decide_among(readings, prefer)
    }
}

/// What the values of a date column say about their order (see [`OrderVotes::decide`]).
pub fn decide_order<'a>(
    values: impl Iterator<Item = &'a str>,
    prefer: DateOrder,
) -> Option<DateOrderFinding> {
    let mut votes = OrderVotes::default();
    values.for_each(|v| votes.add(v));
    votes.decide(prefer)
}

fn decide_among(
    mut readings: Vec<(DateOrder, usize, usize, i64)>,
    prefer: DateOrder,
) -> Option<DateOrderFinding> {
    let most = readings.iter().map(|r| r.1).max()?;
    readings.retain(|r| r.1 == most);
    // The rare orders only count where no common one reads as many dates.
    if readings.iter().any(|r| r.0.common()) {
        readings.retain(|r| r.0.common());
    }
    let candidates: Vec<DateOrder> = readings.iter().map(|r| r.0).collect();
    let finding = |order: DateOrder, basis: DateOrderBasis, message: String| DateOrderFinding {
        order,
        basis,
        candidates: candidates.clone(),
        exporter: None,
        message,
    };
    if let [only] = readings.as_slice() {
        return Some(finding(
            only.0,
            DateOrderBasis::Content,
            format!("Dates are read as {}.", only.0.label()),
        ));
    }
    let sorted: Vec<_> = readings.iter().filter(|r| r.2 == 0).collect();
    if let [one] = sorted.as_slice() {
        return Some(finding(
            one.0,
            DateOrderBasis::FileOrder,
            format!(
                "Every date reads both ways; as {} they follow the file's order, otherwise not.",
                one.0.label()
            ),
        ));
    }
    let shortest = readings.iter().min_by_key(|r| r.3).expect("not empty");
    if shortest.3 <= 62
        && readings
            .iter()
            .all(|r| r.0 == shortest.0 || r.3 > 4 * shortest.3)
    {
        return Some(finding(
            shortest.0,
            DateOrderBasis::Span,
            format!(
                "Every date reads both ways; as {} they cover {} days, otherwise many months.",
                shortest.0.label(),
                shortest.3 + 1
            ),
        ));
    }
    // Without the preferred order, one with the year last: `22/01/07` is far more often day
    // first than a year first.
    let shown = if candidates.contains(&prefer) {
        prefer
    } else {
        candidates
            .iter()
            .copied()
            .find(|o| matches!(o, DateOrder::Dmy | DateOrder::Mdy))
            .unwrap_or(candidates[0])
    };
    let others: Vec<&str> = candidates.iter().map(|o| o.label()).collect();
    Some(finding(
        shown,
        DateOrderBasis::Ask,
        format!(
            "Every date reads as {}: choose how the dates are written (shown as {} for now).",
            others.join(" or "),
            shown.label()
        ),
    ))
}

/// The order to read a column in, where a guess must do (QIF, whose dates have no preview
/// question): the decided order, else `prefer`.
pub fn detect_order<'a>(
    values: impl Iterator<Item = &'a str>,
    prefer: DateOrder,
) -> Option<DateOrder> {
    decide_order(values, prefer).map(|f| f.order)
}

#[cfg(test)]
mod tests {
    use super::DateOrder::*;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn reads_many_shapes() {
        assert_eq!(parse("2018-02-10", Ymd), d(2018, 2, 10));
        assert_eq!(parse("2012/3/22", Ymd), d(2012, 3, 22));
        assert_eq!(parse("2012:03:01", Ymd), d(2012, 3, 1));
        assert_eq!(parse("20180210", Ymd), d(2018, 2, 10));
        assert_eq!(parse("20110331120000.000[-5:EST]", Ymd), d(2011, 3, 31));
        assert_eq!(parse("10.02.2018", Dmy), d(2018, 2, 10));
        assert_eq!(parse("2019.04.19.", Ymd), d(2019, 4, 19));
        assert_eq!(parse("20.02.18", Dmy), d(2018, 2, 20));
        assert_eq!(parse("2/8/15", Mdy), d(2015, 2, 8));
        assert_eq!(parse("12/19'18", Mdy), d(2018, 12, 19));
        assert_eq!(parse(" 1/ 1'01", Mdy), d(2001, 1, 1));
        assert_eq!(parse("2/10'2020", Mdy), d(2020, 2, 10));
        assert_eq!(parse("27 Feb 2018", Dmy), d(2018, 2, 27));
        assert_eq!(parse("12-Dec-2019", Mdy), d(2019, 12, 12));
        assert_eq!(parse("Feb 10, 2018", Dmy), d(2018, 2, 10));
        assert_eq!(parse("10. März 2018", Dmy), d(2018, 3, 10));
        assert_eq!(parse("24 lug 2024. 02:59:45", Dmy), d(2024, 7, 24));
        assert_eq!(parse("3 out 2023", Dmy), d(2023, 10, 3));
        assert_eq!(parse("10/2009/09", Dym), d(2009, 9, 10));
        assert_eq!(parse("2021-02-03 13:12", Ymd), d(2021, 2, 3));
        assert_eq!(parse("04/17/2023 as of 04/15/2023", Mdy), d(2023, 4, 17));
        assert_eq!(parse("2018-02-10T10:00:00Z", Ymd), d(2018, 2, 10));
        // A spreadsheet's text mark.
        assert_eq!(parse("'01.06.2019", Dmy), d(2019, 6, 1));
    }

    #[test]
    fn rejects_non_dates() {
        assert_eq!(parse("Pending", Dmy), None);
        // A time is no date, whatever the order.
        assert!(!is_date("10:30:45"));
        assert!(!is_date("12:03:2012"));
        assert_eq!(parse("13/13/2018", Dmy), None);
        assert_eq!(parse("1111/11/11", Ymd), None);
        assert_eq!(parse("123-4567890-1234567", Ymd), None);
        assert_eq!(parse("-5,00", Dmy), None);
        assert_eq!(parse("17.80", Dmy), None);
        assert_eq!(parse("Transactions Total", Dmy), None);
        assert_eq!(parse("2018-02-10abc", Ymd), None);
        // Two columns of a text laid out in columns: the second day is no year.
        assert_eq!(parse("24 mrt      24 mrt", Dmy), None);
    }

    /// A written weekday is a fact about the date: only the order that falls on it reads.
    #[test]
    fn a_weekday_beside_the_date_tells_the_order() {
        assert_eq!(parse("06/01/2019  Sat", Mdy), d(2019, 6, 1));
        assert_eq!(
            parse("06/01/2019  Sat", Dmy),
            None,
            "6 January 2019 was a Sunday"
        );
        assert_eq!(parse("Sat, 1 Jun 2019", Dmy), d(2019, 6, 1));
        assert_eq!(parse("Sun, 1 Jun 2019", Dmy), None);
        assert_eq!(parse("Samstag, 01.06.2019", Dmy), d(2019, 6, 1));
        assert_eq!(parse("2019-06-01 (sáb.)", Ymd), d(2019, 6, 1));
        // Not a weekday: too short, two days' prefix, a month's name, another word.
        assert_eq!(parse("01.06.2019 Sa", Dmy), d(2019, 6, 1));
        assert_eq!(parse("Son 01.06.2019", Dmy), None);
        assert_eq!(parse("10.02.2018 mar", Dmy), d(2018, 2, 10));
        assert_eq!(parse("10.02.2018 Monatsende", Dmy), d(2018, 2, 10));
        let v = ["06/01/2019  Sat", "06/02/2019  Sun", "06/03/2019  Mon"];
        let f = decide_order(v.iter().copied(), Dmy).unwrap();
        assert_eq!((f.order, f.basis), (Mdy, DateOrderBasis::Content));
    }

    #[test]
    fn decides_the_order_from_all_rows() {
        let v = ["01/02/2018", "05/02/2018", "13/02/2018"];
        assert_eq!(detect_order(v.iter().copied(), Mdy), Some(Dmy));
        let v = ["02/01/2018", "02/05/2018", "02/13/2018"];
        assert_eq!(detect_order(v.iter().copied(), Dmy), Some(Mdy));
        // all ambiguous: the reading that stays sorted wins
        let v = ["01/02/2018", "01/03/2018", "02/01/2018"];
        assert_eq!(detect_order(v.iter().copied(), Dmy), Some(Mdy));
        let v = ["10/02/2018"];
        assert_eq!(detect_order(v.iter().copied(), Dmy), Some(Dmy));
        let v = ["2021-03-05", "2021-03-01"];
        let f = decide_order(v.iter().copied(), Dmy).unwrap();
        assert_eq!(
            (f.order, f.basis),
            (Ymd, DateOrderBasis::Content),
            "not year-day-month"
        );
    }

    #[test]
    fn asks_when_nothing_tells_the_orders_apart() {
        // One day only: both readings are sorted and span nothing.
        let v = ["06/12/2021", "06/12/2021", "06/12/2021"];
        let f = decide_order(v.iter().copied(), Mdy).unwrap();
        assert_eq!(f.basis, DateOrderBasis::Ask);
        assert_eq!(f.order, Mdy, "shown in the preferred order");
        assert_eq!(f.candidates, vec![Dmy, Mdy]);
        // Month names read the same in every order: no question.
        let v = ["10 Feb 2018", "01 Mar 2018"];
        let f = decide_order(v.iter().copied(), Dmy).unwrap();
        assert_eq!(f.basis, DateOrderBasis::Content);
        // Sorted one way only.
        let v = ["01/02/2018", "01/03/2018", "02/01/2018"];
        let f = decide_order(v.iter().copied(), Dmy).unwrap();
        assert_eq!((f.order, f.basis), (Mdy, DateOrderBasis::FileOrder));
        // Sorted both ways: 1–9 February (8 days) against January–September.
        let v = ["01/02/2018", "03/02/2018", "05/02/2018", "09/02/2018"];
        let f = decide_order(v.iter().copied(), Mdy).unwrap();
        assert_eq!((f.order, f.basis), (Dmy, DateOrderBasis::Span));
        // Sorted both ways over months either way: a question.
        let v = ["02/03/2018", "04/05/2018", "06/07/2018"];
        let f = decide_order(v.iter().copied(), Dmy).unwrap();
        assert_eq!(f.basis, DateOrderBasis::Ask, "{f:?}");
        let v = ["10/2009/09", "11/2009/09"];
        assert_eq!(detect_order(v.iter().copied(), Dmy), Some(Dym));
        // Two-digit years that read year first too: shown day first, not from 2001 to 2029.
        let v = ["01/01/10", "01/06/10", "29/12/10"];
        let f = decide_order(v.iter().copied(), Mdy).unwrap();
        assert_eq!((f.order, f.basis), (Dmy, DateOrderBasis::Ask));
        assert_eq!(f.candidates, vec![Ymd, Dmy]);
    }
}
