//! Measurements beyond held-out accuracy: prediction speed on one core, and how a simulated
//! user's accuracy grows with their corrections.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::ml::dataset::Example;
use crate::ml::model::Model;
use crate::ml::personal::{Memory, Remembered};
use crate::ml::text;

/// Descriptions per second through the full request path (features, scores, probabilities,
/// ranking, explanation), on the calling thread only.
pub fn throughput(model: &Model, examples: &[Example]) -> f64 {
    let started = Instant::now();
    let mut checksum = 0usize;
    for e in examples {
        checksum += model.predict(&e.description, e.amount, 3).ranked[0].class;
    }
    std::hint::black_box(checksum);
    examples.len() as f64 / started.elapsed().as_secs_f64()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalizationPoint {
    pub corrections: usize,
    pub accuracy: f64,
}

/// Categories a simulated user files some merchants under instead of the default ones; the
/// first two exist only for them.
const PERSONAL: &[&str] = &["Coffee", "Kids", "Dining", "Shopping", "Transport"];
/// Share of their merchants the simulated user files their own way.
const PERSONAL_SHARE: f64 = 0.35;
/// How many merchants the simulated user buys from.
const MERCHANTS: usize = 400;
const STREAM: usize = 3_000;
const CHECKED: usize = 1_000;
pub const CHECKPOINTS: [usize; 4] = [0, 10, 50, 100];

/// A user buys from a limited set of merchants, a few often and many rarely (Zipf), and files
/// about a third of them their own way (some under categories they invented). They review a
/// stream of their transactions and correct each one the categorizer got wrong. Accuracy is
/// measured on a fixed later set of their transactions after 0, 10, 50 and 100 corrections.
pub fn personalization(
    model: &Model,
    examples: &[Example],
    seed: u64,
) -> Vec<PersonalizationPoint> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x00c0_ffee);
    let mut by_merchant: BTreeMap<&str, Vec<&Example>> = BTreeMap::new();
    for e in examples {
        by_merchant.entry(&e.merchant).or_default().push(e);
    }
    let mut merchants: Vec<(&str, Vec<&Example>)> = by_merchant.into_iter().collect();
    merchants.shuffle(&mut rng);
    merchants.truncate(MERCHANTS);
    let zipf: Vec<f64> = (1..=merchants.len())
        .map(|rank| 1.0 / rank as f64)
        .collect();
    let total: f64 = zipf.iter().sum();
    let mut stream: Vec<&Example> = (0..STREAM + CHECKED)
        .map(|_| {
            let mut ticket = rng.gen_range(0.0..total);
            let m = zipf
                .iter()
                .position(|w| {
                    ticket -= w;
                    ticket < 0.0
                })
                .unwrap_or(0);
            *merchants[m]
                .1
                .choose(&mut rng)
                .expect("a merchant has examples")
        })
        .collect();
    let checked = stream.split_off(STREAM);

    let own_way: HashMap<&str, &str> = merchants
        .iter()
        .map(|&(merchant, _)| {
            let choice = rng
                .gen_bool(PERSONAL_SHARE)
                .then(|| PERSONAL[rng.gen_range(0..PERSONAL.len())]);
            (merchant, choice.unwrap_or(""))
        })
        .collect();
    let truth = |e: &Example| -> String {
        match own_way.get(e.merchant.as_str()) {
            Some(&name) if !name.is_empty() => name.to_owned(),
            _ => e.category.clone(),
        }
    };
    // The memory stores category ids; here every category name gets one.
    let ids: HashMap<&str, i64> = model
        .classes()
        .iter()
        .map(String::as_str)
        .chain(PERSONAL.iter().copied())
        .zip(0..)
        .collect();
    let predict = |memory: &Memory, e: &Example| -> i64 {
        match memory.recall(&e.description, e.amount > 0) {
            Some(recall) => recall.category_id,
            None => {
                let best = model.predict(&e.description, e.amount, 1).ranked[0].class;
                ids[model.classes()[best].as_str()]
            }
        }
    };

    let mut remembered: BTreeMap<(String, bool), Remembered> = BTreeMap::new();
    let mut memory = Memory::new(Vec::new());
    let (mut corrections, mut points) = (0, Vec::new());
    let mut stream = stream.into_iter();
    for &target in &CHECKPOINTS {
        while corrections < target {
            let Some(e) = stream.next() else { break };
            let wanted = ids[truth(e).as_str()];
            if predict(&memory, e) != wanted {
                corrections += 1;
                let key = text::merchant_key(&e.description);
                let credit = e.amount > 0;
                remembered.insert(
                    (key.clone(), credit),
                    Remembered {
                        merchant_key: key,
                        example: e.description.clone(),
                        category_id: wanted,
                        hits: 1,
                        credit,
                    },
                );
                memory = Memory::new(remembered.values().cloned().collect());
            }
        }
        let right = checked
            .iter()
            .filter(|e| predict(&memory, e) == ids[truth(e).as_str()])
            .count();
        points.push(PersonalizationPoint {
            corrections,
            accuracy: right as f64 / checked.len() as f64,
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::dataset::generate;
    use crate::ml::merchants::SPECS;
    use crate::ml::train::{candidates, split, train};

    #[test]
    fn corrections_raise_a_users_accuracy() {
        let data = split(generate(5, 10_000), 5);
        let classes: Vec<String> = SPECS.iter().map(|s| s.name.to_owned()).collect();
        let model = train(&candidates(None)[2], &classes, &data.train, 5, 10_000)
            .unwrap()
            .model;
        let points = personalization(&model, &data.test, 5);
        assert_eq!(points.len(), CHECKPOINTS.len());
        assert_eq!(points[0].corrections, 0);
        assert!(points
            .windows(2)
            .all(|w| w[1].corrections >= w[0].corrections));
        assert!(
            points.last().unwrap().accuracy > points[0].accuracy + 0.1,
            "{points:?}"
        );
        assert!(throughput(&model, &data.test[..100]) > 0.0);
    }
}
