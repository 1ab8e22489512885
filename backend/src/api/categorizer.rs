use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::ValidJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors};
use crate::error::{ApiError, FieldError};
use crate::ledger::merchants;
use crate::ml::metrics::ClassScore;
use crate::ml::suggest::{Suggester, Suggestion};

/// `POST /categorize` takes at most this many descriptions per call.
pub const MAX_ITEMS: usize = 500;
const MAX_DESCRIPTION: usize = 500;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategorizeItem {
    pub description: String,
    /// Minor units; expenses negative.
    pub amount: i64,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [
    {"description": "POS 4821 TESCO STORES 3297 LONDON", "amount": -2350},
    {"description": "SQ *BLUE BOTTLE COFFEE", "amount": -450}
]}))]
pub struct CategorizeRequest {
    /// 1 to 500 transactions.
    pub items: Vec<CategorizeItem>,
}

impl CategorizeRequest {
    fn check(&self) -> Result<(), ApiError> {
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(ApiError::validation(
                "items",
                format!("must hold 1 to {MAX_ITEMS} transactions"),
            ));
        }
        let errors: Vec<FieldError> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let message = if item.description.trim().is_empty() {
                    "must not be blank"
                } else if item.description.chars().count() > MAX_DESCRIPTION {
                    "must be at most 500 characters long"
                } else {
                    return None;
                };
                Some(FieldError::new(format!("items[{i}].description"), message))
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "category": {"id": 7, "name": "Groceries"}, "confidence": 0.97, "basis": "model",
    "reason": null,
    "alternatives": [
        {"category": {"id": 7, "name": "Groceries"}, "name": "Groceries", "confidence": 0.97},
        {"category": {"id": 16, "name": "Shopping"}, "name": "Shopping", "confidence": 0.02}
    ],
    "decisive_words": ["stores", "tesco"], "similar_to": null,
    "explanation": "Groceries because the merchant directory files “tesco” under Groceries and Fuel, and because of “stores”, “tesco”."
}]}))]
pub struct CategorizeResponse {
    /// One per request item, in the same order.
    pub items: Vec<Suggestion>,
}

/// Suggest categories for transactions that are not stored (yet): your own past choices for the
/// same or a similar merchant first, then the model. Each answer says how sure it is and why;
/// below the server's confidence threshold `category` is null and `alternatives` hold the
/// guesses.
#[utoipa::path(tag = "categorizer", request_body = CategorizeRequest, responses(
    (status = 200, body = CategorizeResponse), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/categorize")]
pub async fn categorize(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CategorizeRequest>,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    let app = state.clone();
    let items = state
        .db(move |conn| {
            let credit_keys = body
                .items
                .iter()
                .filter(|item| item.amount > 0)
                .map(|item| merchants::key(None, &item.description))
                .collect();
            let suggester = Suggester::load(conn, user.user.id, &app.categorizer, &credit_keys)?;
            Ok(body
                .items
                .iter()
                .map(|item| suggester.suggest(&item.description, item.amount))
                .collect())
        })
        .await?;
    Ok(HttpResponse::Ok().json(CategorizeResponse { items }))
}

#[derive(Serialize, ToSchema)]
pub struct ModelSummary {
    pub name: String,
    pub version: String,
    pub family: String,
    /// RFC 3339.
    pub trained_at: Option<String>,
    /// The category names it predicts.
    pub classes: Vec<String>,
    /// Below this confidence a suggestion sets no category.
    pub min_confidence: f32,
    pub metrics: Option<ModelMetrics>,
}

#[derive(Serialize, ToSchema)]
pub struct ModelMetrics {
    /// On the held-out synthetic test split.
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassScore>,
    pub dataset_seed: u64,
    pub dataset_size: usize,
    /// On the bank-labelled rows of real third-party bank files, when measured.
    pub real_bank_accuracy: Option<f64>,
    pub predictions_per_second: f64,
}

#[derive(Serialize, ToSchema)]
pub struct ModelList {
    /// Empty when the server runs without a model (its artifact could not be loaded).
    pub items: Vec<ModelSummary>,
}

/// The models this server has loaded, with their training facts and measured quality.
#[utoipa::path(tag = "categorizer", responses((status = 200, body = ModelList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/ml/models")]
pub async fn list_models(
    _user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let categorizer = &state.categorizer;
    let items = categorizer
        .model
        .iter()
        .map(|model| {
            let metrics = categorizer.metrics.as_ref();
            ModelSummary {
                name: model.info.name.clone(),
                version: model.info.version.clone(),
                family: model.info.family.clone(),
                trained_at: metrics.map(|m| m.trained_at.clone()),
                classes: model.info.classes.clone(),
                min_confidence: categorizer.min_confidence,
                metrics: metrics.map(|m| ModelMetrics {
                    accuracy: m.held_out.accuracy,
                    macro_f1: m.held_out.macro_f1,
                    per_class: m.held_out.per_class.clone(),
                    dataset_seed: m.dataset.seed,
                    dataset_size: m.dataset.size,
                    real_bank_accuracy: m.corpus.as_ref().map(|c| c.accuracy),
                    predictions_per_second: m.predictions_per_second,
                }),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(ModelList { items }))
}
