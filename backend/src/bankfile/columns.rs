//! What a column holds, judged from its header name in several languages (English, German,
//! Dutch, French, Spanish, Hungarian, Czech, …) and from its content (direction flags, currency
//! codes). The content checks that decide in the end live in `table`.

/// Lowercase, accents removed, everything but letters and digits turned into single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let mapped = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ă' | 'ā' => "a",
            'ç' | 'č' | 'ć' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ě' | 'ę' | 'ē' | 'ė' => "e",
            'ģ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => "i",
            'ķ' => "k",
            'ñ' | 'ň' | 'ń' | 'ņ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ő' | 'ø' => "o",
            'ř' | 'ŕ' => "r",
            'š' | 'ś' => "s",
            'ť' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' | 'ų' => "u",
            'ý' | 'ÿ' => "y",
            'ž' | 'ź' | 'ż' => "z",
            'ß' => "ss",
            'ł' | 'ĺ' | 'ľ' | 'ļ' => "l",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        out.push_str(mapped);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words(folded: &str) -> Vec<&str> {
    folded.split(' ').filter(|w| !w.is_empty()).collect()
}

fn has_word(folded: &str, list: &[&str]) -> bool {
    words(folded).iter().any(|w| list.contains(w))
}

/// Some word starts or ends with one of the stems (German and Hungarian compounds:
/// `Buchungsbetrag`, `összege`).
fn has_stem(folded: &str, stems: &[&str]) -> bool {
    words(folded)
        .iter()
        .any(|w| stems.iter().any(|s| w.starts_with(s) || w.ends_with(s)))
}

/// How likely the header names the booking date (higher is better); `None`: not a date name.
pub fn date_score(header: &str) -> Option<i32> {
    let f = fold(header);
    let date_words = [
        "date",
        "datum",
        "fecha",
        "data",
        "datuma",
        "buchung",
        "buchungstag",
        "valuta",
        "wertstellung",
        "created",
        "posted",
        "dtposted",
        "tag",
        "day",
    ];
    if !has_stem(&f, &date_words) {
        return None;
    }
    let mut score = 10;
    let booking = [
        "buchung",
        "booking",
        "posted",
        "posting",
        "processed",
        "verrekening",
        "zauctovani",
        "konyveles",
        "boek",
        "boeking",
        "order",
        "created",
        "completed",
    ];
    let value = [
        "valuta",
        "value",
        "wertstellung",
        "rente",
        "valeur",
        "provedeni",
        "execution",
        "settle",
        "settlement",
        "release",
        "shipment",
        "ship",
        "valor",
    ];
    let period = [
        "initial",
        "final",
        "start",
        "end",
        "from",
        "to",
        "period",
        "statement",
    ];
    let purchase = [
        "transaction",
        "verrichting",
        "beleg",
        "purchase",
        "tranzakcio",
        "trans",
    ];
    if has_stem(&f, &booking) {
        score += 5;
    }
    if has_stem(&f, &value) {
        score -= 5;
    }
    if has_word(&f, &period) {
        score -= 8;
    }
    if has_stem(&f, &purchase) {
        score -= 2;
    }
    Some(score)
}

/// Not an amount of the transaction itself.
fn not_amount(f: &str) -> bool {
    // `rate` as a word only: as a stem it would take Italian `Entrate` (income).
    has_word(f, &["rate", "rates"])
        || has_stem(
            f,
            &[
                "balance",
                "saldo",
                "solde",
                "original",
                "fremdwahrung",
                "foreign",
                "intl",
                "international",
                "converted",
                "fee",
                "tax",
                "price",
                "quantity",
                "qty",
                "refund",
                "kurs",
                "koers",
                "exchange",
                "subtotal",
                "running",
                "kosten",
                "gebuhr",
                "shipping",
                "gift",
                "cost",
                "commission",
                "comm",
                "limit",
                "available",
                "verfugbar",
                "interest",
                "umrechnung",
                "wechselkurs",
            ],
        )
}

