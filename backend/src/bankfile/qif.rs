//! QIF (Quicken Interchange Format): `!Type:` sections of records `D` date, `T`/`U` amount,
//! `P` payee, `M` memo, `L` category, `N` number, ended by `^`.
//!
//! Decisions: only cash-account sections (`Bank`, `Cash`, `CCard`, `Oth A`, `Oth L`, records
//! before any header, and records straight after the definition of such an account) hold
//! transactions; `!Account`, `!Type:Cat`, `Class`, `Memorized`,
//! `Security`, `Prices` and `Invst` records are definitions or investment actions and are
//! skipped. Split lines (`S`/`E`/`$`) are ignored: `T` is the total. An `Opening Balance` record
//! whose category is the account itself (`L[…]`) is a balance, not a transaction. The date
//! order is decided from all records (month first, the Quicken default, when they read both
//! ways).

use super::amount;
use super::date::{self, DateOrder};
use super::encoding::Text;
use super::{Format, ImportError, Mapping, Parsed, ParsedRow, RowProblem};

#[derive(Default)]
struct Record {
    line: usize,
    date: Option<String>,
    amount: Option<String>,
    payee: Option<String>,
    memo: Option<String>,
    category: Option<String>,
    /// Past the record's first split line (`S`).
    in_splits: bool,
    /// The `!Account` the record is listed under, if the file names one.
    account: Option<String>,
    /// `N`: a check number in a transaction, the name in an account definition.
    number: Option<String>,
}

impl Record {
    /// Under `!Account`, `T` is the account's type (`Bank`, `Oth A`, `401(k)/403(b)`); in a
    /// transaction it is the amount, which never holds a letter.
    fn is_transaction(&self) -> bool {
        self.amount.as_deref().is_some_and(|t| {
            t.chars().any(|c| c.is_ascii_digit()) && !t.chars().any(|c| c.is_ascii_alphabetic())
        })
    }
}

fn cash_section(header: &str) -> bool {
    let t = header.trim().to_ascii_lowercase();
    let t = t.trim_start_matches("!type:").trim();
    matches!(
        t,
        "bank" | "cash" | "ccard" | "oth a" | "oth l" | "invoice" | "othera" | "otherl"
    )
}

