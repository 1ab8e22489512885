//! SWIFT MT940 (customer statement) and MT942 (interim report), as banks hand them to
//! customers: `.sta` / `.mt940` text, with or without the `{1:…}{4:` envelope.
//!
//! Decisions: a statement begins at each `:20:`; `:61:` is one booking and the `:86:` fields after
//! it (some banks write one per narrative line) its narrative. The row's date is the entry
//! (booking) date when the `:61:` gives one (its year taken from the value date, across a year
//! end), else the value date; a day past the month's end (German banks value a quarter's charges
//! on 30 February) is the month's last day. Marks: `C` credit, `D`
//! debit, `RC` reversal of a credit (money out), `RD` reversal of a debit (money in); `EC`/`ED`
//! (MT942 expected entries) are read as C/D. The bank's reference (after `//`), else the
//! account owner's reference unless `NONREF`, else the narrative's end-to-end id, identifies the
//! booking for duplicate detection. Every statement with both an opening (`:60F:`/`:60M:`) and a
//! closing (`:62F:`/`:62M:`) balance is checked: opening + movements = closing. One that does not
//! add up, or a balance that cannot be read, is reported on its line as a problem that does not
//! stop the import: the bookings are what the bank sent, and a file the user cannot change is
//! better imported with the discrepancy shown than refused. All balances must be in one currency.
//! Text wrapped at a fixed width is put back together: a tag split over two lines (`:` then
//! `86:`), a `:61:` whose amount is on its second line, the envelope's `-}{5:…}` trailer.

use chrono::{Datelike, NaiveDate};

use super::amount::{self, DecimalSeparator};
use super::encoding::Text;
use super::{Format, ImportError, Parsed, ParsedRow, RowProblem};

/// Whether text is an MT940/MT942: a `:20:` reference line and a `:61:` or balance line among
/// the field tags near the start.
pub fn looks_like(text: &str) -> bool {
    let tags: Vec<&str> = lines(text)
        .take(200)
        .filter_map(|l| tag_of(l.rfind("{4:").map_or(l, |p| &l[p + 3..])))
        .collect();
    let has = |t: &str| tags.contains(&t);
    let starts_with_a_field = lines(text)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| tag_of(l.trim_start_matches('\u{feff}')).is_some());
    (has("20") && (has("61") || has("60F") || has("60M") || has("34F")))
        || (starts_with_a_field && has("61"))
}