/// Whether the header names a number that is not the transaction's amount (a balance, a fee, a
/// rate…), so that a column of it is never taken for the amount by its content either.
pub fn names_another_number(header: &str) -> bool {
    not_amount(&fold(header))
}

/// How likely the header names the (signed) amount; `None`: not an amount name.
pub fn amount_score(header: &str) -> Option<i32> {
    let f = fold(header);
    if f.is_empty() || not_amount(&f) || debit_credit(header).is_some() {
        return None;
    }
    let core = [
        "amount", "betrag", "bedrag", "montant", "importe", "importo", "osszeg", "castka", "kwota",
        "belopp", "belob", "summa", "suma", "valor", "total", "net", "umsatz", "bedrag", "sum",
        "amt", "trnamt", "zneseni", "iznos",
    ];
    if words(&f).len() == 1 && core.contains(&f.as_str()) {
        return Some(if f == "total" || f == "sum" { 16 } else { 20 });
    }
    if has_stem(&f, &core) {
        let mut score = 12;
        if has_word(&f, &["gross", "brutto"]) {
            score -= 4;
        }
        if has_word(&f, &["in", "eur", "usd", "converted"]) && words(&f).len() > 2 {
            score -= 2;
        }
        return Some(score);
    }
    if has_word(&f, &["gross", "brutto"]) {
        return Some(8);
    }
    None
}

/// An amount column that lists purchases as positive numbers (order histories).
pub fn is_purchase_total(header: &str) -> bool {
    let f = fold(header);
    matches!(
        f.as_str(),
        "total"
            | "item total"
            | "order total"
            | "grand total"
            | "total charged"
            | "purchase amount"
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Debit,
    Credit,
}

/// A header naming money out or money in (`Debit`, `Withdrawal (-)`, `Soll`, `Af`, `Paid in`…).
pub fn debit_credit(header: &str) -> Option<Side> {
    let f = fold(header);
    if has_stem(&f, &["card", "kaart", "karte", "carte", "tarjeta"]) || not_amount(&f) {
        return None;
    }
    let debit = [
        "debit",
        "debet",
        "debito",
        "withdrawal",
        "withdrawals",
        "outflow",
        "outflows",
        "ausgang",
        "ausgabe",
        "ausgaben",
        "soll",
        "af",
        "uitgaven",
        "uitgaand",
        "cargo",
        "cargos",
        "retiro",
        "retiros",
        "charge",
        "charges",
        "expense",
        "expenses",
        "lastschrift",
        "belastung",
        "kiadas",
        "payments",
        "spent",
        "dr",
        "addebiti",
        "addebito",
        "uscite",
        "uscita",
        "deebet",
        "расход",
        "списание",
    ];
    let credit = [
        "credit",
        "kredit",
        "credito",
        "deposit",
        "deposits",
        "inflow",
        "inflows",
        "eingang",
        "einnahme",
        "einnahmen",
        "haben",
        "bij",
        "ontvangsten",
        "inkomsten",
        "abono",
        "abonos",
        "ingreso",
        "ingresos",
        "income",
        "gutschrift",
        "bevetel",
        "received",
        "cr",
        "accrediti",
        "accredito",
        "entrate",
        "entrata",
        "kreedit",
        "приход",
        "зачисление",
    ];
    let (d, c) = (has_word(&f, &debit), has_word(&f, &credit));
    // `in` and `out` name a side only where no other word does (`Paid in`, `Money out`, `In`): in
    // `Addebito in CHF` the `in` is the currency's preposition.
    let (d, c) = if d || c {
        (d, c)
    } else {
        (has_word(&f, &["out"]), has_word(&f, &["in"]))
    };
    match (d, c) {
        (true, false) => Some(Side::Debit),
        (false, true) => Some(Side::Credit),
        _ => None,
    }
}

/// A direction flag in a cell: `D`/`C`, `DR`/`CR`, `S`/`H`, `Af`/`Bij`, `debit`/`credit`,
/// `outflow`/`inflow`, `-`/`+`, `K` (Baltic "kreditas")…
pub fn direction_token(value: &str) -> Option<Side> {
    let v = flag(value);
    if SIDES.iter().any(|(out, _)| *out == v) {
        Some(Side::Debit)
    } else if SIDES.iter().any(|(_, inn)| *inn == v) {
        Some(Side::Credit)
    } else {
        None
    }
}

/// A flag folded for comparison; `-` and `+` are kept, as fold would drop them.
fn flag(value: &str) -> String {
    match value.trim() {
        sign @ ("-" | "+") => sign.to_owned(),
        _ => fold(value),
    }
}

/// Direction flags, money out and the money in it goes with; a flag may be in several pairs.
const SIDES: &[(&str, &str)] = &[
    ("d", "c"),
    ("dr", "cr"),
    ("db", "cr"),
    ("debit", "credit"),
    ("debet", "kredit"),
    ("s", "h"),
    ("soll", "haben"),
    ("af", "bij"),
    ("o", "i"),
    ("out", "in"),
    ("outflow", "inflow"),
    ("outgoing", "incoming"),
    ("withdrawal", "deposit"),
    ("-", "+"),
    ("kiadas", "bevetel"),
    ("cargo", "abono"),
    ("debito", "credito"),
    ("expense", "income"),
    ("payment out", "payment in"),
    ("uit", "in"),
    ("d", "k"),
    ("d", "kr"),
];

/// The flag for the other direction in the same wording (`Debit` → `credit`).
pub fn opposite_flag(value: &str) -> Option<&'static str> {
    let v = flag(value);
    SIDES.iter().find_map(|(out, inn)| {
        if *out == v {
            Some(*inn)
        } else if *inn == v {
            Some(*out)
        } else {
            None
        }
    })
}

