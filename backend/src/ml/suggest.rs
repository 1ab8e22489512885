//! One user's suggestions: their own memory first, then the global model, with the model's
//! category names mapped to the user's categories by name. Used by `POST /categorize` and by
//! imports.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories;
use crate::ml::feedback;
use crate::ml::personal::{Memory, Recall};
use crate::ml::registry::Categorizer;

/// How many alternatives a suggestion lists besides its first choice.
const ALTERNATIVES: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryRef {
    pub id: i64,
    pub name: String,
}

/// Who made the suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The user's own past categorizations of this or a similar merchant.
    History,
    /// The global model.
    Model,
    /// Neither could say anything.
    Nothing,
}

/// Why no category was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoCategory {
    /// The best guess is below the confidence threshold; see `alternatives`.
    NotConfident,
    /// The model's category has no category of that name among yours.
    NoSuchCategory,
    /// No model is loaded and your history has nothing similar.
    NoModel,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Alternative {
    /// Your category of that name, if you have one.
    pub category: Option<CategoryRef>,
    pub name: String,
    pub confidence: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Suggestion {
    /// Set when confident enough and the category exists for you.
    pub category: Option<CategoryRef>,
    /// How sure (0–1) the first choice is.
    pub confidence: f32,
    #[schema(inline)]
    pub basis: Basis,
    /// Why `category` is null.
    #[schema(inline)]
    pub reason: Option<NoCategory>,
    /// The first choice and the runners-up, most likely first.
    pub alternatives: Vec<Alternative>,
    /// The description's words that decided (model).
    pub decisive_words: Vec<String>,
    /// Your own past transaction it resembles (history).
    pub similar_to: Option<String>,
    /// One sentence for people.
    pub explanation: String,
}

pub struct Suggester<'a> {
    categorizer: &'a Categorizer,
    memory: Memory,
    by_name: HashMap<String, CategoryRef>,
    by_id: HashMap<i64, CategoryRef>,
}

impl<'a> Suggester<'a> {
    /// Loads what the user's suggestions need: their categories and their memory.
    pub fn load(
        conn: &mut DbConn,
        user_id: i64,
        categorizer: &'a Categorizer,
    ) -> Result<Self, ApiError> {
        let refs: Vec<CategoryRef> = categories::list(conn, user_id)?
            .into_iter()
            .map(|c| CategoryRef {
                id: c.id,
                name: c.name,
            })
            .collect();
        Ok(Suggester {
            categorizer,
            memory: Memory::new(feedback::load(conn, user_id)?),
            by_name: refs
                .iter()
                .map(|c| (c.name.to_lowercase(), c.clone()))
                .collect(),
            by_id: refs.into_iter().map(|c| (c.id, c)).collect(),
        })
    }

    fn min_confidence(&self) -> f32 {
        self.categorizer.min_confidence
    }

    pub fn suggest(&self, description: &str, amount: i64) -> Suggestion {
        let recalled = self
            .memory
            .recall(description)
            .and_then(|r| self.by_id.get(&r.category_id).map(|c| (r, c.clone())));
        let predicted = self.categorizer.model.as_ref().map(|model| {
            let p = model.predict(description, amount, ALTERNATIVES + 1);
            let alternatives: Vec<Alternative> = p
                .ranked
                .iter()
                .map(|r| {
                    let name = model.classes()[r.class].clone();
                    Alternative {
                        category: self.by_name.get(&name.to_lowercase()).cloned(),
                        name,
                        confidence: r.probability,
                    }
                })
                .collect();
            (alternatives, p.decisive_words)
        });
        match (recalled, predicted) {
            (Some((recall, category)), predicted)
                if recall.exact
                    || predicted.as_ref().is_none_or(|(alternatives, _)| {
                        recall.confidence >= alternatives[0].confidence
                    }) =>
            {
                self.by_history(recall, category, predicted.map(|(a, _)| a))
            }
            (_, Some((alternatives, words))) => self.by_model(alternatives, words),
            (_, None) => Suggestion {
                category: None,
                confidence: 0.0,
                basis: Basis::Nothing,
                reason: Some(NoCategory::NoModel),
                alternatives: Vec::new(),
                decisive_words: Vec::new(),
                similar_to: None,
                explanation: "No model is loaded and nothing like it is in your history yet."
                    .into(),
            },
        }
    }

    fn by_history(
        &self,
        recall: Recall,
        category: CategoryRef,
        model_alternatives: Option<Vec<Alternative>>,
    ) -> Suggestion {
        let times = match recall.hits {
            1 => "once".to_owned(),
            2 => "twice".to_owned(),
            n => format!("{n} times in a row"),
        };
        let likeness = if recall.exact { "" } else { "something like " };
        let explanation = format!(
            "You filed {likeness}“{}” under {} {times}.",
            recall.example, category.name
        );
        let mut alternatives = vec![Alternative {
            category: Some(category.clone()),
            name: category.name.clone(),
            confidence: recall.confidence,
        }];
        alternatives.extend(
            model_alternatives
                .into_iter()
                .flatten()
                .filter(|a| a.category.as_ref() != Some(&category))
                .take(ALTERNATIVES),
        );
        let confident = recall.confidence >= self.min_confidence();
        Suggestion {
            category: confident.then_some(category),
            confidence: recall.confidence,
            basis: Basis::History,
            reason: (!confident).then_some(NoCategory::NotConfident),
            alternatives,
            decisive_words: Vec::new(),
            similar_to: Some(recall.example),
            explanation,
        }
    }

    fn by_model(&self, alternatives: Vec<Alternative>, words: Vec<String>) -> Suggestion {
        let first = &alternatives[0];
        let because = if words.is_empty() {
            "from the amount and how common it is".to_owned()
        } else {
            format!("because of “{}”", words.join("”, “"))
        };
        let (category, reason, explanation) = if first.confidence < self.min_confidence() {
            (
                None,
                Some(NoCategory::NotConfident),
                format!(
                    "Perhaps {} ({:.0}% sure, {because}); not sure enough to file it.",
                    first.name,
                    first.confidence * 100.0
                ),
            )
        } else if first.category.is_none() {
            (
                None,
                Some(NoCategory::NoSuchCategory),
                format!(
                    "Looks like {} {because}, but you have no category of that name.",
                    first.name
                ),
            )
        } else {
            (
                first.category.clone(),
                None,
                format!("{} {because}.", first.name),
            )
        };
        Suggestion {
            category,
            confidence: first.confidence,
            basis: Basis::Model,
            reason,
            decisive_words: words,
            similar_to: None,
            explanation,
            alternatives,
        }
    }
}
