//! The global categorizer at prediction time: a linear model over hashed features, stored as a
//! small JSON description plus a flat matrix of little-endian `f32` weights. Scoring one
//! description is a sparse dot product, a few hundred multiply-adds.

use serde::{Deserialize, Serialize};

use crate::ml::directory::Directory;
use crate::ml::features::{Extracted, FeatureConfig};

/// What `ml-models/categorizer.json` holds: everything but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    /// Changes whenever the features, the dataset or the training change.
    pub version: String,
    /// Which model family was picked by the held-out comparison.
    pub family: String,
    pub dataset_seed: u64,
    pub dataset_size: usize,
    /// The category names it predicts (the default categories).
    pub classes: Vec<String>,
    pub features: FeatureConfig,
    /// One per class: the score before any feature (log prior or intercept).
    pub bias: Vec<f32>,
    /// Scores are divided by it before the softmax, so that a confidence of 0.9 is right about
    /// nine times in ten on the held-out split.
    pub temperature: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("the model description is not valid: {0}")]
    Info(#[from] serde_json::Error),
    #[error("the model is inconsistent: {0}")]
    Inconsistent(String),
}

#[derive(Clone, Debug)]
pub struct Model {
    pub info: ModelInfo,
    /// `dim × classes`, feature-major: a feature's weights for every class sit together.
    weights: Vec<f32>,
}

/// One class and how likely it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub class: usize,
    pub probability: f32,
}

#[derive(Clone, Debug)]
pub struct Prediction {
    /// Most likely first; the `top` asked for.
    pub ranked: Vec<Ranked>,
    /// What in the description pushed hardest toward the first class.
    pub decisive: Decisive,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decisive {
    /// The description's words, strongest first.
    pub words: Vec<String>,
    /// The merchant directory's brand the description names, filed there under the first
    /// class, when its category pushed toward it as hard as one of those words: an
    /// explanation says so, since the brand's category, not its name, is what the model weighed.
    pub brand: Option<NamedBrand>,
}

/// A brand of the merchant directory that a description names.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedBrand {
    /// As the description's words write it ("trader joes").
    pub name: String,
    /// Where the directory files it (our default categories, at most two).
    pub categories: Vec<String>,
}

/// How many words (and brands) an explanation names at most.
const DECISIVE_WORDS: usize = 3;

impl Model {
    pub fn new(info: ModelInfo, weights: Vec<f32>) -> Result<Self, ModelError> {
        let classes = info.classes.len();
        let expected = info.features.dim() * classes;
        if classes < 2 || info.bias.len() != classes {
            return Err(ModelError::Inconsistent(format!(
                "{classes} classes and {} biases",
                info.bias.len()
            )));
        }
        if weights.len() != expected {
            return Err(ModelError::Inconsistent(format!(
                "{} weights where the features and classes need {expected}",
                weights.len()
            )));
        }
        let usable = info.temperature.is_finite()
            && info.temperature > 0.0
            && weights.iter().chain(&info.bias).all(|w| w.is_finite());
        if !usable {
            return Err(ModelError::Inconsistent("a weight is not a number".into()));
        }
        if let Some(brands) = &info.features.brands {
            match &brands.directory {
                Some(directory) if directory.stamp == brands.stamp => {}
                _ => {
                    return Err(ModelError::Inconsistent(
                        "the model was trained with another merchant directory".into(),
                    ))
                }
            }
        }
        Ok(Model { info, weights })
    }

    /// Reads the two stored files, with the merchant directory compiled into the binary when
    /// the model uses one.
    pub fn from_bytes(info_json: &[u8], weights: &[u8]) -> Result<Self, ModelError> {
        let mut info: ModelInfo = serde_json::from_slice(info_json)?;
        if let Some(brands) = &mut info.features.brands {
            brands.directory = Some(Directory::embedded().map_err(ModelError::Inconsistent)?);
        }
        if weights.len() % 4 != 0 {
            return Err(ModelError::Inconsistent(
                "the weights file is not a whole number of f32 values".into(),
            ));
        }
        let weights = weights
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Model::new(info, weights)
    }

