//! From a description and an amount to sparse feature indexes. Features are hashed into a fixed
//! number of slots (the "hashing trick"), so there is no vocabulary to store and a word never
//! seen in training still lands somewhere harmless.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ml::directory::{Directory, DirectoryStamp};
use crate::ml::text;

/// Which features are extracted and into how many slots: stored beside the model, because the
/// weights only mean something with the same features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// The features are hashed into `2^dim_bits` slots.
    pub dim_bits: u32,
    /// Each word of the description.
    pub words: bool,
    /// Each pair of adjacent words.
    pub bigrams: bool,
    /// Character n-grams of each word (with its boundaries marked), for these n. They carry
    /// truncated and misspelt merchant names ("STARBUC") to the right class.
    pub char_ngrams: Vec<usize>,
    /// The amount's sign and order of magnitude.
    pub amount: bool,
    /// Amount buckets per doubling of the amount.
    #[serde(default = "one_step")]
    pub amount_steps: u32,
    /// How much each kind of feature counts when scoring.
    #[serde(default)]
    pub weights: KindWeights,
    /// One more feature per brand of the merchant directory the line names: its category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brands: Option<Brands>,
}

/// The merchant directory the brand features come from. Only its stamp is stored with the
/// model; the directory itself is attached when the model is loaded or trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Brands {
    pub stamp: DirectoryStamp,
    #[serde(skip)]
    pub directory: Option<Arc<Directory>>,
}

impl Brands {
    pub fn of(directory: Arc<Directory>) -> Self {
        Brands {
            stamp: directory.stamp.clone(),
            directory: Some(directory),
        }
    }
}

fn one_step() -> u32 {
    1
}

/// Multipliers of each kind of feature's contribution to a score. Naive Bayes counts every
/// feature as independent evidence, so the many character n-grams of one unfamiliar name
/// outvote the amount and the words that do mean something; these undo that.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindWeights {
    pub word: f32,
    pub bigram: f32,
    pub char_ngram: f32,
    pub amount: f32,
}

impl Default for KindWeights {
    fn default() -> Self {
        KindWeights {
            word: 1.0,
            bigram: 1.0,
            char_ngram: 1.0,
            amount: 1.0,
        }
    }
}

impl FeatureConfig {
    pub fn dim(&self) -> usize {
        1 << self.dim_bits
    }
}

/// One feature occurrence: its slot, and the description word it came from (`None` for the
/// amount), so an explanation can name the words that decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Feature {
    pub slot: u32,
    pub word: Option<u16>,
    /// Its kind's weight.
    pub value: f32,
}

/// The extracted features of one description, with its words and brands for explanations.
#[derive(Debug, Default)]
pub struct Extracted {
    pub words: Vec<String>,
    pub features: Vec<Feature>,
    pub brands: Vec<BrandSpan>,
}

/// A brand of the merchant directory that a description names (nothing allocated: this runs
/// on every prediction, and only an explanation names the brand).
#[derive(Clone, Debug, PartialEq)]
pub struct BrandSpan {
    /// Its words, `Extracted::words[words]`.
    pub words: Range<usize>,
    /// Where the directory files it (`Directory::categories_of`).
    pub categories: u32,
    /// Its features, `Extracted::features[features]`: tied to no word, so an explanation
    /// finds them here.
    pub features: Range<usize>,
}

/// FNV-1a: fast, and the same on every platform and version, which the stored weights rely on.
fn hash(namespace: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    eat(namespace);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            eat(b' ');
        }
        part.iter().for_each(|&b| eat(b));
    }
    h
}

/// Sign and rough size: `-3` is money out between 2^3 and 2^4 major units.
pub fn amount_bucket(amount_minor: i64) -> i64 {
    fine_amount_bucket(amount_minor, 1)
}

/// Like `amount_bucket` with `steps` buckets per doubling: floor(steps · log2(major)) + 1,
/// computed on integers (major^steps) so that every platform agrees.
fn fine_amount_bucket(amount_minor: i64, steps: u32) -> i64 {
    let major = u128::from((amount_minor.unsigned_abs() / 100).min(1 << 30));
    let size =
        i64::from(128 - major.pow(steps.clamp(1, 4)).leading_zeros()).min(15 * i64::from(steps));
    if amount_minor < 0 {
        -size - 1
    } else {
        size + 1
    }
}

