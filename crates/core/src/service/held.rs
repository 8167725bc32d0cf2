//! What a page shows once after a form: new recovery codes, a new app password, a pairing link.
//! The form's handler holds it here and answers with a redirect (POST/redirect/GET), so a reload
//! reloads the page instead of acting again; the page takes it. It is sealed under the master key,
//! bound to the session that made it and its purpose, kept a few minutes, and taken once: taking
//! wipes the sealed bytes, and the row only remembers that it was shown, so a second look (a
//! reload, another tab) learns "already shown" rather than the secret.

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::SessionId;
use crate::store::{Held, SealedTable, Store, Taken, Transaction, held_id};

use super::{Authenticated, Services};

/// How long a held page waits to be shown: a redirect takes a moment, a slow network a few more.
pub const HOLD_SECS: i64 = 5 * 60;

/// Why a new set of recovery codes is being shown: the page says it differently each time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodesOccasion {
    /// The authenticator app was just switched on; other devices were signed out.
    Activated,
    /// The setup an administrator required was just finished at sign-in: the page that shows
    /// the codes is also the end of the sign-in.
    Enrolled,
    /// The person asked for a new set; the old one is void.
    Regenerated,
}

/// New recovery codes, as the page shows them. Held by the same transaction that makes them
/// (see `store_kit`), so codes that exist can always be shown once. Redacted in `Debug`,
/// zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HeldCodes {
    /// Not a secret, so not wiped.
    #[zeroize(skip)]
    pub occasion: CodesOccasion,
    pub codes: Vec<String>,
}

/// A new app password and its name. Redacted in `Debug`, zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HeldAppPassword {
    pub name: String,
    pub password: String,
}

/// A pairing link for the companion app (it holds a one-time code). Zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HeldPairing {
    /// The name given on the security page, empty when the app names itself.
    pub name: String,
    pub uri: String,
    /// When the code in the link stops working (Unix seconds).
    pub expires_at: i64,
}

macro_rules! redacted_debug {
    ($($name:ident),*) => {$(
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    )*};
}
/// A renewed invitation link, held for the administrator's session so that the user page shows
/// it once after the redirect. Zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HeldInvitation {
    /// Whose link it is: the page shows it only on that person's page.
    pub user: String,
    /// The link's token, which the page turns into the `/invite?token=` address.
    pub token: String,
}

redacted_debug!(HeldCodes, HeldAppPassword, HeldPairing, HeldInvitation);

/// What can be held, each under its own purpose: a session may hold one of each at a time.
pub trait HeldKind: Serialize + DeserializeOwned {
    const PURPOSE: &'static str;
}

impl HeldKind for HeldCodes {
    const PURPOSE: &'static str = "recovery_codes";
}

impl HeldKind for HeldAppPassword {
    const PURPOSE: &'static str = "app_password";
}

impl HeldKind for HeldPairing {
    const PURPOSE: &'static str = "pairing";
}

impl HeldKind for HeldInvitation {
    const PURPOSE: &'static str = "invitation_link";
}

/// How a secret that a service makes reaches its person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reveal<'a> {
    /// Only in the answer to the request: an API client keeps it itself.
    InAnswer,
    /// Also held for `session`, in the transaction that makes it, for the page a form redirects
    /// to: a secret that exists was always held for its page, and a reload never makes another.
    OnNextPage(&'a SessionId),
}

/// What the page finds when it looks.
#[derive(Debug)]
pub enum Shown<T> {
    /// Show this, now; nobody else will get it.
    Now(T),
    /// It was shown before. The page says so and offers to make a new one.
    Already,
    /// Nothing held: never made in this session, or more than a few minutes ago.
    Nothing,
}

fn context(session: &SessionId, purpose: &str) -> Vec<u8> {
    SealedTable::Held.context(held_id(session, purpose).as_str())
}

impl<S: Store> Services<S> {
    /// Holds `item` for the signed-in session on its own, replacing what it held for the same
    /// purpose. Services that make a secret hold it in their own transaction instead
    /// ([`Reveal::OnNextPage`]).
    pub async fn hold<T: HeldKind>(&self, auth: &Authenticated, item: &T) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.hold_in(&mut tx, &auth.session.id, item).await?;
        tx.commit().await
    }

    /// Holds `item` for `session` inside `tx`: for services whose change and what it shows
    /// must land together (new recovery codes are never made without being held for the page).
    pub(crate) async fn hold_in<T: HeldKind>(
        &self,
        tx: &mut S::Tx,
        session: &SessionId,
        item: &T,
    ) -> Result<()> {
        let json = Zeroizing::new(serde_json::to_vec(item).map_err(Error::internal)?);
        let sealed = self
            .keys
            .sealing
            .seal(&json, &context(session, T::PURPOSE))?;
        tx.put_held(
            session,
            T::PURPOSE,
            &sealed,
            self.now().plus_secs(HOLD_SECS),
        )
        .await
    }

    /// Takes what this session holds for `T`'s purpose: at most once, whatever the number of
    /// requests asking at the same moment.
    pub async fn take_held<T: HeldKind>(&self, auth: &Authenticated) -> Result<Shown<T>> {
        let session = &auth.session.id;
        let mut tx = self.store.begin().await?;
        let taken = tx.take_held(session, T::PURPOSE, self.now()).await?;
        tx.commit().await?;
        match taken {
            Taken::Sealed(sealed) => {
                let json = self
                    .keys
                    .sealing
                    .open(&sealed, &context(session, T::PURPOSE))?;
                let item = serde_json::from_slice(&json).map_err(Error::internal)?;
                Ok(Shown::Now(item))
            }
            Taken::AlreadyShown => Ok(Shown::Already),
            Taken::Nothing => Ok(Shown::Nothing),
        }
    }
}