pub fn parse(text: &Text, given: Option<&Mapping>, digits: u32) -> Result<Parsed, ImportError> {
    let mut records: Vec<Record> = Vec::new();
    let mut in_cash = true; // records before any header are read as bank records
    let mut current = Record::default();
    let mut has_fields = false;
    // The account last defined (`!Account` then `N…`), which the records after it belong to.
    // Its definitions last until a record that is a transaction: moneyguru and older writers put
    // an account's records straight after its definition, without a `!Type:` header, and then
    // the account's own type says whether they are cash records.
    let (mut account, mut account_type, mut in_account) = (None::<String>, None::<String>, false);
    // A last record without its `^` ends with the file.
    let lines = super::lines_of(&text.text).chain(std::iter::once("^"));
    for (i, raw) in lines.enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with('!') {
            let upper = trimmed.to_ascii_uppercase();
            in_account = upper.starts_with("!ACCOUNT");
            if upper.starts_with("!TYPE:") {
                in_cash = cash_section(trimmed);
            } else if upper.starts_with("!ACCOUNT") {
                in_cash = false;
            }
            // !Option / !Clear lines change nothing
            current = Record::default();
            has_fields = false;
            continue;
        }
        if trimmed == "^" || trimmed.starts_with('^') {
            if in_account && has_fields && !current.is_transaction() {
                account = current.number.take();
                account_type = current.amount.take();
            } else if in_account && has_fields {
                in_account = false;
                in_cash = account_type.as_deref().is_none_or(cash_section);
            }
            if in_cash && has_fields {
                current.account = account.clone();
                records.push(std::mem::take(&mut current));
            }
            current = Record::default();
            has_fields = false;
            continue;
        }
        if !has_fields {
            current.line = i + 1;
        }
        has_fields = true;
        let (code, value) = trimmed.split_at(trimmed.chars().next().map_or(0, char::len_utf8));
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        // Some writers (quiffen) give a split its own date and text: from the first `S` on, a
        // date or text line fills only what the transaction left empty (QIF fixes no order, so
        // its own payee or total may still follow); the total is never a split's (`$`).
        if code == "S" {
            current.in_splits = true;
        }
        let splits = current.in_splits;
        let fill = |field: &mut Option<String>| {
            if !(splits && field.is_some()) {
                *field = value.clone();
            }
        };
        match code {
            "D" => fill(&mut current.date),
            "T" => current.amount = value,
            "U" if current.amount.is_none() => current.amount = value,
            "P" => fill(&mut current.payee),
            "M" => fill(&mut current.memo),
            "N" => current.number = value,
            "L" => fill(&mut current.category),
            _ => {}
        }
    }
    records.retain(|r| r.date.is_some() || r.amount.is_some());
    // The opening balance: a transfer from the account to itself (`L[Giro]` under `!Account`
    // `NGiro`), whatever the payee is called in the file's language (`Eröffnungssaldo`).
    let opening = |r: &Record| {
        let Some(to) = r.category.as_deref().and_then(|c| c.strip_prefix('[')) else {
            return false;
        };
        let to = to.trim_end_matches(']').trim();
        r.payee
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("opening balance"))
            || r.account
                .as_deref()
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(to))
    };
    records.retain(|r| !opening(r));
    if records.is_empty() {
        return Err(ImportError::NoTransactions(
            "this QIF file holds no bank, cash or card transaction records (only account, category or other definitions)."
                .into(),
        ));
    }

    let order = given.and_then(|m| m.date_order).or_else(|| {
        date::detect_order(
            records.iter().filter_map(|r| r.date.as_deref()),
            DateOrder::Mdy,
        )
    });
    let order = order.unwrap_or(DateOrder::Mdy);
    let amounts: Vec<&str> = records.iter().filter_map(|r| r.amount.as_deref()).collect();
    let (dec, thousands) = match given.and_then(|m| m.decimal_separator) {
        Some(d) => (d, given.and_then(|m| m.thousands_separator)),
        None => amount::detect_separators(amounts.iter().copied()),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for r in records {
        let line = r.line;
        let date_text = r.date.clone().unwrap_or_default();
        let amount_text = r.amount.clone().unwrap_or_default();
        let date = date::parse(&date_text, order);
        let amount = amount::parse_to_store(&amount_text, dec, thousands, digits);
        match (date, amount) {
            (Some(date), Ok(Some(amount))) => rows.push(ParsedRow {
                line,
                date,
                amount,
                description: r.payee.clone().or(r.memo.clone()).unwrap_or_default(),
                payee: r.payee,
                memo: r.memo,
                bank_category: r.category,
                external_id: None,
                currency: None,
                account: None,
            }),
            (None, _) => problems.push(RowProblem {
                line,
                field: "date".into(),
                text: date_text.clone(),
                message: if date_text.is_empty() {
                    format!("line {line}: the record has no date (a `D` line)")
                } else {
                    format!("line {line}: cannot read the date '{date_text}'")
                },
                skipped: false,
            }),
            (_, Ok(None)) => problems.push(RowProblem {
                line,
                field: "amount".into(),
                text: String::new(),
                message: format!("line {line}: the amount is empty; the line is not imported"),
                skipped: true,
            }),
            (_, Err(why)) => problems.push(RowProblem {
                line,
                field: "amount".into(),
                text: amount_text.clone(),
                message: format!("line {line}: cannot read the amount '{amount_text}' ({why})"),
                skipped: false,
            }),
        }
    }
    let name = text.encoding.name().to_string();
    Ok(Parsed {
        format: Format::Qif,
        mapping: Mapping {
            encoding: Some(name.clone()),
            date_order: Some(order),
            decimal_separator: Some(dec),
            thousands_separator: thousands,
            ..Mapping::default()
        },
        encoding: name,
        currency: None,
        headers: Vec::new(),
        rows,
        problems,
        findings: Default::default(),
        cleaned: Vec::new(),
    })
}
