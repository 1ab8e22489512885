//! Amount text → i64 minor units, with integer arithmetic only (never through a float).
//!
//! Accepted: `1.234,56`, `1,234.56`, `11'373.94`, `1 234,56`, currency symbols and ISO codes
//! before or after (`$`, `£`, `€`, `EUR 12,00`), `+`/`-` before or after a symbol (`-$7.00`,
//! `+ £1,100.00`), a trailing minus (`12,00-`), parentheses (`(12.00)`), `CR` (money in) /
//! `DR` (money out) suffixes, and a spreadsheet's leading `'` text mark (`'579,68 USD`). More
//! decimal digits than the currency has are rounded half away from zero (`0.125` EUR → 13 cents,
//! `-0.125` → -13).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The decimal mark of amounts.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecimalSeparator {
    /// `1234.56`
    Point,
    /// `1234,56`
    Comma,
}

impl DecimalSeparator {
    pub fn as_char(self) -> char {
        match self {
            DecimalSeparator::Point => '.',
            DecimalSeparator::Comma => ',',
        }
    }
}

const SYMBOLS: &[char] = &[
    '$', '£', '€', '¥', '₹', '₩', '₽', '₺', '₴', '₪', '¢', '₫', '฿',
];

/// Spaces of every kind (and the marks that set a right-to-left text's direction) become ' ',
/// typographic apostrophes '\''.
fn normalize(c: char) -> char {
    match c {
        '\u{a0}' | '\u{202f}' | '\u{2009}' | '\t' => ' ',
        '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            ' '
        }
        '\u{2019}' | '\u{2018}' | '`' | '´' => '\'',
        '\u{2212}' | '\u{2013}' => '-',
        other => other,
    }
}

/// Sign and digits of an amount after removing currency markers; `None` when the text has no
/// digit at all.
struct Stripped {
    negative: bool,
    body: String,
}

fn strip(text: &str) -> Result<Option<Stripped>, String> {
    let mut s: String = text.chars().map(normalize).collect();
    // A leading apostrophe is a spreadsheet's mark that the cell is text (`'579,68 USD`), kept
    // by some exports; never a digit group, which follows a digit.
    s = s.trim().trim_start_matches('\'').trim_start().to_string();
    if !s.chars().any(|c| c.is_ascii_digit()) {
        return if s
            .chars()
            .all(|c| c == '-' || c == '+' || c == ' ' || SYMBOLS.contains(&c))
        {
            Ok(None)
        } else {
            Err("it is not a number".into())
        };
    }
    let mut negative = false;
    let mut signs = 0;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        signs += 1;
        s = s[1..s.len() - 1].trim().to_string();
    }
    let upper = s.to_ascii_uppercase();
    for (suffix, neg) in [("CR", false), ("DR", true)] {
        if upper.ends_with(suffix)
            && upper[..upper.len() - 2]
                .trim_end()
                .ends_with(|c: char| c.is_ascii_digit())
        {
            negative ^= neg;
            signs += 1;
            s = s[..s.len() - 2].trim_end().to_string();
            break;
        }
    }
    // Peel currency symbols, ISO codes, signs and spaces off both ends.
    loop {
        let before = s.len();
        s = s.trim().to_string();
        if let Some(rest) = s.strip_prefix('-') {
            negative = !negative;
            signs += 1;
            s = rest.to_string();
        } else if let Some(rest) = s.strip_prefix('+') {
            signs += 1;
            s = rest.to_string();
        } else if let Some(rest) = s.strip_suffix('-') {
            negative = !negative;
            signs += 1;
            s = rest.to_string();
        } else if let Some(rest) = s.strip_suffix('+') {
            signs += 1;
            s = rest.to_string();
        } else if s.starts_with(SYMBOLS) {
            s = s.chars().skip(1).collect();
        } else if s.ends_with(SYMBOLS) {
            let n = s.chars().count();
            s = s.chars().take(n - 1).collect();
        } else {
            // An ISO code or a currency word: three capitals, or letters (abbreviated with dots:
            // `Rs.`, `د.ا.`) set off by a space.
            let word = |c: &char| c.is_alphabetic() || *c == '.';
            let lead: String = s.chars().take_while(word).collect();
            let trail: String = s.chars().rev().take_while(word).collect();
            let code = |w: &str, spaced: bool| {
                (w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase()))
                    || (spaced
                        && (1..=4).contains(&w.chars().count())
                        && w.chars().any(char::is_alphabetic))
            };
            if !lead.is_empty() && code(&lead, s[lead.len()..].starts_with(' ')) {
                s = s[lead.len()..].to_string();
            } else if !trail.is_empty() {
                let cut = s.len() - trail.len();
                if code(&trail, s[..cut].ends_with(' ')) {
                    s = s[..cut].to_string();
                }
            }
        }
        if s.len() == before {
            break;
        }
    }
    if signs > 1 {
        return Err("it has more than one sign".into());
    }
    Ok(Some(Stripped { negative, body: s }))
}

