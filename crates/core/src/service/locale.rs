//! The language and time zone a person chose for pages, emails and SMS.

use crate::error::Result;
use crate::locale::{Language, TimeZoneName};
use crate::model::User;
use crate::store::{Store, Transaction, Users};

use super::Services;

impl<S: Store> Services<S> {
    /// Stores `user`'s language and time zone (`None`: not chosen; their browser's is used,
    /// else the deployment's default and UTC). A preference, not a security setting: nothing
    /// is audited or told.
    pub async fn set_locale(
        &self,
        user: &User,
        language: Option<Language>,
        time_zone: Option<&TimeZoneName>,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        tx.set_locale(&user.id, language, time_zone).await?;
        tx.commit().await
    }

    /// The language of pages and messages for a person who chose none.
    pub fn default_language(&self) -> Language {
        self.settings.default_language
    }
}