    pub fn weights_bytes(&self) -> Vec<u8> {
        self.weights.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    pub fn classes(&self) -> &[String] {
        &self.info.classes
    }

    /// Raw class scores of extracted features, into `scores` (one per class).
    pub fn scores(&self, extracted: &Extracted, scores: &mut Vec<f32>) {
        let classes = self.info.classes.len();
        scores.clear();
        scores.extend_from_slice(&self.info.bias);
        for feature in &extracted.features {
            let row = feature.slot as usize * classes;
            for (s, w) in scores.iter_mut().zip(&self.weights[row..row + classes]) {
                *s += w * feature.value;
            }
        }
    }

    /// The most likely class of scores, without probabilities: the fast path for evaluation.
    pub fn best(scores: &[f32]) -> usize {
        scores
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |(bi, bs), (i, &s)| {
                if s > bs {
                    (i, s)
                } else {
                    (bi, bs)
                }
            })
            .0
    }

    /// Scores into probabilities (softmax after the temperature), in place.
    pub fn probabilities(&self, scores: &mut [f32]) {
        let t = self.info.temperature;
        let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut total = 0.0;
        for s in scores.iter_mut() {
            *s = ((*s - max) / t).exp();
            total += *s;
        }
        scores.iter_mut().for_each(|s| *s /= total);
    }

    pub fn predict(&self, description: &str, amount_minor: i64, top: usize) -> Prediction {
        let extracted = self.info.features.extract(description, amount_minor);
        let mut scores = Vec::new();
        self.scores(&extracted, &mut scores);
        self.probabilities(&mut scores);
        let mut ranked: Vec<Ranked> = scores
            .iter()
            .enumerate()
            .map(|(class, &probability)| Ranked { class, probability })
            .collect();
        ranked.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        ranked.truncate(top.max(1));
        let decisive = self.decisive(&extracted, ranked[0].class);
        Prediction { ranked, decisive }
    }

