//! One user's suggestions: their own memory first, then the global model, with the model's
//! category names mapped to the user's categories by name, and only categories whose kind fits
//! the money's direction (`direction`). Used by `POST /categorize` and by imports.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories::{self, CategoryKind};
use crate::ml::direction::{self, Facts, Fit, Guard, RefundEvidence};
use crate::ml::feedback;
use crate::ml::model::{Decisive, Model};
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
    /// Nothing the model knows fits the money's direction.
    NoFittingCategory,
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
    /// Money in proposed for an expense category: a refund, with its evidence in `explanation`.
    /// Money in is otherwise only ever proposed for income or transfer categories, money out
    /// never for income.
    pub refund: bool,
    /// One sentence for people.
    pub explanation: String,
}

pub struct Suggester<'a> {
    categorizer: &'a Categorizer,
    memory: Memory,
    guard: Guard,
    by_name: HashMap<String, CategoryRef>,
    by_id: HashMap<i64, CategoryRef>,
}

/// A model class that may be proposed for the row, and on what grounds.
struct Fitting {
    alternative: Alternative,
    fit: Fit,
}

impl<'a> Suggester<'a> {
    /// Loads what the user's suggestions need: their categories, their memory and their
    /// spending at the merchants money in is to be suggested for, `credit_keys` (refund
    /// evidence).
    pub fn load(
        conn: &mut DbConn,
        user_id: i64,
        categorizer: &'a Categorizer,
        credit_keys: &HashSet<String>,
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
            guard: Guard::load_for(conn, user_id, credit_keys)?,
            by_name: refs
                .iter()
                .map(|c| (c.name.to_lowercase(), c.clone()))
                .collect(),
            by_id: refs.into_iter().map(|c| (c.id, c)).collect(),
        })
    }

    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    pub fn guard_mut(&mut self) -> &mut Guard {
        &mut self.guard
    }

    fn min_confidence(&self) -> f32 {
        self.categorizer.min_confidence
    }

    /// A suggestion for a row whose date is not known: any earlier spending counts as refund
    /// evidence.
    pub fn suggest(&self, description: &str, amount: i64) -> Suggestion {
        self.suggest_on(&Facts {
            text: description,
            merchant: None,
            amount,
            date: None,
        })
    }

    /// A suggestion for a row as the guard weighs it (`row.text` is what the model reads).
    pub fn suggest_on(&self, row: &Facts) -> Suggestion {
        let amount = row.amount;
        let recalled = self
            .memory
            .recall(row.text, amount > 0)
            .and_then(|r| self.by_id.get(&r.category_id).map(|c| (r, c.clone())))
            .and_then(|(r, c)| {
                // The memory of money in holds only what the user filed by hand, so an expense
                // category there is a refund they chose.
                let fit = match self.guard.kind(c.id) {
                    Some(CategoryKind::Expense) if amount > 0 => {
                        Fit::Refund(RefundEvidence::UserChoice)
                    }
                    _ => self.guard.fit(c.id, row),
                };
                fit.allowed().then_some((r, c, fit))
            });
        let predicted = self
            .categorizer
            .model
            .as_ref()
            .map(|model| self.fitting(model, row));
        match (recalled, predicted) {
            (Some((recall, category, fit)), predicted)
                if recall.exact
                    || predicted.as_ref().is_none_or(|(fitting, _, _)| {
                        fitting
                            .first()
                            .is_none_or(|f| recall.confidence >= f.alternative.confidence)
                    }) =>
            {
                self.by_history(recall, category, fit, predicted.map(|(f, _, _)| f))
            }
            (_, Some((fitting, decisive, set_aside))) => {
                self.by_model(fitting, decisive, set_aside, amount)
            }
            (_, None) => Suggestion {
                category: None,
                confidence: 0.0,
                basis: Basis::Nothing,
                reason: Some(NoCategory::NoModel),
                alternatives: Vec::new(),
                decisive_words: Vec::new(),
                similar_to: None,
                refund: false,
                explanation: "No model is loaded and nothing like it is in your history yet."
                    .into(),
            },
        }
    }

    /// The model's classes that may hold the row, most likely first, with the words that
    /// decided and the model's favourite when the direction set it aside.
    fn fitting(&self, model: &Model, row: &Facts) -> (Vec<Fitting>, Decisive, Option<String>) {
        let p = model.predict(row.text, row.amount, model.classes().len());
        let mut fitting = Vec::new();
        let mut set_aside = None;
        for (rank, r) in p.ranked.iter().enumerate() {
            let name = model.classes()[r.class].clone();
            let category = self.by_name.get(&name.to_lowercase()).cloned();
            let kind = category
                .as_ref()
                .and_then(|c| self.guard.kind(c.id))
                .unwrap_or_else(|| direction::default_kind(&name));
            let fit = direction::fit(kind, row.amount, || {
                self.guard
                    .refund_evidence(row, category.as_ref().map(|c| c.id))
            });
            if !fit.allowed() {
                if rank == 0 {
                    set_aside = Some(name);
                }
                continue;
            }
            fitting.push(Fitting {
                alternative: Alternative {
                    category,
                    name,
                    confidence: r.probability,
                },
                fit,
            });
            if fitting.len() > ALTERNATIVES {
                break;
            }
        }
        // The words explain the model's own favourite; when that one was set aside they
        // would argue for it, not for what is proposed.
        let decisive = if set_aside.is_none() {
            p.decisive
        } else {
            Decisive::default()
        };
        (fitting, decisive, set_aside)
    }

    fn by_history(
        &self,
        recall: Recall,
        category: CategoryRef,
        fit: Fit,
        model_alternatives: Option<Vec<Fitting>>,
    ) -> Suggestion {
        let times = match recall.hits {
            1 => "once".to_owned(),
            2 => "twice".to_owned(),
            n => format!("{n} times in a row"),
        };
        let likeness = if recall.exact { "" } else { "something like " };
        let refund = matches!(fit, Fit::Refund(_));
        let as_refund = if refund { ", as a refund" } else { "" };
        let explanation = format!(
            "You filed {likeness}“{}” under {} {times}{as_refund}.",
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
                .map(|f| f.alternative)
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
            refund,
            explanation,
        }
    }

    fn by_model(
        &self,
        fitting: Vec<Fitting>,
        decisive: Decisive,
        set_aside: Option<String>,
        amount: i64,
    ) -> Suggestion {
        let aside = set_aside.map(|name| {
            if amount > 0 {
                format!(
                    " Not {name}: that is spending, and this is money in with no sign of a refund."
                )
            } else {
                format!(" Not {name}: that is income, and this is money out.")
            }
        });
        let aside = aside.unwrap_or_default();
        let Some(first) = fitting.first() else {
            return Suggestion {
                category: None,
                confidence: 0.0,
                basis: Basis::Model,
                reason: Some(NoCategory::NoFittingCategory),
                alternatives: Vec::new(),
                decisive_words: Vec::new(),
                similar_to: None,
                refund: false,
                explanation: format!("No category the model knows fits.{aside}"),
            };
        };
        let because = because(&decisive);
        let (refund, what) = match &first.fit {
            Fit::Refund(evidence) => (
                true,
                format!(
                    "a refund of {} ({})",
                    first.alternative.name,
                    evidence.because()
                ),
            ),
            _ => (false, first.alternative.name.clone()),
        };
        let first = &first.alternative;
        let (category, reason, explanation) = if first.confidence < self.min_confidence() {
            (
                None,
                Some(NoCategory::NotConfident),
                format!(
                    "Perhaps {what} ({:.0}% sure, {because}); not sure enough to file it.{aside}",
                    first.confidence * 100.0
                ),
            )
        } else if first.category.is_none() {
            (
                None,
                Some(NoCategory::NoSuchCategory),
                format!("Looks like {what} {because}, but you have no category of that name."),
            )
        } else {
            (first.category.clone(), None, {
                let mut sentence = format!("{what} {because}.{aside}");
                if let Some(c) = sentence.get(..1) {
                    let upper = c.to_uppercase();
                    sentence.replace_range(..1, &upper);
                }
                sentence
            })
        };
        Suggestion {
            category,
            confidence: first.confidence,
            basis: Basis::Model,
            reason,
            decisive_words: decisive.words,
            similar_to: None,
            refund,
            explanation,
            alternatives: fitting.into_iter().map(|f| f.alternative).collect(),
        }
    }
}

/// What a model's suggestion rests on, as the end of a sentence.
fn because(decisive: &Decisive) -> String {
    let words = (!decisive.words.is_empty())
        .then(|| format!("because of “{}”", decisive.words.join("”, “")));
    let brand = decisive.brand.as_ref().map(|brand| {
        format!(
            "because the merchant directory files “{}” under {}",
            brand.name,
            brand.categories.join(" and ")
        )
    });
    match (brand, words) {
        (Some(brand), Some(words)) => format!("{brand}, and {words}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "from the amount and how common it is".to_owned(),
    }
}