/// Parses an amount into minor units with `digits` decimals. `Ok(None)`: the cell is empty (or
/// only a sign/currency). `Err(reason)`: the text is not an amount in this format.
pub fn parse(
    text: &str,
    decimal: DecimalSeparator,
    thousands: Option<char>,
    digits: u32,
) -> Result<Option<i64>, String> {
    let Some(Stripped { negative, body }) = strip(text)? else {
        return Ok(None);
    };
    let dec = decimal.as_char();
    let thousands = thousands.map(normalize);
    let (int_part, frac_part) = match body.split_once(dec) {
        Some((i, f)) => (i, f),
        None => (body.as_str(), ""),
    };
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("expected digits after the decimal mark '{dec}'"));
    }
    let mut int_digits = String::new();
    match thousands {
        Some(t) if int_part.contains(t) => {
            let groups: Vec<&str> = int_part.split(t).collect();
            let ok = groups.iter().enumerate().all(|(i, g)| {
                g.chars().all(|c| c.is_ascii_digit())
                    && if i == 0 {
                        (1..=3).contains(&g.len())
                    } else {
                        g.len() == 3
                    }
            });
            if !ok {
                return Err(format!(
                    "the digit groups around '{t}' are not groups of three"
                ));
            }
            groups.iter().for_each(|g| int_digits.push_str(g));
        }
        _ => {
            if !int_part.chars().all(|c| c.is_ascii_digit()) {
                return Err("it is not a number".into());
            }
            int_digits.push_str(int_part);
        }
    }
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err("it has no digits".into());
    }
    let too_large = || "the number is too large".to_string();
    let mut value: i64 = 0;
    for c in int_digits.chars() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c as u8 - b'0')))
            .ok_or_else(too_large)?;
    }
    let frac: Vec<u8> = frac_part.bytes().map(|b| b - b'0').collect();
    for i in 0..digits as usize {
        let d = frac.get(i).copied().unwrap_or(0);
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(d)))
            .ok_or_else(too_large)?;
    }
    if frac.get(digits as usize).is_some_and(|d| *d >= 5) {
        value = value.checked_add(1).ok_or_else(too_large)?;
    }
    Ok(Some(if negative { -value } else { value }))
}

/// [`parse`] for an amount to be stored: one finer than the currency (a crypto amount,
/// 0.00314664) that would be stored as zero is an error instead. Detection keeps `parse`: such a
/// column still holds amounts.
pub fn parse_to_store(
    text: &str,
    decimal: DecimalSeparator,
    thousands: Option<char>,
    digits: u32,
) -> Result<Option<i64>, String> {
    let value = parse(text, decimal, thousands, digits)?;
    if value == Some(0) && text.chars().any(|c| ('1'..='9').contains(&c)) {
        return Err(format!(
            "it is finer than the currency's {digits} decimal{}: it would be stored as zero",
            if digits == 1 { "" } else { "s" }
        ));
    }
    Ok(value)
}