/// Whether the header names a column of direction flags (`Transaction Type`, `Debit/Credit`,
/// `Dr/Cr`, `Soll/Haben`, `Af Bij`, `Credit Debit Indicator`).
pub fn is_direction_header(header: &str) -> bool {
    let f = fold(header);
    has_word(&f, &["type", "direction", "indicator", "richtung", "sens"])
        || SIDES
            .iter()
            .any(|(out, inn)| out.len() > 1 && has_word(&f, &[out]) && has_word(&f, &[inn]))
}

/// Why a status cell keeps its row out of the statement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unbooked {
    /// The payment never went through (`DECLINED`, `NOT APPROVED`).
    Declined,
    /// The bank has noted the booking but not made it (the Sparkassen's `Umsatz vorgemerkt`
    /// beside `Umsatz gebucht`).
    Noted,
}

/// The whole cell, compared without allocating: it is asked of every cell of every row. A bare
/// `Pending` is not among the statuses: PayPal marks the bank deposits that fund its payments
/// `Pending`, and they belong to the statement.
pub fn unbooked_status(cell: &str) -> Option<Unbooked> {
    const DECLINED: [&str; 8] = [
        "declined",
        "not approved",
        "rejected",
        "failed",
        "cancelled",
        "canceled",
        "reverted",
        "denied",
    ];
    const NOTED: [&str; 3] = ["vorgemerkt", "umsatz vorgemerkt", "vormerkung"];
    let cell = cell.trim();
    let among = |statuses: &[&str]| {
        cell.len() <= 17 && statuses.iter().any(|s| cell.eq_ignore_ascii_case(s))
    };
    if among(&DECLINED) {
        Some(Unbooked::Declined)
    } else if among(&NOTED) {
        Some(Unbooked::Noted)
    } else {
        None
    }
}

/// Whether the header names the account a row belongs to by its name (Dhana's own export:
/// `Account`), not by a number.
pub fn is_account_name(header: &str) -> bool {
    matches!(
        fold(header).as_str(),
        "account" | "account name" | "kontoname" | "nom du compte" | "rekeningnaam"
    )
}

fn is_account_number(f: &str) -> bool {
    has_stem(f, &["iban", "rekening", "konto", "szamlaszam", "bban"])
        || has_word(
            f,
            &[
                "id", "account", "number", "bic", "no", "nr", "code", "symbol",
            ],
        )
}

