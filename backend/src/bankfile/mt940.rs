//! SWIFT MT940 (customer statement) and MT942 (interim report), as banks hand them to
//! customers: `.sta` / `.mt940` text, with or without the `{1:…}{4:` envelope.
//!
//! Decisions: a statement begins at each `:20:`; `:61:` is one booking and the `:86:` after it
//! its narrative. The row's date is the entry (booking) date when the `:61:` gives one (its year
//! taken from the value date, across a year end), else the value date. Marks: `C` credit, `D`
//! debit, `RC` reversal of a credit (money out), `RD` reversal of a debit (money in); `EC`/`ED`
//! (MT942 expected entries) are read as C/D. The bank's reference (after `//`), else the
//! account owner's reference unless `NONREF`, else the narrative's end-to-end id, identifies the
//! booking for duplicate detection. Every statement with both an opening (`:60F:`/`:60M:`) and a
//! closing (`:62F:`/`:62M:`) balance must add up: opening + movements = closing, or the file is
//! refused naming the statement; all balances must be in one currency.

use chrono::{Datelike, NaiveDate};

use super::amount::{self, DecimalSeparator};
use super::encoding::Text;
use super::{Format, ImportError, Parsed, ParsedRow, RowProblem};

/// Whether text is an MT940/MT942: a `:20:` reference line and a `:61:` or balance line among
/// the field tags near the start.
pub fn looks_like(text: &str) -> bool {
    let tags: Vec<&str> = text
        .lines()
        .take(200)
        .filter_map(|l| tag_of(l.rfind("{4:").map_or(l, |p| &l[p + 3..])))
        .collect();
    let has = |t: &str| tags.contains(&t);
    has("20") && (has("61") || has("60F") || has("60M") || has("34F"))
}

/// `:61:` → `61`, for a line that starts a field.
fn tag_of(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let ok = (2..=3).contains(&tag.len())
        && tag.as_bytes()[..2].iter().all(u8::is_ascii_digit)
        && tag[2..].chars().all(|c| c.is_ascii_uppercase());
    ok.then_some(tag)
}

/// One field: its tag, its text (continuation lines joined with `\n`) and its first line.
struct Field {
    tag: String,
    value: String,
    line: usize,
}

fn fields(text: &str) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        // The SWIFT envelope: `{1:F01…}{2:…}{4:` opens, `-}` closes the text block.
        let line = match line.rfind("{4:") {
            Some(p) => &line[p + 3..],
            None => line,
        };
        if line.trim() == "-}" || line.trim() == "-" || line.starts_with("{5:") {
            continue;
        }
        match tag_of(line) {
            Some(tag) => out.push(Field {
                tag: tag.to_owned(),
                value: line[tag.len() + 2..].to_owned(),
                line: i + 1,
            }),
            None => {
                if let Some(last) = out.last_mut() {
                    if !line.trim().is_empty() {
                        last.value.push('\n');
                        last.value.push_str(line);
                    }
                }
            }
        }
    }
    out
}

fn yymmdd(s: &str) -> Option<NaiveDate> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    // SWIFT years: 00–79 → 20xx, 80–99 → 19xx.
    let yy = n(0..2)? as i32;
    let year = if yy < 80 { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(year, n(2..4)?, n(4..6)?)
}

/// `1234,56` in minor units.
fn money(text: &str, digits: u32) -> Result<i64, String> {
    amount::parse(text, DecimalSeparator::Comma, None, digits)?
        .ok_or_else(|| "it has no amount".to_string())
}

/// A balance: `C230131EUR1234,56`.
struct Balance {
    date: NaiveDate,
    currency: String,
    amount: i64,
}

fn balance(value: &str, digits: u32) -> Result<Balance, String> {
    let v = value.trim();
    let (sign, rest) = match v.get(..1) {
        Some("C") => (1, &v[1..]),
        Some("D") => (-1, &v[1..]),
        _ => return Err(format!("'{v}' does not start with C or D")),
    };
    let date = rest
        .get(..6)
        .and_then(yymmdd)
        .ok_or_else(|| format!("'{v}' has no YYMMDD date"))?;
    let currency = rest
        .get(6..9)
        .filter(|c| c.chars().all(|c| c.is_ascii_uppercase()))
        .ok_or_else(|| format!("'{v}' has no currency"))?;
    let amount = money(&rest[9..], digits).map_err(|e| format!("'{v}': {e}"))?;
    Ok(Balance {
        date,
        currency: currency.to_owned(),
        amount: sign * amount,
    })
}

