//! Categories: per user, optionally nested one level under a parent, each of a kind (expense,
//! income, transfer). Every new user starts with a sensible default set.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{categories, rules, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::not_found;
use crate::users::now;
use crate::with_conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    Expense,
    Income,
    /// Money moved between the user's own accounts: left out of income and expenses.
    Transfer,
}

impl CategoryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CategoryKind::Expense => "expense",
            CategoryKind::Income => "income",
            CategoryKind::Transfer => "transfer",
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        [Self::Expense, Self::Income, Self::Transfer]
            .into_iter()
            .find(|k| k.as_str() == kind)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub color: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Category {
    pub fn is_transfer(&self) -> bool {
        self.kind == CategoryKind::Transfer.as_str()
    }
}

/// The grey of money without a category in charts: no category has it by default.
pub const UNCATEGORIZED_COLOR: &str = "#BBBBBB";

/// The set every user starts with. Colors come from palettes that stay distinguishable for
/// colour-blind people (Okabe–Ito and Paul Tol's); no two share one.
pub const DEFAULTS: &[(&str, CategoryKind, &str)] = &[
    ("Groceries", CategoryKind::Expense, "#009E73"),
    ("Dining", CategoryKind::Expense, "#E69F00"),
    ("Rent & Mortgage", CategoryKind::Expense, "#0072B2"),
    ("Utilities", CategoryKind::Expense, "#56B4E9"),
    ("Transport", CategoryKind::Expense, "#CC79A7"),
    ("Fuel", CategoryKind::Expense, "#D55E00"),
    ("Entertainment", CategoryKind::Expense, "#AA3377"),
    ("Subscriptions", CategoryKind::Expense, "#4477AA"),
    ("Health", CategoryKind::Expense, "#228833"),
    ("Shopping", CategoryKind::Expense, "#CCBB44"),
    ("Travel", CategoryKind::Expense, "#66CCEE"),
    ("Education", CategoryKind::Expense, "#EE6677"),
    ("Insurance", CategoryKind::Expense, "#332288"),
    ("Personal Care", CategoryKind::Expense, "#EE7733"),
    ("Gifts & Donations", CategoryKind::Expense, "#33BBEE"),
    ("Fees & Charges", CategoryKind::Expense, "#CC3311"),
    ("Cash Withdrawal", CategoryKind::Expense, "#009988"),
    ("Salary", CategoryKind::Income, "#117733"),
    ("Interest", CategoryKind::Income, "#44AA99"),
    ("Other Income", CategoryKind::Income, "#999933"),
    ("Transfers", CategoryKind::Transfer, "#888888"),
];

pub fn create_defaults(conn: &mut DbConn, user_id: i64) -> Result<(), ApiError> {
    let now = now();
    let rows: Vec<_> = DEFAULTS
        .iter()
        .map(|(name, kind, color)| {
            (
                categories::user_id.eq(user_id),
                categories::name.eq(*name),
                categories::kind.eq(kind.as_str()),
                categories::color.eq(*color),
                categories::created_at.eq(now),
                categories::updated_at.eq(now),
            )
        })
        .collect();
    with_conn!(conn, c => diesel::insert_into(categories::table).values(&rows).execute(c))?;
    Ok(())
}

pub struct NewCategory {
    pub name: String,
    pub parent_id: Option<i64>,
    pub kind: CategoryKind,
    pub color: String,
}

#[derive(Default)]
pub struct CategoryChange {
    pub name: Option<String>,
    /// `Some(None)` makes it top-level.
    pub parent_id: Option<Option<i64>>,
    pub kind: Option<CategoryKind>,
    pub color: Option<String>,
}

fn unique_name<T>(result: QueryResult<T>) -> Result<T, ApiError> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(ApiError::Conflict(
            "you already have a category with this name".into(),
        )),
        other => Ok(other?),
    }
}

pub fn list(conn: &mut DbConn, user_id: i64) -> Result<Vec<Category>, ApiError> {
    Ok(with_conn!(conn, c => categories::table
        .filter(categories::user_id.eq(user_id))
        .order((categories::name.asc(), categories::id.asc()))
        .select(Category::as_select())
        .load(c))?)
}