/// How likely the header names the counterparty; `None`: not a payee name.
pub fn payee_score(header: &str) -> Option<i32> {
    let f = fold(header);
    let strong = [
        "payee",
        "tegenpartij",
        "partner",
        "empfanger",
        "beneficiary",
        "beneficiaire",
        "beneficiario",
        "merchant",
        "handelaar",
        "counterparty",
        "begunstigde",
        "protiuctu",
        "recipient",
        "auftraggeber",
        "zahlungsempfanger",
        "haendler",
        "handler",
        "commercant",
        "saaja",
        "maksja",
        "sanemejs",
        "maksatajs",
        "gavejas",
        "moketojas",
    ];
    if is_account_number(&f) {
        return None;
    }
    if has_stem(&f, &strong) {
        return Some(
            20 - if has_stem(&f, &["uiteindelijke", "initierende"]) {
                10
            } else {
                0
            },
        );
    }
    if has_word(&f, &["name", "naam", "nom", "nombre", "neve"]) {
        return Some(10);
    }
    None
}

/// Whether the header names free-text notes, kept apart from the description.
pub fn is_memo(header: &str) -> bool {
    has_word(
        &fold(header),
        &[
            "notes", "note", "memo", "comment", "comments", "remark", "remarks",
        ],
    )
}

/// How likely the header names a free-text description; `None`: not one.
pub fn description_score(header: &str) -> Option<i32> {
    let f = fold(header);
    if is_account_number(&f) {
        return None;
    }
    let best = [
        "description",
        "details",
        "omschrijving",
        "verwendungszweck",
        "narrative",
        "libelle",
        "concepto",
        "transaktionsbeschreibung",
        "buchungstext",
        "memo",
        "particulars",
    ];
    let good = [
        "reference",
        "reason",
        "note",
        "notes",
        "remarque",
        "title",
        "items",
        "item",
        "transaction",
        "purpose",
        "mededeling",
        "toelichting",
        "zprava",
        "kozlemeny",
        "reszletek",
        "text",
        "info",
        "information",
        "betreff",
        "motivo",
        "descripcion",
        "beschreibung",
        "action",
        "remark",
        "remarks",
        "comment",
        "comments",
    ];
    if has_stem(&f, &best) {
        Some(20 - if has_word(&f, &["original"]) { 5 } else { 0 })
    } else if has_stem(&f, &good) {
        Some(10)
    } else {
        None
    }
}

pub fn is_category(header: &str) -> bool {
    let f = fold(header);
    has_stem(
        &f,
        &[
            "category",
            "kategorie",
            "categorie",
            "categoria",
            "rubriek",
            "kategoria",
            "kategori",
        ],
    ) && !has_word(&f, &["sub", "subcategory"])
}

pub fn is_currency_header(header: &str) -> bool {
    let f = fold(header);
    !names_another_currency(header)
        && has_stem(
            &f,
            &[
                "currency",
                "wahrung",
                "munt",
                "devise",
                "moneda",
                "devizanem",
                "devizaneme",
                "ccy",
                "mena",
                "waluta",
                "valuuta",
            ],
        )
}

/// A column about another currency than the row's own (`Original Currency`, a transfer's): a
/// column of codes under such a header is never the rows' currency.
pub fn names_another_currency(header: &str) -> bool {
    has_stem(
        &fold(header),
        &["original", "fremd", "foreign", "converted", "transfer"],
    )
}

/// An ISO 4217 code named in an amount header: `Betrag (EUR)`, `Amount CZK`.
pub fn currency_in_header(header: &str) -> Option<String> {
    header
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| w.len() == 3 && crate::money::is_currency(&w.to_ascii_uppercase()))
        .filter(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        .map(str::to_string)
}