/// A `:61:` statement line.
#[derive(Debug, PartialEq, Eq)]
struct Booking {
    value_date: NaiveDate,
    entry_date: Option<NaiveDate>,
    /// Signed: money out negative.
    amount: i64,
    reversal: bool,
    /// `N` + three characters (`NTRF`, `NMSC`…), or `F`/`S` + three.
    kind: String,
    customer_ref: String,
    bank_ref: Option<String>,
    details: Option<String>,
}

fn booking(value: &str, digits: u32) -> Result<Booking, String> {
    let (first, details) = match value.split_once('\n') {
        Some((f, d)) => (f.trim(), Some(d.trim().replace('\n', " "))),
        None => (value.trim(), None),
    };
    let value_date = first
        .get(..6)
        .and_then(yymmdd)
        .ok_or_else(|| "it does not start with a YYMMDD value date".to_string())?;
    let mut rest = &first[6..];
    let entry_date = match rest
        .get(..4)
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
    {
        Some(mmdd) => {
            rest = &rest[4..];
            let (m, d) = (mmdd[..2].parse().ok(), mmdd[2..].parse().ok());
            let (Some(m), Some(d)) = (m, d) else {
                return Err("its entry date is not MMDD".into());
            };
            // The entry date has no year: the one that puts it nearest the value date.
            let near = [-1, 0, 1]
                .iter()
                .filter_map(|dy| NaiveDate::from_ymd_opt(value_date.year() + dy, m, d))
                .min_by_key(|e| (*e - value_date).num_days().abs());
            Some(near.ok_or("its entry date is not a date")?)
        }
        None => None,
    };
    let (sign, reversal, skip) = if rest.starts_with("RC") {
        (-1, true, 2)
    } else if rest.starts_with("RD") {
        (1, true, 2)
    } else if rest.starts_with("EC") {
        (1, false, 2)
    } else if rest.starts_with("ED") {
        (-1, false, 2)
    } else if rest.starts_with('C') {
        (1, false, 1)
    } else if rest.starts_with('D') {
        (-1, false, 1)
    } else {
        return Err("it has no debit/credit mark (D, C, RD or RC)".into());
    };
    rest = &rest[skip..];
    // The optional funds code: the third letter of the currency code.
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        rest = &rest[1..];
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    let amount = money(&rest[..end], digits)?;
    rest = &rest[end..];
    let kind = rest
        .get(..4)
        .filter(|k| k.starts_with(['N', 'F', 'S']))
        .ok_or_else(|| "it has no transaction type (such as NTRF) after the amount".to_string())?;
    rest = &rest[4..];
    let (customer_ref, bank_ref) = match rest.split_once("//") {
        Some((c, b)) => (c, Some(b.trim().to_owned()).filter(|b| !b.is_empty())),
        None => (rest, None),
    };
    Ok(Booking {
        value_date,
        entry_date,
        amount: sign * amount,
        reversal,
        kind: kind.to_owned(),
        customer_ref: customer_ref.trim().to_owned(),
        bank_ref,
        details: details.filter(|d| !d.is_empty()),
    })
}

/// What a `:86:` narrative says.
#[derive(Debug, Default, PartialEq, Eq)]
struct Narrative {
    text: String,
    payee: Option<String>,
    end_to_end: Option<String>,
}

