//! The listener's table of RADIUS clients with their secrets, read from the database at start
//! and again every [`RELOAD`], so a client added, changed or removed by any node or the shell
//! is served (or no longer) within seconds without a restart. Requests read a snapshot
//! (`Arc`), never waiting for a reload.

use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use portcullis_core::service::Services;
use portcullis_core::service::radius::RadiusClientKeys;
use portcullis_store::SqlStore;
use tokio::sync::watch;

pub const RELOAD: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct ClientTable(RwLock<Arc<Vec<RadiusClientKeys>>>);

impl ClientTable {
    /// The clients whose address block holds `ip`, most specific block first (several may:
    /// the secret that verifies the packet's Message-Authenticator tells which one sent it).
    pub fn candidates(&self, ip: IpAddr) -> Vec<RadiusClientKeys> {
        let all = self.0.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut found: Vec<RadiusClientKeys> = all
            .iter()
            .filter(|k| k.client.network.contains(ip))
            .cloned()
            .collect();
        found.sort_by_key(|k| std::cmp::Reverse(k.client.network.prefix()));
        found
    }

    pub async fn reload(&self, services: &Services<SqlStore>) -> portcullis_core::Result<()> {
        let keys = services.radius_client_keys().await?;
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys);
        Ok(())
    }

    /// Reloads every [`RELOAD`] until `stop` turns true; a failed reload keeps the last table.
    pub async fn keep_fresh(
        self: Arc<Self>,
        services: Services<SqlStore>,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(RELOAD) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            if let Err(e) = self.reload(&services).await {
                tracing::warn!(error = %e, "RADIUS clients: reload failed; keeping the last table");
            }
        }
    }
}
