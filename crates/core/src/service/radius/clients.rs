//! RADIUS clients of a contract: added, listed and removed by its owner and administrators (an
//! [`AdminSession`]; the operator at the shell acts through one too), each change in one
//! transaction with its audit row. The shared secret is generated here, returned once, and kept
//! sealed (the server needs it to sign and check every packet); [`Services::radius_client_keys`]
//! opens them all for the listeners, which reload it every few seconds, so a change reaches
//! running servers without a restart.

use crate::audit::{AuditDetail, NamedRadiusClient};
use crate::error::{Error, Result};
use crate::model::{RadiusClientId, RequestMeta};
use crate::radius::{
    DEFAULT_PUSH_TIMEOUT_SECS, Network, RadiusClient, RadiusMode, SharedSecret, check_name,
    check_push_timeout,
};
use crate::store::{AuditLog, RadiusStore, SealedTable, Store, StoredRadiusClient, Transaction};

use crate::service::{AdminSession, HeldKind, Reveal, Services};

/// What an administrator or the operator asks for.
#[derive(Debug, Clone)]
pub struct NewRadiusClient {
    pub name: String,
    /// A CIDR block or one address.
    pub address: String,
    pub mode: RadiusMode,
    /// `None`: 25 seconds.
    pub push_timeout_secs: Option<u32>,
}

/// A new shared secret, held for the admin page the form redirects to (shown once there).
/// Redacted in `Debug`, zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HeldRadiusSecret {
    pub name: String,
    pub secret: String,
}

impl std::fmt::Debug for HeldRadiusSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldRadiusSecret(<redacted>)")
    }
}

impl HeldKind for HeldRadiusSecret {
    const PURPOSE: &'static str = "radius_client_secret";
}

/// Every client with its opened secret: what a listener matches packets against.
#[derive(Debug, Clone)]
pub struct RadiusClientKeys {
    pub client: RadiusClient,
    pub secret: SharedSecret,
}

fn named(client: &RadiusClient) -> NamedRadiusClient {
    NamedRadiusClient {
        radius_client_id: client.id.clone(),
        name: client.name.clone(),
        network: client.network.to_string(),
        mode: client.mode.as_str(),
    }
}

impl<S: Store> Services<S> {
    /// Adds a client to the admin's contract; its shared secret is returned once (and, for a
    /// form, held for the next page in the same transaction, so a client that exists always had
    /// its secret shown).
    pub async fn add_radius_client(
        &self,
        admin: &AdminSession,
        new: &NewRadiusClient,
        reveal: Reveal<'_>,
        meta: &RequestMeta,
    ) -> Result<(RadiusClient, SharedSecret)> {
        let name = check_name(&new.name)?;
        let network = Network::parse(&new.address)?;
        let push_timeout_secs =
            check_push_timeout(new.push_timeout_secs.unwrap_or(DEFAULT_PUSH_TIMEOUT_SECS))?;
        let now = self.now();
        let client = RadiusClient {
            id: RadiusClientId::generate(),
            contract_id: admin.contract().clone(),
            name,
            network,
            mode: new.mode,
            push_timeout_secs,
            created_at: now,
        };
        let secret = SharedSecret::generate();
        let sealed = self.keys.sealing.seal(
            secret.expose().as_bytes(),
            &SealedTable::RadiusClients.context(client.id.as_str()),
        )?;
        let mut tx = self.store.begin().await?;
        tx.insert_radius_client(&client, &sealed).await?;
        if let Reveal::OnNextPage(session) = reveal {
            let held = HeldRadiusSecret {
                name: client.name.clone(),
                secret: secret.expose().to_owned(),
            };
            self.hold_in(&mut tx, session, &held).await?;
        }
        let event = admin.event(AuditDetail::RadiusClientAdded(named(&client)), now, meta);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok((client, secret))
    }

    /// The clients of the admin's contract, by name (never their secrets).
    pub async fn list_radius_clients(&self, admin: &AdminSession) -> Result<Vec<RadiusClient>> {
        let mut read = self.store.begin_read().await?;
        Ok(read
            .radius_clients(Some(admin.contract()))
            .await?
            .into_iter()
            .map(|s| s.client)
            .collect())
    }

    /// Every contract's clients, by name (the operator's `radius-client list`).
    pub async fn radius_clients_for_operator(&self) -> Result<Vec<RadiusClient>> {
        let mut read = self.store.begin_read().await?;
        Ok(read
            .radius_clients(None)
            .await?
            .into_iter()
            .map(|s| s.client)
            .collect())
    }

    /// Removes a client of the admin's contract by name; another contract's is `NotFound`,
    /// like a missing one. Its pending States go with it.
    pub async fn remove_radius_client(
        &self,
        admin: &AdminSession,
        name: &str,
        meta: &RequestMeta,
    ) -> Result<RadiusClient> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let client = tx
            .radius_client_by_name(name.trim())
            .await?
            .map(|s| s.client)
            .filter(|c| &c.contract_id == admin.contract())
            .ok_or(Error::NotFound("RADIUS client"))?;
        if !tx.delete_radius_client(&client.id).await? {
            return Err(Error::NotFound("RADIUS client"));
        }
        let event = admin.event(AuditDetail::RadiusClientRemoved(named(&client)), now, meta);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(client)
    }

    /// The operator acting on the contract of the client called `name` (`radius-client remove`).
    pub async fn operator_session_for_radius_client(&self, name: &str) -> Result<AdminSession> {
        let mut read = self.store.begin_read().await?;
        let client = read
            .radius_client_by_name(name.trim())
            .await?
            .ok_or(Error::NotFound("RADIUS client"))?;
        Ok(AdminSession::operator_for(client.client.contract_id))
    }

    /// Every client with its secret opened, for the listeners.
    pub async fn radius_client_keys(&self) -> Result<Vec<RadiusClientKeys>> {
        let mut read = self.store.begin_read().await?;
        read.radius_clients(None)
            .await?
            .into_iter()
            .map(|s| self.open_radius_client(s))
            .collect()
    }

    fn open_radius_client(&self, stored: StoredRadiusClient) -> Result<RadiusClientKeys> {
        let bytes = self.keys.sealing.open(
            &stored.secret,
            &SealedTable::RadiusClients.context(stored.client.id.as_str()),
        )?;
        let secret = String::from_utf8(bytes.to_vec())
            .map_err(|_| Error::internal_msg("a RADIUS secret is not text"))?;
        Ok(RadiusClientKeys {
            client: stored.client,
            secret: SharedSecret::from_stored(secret),
        })
    }
}
