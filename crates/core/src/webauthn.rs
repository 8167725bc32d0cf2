//! Passkeys and security keys (WebAuthn): the relying party's half of both ceremonies, on
//! Kanidm's `webauthn-rs-core`. Nothing here parses attestation, CBOR or COSE by hand, stores
//! anything or reads a clock: the use cases (`service::webauthn`) keep each ceremony's state in
//! the database, single use, and call [`RelyingParty`] to make options and verify answers.
//!
//! Why the core crate and not the `webauthn-rs` wrapper: its passkey calls demand user
//! verification and discourage resident keys. We ask for both as "preferred", so one
//! registration serves two purposes: a security key without a PIN becomes a second step, and a
//! discoverable passkey with user verification also signs in without a password. The invariants
//! the wrapper would keep are kept here: the challenge is ours and single use (the caller's
//! store), the origin and relying-party id are checked by the library against the public URL,
//! the algorithms are the library's secure set, and the sign counter must move forward.
//!
//! Binary fields travel in the WebAuthn Level 3 JSON encoding (base64url without padding), as
//! `PublicKeyCredential.parseCreationOptionsFromJSON()` reads them and `toJSON()` writes them.

use serde_json::Value;
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::internals::AuthenticatorData;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, Authentication, AuthenticationState, Credential,
    PublicKeyCredential, RegisterPublicKeyCredential, Registration, RegistrationState,
    RequestRegistrationExtensions, UserVerificationPolicy,
};

/// A ceremony's options and verification live this long; the stored state expires with it.
pub const CEREMONY_SECS: i64 = 300;

/// What a person may call a key: 1–64 characters after trimming, no control characters.
pub fn parse_credential_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("give the key a name, e.g. \"YubiKey 5\" or \"MacBook Touch ID\"");
    }
    if name.chars().count() > 64 {
        return Err("the name may be at most 64 characters long");
    }
    if name.chars().any(char::is_control) {
        return Err("the name may not contain control characters");
    }
    Ok(name.to_owned())
}

/// The site's identity: the relying-party id is the public URL's host, and assertions are
/// accepted only from the public URL's origin (scheme, host and port).
pub struct RelyingParty {
    core: WebauthnCore,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty").finish_non_exhaustive()
    }
}

/// Why an answer from an authenticator was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The answer is not what the ceremony asked for: wrong challenge, origin or relying party,
    /// a bad signature, malformed data, a credential that was not offered.
    Invalid(String),
    /// The sign counter did not move forward: two copies of the key may exist.
    CounterWentBack,
    /// User verification was required and the authenticator did not perform it.
    NotVerified,
}

fn refusal(e: WebauthnError) -> Refusal {
    match e {
        WebauthnError::CredentialPossibleCompromise => Refusal::CounterWentBack,
        WebauthnError::UserNotVerified => Refusal::NotVerified,
        other => Refusal::Invalid(other.to_string()),
    }
}

/// A key as registered: what the store keeps.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub credential_id: Vec<u8>,
    /// The library's record (public key, algorithm, policy, flags), serialised as JSON.
    pub record: String,
    pub sign_count: u32,
    /// User verification happened at registration: the key can be a whole sign-in.
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub transports: Vec<String>,
    /// The authenticator model's id, when the authenticator gave a non-zero one.
    pub aaguid: Option<String>,
}

/// A verified assertion: what the store must record about the key's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assertion {
    pub sign_count: u32,
    pub user_verified: bool,
    pub backup_state: bool,
    pub backup_eligible: bool,
}

/// Whether the assertion must prove user verification (a PIN or biometrics on the device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The second step after a password: presence is enough, verification is welcome.
    Preferred,
    /// A sign-in without a password: the key is both factors, so it must verify the person.
    Required,
}