/// German structured `:86:` (`GVC?00Buchungstext?20…?29 purpose ?32?33 name …`), the `/TAG/`
/// variant (`/EREF/…/REMI/…/NAME/…`, also `/ORDP//NAME/` and `/BENM//NAME/`), or free text.
fn narrative(value: &str) -> Narrative {
    let flat: String = value.split('\n').collect::<Vec<_>>().join("");
    let bytes = flat.as_bytes();
    if bytes.len() > 4 && bytes[..3].iter().all(u8::is_ascii_digit) && !bytes[3].is_ascii_digit() {
        let sep = flat[3..].chars().next().unwrap_or('?');
        if !sep.is_alphanumeric() && !sep.is_whitespace() {
            return german(&flat[3..], sep);
        }
    }
    if flat.trim_start().starts_with('/') {
        if let Some(n) = slash_tags(flat.trim()) {
            return n;
        }
    }
    Narrative {
        text: value
            .split('\n')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" "),
        ..Narrative::default()
    }
}

fn german(body: &str, sep: char) -> Narrative {
    let mut booking_text = String::new();
    let mut purpose = String::new();
    let mut name = String::new();
    for part in body.split(sep).filter(|p| p.len() >= 2) {
        let (code, text) = part.split_at(2);
        match code {
            "00" => booking_text.push_str(text.trim()),
            "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60" | "61"
            | "62" | "63" => purpose.push_str(text),
            "32" | "33" => name.push_str(text),
            _ => {}
        }
    }
    // SEPA keys inside the purpose: `EREF+` end-to-end id, `SVWZ+` the remittance text.
    let key = |k: &str| {
        let start = purpose.find(k)? + k.len();
        let rest = &purpose[start..];
        let end = [
            "EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+",
        ]
        .iter()
        .filter_map(|other| rest.find(other))
        .min()
        .unwrap_or(rest.len());
        Some(rest[..end].trim().to_owned()).filter(|s| !s.is_empty())
    };
    let remittance = key("SVWZ+").unwrap_or_else(|| {
        if purpose.contains('+') && purpose.get(4..5) == Some("+") {
            String::new()
        } else {
            purpose.trim().to_owned()
        }
    });
    let text = [booking_text.as_str(), remittance.as_str()]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Narrative {
        text,
        payee: Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
        end_to_end: key("EREF+").filter(|e| e != "NOTPROVIDED"),
    }
}

/// `/CODE/value` pairs; a code is 2–4 capital letters. `None` when there are none.
fn slash_tags(text: &str) -> Option<Narrative> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut rest = text;
    while let Some(after) = rest.strip_prefix('/') {
        let end = after.find('/')?;
        let code = &after[..end];
        if !(2..=4).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return None;
        }
        let body = &after[end + 1..];
        // The value runs to the next `/CODE/`; values may hold single slashes.
        let mut stop = body.len();
        let mut search = 0;
        while let Some(p) = body[search..].find('/') {
            let at = search + p;
            let tail = &body[at + 1..];
            let next = tail.find('/').map(|e| &tail[..e]);
            if next.is_some_and(|c| {
                (2..=4).contains(&c.len()) && c.chars().all(|c| c.is_ascii_uppercase())
            }) {
                stop = at;
                break;
            }
            search = at + 1;
        }
        pairs.push((code.to_owned(), body[..stop].to_owned()));
        rest = &body[stop..];
    }
    if pairs.is_empty() {
        return None;
    }
    let get = |c: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == c)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Some(Narrative {
        text: get("REMI")
            .or_else(|| get("PURP"))
            .unwrap_or_default()
            .replace('/', " ")
            .trim()
            .to_owned(),
        payee: get("NAME"),
        end_to_end: get("EREF").filter(|e| e != "NOTPROVIDED"),
    })
}

