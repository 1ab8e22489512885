//! Our own fixtures (`backend/tests/fixtures/`), one per quirk, with exact expectations.

use super::*;
use chrono::NaiveDate;

use crate::analytics::period::day;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn opts<'a>(name: &'a str) -> ParseOptions<'a> {
    ParseOptions {
        filename: Some(name),
        ..ParseOptions::default()
    }
}

/// Parses a fixture, then checks that its mapping, through JSON, gives the same result.
fn parse_fixture(name: &str) -> Parsed {
    let bytes = fixture(name);
    let parsed = parse(&bytes, &opts(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let json = serde_json::to_string(&parsed.mapping).expect("mapping serializes");
    let mapping: Mapping = serde_json::from_str(&json).expect("mapping deserializes");
    assert_eq!(mapping, parsed.mapping, "{name}: JSON round trip");
    let mut again = parse(
        &bytes,
        &ParseOptions {
            mapping: Some(&mapping),
            ..opts(name)
        },
    )
    .unwrap_or_else(|e| panic!("{name} with its own mapping: {e}"));
    // Only detection says why it chose a sign or a date order; a given mapping just applies.
    again.findings.sign = parsed.findings.sign.clone();
    if mapping.date_order.is_some() {
        again.findings.date_order = parsed.findings.date_order.clone();
    }
    assert_eq!(
        again, parsed,
        "{name}: same result with the returned mapping"
    );
    // A re-read that is told no row is wide (as a commit is, after its scan) skips looking.
    if parsed.findings.wide_rows.is_none() {
        let mut told = parse(
            &bytes,
            &ParseOptions {
                mapping: Some(&mapping),
                no_wide_rows: true,
                ..opts(name)
            },
        )
        .unwrap_or_else(|e| panic!("{name} with no wide rows: {e}"));
        told.findings.sign = again.findings.sign.clone();
        told.findings.date_order = again.findings.date_order.clone();
        assert_eq!(told, again, "{name}: same result told no row is wide");
    }
    parsed
}

fn amounts(p: &Parsed) -> Vec<i64> {
    p.rows.iter().map(|r| r.amount).collect()
}

fn dates(p: &Parsed) -> Vec<NaiveDate> {
    p.rows.iter().map(|r| r.date).collect()
}

#[test]
fn semicolon_decimal_comma_latin1() {
    let p = parse_fixture("semicolon_decimal_comma_latin1.csv");
    assert_eq!(p.format, Format::Delimited);
    assert_eq!(p.encoding, "windows-1252");
    assert_eq!(p.mapping.delimiter, Some(';'));
    assert_eq!(p.mapping.decimal_separator, Some(DecimalSeparator::Comma));
    assert_eq!(p.mapping.date_order, Some(DateOrder::Dmy));
    assert_eq!(p.mapping.date_column, Some(0), "Buchungstag, not Valuta");
    assert_eq!(amounts(&p), vec![-350, 234567, -1200]);
    assert_eq!(
        dates(&p),
        vec![day(2018, 3, 2), day(2018, 3, 5), day(2018, 3, 6)]
    );
    assert_eq!(p.rows[0].payee.as_deref(), Some("Bäckerei Müller"));
    assert_eq!(p.rows[0].description, "Brötchen", "the payee is kept apart");
    assert_eq!(p.rows[0].line, 2);
    assert_eq!(p.currency.as_deref(), Some("EUR"));
    assert!(p.problems.is_empty());
}

#[test]
fn junk_lines_before_the_header_and_balance_footer() {
    let p = parse_fixture("junk_lines_and_footer.csv");
    assert!(p.mapping.has_header);
    assert_eq!(p.mapping.skip_rows, 4);
    assert_eq!(p.headers, vec!["Date", "Description", "Amount", "Balance"]);
    assert_eq!(amounts(&p), vec![-75000, 200000, -4510]);
    assert_eq!(p.rows[0].line, 6);
    assert_eq!(summary_lines(&p), vec![9, 10], "{:?}", p.problems);
}

#[test]
fn debit_and_credit_columns() {
    let p = parse_fixture("debit_credit.csv");
    assert_eq!(
        p.mapping.amount,
        Some(AmountColumns::DebitCredit {
            debit: 2,
            credit: 3
        })
    );
    assert_eq!(amounts(&p), vec![-1250, 200, -100000]);
    assert_eq!(p.mapping.date_order, Some(DateOrder::Dmy));
    assert_eq!(p.rows[2].date, day(2017, 9, 13));
    assert_eq!(p.currency, None);
    let p = parse_text(
        "Transaction date,Description,Withdrawals (SGD),Deposits (SGD)\n\
         18/04/2018,DEBIT PURCHASE,6.66,\n17/04/2018,SALARY,,100.00\n",
    );
    assert_eq!(amounts(&p), vec![-666, 10000]);
    assert_eq!(p.currency.as_deref(), Some("SGD"));
}

#[test]
fn direction_column() {
    let p = parse_fixture("direction_column.csv");
    match &p.mapping.amount {
        Some(AmountColumns::Direction { direction, .. }) => assert_eq!(*direction, 2),
        other => panic!("expected a direction column, got {other:?}"),
    }
    assert_eq!(amounts(&p), vec![-2345, 150000, -410]);
    assert_eq!(p.rows[0].date, day(2024, 1, 5));
    assert_eq!(p.currency.as_deref(), Some("EUR"), "from 'Bedrag (EUR)'");
}

/// A file of purchases only: a direction column whose every flag says money out.
#[test]
fn a_direction_column_flagged_one_way_only() {
    let file = |flag: &str| {
        format!(
            "Date,Description,Amount,Transaction Type,Account Name\n\
             6/13/2015,Grocer,12.50,{flag},Checking\n6/14/2015,Cafe,3.00,{flag},Checking\n\
             6/15/2015,Fuel,40.00,{flag},Checking\n"
        )
    };
    let p = parse(file("debit").as_bytes(), &opts("mint.csv")).unwrap();
    assert_eq!(amounts(&p), vec![-1250, -300, -4000]);
    match &p.mapping.amount {
        Some(AmountColumns::Direction { inflow_values, .. }) => {
            assert_eq!(inflow_values, &["credit"])
        }
        other => panic!("expected a direction column, got {other:?}"),
    }
    // A lone letter may be a card or cleared mark: not taken as a direction on its own.
    let p = parse(file("C").as_bytes(), &opts("card.csv")).unwrap();
    assert!(matches!(
        p.mapping.amount,
        Some(AmountColumns::Single { .. })
    ));
}

#[test]
fn day_first_is_decided_by_a_later_row() {
    let p = parse_fixture("day_first_decided_late.csv");
    assert_eq!(p.mapping.date_order, Some(DateOrder::Dmy));
    assert_eq!(p.rows[0].date, day(2021, 2, 1));
    assert_eq!(p.rows[2].date, day(2021, 2, 11));
}

#[test]
fn two_digit_years_month_first() {
    let p = parse_fixture("two_digit_years.csv");
    assert_eq!(p.mapping.date_order, Some(DateOrder::Mdy));
    assert_eq!(
        dates(&p),
        vec![day(2019, 1, 5), day(2019, 1, 28), day(2019, 2, 1)]
    );
    assert_eq!(amounts(&p), vec![-320, 500, -80000]);
}

#[test]
fn month_names_pending_rows_and_cr_flags() {
    let p = parse_fixture("month_names.csv");
    assert_eq!(
        dates(&p),
        vec![day(2019, 12, 12), day(2019, 12, 3), day(2019, 12, 2)]
    );
    assert_eq!(amounts(&p), vec![-118323, -999, 110000]);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].line, 2);
    assert_eq!(p.problems[0].field, "date");
    assert_eq!(p.problems[0].text, "Pending");
    assert!(p.problems[0].message.starts_with("line 2: "));
}