/// Balance, turnover and total wording, folded (see [`fold`]), in the languages of the banks
/// whose exports we have seen or expect: English, German, Dutch, French, Spanish, Portuguese,
/// Italian, the Nordic and Baltic languages (Swedbank, SEB, Nordea), Polish, Czech, Hungarian.
const SUMMARY: &[&str] = &[
    "opening balance",
    "closing balance",
    "turnover",
    "balance",
    "total",
    "totals",
    "transactions total",
    "total transactions",
    "saldo",
    "anfangssaldo",
    "endsaldo",
    "schlusssaldo",
    "saldovortrag",
    "alter kontostand",
    "neuer kontostand",
    "kontostand",
    "beginsaldo",
    "eindsaldo",
    "openingssaldo",
    "solde",
    "solde initial",
    "solde final",
    "ancien solde",
    "nouveau solde",
    "solde precedent",
    "saldo inicial",
    "saldo final",
    "saldo iniziale",
    "saldo finale",
    "saldo contabile",
    "summe",
    "gesamt",
    "balance brought forward",
    "balance carried forward",
    "brought forward",
    "carried forward",
    "opening",
    "closing",
    "starting balance",
    "ending balance",
    "saldo anterior",
    "saldo actual",
    "available balance",
    "ledger balance",
    "current balance",
    "new balance",
    "previous balance",
    "algsaldo",
    "loppsaldo",
    "kaive",
    "sakuma atlikums",
    "beigu atlikums",
    "apgrozijums",
    "pradinis likutis",
    "galutinis likutis",
    "apyvarta",
    "ingaende saldo",
    "utgaende saldo",
    "inngaende saldo",
    "primo saldo",
    "saldo primo",
    "ultimo saldo",
    "alkusaldo",
    "loppusaldo",
    "saldo poczatkowe",
    "saldo koncowe",
    "saldo otwarcia",
    "saldo zamkniecia",
    "pocatecni zustatek",
    "konecny zustatek",
    "nyito egyenleg",
    "zaro egyenleg",
    "totale",
    "totale movimenti",
    "totalt",
    "totalt belopp",
    "totaal",
    "totaux",
    "yhteensa",
    "razem",
    "celkem",
    "итого",
];

/// Words that may follow balance wording in the same cell: "Closing balance as of 31.01.2024",
/// "Kontostand am 31.01.", "Solde au 31/01".
const SUMMARY_TAIL: &[&str] = &[
    "as", "of", "at", "on", "per", "au", "al", "am", "zum", "vom", "del", "op", "per", "na", "le",
];

/// A cell that says the line is a balance, total or turnover, not a transaction.
pub fn is_summary(cell: &str) -> bool {
    // This runs on every cell of every line. An ASCII cell folds to its letters and digits in
    // lower case, so one whose first letter or digit starts no phrase cannot match: no folding.
    if cell.is_ascii() {
        match cell.bytes().find(u8::is_ascii_alphanumeric) {
            Some(first) => {
                let first = first.to_ascii_lowercase();
                if !SUMMARY.iter().any(|phrase| phrase.as_bytes()[0] == first) {
                    return false;
                }
            }
            None => return false,
        }
    }
    let f = fold(cell);
    if f.is_empty() || f.len() > 60 {
        return false;
    }
    if SUMMARY.contains(&f.as_str()) {
        return true;
    }
    // Wording of two words or more (or one unmistakable word, or any with "as of", "au", "am"),
    // then only a date.
    // (The prefix first: this runs on every cell of every line.)
    SUMMARY.iter().any(|phrase| {
        f.strip_prefix(phrase).is_some_and(|rest| {
            let unmistakable = phrase.contains(' ')
                || ![
                    "balance", "total", "totals", "saldo", "solde", "summe", "gesamt", "opening",
                    "closing", "turnover",
                ]
                .contains(phrase);
            let tail = words(rest);
            (unmistakable || tail.iter().any(|w| SUMMARY_TAIL.contains(w)))
                && rest.starts_with(' ')
                && tail
                    .iter()
                    .all(|w| w.chars().all(|c| c.is_ascii_digit()) || SUMMARY_TAIL.contains(w))
        })
    })
}

