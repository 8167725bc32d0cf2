//! Every type that holds a secret (a password, a TOTP key, a recovery code, a PIN, a token, an
//! app password, an SMS code, key material) prints a redaction in `Debug`, never the value in
//! any of the forms it is shown or stored in, and wipes itself on drop (checked at compile time
//! through the `ZeroizeOnDrop` marker: memory after a drop cannot be read without `unsafe`).
//!
//! A new secret type belongs in this list.

use portcullis_core::UnixTime;
use portcullis_core::app_password::AppPassword;
use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::login::Method;
use portcullis_core::notice::{Notice, SecurityEvent};
use portcullis_core::oidc::jose::{Alg, SigningKey};
use portcullis_core::password::Password;
use portcullis_core::phone::SmsCode;
use portcullis_core::pin::SupportPin;
use portcullis_core::recovery::RecoveryCode;
use portcullis_core::secret::Token;
use portcullis_core::service::oidc::HeldOidcSecret;
use portcullis_core::service::{
    CodesOccasion, HeldAppPassword, HeldCodes, HeldInvitation, HeldPairing, KitMaterial,
    LoginResult, PushPairing, ServiceKeys, TotpEnrolment,
};
use portcullis_core::totp::{self, TotpParams, TotpSecret};
use zeroize::ZeroizeOnDrop;

fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}

/// `Debug` of `value` (plain and pretty) contains none of `forms`.
#[track_caller]
fn redacted(value: &impl std::fmt::Debug, forms: &[&str]) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        for form in forms {
            assert!(!shown.contains(form), "{shown} shows {form}");
        }
        assert!(
            shown.contains("redacted") || shown.contains(".."),
            "{shown}"
        );
    }
}

const TOTP_KEY: &[u8] = b"12345678901234567890";

fn totp_forms() -> Vec<String> {
    vec![
        totp::base32_encode(TOTP_KEY),
        hex::encode(TOTP_KEY),
        String::from_utf8(TOTP_KEY.to_vec()).unwrap(),
        "[49, 50, 51".to_owned(),
    ]
}

#[test]
fn passwords_and_pins_as_typed_are_redacted_and_wiped() {
    let password = Password::new("Correct-Horse-7");
    redacted(&password, &["Correct-Horse-7"]);
    wiped_on_drop(&password);

    let pin = SupportPin::parse("7305918264").unwrap();
    redacted(&pin, &["7305918264"]);
    wiped_on_drop(&pin);
    redacted(&pin.as_password(), &["7305918264"]);
}

#[test]
fn codes_are_redacted_in_the_form_shown_and_the_form_stored() {
    let code = RecoveryCode::parse("1234-5678-9012-3456").unwrap();
    redacted(&code, &["1234567890123456", "1234-5678", "1234"]);
    wiped_on_drop(&code);

    let sms = SmsCode::parse("482913").unwrap();
    redacted(&sms, &["482913"]);
    wiped_on_drop(&sms);

    let app = AppPassword::parse("abcd-efgh-ijkl-mnop").unwrap();
    redacted(&app, &["abcdefghijklmnop", "abcd-efgh", "abcd"]);
    wiped_on_drop(&app);
}

#[test]
fn tokens_and_what_carries_them_are_redacted() {
    let value = "tGZ0h1u3Yk0bYqk8w1c2QmFhZ2Vyc2VjcmV0dG9rZW4x";
    let token = Token::from_client(value);
    redacted(&token, &[value]);
    wiped_on_drop(&token);

    let ticket = LoginResult::SecondFactor {
        ticket: Token::from_client(value),
        methods: vec![Method::Totp],
        expires_at: UnixTime(0),
    };
    redacted(&ticket, &[value]);
    let complete = LoginResult::EnrollmentRequired {
        ticket: Token::from_client(value),
        methods: vec![Method::Webauthn],
        expires_at: UnixTime(0),
    };
    redacted(&complete, &[value]);

    let pairing = PushPairing {
        uri: portcullis_core::push::pairing_uri(
            "https://id.example.com",
            value,
            "a@example.com",
            "Portcullis",
        ),
        code: Token::from_client(value),
        expires_at: UnixTime(0),
    };
    redacted(&pairing, &[value, "portcullis://"]);
}