impl FeatureConfig {
    /// Fills `out` with the features of one description (reusing its buffers).
    pub fn extract_into(&self, description: &str, amount_minor: i64, out: &mut Extracted) {
        out.words = text::words(description);
        out.features.clear();
        out.brands.clear();
        let mask = (self.dim() - 1) as u64;
        let slot = |h: u64| (h & mask) as u32;
        let bucket = fine_amount_bucket(amount_minor, self.amount_steps).to_le_bytes();
        for (i, word) in out.words.iter().enumerate() {
            let origin = Some(i.min(usize::from(u16::MAX)) as u16);
            if self.words {
                out.features.push(Feature {
                    slot: slot(hash(b'w', &[word.as_bytes()])),
                    word: origin,
                    value: self.weights.word,
                });
            }
            if self.bigrams {
                if let Some(next) = out.words.get(i + 1) {
                    out.features.push(Feature {
                        slot: slot(hash(b'b', &[word.as_bytes(), next.as_bytes()])),
                        word: origin,
                        value: self.weights.bigram,
                    });
                }
            }
            if !self.char_ngrams.is_empty() {
                let chars: Vec<char> = std::iter::once('<')
                    .chain(word.chars())
                    .chain(std::iter::once('>'))
                    .collect();
                let mut buf = [0u8; 64];
                for &n in &self.char_ngrams {
                    for gram in chars.windows(n) {
                        let mut len = 0;
                        for c in gram {
                            len += c.encode_utf8(&mut buf[len..]).len();
                        }
                        out.features.push(Feature {
                            slot: slot(hash(b'c', &[&buf[..len]])),
                            word: origin,
                            value: self.weights.char_ngram,
                        });
                    }
                }
            }
        }
        if let Some(directory) = self.brands.as_ref().and_then(|b| b.directory.as_deref()) {
            // Not tied to a word, so word dropout never removes it: the model then also sees
            // the brand's category without the brand's name, as it will for a brand it never
            // met in training.
            directory.find(&out.words, |found| {
                let first = out.features.len();
                for category in found.categories() {
                    out.features.push(Feature {
                        slot: slot(hash(b'n', &[category.as_bytes()])),
                        word: None,
                        value: 1.0,
                    });
                }
                out.brands.push(BrandSpan {
                    words: found.start..found.start + found.words,
                    categories: found.mask(),
                    features: first..out.features.len(),
                });
            });
        }
        if self.amount {
            out.features.push(Feature {
                slot: slot(hash(b'a', &[&bucket])),
                word: None,
                value: self.weights.amount,
            });
        }
    }

    pub fn extract(&self, description: &str, amount_minor: i64) -> Extracted {
        let mut out = Extracted::default();
        self.extract_into(description, amount_minor, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> FeatureConfig {
        FeatureConfig {
            dim_bits: 12,
            words: true,
            bigrams: true,
            char_ngrams: vec![3],
            amount: true,
            amount_steps: 1,
            weights: KindWeights::default(),
            brands: None,
        }
    }

    #[test]
    fn the_same_text_gives_the_same_slots_and_noise_does_not_matter() {
        let a = config().extract("POS 1234 TESCO STORES", -1250);
        let b = config().extract("pos 9876 tesco stores", -1400);
        assert_eq!(a.features, b.features, "numbers and case are not features");
        assert!(a
            .features
            .iter()
            .all(|f| (f.slot as usize) < config().dim()));
        // pos, tesco, stores: one word each, two bigrams, 3-grams of "<pos>", "<tesco>", "<stores>",
        // and the amount.
        assert_eq!(a.features.len(), 3 + 2 + (3 + 5 + 6) + 1);
        assert_eq!(a.features.last().unwrap().word, None);
    }

    #[test]
    fn a_directory_brand_adds_its_category() {
        let directory =
            Directory::parse("kroger\tGroceries\nshell\tFuel\ntesco\tFuel\tGroceries\n").unwrap();
        let with = FeatureConfig {
            brands: Some(Brands::of(Arc::new(directory))),
            ..config()
        };
        let plain = config().extract("POS KROGER #1234 CINCINNATI OH", -1250);
        let branded = with.extract("POS KROGER #1234 CINCINNATI OH", -1250);
        assert_eq!(branded.features.len(), plain.features.len() + 1);
        let brand = branded.features[branded.features.len() - 2];
        assert_eq!(brand.word, None, "never dropped with a word");
        let directory = with.brands.as_ref().unwrap().directory.as_deref().unwrap();
        let [kroger] = &branded.brands[..] else {
            panic!("one brand: {:?}", branded.brands)
        };
        assert_eq!(branded.words[kroger.words.clone()], ["kroger"]);
        assert!(directory.categories_of(kroger.categories).eq(["Groceries"]));
        assert_eq!(
            kroger.features,
            branded.features.len() - 2..branded.features.len() - 1
        );
        assert!(plain.brands.is_empty());
        let fuel = with.extract("SHELL 0042", -4000).features;
        assert_ne!(fuel[fuel.len() - 2].slot, brand.slot);
        let both = with.extract("TESCO 0042", -4000);
        assert_eq!(
            both.features.len(),
            config().extract("TESCO 0042", -4000).features.len() + 2
        );
        assert!(directory
            .categories_of(both.brands[0].categories)
            .eq(["Groceries", "Fuel"]));
        assert_eq!(both.brands[0].features.len(), 2);
        assert_eq!(
            with.extract("ROSE DENTAL", -4000).features.len(),
            config().extract("ROSE DENTAL", -4000).features.len()
        );
    }

    #[test]
    fn amounts_are_bucketed_by_sign_and_size() {
        assert_eq!(amount_bucket(-50), -1);
        assert_eq!(amount_bucket(-1250), -5);
        assert_eq!(amount_bucket(250_000), 13);
        assert_ne!(amount_bucket(-1250), amount_bucket(1250));
        assert_eq!(
            amount_bucket(i64::MIN),
            -16,
            "the largest sizes share a bucket"
        );
    }
}
