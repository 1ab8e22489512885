//! Accuracy on real bank descriptions: the files of the shared corpus whose rows carry the
//! bank's own category. Their labels are mapped to our default categories by hand, below; a
//! label with no counterpart (a budget envelope, "Expenses") leaves its rows out. Every row,
//! labelled or not, is checked against the money-direction rule.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::bankfile::{parse, ParseOptions};
use crate::ml::model::Model;
use crate::ml::text;
use crate::ml::trust::DirectionCheck;

/// Bank label (lower case, compared against each `:`-separated part, last part first) → ours.
const LABELS: &[(&str, &str)] = &[
    ("groceries", "Groceries"),
    ("food budget", "Groceries"),
    ("food", "Dining"),
    ("coffee shops", "Dining"),
    ("shopping", "Shopping"),
    ("clothes", "Shopping"),
    ("medien & elektronik", "Shopping"),
    ("travel", "Travel"),
    ("other travel", "Travel"),
    ("car", "Transport"),
    ("bills", "Utilities"),
    ("cell phone/test class", "Utilities"),
    ("gifts", "Gifts & Donations"),
    ("salary", "Salary"),
    ("health and beauty", "Personal Care"),
    ("transfer", "Transfers"),
    ("credit card payment", "Transfers"),
    ("payment/credit", "Transfers"),
    ("checking", "Transfers"),
    ("savings", "Transfers"),
    ("from 'cash'", "Transfers"),
    ("to 'payment card'", "Transfers"),
];

fn our_category(bank_label: &str) -> Option<&'static str> {
    let lower = bank_label.trim().to_lowercase();
    lower.rsplit(':').find_map(|part| {
        LABELS
            .iter()
            .find(|(label, _)| *label == part.trim())
            .map(|(_, ours)| *ours)
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileAccuracy {
    pub path: String,
    /// Rows whose bank label maps to one of our categories.
    pub rows: usize,
    pub correct: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorpusReport {
    pub files: Vec<FileAccuracy>,
    pub rows: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Every row of every file that parses.
    pub direction: DirectionCheck,
}

/// Every manifest file of `dir` that parses and has mapped bank categories.
pub fn evaluate(model: &Model, dir: &Path) -> Result<CorpusReport, String> {
    let manifest: serde_json::Value = std::fs::read(dir.join("manifest.json"))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))?;
    let mut files = Vec::new();
    let mut direction = DirectionCheck::default();
    for entry in manifest.as_array().into_iter().flatten() {
        let Some(path) = entry["path"].as_str() else {
            continue;
        };
        let Ok(bytes) = std::fs::read(dir.join(path)) else {
            continue;
        };
        let options = ParseOptions {
            filename: Some(path),
            mapping: None,
            ..ParseOptions::default()
        };
        let Ok(parsed) = parse(&bytes, &options) else {
            continue;
        };
        let (mut rows, mut correct) = (0, 0);
        for row in &parsed.rows {
            let text = text::with_payee(&row.description, row.payee.as_deref());
            direction.add(model, &text, row.amount);
            let Some(truth) = row.bank_category.as_deref().and_then(our_category) else {
                continue;
            };
            let best = model.predict(&text, row.amount, 1).ranked[0].class;
            rows += 1;
            correct += usize::from(model.classes()[best] == truth);
        }
        if rows > 0 {
            files.push(FileAccuracy {
                path: path.to_owned(),
                rows,
                correct,
            });
        }
    }
    let rows = files.iter().map(|f| f.rows).sum();
    let correct = files.iter().map(|f| f.correct).sum();
    Ok(CorpusReport {
        files,
        rows,
        correct,
        direction,
        accuracy: if rows == 0 {
            0.0
        } else {
            correct as f64 / rows as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_labels_map_by_their_most_specific_part() {
        assert_eq!(our_category("Food:Groceries"), Some("Groceries"));
        assert_eq!(our_category("Usual Expenses:Shopping"), Some("Shopping"));
        assert_eq!(our_category(" Coffee Shops "), Some("Dining"));
        assert_eq!(our_category("Expenses"), None);
        assert_eq!(our_category("Income:Available next month"), None);
    }
}
