//! SQL expressions diesel has no typed form of. Being typed, unlike `dsl::sql` literals, they
//! let diesel keep the statements that use them prepared: reports run them on every request.

use diesel::backend::Backend;
use diesel::expression::{is_aggregate, AppearsOnTable, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::BigInt;

/// `SUM(expr)` as BIGINT. `SUM` of a BIGINT is NUMERIC in PostgreSQL; casting it back keeps
/// money out of decimal and float types. The empty sum is 0.
pub fn sum_of<E: Expression<SqlType = BigInt>>(expr: E) -> SumOf<E> {
    SumOf(expr)
}

/// The positive amounts of `expr`, others counted as 0.
pub fn positive<E: Expression<SqlType = BigInt>>(expr: E) -> SignPart<E> {
    SignPart { expr, op: ">" }
}

/// The negative amounts of `expr`, others counted as 0.
pub fn negative<E: Expression<SqlType = BigInt>>(expr: E) -> SignPart<E> {
    SignPart { expr, op: "<" }
}

#[derive(Debug, Clone, Copy, QueryId)]
pub struct SumOf<E>(E);

impl<E: Expression> Expression for SumOf<E> {
    type SqlType = BigInt;
}

impl<E: QueryFragment<DB>, DB: Backend> QueryFragment<DB> for SumOf<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("CAST(COALESCE(SUM(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql("), 0) AS BIGINT)");
        Ok(())
    }
}

impl<E, GB> ValidGrouping<GB> for SumOf<E> {
    type IsAggregate = is_aggregate::Yes;
}

impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for SumOf<E> {}

impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for SumOf<E> {}

#[derive(Debug, Clone, Copy)]
pub struct SignPart<E> {
    expr: E,
    op: &'static str,
}

impl<E: QueryId> QueryId for SignPart<E> {
    type QueryId = ();
    // The operator is not in the type: statements differ in their SQL text, which is what
    // diesel's cache keys boxed queries by, but must not share a static id.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<E: Expression> Expression for SignPart<E> {
    type SqlType = BigInt;
}

impl<E: QueryFragment<DB>, DB: Backend> QueryFragment<DB> for SignPart<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("CASE WHEN ");
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(self.op);
        out.push_sql(" 0 THEN ");
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(" ELSE 0 END");
        Ok(())
    }
}

impl<E: ValidGrouping<GB>, GB> ValidGrouping<GB> for SignPart<E> {
    type IsAggregate = E::IsAggregate;
}

impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for SignPart<E> {}

impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for SignPart<E> {}

diesel::define_sql_function!(
    /// `COALESCE(x, x)`: a column in a form no index on it matches, so that a planner takes
    /// the index the query is written for. Ordering by another indexed column over a long range
    /// of days, reading that index in order and checking the dates row by row stops after about
    /// a page, while the planners would rather read every row of the range through the date
    /// index and sort them all; a condition on the amount's sign would otherwise draw SQLite to
    /// the amount index, whose range is half of the user's rows.
    #[sql_name = "COALESCE"]
    fn unindexed<T: diesel::sql_types::SingleValue>(x: T, y: T) -> T
);

/// How many days of rows are sorted directly at most; a longer range pages through the index of
/// the sort column (see `unindexed`).
pub const SORTED_DIRECTLY_DAYS: i64 = 62;
