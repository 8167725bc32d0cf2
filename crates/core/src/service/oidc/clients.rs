//! OpenID Connect clients (relying parties) of a contract: registered, listed, changed, given a
//! new secret and deleted by the contract's owner and administrators (an [`AdminSession`]) or
//! the operator at the shell, each in one transaction with its audit row. A confidential
//! client's secret is 32 random bytes, returned once and stored as its SHA-256 digest (it has
//! 256 bits of entropy, so a fast hash is enough, as for service tokens); the token endpoint
//! checks it with [`Services::oidc_authenticate_client`] in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::audit::{AuditDetail, NamedOidcClient, OidcClientSettings};
use crate::error::{Error, Result};
use crate::model::{Group, GroupId, OidcClientId, RequestMeta};
use crate::oidc::jose::Alg;
use crate::oidc::redirect::check_redirect_uris;
use crate::secret::{Token, TokenDigest, constant_time_eq, random_bytes};
use crate::store::{AuditLog, Groups, OidcClient, OidcClients, Store, Transaction};

use super::super::{AdminSession, HeldKind, Reveal, Services};

/// Longest client name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// What the owner or an administrator asks for when registering a client.
#[derive(Debug, Clone, Default)]
pub struct NewOidcClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub public: bool,
    pub first_party: bool,
    pub require_2fa: bool,
    /// Names of the contract's groups whose members may sign in; empty: everyone.
    pub groups: Vec<String>,
    /// The ID token algorithm (`id_token_signed_response_alg`); `None`: RS256, the spec's default.
    pub id_token_alg: Option<Alg>,
}

/// A change to a client; `None` leaves a setting as it is. Whether a client is public cannot
/// change (a secret would appear or vanish): delete it and register it again.
#[derive(Debug, Clone, Default)]
pub struct OidcClientChange {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub first_party: Option<bool>,
    pub require_2fa: Option<bool>,
    pub groups: Option<Vec<String>>,
    pub id_token_alg: Option<Alg>,
}

/// A new client secret, held for the admin page the form redirects to (shown once there).
/// Redacted in `Debug`, zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HeldOidcSecret {
    pub client_id: String,
    pub name: String,
    pub secret: String,
}

impl std::fmt::Debug for HeldOidcSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldOidcSecret(<redacted>)")
    }
}

impl HeldKind for HeldOidcSecret {
    const PURPOSE: &'static str = "oidc_client_secret";
}

/// Holds a new secret for the next page when the caller is a form (in the caller's transaction,
/// so a secret that exists was always held for its page).
async fn hold_secret<S: Store>(
    services: &Services<S>,
    tx: &mut S::Tx,
    reveal: Reveal<'_>,
    client: &OidcClient,
    secret: Option<&Token>,
) -> Result<()> {
    if let (Reveal::OnNextPage(session), Some(secret)) = (reveal, secret) {
        let held = HeldOidcSecret {
            client_id: client.client_id.clone(),
            name: client.name.clone(),
            secret: secret.expose().to_owned(),
        };
        services.hold_in(tx, session, &held).await?;
    }
    Ok(())
}

/// A client as its administrators see it: with its groups' names.
#[derive(Debug, Clone)]
pub struct OidcClientView {
    pub client: OidcClient,
    pub group_names: Vec<String>,
}

/// The `id_token_signed_response_alg` a form, the API or the shell named: one of the three
/// algorithms we keep a current key for, spelled exactly (JOSE names are case-sensitive).
pub fn parse_id_token_alg(name: &str) -> Result<Alg> {
    Alg::parse(name.trim()).ok_or_else(|| {
        Error::Validation("id_token_signed_response_alg is one of RS256, ES256 or EdDSA".into())
    })
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Validation(
            "a client name has 1 to 100 characters, such as \"Grafana\"".into(),
        ));
    }
    Ok(name.to_owned())
}

/// The ids of the named groups of the contract; an unknown name is a validation error.
fn group_ids(all: &[Group], names: &[String]) -> Result<Vec<GroupId>> {
    let mut ids: Vec<GroupId> = Vec::new();
    for name in names {
        let group = all.iter().find(|g| g.name == name.trim()).ok_or_else(|| {
            Error::Validation(format!("there is no group called \"{}\"", name.trim()))
        })?;
        if !ids.contains(&group.id) {
            ids.push(group.id.clone());
        }
    }
    Ok(ids)
}

