//! Readiness of the account store, used by `/readyz`.

use crate::error::Result;
use crate::store::Store;

use super::Services;

impl<S: Store> Services<S> {
    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }
}