/// Reads MT940/MT942 text.
pub fn parse(text: &Text, digits: u32) -> Result<Parsed, ImportError> {
    let fields = fields(&text.text);
    let mut rows: Vec<ParsedRow> = Vec::new();
    let mut problems: Vec<RowProblem> = Vec::new();
    let mut currencies: Vec<String> = Vec::new();
    // (statement name, opening, movements so far, line of :20:)
    let mut statement: Option<(String, Option<i64>, i64)> = None;
    let mut statements = 0;
    let bad = |line: usize, field: &str, text: &str, why: String| RowProblem {
        line,
        field: field.into(),
        text: text.trim().to_owned(),
        message: format!("line {line}: {why}"),
        skipped: false,
    };
    let mut i = 0;
    while i < fields.len() {
        let f = &fields[i];
        match f.tag.as_str() {
            "20" => {
                statements += 1;
                statement = Some((format!("statement '{}'", f.value.trim()), None, 0));
            }
            "28C" | "28" => {
                if let Some((name, _, _)) = statement.as_mut() {
                    name.push_str(&format!(" (number {})", f.value.trim()));
                }
            }
            "60F" | "60M" | "62F" | "62M" => {
                let b = balance(&f.value, digits).map_err(|e| {
                    ImportError::NoTransactions(format!(
                        "line {}: the balance :{}: cannot be read: {e}",
                        f.line, f.tag
                    ))
                })?;
                if !currencies.contains(&b.currency) {
                    currencies.push(b.currency.clone());
                }
                if let Some((name, opening, moved)) = statement.as_mut() {
                    if f.tag.starts_with("60") {
                        *opening = Some(b.amount);
                        *moved = 0;
                    } else if let Some(open) = *opening {
                        let expected = open.checked_add(*moved).ok_or_else(|| {
                            ImportError::TooLarge(format!("the sums of {name} overflow"))
                        })?;
                        if expected != b.amount {
                            return Err(ImportError::BalanceMismatch(format!(
                                "{name}: the opening balance plus its movements is {} but its closing balance on {} (line {}) is {}",
                                minor(expected, digits),
                                b.date,
                                f.line,
                                minor(b.amount, digits)
                            )));
                        }
                    }
                }
            }
            "61" => {
                let narrative = fields
                    .get(i + 1)
                    .filter(|n| n.tag == "86")
                    .map(|n| narrative(&n.value));
                match booking(&f.value, digits) {
                    Ok(b) => {
                        if let Some((_, _, moved)) = statement.as_mut() {
                            *moved = moved.checked_add(b.amount).ok_or_else(|| {
                                ImportError::TooLarge("the statement's sums overflow".into())
                            })?;
                        }
                        let n = narrative.unwrap_or_default();
                        let mut description = n.text.clone();
                        if description.is_empty() {
                            description = b
                                .details
                                .clone()
                                .or_else(|| n.payee.clone())
                                .unwrap_or_else(|| b.kind.clone());
                        }
                        if b.reversal {
                            description = format!("Reversal: {description}");
                        }
                        let external_id = b
                            .bank_ref
                            .clone()
                            .or_else(|| {
                                Some(b.customer_ref.clone())
                                    .filter(|r| !r.is_empty() && r != "NONREF")
                            })
                            .or(n.end_to_end.clone());
                        rows.push(ParsedRow {
                            line: f.line,
                            date: b.entry_date.unwrap_or(b.value_date),
                            amount: b.amount,
                            description,
                            payee: n.payee,
                            memo: b.details.filter(|d| *d != n.text),
                            bank_category: None,
                            external_id,
                            currency: None,
                            account: None,
                        });
                    }
                    Err(why) => problems.push(bad(
                        f.line,
                        "amount",
                        &f.value,
                        format!("the statement line :61: cannot be read: {why}"),
                    )),
                }
                if fields.get(i + 1).is_some_and(|n| n.tag == "86") {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if statements == 0 {
        return Err(ImportError::NoTransactions(
            "the MT940 file has no statement (no :20: field)".into(),
        ));
    }
    super::statement_file(Format::Mt940, text, currencies, rows, problems)
}

/// Minor units as a decimal, for messages.
pub fn minor(value: i64, digits: u32) -> String {
    let scale = 10i64.pow(digits);
    let sign = if value < 0 { "-" } else { "" };
    let v = value.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{v}");
    }
    format!(
        "{sign}{}.{:0width$}",
        v / scale as u64,
        v % scale as u64,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn statement_lines_in_every_variant() {
        let b = booking("2301310131D1234,56NTRFNONREF//B1234", 2).unwrap();
        assert_eq!(b.value_date, d(2023, 1, 31));
        assert_eq!(b.entry_date, Some(d(2023, 1, 31)));
        assert_eq!(b.amount, -123456);
        assert_eq!(b.kind, "NTRF");
        assert_eq!(b.customer_ref, "NONREF");
        assert_eq!(b.bank_ref.as_deref(), Some("B1234"));
        // No entry date, a credit with a funds code, no bank reference.
        let b = booking("230201CR50,NMSCREF-7", 2).unwrap();
        assert_eq!((b.entry_date, b.amount), (None, 5000));
        assert_eq!(b.customer_ref, "REF-7");
        // Reversals: RC takes money out again, RD gives it back.
        let b = booking("230202RC10,5NTRFX", 2).unwrap();
        assert_eq!((b.amount, b.reversal), (-1050, true));
        let b = booking("230202RD0,99NCHGX", 2).unwrap();
        assert_eq!((b.amount, b.reversal), (99, true));
        // An entry date in January for a value date on 31 December belongs to the next year.
        let b = booking("2312310102D1,NTRFX\nSUPPLEMENTARY", 2).unwrap();
        assert_eq!(b.entry_date, Some(d(2024, 1, 2)));
        assert_eq!(b.details.as_deref(), Some("SUPPLEMENTARY"));
        // Zero-decimal currencies.
        assert_eq!(booking("230101D1500,NTRFX", 0).unwrap().amount, -1500);
        for bad in ["23013D1,NTRF", "230131X1,NTRF", "230131D1,", "230131D,NTRF"] {
            assert!(booking(bad, 2).is_err(), "{bad}");
        }
    }

    #[test]
    fn balances_carry_sign_date_and_currency() {
        let b = balance("C230131EUR1234,56", 2).unwrap();
        assert_eq!(
            (b.date, b.currency.as_str(), b.amount),
            (d(2023, 1, 31), "EUR", 123456)
        );
        assert_eq!(balance("D230131EUR0,5", 2).unwrap().amount, -50);
        assert!(balance("X230131EUR1,00", 2).is_err());
    }

    #[test]
    fn german_structured_narratives() {
        let n = narrative("166?00SEPA-UEBERWEISUNG?109310?20EREF+E2E-4711?21SVWZ+Rechnung 20\n23-01 Danke?30DEUTDEFF?31DE0212345678?32Muster GmbH?33 Berlin?34997");
        assert_eq!(n.text, "SEPA-UEBERWEISUNG Rechnung 2023-01 Danke");
        assert_eq!(n.payee.as_deref(), Some("Muster GmbH Berlin"));
        assert_eq!(n.end_to_end.as_deref(), Some("E2E-4711"));
        // Without SEPA keys the purpose lines are the text.
        let n = narrative("005?00LASTSCHRIFT?20Miete Februar?32Hausverwaltung");
        assert_eq!(n.text, "LASTSCHRIFT Miete Februar");
    }

    #[test]
    fn slash_tagged_narratives() {
        let n = narrative("/EREF/NOTPROVIDED/REMI/INVOICE 12/2023 PAID/NAME/ACME B.V.");
        assert_eq!(n.text, "INVOICE 12 2023 PAID");
        assert_eq!(n.payee.as_deref(), Some("ACME B.V."));
        assert_eq!(n.end_to_end, None);
        let n = narrative("/EREF/ABC-1/ORDP//NAME/JANE DOE/REMI/GIFT");
        assert_eq!(n.end_to_end.as_deref(), Some("ABC-1"));
        assert_eq!(n.text, "GIFT");
        let n = narrative("CARD PAYMENT\nBAKERY 12");
        assert_eq!(n.text, "CARD PAYMENT BAKERY 12");
    }

    #[test]
    fn detects_by_content() {
        assert!(looks_like(
            ":20:STMT1\n:25:123/456\n:28C:1/1\n:60F:C230101EUR1,00\n"
        ));
        assert!(looks_like(
            "{1:F01BANKDEFFXXXX0000000000}{2:O940}{4:\n:20:X\n:61:230101D1,NTRFX\n-}"
        ));
        assert!(!looks_like("Date,Description\n2023-01-01,:20: nothing\n"));
    }

    #[test]
    fn minor_units_print_as_decimals() {
        assert_eq!(minor(-123456, 2), "-1234.56");
        assert_eq!(minor(5, 2), "0.05");
        assert_eq!(minor(1500, 0), "1500");
    }
}
