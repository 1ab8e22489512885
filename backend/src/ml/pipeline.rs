//! `dhana ml train` from start to finish: split, compare the candidates, pick, calibrate,
//! measure, and write `ml-models/`: the model description with its feature configuration
//! (`categorizer.json`), the weights, `metrics.json` and the model card (`README.md`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::ml::corpus::{self, CorpusReport};
use crate::ml::dataset::{self, Example};
use crate::ml::evaluate::{self, PersonalizationPoint};
use crate::ml::merchants::SPECS;
use crate::ml::metrics::Scores;
use crate::ml::model::Model;
use crate::ml::train::{self, Candidate, MAX_WEIGHTS_BYTES};
use crate::ml::trust::{self, DirectionCheck, Judged};
use crate::ml::{card, MODEL_FILE, WEIGHTS_FILE};

pub const METRICS_FILE: &str = "metrics.json";
pub const CARD_FILE: &str = "README.md";

pub struct TrainOptions {
    /// A dataset written by `generate-dataset`; without it one is generated from `seed`.
    pub dataset: Option<PathBuf>,
    pub seed: u64,
    pub size: usize,
    pub out_dir: PathBuf,
    /// The shared corpus of real bank files, when it is there.
    pub corpus: Option<PathBuf>,
}

/// One row of the model comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    pub family: String,
    pub features: String,
    pub validation_accuracy: f64,
    pub test_accuracy: f64,
    pub test_macro_f1: f64,
    pub train_seconds: f64,
    pub predictions_per_second: f64,
    pub weights_bytes: usize,
    pub chosen: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetFacts {
    pub seed: u64,
    pub size: usize,
    pub train: usize,
    pub validation: usize,
    pub test: usize,
}

/// What `metrics.json` holds. Timings and `trained_at` differ between runs; the model files do
/// not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub name: String,
    pub version: String,
    pub family: String,
    pub features: String,
    pub trained_at: String,
    pub dataset: DatasetFacts,
    /// On the held-out test split.
    pub held_out: Scores,
    pub temperature: f32,
    /// The chosen model fitted on the whole dataset, for the training-time target.
    pub full_dataset_train_seconds: f64,
    /// The chosen features and family trained without about a fifth of the merchants, and
    /// scored on those: how it does on merchants it has never seen.
    pub unseen_merchants: Scores,
    /// Full request path (with explanation), one core.
    pub predictions_per_second: f64,
    pub comparison: Vec<Compared>,
    pub personalization: Vec<PersonalizationPoint>,
    pub corpus: Option<CorpusReport>,
    pub trust: Trust,
}

/// What the categorizer files on its own at the server's default filing threshold, judged as
/// the server judges (`ml::trust`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trust {
    pub threshold: f32,
    pub held_out: Judged,
    /// The model trained without a fifth of the merchants, on those merchants.
    pub unseen_merchants: Judged,
    /// `ml-models/unseen.csv`: hand-written merchants and plain descriptions.
    pub hand_written: Judged,
    pub direction_held_out: DirectionCheck,
    pub direction_hand_written: DirectionCheck,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(io_error(&path))
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn load(options: &TrainOptions) -> Result<Vec<Example>, String> {
    match &options.dataset {
        Some(path) => dataset::read_csv(path).map_err(|e| format!("{}: {e}", path.display())),
        None => Ok(dataset::generate(options.seed, options.size)),
    }
}

pub fn run(options: &TrainOptions) -> Result<Metrics, String> {
    let examples = load(options)?;
    let size = examples.len();
    let classes: Vec<String> = SPECS.iter().map(|s| s.name.to_owned()).collect();
    let all = examples.clone();
    let data = train::split(examples, options.seed);

    let mut comparison = Vec::new();
    let mut best: Option<(f64, Model, Candidate)> = None;
    for candidate in train::candidates() {
        tracing::info!(family = ?candidate.family, features = candidate.label, "training");
        let trained = train::train(&candidate, &classes, &data.train, options.seed, size)?;
        let validation = train::evaluate(&trained.model, &data.validation)?.accuracy;
        let test = train::evaluate(&trained.model, &data.test)?;
        let weights_bytes = trained.model.weights_bytes().len();
        comparison.push(Compared {
            family: candidate.family.describe().into(),
            features: candidate.label.into(),
            validation_accuracy: validation,
            test_accuracy: test.accuracy,
            test_macro_f1: test.macro_f1,
            train_seconds: trained.train_seconds,
            predictions_per_second: evaluate::throughput(&trained.model, &data.test),
            weights_bytes,
            chosen: false,
        });
        let better = best.as_ref().is_none_or(|(v, _, _)| validation > *v);
        if weights_bytes <= MAX_WEIGHTS_BYTES && better {
            best = Some((validation, trained.model, candidate));
        }
    }
    let (_, mut model, chosen) = best.ok_or("no candidate fits the size limit")?;
    if let Some(row) = comparison.iter_mut().find(|c| c.features == chosen.label) {
        row.chosen = true;
    }

    let full_started = Instant::now();
    train::train(&chosen, &classes, &all, options.seed, size)?;
    let full_dataset_train_seconds = full_started.elapsed().as_secs_f64();
    // The temperature is fitted where confidence matters most: on merchants the model has not
    // seen (the validation split shares its merchants with training and would teach it to be
    // as sure of a stranger as of a regular).
    let (seen, unseen) = train::split_by_merchant(&all);
    let mut without = train::train(&chosen, &classes, &seen, options.seed, size)?.model;
    let (unseen_calibration, unseen_test) = unseen.split_at(unseen.len() / 2);
    train::calibrate(&mut without, unseen_calibration)?;
    model.info.temperature = without.info.temperature;
    let unseen_merchants = train::evaluate(&without, unseen_test)?;
    let threshold = crate::config::DEFAULT_CATEGORIZER_MIN_CONFIDENCE;
    let hand_written = trust::hand_written()?;
    let trust = Trust {
        threshold,
        held_out: trust::measure(&model, &data.test, threshold),
        unseen_merchants: trust::measure(&without, unseen_test, threshold),
        hand_written: trust::measure(&model, &hand_written, threshold),
        direction_held_out: DirectionCheck::of(&model, &data.test),
        direction_hand_written: DirectionCheck::of(&model, &hand_written),
    };

    let corpus = match &options.corpus {
        Some(dir) if dir.join("manifest.json").is_file() => Some(corpus::evaluate(&model, dir)?),
        _ => None,
    };
    let metrics = Metrics {
        name: model.info.name.clone(),
        version: model.info.version.clone(),
        family: model.info.family.clone(),
        features: chosen.label.into(),
        trained_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        dataset: DatasetFacts {
            seed: options.seed,
            size,
            train: data.train.len(),
            validation: data.validation.len(),
            test: data.test.len(),
        },
        held_out: train::evaluate(&model, &data.test)?,
        temperature: model.info.temperature,
        full_dataset_train_seconds,
        unseen_merchants,
        predictions_per_second: evaluate::throughput(&model, &data.test),
        comparison,
        personalization: evaluate::personalization(&model, &data.test, options.seed),
        corpus,
        trust,
    };

    let dir = &options.out_dir;
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    write(dir, MODEL_FILE, &json(&model.info)?)?;
    write(dir, WEIGHTS_FILE, &model.weights_bytes())?;
    write(dir, METRICS_FILE, &json(&metrics)?)?;
    write(dir, CARD_FILE, card::render(&metrics).as_bytes())?;
    Ok(metrics)
}