fn view(client: OidcClient, all: &[Group]) -> OidcClientView {
    let group_names = client
        .groups
        .iter()
        .filter_map(|id| all.iter().find(|g| &g.id == id).map(|g| g.name.clone()))
        .collect();
    OidcClientView {
        client,
        group_names,
    }
}

fn settings(client: &OidcClient) -> OidcClientSettings {
    OidcClientSettings {
        client_id: client.client_id.clone(),
        name: client.name.clone(),
        public: client.public,
        first_party: client.first_party,
        require_2fa: client.require_2fa,
        redirect_uris: client.redirect_uris.clone(),
        id_token_signed_response_alg: client.id_token_signed_response_alg.as_str().to_owned(),
        groups: client.groups.iter().map(|g| g.0.clone()).collect(),
    }
}

fn named(client: &OidcClient) -> NamedOidcClient {
    NamedOidcClient {
        client_id: client.client_id.clone(),
        name: client.name.clone(),
    }
}

/// A public client id: 18 random bytes, base64url (24 characters, nothing to escape in a URL).
fn new_client_id() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<18>())
}

impl<S: Store> Services<S> {
    /// Registers a client of the admin's contract; the secret (for a confidential client) is
    /// returned once (and held for the next page, for a form) and never again.
    pub async fn create_oidc_client(
        &self,
        admin: &AdminSession,
        new: &NewOidcClient,
        reveal: Reveal<'_>,
        meta: &RequestMeta,
    ) -> Result<(OidcClientView, Option<Token>)> {
        let name = check_name(&new.name)?;
        let redirect_uris = check_redirect_uris(&new.redirect_uris)?;
        let secret = (!new.public).then(Token::generate);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let all = tx.groups_of_contract(admin.contract()).await?;
        let client = OidcClient {
            id: OidcClientId::generate(),
            client_id: new_client_id(),
            contract_id: admin.contract().clone(),
            name,
            public: new.public,
            first_party: new.first_party,
            require_2fa: new.require_2fa,
            redirect_uris,
            id_token_signed_response_alg: new.id_token_alg.unwrap_or(Alg::Rs256),
            groups: group_ids(&all, &new.groups)?,
            created_at: now,
            updated_at: now,
        };
        tx.insert_oidc_client(&client, secret.as_ref().map(Token::digest).as_ref())
            .await?;
        hold_secret(self, &mut tx, reveal, &client, secret.as_ref()).await?;
        let event = admin.event(AuditDetail::OidcClientCreated(settings(&client)), now, meta);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok((view(client, &all), secret))
    }

    /// The clients of the admin's contract, by name.
    pub async fn list_oidc_clients(&self, admin: &AdminSession) -> Result<Vec<OidcClientView>> {
        let mut read = self.store.begin_read().await?;
        let all = read.groups_of_contract(admin.contract()).await?;
        let clients = read.oidc_clients(Some(admin.contract())).await?;
        Ok(clients.into_iter().map(|c| view(c, &all)).collect())
    }

    /// Every contract's clients (the operator's `oidc-client list` without `--contract-of`).
    pub async fn oidc_clients_for_operator(&self) -> Result<Vec<OidcClientView>> {
        let mut read = self.store.begin_read().await?;
        let mut views = Vec::new();
        for client in read.oidc_clients(None).await? {
            let all = read.groups_of_contract(&client.contract_id).await?;
            views.push(view(client, &all));
        }
        Ok(views)
    }

    /// A client of the admin's contract; another contract's is `NotFound`, like a missing one.
    async fn administered_client(
        &self,
        tx: &mut S::Tx,
        admin: &AdminSession,
        client_id: &str,
    ) -> Result<OidcClient> {
        tx.oidc_client_by_client_id(client_id)
            .await?
            .map(|s| s.client)
            .filter(|c| &c.contract_id == admin.contract())
            .ok_or(Error::NotFound("client"))
    }

    pub async fn get_oidc_client(
        &self,
        admin: &AdminSession,
        client_id: &str,
    ) -> Result<OidcClientView> {
        let mut read = self.store.begin_read().await?;
        let client = self
            .administered_client(&mut read, admin, client_id)
            .await?;
        let all = read.groups_of_contract(admin.contract()).await?;
        Ok(view(client, &all))
    }

