//! Creating a contract (organisation) with its owner: by open registration, by the one-time setup
//! link printed when the server has no account yet, or from the shell (`user create-owner`).

use crate::audit::{AccountCreated, AuditEvent, Outcome};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::model::{ContractId, RequestMeta, Role, SessionKind, User, UserId};
use crate::password::{Password, check_policy};
use crate::secret::Token;
use crate::store::{AuditLog, Contracts, SetupTokens, Store, Transaction, Users};

use super::Services;
use super::login::LoginResult;

/// How the owner came to be created, recorded in the audit row.
#[derive(Debug, Clone, Copy)]
pub enum SignupChannel {
    OpenRegistration,
    SetupLink,
    Shell,
}

impl SignupChannel {
    fn as_str(self) -> &'static str {
        match self {
            SignupChannel::OpenRegistration => "open_registration",
            SignupChannel::SetupLink => "setup_link",
            SignupChannel::Shell => "shell",
        }
    }
}

impl<S: Store> Services<S> {
    /// `POST /signup`: only with open registration.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<(UserId, ContractId)> {
        if !self.settings.open_registration {
            return Err(Error::RegistrationClosed);
        }
        self.create_owner(email, password, SignupChannel::OpenRegistration, None, meta)
            .await
    }

    /// The browser's `/signup`: the account, then signed in as if by its new password, so the
    /// person does not type it again a moment later.
    pub async fn sign_up_and_sign_in(
        &self,
        email: &str,
        password: &Password,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let (user_id, _) = self.sign_up(email, password, meta).await?;
        self.sign_in_created(&user_id, kind, meta).await
    }

    /// The browser's `/setup?token=…`, signed in afterwards as [`Self::sign_up_and_sign_in`].
    pub async fn set_up_owner_and_sign_in(
        &self,
        token: &Token,
        email: &str,
        password: &Password,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let (user_id, _) = self
            .sign_up_with_setup_link(token, email, password, meta)
            .await?;
        self.sign_in_created(&user_id, kind, meta).await
    }

    /// The step after the password for an account whose password was set in this request: the
    /// same as a sign-in ([`Self::after_correct_password`]), so a second factor an administrator
    /// requires is still required.
    pub(crate) async fn sign_in_created(
        &self,
        user_id: &UserId,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let user = {
            let mut tx = self.store.begin_read().await?;
            tx.user_by_id(user_id)
                .await?
                .ok_or(Error::InvalidCredentials)?
        };
        self.after_correct_password(user, crate::login::Acr::Pwd, kind, meta, "account_created")
            .await
    }

    /// The shell's `user create-owner`: always allowed, the operator is trusted.
    pub async fn create_owner_from_shell(
        &self,
        email: &str,
        password: &Password,
    ) -> Result<(UserId, ContractId)> {
        self.create_owner(
            email,
            password,
            SignupChannel::Shell,
            None,
            &RequestMeta::default(),
        )
        .await
    }

    /// The browser's `/setup?token=…` form: the token is consumed in the same transaction.
    pub async fn sign_up_with_setup_link(
        &self,
        token: &Token,
        email: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<(UserId, ContractId)> {
        if !self.setup_link_valid(token).await? {
            return Err(Error::InvalidSetupToken);
        }
        self.create_owner(email, password, SignupChannel::SetupLink, Some(token), meta)
            .await
    }

    /// Issues a setup link when nobody could otherwise register: registration closed, no account.
    pub async fn issue_setup_link_if_needed(&self) -> Result<Option<Token>> {
        let mut tx = self.store.begin().await?;
        if self.settings.open_registration || tx.count_users().await? > 0 {
            return Ok(None);
        }
        let token = Token::generate();
        let expires = self.now().plus_secs(self.settings.setup_link_secs);
        tx.insert_setup_token(&token.digest(), expires).await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    pub async fn setup_link_valid(&self, token: &Token) -> Result<bool> {
        let mut tx = self.store.begin_read().await?;
        Ok(
            tx.setup_token_valid(&token.digest(), self.now()).await?
                && tx.count_users().await? == 0,
        )
    }

    async fn create_owner(
        &self,
        email: &str,
        password: &Password,
        channel: SignupChannel,
        setup_token: Option<&Token>,
        meta: &RequestMeta,
    ) -> Result<(UserId, ContractId)> {
        let email = Email::parse(email).map_err(Error::InvalidEmail)?;
        check_policy(password, Some(&email)).map_err(Error::WeakPassword)?;
        {
            // Refuse a taken email before paying for a hash.
            let mut tx = self.store.begin_read().await?;
            if tx.user_by_email_key(&email.key()).await?.is_some() {
                return Err(Error::EmailTaken);
            }
        }
        let phc = self.hasher.hash(password).await?;
        let now = self.now();
        let contract_id = ContractId::generate();
        let user = User {
            id: UserId::generate(),
            contract_id: contract_id.clone(),
            email: email.clone(),
            password_hash: Some(phc),
            role: Role::Owner,
            created_at: now,
            last_login_at: None,
            force_2fa: false,
            locked_at: None,
            language: None,
            time_zone: None,
        };

        let mut tx = self.store.begin().await?;
        if let Some(token) = setup_token {
            let first = tx.count_users().await? == 0;
            if !first || !tx.consume_setup_token(&token.digest(), now).await? {
                return Err(Error::InvalidSetupToken);
            }
        }
        tx.insert_contract(&contract_id, email.as_str(), now)
            .await?;
        // A concurrent signup with the same email loses here, on the unique index.
        tx.insert_user(&user).await?;
        let created = AccountCreated {
            role: Role::Owner,
            channel: channel.as_str(),
        };
        let event =
            AuditEvent::new(created, Outcome::Success, now, meta).by_self(&user.id, &contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok((user.id, contract_id))
    }
}