/// Whether the text is written with an explicit minus (or parentheses / DR).
pub fn is_negative(text: &str) -> bool {
    matches!(strip(text), Ok(Some(Stripped { negative: true, .. })))
}

/// The decimal mark and digit-group mark of a file, decided from every amount-like cell:
/// `1.234,56` and `12,5` vote for a comma, `1,234.56` and `12.5` for a point; `1,234` alone is
/// ambiguous and does not vote. Ties go to the point. Cells are added one at a time and only
/// counters are kept.
#[derive(Default, Clone)]
pub struct SeparatorVotes {
    comma: usize,
    point: usize,
    /// Group marks seen, each once, in the order first seen.
    groups: Vec<char>,
}

impl SeparatorVotes {
    fn group(&mut self, g: char) {
        if !self.groups.contains(&g) {
            self.groups.push(g);
        }
    }

    pub fn add(&mut self, sample: &str) {
        let Ok(Some(Stripped { body, .. })) = strip(sample) else {
            return;
        };
        let last_comma = body.rfind(',');
        let last_point = body.rfind('.');
        for g in [' ', '\''] {
            if body.trim().contains(g) {
                self.group(g);
            }
        }
        match (last_comma, last_point) {
            (Some(c), Some(p)) => {
                if c > p {
                    self.comma += 2;
                    self.group('.');
                } else {
                    self.point += 2;
                    self.group(',');
                }
            }
            (Some(c), None) => {
                let after = body.len() - c - 1;
                if body.matches(',').count() > 1 {
                    self.point += 1;
                    self.group(',');
                } else if after != 3 {
                    self.comma += 1;
                }
            }
            (None, Some(p)) => {
                let after = body.len() - p - 1;
                if body.matches('.').count() > 1 {
                    self.comma += 1;
                    self.group('.');
                } else if after != 3 {
                    self.point += 1;
                }
            }
            (None, None) => {}
        }
    }

    pub fn decide(&self) -> (DecimalSeparator, Option<char>) {
        let decimal = if self.comma > self.point {
            DecimalSeparator::Comma
        } else {
            DecimalSeparator::Point
        };
        let dec = decimal.as_char();
        let seen = self.groups.iter().copied().find(|g| *g != dec);
        let thousands = seen.or(Some(match decimal {
            DecimalSeparator::Point => ',',
            DecimalSeparator::Comma => '.',
        }));
        (decimal, thousands)
    }
}

/// [`SeparatorVotes`] over a list of cells.
pub fn detect_separators<'a>(
    samples: impl Iterator<Item = &'a str>,
) -> (DecimalSeparator, Option<char>) {
    let mut votes = SeparatorVotes::default();
    samples.for_each(|s| votes.add(s));
    votes.decide()
}

#[cfg(test)]
mod tests {
    use super::DecimalSeparator::{Comma, Point};
    use super::*;

    fn p(t: &str, d: DecimalSeparator, g: Option<char>) -> Result<Option<i64>, String> {
        parse(t, d, g, 2)
    }

