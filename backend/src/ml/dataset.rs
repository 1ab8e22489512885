//! The synthetic labeled dataset: bank-statement lines generated from `merchants`, dressed in
//! the noise real exports carry, and plain descriptions of what was bought ("Haircut at Rose
//! Salon", "monthly phone bill") as people and some banks write them. The same seed gives the
//! same lines, byte for byte.

use std::io;
use std::path::Path;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::ml::merchants::{Flow, AMOUNT_SCALE, CITIES, NAMES, PREFIXES, SPECS};

pub const DEFAULT_SIZE: usize = 200_000;
pub const DEFAULT_SEED: u64 = 20_261_121;
const LOCALES: [&str; 4] = ["US", "UK", "EU", "IN"];

/// One labeled line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub description: String,
    /// The merchant's clean name, before the bank's noise: which lines are the same merchant.
    pub merchant: String,
    /// Minor units; money out negative.
    pub amount: i64,
    pub category: String,
    pub locale: String,
}

/// A standard normal draw (Box–Muller), so amounts need no extra crate.
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.gen_bool(p)
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// A merchant's name: a known one mostly, otherwise a made-up name plus a word of the kind.
fn merchant(rng: &mut StdRng, spec_index: usize) -> String {
    let spec = &SPECS[spec_index];
    if chance(rng, 0.75) {
        pick(rng, spec.merchants).to_owned()
    } else {
        format!("{} {}", pick(rng, NAMES), pick(rng, spec.kinds))
    }
}

/// How often a line is a plain description rather than a bank's merchant line.
const PLAIN_SHARE: f64 = 0.3;

/// Words that go around a plain description in every category alike, so they say nothing about
/// the category and the model learns to look past them.
#[rustfmt::skip]
const QUALIFIERS: &[&str] = &[
    "monthly", "weekly", "annual", "new", "quick", "family", "late", "big", "small", "last",
    "extra", "online", "local", "usual", "some", "more", "second", "another",
];
#[rustfmt::skip]
const FOR_WHOM: &[&str] = &[
    "the kids", "mum", "dad", "the family", "me", "work", "the house", "my partner", "a friend",
    "the weekend", "two", "the month",
];

/// A plain description of a thing of category `spec_index`, and the thing (its "merchant").
fn plain(rng: &mut StdRng, spec_index: usize) -> (String, String) {
    let spec = &SPECS[spec_index];
    let thing = pick(rng, spec.things);
    let text = match rng.gen_range(0..9) {
        0 | 1 => thing.to_owned(),
        2 => format!("{} {thing}", pick(rng, QUALIFIERS)),
        3 => format!("{thing} at {} {}", pick(rng, NAMES), pick(rng, spec.kinds)),
        4 => format!("{thing} for {}", pick(rng, FOR_WHOM)),
        5 => format!("{thing} and {}", pick(rng, spec.things)),
        6 => format!("{thing} from {}", pick(rng, NAMES)),
        7 => format!("paid for {thing}"),
        _ => format!("{} {} {thing}", pick(rng, NAMES), pick(rng, spec.kinds)),
    };
    let text = match rng.gen_range(0..10) {
        0..=4 => sentence_case(&text),
        5..=7 => text.to_uppercase(),
        _ => text.to_lowercase(),
    };
    (text, thing.to_owned())
}

