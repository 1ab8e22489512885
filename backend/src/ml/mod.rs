//! The categorizer: a small linear model trained with smartcore on synthetic bank lines, shipped
//! in `ml-models/`, and a per-user memory of corrections that answers before it.
//!
//! Module map: `text` (descriptions → words, merchant keys), `features` (words → hashed
//! slots, and the brands of `directory`, the merchant directory built from OpenStreetMap's
//! name-suggestion-index), `model` (scoring, probabilities, explanations, the stored format),
//! `registry` (the model this server loaded), `personal` and `feedback` (a user's memory, and
//! its table), `suggest` (both together, mapped to the user's categories), `direction` (money
//! in and out against category kinds and refund evidence, for every way a row gets a
//! category).
//! Training: `merchants` and `dataset` (synthetic data), `train` (smartcore fits), `metrics`,
//! `evaluate` (speed, personalization), `trust` (filing precision, coverage, calibration and
//! direction on unseen phrasings), `corpus` (real bank files), `pipeline` (`dhana ml
//! train`), `card`.

pub mod card;
pub mod corpus;
pub mod dataset;
pub mod direction;
pub mod directory;
pub mod evaluate;
pub mod features;
pub mod feedback;
pub mod merchants;
pub mod metrics;
pub mod model;
pub mod personal;
pub mod pipeline;
pub mod registry;
pub mod suggest;
pub mod text;
pub mod train;
pub mod trust;

pub const MODEL_FILE: &str = "categorizer.json";
pub const WEIGHTS_FILE: &str = "categorizer.weights";
