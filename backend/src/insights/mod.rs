//! What is unusual in a user's money and what is worth saying about it: anomalies found in the
//! ledger and the user's answers to them. Plain Rust; the handlers are in `api/`.

pub mod anomalies;
pub mod anomaly_store;
pub mod evaluate;
pub mod injections;
pub mod insight_store;
pub mod overspend;
pub mod sentences;