    pub async fn update_oidc_client(
        &self,
        admin: &AdminSession,
        client_id: &str,
        change: &OidcClientChange,
        meta: &RequestMeta,
    ) -> Result<OidcClientView> {
        let name = change.name.as_deref().map(check_name).transpose()?;
        let uris = change
            .redirect_uris
            .as_deref()
            .map(check_redirect_uris)
            .transpose()?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut client = self.administered_client(&mut tx, admin, client_id).await?;
        let all = tx.groups_of_contract(admin.contract()).await?;
        if let Some(name) = name {
            client.name = name;
        }
        if let Some(uris) = uris {
            client.redirect_uris = uris;
        }
        if let Some(groups) = &change.groups {
            client.groups = group_ids(&all, groups)?;
        }
        client.first_party = change.first_party.unwrap_or(client.first_party);
        client.require_2fa = change.require_2fa.unwrap_or(client.require_2fa);
        client.id_token_signed_response_alg = change
            .id_token_alg
            .unwrap_or(client.id_token_signed_response_alg);
        client.updated_at = now;
        if !tx.update_oidc_client(&client).await? {
            return Err(Error::NotFound("client"));
        }
        let event = admin.event(AuditDetail::OidcClientUpdated(settings(&client)), now, meta);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(view(client, &all))
    }

    /// A new secret for a confidential client; the old one stops working at once, on every
    /// node. A public client has no secret to rotate (`Conflict`).
    pub async fn rotate_oidc_client_secret(
        &self,
        admin: &AdminSession,
        client_id: &str,
        reveal: Reveal<'_>,
        meta: &RequestMeta,
    ) -> Result<(OidcClient, Token)> {
        let now = self.now();
        let secret = Token::generate();
        let mut tx = self.store.begin().await?;
        let client = self.administered_client(&mut tx, admin, client_id).await?;
        if client.public {
            return Err(Error::Conflict("a public client has no secret"));
        }
        if !tx
            .set_oidc_client_secret(&client.id, &secret.digest(), now)
            .await?
        {
            return Err(Error::NotFound("client"));
        }
        hold_secret(self, &mut tx, reveal, &client, Some(&secret)).await?;
        let event = admin.event(
            AuditDetail::OidcClientSecretRotated(named(&client)),
            now,
            meta,
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok((client, secret))
    }

    pub async fn delete_oidc_client(
        &self,
        admin: &AdminSession,
        client_id: &str,
        meta: &RequestMeta,
    ) -> Result<OidcClient> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let client = self.administered_client(&mut tx, admin, client_id).await?;
        if !tx.delete_oidc_client(&client.id).await? {
            return Err(Error::NotFound("client"));
        }
        let event = admin.event(AuditDetail::OidcClientDeleted(named(&client)), now, meta);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(client)
    }

    /// The operator's session for the contract a client belongs to (`rotate-secret` and
    /// `delete` at the shell name only the client).
    pub async fn operator_session_for_oidc_client(&self, client_id: &str) -> Result<AdminSession> {
        let mut read = self.store.begin_read().await?;
        let client = read
            .oidc_client_by_client_id(client_id)
            .await?
            .ok_or(Error::NotFound("client"))?;
        Ok(AdminSession::operator_for(client.client.contract_id))
    }

    /// The client with this public id, for the authorize step (no secret involved).
    pub async fn client_by_client_id(&self, client_id: &str) -> Result<Option<OidcClient>> {
        let mut read = self.store.begin_read().await?;
        Ok(read
            .oidc_client_by_client_id(client_id)
            .await?
            .map(|s| s.client))
    }

    /// The token endpoint's client authentication: a confidential client must present its
    /// secret (compared by digest in constant time), a public client must present none. Every
    /// failure, an unknown client included, is the same `InvalidClient`.
    pub async fn oidc_authenticate_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
    ) -> Result<OidcClient> {
        let stored = {
            let mut read = self.store.begin_read().await?;
            read.oidc_client_by_client_id(client_id).await?
        };
        let presented = secret.map(|s| Token::from_client(s).digest());
        // An unknown client costs the same digest comparison as a known one.
        let unknown = TokenDigest(String::new());
        let expected = stored
            .as_ref()
            .and_then(|s| s.secret_digest.as_ref())
            .unwrap_or(&unknown);
        let secret_ok = presented
            .as_ref()
            .is_some_and(|p| constant_time_eq(p.0.as_bytes(), expected.0.as_bytes()));
        match stored {
            Some(s) if s.client.public && presented.is_none() => Ok(s.client),
            Some(s) if !s.client.public && secret_ok => Ok(s.client),
            _ => Err(Error::InvalidClient),
        }
    }
}
