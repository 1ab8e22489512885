//! The PostgreSQL and SQLite migrations must describe the same schema.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use dhana::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use diesel_migrations::MigrationHarness;

use crate::helpers::fresh_postgres_database;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

type Schema = BTreeMap<String, Vec<(String, bool)>>;

fn collect(columns: Vec<Column>) -> Schema {
    let mut schema = Schema::new();
    for c in columns {
        if c.table_name != "__diesel_schema_migrations" {
            schema
                .entry(c.table_name)
                .or_default()
                .push((c.column_name, c.nullable == "YES"));
        }
    }
    schema.values_mut().for_each(|cols| cols.sort());
    schema
}

#[test]
fn both_backends_get_the_same_tables_and_columns() {
    let Some(url) = fresh_postgres_database() else {
        return;
    };
    let mut pg = PgConnection::establish(&url).unwrap();
    pg.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
    let pg_schema = collect(
        diesel::sql_query(
            "SELECT table_name::text, column_name::text, is_nullable::text AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .load(&mut pg)
        .unwrap(),
    );

    // Plain tables only: SQLite's text index is an FTS5 virtual table with shadow tables of its
    // own, where PostgreSQL has an index (migration text_search).
    let mut lite = SqliteConnection::establish(":memory:").unwrap();
    lite.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    let lite_schema = collect(
        diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, \
             CASE WHEN p.\"notnull\" = 1 OR p.pk = 1 THEN 'NO' ELSE 'YES' END AS nullable \
             FROM sqlite_master m JOIN pragma_table_list l ON l.name = m.name \
             JOIN pragma_table_info(m.name) p \
             WHERE l.schema = 'main' AND l.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .load(&mut lite)
        .unwrap(),
    );

    assert!(pg_schema.contains_key("users"));
    assert_eq!(pg_schema, lite_schema);
}

#[test]
fn migration_folders_have_the_same_versions() {
    let names = |dir: &str| {
        let mut names: Vec<String> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let pg = names("../migrations/postgres");
    assert!(!pg.is_empty());
    assert_eq!(pg, names("../migrations/sqlite"));
}