#[test]
fn no_header_and_a_junk_line() {
    let p = parse_fixture("no_header.csv");
    assert!(!p.mapping.has_header);
    assert_eq!(p.mapping.skip_rows, 0);
    assert_eq!(p.mapping.amount, Some(AmountColumns::Single { column: 3 }));
    assert_eq!(amounts(&p), vec![-3387, -1400, 10000]);
    assert_eq!(p.rows[2].line, 4);
    assert_eq!(p.rows[0].description, "HOFER DANKT 0527");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.headers[0], "Column 1");
}

#[test]
fn unreadable_cells_become_problems_with_line_numbers() {
    let p = parse_fixture("problems.csv");
    assert_eq!(amounts(&p), vec![-100, 300]);
    let messages: Vec<&str> = p.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("line 3: cannot read the amount '12,3,4'"));
    assert_eq!(p.problems[0].field, "amount");
    assert_eq!(messages[1], "line 4: cannot read the date '2024-13-45'");
}

#[test]
fn ofx_sgml_with_unclosed_tags_and_a_charset() {
    let p = parse_fixture("statement_sgml.ofx");
    assert_eq!(p.format, Format::Ofx);
    assert_eq!(p.encoding, "windows-1252");
    assert_eq!(p.currency.as_deref(), Some("EUR"));
    assert_eq!(amounts(&p), vec![-2000, 150050]);
    assert_eq!(dates(&p), vec![day(2024, 1, 2), day(2024, 1, 5)]);
    assert_eq!(p.rows[0].description, "Café Métro");
    assert_eq!(p.rows[0].memo.as_deref(), Some("Card 1234"));
    assert_eq!(p.rows[0].external_id.as_deref(), Some("A1"));
    assert_eq!(p.rows[1].description, "Salary & bonus");
}

#[test]
fn ofx_xml_credit_card() {
    let p = parse_fixture("statement_xml.ofx");
    assert_eq!(p.currency.as_deref(), Some("USD"));
    assert_eq!(amounts(&p), vec![-4217]);
    assert_eq!(p.rows[0].payee.as_deref(), Some("Hardware Store"));
    assert_eq!(p.rows[0].memo.as_deref(), Some("Tools"));
    assert_eq!(p.rows[0].external_id.as_deref(), Some("X9"));
    // The same file declaring UTF-16 over its one-byte characters.
    let mislabelled = String::from_utf8(fixture("statement_xml.ofx"))
        .unwrap()
        .replace("encoding=\"UTF-8\"", "encoding=\"utf-16\"");
    let p = parse(mislabelled.as_bytes(), &opts("statement.ofx")).unwrap();
    assert_eq!(amounts(&p), vec![-4217]);
}

