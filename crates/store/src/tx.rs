//! The one transaction type every storage trait is implemented on. Dropping it without
//! [`Transaction::commit`] rolls back.

use portcullis_core::Result;
use portcullis_core::store::Transaction;
use sqlx::Any;

use crate::db_err;

pub struct SqlTx {
    pub(crate) tx: sqlx::Transaction<'static, Any>,
}

impl Transaction for SqlTx {
    async fn commit(self) -> Result<()> {
        self.tx.commit().await.map_err(db_err)
    }
}
