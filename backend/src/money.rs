//! Money is an integer count of minor units plus an ISO 4217 code; never a float.

/// Active ISO 4217 currency codes.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Withdrawn codes that old statements still carry (mostly the euro's predecessors).
const WITHDRAWN: &[&str] = &[
    "ATS", "CYP", "DEM", "EEK", "FIM", "FRF", "HRK", "IEP", "LTL", "LVL", "MTL", "NLG", "SIT",
    "SKK",
];

pub fn is_currency(code: &str) -> bool {
    ISO_4217.binary_search(&code).is_ok() || WITHDRAWN.contains(&code)
}

/// How many decimal digits the currency's minor unit has: 2 for EUR (cents), 0 for JPY, 3 for
/// KWD. Amounts are stored as integers in that unit.
pub fn minor_unit_digits(code: &str) -> u32 {
    const NONE: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    if NONE.contains(&code) {
        0
    } else if THREE.contains(&code) {
        3
    } else {
        2
    }
}

/// Minor units as a plain decimal string in the currency's precision: `-123456` EUR is
/// `-1234.56`, `500` JPY is `500`.
pub fn format_minor(amount: i64, currency: &str) -> String {
    let digits = minor_unit_digits(currency);
    if digits == 0 {
        return amount.to_string();
    }
    let scale = 10u64.pow(digits);
    let magnitude = amount.unsigned_abs();
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_binary_search_works() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn knows_codes_exactly() {
        assert!(is_currency("EUR"));
        assert!(is_currency("INR"));
        assert!(is_currency("LTL"), "a withdrawn code old statements use");
        assert!(!is_currency("eur"));
        assert!(!is_currency("EURO"));
        assert!(!is_currency("XYZ"));
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(minor_unit_digits("EUR"), 2);
        assert_eq!(minor_unit_digits("JPY"), 0);
        assert_eq!(minor_unit_digits("KWD"), 3);
    }

    #[test]
    fn formats_without_floats() {
        assert_eq!(format_minor(-123456, "EUR"), "-1234.56");
        assert_eq!(format_minor(5, "USD"), "0.05");
        assert_eq!(format_minor(-5, "USD"), "-0.05");
        assert_eq!(format_minor(500, "JPY"), "500");
        assert_eq!(format_minor(1234, "KWD"), "1.234");
        assert_eq!(format_minor(i64::MIN, "USD"), "-92233720368547758.08");
    }
}
