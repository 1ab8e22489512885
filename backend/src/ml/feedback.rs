//! Storing and loading a user's memory (`category_feedback`): every category a user sets by hand
//! is remembered for its merchant.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::schema::category_feedback as fb;
use crate::db::DbConn;
use crate::ml::personal::Remembered;
use crate::ml::text;
use crate::users::now;
use crate::with_conn;

pub fn load(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Remembered>> {
    let rows: Vec<(String, String, i64, i64, bool)> = with_conn!(conn, c => fb::table
        .filter(fb::user_id.eq(user_id))
        .select((fb::merchant_key, fb::example, fb::category_id, fb::hits, fb::credit))
        .order(fb::id.asc())
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(merchant_key, example, category_id, hits, credit)| Remembered {
                merchant_key,
                example,
                category_id,
                hits,
                credit,
            },
        )
        .collect())
}

/// The user filed `rows` (description and amount) under `category_id`. Each merchant among them
/// counts once per direction of money: the same category again strengthens the memory, another
/// category replaces it. `category_id` must already be known to be the user's.
pub fn remember<'a>(
    conn: &mut DbConn,
    user_id: i64,
    rows: impl IntoIterator<Item = (&'a str, i64)>,
    category_id: i64,
) -> QueryResult<()> {
    let mut by_key: BTreeMap<(String, bool), &str> = BTreeMap::new();
    for (description, amount) in rows {
        let key = text::merchant_key(description);
        if !key.is_empty() {
            by_key.insert((key, amount > 0), description);
        }
    }
    let now = now();
    for ((key, credit), example) in by_key {
        let existing: Option<(i64, i64, i64)> = with_conn!(conn, c => fb::table
            .filter(fb::user_id.eq(user_id))
            .filter(fb::merchant_key.eq(&key))
            .filter(fb::credit.eq(credit))
            .select((fb::id, fb::category_id, fb::hits))
            .first(c)
            .optional())?;
        match existing {
            Some((id, current, hits)) => {
                let hits = if current == category_id { hits + 1 } else { 1 };
                with_conn!(conn, c => diesel::update(fb::table.find(id))
                    .set((
                        fb::category_id.eq(category_id),
                        fb::hits.eq(hits),
                        fb::example.eq(example),
                        fb::updated_at.eq(now),
                    ))
                    .execute(c))?;
            }
            None => {
                with_conn!(conn, c => diesel::insert_into(fb::table)
                    .values((
                        fb::user_id.eq(user_id),
                        fb::merchant_key.eq(&key),
                        fb::example.eq(example),
                        fb::category_id.eq(category_id),
                        fb::hits.eq(1i64),
                        fb::updated_at.eq(now),
                        fb::credit.eq(credit),
                    ))
                    .execute(c))?;
            }
        }
    }
    Ok(())
}
