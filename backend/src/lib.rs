//! Dhana: a self-hosted personal finance tracker. This crate is the JSON REST API; `main.rs` is
//! its command line.

pub mod analytics;
pub mod api;
pub mod app;
pub mod auth;
pub mod badges;
pub mod bankfile;
pub mod budgets;
pub mod config;
pub mod db;
pub mod debts;
pub mod error;
pub mod forecast;
pub mod goals;
pub mod imports;
pub mod insights;
pub mod ledger;
pub mod limits;
pub mod memory;
pub mod ml;
pub mod money;
pub mod openapi;
pub mod reports;
pub mod storage;
pub mod summaries;
pub mod users;
