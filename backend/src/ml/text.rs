//! Bank descriptions reduced to the words that carry meaning. Banks wrap the merchant in noise
//! (`POS`, `SQ *`, card suffixes, store numbers, dates, references); the model and the per-user
//! memory both read the words left after that noise is gone.

/// Words banks add around a merchant's name that say nothing about what was bought.
#[rustfmt::skip]
const NOISE: &[&str] = &[
    "pos", "sq", "tst", "card", "purchase", "debit", "credit", "visa", "mastercard", "mc",
    "contactless", "payment", "pmt", "pymt", "ref", "dd", "so", "ach", "upi", "neft", "imps",
    "kartenzahlung", "lastschrift", "sepa", "cb", "carte", "the", "of", "and", "www", "com", "inc",
    "ltd", "llc", "gmbh", "co", "txn", "trx", "xx", "xxxx", "to", "at", "on", "from", "vis",
    "bgc", "ecom", "checkcard", "authorized", "paiement", "betaalautomaat", "refund", "return",
    "voucher", "gutschrift",
];

/// The description's words: lower case, split on anything that is not a letter or digit, and
/// without words holding digits (store numbers, dates, references, card suffixes), which differ
/// on every line of a statement.
pub fn words(description: &str) -> Vec<String> {
    word_iter(description).collect()
}

/// `words`, one at a time: the merchant's words need only the first few.
fn word_iter(description: &str) -> impl Iterator<Item = String> + '_ {
    description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1 && !w.chars().any(|c| c.is_numeric()))
        .map(str::to_lowercase)
}

/// The words that name the merchant: the description's words without the banks' noise, at most
/// `MERCHANT_WORDS` of them. Addresses and cities trail the name, so the first words are kept.
pub fn merchant_words(description: &str) -> Vec<String> {
    merchant_word_iter(description)
        .take(MERCHANT_WORDS)
        .collect()
}

fn merchant_word_iter(description: &str) -> impl Iterator<Item = String> + '_ {
    word_iter(description).filter(|w| !is_noise(w))
}

/// Whether a word is one of the banks' words around a merchant's name.
pub fn is_noise(word: &str) -> bool {
    NOISE.contains(&word)
}

pub const MERCHANT_WORDS: usize = 3;

/// What one merchant's lines have in common: its first two merchant words. Two lines with the
/// same key are taken to be the same merchant by the per-user memory.
pub fn merchant_key(description: &str) -> String {
    let words: Vec<String> = merchant_word_iter(description).take(2).collect();
    words.join(" ")
}

/// The text to categorize a bank row by: its description, led by the payee when the bank keeps
/// the payee in a column of its own.
pub fn with_payee(description: &str, payee: Option<&str>) -> String {
    match payee.map(str::trim).filter(|p| !p.is_empty()) {
        Some(payee) if !description.contains(payee) => format!("{payee} {description}"),
        _ => description.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_and_numbers_are_dropped() {
        assert_eq!(
            words("POS 4821 TESCO STORES 3297 LONDON 12/03"),
            ["pos", "tesco", "stores", "london"]
        );
        assert_eq!(
            merchant_key("POS 4821 TESCO STORES 3297 LONDON"),
            "tesco stores"
        );
        assert_eq!(merchant_key("SQ *BLUE BOTTLE COFFEE #12"), "blue bottle");
        assert_eq!(merchant_key("Tesco Stores, London"), "tesco stores");
        assert_eq!(merchant_key("1234 5678"), "");
    }

    #[test]
    fn a_separate_payee_leads_the_text() {
        assert_eq!(
            with_payee("Card payment", Some("Shell")),
            "Shell Card payment"
        );
        assert_eq!(with_payee("SHELL 1234", Some("SHELL")), "SHELL 1234");
        assert_eq!(with_payee("Card payment", Some(" ")), "Card payment");
    }

    #[test]
    fn accented_words_survive() {
        assert_eq!(words("Café Müller"), ["café", "müller"]);
    }
}
