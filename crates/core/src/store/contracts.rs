//! Storage of contracts (organisations): their name and the contract-wide "2FA required" and
//! "phishing-resistant only" flags.

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
}
