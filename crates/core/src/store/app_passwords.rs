//! Storage of app passwords: found by (user, digest), never by the password itself.

use std::future::Future;

use crate::app_password::AppPasswordInfo;
use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{AppPasswordId, UserId};
use crate::secret::TokenDigest;

pub trait AppPasswords {
    fn insert_app_password(
        &mut self,
        info: &AppPasswordInfo,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The user's app passwords, newest first.
    fn app_passwords_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<AppPasswordInfo>>> + Send;
    fn count_app_passwords(&mut self, user: &UserId) -> impl Future<Output = Result<i64>> + Send;
    /// The id of the user's app password with this digest.
    fn app_password_by_digest(
        &mut self,
        user: &UserId,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<AppPasswordId>>> + Send;
    /// Records a successful use and the client's address.
    fn touch_app_password(
        &mut self,
        id: &AppPasswordId,
        at: UnixTime,
        ip: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Deletes one of the user's app passwords and returns its name; `None` if the user has none
    /// with this id.
    fn delete_app_password(
        &mut self,
        user: &UserId,
        id: &AppPasswordId,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
}
