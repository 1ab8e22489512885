//! ISO 20022 bank-to-customer statements: CAMT.053 (`BkToCstmrStmt/Stmt`), CAMT.052
//! (`BkToCstmrAcctRpt/Rpt`) and CAMT.054 notifications (`BkToCstmrDbtCdtNtfctn/Ntfctn`), any
//! version (elements are matched by local name, whatever the namespace; version 1's roots carry a
//! `V01` suffix).
//!
//! Read with quick-xml, already in the tree through calamine: it never fetches or expands
//! external entities (a DOCTYPE is skipped), so a hostile statement cannot reach files or the
//! network.
//!
//! Decisions: an entry (`Ntry`) whose details list several transactions with their own amounts
//! (a batch) becomes one row per transaction, when those amounts are in the entry's currency and
//! add up to it; otherwise one row (details may state the instructed amount in another currency). The sign is the entry's (or the
//! transaction's) `CdtDbtInd`; `RvslInd` marks the text as a reversal (the indicator already
//! gives the reversal's direction). The date is the booking date, else the value date, else (some
//! banks date only the statement) the closing balance's date, the statement's end or its creation.
//! The file's currency is that of its entries, balances and account (`Acct/Ccy`); amounts in the
//! details may be in the currency a payment was made in. Only
//! booked entries are imported: pending and information-only ones are listed as skipped. The
//! bank's reference (`AcctSvcrRef`), else the end-to-end id, identifies a row for duplicate
//! detection. A statement with an opening (`OPBD`/`PRCD`) and closing (`CLBD`) balance is checked
//! over its booked entries; one that does not add up is reported on the closing balance's line
//! and imported (`super::unbalanced`).

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::amount::{self, DecimalSeparator};
use super::encoding::Text;
use super::{Format, ImportError, Parsed, ParsedRow, RowProblem};

/// Whether text is a CAMT.052/053/054 document (`head` upper-cased).
pub fn looks_like(head: &str) -> bool {
    ["BKTOCSTMRSTMT", "BKTOCSTMRACCTRPT", "BKTOCSTMRDBTCDTNTFCTN"]
        .iter()
        .any(|root| head.contains(&format!("<{root}")) || head.contains(&format!(":{root}")))
}

/// A statement's element under its document root: `Stmt` (053), `Rpt` (052), `Ntfctn` (054).
fn opens_statement(parent: &str, name: &str) -> bool {
    let root = parent.trim_end_matches("V01");
    matches!(
        (root, name),
        ("BkToCstmrStmt", "Stmt")
            | ("BkToCstmrAcctRpt", "Rpt")
            | ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
}

const STATEMENTS: [&str; 3] = ["/Stmt/", "/Rpt/", "/Ntfctn/"];

#[derive(Default, Clone)]
struct Tx {
    amount: Option<String>,
    currency: Option<String>,
    credit: Option<bool>,
    bank_ref: Option<String>,
    end_to_end: Option<String>,
    creditor: Option<String>,
    debtor: Option<String>,
    remittance: Vec<String>,
    info: Option<String>,
}

#[derive(Default)]
struct Entry {
    line: usize,
    amount: Option<String>,
    currency: Option<String>,
    credit: Option<bool>,
    reversal: bool,
    status: Option<String>,
    booked: Option<String>,
    value: Option<String>,
    bank_ref: Option<String>,
    info: Option<String>,
    txs: Vec<Tx>,
}

#[derive(Default)]
struct Statement {
    name: String,
    opening: Option<i64>,
    closing: Option<(i64, usize)>,
    moved: i64,
    balance: BalanceDraft,
    /// Dates for entries that carry none: the closing balance's, the statement's end, its creation.
    closing_date: Option<String>,
    to_date: Option<String>,
    created: Option<String>,
}

impl Statement {
    fn date(&self) -> Option<NaiveDate> {
        [&self.closing_date, &self.to_date, &self.created]
            .into_iter()
            .find_map(|d| d.as_deref().and_then(date))
    }
}

#[derive(Default)]
struct BalanceDraft {
    kind: Option<String>,
    amount: Option<String>,
    credit: Option<bool>,
    date: Option<String>,
}

fn credit(text: &str) -> Option<bool> {
    match text.trim() {
        "CRDT" => Some(true),
        "DBIT" => Some(false),
        _ => None,
    }
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim().get(..10)?, "%Y-%m-%d").ok()
}

fn money(text: &str, digits: u32) -> Result<i64, String> {
    amount::parse(text.trim(), DecimalSeparator::Point, None, digits)?
        .ok_or_else(|| "it has no amount".to_string())
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty() && t != "NOTPROVIDED" && t != "NONREF")
}