impl RelyingParty {
    /// The relying party of the site at `public_url` (e.g. `https://id.example.com`).
    pub fn for_public_url(public_url: &str, name: &str) -> Result<RelyingParty, &'static str> {
        let url = url::Url::parse(public_url).map_err(|_| "the public URL is not a URL")?;
        let host = url
            .host_str()
            .ok_or("the public URL has no host")?
            .to_owned();
        let origin = url::Url::parse(&url.origin().ascii_serialization())
            .map_err(|_| "the public URL has no origin")?;
        let core = WebauthnCore::new_unsafe_experts_only(
            name,
            &host,
            vec![origin],
            std::time::Duration::from_secs(CEREMONY_SECS as u64),
            Some(false),
            Some(false),
        );
        Ok(RelyingParty { core })
    }

    /// Creation options for `navigator.credentials.create()` and the state to keep. The user
    /// handle is opaque (the account id, never the email); `exclude` lists the account's keys
    /// so an authenticator cannot be registered twice.
    pub fn start_registration(
        &self,
        user_handle: &[u8],
        user_name: &str,
        exclude: Vec<Vec<u8>>,
    ) -> Result<(Value, String), Refusal> {
        let extensions = RequestRegistrationExtensions {
            cred_protect: None,
            uvm: None,
            // Tells whether the authenticator made a discoverable credential.
            cred_props: Some(true),
            min_pin_length: None,
            hmac_create_secret: None,
        };
        let builder = self
            .core
            .new_challenge_register_builder(user_handle, user_name, user_name)
            .map_err(refusal)?
            .attestation(AttestationConveyancePreference::None)
            .user_verification_policy(UserVerificationPolicy::Preferred)
            .require_resident_key(false)
            .exclude_credentials(Some(exclude))
            .extensions(Some(extensions));
        let (ccr, state) = self
            .core
            .generate_challenge_register(builder)
            .map_err(refusal)?;
        let mut options = to_json(&ccr.public_key)?;
        // The library says "discouraged" when a resident key is not required; we prefer one,
        // so that the same key can later sign in without a password.
        if let Some(selection) = options
            .get_mut("authenticatorSelection")
            .and_then(Value::as_object_mut)
        {
            selection.insert("residentKey".into(), Value::from("preferred"));
            selection.insert("requireResidentKey".into(), Value::from(false));
        }
        let state = serde_json::to_string(&state).map_err(|e| Refusal::Invalid(e.to_string()))?;
        Ok((options, state))
    }

    /// Verifies the answer of `navigator.credentials.create()` against the kept state.
    pub fn finish_registration(
        &self,
        state: &str,
        answer: &Value,
    ) -> Result<NewCredential, Refusal> {
        let state: RegistrationState =
            serde_json::from_str(state).map_err(|e| Refusal::Invalid(e.to_string()))?;
        let answer: RegisterPublicKeyCredential = serde_json::from_value(answer.clone())
            .map_err(|e| Refusal::Invalid(format!("the credential is malformed: {e}")))?;
        let credential = self
            .core
            .register_credential(&answer, &state, None)
            .map_err(refusal)?;
        let record =
            serde_json::to_string(&credential).map_err(|e| Refusal::Invalid(e.to_string()))?;
        let transports = credential
            .transports
            .iter()
            .flatten()
            .filter_map(|t| serde_json::to_value(t).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        Ok(NewCredential {
            credential_id: credential.cred_id.clone(),
            record,
            sign_count: credential.counter,
            user_verified: credential.user_verified,
            backup_eligible: credential.backup_eligible,
            backup_state: credential.backup_state,
            transports,
            aaguid: aaguid_of(&answer.response.attestation_object),
        })
    }

    /// Request options for `navigator.credentials.get()` and the state to keep. With no
    /// `allowed` keys the browser offers the site's discoverable passkeys (no user named).
    pub fn start_authentication(
        &self,
        allowed: &[&str],
        verification: Verification,
    ) -> Result<(Value, String), Refusal> {
        let credentials = allowed
            .iter()
            .map(|record| serde_json::from_str::<Credential>(record))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Refusal::Invalid(e.to_string()))?;
        let policy = match verification {
            Verification::Preferred => UserVerificationPolicy::Preferred,
            Verification::Required => UserVerificationPolicy::Required,
        };
        let builder = self
            .core
            .new_challenge_authenticate_builder(credentials, Some(policy))
            .map_err(refusal)?
            .allow_backup_eligible_upgrade(true);
        let (rcr, state) = self
            .core
            .generate_challenge_authenticate(builder)
            .map_err(refusal)?;
        let options = to_json(&rcr.public_key)?;
        let state = serde_json::to_string(&state).map_err(|e| Refusal::Invalid(e.to_string()))?;
        Ok((options, state))
    }

    /// Verifies the answer of `navigator.credentials.get()` made with `record` (the stored key,
    /// with its last sign count) against the kept state.
    pub fn finish_authentication(
        &self,
        state: &str,
        answer: &PublicKeyCredential,
        record: &str,
        sign_count: u32,
    ) -> Result<Assertion, Refusal> {
        let state: AuthenticationState =
            serde_json::from_str(state).map_err(|e| Refusal::Invalid(e.to_string()))?;
        let mut credential: Credential =
            serde_json::from_str(record).map_err(|e| Refusal::Invalid(e.to_string()))?;
        credential.counter = sign_count;
        let result = self
            .core
            .authenticate_single_credential(answer, &state, &credential)
            .map_err(refusal)?;
        Ok(Assertion {
            sign_count: result.counter(),
            user_verified: result.user_verified(),
            backup_state: result.backup_state(),
            backup_eligible: result.backup_eligible(),
        })
    }
}

