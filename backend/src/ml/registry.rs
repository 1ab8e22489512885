//! The models this server runs with. The artifacts in `ml-models/` are compiled into the binary,
//! so a deployment cannot lose them; they are checked at start-up, and a damaged one is logged
//! and replaced by "no model" (suggestions then come from the user's own corrections only)
//! rather than failing a request later.

use crate::ml::model::Model;
use crate::ml::pipeline::Metrics;

const EMBEDDED_INFO: &[u8] = include_bytes!("../../../ml-models/categorizer.json");
const EMBEDDED_WEIGHTS: &[u8] = include_bytes!("../../../ml-models/categorizer.weights");
const EMBEDDED_METRICS: &[u8] = include_bytes!("../../../ml-models/metrics.json");

pub struct Categorizer {
    pub model: Option<Model>,
    pub metrics: Option<Metrics>,
    /// Below this confidence a suggestion is offered but no category is set.
    pub min_confidence: f32,
}

impl Categorizer {
    pub fn embedded(min_confidence: f32) -> Self {
        Self::from_bytes(
            EMBEDDED_INFO,
            EMBEDDED_WEIGHTS,
            EMBEDDED_METRICS,
            min_confidence,
        )
    }

    pub fn from_bytes(info: &[u8], weights: &[u8], metrics: &[u8], min_confidence: f32) -> Self {
        let model = match Model::from_bytes(info, weights) {
            Ok(model) => Some(model),
            Err(error) => {
                tracing::error!(%error, "the categorizer model cannot be loaded; running without it");
                None
            }
        };
        let metrics = model.as_ref().and_then(|_| {
            serde_json::from_slice(metrics)
                .map_err(|error| tracing::warn!(%error, "the categorizer metrics cannot be read"))
                .ok()
        });
        Categorizer {
            model,
            metrics,
            min_confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_model_loads() {
        let model = Model::from_bytes(EMBEDDED_INFO, EMBEDDED_WEIGHTS).expect("a valid model");
        assert_eq!(
            model.classes().len(),
            crate::ledger::categories::DEFAULTS.len()
        );
        assert!(Categorizer::embedded(0.5).metrics.is_some());
    }

    #[test]
    fn a_damaged_model_means_no_model() {
        let broken = Categorizer::from_bytes(b"{}", b"", b"{}", 0.5);
        assert!(broken.model.is_none() && broken.metrics.is_none());
    }
}