pub fn parse(text: &Text, digits: u32) -> Result<Parsed, ImportError> {
    let src = text.text.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(src);
    // Not trimmed: text around an entity (`January &amp; bonus`) keeps its spaces; values are
    // trimmed where they are read.
    reader.config_mut().trim_text(false);
    let mut path: Vec<String> = Vec::new();
    let mut currencies: Vec<String> = Vec::new();
    let mut statements: Vec<Statement> = Vec::new();
    let mut entries: Vec<(usize, Entry)> = Vec::new();
    let mut entry: Option<Entry> = None;
    let mut value = String::new();
    // The `Ccy` of the amount being read.
    let mut amount_currency: Option<String> = None;
    let unreadable =
        |e: String| ImportError::NoTransactions(format!("the CAMT XML is not readable: {e}"));
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| unreadable(e.to_string()))?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                let parent = path.last().map(String::as_str);
                if name == "Amt" {
                    amount_currency = e
                        .try_get_attribute("Ccy")
                        .ok()
                        .flatten()
                        .map(|c| c.value.trim().to_owned());
                    // The account's own amounts; a payment's details may name another currency.
                    if matches!(parent, Some("Ntry") | Some("Bal")) {
                        currencies.extend(amount_currency.clone());
                    }
                }
                match (parent, name.as_str()) {
                    (Some(parent), name) if opens_statement(parent, name) => {
                        statements.push(Statement::default())
                    }
                    (_, "Ntry") => {
                        entry = Some(Entry {
                            line: src[..position.min(src.len())].matches('\n').count() + 1,
                            ..Entry::default()
                        })
                    }
                    (Some("NtryDtls"), "TxDtls") => {
                        if let Some(e) = entry.as_mut() {
                            e.txs.push(Tx::default());
                        }
                    }
                    (_, "Bal") => {
                        if let Some(s) = statements.last_mut() {
                            s.balance = BalanceDraft::default();
                        }
                    }
                    _ => {}
                }
                path.push(name);
                value.clear();
            }
            Event::Text(t) => value.push_str(&t.xml10_content()),
            Event::CData(t) => value.push_str(&t),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        // Entities a DOCTYPE would define are never expanded.
                        _ => None,
                    },
                };
                value.extend(resolved);
            }
            Event::End(_) => {
                let leaf = path.join("/");
                let text = std::mem::take(&mut value);
                let in_stmt = STATEMENTS.iter().any(|s| leaf.contains(s));
                if let Some(e) = entry.as_mut() {
                    let in_tx = leaf.contains("/TxDtls/");
                    let tx = e.txs.last_mut().filter(|_| in_tx);
                    if let Some(tx) = tx {
                        let end = leaf.rsplit("/TxDtls/").next().unwrap_or("");
                        match end {
                            "Amt" | "AmtDtls/TxAmt/Amt" => {
                                tx.amount = Some(text);
                                tx.currency = amount_currency.clone();
                            }
                            "CdtDbtInd" => tx.credit = credit(&text),
                            "Refs/AcctSvcrRef" => tx.bank_ref = some(&text),
                            "Refs/EndToEndId" => tx.end_to_end = some(&text),
                            "RltdPties/Cdtr/Nm" | "RltdPties/Cdtr/Pty/Nm" => {
                                tx.creditor = some(&text)
                            }
                            "RltdPties/Dbtr/Nm" | "RltdPties/Dbtr/Pty/Nm" => {
                                tx.debtor = some(&text)
                            }
                            "RmtInf/Ustrd" => tx.remittance.extend(some(&text)),
                            "AddtlTxInf" => tx.info = some(&text),
                            _ => {}
                        }
                    } else {
                        let end = leaf.rsplit("/Ntry/").next().unwrap_or("");
                        match end {
                            "Amt" => {
                                e.amount = Some(text);
                                e.currency = amount_currency.clone();
                            }
                            "CdtDbtInd" => e.credit = credit(&text),
                            "RvslInd" => e.reversal = text.trim() == "true",
                            // v2–v8 `<Sts>BOOK</Sts>`, v9+ `<Sts><Cd>BOOK</Cd></Sts>`.
                            "Sts" | "Sts/Cd" if !text.trim().is_empty() => {
                                e.status = Some(text.trim().to_owned())
                            }
                            "BookgDt/Dt" | "BookgDt/DtTm" => e.booked = Some(text),
                            "ValDt/Dt" | "ValDt/DtTm" => e.value = Some(text),
                            "AcctSvcrRef" => e.bank_ref = some(&text),
                            "AddtlNtryInf" => e.info = some(&text),
                            _ => {}
                        }
                    }
                    if leaf.ends_with("/Ntry") {
                        if let Some(done) = entry.take() {
                            entries.push((statements.len(), done));
                        }
                    }
                } else if in_stmt {
                    if let Some(s) = statements.last_mut() {
                        let end = STATEMENTS.iter().find_map(|s| leaf.rsplit_once(s));
                        match end.map(|(_, e)| e).unwrap_or("") {
                            "Id" => s.name = format!("statement '{}'", text.trim()),
                            "Acct/Ccy" => currencies.extend(some(&text)),
                            "FrToDt/ToDtTm" | "FrToDt/ToDt" => s.to_date = some(&text),
                            "CreDtTm" => s.created = some(&text),
                            "Bal/Dt/Dt" | "Bal/Dt/DtTm" => s.balance.date = some(&text),
                            "ElctrncSeqNb" => {
                                s.name.push_str(&format!(" (number {})", text.trim()))
                            }
                            "Bal/Tp/CdOrPrtry/Cd" => s.balance.kind = Some(text.trim().to_owned()),
                            "Bal/Amt" => s.balance.amount = Some(text),
                            "Bal/CdtDbtInd" => s.balance.credit = credit(&text),
                            "Bal" => {
                                let b = std::mem::take(&mut s.balance);
                                let amount = b
                                    .amount
                                    .as_deref()
                                    .map(|a| money(a, digits))
                                    .transpose()
                                    .map_err(unreadable)?
                                    .unwrap_or(0);
                                let signed = if b.credit == Some(false) {
                                    -amount
                                } else {
                                    amount
                                };
                                let line = src[..position.min(src.len())].matches('\n').count() + 1;
                                match b.kind.as_deref() {
                                    Some("OPBD") | Some("PRCD") => s.opening = Some(signed),
                                    Some("CLBD") => {
                                        s.closing = Some((signed, line));
                                        s.closing_date = b.date;
                                    }
                                    _ => {}
                                }
                            }
                            _ => {}
                        }
                    }
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if statements.is_empty() {
        return Err(ImportError::NoTransactions(
            "the CAMT file has no statement (Stmt), report (Rpt) or notification (Ntfctn)".into(),
        ));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (statement, e) in entries {
        let line = e.line;
        let problem = |field: &str, text: &str, why: &str, skipped: bool| RowProblem {
            line,
            field: field.into(),
            text: text.to_owned(),
            message: format!("line {line}: {why}"),
            skipped,
        };
        match e.status.as_deref() {
            Some("BOOK") | None => {}
            Some(other) => {
                problems.push(problem(
                    "status",
                    other,
                    &format!("the entry is {other}, not booked; it is left out"),
                    true,
                ));
                continue;
            }
        }
        let Some(day) = e
            .booked
            .as_deref()
            .or(e.value.as_deref())
            .and_then(date)
            .or_else(|| statements.get(statement.wrapping_sub(1))?.date())
        else {
            problems.push(problem(
                "date",
                "",
                "the entry has no booking or value date",
                false,
            ));
            continue;
        };
        let entry_amount = match e.amount.as_deref().map(|a| money(a, digits)) {
            Some(Ok(a)) => a,
            Some(Err(why)) => {
                problems.push(problem(
                    "amount",
                    e.amount.as_deref().unwrap_or(""),
                    &why,
                    false,
                ));
                continue;
            }
            None => {
                problems.push(problem("amount", "", "the entry has no amount", false));
                continue;
            }
        };
        let Some(entry_credit) = e.credit else {
            problems.push(problem(
                "direction",
                "",
                "the entry has no CdtDbtInd",
                false,
            ));
            continue;
        };
        let signed = if entry_credit {
            entry_amount
        } else {
            -entry_amount
        };
        if let Some(s) = statements.get_mut(statement.wrapping_sub(1)) {
            s.moved = s
                .moved
                .checked_add(signed)
                .ok_or_else(|| ImportError::TooLarge("the statement's sums overflow".into()))?;
        }
        let parts = batch(&e, entry_credit, signed, digits)
            .unwrap_or_else(|| vec![(e.txs.first().cloned().unwrap_or_default(), signed)]);
        let many = parts.len() > 1;
        for (i, (t, amount)) in parts.into_iter().enumerate() {
            let counterparty = if amount < 0 {
                t.creditor.clone()
            } else {
                t.debtor.clone()
            };
            let mut description = [t.remittance.join(" "), t.info.clone().unwrap_or_default()]
                .into_iter()
                .find(|d| !d.trim().is_empty())
                .or_else(|| e.info.clone())
                .or_else(|| counterparty.clone())
                .unwrap_or_else(|| "Bank entry".into());
            if e.reversal {
                description = format!("Reversal: {description}");
            }
            let external_id = t
                .bank_ref
                .clone()
                .or_else(|| {
                    e.bank_ref.as_ref().map(|r| {
                        if many {
                            format!("{r}/{}", i + 1)
                        } else {
                            r.clone()
                        }
                    })
                })
                .or(t.end_to_end.clone());
            rows.push(ParsedRow {
                line,
                date: day,
                amount,
                description,
                payee: counterparty,
                memo: e.info.clone().filter(|_| many),
                bank_category: None,
                external_id,
                currency: None,
                account: None,
            });
        }
    }
    for s in &statements {
        if let (Some(open), Some((close, line))) = (s.opening, s.closing) {
            let expected = open
                .checked_add(s.moved)
                .ok_or_else(|| ImportError::TooLarge("the statement's sums overflow".into()))?;
            if expected != close {
                problems.push(super::unbalanced(line, &s.name, expected, close, digits));
            }
        }
    }
    currencies.sort();
    currencies.dedup();
    super::statement_file(Format::Camt, text, currencies, rows, problems)
}

/// The rows of a batch entry: its transactions with their own amounts, when there are several,
/// each in the entry's currency, together adding up to the entry (`signed`).
fn batch(e: &Entry, entry_credit: bool, signed: i64, digits: u32) -> Option<Vec<(Tx, i64)>> {
    if e.txs.len() < 2 || e.txs.iter().any(|t| t.currency != e.currency) {
        return None;
    }
    let parts = e
        .txs
        .iter()
        .map(|t| {
            let a = money(t.amount.as_deref()?, digits).ok()?;
            let c = t.credit.unwrap_or(entry_credit);
            Some((t.clone(), if c { a } else { -a }))
        })
        .collect::<Option<Vec<_>>>()?;
    let total = parts
        .iter()
        .try_fold(0i64, |sum, (_, a)| sum.checked_add(*a))?;
    (total == signed).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str) -> Result<Parsed, ImportError> {
        parse(
            &Text {
                text: xml.into(),
                encoding: encoding_rs::UTF_8,
            },
            2,
        )
    }

    fn report(entries: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt><Rpt><Id>R1</Id>{entries}</Rpt></BkToCstmrAcctRpt></Document>"#
        )
    }

    #[test]
    fn detects_statements_and_reports() {
        assert!(looks_like("<DOCUMENT><BKTOCSTMRSTMT>"));
        assert!(looks_like("<NS:DOCUMENT><NS:BKTOCSTMRACCTRPT>"));
        assert!(!looks_like("<OFX><BANKMSGSRSV1>"));
    }

    #[test]
    fn camt052_entries_with_prefixed_names_value_dates_and_debtors() {
        let xml = report(
            r#"<Ntry><Amt Ccy="CHF">12.35</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
            <ValDt><DtTm>2024-02-29T23:00:00</DtTm></ValDt>
            <NtryDtls><TxDtls><Refs><AcctSvcrRef>TX-9</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <RltdPties><Dbtr><Pty><Nm>Jane</Nm></Pty></Dbtr><Cdtr><Nm>Me</Nm></Cdtr></RltdPties>
            <AddtlTxInf>Gift</AddtlTxInf></TxDtls></NtryDtls></Ntry>"#,
        )
        .replace("<Ntry>", "<c:Ntry xmlns:c=\"x\">")
        .replace("</Ntry>", "</c:Ntry>");
        let p = read(&xml).unwrap();
        assert_eq!(p.currency.as_deref(), Some("CHF"));
        let row = &p.rows[0];
        assert_eq!(row.amount, 1235);
        assert_eq!(row.date, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(row.payee.as_deref(), Some("Jane"), "money in: the debtor");
        assert_eq!(row.description, "Gift");
        assert_eq!(row.external_id.as_deref(), Some("TX-9"));
    }

    #[test]
    fn a_batch_splits_by_its_transactions_with_their_own_directions() {
        let xml = report(
            r#"<Ntry><Amt Ccy="EUR">70.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
            <BookgDt><Dt>2024-01-31</Dt></BookgDt><AcctSvcrRef>B7</AcctSvcrRef><NtryDtls>
            <TxDtls><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>
            <TxDtls><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>
            </NtryDtls></Ntry>"#,
        );
        let p = read(&xml).unwrap();
        let got: Vec<(i64, Option<&str>)> = p
            .rows
            .iter()
            .map(|r| (r.amount, r.external_id.as_deref()))
            .collect();
        assert_eq!(got, [(-10000, Some("B7/1")), (3000, Some("B7/2"))]);
    }

    #[test]
    fn details_in_another_currency_neither_refuse_the_file_nor_split_the_entry() {
        // A CHF card payment made in euros, and a batch whose details do not add up to it.
        let xml = report(
            r#"<Acct><Ccy>CHF</Ccy></Acct><Ntry><Amt Ccy="CHF">579.21</Amt><CdtDbtInd>DBIT</CdtDbtInd>
            <BookgDt><Dt>2021-09-14</Dt></BookgDt><NtryDtls><TxDtls><AmtDtls><InstdAmt>
            <Amt Ccy="EUR">522.39</Amt></InstdAmt><TxAmt><Amt Ccy="EUR">522.39</Amt></TxAmt></AmtDtls>
            </TxDtls><TxDtls><Amt Ccy="EUR">1.00</Amt></TxDtls></NtryDtls></Ntry>
            <Ntry><Amt Ccy="CHF">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2021-09-15</Dt>
            </BookgDt><NtryDtls><TxDtls><Amt Ccy="CHF">4.00</Amt></TxDtls>
            <TxDtls><Amt Ccy="CHF">5.00</Amt></TxDtls></NtryDtls></Ntry>"#,
        );
        let p = read(&xml).unwrap();
        assert_eq!(p.currency.as_deref(), Some("CHF"));
        let amounts: Vec<i64> = p.rows.iter().map(|r| r.amount).collect();
        assert_eq!(amounts, [-57921, 1000]);
    }

    #[test]
    fn notifications_version_one_roots_and_entries_dated_by_their_statement() {
        let dated_by = |balance: &str| {
            format!(
                r#"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Id>N1</Id><CreDtTm>2024-03-08T06:00:00</CreDtTm>
                {balance}<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>
                </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#
            )
        };
        let closing = r#"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">5.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-07</Dt></Dt></Bal>"#;
        let p = read(&dated_by(closing)).unwrap();
        assert_eq!(p.rows[0].date, NaiveDate::from_ymd_opt(2024, 3, 7).unwrap());
        let p = read(&dated_by("")).unwrap();
        assert_eq!(p.rows[0].date, NaiveDate::from_ymd_opt(2024, 3, 8).unwrap());
        assert!(looks_like("<DOCUMENT><BKTOCSTMRDBTCDTNTFCTN>"));
        let v1 = report(
            r#"<Ntry><Amt Ccy="SEK">2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2007-10-18</Dt></BookgDt></Ntry>"#,
        )
        .replace("BkToCstmrAcctRpt>", "BkToCstmrAcctRptV01>");
        assert_eq!(read(&v1).unwrap().rows[0].amount, -200);
    }

    #[test]
    fn unbooked_and_unreadable_entries_are_named_by_line() {
        let xml = report(
            "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>INFO</Sts></Ntry>\n\
             <Ntry><Amt Ccy=\"EUR\">1,00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>\n\
             <Ntry><Amt Ccy=\"EUR\">2.00</Amt><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>",
        );
        let p = read(&xml).unwrap();
        assert!(p.rows.is_empty());
        let got: Vec<(usize, &str, bool)> = p
            .problems
            .iter()
            .map(|q| (q.line, q.field.as_str(), q.skipped))
            .collect();
        assert_eq!(
            got,
            [
                (1, "status", true),
                (2, "amount", false),
                (3, "direction", false)
            ]
        );
    }

    #[test]
    fn a_balance_not_adding_up_is_listed_in_the_files_order() {
        let xml = r#"<Document><BkToCstmrStmt><Stmt><Id>S1</Id>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">9.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="EUR">1,00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"#;
        let p = read(xml).unwrap();
        let got: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|q| (q.line, q.field.as_str()))
            .collect();
        assert_eq!(got, [(3, "balance"), (5, "amount")]);
    }

    #[test]
    fn several_currencies_and_broken_xml_are_refused() {
        let xml = report(
            r#"<Ntry><Amt Ccy="EUR">1.00</Amt></Ntry><Ntry><Amt Ccy="USD">1.00</Amt></Ntry>"#,
        );
        assert!(matches!(read(&xml), Err(ImportError::MixedCurrencies(_))));
        assert!(read("<Document><BkToCstmrStmt><Stmt></Ntry>").is_err());
    }
}