/// The user's categories by id.
pub fn by_id(
    conn: &mut DbConn,
    user_id: i64,
) -> Result<std::collections::HashMap<i64, Category>, ApiError> {
    Ok(list(conn, user_id)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Category, ApiError> {
    with_conn!(conn, c => categories::table
        .filter(categories::id.eq(id))
        .filter(categories::user_id.eq(user_id))
        .select(Category::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| not_found("category", id))
}

/// A field that names a category must name one of the user's own; else 422 on that field.
pub fn owned(conn: &mut DbConn, user_id: i64, id: i64, field: &str) -> Result<Category, ApiError> {
    get(conn, user_id, id).map_err(|_| ApiError::validation(field, "is not one of your categories"))
}

/// Parents are one level deep: a parent must itself be top-level and not the category itself.
fn check_parent(
    conn: &mut DbConn,
    user_id: i64,
    category_id: Option<i64>,
    parent_id: i64,
) -> Result<(), ApiError> {
    let parent = owned(conn, user_id, parent_id, "parent_id")?;
    if Some(parent.id) == category_id || parent.parent_id.is_some() {
        return Err(ApiError::validation(
            "parent_id",
            "must be a top-level category other than this one",
        ));
    }
    Ok(())
}

pub fn create(conn: &mut DbConn, user_id: i64, new: NewCategory) -> Result<Category, ApiError> {
    if let Some(parent) = new.parent_id {
        check_parent(conn, user_id, None, parent)?;
    }
    let now = now();
    let row = (
        categories::user_id.eq(user_id),
        categories::name.eq(new.name.trim()),
        categories::parent_id.eq(new.parent_id),
        categories::kind.eq(new.kind.as_str()),
        categories::color.eq(&new.color),
        categories::created_at.eq(now),
        categories::updated_at.eq(now),
    );
    unique_name(with_conn!(conn, c => diesel::insert_into(categories::table)
        .values(row)
        .returning(Category::as_returning())
        .get_result(c)))
}

pub fn update(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    change: CategoryChange,
) -> Result<Category, ApiError> {
    let category = get(conn, user_id, id)?;
    if let Some(Some(parent)) = change.parent_id {
        check_parent(conn, user_id, Some(id), parent)?;
        let has_children = with_conn!(conn, c => diesel::select(diesel::dsl::exists(
            categories::table.filter(categories::parent_id.eq(id)),
        ))
        .get_result::<bool>(c))?;
        if has_children {
            return Err(ApiError::validation(
                "parent_id",
                "a category with subcategories must stay top-level",
            ));
        }
    }
    let changes = (
        change
            .name
            .map(|n| categories::name.eq(n.trim().to_owned())),
        change.parent_id.map(|p| categories::parent_id.eq(p)),
        change.kind.map(|k| categories::kind.eq(k.as_str())),
        change.color.map(|c| categories::color.eq(c)),
        categories::updated_at.eq(now()),
    );
    unique_name(
        with_conn!(conn, c => diesel::update(categories::table.find(category.id))
        .set(changes)
        .returning(Category::as_returning())
        .get_result(c)),
    )
}

/// Deletes a category. Its transactions and rules move to `move_to` when given; otherwise the
/// transactions become uncategorized and its rules are deleted. Subcategories become top-level.
/// Returns how many transactions moved.
pub fn delete(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    move_to: Option<i64>,
) -> Result<usize, ApiError> {
    let category = get(conn, user_id, id)?;
    if let Some(target) = move_to {
        if target == id {
            return Err(ApiError::validation(
                "move_to",
                "must be another category than the one deleted",
            ));
        }
        owned(conn, user_id, target, "move_to")?;
    }
    conn.transaction(|conn| {
        let now = now();
        let moved = with_conn!(conn, c => diesel::update(
            transactions::table
                .filter(transactions::user_id.eq(user_id))
                .filter(transactions::category_id.eq(category.id)),
        )
        .set((
            transactions::category_id.eq(move_to),
            transactions::category_source.eq(move_to.map(|_| "user")),
            transactions::category_confidence.eq(None::<f64>),
            transactions::updated_at.eq(now),
        ))
        .execute(c))?;
        if let Some(target) = move_to {
            with_conn!(conn, c => diesel::update(rules::table.filter(rules::category_id.eq(category.id)))
                .set(rules::category_id.eq(target))
                .execute(c))?;
        }
        with_conn!(conn, c => diesel::delete(categories::table.find(category.id)).execute(c))?;
        Ok(moved)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn default_colours_are_all_different_and_none_is_the_uncategorized_grey() {
        let mut seen = HashSet::from([UNCATEGORIZED_COLOR.to_lowercase()]);
        for (name, _, color) in DEFAULTS {
            assert!(seen.insert(color.to_lowercase()), "{name} repeats {color}");
        }
    }
}
