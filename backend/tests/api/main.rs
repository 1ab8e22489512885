//! Black-box tests: the real app on a random port, a fresh database per test, a real HTTP
//! client. Most tests run twice, on SQLite and on PostgreSQL (see `both_backends!`).

mod helpers;

mod accounts;
mod auth;
mod badges;
mod budgets;
mod categories;
mod categorizer;
mod cli;
mod corpus;
mod dashboard;
mod debts;
mod errors;
mod goals;
mod health;
mod imports;
mod me;
mod migrations;
mod monthly_sums;
mod openapi;
mod rules;
mod session;
mod spa;
mod transactions;
