//! Accuracy, macro-F1 and per-class precision and recall of predicted against true classes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClassScore {
    pub class: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// How many held-out examples are of this class.
    pub support: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub accuracy: f64,
    /// The unweighted mean of the classes' F1: a rare class counts as much as a common one.
    pub macro_f1: f64,
    pub per_class: Vec<ClassScore>,
}

/// `pairs` are (true, predicted) class indexes into `classes`.
pub fn score(classes: &[String], pairs: &[(usize, usize)]) -> Scores {
    let n = classes.len();
    let (mut tp, mut fp, mut support) = (vec![0usize; n], vec![0usize; n], vec![0usize; n]);
    for &(truth, predicted) in pairs {
        support[truth] += 1;
        if truth == predicted {
            tp[truth] += 1;
        } else {
            fp[predicted] += 1;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let per_class: Vec<ClassScore> = (0..n)
        .map(|c| {
            let precision = ratio(tp[c], tp[c] + fp[c]);
            let recall = ratio(tp[c], support[c]);
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            ClassScore {
                class: classes[c].clone(),
                precision,
                recall,
                f1,
                support: support[c],
            }
        })
        .collect();
    let present: Vec<&ClassScore> = per_class.iter().filter(|c| c.support > 0).collect();
    Scores {
        accuracy: ratio(tp.iter().sum(), pairs.len()),
        macro_f1: present.iter().map(|c| c.f1).sum::<f64>() / present.len().max(1) as f64,
        per_class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hits_and_misses_per_class() {
        let classes = vec!["a".to_string(), "b".to_string()];
        let s = score(&classes, &[(0, 0), (0, 1), (1, 1), (1, 1)]);
        assert_eq!(s.accuracy, 0.75);
        assert_eq!(s.per_class[0].precision, 1.0);
        assert_eq!(s.per_class[0].recall, 0.5);
        assert!((s.per_class[1].precision - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.per_class[1].recall, 1.0);
        let f1a = 2.0 * 0.5 / 1.5;
        let f1b = 2.0 * (2.0 / 3.0) / (5.0 / 3.0);
        assert!((s.macro_f1 - (f1a + f1b) / 2.0).abs() < 1e-12);
    }
}
