//! OFX / QFX, 1.x (SGML: leaf elements are not closed) and 2.x (XML), read with one tolerant
//! tag scanner.
//!
//! Decisions: every `STMTTRN` of every statement (bank `STMTRS`, card `CCSTMTRS`, and the cash
//! lines `INVBANKTRAN` of an investment `INVSTMTRS`) is returned, in file order; trades
//! (buy/sell/income records) are not cash-ledger transactions and are skipped; a file whose
//! statements disagree on `CURDEF` is refused (import each account on its own). A valid
//! statement without transactions gives zero rows (a quiet period), not an error; a file with
//! no statement at all (sign-on only, account list, server error) is an error.

use super::amount::{self, DecimalSeparator};
use super::date::{self, DateOrder};
use super::encoding::{self, Text};
use super::{Format, ImportError, Mapping, Parsed, ParsedRow, RowProblem};
use encoding_rs::Encoding;

/// The encoding the file declares: SGML header `CHARSET:1252` / `ENCODING:UTF-8`, or the XML
/// declaration's `encoding="…"`.
fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_uppercase();
    if let Some(pos) = head.find("ENCODING=\"") {
        let rest = &head[pos + 10..];
        let label = &rest[..rest.find('"')?];
        // A declaration read one byte a character is not UTF-16, whatever it says (ofxgo's
        // samples declare `utf-16` over plain ASCII).
        return encoding::by_label(label)
            .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE);
    }
    let field = |name: &str| {
        head.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
    };
    if field("ENCODING:").as_deref() == Some("UTF-8") {
        return Some(encoding_rs::UTF_8);
    }
    match field("CHARSET:") {
        Some(c) if c != "NONE" => encoding::by_label(&c),
        _ => None,
    }
}

struct Tag {
    name: String,
    closing: bool,
    value: String,
    line: usize,
}

fn scan(text: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut line = 1;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        line += rest[..open].matches('\n').count();
        rest = &rest[open + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            line += rest[..end].matches('\n').count();
            rest = &rest[end..];
            continue;
        }
        let Some(close) = rest.find('>') else { break };
        let inner = rest[..close].trim();
        rest = &rest[close + 1..];
        let (closing, name) = match inner.strip_prefix('/') {
            Some(n) => (true, n),
            None => (false, inner),
        };
        let name = name
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let mut value = String::new();
        if !closing {
            if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
                let end = cdata.find("]]>").unwrap_or(cdata.len());
                value = cdata[..end].to_string();
                line += cdata[..end].matches('\n').count();
                rest = &cdata[(end + 3).min(cdata.len())..];
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                value = rest[..end].to_string();
            }
        }
        tags.push(Tag {
            name,
            closing,
            value: unescape(value.trim()),
            line,
        });
    }
    tags
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[derive(Default)]
struct Txn {
    line: usize,
    posted: Option<String>,
    amount: Option<String>,
    fitid: Option<String>,
    name: Option<String>,
    payee: Option<String>,
    memo: Option<String>,
}

/// One account's statement (`STMTRS`, `CCSTMTRS`, `INVSTMTRS`) as far as the file's currency goes.
#[derive(Default)]
struct Statement {
    currency: Option<String>,
    has_transactions: bool,
}

