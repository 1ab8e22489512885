use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::extract::{nullable, ValidJson, ValidQuery};
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, Problem};
use crate::ledger::categories::{self, Category, CategoryChange, CategoryKind, NewCategory};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "name": "Groceries", "parent_id": null, "kind": "expense", "color": "#009E73"}))]
pub struct CategoryResponse {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    #[schema(value_type = CategoryKind)]
    pub kind: String,
    /// `#RRGGBB`.
    pub color: String,
}

impl From<Category> for CategoryResponse {
    fn from(c: Category) -> Self {
        CategoryResponse {
            id: c.id,
            name: c.name,
            parent_id: c.parent_id,
            kind: c.kind,
            color: c.color,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CategoryList {
    pub items: Vec<CategoryResponse>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Coffee", "parent_id": 2, "kind": "expense", "color": "#E69F00"}))]
pub struct CreateCategory {
    #[validate(custom(function = "fields::CategoryName::check"))]
    #[schema(value_type = fields::CategoryName)]
    pub name: String,
    /// A top-level category to nest under.
    pub parent_id: Option<i64>,
    pub kind: CategoryKind,
    /// Defaults to a neutral grey.
    #[validate(custom(function = "fields::HexColor::check"))]
    #[schema(value_type = Option<fields::HexColor>)]
    pub color: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    #[validate(custom(function = "fields::CategoryName::check"))]
    #[schema(value_type = Option<fields::CategoryName>)]
    pub name: Option<String>,
    /// `null` makes the category top-level.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    pub kind: Option<CategoryKind>,
    #[validate(custom(function = "fields::HexColor::check"))]
    #[schema(value_type = Option<fields::HexColor>)]
    pub color: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Move the category's transactions and rules here; without it the transactions become
    /// uncategorized and the rules are deleted.
    pub move_to: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Deleted {
    /// How many transactions were moved or uncategorized.
    pub transactions_moved: usize,
}

/// Your categories, by name.
#[utoipa::path(tag = "categories", responses((status = 200, body = CategoryList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/categories")]
pub async fn list_categories(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db(move |conn| categories::list(conn, user.user.id))
        .await?;
    Ok(HttpResponse::Ok().json(CategoryList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Add a category.
#[utoipa::path(tag = "categories", request_body = CreateCategory, responses(
    (status = 201, body = CategoryResponse),
    (status = 409, description = "You already have a category with this name", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/categories")]
pub async fn create_category(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateCategory>,
) -> Result<HttpResponse, ApiError> {
    let new = NewCategory {
        name: body.name,
        parent_id: body.parent_id,
        kind: body.kind,
        color: body.color.unwrap_or_else(|| "#888888".into()),
    };
    let category = state
        .db(move |conn| categories::create(conn, user.user.id, new))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/categories/{}", category.id)))
        .json(CategoryResponse::from(category)))
}

/// One category.
#[utoipa::path(tag = "categories", params(("id" = i64, Path)), responses(
    (status = 200, body = CategoryResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/categories/{id}")]
pub async fn get_category(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let category = state
        .db(move |conn| categories::get(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(CategoryResponse::from(category)))
}

/// Rename, re-colour, re-kind or move a category.
#[utoipa::path(tag = "categories", params(("id" = i64, Path)), request_body = UpdateCategory, responses(
    (status = 200, body = CategoryResponse),
    (status = 409, description = "You already have a category with this name", body = Problem, content_type = "application/problem+json"),
    NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[patch("/categories/{id}")]
pub async fn update_category(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateCategory>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let change = CategoryChange {
        name: body.name,
        parent_id: body.parent_id,
        kind: body.kind,
        color: body.color,
    };
    let category = state
        .db(move |conn| categories::update(conn, user.user.id, id, change))
        .await?;
    Ok(HttpResponse::Ok().json(CategoryResponse::from(category)))
}

/// Delete a category, moving its transactions to `move_to` or leaving them uncategorized.
#[utoipa::path(tag = "categories", params(("id" = i64, Path), DeleteQuery), responses(
    (status = 200, body = Deleted), NotFound, AuthErrors,
    (status = 422, description = "`move_to` is not another of your categories", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = []), ("session" = [])))]
#[delete("/categories/{id}")]
pub async fn delete_category(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: ValidQuery<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to) = (id.into_inner(), query.move_to);
    let moved = state
        .db(move |conn| categories::delete(conn, user.user.id, id, move_to))
        .await?;
    Ok(HttpResponse::Ok().json(Deleted {
        transactions_moved: moved,
    }))
}
