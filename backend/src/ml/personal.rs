//! A user's own memory of categories: per merchant, the category they last gave it and how many
//! times in a row. It answers before the global model, so one or two corrections redirect a
//! merchant for that user (and only that user), including to categories they invented. Money in
//! and money out are remembered apart: a credit filed as a refund of a shop's category says
//! nothing about what the shop's debits are, and a debit's category nothing about income.

use std::collections::HashMap;

use crate::ml::text;

/// One remembered merchant, as stored in `category_feedback`.
#[derive(Clone, Debug, PartialEq)]
pub struct Remembered {
    pub merchant_key: String,
    /// The last description filed under this key.
    pub example: String,
    pub category_id: i64,
    /// How many corrections in a row gave this category.
    pub hits: i64,
    /// Remembered from money in rather than money out.
    pub credit: bool,
}

/// What the memory says about a description.
#[derive(Clone, Debug, PartialEq)]
pub struct Recall {
    pub category_id: i64,
    pub confidence: f32,
    /// The user's own past description it resembles.
    pub example: String,
    pub hits: i64,
    /// The same merchant key, rather than a similar one.
    pub exact: bool,
}

/// The least word overlap (Jaccard) for a merchant to count as similar to a remembered one.
const SIMILAR: f32 = 0.5;

pub struct Memory {
    entries: Vec<(Remembered, Vec<String>)>,
    by_key: HashMap<(String, bool), usize>,
}

impl Memory {
    pub fn new(remembered: Vec<Remembered>) -> Self {
        let entries: Vec<(Remembered, Vec<String>)> = remembered
            .into_iter()
            .filter(|r| !r.merchant_key.is_empty())
            .map(|r| {
                let words = text::merchant_words(&r.example);
                (r, words)
            })
            .collect();
        let by_key = entries
            .iter()
            .enumerate()
            .map(|(i, (r, _))| ((r.merchant_key.clone(), r.credit), i))
            .collect();
        Memory { entries, by_key }
    }

    /// The same merchant if remembered for money moving the same way (`credit`: in), else the
    /// most similar remembered one.
    pub fn recall(&self, description: &str, credit: bool) -> Option<Recall> {
        let words = text::merchant_words(description);
        if words.is_empty() {
            return None;
        }
        let key = words[..words.len().min(2)].join(" ");
        if let Some(&i) = self.by_key.get(&(key, credit)) {
            let r = &self.entries[i].0;
            return Some(Recall {
                category_id: r.category_id,
                // One correction: 0.9; each one more in a row closes the gap to 1.
                confidence: 1.0 - 0.1 / r.hits.max(1) as f32,
                example: r.example.clone(),
                hits: r.hits,
                exact: true,
            });
        }
        self.entries
            .iter()
            .filter(|(r, _)| r.credit == credit)
            .map(|(r, remembered)| (r, jaccard(&words, remembered)))
            .filter(|&(_, similarity)| similarity >= SIMILAR)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(a.0.hits.cmp(&b.0.hits)))
            .map(|(r, similarity)| Recall {
                category_id: r.category_id,
                confidence: 0.85 * similarity,
                example: r.example.clone(),
                hits: r.hits,
                exact: false,
            })
    }
}

/// Shared words over all words; only words of three letters or more can be shared, so "la"
/// or "de" alone never make two merchants alike.
fn jaccard(a: &[String], b: &[String]) -> f32 {
    let shared = a
        .iter()
        .filter(|w| w.chars().count() >= 3 && b.contains(w))
        .count();
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f32 / union as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remembered(example: &str, category_id: i64, hits: i64) -> Remembered {
        Remembered {
            merchant_key: text::merchant_key(example),
            example: example.into(),
            category_id,
            hits,
            credit: false,
        }
    }

    #[test]
    fn the_same_merchant_is_recalled_with_growing_confidence() {
        let memory = Memory::new(vec![remembered("SQ *BLUE BOTTLE COFFEE #12", 7, 1)]);
        let recall = memory
            .recall("POS BLUE BOTTLE COFFEE 9981 SAN FRANCISCO", false)
            .unwrap();
        assert_eq!(recall.category_id, 7);
        assert!(recall.exact);
        assert!((recall.confidence - 0.9).abs() < 1e-6);
        let memory = Memory::new(vec![remembered("BLUE BOTTLE COFFEE", 7, 2)]);
        assert!(memory.recall("BLUE BOTTLE", false).unwrap().confidence > 0.9);
    }

    #[test]
    fn similar_merchants_are_recalled_and_others_are_not() {
        let memory = Memory::new(vec![
            remembered("NETFLIX STREAMING", 3, 1),
            remembered("TESCO STORES", 4, 1),
        ]);
        let recall = memory.recall("NETFLIX.COM 866-579", false).unwrap();
        assert_eq!((recall.category_id, recall.exact), (3, false));
        assert!(memory.recall("SHELL OIL 1234", false).is_none());
        assert!(memory.recall("1234", false).is_none());
        assert!(Memory::new(vec![]).recall("SHELL OIL", false).is_none());
    }

    #[test]
    fn money_in_and_money_out_are_remembered_apart() {
        let refund = Remembered {
            credit: true,
            ..remembered("ZALANDO SE RETOURE", 5, 1)
        };
        let memory = Memory::new(vec![refund, remembered("ZALANDO SE 4471", 9, 2)]);
        let credit = memory.recall("ZALANDO SE 8812", true).unwrap();
        assert_eq!((credit.category_id, credit.exact), (5, true));
        let debit = memory.recall("ZALANDO SE 8812", false).unwrap();
        assert_eq!((debit.category_id, debit.exact), (9, true));
        let only_in = Memory::new(vec![Remembered {
            credit: true,
            ..remembered("ACME CONSULTING", 2, 1)
        }]);
        assert!(only_in.recall("ACME CONSULTING", false).is_none());
        assert!(only_in.recall("ACME CONSULTING GMBH", false).is_none());
        assert!(only_in.recall("ACME CONSULTING", true).is_some());
    }
}
