//! The connection pool over PostgreSQL or SQLite, and the one pattern for running the same
//! diesel code on either: `with_conn!`.
//!
//! `diesel::MultiConnection` cannot do `RETURNING` or multi-row inserts, so we keep an enum over
//! the concrete connections and let the macro compile each query once per backend.

pub mod expr;
pub mod schema;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::Database;

pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

type PgPool = diesel::r2d2::Pool<ConnectionManager<PgConnection>>;
type SqlitePool = diesel::r2d2::Pool<ConnectionManager<SqliteConnection>>;

#[derive(Clone)]
pub enum Pool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

pub enum DbConn {
    Postgres(PooledConnection<ConnectionManager<PgConnection>>),
    Sqlite(PooledConnection<ConnectionManager<SqliteConnection>>),
}

/// Runs `$body` with `$c` bound to whichever concrete connection `$conn` holds. Inside, the type
/// `Backend` names that connection's diesel backend, for queries that must spell it out (boxed
/// queries with `GROUP BY`).
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => {
                #[allow(dead_code)]
                type Backend = ::diesel::pg::Pg;
                let $c: &mut ::diesel::PgConnection = &mut *$c;
                $body
            }
            $crate::db::DbConn::Sqlite($c) => {
                #[allow(dead_code)]
                type Backend = ::diesel::sqlite::Sqlite;
                let $c: &mut ::diesel::SqliteConnection = &mut *$c;
                $body
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database: {0}")]
    Connect(#[from] diesel::r2d2::PoolError),
    #[error("cannot create {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migration(String),
}

/// SQLite's page cache per connection, in KiB (SQLite's own default); an import's commit takes
/// more for its duration.
pub const SQLITE_CACHE_KIB: i64 = 2000;

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
             PRAGMA cache_size = -{SQLITE_CACHE_KIB};"
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl Pool {
    /// Opens the pool and brings the schema up to date.
    pub fn connect(database: &Database) -> Result<Self, DbError> {
        let pool = match database {
            Database::Postgres(url) => Pool::Postgres(
                diesel::r2d2::Pool::builder()
                    .max_size(16)
                    .min_idle(Some(1))
                    .connection_timeout(Duration::from_secs(10))
                    .build(ConnectionManager::new(url))?,
            ),
            Database::Sqlite(path) => {
                let directory_error = |dir: &std::path::Path| {
                    let path = dir.display().to_string();
                    move |source| DbError::Directory { path, source }
                };
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    crate::storage::create_private_dir(dir).map_err(directory_error(dir))?;
                }
                // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
                // database file's permissions.
                if !path.exists() {
                    crate::storage::private_file_options()
                        .truncate(false)
                        .open(path)
                        .map_err(directory_error(path))?;
                }
                Pool::Sqlite(
                    diesel::r2d2::Pool::builder()
                        .max_size(8)
                        .min_idle(Some(1))
                        .connection_timeout(Duration::from_secs(10))
                        .connection_customizer(Box::new(SqlitePragmas))
                        .build(ConnectionManager::new(path.to_string_lossy()))?,
                )
            }
        };
        pool.migrate()?;
        let mut conn = pool.get()?;
        crate::ledger::merchants::backfill(&mut conn)
            .map_err(|e| DbError::Migration(format!("deriving merchant keys: {e}")))?;
        Ok(pool)
    }

    fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.get()?;
        let result = match &mut conn {
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop),
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(drop),
        };
        result.map_err(|e| DbError::Migration(e.to_string()))
    }

    pub fn get(&self) -> Result<DbConn, diesel::r2d2::PoolError> {
        self.get_timeout(None)
    }

    /// A connection, waiting at most `timeout` (the pool's own timeout when `None`).
    pub fn get_timeout(
        &self,
        timeout: Option<Duration>,
    ) -> Result<DbConn, diesel::r2d2::PoolError> {
        Ok(match (self, timeout) {
            (Pool::Postgres(p), None) => DbConn::Postgres(p.get()?),
            (Pool::Postgres(p), Some(t)) => DbConn::Postgres(p.get_timeout(t)?),
            (Pool::Sqlite(p), None) => DbConn::Sqlite(p.get()?),
            (Pool::Sqlite(p), Some(t)) => DbConn::Sqlite(p.get_timeout(t)?),
        })
    }
}

impl DbConn {
    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// On SQLite the transaction takes the write lock up front (`BEGIN IMMEDIATE`) so that two
    /// writers wait for each other instead of failing with `SQLITE_BUSY` half-way. Nested inside
    /// another transaction it is a savepoint, so domain functions can be transactional alone and
    /// still compose.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(&mut **c)?,
            DbConn::Sqlite(c) => {
                let outermost = matches!(
                    AnsiTransactionManager::transaction_manager_status_mut(&mut **c)
                        .transaction_depth(),
                    Ok(None)
                );
                if outermost {
                    AnsiTransactionManager::begin_transaction_sql(&mut **c, "BEGIN IMMEDIATE")?
                } else {
                    AnsiTransactionManager::begin_transaction(&mut **c)?
                }
            }
        }
        let result = f(self);
        match &result {
            Ok(_) => with_conn!(self, c => AnsiTransactionManager::commit_transaction(c))?,
            Err(_) => with_conn!(self, c => AnsiTransactionManager::rollback_transaction(c))?,
        }
        result
    }

    /// Runs `f` with SQLite's page cache at `kib` KiB, then back to `SQLITE_CACHE_KIB`
    /// (PostgreSQL: just runs it).
    pub fn with_sqlite_cache<T, E>(
        &mut self,
        kib: i64,
        f: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        if let DbConn::Sqlite(c) = self {
            c.batch_execute(&format!("PRAGMA cache_size = -{kib}"))?;
        }
        let result = f(self);
        if let DbConn::Sqlite(c) = self {
            c.batch_execute(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))?;
        }
        result
    }

    /// A trivial round trip, for the readiness probe.
    pub fn ping(&mut self) -> diesel::QueryResult<()> {
        with_conn!(self, c => c.batch_execute("SELECT 1"))
    }
}
