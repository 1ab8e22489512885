//! Black-box tests: the real app on a random port, a fresh database per test, a real HTTP
//! client. Most tests run twice, on SQLite and on PostgreSQL (see `both_backends!`).

mod helpers;

mod accounts;
mod anomalies;
mod auth;
mod badges;
mod budgets;
mod categories;
mod categorizer;
mod cli;
mod corpus;
mod dashboard;
mod debts;
mod direction;
mod errors;
mod files;
mod forecast;
mod goals;
mod headers;
mod health;
mod hostile;
mod import_claims;
mod import_crash;
mod imports;
mod insights;
mod layouts;
mod ledger_cache;
mod list_scale;
mod me;
mod merchants;
mod migrations;
mod monthly_sums;
mod openapi;
mod personal_tokens;
mod recommendations;
mod recurring;
mod reports;
mod rules;
mod session;
mod sign_ins;
mod spa;
mod statements;
mod summaries;
mod throttle;
mod transactions;
