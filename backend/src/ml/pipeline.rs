//! `dhana ml train` from start to finish: split, compare the candidates, pick, calibrate,
//! measure, and write `ml-models/`: the model description with its feature configuration
//! (`categorizer.json`), the weights, `metrics.json` and the model card (`README.md`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::ml::corpus::{self, CorpusReport};
use crate::ml::dataset::{self, Example};
use crate::ml::directory::Directory;
use crate::ml::evaluate::{self, PersonalizationPoint};
use crate::ml::merchants::SPECS;
use crate::ml::metrics::Scores;
use crate::ml::model::Model;
use crate::ml::train::{self, MAX_WEIGHTS_BYTES};
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
    /// The merchant directory (`dhana ml build-directory`); without it no candidate uses one.
    pub directory: Option<PathBuf>,
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
    /// Trained without a fifth of the merchants and scored on them: on one half of those rows
    /// (which chooses the model) and on the other. Not measured for candidates far behind on
    /// the validation split.
    pub unseen_validation_accuracy: Option<f64>,
    pub unseen_test_accuracy: Option<f64>,
    /// The "test" half split by whether the merchant directory names a brand in the line.
    #[serde(default)]
    pub unseen_test_named_accuracy: Option<f64>,
    #[serde(default)]
    pub unseen_test_unnamed_accuracy: Option<f64>,
    pub chosen: bool,
}

/// Candidates this far below the best validation accuracy are not fitted again without the
/// held-out merchants: the compact one that shows what size buys.
const UNSEEN_FIT_MARGIN: f64 = 0.05;

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
    /// Whether the timings above come from an optimised build.
    #[serde(default = "optimised")]
    pub optimised_build: bool,
    pub comparison: Vec<Compared>,
    pub personalization: Vec<PersonalizationPoint>,
    pub corpus: Option<CorpusReport>,
    pub trust: Trust,
    #[serde(default)]
    pub directory: Option<DirectoryReport>,
}

/// What the merchant directory knows of the synthetic data, which it was not built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectoryReport {
    pub entries: usize,
    pub fingerprint: String,
    /// The generator's merchant names (every category), and those the directory names a brand
    /// in, and of those the ones whose brand has the generator's category (alone or with
    /// another).
    pub generator_merchants: usize,
    pub generator_merchants_named: usize,
    pub generator_merchants_same_category: usize,
    /// Rows of the held-out merchants' "test" half, and those naming a directory brand.
    pub unseen_test_rows: usize,
    pub unseen_test_rows_named: usize,
}

