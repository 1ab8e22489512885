//! The shipped forecast artifact (`ml-models/forecast/model.json`, written by
//! `dhana ml train-forecast`): the learned global model's coefficients, the kinds of series it
//! is served for, and the factor each kind's 80% interval is widened or narrowed by so that it
//! covers 80% of held-out months. It is compiled into the binary and read without polars or
//! smartcore: a prediction is a dot product over `features::features`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::forecast::features::{self, Example};

const EMBEDDED: &[u8] = include_bytes!("../../../ml-models/forecast/model.json");

/// The artifact's format; a file of another version is not used.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastModel {
    pub version: u32,
    /// What was fitted, for the card and the API's `basis`.
    pub description: String,
    /// `features::NAMES`, checked on load.
    pub features: Vec<String>,
    pub coefficients: Vec<f64>,
    pub intercept: f64,
    /// Series kinds (`monthly::Parts::kind`) whose point forecast is the learned one, one
    /// month ahead …
    pub learned_for: Vec<String>,
    /// … and two months ahead (the next month while the current one is in progress), decided
    /// on that horizon's own backtests. Absent in an older file: the baselines there.
    #[serde(default)]
    pub learned_two_months_ahead: Vec<String>,
    /// Per series kind, the factor on the backtest-error interval (1 where absent).
    pub interval_scale: BTreeMap<String, f64>,
}

impl ForecastModel {
    /// No learned point anywhere and intervals as the backtests give them.
    pub fn baselines_only() -> Self {
        ForecastModel {
            version: VERSION,
            description: "none".into(),
            features: features::NAMES.iter().map(|n| (*n).to_owned()).collect(),
            coefficients: vec![0.0; features::NAMES.len()],
            intercept: 0.0,
            learned_for: Vec::new(),
            learned_two_months_ahead: Vec::new(),
            interval_scale: BTreeMap::new(),
        }
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let model: ForecastModel = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if model.version != VERSION {
            return Err(format!("version {} is not {VERSION}", model.version));
        }
        if model.features != features::NAMES || model.coefficients.len() != features::NAMES.len() {
            return Err("its features are not the ones this build computes".into());
        }
        if model
            .interval_scale
            .values()
            .chain(model.coefficients.iter())
            .chain(std::iter::once(&model.intercept))
            .any(|v| !v.is_finite())
        {
            return Err("a coefficient or scale is not a finite number".into());
        }
        Ok(model)
    }

    /// The model compiled into this build; a damaged artifact is logged once and replaced by
    /// the baselines alone rather than failing requests.
    pub fn shipped() -> &'static ForecastModel {
        static MODEL: OnceLock<ForecastModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            ForecastModel::from_bytes(EMBEDDED).unwrap_or_else(|error| {
                tracing::error!(%error, "the forecast model cannot be loaded; serving baselines");
                ForecastModel::baselines_only()
            })
        })
    }

    /// Whether the learned point is served for `kind` at `horizon` months past the last
    /// complete month (1 or 2).
    pub fn serves_learned(&self, kind: &str, horizon: usize) -> bool {
        let kinds = if horizon == 1 {
            &self.learned_for
        } else {
            &self.learned_two_months_ahead
        };
        kinds.iter().any(|k| k == kind)
    }

    pub fn interval_scale(&self, kind: &str) -> f64 {
        self.interval_scale.get(kind).copied().unwrap_or(1.0)
    }

    /// The learned point forecast, minor units: the predicted ratio (never below zero:
    /// features exist only for spending-like series with a positive level) times the level.
    pub fn predict(&self, e: &Example) -> i64 {
        let ratio = self.intercept
            + self
                .coefficients
                .iter()
                .zip(e.x.iter())
                .map(|(c, x)| c * x)
                .sum::<f64>();
        (ratio.max(0.0) * e.level)
            .round()
            .clamp(0.0, i64::MAX as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_artifact_loads() {
        let model = ForecastModel::from_bytes(EMBEDDED).expect("ml-models/forecast/model.json");
        assert_eq!(&model, ForecastModel::shipped());
        assert!(model.interval_scale.values().all(|s| *s > 0.0));
    }

    #[test]
    fn a_prediction_is_the_ratio_times_the_level() {
        let mut model = ForecastModel::baselines_only();
        model.intercept = 0.5;
        model.coefficients[0] = 0.5; // lag1
        let e = features::features(&[100, 100, 100, 100, 300], 1, 6, 0).unwrap();
        // Level 140; lag1 ratio 300 / 140: (0.5 + 0.5 × 300 / 140) × 140 = 70 + 150.
        assert_eq!(model.predict(&e), 220);
        model.intercept = -5.0;
        assert_eq!(model.predict(&e), 0, "never a negative spending forecast");
        let mut wrong = serde_json::to_value(&model).unwrap();
        wrong["features"][0] = "lag_one".into();
        assert!(ForecastModel::from_bytes(wrong.to_string().as_bytes()).is_err());
        wrong["version"] = 0.into();
        assert!(ForecastModel::from_bytes(wrong.to_string().as_bytes()).is_err());
    }
}
