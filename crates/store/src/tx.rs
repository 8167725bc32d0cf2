//! The one transaction type every storage trait is implemented on. Dropping it without
//! [`Transaction::commit`] rolls back.

use std::ops::{Deref, DerefMut};

use portcullis_core::Result;
use portcullis_core::store::Transaction;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use crate::db_err;

pub struct SqlTx {
    pub(crate) tx: Conn,
}

/// A writing transaction, or (for `begin_read`) a plain pooled connection in autocommit mode:
/// each statement reads one committed snapshot, and a read needs no `BEGIN` and `ROLLBACK`
/// round trips to the database (on SQLite, each is a hop to sqlx's connection thread and back).
pub(crate) enum Conn {
    Tx(sqlx::Transaction<'static, Any>),
    Read(PoolConnection<Any>),
}

impl Deref for Conn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Tx(tx) => tx,
            Conn::Read(c) => c,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Tx(tx) => tx,
            Conn::Read(c) => c,
        }
    }
}

impl Transaction for SqlTx {
    async fn commit(self) -> Result<()> {
        match self.tx {
            Conn::Tx(tx) => tx.commit().await.map_err(db_err),
            Conn::Read(_) => Ok(()),
        }
    }
}
