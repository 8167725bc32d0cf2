//! Connecting to SQLite or PostgreSQL and applying the migrations of that backend.

use std::str::FromStr;
use std::time::Duration;

use portcullis_core::store::Store;
use portcullis_core::{Error, Result};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::db_err;
use crate::tx::SqlTx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite://PATH or postgres://...)")]
    UnsupportedUrl,
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// The statement that opens a writing transaction. SQLite's default `BEGIN` defers the write
    /// lock to the first write, and a transaction that read first may then fail at once with
    /// SQLITE_BUSY; `BEGIN IMMEDIATE` takes the lock up front and waits for it.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Serialises migrations when several nodes start at once. SQLite's `BEGIN IMMEDIATE`
    /// already does; PostgreSQL takes a transaction-scoped advisory lock.
    fn migration_lock(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("SELECT pg_advisory_xact_lock(7261626)"),
        }
    }
}

fn err(m: &'static Migration) -> impl Fn(sqlx::Error) -> StoreError {
    move |source| StoreError::Migration {
        version: m.version,
        name: m.name,
        source,
    }
}

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every migration, in order, with both variants side by side so they cannot drift apart.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts",
        sqlite: include_str!("../migrations/sqlite/0001_accounts.sql"),
        postgres: include_str!("../migrations/postgres/0001_accounts.sql"),
    },
    Migration {
        version: 2,
        name: "two_factor",
        sqlite: include_str!("../migrations/sqlite/0002_two_factor.sql"),
        postgres: include_str!("../migrations/postgres/0002_two_factor.sql"),
    },
    Migration {
        version: 3,
        name: "administration",
        sqlite: include_str!("../migrations/sqlite/0003_administration.sql"),
        postgres: include_str!("../migrations/postgres/0003_administration.sql"),
    },
    Migration {
        version: 4,
        name: "messages",
        sqlite: include_str!("../migrations/sqlite/0004_messages.sql"),
        postgres: include_str!("../migrations/postgres/0004_messages.sql"),
    },
    Migration {
        version: 5,
        name: "push",
        sqlite: include_str!("../migrations/sqlite/0005_push.sql"),
        postgres: include_str!("../migrations/postgres/0005_push.sql"),
    },
];

/// A pool of connections to one database; clones share the pool.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
}

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://...`). Does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let options = AnyConnectOptions::from_str(url).map_err(StoreError::Connect)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work while one writer writes; the busy timeout makes
                        // a second writer wait instead of failing.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        Ok(SqlStore { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration not yet applied, each in its own transaction.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let bootstrap = "CREATE TABLE IF NOT EXISTS portcullis_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
        self.pool
            .execute(bootstrap)
            .await
            .map_err(StoreError::Connect)?;
        for m in MIGRATIONS {
            let mut tx = self
                .pool
                .begin_with(self.backend.begin_write())
                .await
                .map_err(err(m))?;
            if let Some(lock) = self.backend.migration_lock() {
                tx.execute(lock).await.map_err(err(m))?;
            }
            let applied: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM portcullis_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(err(m))?;
            if applied > 0 {
                continue;
            }
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(err(m))?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            sqlx::query(
                "INSERT INTO portcullis_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(err(m))?;
            tx.commit().await.map_err(err(m))?;
            tracing::info!(version = m.version, name = m.name, "applied migration");
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Store for SqlStore {
    type Tx = SqlTx;

    async fn begin(&self) -> Result<SqlTx> {
        let tx = self
            .pool
            .begin_with(self.backend.begin_write())
            .await
            .map_err(db_err)?;
        Ok(SqlTx { tx })
    }

    async fn begin_read(&self) -> Result<SqlTx> {
        let tx = self.pool.begin().await.map_err(db_err)?;
        Ok(SqlTx { tx })
    }

    async fn ping(&self) -> Result<()> {
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        if one == 1 {
            Ok(())
        } else {
            Err(Error::internal_msg("database ping returned garbage"))
        }
    }
}