/// A header naming a record-type column (Swedbank's `Reatüüp`, `Ieraksta tips`, `Satzart`).
pub fn is_record_type(header: &str) -> bool {
    let f = fold(header);
    [
        "record type",
        "recordtype",
        "record",
        "rec type",
        "row type",
        "line type",
        "satzart",
        "reatuup",
        "rea tuup",
        "ieraksta tips",
        "iraso tipas",
        "radtyp",
        "type d enregistrement",
        "tipo de registro",
    ]
    .contains(&f.as_str())
}

/// A header naming a postal address, the field that most often carries the delimiter.
pub fn is_address(header: &str) -> bool {
    has_stem(
        &fold(header),
        &[
            "address",
            "adresse",
            "anschrift",
            "adres",
            "direccion",
            "indirizzo",
            "street",
            "strasse",
            "location",
            "city",
            "ort",
        ],
    )
}

/// Text of a card statement line that says it is money in: a payment towards the card, a
/// refund, a credit ("PAYMENT - THANK YOU", "AUTOPAY PAYMENT", "Payments and Credits",
/// "Zahlung erhalten", "Gutschrift", "Remboursement").
pub fn is_card_credit(text: &str) -> bool {
    let f = fold(text);
    let w = words(&f);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(x));
    (has(&[
        "payment", "payments", "pymt", "paiement", "pago", "zahlung", "betaling",
    ]) && has(&[
        "thank",
        "received",
        "autopay",
        "credits",
        "credit",
        "recu",
        "recibido",
        "erhalten",
        "ontvangen",
        "online",
        "internet",
        "mobile",
        "electronic",
    ])) || f.contains("thank you")
        || has(&[
            "autopay",
            "refund",
            "remboursement",
            "reembolso",
            "gutschrift",
            "erstattung",
            "rueckerstattung",
            "ruckerstattung",
            "terugbetaling",
        ])
}

/// A header that says the file is a card statement (`Card No.`, `Card Member`, `Card Used For
/// Transaction`, `Kartennummer`). Payment processors' exports name the paying card too
/// (`card_id`, `card_brand`) but are no card statements: only these names count.
pub fn is_card_header(header: &str) -> bool {
    let f = fold(header);
    // `Card Number`, `Card No.`, `Card Used For Transaction`, `Card Last 4 Digits`…
    (has_word(&f, &["card"])
        && has_word(
            &f,
            &[
                "no", "number", "member", "holder", "used", "last", "ending", "digits",
            ],
        ))
        || [
            "cardmember",
            "cardholder",
            "kartennummer",
            "karteninhaber",
            "kaartnummer",
            "kaarthouder",
            "numero de carte",
            "numero de tarjeta",
        ]
        .contains(&f.as_str())
}

/// A date cell that holds a total or balance label instead of a date ("Transactions Total").
pub fn is_summary_label(cell: &str) -> bool {
    let f = fold(cell);
    is_summary(cell)
        || has_word(
            &f,
            &[
                "total", "totals", "balance", "saldo", "summe", "solde", "gesamt", "turnover",
            ],
        )
}

