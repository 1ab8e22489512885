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
        let brands = model
            .info
            .features
            .brands
            .as_ref()
            .expect("trained with brands");
        let directory = brands.directory.as_ref().expect("the embedded directory");
        assert_eq!(directory.stamp, brands.stamp);
        assert!(directory.len() > 5_000, "{}", directory.len());
        let prediction = model.predict("POS KROGER #1234 CINCINNATI OH", -5_420, 1);
        assert_eq!(model.classes()[prediction.ranked[0].class], "Groceries");
        // A brand the training data never named: its directory category carries the prediction,
        // and the explanation says so.
        let prediction = model.predict("POS WEGMANS #93 ROCHESTER NY", -5_420, 1);
        assert_eq!(model.classes()[prediction.ranked[0].class], "Groceries");
        let brand = prediction
            .decisive
            .brand
            .expect("the directory's brand decided");
        assert_eq!(brand.name, "wegmans");
        assert_eq!(brand.categories, ["Groceries"]);
    }

    /// The shipped model against lines it was never trained on (hand-written merchants and
    /// phrasings): the figures its card states, exactly, and above the floor the card is held to.
    #[test]
    fn the_embedded_model_files_unseen_lines_as_its_card_says() {
        let threshold = crate::config::DEFAULT_CATEGORIZER_MIN_CONFIDENCE;
        let served = Categorizer::embedded(threshold);
        let (model, metrics) = (served.model.unwrap(), served.metrics.unwrap());
        let lines = crate::ml::trust::hand_written().unwrap();
        let judged = crate::ml::trust::measure(&model, &lines, threshold).filing;
        let stated = &metrics.trust.hand_written.filing;
        assert_eq!(judged.rows, stated.rows);
        // The card's figures went through JSON, which may round the last digit.
        for (measured, card) in [
            (judged.top1_accuracy, stated.top1_accuracy),
            (judged.coverage, stated.coverage),
            (judged.filed_accuracy, stated.filed_accuracy),
        ] {
            assert!((measured - card).abs() < 1e-9, "{judged:?} vs {stated:?}");
        }
        assert!(judged.top1_accuracy >= 0.95, "{judged:?}");
        assert!(judged.filed_accuracy >= 0.975, "{judged:?}");
    }

    #[test]
    fn a_damaged_model_means_no_model() {
        let broken = Categorizer::from_bytes(b"{}", b"", b"{}", 0.5);
        assert!(broken.model.is_none() && broken.metrics.is_none());
    }
}
