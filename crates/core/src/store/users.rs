//! Storage of user accounts: found by id or by the normalised email key, never by the address as
//! typed. Deleting a user takes everything that hangs on them with it.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{ContractId, Role, User, UserId};

pub trait Users {
    /// Fails with `EmailTaken` when the email key is in use.
    fn insert_user(&mut self, user: &User) -> impl Future<Output = Result<()>> + Send;
    fn user_by_email_key(&mut self, key: &str)
    -> impl Future<Output = Result<Option<User>>> + Send;
    fn user_by_id(&mut self, id: &UserId) -> impl Future<Output = Result<Option<User>>> + Send;
    fn count_users(&mut self) -> impl Future<Output = Result<i64>> + Send;
    fn set_password_hash(
        &mut self,
        id: &UserId,
        phc: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_last_login(
        &mut self,
        id: &UserId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every user of every contract, by contract then age (the operator's shell only).
    fn all_users(&mut self) -> impl Future<Output = Result<Vec<User>>> + Send;
    /// Every user of a contract, oldest first.
    fn users_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<User>>> + Send;
    /// Stores the language and time zone the person chose (`None`: not chosen).
    fn set_locale(
        &mut self,
        id: &UserId,
        language: Option<crate::locale::Language>,
        time_zone: Option<&crate::locale::TimeZoneName>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_force_2fa(&mut self, id: &UserId, on: bool) -> impl Future<Output = Result<()>> + Send;
    fn set_role(&mut self, id: &UserId, role: Role) -> impl Future<Output = Result<()>> + Send;
    /// Locks (`Some`) or unlocks (`None`) the account; returns false for an unknown user.
    fn set_locked(
        &mut self,
        id: &UserId,
        at: Option<UnixTime>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes the user and everything that hangs on them (sessions, factors, memberships).
    fn delete_user(&mut self, id: &UserId) -> impl Future<Output = Result<bool>> + Send;
}