fn sentence_case(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The noise a bank wraps around a merchant name.
fn dress(rng: &mut StdRng, name: &str, locale: usize, refund: bool) -> String {
    let mut text = String::new();
    if refund {
        text.push_str(pick(
            rng,
            &["REFUND ", "RETURN ", "CREDIT VOUCHER ", "GUTSCHRIFT "],
        ));
    } else if chance(rng, 0.5) {
        text.push_str(pick(rng, PREFIXES[locale]));
    }
    text.push_str(name);
    if chance(rng, 0.35) {
        text.push_str(&format!(" #{}", rng.gen_range(10..99_999)));
    }
    if chance(rng, 0.2) {
        text.push_str(&format!(
            " {:02}/{:02}",
            rng.gen_range(1..=28),
            rng.gen_range(1..=12)
        ));
    }
    if chance(rng, 0.4) {
        text.push(' ');
        text.push_str(pick(rng, CITIES[locale]));
    }
    if chance(rng, 0.15) {
        let reference: String = (0..8)
            .map(|_| {
                let c = rng.gen_range(0..36u8);
                char::from(if c < 10 { b'0' + c } else { b'A' + c - 10 })
            })
            .collect();
        text.push_str(&format!(" REF {reference}"));
    }
    if chance(rng, 0.15) {
        text.push_str(&format!(" CARD {:04}", rng.gen_range(0..10_000)));
    }
    let mut text = match rng.gen_range(0..10) {
        0..=6 => text,
        7 | 8 => title_case(&text),
        _ => text.to_lowercase(),
    };
    if chance(rng, 0.15) && text.chars().count() > 22 {
        text = text.chars().take(rng.gen_range(18..=24)).collect();
    }
    text
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_string() + &chars.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn amount(rng: &mut StdRng, spec_index: usize, locale: usize, refund: bool) -> i64 {
    let spec = &SPECS[spec_index];
    let major = spec.median * (spec.sigma * normal(rng)).exp() * AMOUNT_SCALE[locale];
    let minor = (major * 100.0).round().max(1.0) as i64;
    let inflow = match spec.flow {
        Flow::Out => refund,
        Flow::In => true,
        Flow::Either => chance(rng, 0.5),
    };
    if inflow {
        minor
    } else {
        -minor
    }
}

/// `size` lines from `seed`.
pub fn generate(seed: u64, size: usize) -> Vec<Example> {
    let mut rng = StdRng::seed_from_u64(seed);
    let total: u32 = SPECS.iter().map(|s| s.weight).sum();
    (0..size)
        .map(|_| {
            let mut ticket = rng.gen_range(0..total);
            let spec_index = SPECS
                .iter()
                .position(|s| {
                    if ticket < s.weight {
                        true
                    } else {
                        ticket -= s.weight;
                        false
                    }
                })
                .unwrap_or(0);
            let locale = rng.gen_range(0..LOCALES.len());
            let refund = SPECS[spec_index].refunds && chance(&mut rng, 0.04);
            let (description, merchant) = if !refund && chance(&mut rng, PLAIN_SHARE) {
                plain(&mut rng, spec_index)
            } else {
                let name = merchant(&mut rng, spec_index);
                (dress(&mut rng, &name, locale, refund), name)
            };
            Example {
                description,
                merchant,
                amount: amount(&mut rng, spec_index, locale, refund),
                category: SPECS[spec_index].name.to_owned(),
                locale: LOCALES[locale].to_owned(),
            }
        })
        .collect()
}

pub fn write_csv(path: &Path, examples: &[Example]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut writer = csv::Writer::from_path(path)?;
    for example in examples {
        writer.serialize(example)?;
    }
    writer.flush()
}

pub fn read_csv(path: &Path) -> Result<Vec<Example>, csv::Error> {
    csv::Reader::from_path(path)?.deserialize().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::categories::DEFAULTS;

    #[test]
    fn the_same_seed_gives_the_same_lines() {
        assert_eq!(generate(7, 500), generate(7, 500));
        assert_ne!(generate(7, 500), generate(8, 500));
    }

    #[test]
    fn every_default_category_appears_with_its_sign() {
        let examples = generate(1, 20_000);
        for (name, kind, _) in DEFAULTS {
            let of: Vec<&Example> = examples.iter().filter(|e| e.category == *name).collect();
            assert!(of.len() > 50, "{name}: {}", of.len());
            if kind.as_str() == "income" {
                assert!(of.iter().all(|e| e.amount > 0), "{name}");
            }
        }
        assert!(SPECS
            .iter()
            .all(|s| DEFAULTS.iter().any(|(name, _, _)| *name == s.name)));
        assert!(examples.iter().all(|e| e.amount != 0));
        assert!(examples.iter().any(|e| e.description.starts_with("SQ *")));
        let plain = examples
            .iter()
            .filter(|e| e.description.eq_ignore_ascii_case(&e.merchant))
            .count();
        assert!(plain > 500, "plain descriptions of one thing: {plain}");
    }
}