/// Several accounts in one file are one currency's only if the accounts with transactions are.
#[test]
fn ofx_accounts_without_transactions_do_not_count_as_another_currency() {
    let statement = |currency: &str, transactions: &str| {
        format!(
            "<STMTTRNRS><STMTRS><CURDEF>{currency}<BANKACCTFROM><ACCTID>{currency}</BANKACCTFROM>\
             <BANKTRANLIST>{transactions}</BANKTRANLIST></STMTRS></STMTTRNRS>"
        )
    };
    let one = "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-20.00<FITID>1<NAME>Shop</STMTTRN>";
    let file = |statements: &[String]| {
        format!(
            "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1>{}</BANKMSGSRSV1></OFX>",
            statements.concat()
        )
    };
    let p = parse(
        file(&[statement("CAD", ""), statement("USD", one)]).as_bytes(),
        &opts("two.ofx"),
    )
    .unwrap();
    assert_eq!(p.currency.as_deref(), Some("USD"));
    assert_eq!(amounts(&p), vec![-2000]);
    assert!(matches!(
        parse(
            file(&[statement("CAD", one), statement("USD", one)]).as_bytes(),
            &opts("two.ofx")
        ),
        Err(ImportError::MixedCurrencies(c)) if c == "CAD, USD"
    ));
}

/// Rows whose booking date is left empty beside pending wording, or whose status says the bank
/// has only noted them, are not booked yet, and declined payments never went through. The date is the completion's, not the start's.
#[test]
fn pending_and_declined_rows_are_left_out() {
    let p = parse_text(
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n\
         TRANSFER,Current,2022-01-02 12:16:54,2022-01-03 09:00:00,To Guybrush,-250.00,0.00,EUR,COMPLETED,442.67\n\
         CARD_PAYMENT,Current,2022-01-14 10:00:00,,store,-44.57,0.00,EUR,PENDING,\n\
         CARD_PAYMENT,Current,2022-01-15 10:00:00,2022-01-15 10:00:00,shop,-9.99,0.00,EUR,DECLINED,442.67\n",
    );
    assert_eq!(amounts(&p), vec![-25000]);
    assert_eq!(dates(&p), vec![day(2022, 1, 3)]);
    let left_out: Vec<(usize, &str, bool)> = p
        .problems
        .iter()
        .map(|q| (q.line, q.field.as_str(), q.skipped))
        .collect();
    assert_eq!(left_out, [(3, "date", true), (4, "status", true)]);
    // A Sparkasse export: the bank's noted (vorgemerkt) booking beside its booked ones.
    let p = parse_text(
        "Buchungstag;Valutadatum;Verwendungszweck;Betrag;Waehrung;Info\n\
         28.03.18;03.04.18;MIETE;-1234,56;EUR;Umsatz vorgemerkt\n\
         28.03.18;28.03.18;Geschenk;123,00;EUR;Umsatz gebucht\n",
    );
    assert_eq!(amounts(&p), vec![12300]);
    assert_eq!((p.problems[0].line, p.problems[0].skipped), (2, true));
    assert!(p.problems[0].message.contains("pending"));
    let p = parse_text(
        "Date,Description,Amount\n2024-01-02,Salary,100.00\n,FÜGGŐ TÉTEL Card,-9.99\n,Shop,-1.00\n",
    );
    assert_eq!(amounts(&p), vec![10000]);
    assert!(p.problems[0].skipped && p.problems[0].message.contains("pending"));
    assert!(
        !p.problems[1].skipped,
        "an empty date without pending wording is an error"
    );
}

/// PostFinance in Italian: the columns' `in` names the currency, not the side, so money in and
/// money out are two columns and the mostly empty total beside them is not the amount.
#[test]
fn credit_and_debit_columns_named_with_their_currency() {
    let p = parse_text(
        "Data;Denominazione;Accredito in CHF;Addebito in CHF;Importo in CHF\n\
         2022-05-04;ARTION;;52.00;\n2022-05-02;PATTINDE;300.00;;\n2022-05-01;SUPPL.;;0.88;\n",
    );
    assert_eq!(amounts(&p), vec![-5200, 30000, -88]);
}

/// A Cyrillic export in Windows-1251 (Alfa-Bank): its headers are read as written, so its
/// money-in and money-out columns are found.
#[test]
fn a_cyrillic_export_in_its_code_page() {
    let text = "Тип счёта;Валюта;Дата операции;Описание операции;Приход;Расход;\n\
                Мой счет;RUR;31.05.17;Перечисление (зарплата за май 2017 г.);33123,56;0;\n\
                Мой счет;RUR;03.05.17;Комиссия за переводы в рублях;0;50;\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    let p = parse(&bytes, &opts("alfa.csv")).unwrap();
    assert_eq!(p.encoding, "windows-1251");
    assert_eq!(p.headers[4], "Приход");
    assert_eq!(amounts(&p), vec![3312356, -5000]);
    assert_eq!(p.rows[1].description, "Комиссия за переводы в рублях");
}