/// Reads an assertion (`PublicKeyCredential.toJSON()` of a `get()`), before anything is
/// verified: the caller needs its credential id and user handle to find the stored key.
pub fn parse_assertion(answer: &Value) -> Result<PublicKeyCredential, Refusal> {
    serde_json::from_value(answer.clone())
        .map_err(|e| Refusal::Invalid(format!("the credential is malformed: {e}")))
}

/// The sign count an assertion presents, read by the library's parser (for the audit row of a
/// refused clone; the verification itself reads it again).
pub fn presented_count(answer: &PublicKeyCredential) -> Option<u32> {
    AuthenticatorData::<Authentication>::try_from(answer.response.authenticator_data.as_slice())
        .ok()
        .map(|d| d.counter)
}

/// The credential id of a registration answer, before it is verified (to say "already
/// registered" rather than a generic refusal).
pub fn registration_credential_id(answer: &Value) -> Option<Vec<u8>> {
    serde_json::from_value::<RegisterPublicKeyCredential>(answer.clone())
        .ok()
        .map(|a| a.raw_id)
}

/// Base64url without padding: how credential ids are stored and shown.
pub fn encode_id(id: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The options as the browser's JSON parsers want them: the library writes `null` for absent
/// members, which `parse…OptionsFromJSON` refuses, so absent members are left out.
fn to_json<T: serde::Serialize>(options: &T) -> Result<Value, Refusal> {
    let mut value = serde_json::to_value(options).map_err(|e| Refusal::Invalid(e.to_string()))?;
    strip_nulls(&mut value);
    Ok(value)
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The authenticator model's AAGUID from a verified attestation object: the CBOR map's
/// `authData`, read by the library's own parser. All zeros (no attestation) counts as none.
fn aaguid_of(attestation_object: &[u8]) -> Option<String> {
    let value: serde_cbor_2::Value = serde_cbor_2::from_slice(attestation_object).ok()?;
    let serde_cbor_2::Value::Map(map) = value else {
        return None;
    };
    let auth_data = map.iter().find_map(|(k, v)| match (k, v) {
        (serde_cbor_2::Value::Text(k), serde_cbor_2::Value::Bytes(b)) if k == "authData" => {
            Some(b.as_slice())
        }
        _ => None,
    })?;
    let data = AuthenticatorData::<Registration>::try_from(auth_data).ok()?;
    let aaguid = data.acd?.aaguid;
    (aaguid.iter().any(|b| *b != 0)).then(|| uuid::Uuid::from_bytes(aaguid).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        assert_eq!(parse_credential_name("  YubiKey 5 ").unwrap(), "YubiKey 5");
        assert!(parse_credential_name("   ").is_err());
        assert!(parse_credential_name(&"x".repeat(65)).is_err());
        assert!(parse_credential_name("a\u{7}b").is_err());
    }

    #[test]
    fn the_relying_party_is_the_public_urls_host_and_origin() {
        let rp = RelyingParty::for_public_url("http://localhost:8080", "Portcullis").unwrap();
        let (options, _) = rp
            .start_registration(b"user-1", "a@example.com", vec![])
            .unwrap();
        assert_eq!(options["rp"]["id"], "localhost");
        assert_eq!(
            options["authenticatorSelection"]["residentKey"],
            "preferred"
        );
        assert_eq!(
            options["authenticatorSelection"]["userVerification"],
            "preferred"
        );
        assert_eq!(options["attestation"], "none");
        assert!(
            !options.to_string().contains("null"),
            "the browser's parser refuses null members: {options}"
        );
    }

    #[test]
    fn discoverable_options_name_no_credential_and_require_verification() {
        let rp = RelyingParty::for_public_url("https://id.example.com", "Portcullis").unwrap();
        let (options, _) = rp
            .start_authentication(&[], Verification::Required)
            .unwrap();
        assert_eq!(options["rpId"], "id.example.com");
        assert_eq!(options["userVerification"], "required");
        assert!(
            options
                .get("allowCredentials")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
        );
    }

    #[test]
    fn malformed_answers_are_refused_not_panicked_on() {
        let rp = RelyingParty::for_public_url("http://localhost:1", "Portcullis").unwrap();
        let (_, state) = rp
            .start_registration(b"u", "a@example.com", vec![])
            .unwrap();
        for answer in [
            serde_json::json!({}),
            serde_json::json!({"id": "AA", "rawId": "AA", "type": "public-key",
                "response": {"attestationObject": "AAAA", "clientDataJSON": "e30"}}),
            serde_json::json!({"id": "AA", "rawId": "!!", "type": "public-key",
                "response": {"attestationObject": "AAAA", "clientDataJSON": "e30"}}),
        ] {
            assert!(matches!(
                rp.finish_registration(&state, &answer),
                Err(Refusal::Invalid(_))
            ));
        }
    }

    /// The whole round trip with Kanidm's soft passkey, an authenticator we did not write:
    /// registration, an assertion, and the refusals that guard it.
    #[test]
    fn a_soft_passkey_registers_signs_and_cannot_go_back_or_change_origin() {
        use webauthn_authenticator_rs::WebauthnAuthenticator as _;
        use webauthn_authenticator_rs::softpasskey::SoftPasskey;
        use webauthn_rs_core::proto::{CreationChallengeResponse, RequestChallengeResponse};

        let origin = url::Url::parse("http://localhost:8080").unwrap();
        let rp = RelyingParty::for_public_url("http://localhost:8080", "Portcullis").unwrap();
        let mut key = SoftPasskey::new(true);
        let (options, state) = rp
            .start_registration(b"user-1", "a@example.com", vec![])
            .unwrap();
        let ccr: CreationChallengeResponse =
            serde_json::from_value(serde_json::json!({ "publicKey": options })).unwrap();
        let made = key.do_registration(origin.clone(), ccr).unwrap();
        let registered = rp
            .finish_registration(&state, &serde_json::to_value(&made).unwrap())
            .unwrap();
        // Asked for "preferred", the soft key verifies nobody: a security key without a PIN.
        assert!(!registered.user_verified);
        assert_eq!(registered.aaguid, None, "the soft key has no model id");

        let sign = |key: &mut SoftPasskey, origin: &url::Url| {
            let (options, state) = rp
                .start_authentication(&[&registered.record], Verification::Preferred)
                .unwrap();
            let rcr: RequestChallengeResponse =
                serde_json::from_value(serde_json::json!({ "publicKey": options })).unwrap();
            (key.do_authentication(origin.clone(), rcr).unwrap(), state)
        };
        let (answer, state) = sign(&mut key, &origin);
        let used = rp
            .finish_authentication(&state, &answer, &registered.record, registered.sign_count)
            .unwrap();
        assert!(used.sign_count > registered.sign_count);
        assert_eq!(presented_count(&answer), Some(used.sign_count));

        // The same answer against its own challenge, with the count it already moved to: a clone.
        assert_eq!(
            rp.finish_authentication(&state, &answer, &registered.record, used.sign_count),
            Err(Refusal::CounterWentBack)
        );
        // An answer made for another site's origin.
        let elsewhere = url::Url::parse("http://localhost:9999").unwrap();
        let (answer, state) = sign(&mut key, &elsewhere);
        assert!(matches!(
            rp.finish_authentication(&state, &answer, &registered.record, used.sign_count),
            Err(Refusal::Invalid(_))
        ));
        // An answer to another challenge.
        let (answer, _) = sign(&mut key, &origin);
        let (_, other_state) = sign(&mut key, &origin);
        assert!(matches!(
            rp.finish_authentication(&other_state, &answer, &registered.record, used.sign_count),
            Err(Refusal::Invalid(_))
        ));
    }
}