impl DirectoryReport {
    fn of(directory: &Directory, unseen_test: &[Example]) -> Self {
        let merchants: Vec<(&str, &str)> = SPECS
            .iter()
            .flat_map(|spec| spec.merchants.iter().map(|m| (*m, spec.name)))
            .collect();
        let named: Vec<(Vec<&str>, &str)> = merchants
            .iter()
            .map(|(m, category)| (directory.lookup(m), *category))
            .filter(|(found, _)| !found.is_empty())
            .collect();
        DirectoryReport {
            entries: directory.len(),
            fingerprint: directory.stamp.fingerprint.clone(),
            generator_merchants: merchants.len(),
            generator_merchants_named: named.len(),
            generator_merchants_same_category: named
                .iter()
                .filter(|(found, category)| found.contains(category))
                .count(),
            unseen_test_rows: unseen_test.len(),
            unseen_test_rows_named: unseen_test
                .iter()
                .filter(|e| !directory.lookup(&e.description).is_empty())
                .count(),
        }
    }
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

fn optimised() -> bool {
    true
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
    let directory = match &options.directory {
        Some(path) => Some(Arc::new(Directory::read(path)?)).filter(|d| !d.is_empty()),
        None => None,
    };
    let examples = load(options)?;
    let size = examples.len();
    let classes: Vec<String> = SPECS.iter().map(|s| s.name.to_owned()).collect();
    let all = examples.clone();
    let data = train::split(examples, options.seed);

    // The temperature and the choice of model are fitted where they matter most: on merchants
    // the model has not seen (the validation split shares its merchants with training and would
    // teach it to be as sure of a stranger as of a regular). One half of the held-out merchants'
    // rows chooses and calibrates, the other half is only scored.
    let (seen, unseen) = train::split_by_merchant(&all);
    let (unseen_calibration, unseen_test) = unseen.split_at(unseen.len() / 2);
    let (unseen_named, unseen_unnamed): (Vec<Example>, Vec<Example>) =
        unseen_test.iter().cloned().partition(|e| {
            directory
                .as_ref()
                .is_some_and(|d| !d.lookup(&e.description).is_empty())
        });
    let accuracy_on = |model: &Model, rows: &[Example]| -> Result<Option<f64>, String> {
        Ok(match rows {
            [] => None,
            rows => Some(train::evaluate(model, rows)?.accuracy),
        })
    };

    let mut comparison = Vec::new();
    let mut trained = Vec::new();
    for candidate in train::candidates(directory.clone()) {
        tracing::info!(family = ?candidate.family, features = candidate.label, "training");
        let fitted = train::train(&candidate, &classes, &data.train, options.seed, size)?;
        let test = train::evaluate(&fitted.model, &data.test)?;
        comparison.push(Compared {
            family: candidate.family.describe().into(),
            features: candidate.label.into(),
            validation_accuracy: train::evaluate(&fitted.model, &data.validation)?.accuracy,
            test_accuracy: test.accuracy,
            test_macro_f1: test.macro_f1,
            train_seconds: fitted.train_seconds,
            predictions_per_second: evaluate::throughput(&fitted.model, &data.test),
            weights_bytes: fitted.model.weights_bytes().len(),
            unseen_validation_accuracy: None,
            unseen_test_accuracy: None,
            unseen_test_named_accuracy: None,
            unseen_test_unnamed_accuracy: None,
            chosen: false,
        });
        trained.push((candidate, fitted.model));
    }
    let best_validation = comparison
        .iter()
        .map(|c| c.validation_accuracy)
        .fold(0.0, f64::max);
    let mut best: Option<(f64, usize, Model)> = None;
    for (i, (candidate, _)) in trained.iter().enumerate() {
        let row = &mut comparison[i];
        if row.validation_accuracy < best_validation - UNSEEN_FIT_MARGIN
            || row.weights_bytes > MAX_WEIGHTS_BYTES
        {
            continue;
        }
        tracing::info!(
            features = candidate.label,
            "training without the held-out merchants"
        );
        let without = train::train(candidate, &classes, &seen, options.seed, size)?.model;
        let chooses = train::evaluate(&without, unseen_calibration)?.accuracy;
        row.unseen_validation_accuracy = Some(chooses);
        row.unseen_test_accuracy = Some(train::evaluate(&without, unseen_test)?.accuracy);
        row.unseen_test_named_accuracy = accuracy_on(&without, &unseen_named)?;
        row.unseen_test_unnamed_accuracy = accuracy_on(&without, &unseen_unnamed)?;
        if best.as_ref().is_none_or(|(v, _, _)| chooses > *v) {
            best = Some((chooses, i, without));
        }
    }
    let (_, chosen_index, mut without) = best.ok_or("no candidate fits the size limit")?;
    comparison[chosen_index].chosen = true;
    let (chosen, mut model) = trained.swap_remove(chosen_index);

    let full_started = Instant::now();
    train::train(&chosen, &classes, &all, options.seed, size)?;
    let full_dataset_train_seconds = full_started.elapsed().as_secs_f64();
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
        optimised_build: !cfg!(debug_assertions),
        comparison,
        personalization: evaluate::personalization(&model, &data.test, options.seed),
        corpus,
        trust,
        directory: directory
            .as_deref()
            .map(|d| DirectoryReport::of(d, unseen_test)),
    };

    let dir = &options.out_dir;
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    write(dir, MODEL_FILE, &json(&model.info)?)?;
    write(dir, WEIGHTS_FILE, &model.weights_bytes())?;
    write(dir, METRICS_FILE, &json(&metrics)?)?;
    write(dir, CARD_FILE, card::render(&metrics).as_bytes())?;
    Ok(metrics)
}