/// The text's lines; FinTS (HBCI) clients hand the statement on as one line with `@@` between.
/// Only a line that holds a field after an `@@` is split, so a narrative's own `@@` stays.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .flat_map(|l| l.splitn(if l.contains("@@:") { usize::MAX } else { 1 }, "@@"))
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
    // A line holding only `:`, whose tag goes on at the start of the next line.
    let mut split_tag = false;
    for (i, raw) in lines(text).enumerate() {
        let line = raw.trim_end_matches('\r');
        // The SWIFT envelope: `{1:F01…}{2:…}{4:` opens, `-}` (often `-}{5:…}`) closes it.
        let line = match line.rfind("{4:") {
            Some(p) => &line[p + 3..],
            None => line,
        };
        if line.trim() == "-" || line.starts_with("-}") || line.starts_with("{5:") {
            continue;
        }
        let joined;
        let line = if std::mem::take(&mut split_tag) {
            joined = format!(":{line}");
            if tag_of(&joined).is_some() {
                joined.as_str()
            } else {
                line
            }
        } else {
            line
        };
        if line == ":" {
            split_tag = true;
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
    day_in_month(year, n(2..4)?, n(4..6)?)
}

/// The date, or the month's last day for a day past its end (`30` February); `None` for a
/// month or day that is no date at all.
fn day_in_month(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if day > 31 {
        return None;
    }
    (1..=day)
        .rev()
        .take(4)
        .find_map(|d| NaiveDate::from_ymd_opt(year, month, d))
}

/// `1234,56` in minor units; `1234.56` too, as some banks write it.
fn money(text: &str, digits: u32) -> Result<i64, String> {
    let mark = if text.contains('.') && !text.contains(',') {
        DecimalSeparator::Point
    } else {
        DecimalSeparator::Comma
    };
    amount::parse(text, mark, None, digits)?.ok_or_else(|| "it has no amount".to_string())
}

/// A balance: `C230131EUR1234,56`.
struct Balance {
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
    rest.get(..6)
        .and_then(yymmdd)
        .ok_or_else(|| format!("'{v}' has no YYMMDD date"))?;
    let currency = rest
        .get(6..9)
        .filter(|c| c.chars().all(|c| c.is_ascii_uppercase()))
        .ok_or_else(|| format!("'{v}' has no currency"))?;
    let amount = money(&rest[9..], digits).map_err(|e| format!("'{v}': {e}"))?;
    Ok(Balance {
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
    /// `N` + three characters (`NTRF`, `NMSC`…), `F`/`S` + three, a bank's own code, or empty.
    kind: String,
    customer_ref: String,
    bank_ref: Option<String>,
    details: Option<String>,
}

fn booking(value: &str, digits: u32) -> Result<Booking, String> {
    let mut parts = value.split('\n').map(str::trim).filter(|l| !l.is_empty());
    let mut first = parts.next().unwrap_or_default().to_owned();
    // Wrapped at a fixed width right after the mark (`…1126CR`): the amount opens the next line.
    let rest_of_first = first.trim_start_matches(|c: char| c.is_ascii_digit());
    if rest_of_first.len() <= 3 && rest_of_first.chars().all(|c| c.is_ascii_uppercase()) {
        first.extend(parts.next());
    }
    let details = Some(parts.collect::<Vec<_>>().join(" ")).filter(|d| !d.is_empty());
    let first = first.as_str();
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
                .filter_map(|dy| day_in_month(value_date.year() + dy, m, d))
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
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(rest.len());
    let amount = money(&rest[..end], digits)?;
    // SWIFT's `N`/`F`/`S` + three, the bank-specific codes some write instead (`MCI0`), after a
    // space in some banks' files; a few write none and go on with the reference.
    rest = rest[end..].trim_start();
    let kind = rest
        .get(..4)
        .filter(|k| {
            k.starts_with(|c: char| c.is_ascii_uppercase())
                && k.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ')
        })
        .unwrap_or_default();
    rest = &rest[kind.len()..];
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
    // (statement name, opening balance, movements so far)
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
            "60F" | "60M" | "62F" | "62M" => match balance(&f.value, digits) {
                Err(e) => {
                    problems.push(RowProblem {
                        skipped: true,
                        ..bad(
                            f.line,
                            "balance",
                            &f.value,
                            format!(
                                "the balance :{}: cannot be read: {e}; the statement's sums are not checked",
                                f.tag
                            ),
                        )
                    });
                    if let Some((_, opening, _)) = statement.as_mut() {
                        *opening = None;
                    }
                }
                Ok(b) => {
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
                                problems.push(super::unbalanced(
                                    f.line, name, expected, b.amount, digits,
                                ));
                            }
                        }
                    }
                }
            },
            "61" => {
                let said = fields[i + 1..]
                    .iter()
                    .take_while(|n| n.tag == "86")
                    .map(|n| n.value.as_str())
                    .collect::<Vec<_>>();
                let narrative = (!said.is_empty()).then(|| narrative(&said.join("\n")));
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
                                .or_else(|| Some(b.kind.clone()).filter(|k| !k.is_empty()))
                                .unwrap_or_else(|| "Bank entry".into());
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
                i += said.len();
            }
            _ => {}
        }
        i += 1;
    }
    if statements == 0 && rows.is_empty() {
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
        // A space before the type, a point for the decimal mark, no type before the reference.
        let b = booking("2006080608D12,35 NRTIKREF+//2016021783252833", 2).unwrap();
        assert_eq!((b.amount, b.kind.as_str()), (-1235, "NRTI"));
        assert_eq!(
            booking("1501260125DR52.58NTRFITM9036289", 2)
                .unwrap()
                .amount,
            -5258
        );
        let b = booking("2011301130CN220000,00//19239782213", 2).unwrap();
        assert_eq!((b.amount, b.kind.as_str()), (22000000, ""));
        assert_eq!(b.bank_ref.as_deref(), Some("19239782213"));
        for bad in ["23013D1,NTRF", "230131X1,NTRF", "230131D,NTRF"] {
            assert!(booking(bad, 2).is_err(), "{bad}");
        }
    }

    fn read(text: &str) -> Parsed {
        parse(
            &Text {
                text: text.into(),
                encoding: encoding_rs::UTF_8,
            },
            2,
        )
        .unwrap()
    }

    #[test]
    fn text_wrapped_at_a_fixed_width_is_put_back_together() {
        // A savings bank's export: the amount on the `:61:`'s second line, the `:86:` tag split
        // after its colon, a charge valued on 30 February, the envelope closed by `-}{5:}`.
        let p = read(
            "{1:F01SPKADE21XXXX0000000000}{2:O940}{4:\n:20:STARTUMS\n:25:12345678/1020304050\n\
             :60F:C160229EUR1200,00\n:61:1811261126CR\n30,00N062NONREF\n:\n\
             86:166?00GUTSCHR. UEBERWEISUNG?20SVWZ+Test\n:61:1602300301DR6,00N024NONREF\n\
             :86:805?00ENTGELTABSCHLUSS\n:62F:C160301EUR1224,00\n-}{5:}\n",
        );
        let got: Vec<_> = p.rows.iter().map(|r| (r.date, r.amount)).collect();
        assert_eq!(got, [(d(2018, 11, 26), 3000), (d(2016, 3, 1), -600)]);
        assert_eq!(p.rows[0].description, "GUTSCHR. UEBERWEISUNG Test");
        assert_eq!(p.problems, []);
        assert_eq!(
            booking("1602300229D6,00N024NONREF", 2).unwrap().value_date,
            d(2016, 2, 29)
        );
        assert_eq!(
            booking("1604310431D6,00NMSCX", 2).unwrap().entry_date,
            Some(d(2016, 4, 30))
        );
        assert!(booking("1613010101D6,00NMSCX", 2).is_err());
        assert!(booking("1601320101D6,00NMSCX", 2).is_err());
    }

    #[test]
    fn narratives_over_several_fields_and_bank_codes_are_read() {
        let p = read(
            ":20:940A110615\n:25:1291.99.348EUR\n:60F:C110614EUR473,17\n\
             :61:110527D1213,28N0440121470966      W.P. Jansen\n:86:Terugboeking\n\
             :86:NIET AKKOORD MET AFSCHRIJVING\n:61:1610301031D0,42MCI0NONREF//055001\n\
             :62F:C110615740,53\n",
        );
        assert_eq!(p.rows.len(), 2);
        assert_eq!(
            p.rows[0].description,
            "Terugboeking NIET AKKOORD MET AFSCHRIJVING"
        );
        assert_eq!(p.rows[1].amount, -42);
        // A balance that cannot be read leaves the sums unchecked, and says so.
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].skipped && p.problems[0].field == "balance");
        assert!(p.problems[0]
            .message
            .starts_with("line 8: the balance :62F: cannot be read"));
    }

    #[test]
    fn a_statement_that_does_not_add_up_is_imported_and_reported_on_its_closing_line() {
        let p = read(
            ":20:ING\n:28C:000\n:60F:C100722EUR0,00\n:61:100722D45,59NTRFREF\n:62F:C100723EUR3,47\n",
        );
        assert_eq!(p.rows.len(), 1);
        let problem = &p.problems[0];
        assert_eq!(
            (problem.line, problem.field.as_str(), problem.skipped),
            (5, "balance", true)
        );
        assert_eq!(
            problem.message,
            "line 5: statement 'ING' (number 000) does not add up: the opening balance plus its \
             movements is -45.59 but its closing balance is 3.47; compare the rows with the \
             bank's statement"
        );
        // Statement lines with no statement around them still read; nothing at all does not.
        assert_eq!(
            read(":61:110701CN50,00NZ10NONREF\n-\n").rows[0].amount,
            5000
        );
        assert!(looks_like(":61:110701CN50,00NZ10NONREF\n-\n"));
    }

    #[test]
    fn fints_reports_on_one_line_and_narratives_with_at_signs() {
        let one_line = "@@:20:STARTUMS@@:25:72090900/9876543219@@:28C:0@@:34F:EUR 999,99@@\
                        :61:160421D0,02NMSCKREF+@@:86:005?00LASTSCHRIFT@@-";
        assert!(looks_like(one_line));
        assert_eq!(read(one_line).rows[0].amount, -2);
        let own_at_signs = ":20:X\n:61:160421D0,02NMSCKREF\n:86:mail@@example\n-";
        assert_eq!(read(own_at_signs).rows[0].description, "mail@@example");
    }

    #[test]
    fn balances_carry_sign_date_and_currency() {
        let b = balance("C230131EUR1234,56", 2).unwrap();
        assert_eq!((b.currency.as_str(), b.amount), ("EUR", 123456));
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
