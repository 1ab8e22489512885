//! Where the money went: period arithmetic, the aggregate queries, and the dashboard assembled
//! from them. Budgets (`crate::budgets`) build on the same sums.

pub mod dashboard;
pub mod period;
pub mod sums;
