//! What every request handler shares.

use std::sync::Arc;

use portcullis_core::service::Services;
use portcullis_store::SqlStore;

use crate::config::Config;
use crate::keys::MasterKey;
use crate::metrics::Metrics;
use crate::push_wake::PushWake;

#[derive(Clone)]
pub struct AppState {
    pub services: Services<SqlStore>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub master_key: Arc<MasterKey>,
    /// Wakes push long-polls on this node (see `push_wake`).
    pub push: Arc<PushWake>,
}

impl axum::extract::FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Self {
        state.metrics.clone()
    }
}

impl axum::extract::FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Self {
        state.config.clone()
    }
}