pub fn parse(
    bytes: &[u8],
    detected: &Text,
    forced: Option<&'static Encoding>,
    digits: u32,
) -> Result<Parsed, ImportError> {
    let redecoded;
    let text = match (forced, declared(bytes)) {
        (None, Some(enc)) if enc != detected.encoding => {
            redecoded = encoding::decode(bytes, Some(enc))?;
            &redecoded
        }
        _ => detected,
    };
    let tags = scan(&text.text);
    let mut statements: Vec<Statement> = Vec::new();
    let mut trades = 0;
    let mut status: Option<(String, String)> = None;
    let mut code: Option<String> = None;
    let mut txns: Vec<Txn> = Vec::new();
    let mut current: Option<Txn> = None;
    let mut in_payee = false;
    const TRADES: &[&str] = &[
        "BUYDEBT",
        "BUYMF",
        "BUYOPT",
        "BUYOTHER",
        "BUYSTOCK",
        "CLOSUREOPT",
        "INCOME",
        "INVEXPENSE",
        "JRNLFUND",
        "JRNLSEC",
        "MARGININTEREST",
        "REINVEST",
        "RETOFCAP",
        "SELLDEBT",
        "SELLMF",
        "SELLOPT",
        "SELLOTHER",
        "SELLSTOCK",
        "SPLIT",
        "TRANSFER",
    ];
    for tag in &tags {
        let n = tag.name.as_str();
        if tag.closing {
            match n {
                "STMTTRN" | "BANKTRANLIST" | "STMTRS" | "CCSTMTRS" | "INVBANKTRAN" => {
                    txns.extend(current.take());
                }
                "PAYEE" => in_payee = false,
                _ => {}
            }
            continue;
        }
        match n {
            "STMTRS" | "CCSTMTRS" | "INVSTMTRS" => statements.push(Statement::default()),
            "CURDEF" if !tag.value.is_empty() => {
                if let Some(s) = statements.last_mut() {
                    s.currency = Some(tag.value.to_ascii_uppercase());
                }
            }
            "CODE" => code = Some(tag.value.clone()),
            "MESSAGE" => {
                if let Some(c) = code.as_ref().filter(|c| c.as_str() != "0") {
                    status = Some((c.clone(), tag.value.clone()));
                }
            }
            "SEVERITY" if tag.value.eq_ignore_ascii_case("ERROR") && status.is_none() => {
                status = code.clone().map(|c| (c, String::new()));
            }
            "STMTTRN" => {
                if let Some(s) = statements.last_mut() {
                    s.has_transactions = true;
                }
                txns.extend(current.take());
                current = Some(Txn {
                    line: tag.line,
                    ..Txn::default()
                });
            }
            "PAYEE" => in_payee = true,
            t if TRADES.contains(&t) && current.is_none() => trades += 1,
            _ => {}
        }
        if let Some(t) = current.as_mut() {
            let v = Some(tag.value.clone()).filter(|v| !v.is_empty());
            match n {
                "DTPOSTED" => t.posted = v,
                "TRNAMT" => t.amount = v,
                "FITID" => t.fitid = v,
                "NAME" if in_payee => t.payee = v,
                "NAME" => t.name = v,
                "MEMO" => t.memo = v,
                "PAYEE" => t.payee = v.or(t.payee.take()),
                _ => {}
            }
        }
    }
    txns.extend(current.take());

    if statements.is_empty() {
        if let Some((code, message)) = status {
            return Err(ImportError::OfxServerError { code, message });
        }
        return Err(ImportError::NoTransactions(
            "this OFX file holds no account statement (only sign-on or account information)."
                .into(),
        ));
    }
    // An account with nothing to import does not make the file one of several currencies.
    let with_transactions = statements.iter().any(|s| s.has_transactions);
    let mut currencies: Vec<String> = statements
        .into_iter()
        .filter(|s| s.has_transactions || !with_transactions)
        .filter_map(|s| s.currency)
        .collect();
    currencies.sort();
    currencies.dedup();
    if currencies.len() > 1 {
        return Err(ImportError::MixedCurrencies(currencies.join(", ")));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for t in txns {
        let line = t.line;
        let problem = |field: &str, text: &str, what: &str| RowProblem {
            line,
            field: field.into(),
            text: text.into(),
            message: format!("line {line}: cannot read the {what} '{text}'"),
            skipped: false,
        };
        let posted = t.posted.unwrap_or_default();
        let date = posted
            .get(..8)
            .filter(|d| d.chars().all(|c| c.is_ascii_digit()))
            .and_then(|d| date::parse(d, DateOrder::Ymd));
        let raw = t.amount.unwrap_or_default();
        let amount = if raw
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | ' '))
        {
            let dec = if raw.contains(',') && !raw.contains('.') {
                DecimalSeparator::Comma
            } else {
                DecimalSeparator::Point
            };
            amount::parse(&raw, dec, None, digits).ok().flatten()
        } else {
            None
        };
        match (date, amount) {
            (Some(date), Some(amount)) => {
                let payee = t.payee.clone().or(t.name.clone());
                let description = t
                    .name
                    .clone()
                    .or(t.payee.clone())
                    .or(t.memo.clone())
                    .unwrap_or_default();
                rows.push(ParsedRow {
                    line,
                    date,
                    amount,
                    description,
                    payee,
                    memo: t.memo,
                    bank_category: None,
                    external_id: t.fitid,
                    currency: None,
                    account: None,
                });
            }
            (None, _) => problems.push(problem("date", &posted, "date")),
            (_, None) => problems.push(problem("amount", &raw, "amount")),
        }
    }
    if rows.is_empty() && problems.is_empty() && trades > 0 {
        return Err(ImportError::NoTransactions(format!(
            "this is an investment statement with {trades} trade(s) and no cash transactions; only cash transactions are imported."
        )));
    }
    let name = text.encoding.name().to_string();
    Ok(Parsed {
        format: Format::Ofx,
        mapping: Mapping {
            encoding: Some(name.clone()),
            ..Mapping::default()
        },
        encoding: name,
        currency: currencies.pop(),
        headers: Vec::new(),
        rows,
        problems,
        findings: Default::default(),
        cleaned: Vec::new(),
    })
}
