//! Known exporters, recognised by their header, for what their files leave open to reading.
//! Only exporters whose layout does not change with the user's locale are listed: for them the
//! header alone says how dates are written, where every date of a short file may read both ways,
//! and whether a fee column is charged on top of the amount.

use super::columns::fold;
use super::date::DateOrder;

struct Signature {
    name: &'static str,
    /// Folded header names that must all be present.
    columns: &'static [&'static str],
    date_order: DateOrder,
    /// The folded name of a fee column charged on top of the amount, which the exporter's balance
    /// subtracts. Elsewhere a `Fee` column is already inside the amount (Stripe's and PayPal's
    /// gross and net) or only informs.
    fee_on_top: Option<&'static str>,
}

const KNOWN: &[Signature] = &[
    // Intuit Mint's transaction export: US dates, unsigned amounts, a debit/credit column.
    Signature {
        name: "Mint",
        columns: &[
            "date",
            "description",
            "original description",
            "amount",
            "transaction type",
            "account name",
        ],
        date_order: DateOrder::Mdy,
        fee_on_top: None,
    },
    // Chase checking and card downloads (US).
    Signature {
        name: "Chase",
        columns: &[
            "details",
            "posting date",
            "description",
            "amount",
            "check or slip",
        ],
        date_order: DateOrder::Mdy,
        fee_on_top: None,
    },
    Signature {
        name: "Chase card",
        columns: &[
            "transaction date",
            "post date",
            "description",
            "category",
            "type",
            "amount",
            "memo",
        ],
        date_order: DateOrder::Mdy,
        fee_on_top: None,
    },
    // Payoneer's transaction export (US dates, time and zone in their own columns).
    Signature {
        name: "Payoneer",
        columns: &[
            "transaction date",
            "transaction time",
            "time zone",
            "transaction id",
            "credit amount",
            "debit amount",
        ],
        date_order: DateOrder::Mdy,
        fee_on_top: None,
    },
    // The Monefy app writes day-first dates (hledger's monefy rules read them so).
    Signature {
        name: "Monefy",
        columns: &[
            "date",
            "account",
            "category",
            "amount",
            "currency",
            "converted amount",
            "description",
        ],
        date_order: DateOrder::Dmy,
        fee_on_top: None,
    },
    // Revolut's account statement: `Amount` and `Fee`, and a `Balance` after both; its dates
    // are ISO.
    Signature {
        name: "Revolut",
        columns: &[
            "started date",
            "completed date",
            "amount",
            "fee",
            "state",
            "balance",
        ],
        date_order: DateOrder::Ymd,
        fee_on_top: Some("fee"),
    },
];

/// The exporter whose signature the `folded` header names carry.
fn known(folded: &[String]) -> Option<&'static Signature> {
    KNOWN
        .iter()
        .find(|s| s.columns.iter().all(|c| folded.iter().any(|h| h == c)))
}

fn folded(headers: &[String]) -> Vec<String> {
    headers.iter().map(|h| fold(h)).collect()
}

/// The exporter whose signature the header carries, and its date order.
pub fn date_order(headers: &[String]) -> Option<(&'static str, DateOrder)> {
    known(&folded(headers)).map(|s| (s.name, s.date_order))
}

/// The column of a fee charged on top of the amount, when the header is a known exporter's.
pub fn fee_column(headers: &[String]) -> Option<usize> {
    let folded = folded(headers);
    let fee = known(&folded)?.fee_on_top?;
    folded.iter().position(|h| h == fee)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<String> {
        line.split(',')
            .map(|c| c.trim_matches('"').to_string())
            .collect()
    }

    #[test]
    fn knows_mint_and_monefy_and_nothing_generic() {
        let mint = names(
            r#""Date","Description","Original Description","Amount","Transaction Type","Category","Account Name","Labels","Notes""#,
        );
        assert_eq!(date_order(&mint), Some(("Mint", DateOrder::Mdy)));
        let monefy =
            names("date,account,category,amount,currency,converted amount,currency,description");
        assert_eq!(date_order(&monefy), Some(("Monefy", DateOrder::Dmy)));
        assert_eq!(date_order(&names("Date,Description,Amount")), None);
    }
}
