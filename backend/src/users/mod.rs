//! People who use Dhana: their profile, password and account lifetime.

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;

use crate::auth::{login, password, sign_ins};
use crate::db::schema::{imports, users};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories;
use crate::storage::Storage;
use crate::with_conn;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub email_key: String,
    pub display_name: String,
    pub password_hash: String,
    pub base_currency: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The form under which emails are compared: unique and looked up without regard to case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn now() -> NaiveDateTime {
    // Microseconds: what PostgreSQL keeps, so both backends answer the same timestamps.
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub fn create(
    conn: &mut DbConn,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<User, ApiError> {
    let key = email_key(email);
    if find_by_email(conn, &key)?.is_some() {
        return Err(email_taken());
    }
    let hash = password::hash(password)?;
    let now = now();
    let row = (
        users::email.eq(email.trim()),
        users::email_key.eq(&key),
        users::display_name.eq(display_name.trim()),
        users::password_hash.eq(&hash),
        users::created_at.eq(now),
        users::updated_at.eq(now),
    );
    conn.transaction(|conn| {
        let inserted = with_conn!(conn, c => diesel::insert_into(users::table)
            .values(row)
            .returning(User::as_returning())
            .get_result(c));
        let user = match inserted {
            // Two registrations racing for one address: the unique index decides.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => return Err(email_taken()),
            other => other?,
        };
        categories::create_defaults(conn, user.id)?;
        Ok(user)
    })
}

fn email_taken() -> ApiError {
    ApiError::Conflict("an account with this email already exists".into())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<User>, ApiError> {
    Ok(with_conn!(conn, c => users::table
        .find(id)
        .select(User::as_select())
        .first(c)
        .optional())?)
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>, ApiError> {
    let key = email_key(email);
    Ok(with_conn!(conn, c => users::table
        .filter(users::email_key.eq(&key))
        .select(User::as_select())
        .first(c)
        .optional())?)
}

#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub base_currency: Option<String>,
    /// The current password and the new one.
    pub password: Option<(String, String)>,
}

/// Applies the changes; a new password needs the current one and ends every sign-in but
/// `keep_sign_in` (the one making the change).
pub fn update_profile(
    conn: &mut DbConn,
    user: &User,
    update: ProfileUpdate,
    client_address: &str,
    keep_sign_in: i64,
) -> Result<User, ApiError> {
    let password_hash = match &update.password {
        Some((current, new)) => {
            login::confirm_password(conn, user, current, "current_password", client_address)?;
            Some(password::hash(new)?)
        }
        None => None,
    };
    let changes = (
        update
            .display_name
            .map(|n| users::display_name.eq(n.trim().to_owned())),
        update.base_currency.map(|c| users::base_currency.eq(c)),
        password_hash.clone().map(|h| users::password_hash.eq(h)),
        users::updated_at.eq(now()),
    );
    conn.transaction(|conn| {
        let updated = with_conn!(conn, c => diesel::update(users::table.find(user.id))
            .set(changes)
            .returning(User::as_returning())
            .get_result(c))?;
        if password_hash.is_some() {
            sign_ins::revoke_all(conn, user.id, Some(keep_sign_in))?;
        }
        Ok(updated)
    })
}

/// Removes the user after checking their password; every row they own goes with them through
/// `ON DELETE CASCADE`, and their stored import and report files after the rows.
pub fn delete_account(
    conn: &mut DbConn,
    storage: &Storage,
    user: &User,
    password: &str,
    client_address: &str,
) -> Result<(), ApiError> {
    login::confirm_password(conn, user, password, "password", client_address)?;
    let files = conn.transaction(|conn| {
        let mut files: Vec<String> = with_conn!(conn, c => imports::table
            .filter(imports::user_id.eq(user.id))
            .select(imports::file_key)
            .load(c))?;
        files.extend(crate::reports::file_keys_of_user(conn, user.id)?);
        with_conn!(conn, c => diesel::delete(users::table.find(user.id)).execute(c))?;
        Ok::<_, ApiError>(files)
    })?;
    storage.delete_all(&files);
    Ok(())
}