    /// The words, and the brand, whose features favour `class` most over the average class:
    /// the strongest `DECISIVE_WORDS` of them that favour it at all.
    fn decisive(&self, extracted: &Extracted, class: usize) -> Decisive {
        let classes = self.info.classes.len();
        let favour = |feature: &crate::ml::features::Feature| {
            let row = &self.weights[feature.slot as usize * classes..][..classes];
            let mean = row.iter().sum::<f32>() / classes as f32;
            (row[class] - mean) * feature.value
        };
        let mut per_word = vec![0.0f32; extracted.words.len()];
        for feature in &extracted.features {
            if let Some(word) = feature.word {
                per_word[usize::from(word)] += favour(feature);
            }
        }
        enum Source {
            Word(usize),
            Brand(usize),
        }
        let directory = self.info.features.brands.as_ref();
        let directory = directory.and_then(|b| b.directory.as_deref());
        let filed_under_class = |mask: u32| {
            directory.is_some_and(|d| d.categories_of(mask).any(|c| c == self.info.classes[class]))
        };
        let mut ranked: Vec<(f32, Source)> = per_word
            .iter()
            .enumerate()
            .map(|(i, &f)| (f, Source::Word(i)))
            // A brand filed elsewhere may still lean toward `class`, but saying "because the
            // directory files it under Groceries" of a Dining prediction explains nothing.
            .chain(
                extracted
                    .brands
                    .iter()
                    .enumerate()
                    .filter(|(_, brand)| filed_under_class(brand.categories))
                    .map(|(i, brand)| {
                        let f = extracted.features[brand.features.clone()]
                            .iter()
                            .map(favour)
                            .sum();
                        (f, Source::Brand(i))
                    }),
            )
            .filter(|(f, _)| *f > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut decisive = Decisive::default();
        for (_, source) in ranked {
            match source {
                Source::Word(i) if !decisive.words.contains(&extracted.words[i]) => {
                    decisive.words.push(extracted.words[i].clone());
                }
                Source::Brand(i) if decisive.brand.is_none() => {
                    let brand = &extracted.brands[i];
                    decisive.brand = Some(NamedBrand {
                        name: extracted.words[brand.words.clone()].join(" "),
                        categories: directory
                            .into_iter()
                            .flat_map(|d| d.categories_of(brand.categories))
                            .map(str::to_owned)
                            .collect(),
                    });
                }
                _ => continue,
            }
            if decisive.words.len() + usize::from(decisive.brand.is_some()) == DECISIVE_WORDS {
                break;
            }
        }
        decisive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::features::KindWeights;

    /// Two classes; the word "coffee" votes for the second.
    pub fn tiny() -> Model {
        let features = FeatureConfig {
            dim_bits: 8,
            words: true,
            bigrams: false,
            char_ngrams: vec![],
            amount: false,
            amount_steps: 1,
            weights: KindWeights::default(),
            brands: None,
        };
        let mut weights = vec![0.0f32; features.dim() * 2];
        let coffee = features.extract("coffee", 0).features[0].slot as usize;
        weights[coffee * 2 + 1] = 3.0;
        let info = ModelInfo {
            name: "test".into(),
            version: "0".into(),
            family: "test".into(),
            dataset_seed: 0,
            dataset_size: 0,
            classes: vec!["Groceries".into(), "Dining".into()],
            features,
            bias: vec![0.5, 0.0],
            temperature: 1.0,
        };
        Model::new(info, weights).unwrap()
    }

    #[test]
    fn predicts_ranks_and_explains() {
        let model = tiny();
        let p = model.predict("BLUE BOTTLE COFFEE 1234", -450, 5);
        assert_eq!(p.ranked.len(), 2);
        assert_eq!(p.ranked[0].class, 1);
        let expected = 1.0 / (1.0 + (0.5f32 - 3.0).exp());
        assert!((p.ranked[0].probability - expected).abs() < 1e-6);
        assert_eq!(p.decisive.words, ["coffee"]);
        let p = model.predict("something else", -450, 1);
        assert_eq!(p.ranked.len(), 1);
        assert_eq!(p.ranked[0].class, 0, "the bias decides when no word does");
        assert!(p.decisive.words.is_empty());
    }

    #[test]
    fn a_brand_whose_category_decides_is_named() {
        let directory = crate::ml::directory::Directory::parse("kroger\tGroceries\n").unwrap();
        let mut model = tiny();
        model.info.features.brands = Some(crate::ml::features::Brands::of(std::sync::Arc::new(
            directory,
        )));
        let line = "KROGER 1234 COFFEE";
        let extracted = model.info.features.extract(line, -450);
        let brand = extracted.features[extracted.brands[0].features.start].slot as usize;
        // The brand's category votes for Groceries (class 0) more than "coffee" for Dining.
        model.weights[brand * 2] = 4.0;
        let p = model.predict(line, -450, 2);
        assert_eq!(p.ranked[0].class, 0);
        let named = p.decisive.brand.expect("the brand decided");
        assert_eq!(
            (named.name.as_str(), named.categories),
            ("kroger", vec!["Groceries".into()])
        );
        assert!(p.decisive.words.is_empty(), "no word favours Groceries");
        // Voting for the other class, it explains nothing about the first.
        model.weights[brand * 2] = 0.0;
        model.weights[brand * 2 + 1] = 1.0;
        let p = model.predict(line, -450, 2);
        assert_eq!(p.ranked[0].class, 1);
        assert_eq!(p.decisive.words, ["coffee"]);
        assert!(
            p.decisive.brand.is_none(),
            "filed under another category than Dining"
        );
        // Filed under Groceries and favouring it, but weaker than three words.
        model.weights[brand * 2 + 1] = 0.0;
        model.weights[brand * 2] = 0.1;
        let line = "KROGER BREAD MILK EGGS";
        for word in ["bread", "milk", "eggs"] {
            let slot = model.info.features.extract(word, 0).features[0].slot as usize;
            model.weights[slot * 2] = 1.0;
        }
        let p = model.predict(line, -450, 2);
        assert_eq!(p.ranked[0].class, 0);
        assert_eq!(p.decisive.words, ["bread", "milk", "eggs"]);
        assert!(p.decisive.brand.is_none(), "three words favour it more");
    }

    #[test]
    fn stored_bytes_round_trip_and_damage_is_refused() {
        let model = tiny();
        let info = serde_json::to_vec(&model.info).unwrap();
        let bytes = model.weights_bytes();
        let back = Model::from_bytes(&info, &bytes).unwrap();
        assert_eq!(back.weights, model.weights);
        assert!(Model::from_bytes(&info, &bytes[..bytes.len() - 4]).is_err());
        assert!(Model::from_bytes(&info, &bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"{not json", &bytes).is_err());
        let mut other_directory = model.info.clone();
        other_directory.features.brands = Some(crate::ml::features::Brands {
            stamp: crate::ml::directory::DirectoryStamp {
                entries: 1,
                fingerprint: "0".into(),
            },
            directory: None,
        });
        let info_json = serde_json::to_vec(&other_directory).unwrap();
        assert!(Model::from_bytes(&info_json, &bytes).is_err());
        let mut nan = bytes.clone();
        nan[..4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(Model::from_bytes(&info, &nan).is_err());
    }
}
