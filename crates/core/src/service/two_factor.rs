//! The state of a person's second factors, as `/me` reports it.

use crate::error::Result;
use crate::login::Method;
use crate::model::User;
use crate::store::{RecoveryCodes, Store};

use super::Services;
use super::login::second_step_state;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorSummary {
    pub enabled: bool,
    pub methods: Vec<Method>,
    pub forced: bool,
    pub recovery_codes_left: i64,
}

impl<S: Store> Services<S> {
    pub async fn two_factor_summary(&self, user: &User) -> Result<TwoFactorSummary> {
        let mut tx = self.store.begin_read().await?;
        let state = second_step_state(&mut tx, user).await?;
        let enabled = state
            .active_methods
            .iter()
            .any(|m| *m != Method::RecoveryCode);
        Ok(TwoFactorSummary {
            enabled,
            methods: state.active_methods,
            forced: state.two_factor_forced,
            recovery_codes_left: tx.recovery_codes_left(&user.id).await?,
        })
    }
}
