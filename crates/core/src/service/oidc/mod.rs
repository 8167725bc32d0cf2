//! The OpenID Connect provider's data: `clients` (registration and administration of relying
//! parties, the lookup and the secret check the token endpoint uses) and `keys` (the signing
//! keys: made at first start, rotated with overlap, read from the database through a short cache
//! so that every node signs with the current key within seconds of a rotation). The protocol
//! flow (authorize, token, userinfo, …) builds on these and lives beside them.

mod clients;
mod keys;

pub use clients::{
    HeldOidcSecret, NewOidcClient, OidcClientChange, OidcClientView, parse_id_token_alg,
};
pub(crate) use keys::KeyCache;
pub use keys::RotatedKey;