    #[test]
    fn reads_the_common_shapes() {
        assert_eq!(p("1.234,56", Comma, Some('.')), Ok(Some(123456)));
        assert_eq!(p("1,234.56", Point, Some(',')), Ok(Some(123456)));
        assert_eq!(p("11'373.94", Point, Some('\'')), Ok(Some(1137394)));
        assert_eq!(p("1 234,56", Comma, Some(' ')), Ok(Some(123456)));
        assert_eq!(p("1\u{a0}234,56", Comma, Some(' ')), Ok(Some(123456)));
        assert_eq!(p("-$7,971.39", Point, Some(',')), Ok(Some(-797139)));
        assert_eq!(p("$-7.00", Point, Some(',')), Ok(Some(-700)));
        assert_eq!(p("+ £1,100.00", Point, Some(',')), Ok(Some(110000)));
        assert_eq!(p("(12.50)", Point, None), Ok(Some(-1250)));
        assert_eq!(p("12,50-", Comma, None), Ok(Some(-1250)));
        assert_eq!(p("12.50 DR", Point, None), Ok(Some(-1250)));
        assert_eq!(p("12.50CR", Point, None), Ok(Some(1250)));
        assert_eq!(p("EUR 12,00", Comma, None), Ok(Some(1200)));
        assert_eq!(p("12.00 USD", Point, None), Ok(Some(1200)));
        assert_eq!(p("+50,00", Comma, None), Ok(Some(5000)));
        assert_eq!(p(" 7.80", Point, None), Ok(Some(780)));
        assert_eq!(p("1", Point, None), Ok(Some(100)));
        assert_eq!(p(".5", Point, None), Ok(Some(50)));
        // Abbreviated symbols, and the right-to-left mark an Arabic one comes with.
        assert_eq!(p("Rs. 1,250.00", Point, Some(',')), Ok(Some(125000)));
        assert_eq!(parse("د.ا.\u{200f}4.750", Point, None, 3), Ok(Some(4750)));
        assert_eq!(parse("4.750 د.ا.", Point, None, 3), Ok(Some(4750)));
        // A spreadsheet's text mark.
        assert_eq!(p("'579,68 USD", Comma, Some('.')), Ok(Some(57968)));
        assert_eq!(p("'-1.084,00 $", Comma, Some('.')), Ok(Some(-108400)));
    }

    #[test]
    fn empty_is_none_and_garbage_is_an_error() {
        assert_eq!(p("", Point, None), Ok(None));
        assert_eq!(p("  ", Point, None), Ok(None));
        assert_eq!(p("$", Point, None), Ok(None));
        assert!(p("12,3,4", Point, Some(',')).is_err());
        assert!(p("abc", Point, None).is_err());
        assert!(p("12.34.56", Point, None).is_err());
        assert!(p("--12", Point, None).is_err());
        assert!(p("99999999999999999999", Point, None).is_err());
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(parse("0.125", Point, None, 2), Ok(Some(13)));
        assert_eq!(parse("-0.125", Point, None, 2), Ok(Some(-13)));
        assert_eq!(parse("0.124", Point, None, 2), Ok(Some(12)));
        assert_eq!(parse("73.7789", Point, None, 2), Ok(Some(7378)));
        assert_eq!(parse("1234.5", Point, None, 0), Ok(Some(1235)));
        assert_eq!(parse("1.5", Point, None, 3), Ok(Some(1500)));
        assert_eq!(parse("0.004", Point, None, 2), Ok(Some(0)));
        assert_eq!(parse_to_store("0.00", Point, None, 2), Ok(Some(0)));
        assert!(parse_to_store("0.00314664", Point, None, 2).is_err());
        assert!(parse_to_store("-0.004 EUR", Point, None, 2).is_err());
    }

    #[test]
    fn detects_separators_from_all_samples() {
        let s = ["1.234,56", "12,00", "-3,40"];
        assert_eq!(detect_separators(s.into_iter()), (Comma, Some('.')));
        let s = ["1,234.56", "12.00"];
        assert_eq!(detect_separators(s.into_iter()), (Point, Some(',')));
        let s = ["4,884", "1,280.8"];
        assert_eq!(detect_separators(s.into_iter()), (Point, Some(',')));
        let s = ["11'373.94"];
        assert_eq!(detect_separators(s.into_iter()), (Point, Some('\'')));
        let s = ["50000"];
        assert_eq!(detect_separators(s.into_iter()), (Point, Some(',')));
        let s = ["'579,68 USD", "'544,00 $", "1084"];
        assert_eq!(detect_separators(s.into_iter()), (Comma, Some('.')));
    }
}
