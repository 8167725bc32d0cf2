//! Whose organisation (contract) a person belongs to, in words a person recognises: the owner's
//! email. The contract's id is an internal key and means nothing to the people in it.

use crate::email::Email;
use crate::error::Result;
use crate::model::{Role, User};
use crate::store::{Store, Users};

use super::Services;

impl<S: Store> Services<S> {
    /// The email of the owner of `user`'s contract; `None` when it has none (the operator's
    /// support contract).
    pub async fn contract_owner(&self, user: &User) -> Result<Option<Email>> {
        if user.role == Role::Owner {
            return Ok(Some(user.email.clone()));
        }
        let mut tx = self.store.begin_read().await?;
        let users = tx.users_of_contract(&user.contract_id).await?;
        Ok(users
            .into_iter()
            .find(|u| u.role == Role::Owner)
            .map(|u| u.email))
    }

    /// Whether any account exists: then the first-owner setup link has done its job.
    pub async fn has_accounts(&self) -> Result<bool> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.count_users().await? > 0)
    }
}
