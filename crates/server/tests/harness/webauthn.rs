//! A passkey or security key on the test's side of the API, built on Kanidm's `SoftToken` (from
//! `webauthn-authenticator-rs`, an implementation we did not write): it takes the server's
//! `publicKey` options and answers what `PublicKeyCredential.toJSON()` would send after
//! `navigator.credentials.create()` or `get()` (binary fields in base64url without padding).
//!
//! The soft token makes no discoverable credentials and verifies the user only when asked
//! "required". Two small wrappers make it behave like the authenticators the server meets:
//!
//! - a *passkey* (a phone or laptop with a PIN or biometrics) always verifies the user, so its
//!   options' `userVerification` is raised to "required" before the soft token sees them;
//! - every credential is kept as discoverable: it remembers the user handle of the creation
//!   options (`publicKey.user.id`), answers a `get()` without `allowCredentials` with it, and
//!   puts it in the assertion's `userHandle` (which the signature does not cover).
//!
//! [`Authenticator::cloned`] copies the whole token (keys and signature counter), as an attacker
//! who extracted a key would: the copy's counter falls behind the original's.

#![allow(dead_code)]

use serde_json::{Value, json};
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url, WebauthnAuthenticator,
};
use webauthn_authenticator_rs::softtoken::SoftToken;

use super::server::{TestApp, TestEnv};

/// A server whose relying party is `localhost` (browsers refuse WebAuthn on a bare IP address),
/// with open registration: `--public-url http://localhost:0` takes the bound port.
pub async fn spawn(env: &TestEnv) -> TestApp {
    env.spawn_with(|a| {
        a.open_registration = Some(true);
        a.public_url = Some("http://localhost:0".to_owned());
    })
    .await
}

/// The origin a browser on `app`'s public URL signs for.
pub fn origin(app: &TestApp) -> String {
    format!("http://localhost:{}", app.addr.port())
}

/// A credential the authenticator holds: its id, relying party and user handle.
#[derive(Clone)]
struct Held {
    id: Vec<u8>,
    rp_id: String,
    user_handle: Vec<u8>,
}

pub struct Authenticator {
    token: SoftToken,
    verifies_user: bool,
    held: Vec<Held>,
}

impl Authenticator {
    /// A passkey: verifies the user (PIN or biometrics) every time.
    pub fn passkey() -> Authenticator {
        Authenticator::new(true)
    }

    /// A security key without a PIN set: proves presence only, unless a ceremony requires more.
    pub fn security_key() -> Authenticator {
        Authenticator::new(false)
    }

    fn new(verifies_user: bool) -> Authenticator {
        // `true`: the soft token answers "required" user verification instead of refusing.
        let (token, _ca) = SoftToken::new(true).expect("a soft token");
        Authenticator {
            token,
            verifies_user,
            held: Vec::new(),
        }
    }

    /// A second copy of this authenticator: the same keys, and the counter as it stands now.
    pub fn cloned(&self) -> Authenticator {
        let bytes = self.token.to_cbor().expect("the token serialises");
        Authenticator {
            token: SoftToken::from_cbor(&bytes).expect("the token deserialises"),
            verifies_user: self.verifies_user,
            held: self.held.clone(),
        }
    }

    /// The base64url ids of the credentials this authenticator made.
    pub fn credential_ids(&self) -> Vec<String> {
        self.held.iter().map(|h| b64(&h.id)).collect()
    }

    /// Whether `options` (creation options) exclude a credential of this authenticator: a real
    /// one would then refuse to make another.
    pub fn is_excluded(&self, options: &Value) -> bool {
        let ids = self.credential_ids();
        options["excludeCredentials"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| {
                c["id"]
                    .as_str()
                    .is_some_and(|id| ids.iter().any(|x| x == id))
            })
    }

    /// `navigator.credentials.create({publicKey: options})` on `origin`, as `toJSON()`.
    pub fn create(&mut self, origin: &str, options: &Value) -> Value {
        let mut options = options.clone();
        if self.verifies_user {
            options["authenticatorSelection"]["userVerification"] = json!("required");
        }
        let ccr: CreationChallengeResponse =
            serde_json::from_value(json!({ "publicKey": options })).expect("creation options");
        let rp_id = ccr.public_key.rp.id.clone();
        let user_handle = ccr.public_key.user.id.clone();
        let made = self
            .token
            .do_registration(url(origin), ccr)
            .expect("the soft token registers");
        self.held.push(Held {
            id: made.raw_id.clone(),
            rp_id,
            user_handle,
        });
        self.to_json(serde_json::to_value(&made).unwrap())
    }

    /// `navigator.credentials.get({publicKey: options})` on `origin`, as `toJSON()`.
    pub fn get(&mut self, origin: &str, options: &Value) -> Value {
        let (rcr, handle) = self.request(options);
        let mut answer = self
            .token
            .do_authentication(url(origin), rcr)
            .expect("the soft token signs");
        answer.response.user_handle = handle;
        self.to_json(serde_json::to_value(&answer).unwrap())
    }

    /// What a phishing page at `origin` relays: the authenticator signs a client data of that
    /// origin, without the browser's check that the relying party belongs to it.
    pub fn get_for_page(&mut self, origin: &str, options: &Value) -> Value {
        let (rcr, handle) = self.request(options);
        let mut answer = AuthenticatorBackend::perform_auth(
            &mut self.token,
            url(origin),
            rcr.public_key,
            60_000,
        )
        .expect("the soft token signs");
        answer.response.user_handle = handle;
        self.to_json(serde_json::to_value(&answer).unwrap())
    }

    /// The request as this authenticator reads it, and the user handle of the credential it
    /// will use: without `allowCredentials` it offers its own (discoverable) credential.
    fn request(&self, options: &Value) -> (RequestChallengeResponse, Option<Vec<u8>>) {
        let mut options = options.clone();
        if self.verifies_user {
            options["userVerification"] = json!("required");
        }
        let rp_id = options["rpId"].as_str().expect("rpId").to_owned();
        let allowed: Vec<String> = options["allowCredentials"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect();
        let held = self
            .held
            .iter()
            .filter(|h| h.rp_id == rp_id)
            .find(|h| allowed.is_empty() || allowed.contains(&b64(&h.id)));
        if let Some(h) = held
            && allowed.is_empty()
        {
            options["allowCredentials"] = json!([{ "type": "public-key", "id": b64(&h.id) }]);
        }
        let rcr = serde_json::from_value(json!({ "publicKey": options })).expect("request options");
        (rcr, held.map(|h| h.user_handle.clone()))
    }

    /// The library's JSON as `toJSON()` writes it: `clientExtensionResults` (the library reads
    /// it under that name too), `authenticatorAttachment`, and no `null` members.
    fn to_json(&self, mut value: Value) -> Value {
        let attachment = if self.verifies_user {
            "platform"
        } else {
            "cross-platform"
        };
        let object = value.as_object_mut().expect("a credential object");
        let extensions = object.remove("extensions").unwrap_or(json!({}));
        object.insert("clientExtensionResults".into(), extensions);
        object.insert("authenticatorAttachment".into(), json!(attachment));
        if let Some(response) = object.get_mut("response").and_then(Value::as_object_mut) {
            response.retain(|_, v| !v.is_null());
        }
        value
    }
}

fn url(origin: &str) -> Url {
    Url::parse(origin).expect("an origin")
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
