//! Accounts: where money sits. The balance is computed (opening balance plus every transaction),
//! never stored, so it cannot drift.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::expr::sum_of;
use crate::db::schema::{accounts, imports, monthly_sums, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::not_found;
use crate::limits;
use crate::storage::Storage;
use crate::users::now;
use crate::with_conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Checking,
    Savings,
    CreditCard,
    Cash,
    Loan,
    Investment,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Checking => "checking",
            AccountKind::Savings => "savings",
            AccountKind::CreditCard => "credit_card",
            AccountKind::Cash => "cash",
            AccountKind::Loan => "loan",
            AccountKind::Investment => "investment",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub opening_balance: i64,
    pub archived: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewAccount {
    pub name: String,
    pub kind: AccountKind,
    pub currency: String,
    pub opening_balance: i64,
}

#[derive(Default)]
pub struct AccountChange {
    pub name: Option<String>,
    pub kind: Option<AccountKind>,
    pub currency: Option<String>,
    pub opening_balance: Option<i64>,
    pub archived: Option<bool>,
}

fn name_taken() -> ApiError {
    ApiError::Conflict("you already have an account with this name".into())
}

fn unique_name<T>(result: QueryResult<T>) -> Result<T, ApiError> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(name_taken()),
        other => Ok(other?),
    }
}

pub fn create(conn: &mut DbConn, user_id: i64, new: NewAccount) -> Result<Account, ApiError> {
    let now = now();
    let row = (
        accounts::user_id.eq(user_id),
        accounts::name.eq(new.name.trim()),
        accounts::kind.eq(new.kind.as_str()),
        accounts::currency.eq(&new.currency),
        accounts::opening_balance.eq(new.opening_balance),
        accounts::created_at.eq(now),
        accounts::updated_at.eq(now),
    );
    unique_name(with_conn!(conn, c => diesel::insert_into(accounts::table)
        .values(row)
        .returning(Account::as_returning())
        .get_result(c)))
}

pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    include_archived: bool,
) -> Result<Vec<Account>, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut query = accounts::table
            .filter(accounts::user_id.eq(user_id))
            .select(Account::as_select())
            .order((accounts::name.asc(), accounts::id.asc()))
            .into_boxed();
        if !include_archived {
            query = query.filter(accounts::archived.eq(false));
        }
        query.load(c)
    })?)
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Account, ApiError> {
    with_conn!(conn, c => accounts::table
        .filter(accounts::id.eq(id))
        .filter(accounts::user_id.eq(user_id))
        .select(Account::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| not_found("account", id))
}

/// Sum of transaction amounts per account of the user.
/// The sum of each account's transactions, by account id: all but transfers from
/// `monthly_sums` (a row per account, month and category instead of every transaction), and
/// the transfers from their own partial index.
pub fn transaction_sums(conn: &mut DbConn, user_id: i64) -> Result<HashMap<i64, i64>, ApiError> {
    let months: Vec<(i64, i64, i64)> = with_conn!(conn, c => monthly_sums::table
        .inner_join(accounts::table)
        .filter(accounts::user_id.eq(user_id))
        .group_by(monthly_sums::account_id)
        .select((
            monthly_sums::account_id,
            sum_of(monthly_sums::inflow),
            sum_of(monthly_sums::outflow),
        ))
        .load(c))?;
    let transfers: Vec<(i64, i64)> = with_conn!(conn, c => transactions::table
        .filter(transactions::user_id.eq(user_id))
        // As a bare column, so the partial index of transfers (`WHERE is_transfer`) applies.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("transactions.is_transfer"))
        .group_by(transactions::account_id)
        .select((transactions::account_id, sum_of(transactions::amount)))
        .load(c))?;
    // In 128 bits, so that only a total out of range fails, not a part of it.
    let mut sums: HashMap<i64, i128> = HashMap::new();
    let parts = months
        .into_iter()
        .flat_map(|(id, inflow, outflow)| [(id, inflow), (id, outflow)])
        .chain(transfers);
    for (id, amount) in parts {
        *sums.entry(id).or_insert(0) += i128::from(amount);
    }
    sums.into_iter()
        .map(|(id, sum)| Ok((id, i64::try_from(sum).map_err(|_| limits::too_large())?)))
        .collect()
}

pub fn balance(account: &Account, sums: &HashMap<i64, i64>) -> Result<i64, ApiError> {
    limits::add(
        account.opening_balance,
        sums.get(&account.id).copied().unwrap_or(0),
    )
}

/// The current balance of one account.
pub fn balance_of(conn: &mut DbConn, account: &Account) -> Result<i64, ApiError> {
    let sum: i64 = with_conn!(conn, c => transactions::table
        .filter(transactions::account_id.eq(account.id))
        .select(sum_of(transactions::amount))
        .get_result(c))?;
    limits::add(account.opening_balance, sum)
}

fn has_transactions(conn: &mut DbConn, account_id: i64) -> Result<bool, ApiError> {
    Ok(with_conn!(conn, c => diesel::select(diesel::dsl::exists(
        transactions::table.filter(transactions::account_id.eq(account_id)),
    ))
    .get_result(c))?)
}

pub fn update(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    change: AccountChange,
) -> Result<Account, ApiError> {
    let account = get(conn, user_id, id)?;
    if change
        .currency
        .as_ref()
        .is_some_and(|c| *c != account.currency)
        && has_transactions(conn, id)?
    {
        return Err(ApiError::validation(
            "currency",
            "cannot change once the account has transactions: their amounts are in the old currency",
        ));
    }
    let changes = (
        change.name.map(|n| accounts::name.eq(n.trim().to_owned())),
        change.kind.map(|k| accounts::kind.eq(k.as_str())),
        change.currency.map(|c| accounts::currency.eq(c)),
        change
            .opening_balance
            .map(|b| accounts::opening_balance.eq(b)),
        change.archived.map(|a| accounts::archived.eq(a)),
        accounts::updated_at.eq(now()),
    );
    unique_name(
        with_conn!(conn, c => diesel::update(accounts::table.find(account.id))
        .set(changes)
        .returning(Account::as_returning())
        .get_result(c)),
    )
}

/// Deletes the account with its transactions, import history, the reports restricted to it and
/// the stored files of both.
pub fn delete(conn: &mut DbConn, storage: &Storage, user_id: i64, id: i64) -> Result<(), ApiError> {
    let account = get(conn, user_id, id)?;
    let files = conn.transaction(|conn| {
        let mut files: Vec<String> = with_conn!(conn, c => imports::table
            .filter(imports::account_id.eq(account.id))
            .select(imports::file_key)
            .load(c))?;
        files.extend(crate::reports::delete_for_account(conn, account.id)?);
        with_conn!(conn, c => diesel::delete(accounts::table.find(account.id)).execute(c))?;
        Ok::<_, ApiError>(files)
    })?;
    storage.delete_all(&files);
    Ok(())
}
