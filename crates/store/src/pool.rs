//! Connecting to SQLite or PostgreSQL and applying the migrations of that backend. On SQLite,
//! writes go through one connection and reads through a pool of their own (see [`SqlStore`]).

use std::str::FromStr;
use std::time::Duration;

use portcullis_core::store::Store;
use portcullis_core::{Error, Result};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::db_err;
use crate::tx::{Conn, SqlTx};

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
    Migration {
        version: 6,
        name: "key_material",
        sqlite: include_str!("../migrations/sqlite/0006_key_material.sql"),
        postgres: include_str!("../migrations/postgres/0006_key_material.sql"),
    },
    Migration {
        version: 7,
        name: "held",
        sqlite: include_str!("../migrations/sqlite/0007_held.sql"),
        postgres: include_str!("../migrations/postgres/0007_held.sql"),
    },
    Migration {
        version: 8,
        name: "push_superseded",
        sqlite: include_str!("../migrations/sqlite/0008_push_superseded.sql"),
        postgres: include_str!("../migrations/postgres/0008_push_superseded.sql"),
    },
    Migration {
        version: 9,
        name: "webauthn",
        sqlite: include_str!("../migrations/sqlite/0009_webauthn.sql"),
        postgres: include_str!("../migrations/postgres/0009_webauthn.sql"),
    },
    Migration {
        version: 10,
        name: "session_amr",
        sqlite: include_str!("../migrations/sqlite/0010_session_amr.sql"),
        postgres: include_str!("../migrations/postgres/0010_session_amr.sql"),
    },
    Migration {
        version: 11,
        name: "oidc_clients",
        sqlite: include_str!("../migrations/sqlite/0011_oidc_clients.sql"),
        postgres: include_str!("../migrations/postgres/0011_oidc_clients.sql"),
    },
    Migration {
        version: 12,
        name: "oidc_grants",
        sqlite: include_str!("../migrations/sqlite/0012_oidc_grants.sql"),
        postgres: include_str!("../migrations/postgres/0012_oidc_grants.sql"),
    },
    Migration {
        version: 13,
        name: "access_rules",
        sqlite: include_str!("../migrations/sqlite/0013_access_rules.sql"),
        postgres: include_str!("../migrations/postgres/0013_access_rules.sql"),
    },
    Migration {
        version: 14,
        name: "devices",
        sqlite: include_str!("../migrations/sqlite/0014_devices.sql"),
        postgres: include_str!("../migrations/postgres/0014_devices.sql"),
    },
    Migration {
        version: 15,
        name: "locale",
        sqlite: include_str!("../migrations/sqlite/0015_locale.sql"),
        postgres: include_str!("../migrations/postgres/0015_locale.sql"),
    },
    Migration {
        version: 16,
        name: "radius",
        sqlite: include_str!("../migrations/sqlite/0016_radius.sql"),
        postgres: include_str!("../migrations/postgres/0016_radius.sql"),
    },
];

/// SQLite's `synchronous` setting for the writing connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// In WAL mode, NORMAL syncs the WAL at checkpoints only: a process crash loses no
    /// committed transaction, but a power loss or OS crash may lose the last few commits
    /// (the database stays consistent either way).
    #[default]
    Normal,
    /// FULL syncs the WAL on every commit: committed transactions survive a power loss too, at
    /// the price of one fsync per writing transaction.
    Full,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Normal => "PRAGMA synchronous = NORMAL",
            Synchronous::Full => "PRAGMA synchronous = FULL",
        }
    }
}

/// How [`SqlStore::connect_with`] sizes and sets up its connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    /// PostgreSQL: the one pool's size. SQLite: the readers' pool; the writer is always one
    /// connection.
    pub max_connections: u32,
    /// SQLite only.
    pub synchronous: Synchronous,
}

