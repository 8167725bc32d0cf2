//! Online copies of a SQLite database (`VACUUM INTO`: one consistent snapshot, written while
//! the servers go on reading and writing), and a look inside such a copy before it is restored.
//! PostgreSQL has its own tools for this (`pg_dump`, `pg_restore`).

use std::path::Path;

use portcullis_core::store::SealedTable;
use portcullis_core::{Error, Result};
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::db_err;
use crate::pool::{Backend, SqlStore};

/// What a database (or a copy of one) holds, as far as a restore cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSummary {
    /// The newest migration applied.
    pub schema_version: i64,
    pub users: i64,
    /// The ids of the master keys its secrets are sealed with (none in an empty database).
    pub key_ids: Vec<String>,
}

impl SqlStore {
    /// Writes a consistent copy of the SQLite database to `to`, which must not exist yet.
    pub async fn backup_into(&self, to: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(Error::internal_msg(
                "a PostgreSQL database is backed up with pg_dump",
            ));
        }
        let to = to
            .to_str()
            .ok_or_else(|| Error::internal_msg("the backup's path is not UTF-8"))?;
        sqlx::query("VACUUM INTO $1")
            .bind(to)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// Opens the SQLite file at `path` read-only, checks its integrity and says what it holds.
pub async fn inspect_sqlite(path: &Path) -> Result<DatabaseSummary> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.map_err(db_err)?;
    let summary = summarize(&mut conn).await;
    let _ = conn.close().await;
    summary
}

async fn summarize(conn: &mut sqlx::AnyConnection) -> Result<DatabaseSummary> {
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    if check != "ok" {
        return Err(Error::internal_msg(format!(
            "the database is damaged: {check}"
        )));
    }
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM portcullis_migrations")
            .fetch_one(&mut *conn)
            .await
            .map_err(|_| Error::internal_msg("this is not a Portcullis database"))?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut key_ids: Vec<String> = Vec::new();
    for table in SealedTable::ALL {
        // A copy from before a table existed simply has no such secrets.
        let Ok(rows) = sqlx::query(AssertSqlSafe(format!(
            "SELECT DISTINCT key_id FROM {} WHERE key_id IS NOT NULL",
            table.name()
        )))
        .fetch_all(&mut *conn)
        .await
        else {
            continue;
        };
        for row in rows {
            let id: String = row.try_get(0).map_err(db_err)?;
            if !key_ids.contains(&id) {
                key_ids.push(id);
            }
        }
    }
    key_ids.sort();
    Ok(DatabaseSummary {
        schema_version,
        users,
        key_ids,
    })
}