#[test]
fn totp_keys_are_redacted_in_every_encoding_and_wiped() {
    let forms = totp_forms();
    let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
    let secret = TotpSecret::from_bytes(TOTP_KEY.to_vec());
    redacted(&secret, &forms);
    wiped_on_drop(&secret);

    let params = TotpParams::default();
    let enrolment = TotpEnrolment {
        otpauth_uri: totp::otpauth_uri("Portcullis", "a@example.com", &secret, &params),
        secret,
        params,
    };
    assert!(enrolment.otpauth_uri.contains(forms[0]));
    redacted(&enrolment, &forms);
    redacted(&enrolment, &["otpauth://"]);
    wiped_on_drop(&enrolment);
}

#[test]
fn the_emergency_kit_and_queued_notices_are_redacted_and_wiped() {
    let kit = KitMaterial {
        recovery_codes: vec!["1234-5678-9012-3456".to_owned()],
        secret_base32: Some(totp::base32_encode(TOTP_KEY)),
        otpauth_uri: Some("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".to_owned()),
    };
    redacted(&kit, &["1234-5678", "GEZDGNBV", "otpauth://"]);
    wiped_on_drop(&kit);

    let token = "Zm9yZ290LXBhc3N3b3JkLWxpbmstdG9rZW4tdmFsdWU";
    for notice in [
        Notice::Invitation {
            email: "a@example.com".into(),
            token: token.into(),
            valid_days: 7,
        },
        Notice::PasswordReset {
            email: "a@example.com".into(),
            token: token.into(),
            valid_minutes: 30,
            sms_code_sent: false,
        },
        Notice::PhoneCode {
            code: "482913".into(),
            valid_minutes: 10,
        },
        Notice::ResetCode {
            code: "482913".into(),
            valid_minutes: 10,
        },
        Notice::Security {
            email: "a@example.com".into(),
            event: SecurityEvent::PasswordChanged,
            at: 0,
            ip: None,
            by: Default::default(),
            lock_token: Some(token.into()),
        },
    ] {
        let shown = format!("{notice:?}");
        assert!(
            !shown.contains(token) && !shown.contains("482913"),
            "{shown}"
        );
        wiped_on_drop(&notice);
    }
}

#[test]
fn derived_keys_are_redacted() {
    let key = [7u8; 32];
    let keys = ServiceKeys {
        sealing: Keyring::new(SealingKey::new(&key), Vec::new()),
        recovery: [9u8; 32],
    };
    let shown = format!("{keys:?}");
    assert_eq!(shown, "ServiceKeys(<redacted>)");
    assert!(!format!("{:?}", keys.sealing).contains(&hex::encode(key)));
}

#[test]
fn what_a_page_shows_once_is_redacted_and_wiped() {
    let codes = HeldCodes {
        occasion: CodesOccasion::Regenerated,
        codes: vec!["1234-5678-9012-3456".to_owned()],
    };
    redacted(&codes, &["1234-5678-9012-3456"]);
    wiped_on_drop(&codes);
    let app_password = HeldAppPassword {
        name: "Thunderbird".to_owned(),
        password: "abcd-efgh-ijkl-mnop".to_owned(),
    };
    redacted(&app_password, &["abcd-efgh-ijkl-mnop"]);
    wiped_on_drop(&app_password);
    let pairing = HeldPairing {
        name: String::new(),
        uri: "portcullis://pair?code=SECRETCODE".to_owned(),
        expires_at: 0,
    };
    redacted(&pairing, &["SECRETCODE"]);
    wiped_on_drop(&pairing);
    let invitation = HeldInvitation {
        user: "u1".to_owned(),
        token: "INVITETOKEN".to_owned(),
    };
    redacted(&invitation, &["INVITETOKEN"]);
    wiped_on_drop(&invitation);
}

#[test]
fn oidc_signing_keys_and_held_client_secrets_are_redacted_and_wiped() {
    let key = SigningKey::generate(Alg::EdDsa).unwrap();
    let der = key.to_pkcs8().unwrap();
    let seed = &der[16..];
    let forms = [hex::encode(seed), format!("{:?}", &seed[..4])];
    redacted(&key, &[forms[0].as_str(), forms[1].trim_end_matches(']')]);
    wiped_on_drop(&key);

    let held = HeldOidcSecret {
        client_id: "c1".into(),
        name: "Grafana".into(),
        secret: "s3cr3t-0f-the-client".into(),
    };
    redacted(&held, &["s3cr3t-0f-the-client"]);
    wiped_on_drop(&held);
}
