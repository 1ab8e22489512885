//! How far the categorizer can be left to file on its own: what share it files at the filing
//! threshold and how often that is right, its top-1 accuracy, whether its confidence means what
//! it says (a reliability table), and whether anything it files contradicts the money's
//! direction. Judged as the server judges: the direction rule applied to the model's ranking,
//! with the default categories' kinds and refund wording as the only evidence (a fresh user).

use serde::{Deserialize, Serialize};

use crate::ledger::categories::CategoryKind;
use crate::ml::dataset::Example;
use crate::ml::direction::{self, Fit, RefundEvidence};
use crate::ml::model::Model;

/// Hand-written lines of merchants and plain descriptions that no generator list holds, with
/// their true categories: the test of phrasings never seen in training.
pub const HAND_WRITTEN: &str = include_str!("../../../ml-models/unseen.csv");

/// The reliability table's confidence bins: [0, 0.5), [0.5, 0.6), …, [0.9, 1].
const BIN_EDGES: [f32; 6] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9];

/// What the categorizer would propose for a row: the most likely class whose kind fits the
/// direction, how sure, and whether as a refund. `None` when no class fits.
pub struct Proposal {
    pub class: usize,
    pub confidence: f32,
    pub refund: bool,
}

pub fn propose(model: &Model, description: &str, amount: i64) -> Option<Proposal> {
    let p = model.predict(description, amount, model.classes().len());
    p.ranked.iter().find_map(|r| {
        let kind = direction::default_kind(&model.classes()[r.class]);
        let fit = direction::fit(kind, amount, || {
            direction::refund_word(description).map(RefundEvidence::Wording)
        });
        fit.allowed().then_some(Proposal {
            class: r.class,
            confidence: r.probability,
            refund: matches!(fit, Fit::Refund(_)),
        })
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filing {
    pub rows: usize,
    /// The proposal is the true category.
    pub top1_accuracy: f64,
    /// Share of rows proposed at or above the threshold: filed without asking.
    pub coverage: f64,
    /// Of the rows filed, the share filed right.
    pub filed_accuracy: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub from: f32,
    pub to: f32,
    pub rows: usize,
    pub mean_confidence: f64,
    pub accuracy: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// `judged` holds (confidence, right) per row.
fn filing(judged: &[(f32, bool)], threshold: f32) -> Filing {
    let filed: Vec<bool> = judged
        .iter()
        .filter(|(c, _)| *c >= threshold)
        .map(|&(_, right)| right)
        .collect();
    Filing {
        rows: judged.len(),
        top1_accuracy: ratio(judged.iter().filter(|j| j.1).count(), judged.len()),
        coverage: ratio(filed.len(), judged.len()),
        filed_accuracy: ratio(filed.iter().filter(|&&r| r).count(), filed.len()),
    }
}

fn reliability(judged: &[(f32, bool)]) -> Vec<ReliabilityBin> {
    BIN_EDGES
        .iter()
        .enumerate()
        .map(|(i, &from)| {
            let to = BIN_EDGES.get(i + 1).copied().unwrap_or(1.0);
            let last = i + 1 == BIN_EDGES.len();
            let inside: Vec<&(f32, bool)> = judged
                .iter()
                .filter(|(c, _)| *c >= from && (*c < to || last))
                .collect();
            let confidence: f64 = inside.iter().map(|(c, _)| f64::from(*c)).sum();
            ReliabilityBin {
                from,
                to,
                rows: inside.len(),
                mean_confidence: if inside.is_empty() {
                    0.0
                } else {
                    confidence / inside.len() as f64
                },
                accuracy: ratio(inside.iter().filter(|j| j.1).count(), inside.len()),
            }
        })
        .collect()
}

/// Each example's proposal confidence and whether it is right (no fitting class: wrong, 0).
fn judge(model: &Model, examples: &[Example]) -> Vec<(f32, bool)> {
    examples
        .iter()
        .map(|e| match propose(model, &e.description, e.amount) {
            Some(p) => (p.confidence, model.classes()[p.class] == e.category),
            None => (0.0, false),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    pub filing: Filing,
    pub reliability: Vec<ReliabilityBin>,
}

pub fn measure(model: &Model, examples: &[Example], threshold: f32) -> Judged {
    let judged = judge(model, examples);
    Judged {
        filing: filing(&judged, threshold),
        reliability: reliability(&judged),
    }
}

/// The hand-written lines as examples.
pub fn hand_written() -> Result<Vec<Example>, String> {
    #[derive(Deserialize)]
    struct Line {
        description: String,
        amount: i64,
        category: String,
    }
    csv::Reader::from_reader(HAND_WRITTEN.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, line)| {
            let line: Line =
                line.map_err(|e| format!("ml-models/unseen.csv line {}: {e}", i + 2))?;
            Ok(Example {
                merchant: line.description.clone(),
                description: line.description,
                amount: line.amount,
                category: line.category,
                locale: String::new(),
            })
        })
        .collect()
}

/// Rows whose category kind contradicts the money's direction, before and after the rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DirectionCheck {
    pub rows: usize,
    /// The model's own first choice alone contradicts the direction (what the rule prevents).
    pub model_alone_contradicting: usize,
    /// What is proposed (filed, or suggested below the threshold) contradicts the direction
    /// outside refunds: 0 by the rule.
    pub proposed_contradicting: usize,
    /// Money in proposed for an expense category as a refund, with refund wording.
    pub refunds: usize,
}

impl DirectionCheck {
    pub fn add(&mut self, model: &Model, description: &str, amount: i64) {
        let kind_of = |class: usize| direction::default_kind(&model.classes()[class]);
        let contradicts = |kind: CategoryKind| {
            matches!(
                (kind, amount.signum()),
                (CategoryKind::Expense, 1) | (CategoryKind::Income, -1)
            )
        };
        self.rows += 1;
        let first = model.predict(description, amount, 1).ranked[0].class;
        self.model_alone_contradicting += usize::from(contradicts(kind_of(first)));
        if let Some(p) = propose(model, description, amount) {
            if p.refund {
                self.refunds += 1;
            } else {
                self.proposed_contradicting += usize::from(contradicts(kind_of(p.class)));
            }
        }
    }

    pub fn of(model: &Model, examples: &[Example]) -> Self {
        let mut check = DirectionCheck::default();
        for e in examples {
            check.add(model, &e.description, e.amount);
        }
        check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_written_lines_read_and_name_default_categories() {
        let lines = hand_written().unwrap();
        assert!(lines.len() >= 250, "{}", lines.len());
        for line in &lines {
            assert!(
                crate::ledger::categories::DEFAULTS
                    .iter()
                    .any(|(name, _, _)| *name == line.category),
                "{line:?}"
            );
            let kind = direction::default_kind(&line.category);
            assert!(
                direction::fit(kind, line.amount, || None).allowed(),
                "a hand-written line contradicts its own direction: {line:?}"
            );
        }
    }

    #[test]
    fn filing_and_reliability_count_by_hand() {
        let judged = [(0.95, true), (0.92, false), (0.65, true), (0.3, false)];
        let f = filing(&judged, 0.6);
        assert_eq!(f.rows, 4);
        assert!((f.top1_accuracy - 0.5).abs() < 1e-9);
        assert!((f.coverage - 0.75).abs() < 1e-9);
        assert!((f.filed_accuracy - 2.0 / 3.0).abs() < 1e-9);
        let bins = reliability(&judged);
        assert_eq!(bins.len(), 6);
        assert_eq!(
            bins.iter().map(|b| b.rows).collect::<Vec<_>>(),
            [1, 0, 1, 0, 0, 2]
        );
        assert!((bins[5].mean_confidence - 0.935).abs() < 1e-6);
        assert!((bins[5].accuracy - 0.5).abs() < 1e-9);
        assert_eq!(filing(&[], 0.6).filed_accuracy, 0.0);
    }
}