/// Revolut charges its fee on top of the amount, in a column of its own; the balance falls by
/// both, so the row is their sum. A mapping without the fee column reads the amount alone, and a
/// fee that cannot be read is a problem on its line.
#[test]
fn a_fee_charged_on_top_is_subtracted() {
    let file = "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n\
                TOPUP,Current,2024-01-01 10:00:00,2024-01-01 10:00:01,Top-up,100.00,0.00,CHF,COMPLETED,100.00\n\
                EXCHANGE,Current,2024-01-06 11:00:00,2024-01-06 11:00:00,To EUR,-50.00,0.42,CHF,COMPLETED,49.58\n";
    let p = parse_text(file);
    assert_eq!(p.mapping.fee_column, Some(6));
    assert_eq!(amounts(&p), vec![10000, -5042]);
    let mut gross = p.mapping.clone();
    gross.fee_column = None;
    let p = parse(
        file.as_bytes(),
        &ParseOptions {
            mapping: Some(&gross),
            ..opts("revolut.csv")
        },
    )
    .unwrap();
    assert_eq!(amounts(&p), vec![10000, -5000]);
    let p = parse_text(&file.replace(",0.42,", ",n/a,"));
    assert_eq!(amounts(&p), vec![10000]);
    assert_eq!(
        (p.problems[0].field.as_str(), p.problems[0].line),
        ("fee", 3)
    );
    // Stripe's fee is inside its gross amount: no fee column.
    let p =
        parse_text("id,Created (UTC),Amount,Fee,Currency\nch_1,2024-01-02 10:00,10.00,0.59,usd\n");
    assert_eq!((p.mapping.fee_column, amounts(&p)), (None, vec![1000]));
}

/// Without a header, money out and money in side by side are told by never both being used on a
/// row, also where the unused side is written `0` (SunTrust), not left empty; the running
/// balance after them is not the amount.
#[test]
fn unnamed_money_out_and_in_written_as_zero_when_unused() {
    let p = parse_text(
        "11/01/2014,0, Deposit,0,500.00,500.00\n11/02/2014,101,Check,100.00,0,400.00\n\
         11/03/2014,102,Check,100.00,0,300.00\n11/17/2014,0,Deposit,0,700.00,1000.00\n",
    );
    assert_eq!(
        p.mapping.amount,
        Some(AmountColumns::DebitCredit {
            debit: 3,
            credit: 4
        })
    );
    assert_eq!(amounts(&p), vec![50000, -10000, -10000, 70000]);
}

/// A booking date that reads both ways is read as the file's other date column says without
/// doubt (Chase: `Trans Date` 8/31/13 beside `Post Date` 9/1/13).
#[test]
fn the_other_date_column_decides_the_order() {
    let p = parse_text(
        "Type,Trans Date,Post Date,Description,Amount\nSale,8/31/13,9/1/13,FRED MEYER #0685,-54.8\n",
    );
    assert_eq!(p.mapping.date_column, Some(2));
    assert_eq!(dates(&p), vec![day(2013, 9, 1)]);
    let found = p.findings.date_order.unwrap();
    assert_eq!(found.basis, DateOrderBasis::OtherDateColumn);
    assert!(found.message.contains("'Trans Date'"), "{}", found.message);
}

/// Rows under a `Pending Transactions` line are not booked yet, until a `Posted Transactions` line
/// (Schwab); each is listed.
#[test]
fn a_section_of_pending_rows_is_left_out() {
    let p = parse_text(
        "\"Date\",\"Description\",\"Withdrawal (-)\",\"Deposit (+)\"\n\"Pending Transactions\"\n\
         \"08/31/2017\",\"Shop\",\"$18.76\",\"\"\n\"Posted Transactions\"\n\
         \"08/31/2017\",\"Interest Paid\",\"\",\"$0.07\"\n\"08/30/2017\",\"Shop\",\"$12.27\",\"\"\n",
    );
    assert_eq!(amounts(&p), vec![7, -1227]);
    let left_out: Vec<(usize, &str, bool)> = p
        .problems
        .iter()
        .map(|q| (q.line, q.field.as_str(), q.skipped))
        .collect();
    assert_eq!(left_out, [(3, "status", true)]);
}

#[test]
fn an_amount_finer_than_the_currency_is_not_stored_as_zero() {
    let p = parse_text(
        "Date,Description,Amount\n2024-01-02,Bought BTC,0.00314664\n2024-01-03,Shop,-5.00\n",
    );
    assert_eq!(amounts(&p), vec![-500]);
    assert!(!p.problems[0].skipped);
    assert!(
        p.problems[0].message.contains("would be stored as zero"),
        "{}",
        p.problems[0].message
    );
}

/// A card payment abroad keeps the account's amount; the original currency is not the row's.
#[test]
fn an_original_currency_column_is_not_the_rows_currency() {
    let p = parse_text(
        "\"Booking Date\",\"Partner Name\",\"Amount (EUR)\",\"Original Amount\",\"Original Currency\"\n\
         \"2024-01-15\",\"Shop\",-67.80,92.50,CAD\n\"2024-01-16\",\"Cafe\",-3.00,-3.00,EUR\n",
    );
    assert_eq!(amounts(&p), vec![-6780, -300]);
    assert_eq!(p.mapping.currency_column, None);
    assert_eq!(p.currency.as_deref(), Some("EUR"));
}

/// Account details above the table, laid out as a table of one line (a date and a balance):
/// the transactions are the table whose data lines follow each other.
#[test]
fn a_block_of_account_details_above_the_table_is_not_the_table() {
    let p = parse_text(
        "\"Kontoumsätze Giro\"\n\n\"Kontoinhaber:\";\"Max Mustermann\"\n\n\
         \"Umsätze ab\";\"Enddatum\";\"Kontonummer\";\"Saldo\";\"Währung\"\n\
         \"01.01.2024\";\"15.02.2024\";\"1234567\";\"12.345,67\";\"EUR\"\n\
         \"Weitere gewählte Suchoptionen:\";\"keine\"\n\n\n\
         \"Buchungstag\";\"Wertstellungstag\";\"Verwendungszweck\";\"Umsatz\";\"Währung\"\n\
         \"20.01.2024\";\"20.01.2024\";\"MCDONALDS\";\"-11,99\";\"EUR\"\n\
         \"29.01.2024\";\"29.01.2024\";\"Gehalt\";\"2.432,10\";\"EUR\"\n",
    );
    assert_eq!(amounts(&p), vec![-1199, 243210]);
    assert_eq!(p.mapping.skip_rows, 9);
    assert_eq!(p.headers[0], "Buchungstag");
}

