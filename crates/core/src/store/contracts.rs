//! Storage of contracts (organisations): their name and the contract-wide "2FA required" and
//! "phishing-resistant only" flags, how long a browser may be remembered, and whether new
//! sign-ins are told.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{Contract, ContractId};

pub trait Contracts {
    fn insert_contract(
        &mut self,
        id: &ContractId,
        name: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn contract(
        &mut self,
        id: &ContractId,
    ) -> impl Future<Output = Result<Option<Contract>>> + Send;
    fn set_require_2fa(
        &mut self,
        id: &ContractId,
        on: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_require_phishing_resistant(
        &mut self,
        id: &ContractId,
        on: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Days 0–90 (the caller checks; the database refuses others).
    fn set_remember_browser_days(
        &mut self,
        id: &ContractId,
        days: u32,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_new_sign_in_notice(
        &mut self,
        id: &ContractId,
        on: bool,
    ) -> impl Future<Output = Result<()>> + Send;
}