/// A date cell that marks a transaction not yet booked.
pub fn is_pending(cell: &str) -> bool {
    let f = fold(cell);
    has_word(
        &f,
        &[
            "pending",
            "vorgemerkt",
            "attente",
            "pendiente",
            "pendente",
            "in behandeling",
            "fuggo",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_punctuation() {
        assert_eq!(fold("Auftraggeber/Empfänger"), "auftraggeber empfanger");
        assert_eq!(fold("Částka CZK"), "castka czk");
        assert_eq!(fold("Withdrawal (-)"), "withdrawal");
    }

    #[test]
    fn prefers_booking_dates() {
        let s = |h| date_score(h).unwrap_or(-100);
        assert!(s("Posted Date") > s("Transaction Date"));
        assert!(s("Datum verrekening") > s("datum verrichting"));
        assert!(s("Buchungsdatum") > s("Belegdatum"));
        assert!(s("Datum") > s("Rentedatum"));
        assert!(s("Buchung") > s("Valuta"));
        assert!(s("transaction_date") > s("initial_date"));
        assert_eq!(date_score("Description"), None);
    }

    #[test]
    fn names_amounts_and_sides() {
        assert!(amount_score("Betrag (EUR)").is_some());
        assert!(amount_score("Betrag (Fremdwährung)").is_none());
        assert!(amount_score("Buchungsbetrag").is_some());
        assert!(amount_score("Originalbetrag").is_none());
        assert!(amount_score("Intl.Amount").is_none());
        assert!(amount_score("Tranzakció összege").is_some());
        assert!(amount_score("Saldo").is_none());
        assert!(amount_score("Debit Amount").is_none());
        assert!(amount_score("Net") > amount_score("Gross"));
        assert_eq!(debit_credit("Withdrawal (-)"), Some(Side::Debit));
        assert_eq!(debit_credit("Deposit (+)"), Some(Side::Credit));
        assert_eq!(debit_credit("Credit Amount"), Some(Side::Credit));
        assert_eq!(debit_credit("Bevétel/Kiadás"), None);
        assert_eq!(debit_credit("Paid out"), Some(Side::Debit));
        assert_eq!(debit_credit("Addebiti"), Some(Side::Debit));
        // `in` is a preposition beside a side's own word, a side only without one.
        assert_eq!(debit_credit("Addebito in CHF"), Some(Side::Debit));
        assert_eq!(debit_credit("Accredito in CHF"), Some(Side::Credit));
        assert_eq!(debit_credit("Money in"), Some(Side::Credit));
        assert_eq!(debit_credit("Out"), Some(Side::Debit));
        assert_eq!(debit_credit("Entrate"), Some(Side::Credit));
        assert_eq!(debit_credit("Расход"), Some(Side::Debit));
        assert_eq!(debit_credit("Приход"), Some(Side::Credit));
        assert_eq!(direction_token("CR"), Some(Side::Credit));
        assert_eq!(direction_token("D"), Some(Side::Debit));
        assert_eq!(direction_token("EUR"), None);
        assert_eq!(currency_in_header("Betrag (EUR)").as_deref(), Some("EUR"));
        assert_eq!(currency_in_header("Amount"), None);
    }

    #[test]
    fn balance_wording_in_several_languages() {
        for cell in [
            "Opening balance",
            "Closing balance as of 31.01.2024",
            "Anfangssaldo",
            "Endsaldo",
            "Kontostand am 31.01.2024",
            "Solde initial",
            "Solde au 31/01/2024",
            "Totale movimenti",
            "Totalt belopp",
            "Итого",
            "Saldo inicial",
            "Saldo final",
            "Algsaldo",
            "Lõppsaldo",
            "Käive",
            "Sākuma atlikums",
            "Beigu atlikums",
            "Apgrozījums",
            "Ingående saldo",
            "Nyitó egyenleg",
        ] {
            assert!(is_summary(cell), "{cell}");
        }
        for cell in [
            "Saldo Bank transfer",
            "TOTAL GAS STATION",
            "Balance transfer fee",
            "REWE",
        ] {
            assert!(!is_summary(cell), "{cell}");
        }
    }

    #[test]
    fn card_payment_and_credit_wording() {
        for text in [
            "AUTOPAY PAYMENT - THANK YOU",
            "INTERNET PAYMENT - THANK YOU",
            "Payments and Credits",
            "PAYMENT RECEIVED",
            "Zahlung erhalten",
            "REFUND AMAZON",
        ] {
            assert!(is_card_credit(text), "{text}");
        }
        for text in ["CARD PAYMENT TO TESCO", "STARBUCKS", "Restaurants"] {
            assert!(!is_card_credit(text), "{text}");
        }
    }

    #[test]
    fn headers_that_name_the_statement_s_card() {
        for h in [
            "Card No.",
            "Card Number",
            "Card Used For Transaction",
            "Card Last 4 Digits",
        ] {
            assert!(is_card_header(h), "{h}");
        }
        for h in ["card_id", "card_brand", "Card Last4", "Card", "Description"] {
            assert!(!is_card_header(h), "{h}");
        }
    }
}