/// A marker line that lost its line break, glued to the row after it (a Schwab export of 2020).
#[test]
fn a_row_glued_to_a_marker_line_keeps_its_date() {
    let p = parse_text(
        "Transactions  for Checking account EAC as of 12/23/2020 16:00:10 ET\n\
         \"Date\",\"Type\",\"Description\",\"Withdrawal (-)\",\"Deposit (+)\",\"RunningBalance\"\n\
         \"Pending Transactions are not reflected within this sort criterion.\"\n\
         \"Posted Transactions\"\"11/13/2020\",\"TRANSFER\",\"To Brokerage\",\"$10,500.00\",\"\",\"$50.01\"\n\
         \"11/13/2020\",\"ACH\",\"Ext Trnsfr\",\"\",\"$10,500.00\",\"$10,550.01\"\n\
         \"10/27/2020\",\"ACH\",\"Auth Debit\",\"$1.10\",\"\",\"$50.00\"\n",
    );
    assert_eq!(amounts(&p), vec![-1050000, 1050000, -110]);
    assert_eq!(dates(&p)[0], day(2020, 11, 13));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn a_file_of_daily_balances_holds_no_transactions() {
    let csv = b"\"Datum\",\"Boeksaldo\",\"Valutair saldo\"\n\"2020-05-30\",\"13,20\",\"13,20\"\n\"2020-05-29\",\"13,20\",\"13,20\"\n";
    assert!(matches!(
        parse(csv, &opts("saldo.csv")),
        Err(ImportError::ColumnNotFound { .. })
    ));
}

#[test]
fn a_file_of_lines_left_out_on_purpose_says_so() {
    let camt = r#"<Document><BkToCstmrStmt><Stmt><Id>S</Id>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts></Ntry>
</Stmt></BkToCstmrStmt></Document>"#;
    match parse(camt.as_bytes(), &opts("s.xml")) {
        Err(ImportError::NoTransactions(why)) => assert_eq!(
            why,
            "every line was left out on purpose (1 line); the first: line 2: the entry is PDNG, not booked; it is left out"
        ),
        other => panic!("{other:?}"),
    }
}

/// The opening balance is the transfer from the account to itself, in any language; a transfer
/// to another account is a transaction.
#[test]
fn a_qif_opening_balance_is_known_by_its_account() {
    let qif = "!Account\nNKD-Bank Berlin\nTBank\n^\n!Type:Bank\n\
               D10.18.23\nT500.00\nCX\nPEröffnungssaldo\nL[KD-Bank Berlin]\n^\n\
               D10.18.23\nT200.00\nPDonor\nLDonation/Spende\n^\n\
               D10.19.23\nT-50.00\nPSparen\nL[Tagesgeld]\n^\n";
    let p = parse(qif.as_bytes(), &opts("bank.qif")).unwrap();
    assert_eq!(amounts(&p), vec![20000, -5000]);
}

/// Records straight after an account's definition, with no `!Type:` header (moneyguru), are that
/// account's: cash records when its type is a cash account's, skipped when it is an investment
/// account's. A list of definitions is not read as records, and a record without its `^` ends
/// with the file.
#[test]
fn qif_records_straight_after_an_account_belong_to_it() {
    let qif = "!Account\nNSavings\nTOth A\nDThe account number 1\n^\nNBroker\nTInvst\n^\n\
               !Account\nNChecking\nTBank\nDThe account number 4\n^\n\
               D01/01/10\nMSome Transaction\nT100.00\nLSavings\n^\nD01/02/10\nT-1,000.00\n^\n\
               !Account\nNBroker\nTInvst\n^\nD01/03/10\nNBuy\nT-5.00\n^\n\
               !Account\nNHome\nTOth L\n^\nD01/04/10\nT500.00\nL[Checking]";
    let p = parse(qif.as_bytes(), &opts("moneyguru.qif")).unwrap();
    assert_eq!(amounts(&p), vec![10000, -100000, 50000]);
    assert_eq!(dates(&p)[0], day(2010, 1, 1));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

/// A record with an amount and no date is a problem on its line that says what is missing.
#[test]
fn a_qif_record_without_a_date_says_so() {
    let p = parse(
        b"!Type:Bank\nD01/01/07\nT1.00\n^\nMNo Date\nT100.00\n^\n",
        &opts("d.qif"),
    );
    let problems = p.unwrap().problems;
    assert_eq!(
        problems[0].message,
        "line 5: the record has no date (a `D` line)"
    );
}

/// QIF as older tools write it: bare CR line ends, a two-digit year after day and month, the
/// total after the split lines.
#[test]
fn qif_from_older_writers() {
    let p = parse(
        b"!Type:Bank\rD27/02/2007\rT17,036.59\rL[IF Cash ISA]\r^\r",
        &opts("a.qif"),
    )
    .unwrap();
    assert_eq!(
        (dates(&p), amounts(&p)),
        (vec![day(2007, 2, 27)], vec![1703659])
    );
    let p = parse(b"!Type:Bank\nD22/01/07\nT42.32\n^\n", &opts("b.qif")).unwrap();
    assert_eq!(dates(&p), vec![day(2007, 1, 22)]);
    let p = parse(
        b"!Type:Bank\nD6/2/94\nScategory 1\n$23\nT75.00\nPDeposit\n^\n",
        &opts("c.qif"),
    )
    .unwrap();
    assert_eq!(amounts(&p), vec![7500]);
    assert_eq!(p.rows[0].payee.as_deref(), Some("Deposit"));
}

/// A split that carries its own date and payee (as quiffen writes) leaves the transaction's alone.
#[test]
fn qif_with_splits_and_category_list() {
    let p = parse_fixture("bank.qif");
    assert_eq!(p.format, Format::Qif);
    assert_eq!(
        dates(&p),
        vec![day(2018, 12, 19), day(2019, 1, 2), day(2019, 1, 3)]
    );
    assert_eq!(amounts(&p), vec![-10058, 125000, -6000]);
    assert_eq!(p.rows[0].bank_category.as_deref(), Some("Shopping"));
    assert_eq!(p.rows[0].memo.as_deref(), Some("Designer outlet"));
    assert_eq!(p.rows[0].line, 2);
    assert_eq!(p.rows[2].payee.as_deref(), Some("Split dinner"));
    assert_eq!(p.mapping.date_order, Some(DateOrder::Mdy));
}

/// A minimal xlsx written by hand (inline strings, numbers as numbers).
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    use std::io::Write;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            if v.parse::<f64>().is_ok() {
                sheet.push_str(&format!(r#"<c r="{at}"><v>{v}</v></c>"#));
            } else if !v.is_empty() {
                sheet.push_str(&format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{v}</t></is></c>"#
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Umsätze" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in parts {
        zip.start_file(name, stored).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn xlsx_with_a_title_row() {
    let bytes = xlsx(&[
        &["Kontoauszug Januar 2024"],
        &[],
        &["Buchungstag", "Verwendungszweck", "Betrag"],
        &["02.01.2024", "Miete", "-750.5"],
        &["15.01.2024", "Gehalt", "2000"],
        &["20.01.2024", "Rundung", "0.1"],
    ]);
    let p = parse(&bytes, &opts("statement.xlsx")).expect("xlsx parses");
    assert_eq!(p.format, Format::Excel);
    assert_eq!(p.mapping.sheet.as_deref(), Some("Umsätze"));
    assert_eq!(p.mapping.skip_rows, 2);
    assert_eq!(amounts(&p), vec![-75050, 200000, 10]);
    assert_eq!(p.rows[0].line, 4);
    assert_eq!(p.rows[0].date, day(2024, 1, 2));
    let again = parse(
        &bytes,
        &ParseOptions {
            mapping: Some(&p.mapping),
            ..opts("statement.xlsx")
        },
    )
    .unwrap();
    assert_eq!(again.rows, p.rows);
    assert_eq!(again.mapping, p.mapping);
}

#[test]
fn zip_bombs_are_refused_before_unpacking() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&vec![b' '; 8 * 1024 * 1024]).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let err = parse(&bytes, &opts("bomb.xlsx")).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn empty_and_binary_files_are_errors_with_clear_messages() {
    assert_eq!(parse(b"", &opts("x.csv")), Err(ImportError::Empty));
    assert_eq!(parse(b"  \r\n\n", &opts("x.csv")), Err(ImportError::Empty));
    assert_eq!(ImportError::Empty.to_string(), "The file is empty.");
    let mut junk = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        junk.push((x >> 16) as u8);
    }
    let err = parse(&junk, &opts("x.csv")).unwrap_err();
    assert_eq!(err, ImportError::Binary);
    assert!(err.to_string().contains("binary"));
    let err = parse(b"hello world\nthis is prose\n", &opts("x.csv")).unwrap_err();
    assert!(matches!(err, ImportError::NoTransactions(_)), "{err}");
}

#[test]
fn a_mapping_naming_a_missing_column_is_refused() {
    let bytes = fixture("debit_credit.csv");
    let mut mapping = parse(&bytes, &opts("debit_credit.csv")).unwrap().mapping;
    mapping.date_column = Some(9);
    let err = parse(
        &bytes,
        &ParseOptions {
            mapping: Some(&mapping),
            ..ParseOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The column mapping uses column 10 for the date, but the file has only 5 columns."
    );
}

#[test]
fn a_corrected_mapping_is_applied_as_given() {
    let bytes = fixture("two_digit_years.csv");
    let mut mapping = parse(&bytes, &opts("t.csv")).unwrap().mapping;
    mapping.invert_sign = true;
    mapping.date_order = Some(DateOrder::Dmy);
    let p = parse(
        &bytes,
        &ParseOptions {
            mapping: Some(&mapping),
            ..ParseOptions::default()
        },
    )
    .unwrap();
    // 1/28/19 is not a day-first date: it becomes a problem, not a silent drop
    assert_eq!(amounts(&p), vec![320, 80000]);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].line, 3);
}

#[test]
fn minor_unit_digits_follow_the_currency() {
    let bytes = b"Date,Description,Amount\n2024-01-02,Sushi,-1234.5\n";
    let yen = ParseOptions {
        minor_unit_digits: 0,
        ..ParseOptions::default()
    };
    assert_eq!(amounts(&parse(bytes, &yen).unwrap()), vec![-1235]);
    let dinar = ParseOptions {
        minor_unit_digits: 3,
        ..ParseOptions::default()
    };
    assert_eq!(amounts(&parse(bytes, &dinar).unwrap()), vec![-1234500]);
}

#[test]
fn a_merchant_named_like_a_summary_label_is_still_a_transaction() {
    let bytes =
        b"Date,Payee,Amount\n2024-01-02,TOTAL,-40.00\n2024-01-03,Shop,-1.00\n,Total,-41.00\n";
    let p = parse(bytes, &ParseOptions::default()).unwrap();
    assert_eq!(amounts(&p), vec![-4000, -100]);
    assert_eq!(summary_lines(&p), vec![4], "{:?}", p.problems);
}

/// A CSV in a two-decimal currency, nothing named or mapped.
fn parse_text(csv: &str) -> Parsed {
    let options = ParseOptions {
        minor_unit_digits: 2,
        ..Default::default()
    };
    parse(csv.as_bytes(), &options).unwrap()
}

#[test]
fn control_characters_in_cells_are_dropped() {
    let csv = "Date,Description,Amount\n2026-03-01,Caf\u{0}e\u{1b}[31m,-4.50\n";
    let parsed = parse_text(csv);
    assert_eq!(parsed.rows[0].description, "Cafe[31m");
    assert_eq!(parsed.rows[0].amount, -450);
    let cleaned = |line, field: &str, removed| CleanedCell {
        line,
        field: field.into(),
        removed,
        reason: Cleaning::ControlCharacters,
    };
    assert_eq!(parsed.cleaned, vec![cleaned(Some(2), "description", 2)]);
    let parsed = parse_text("Da\u{7}te,Description,Amount\n2026-03-01,Tab\tstays,-1.00\n");
    assert_eq!(parsed.cleaned, vec![cleaned(None, "column 1", 1)]);
}

#[test]
fn amounts_and_dates_out_of_range_are_problems_on_their_line() {
    let csv = "Date,Description,Amount\n2026-03-01,Fine,-4.50\n2026-03-02,Huge,-10000000001.00\n1899-12-31,Old,-1.00\n";
    let parsed = parse_text(csv);
    assert_eq!(amounts(&parsed), vec![-450]);
    let found: Vec<(usize, &str, bool)> = parsed
        .problems
        .iter()
        .map(|p| (p.line, p.field.as_str(), p.skipped))
        .collect();
    assert_eq!(found, vec![(3, "amount", false), (4, "date", false)]);
    assert_eq!(
        parsed.problems[0].message,
        "line 3: the amount -1000000000100 must be between -1000000000000 and 1000000000000 minor units"
    );
}

/// The lines left out as balance or total lines; fails on any other problem.
fn summary_lines(p: &Parsed) -> Vec<usize> {
    for problem in &p.problems {
        assert!(problem.skipped && problem.field == "summary", "{problem:?}");
    }
    p.problems.iter().map(|p| p.line).collect()
}

#[test]
fn record_type_column_keeps_only_transactions() {
    let p = parse_fixture("record_type_balances.csv");
    assert_eq!(p.mapping.record_type_column, Some(1));
    assert_eq!(p.mapping.transaction_record_types, vec!["20"]);
    // opening balance 1250.00 + 2100.00 - 23.45 - 61.20 = 3265.35, the closing balance
    assert_eq!(amounts(&p), vec![-2345, 210000, -6120]);
    assert_eq!(125_000 + amounts(&p).iter().sum::<i64>(), 326_535);
    assert_eq!(summary_lines(&p), vec![2, 6, 7, 8]);
    assert_eq!(
        p.problems[0].message,
        "line 2: a balance or summary line by its record type '10' ('Algsaldo'), not a transaction; the line is not imported"
    );
    assert_eq!(p.rows[0].payee.as_deref(), Some("RIMI TALLINN"));
}

#[test]
fn a_record_type_without_wording_is_known_by_where_it_stands() {
    // The header names the record type; the turnover line (T) has no wording, but only
    // follows the transactions.
    let csv = "Record type,Date,Details,Amount\nB,2024-01-01,Start,100.00\nX,2024-01-02,Shop,-5.00\nX,2024-01-03,Pay,50.00\nT,2024-01-03,Sum of all,45.00\n";
    let p = parse_text(csv);
    assert_eq!(p.mapping.record_type_column, Some(0));
    assert_eq!(amounts(&p), vec![-500, 5000]);
    assert_eq!(summary_lines(&p), vec![2, 5]);
}

#[test]
fn balance_wording_lines_are_left_out_and_listed() {
    let p = parse_fixture("balance_wording_de.csv");
    assert_eq!(amounts(&p), vec![-4510, 250000, -8000]);
    assert_eq!(summary_lines(&p), vec![2, 6, 7]);
    assert!(
        p.problems[1].message.contains("'Endsaldo'"),
        "{}",
        p.problems[1].message
    );
}

#[test]
fn a_card_export_listing_purchases_as_positive_is_flipped() {
    let p = parse_fixture("card_positive_purchases.csv");
    assert!(p.mapping.invert_sign);
    assert_eq!(amounts(&p), vec![-4520, -8213, 50000, -1549, 1999]);
    let sign = p.findings.sign.as_ref().unwrap();
    assert!(sign.inverted);
    assert_eq!(sign.basis, "payment_wording");
    assert!(
        sign.message.contains("INTERNET PAYMENT - THANK YOU"),
        "{}",
        sign.message
    );
    // The same signs in a checking account's file without payment lines stay as written.
    let p =
        parse_text("Date,Description,Amount\n2024-01-14,Deposit,45.20\n2024-01-18,Interest,1.13\n");
    assert!(!p.mapping.invert_sign);
    assert_eq!(p.findings.sign, None);
}

#[test]
fn a_card_accounts_positive_amounts_are_purchases() {
    let csv = b"Date,Description,Amount\n2024-01-14,SHELL,45.20\n2024-01-18,REWE,82.13\n2024-01-20,CINEMA,12.00\n";
    let options = ParseOptions {
        card_account: true,
        ..ParseOptions::default()
    };
    let p = parse(csv, &options).unwrap();
    assert_eq!(amounts(&p), vec![-4520, -8213, -1200]);
    assert_eq!(p.findings.sign.as_ref().unwrap().basis, "card_account");
    // A card file that already writes purchases negative is kept as it is.
    let csv =
        b"Date,Description,Amount\n2024-01-14,SHELL,-45.20\n2024-01-18,PAYMENT THANK YOU,100.00\n";
    let p = parse(csv, &options).unwrap();
    assert_eq!(amounts(&p), vec![-4520, 10000]);
    assert!(!p.findings.sign.as_ref().unwrap().inverted);
}

#[test]
fn ambiguous_dates_are_asked_unless_the_exporter_is_known() {
    let p = parse_fixture("ambiguous_dates.csv");
    let asked = p.findings.unanswered().expect("a question");
    assert_eq!(asked.candidates, vec![DateOrder::Dmy, DateOrder::Mdy]);
    assert_eq!(p.mapping.date_order, None, "left open in the mapping");
    // Two rows of a Mint export two months apart: day first they would span two days.
    let mint = b"\"Date\",\"Description\",\"Original Description\",\"Amount\",\"Transaction Type\",\"Category\",\"Account Name\",\"Labels\",\"Notes\"\n\
        \"8/02/2016\",\"Amazon\",\"AMAZON\",\"29.99\",\"debit\",\"Shopping\",\"1234\",\"\",\"\"\n\
        \"6/02/2016\",\"Autopay\",\"AUTOPAY\",\"123.45\",\"credit\",\"Payment\",\"1234\",\"\",\"\"\n";
    let p = parse(mint, &opts("transactions.csv")).unwrap();
    assert_eq!(dates(&p), vec![day(2016, 8, 2), day(2016, 6, 2)]);
    assert_eq!(
        p.findings.date_order.as_ref().unwrap().basis,
        DateOrderBasis::Exporter
    );
    let p = parse_fixture("aggregator_us_dates.csv");
    let found = p.findings.date_order.as_ref().unwrap();
    assert_eq!(found.basis, DateOrderBasis::Exporter);
    assert_eq!(found.exporter.as_deref(), Some("Mint"));
    assert_eq!(p.mapping.date_order, Some(DateOrder::Mdy));
    assert_eq!(
        dates(&p),
        vec![
            day(2024, 12, 10),
            day(2024, 10, 8),
            day(2024, 8, 6),
            day(2024, 6, 4)
        ]
    );
    assert_eq!(amounts(&p), vec![-495, 150000, -4000, -2510]);
}

#[test]
fn rows_wider_than_the_header_are_joined_by_content() {
    let p = parse_fixture("wide_rows_address.csv");
    assert_eq!(amounts(&p), vec![-320, -1299, -800, 150000]);
    let wide = p.findings.wide_rows.as_ref().unwrap();
    assert_eq!((wide.rows, wide.lines.clone()), (3, vec![3, 4, 5]));
    assert_eq!(wide.columns, vec!["Address"]);
    assert_eq!(p.headers.len(), 5);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn rows_and_problems_are_handed_on_in_line_order_whatever_the_line_ends() {
    // CRLF, a bare CR (old Mac) and LF in one file, and a quoted cell across a CRLF: each is one
    // line end, as when the text was normalised before it was split.
    let text = "Date,Description,Amount\r\n2024-01-02,\"Two\r\nlines\",-1.00\r2024-01-03,Bad,abc\n\
                2024-01-04,Pending,\n2024-01-05,Shop,-2.50\n";
    let mut items = Vec::new();
    let reading = read(text.as_bytes(), &opts("x.csv"), |item| {
        items.push(item);
        Ok::<_, ImportError>(())
    })
    .unwrap();
    let lines: Vec<(usize, bool)> = items
        .iter()
        .map(|i| match i {
            Item::Row(r) => (r.line, true),
            Item::Problem(p) => (p.line, false),
        })
        .collect();
    assert_eq!(lines, [(2, true), (4, false), (5, false), (6, true)]);
    assert_eq!((reading.rows, reading.errors, reading.skipped), (2, 1, 1));
    let Item::Row(first) = &items[0] else {
        unreachable!()
    };
    assert_eq!(first.description, "Two\nlines");
    assert_eq!(first.amount, -100);
    // The collecting form says the same.
    let parsed = parse(text.as_bytes(), &opts("x.csv")).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(parsed.problems.len(), 2);
}