impl ConnectOptions {
    /// 16 connections on PostgreSQL; on SQLite one writer and 8 readers; `synchronous = NORMAL`.
    pub fn for_backend(backend: Backend) -> ConnectOptions {
        ConnectOptions {
            max_connections: match backend {
                Backend::Postgres => 16,
                Backend::Sqlite => 8,
            },
            synchronous: Synchronous::Normal,
        }
    }
}

/// The connections to one database; clones share them.
///
/// On SQLite every writing transaction, the migrations and every direct write go through
/// `writer`, a pool of exactly one connection: SQLite allows one writer at a time anyway, and
/// writers that queue in the pool's fair acquire wait their turn without cost, whereas several
/// writer connections would spin in SQLite's busy handler (sleep and retry), which wastes most of
/// the time under write load. Reads (`begin_read`, `ping`) use `reader`, several connections
/// that WAL lets read while the writer writes; they are `query_only`, so a write that slipped into
/// a read transaction fails loudly instead of competing for the lock. On PostgreSQL both are the
/// same pool.
///
/// With one writer, a task that holds a write transaction must not wait for a second one (it
/// would wait for itself), nor hash a password or call the network while it holds it (everybody
/// else's writes would wait too). The use cases in `portcullis-core` open at most one
/// transaction at a time and hash before they open one.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) writer: AnyPool,
    pub(crate) reader: AnyPool,
    pub(crate) backend: Backend,
}

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://...`) with the defaults of
    /// [`ConnectOptions::for_backend`] but `max_connections`. Does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore, StoreError> {
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let options = ConnectOptions {
            max_connections,
            ..ConnectOptions::for_backend(backend)
        };
        SqlStore::connect_with(url, options).await
    }

    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://...`). Does not migrate.
    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let connect = AnyConnectOptions::from_str(url).map_err(StoreError::Connect)?;
        let max = options.max_connections.max(1);
        if backend == Backend::Postgres {
            let pool = pool_options(max)
                .connect_with(connect)
                .await
                .map_err(StoreError::Connect)?;
            return Ok(SqlStore {
                writer: pool.clone(),
                reader: pool,
                backend,
            });
        }
        // An in-memory database exists once per connection: readers would see empty databases
        // of their own, so everything shares the one writer connection there.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let synchronous = options.synchronous;
        // The writer connects first (`connect_with` opens one connection), so WAL is switched on
        // before any reader opens the file.
        let writer = pool_options(1)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers work while the writer writes. The busy timeout covers a
                    // writer of another process (a second node, the CLI) holding the lock.
                    conn.execute(
                        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                         PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    conn.execute(synchronous.pragma()).await?;
                    Ok(())
                })
            })
            .connect_with(connect.clone())
            .await
            .map_err(StoreError::Connect)?;
        if in_memory {
            return Ok(SqlStore {
                reader: writer.clone(),
                writer,
                backend,
            });
        }
        let reader = pool_options(max)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                         PRAGMA query_only = 1;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(StoreError::Connect)?;
        Ok(SqlStore {
            writer,
            reader,
            backend,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration not yet applied, each in its own transaction.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let bootstrap = "CREATE TABLE IF NOT EXISTS portcullis_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
        self.writer
            .execute(bootstrap)
            .await
            .map_err(StoreError::Connect)?;
        for m in MIGRATIONS {
            let mut tx = self
                .writer
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
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// The settings both pools share.
fn pool_options(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
}

impl Store for SqlStore {
    type Tx = SqlTx;

    async fn begin(&self) -> Result<SqlTx> {
        let tx = self
            .writer
            .begin_with(self.backend.begin_write())
            .await
            .map_err(db_err)?;
        Ok(SqlTx { tx: Conn::Tx(tx) })
    }

    /// A reader connection without a transaction: every statement sees the latest committed
    /// state (consistent per statement, which is all the read paths need).
    async fn begin_read(&self) -> Result<SqlTx> {
        let conn = self.reader.acquire().await.map_err(db_err)?;
        Ok(SqlTx {
            tx: Conn::Read(conn),
        })
    }

    async fn ping(&self) -> Result<()> {
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&self.reader)
            .await
            .map_err(db_err)?;
        if one == 1 {
            Ok(())
        } else {
            Err(Error::internal_msg("database ping returned garbage"))
        }
    }
}

#[cfg(test)]
mod tests {
    use portcullis_core::UnixTime;
    use portcullis_core::model::ContractId;
    use portcullis_core::store::{Contracts, Transaction};

    use super::*;
    use crate::testing::with_database_on;

    async fn open(url: &str, synchronous: Synchronous) -> SqlStore {
        let backend = Backend::from_url(url).unwrap();
        let options = ConnectOptions {
            synchronous,
            ..ConnectOptions::for_backend(backend)
        };
        let store = SqlStore::connect_with(url, options).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    async fn readers_see_what_the_writer_committed(url: String) {
        let store = open(&url, Synchronous::Normal).await;
        let id = ContractId::generate();
        let mut tx = store.begin().await.unwrap();
        tx.insert_contract(&id, "Acme", UnixTime(1)).await.unwrap();
        tx.commit().await.unwrap();
        // Every reader connection, not just one that happens to be warm.
        let mut reads = Vec::new();
        for _ in 0..ConnectOptions::for_backend(store.backend()).max_connections {
            let mut tx = store.begin_read().await.unwrap();
            assert!(tx.contract(&id).await.unwrap().is_some());
            reads.push(tx);
        }
        drop(reads);
        store.ping().await.unwrap();
        store.close().await;
    }

    #[tokio::test]
    async fn readers_see_what_the_writer_committed_on_sqlite() {
        with_database_on(Backend::Sqlite, |url, _, _| {
            readers_see_what_the_writer_committed(url)
        })
        .await;
    }

    #[tokio::test]
    async fn readers_see_what_the_writer_committed_on_postgres() {
        with_database_on(Backend::Postgres, |url, _, _| {
            readers_see_what_the_writer_committed(url)
        })
        .await;
    }

    #[tokio::test]
    async fn on_sqlite_a_write_in_a_read_transaction_is_refused() {
        with_database_on(Backend::Sqlite, |url, _, _| async move {
            let store = open(&url, Synchronous::Normal).await;
            let mut tx = store.begin_read().await.unwrap();
            let id = ContractId::generate();
            assert!(tx.insert_contract(&id, "Acme", UnixTime(1)).await.is_err());
            drop(tx);
            assert!(
                store
                    .begin_read()
                    .await
                    .unwrap()
                    .contract(&id)
                    .await
                    .unwrap()
                    .is_none()
            );
            store.close().await;
        })
        .await;
    }

    #[tokio::test]
    async fn on_sqlite_writers_take_turns_on_one_connection() {
        with_database_on(Backend::Sqlite, |url, _, _| async move {
            let store = open(&url, Synchronous::Normal).await;
            let mut first = store.begin().await.unwrap();
            first
                .insert_contract(&ContractId::generate(), "first", UnixTime(1))
                .await
                .unwrap();
            let second = tokio::spawn({
                let store = store.clone();
                async move {
                    let mut tx = store.begin().await.unwrap();
                    tx.insert_contract(&ContractId::generate(), "second", UnixTime(2))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            });
            // The second writer cannot start while the first holds the only connection; reads
            // go on meanwhile.
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!second.is_finished());
            store.ping().await.unwrap();
            first.commit().await.unwrap();
            second.await.unwrap();
            store.close().await;
        })
        .await;
    }

    #[tokio::test]
    async fn on_sqlite_the_writer_runs_in_wal_with_the_chosen_synchronous() {
        with_database_on(Backend::Sqlite, |url, _, _| async move {
            for (setting, expected) in [(Synchronous::Normal, 1_i64), (Synchronous::Full, 2)] {
                let store = open(&url, setting).await;
                let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&store.writer)
                    .await
                    .unwrap();
                assert_eq!(sync, expected, "{setting:?}");
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&store.reader)
                    .await
                    .unwrap();
                assert_eq!(mode, "wal");
                store.close().await;
            }
        })
        .await;
    }
}
