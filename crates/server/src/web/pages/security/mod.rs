//! The Security tab: one tile per way of proving it is you, and the pages behind them. The
//! overview (`overview`), the authenticator app (`totp`) and its recovery codes
//! (`recovery_codes`), the companion app (`push_devices`), security keys and passkeys
//! (`webauthn`), the mobile number (`phone`), the
//! support PIN (`support_pin`), the mail apps' passwords (`app_passwords`) and the
//! applications allowed to sign the person in (`connected_apps`), and every session and
//! remembered browser (`devices`). The tile forms
//! that fail answer with the security page again, the refusal beside the form that caused it:
//! that page is here, shared by the group's pages. Whether a factor may be added or removed is
//! the services' rule; a tile only hides a button the rule would refuse anyway.

pub mod app_passwords;
pub mod connected_apps;
pub mod devices;
pub mod overview;
pub mod phone;
pub mod push_devices;
pub mod recovery_codes;
pub mod support_pin;
pub mod totp;
pub mod webauthn;

use crate::i18n::filters;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use portcullis_core::login::Method;
use portcullis_core::recovery::CODES_PER_SET;
use portcullis_core::service::Authenticated;

use crate::state::AppState;
use crate::web::kit::csrf::CsrfToken;
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::view::{never, when};

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    csrf: String,
    /// For the hidden username field that tells password managers whose password is asked for.
    email: String,
    notice: Option<Notice>,
    totp: TotpTile,
    error: Option<TileError>,
    /// When the support PIN was set, in words; `None` while there is none.
    support_pin: Option<String>,
    app_passwords: usize,
    phone: PhoneTile,
    push_devices: Vec<DeviceRow>,
    /// Removing a device would leave no factor while an administrator requires one: the
    /// services refuse it, so the button is not offered.
    push_last_factor: bool,
    /// The device or key whose rename (or remove) form stays open (after a refusal).
    renaming: Option<String>,
    /// The security keys and passkeys, oldest first.
    keys: Vec<KeyRow>,
    /// Removing the only key would leave no factor while an administrator requires one.
    key_last_factor: bool,
    /// The device name typed in "Pair a device", kept after a refusal.
    pair_name: String,
}

impl SecurityPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.form == form)
            .map(|e| e.message.as_str())
    }

    fn renaming(&self, id: &str) -> bool {
        self.renaming.as_deref() == Some(id)
    }
}

/// The authenticator app as its tile shows it.
struct TotpTile {
    active: bool,
    /// An administrator requires two-factor authentication for this person: it cannot
    /// be turned off here.
    forced: bool,
    recovery_codes_left: i64,
    recovery_codes_total: usize,
}

impl TotpTile {
    /// Few enough codes left that the tile suggests a new set.
    fn running_low(&self) -> bool {
        self.recovery_codes_left <= 3
    }
}

/// The mobile number as its tile shows it. It is not a factor: a verified number receives the
/// codes of a forgotten-password reset, so it belongs with the other ways of proving it is you.
struct PhoneTile {
    /// The number, masked as the mobile-number page shows it; the verified one before a pending one.
    number: Option<String>,
    verified: bool,
}

/// A security key or passkey as its row in the tile shows it.
struct KeyRow {
    id: String,
    name: String,
    /// When it was added, in words.
    added: String,
    /// "never", or when it last signed in.
    last_used: String,
    /// It can sign in without a password (registered with user verification).
    passkey: bool,
}

/// What went wrong with one of the tile's password forms.
struct TileError {
    /// The form the message belongs to (`deactivate`, `regenerate`, `push-pair`,
    /// `push-pair-password`, `push-rename`, `key-rename`, `key-remove`), which then stays open.
    form: &'static str,
    message: String,
}

/// What the push tile's forms keep after a refusal.
#[derive(Default)]
struct PushKept {
    /// The device or key whose rename (or remove) form stays open (after a refusal).
    renaming: Option<String>,
    /// The device name typed in "Pair a device".
    pair_name: String,
}

/// A paired companion-app device as its row in the tile shows it.
struct DeviceRow {
    id: String,
    name: String,
    /// When it was paired, in words.
    paired: String,
    /// "never", or when it last asked for sign-in requests.
    last_seen: String,
}

/// The page for `auth`, with an optional notice or form error.
async fn security_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    error: Option<TileError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    security_page_with(
        state,
        auth,
        csrf,
        notice,
        error,
        PushKept::default(),
        status,
    )
    .await
}

/// [`security_page`], with what the push tile's forms keep (an open rename form, a typed device
/// name).
async fn security_page_with(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    error: Option<TileError>,
    kept: PushKept,
    status: StatusCode,
) -> Result<Response, WebError> {
    let summary = state.services.two_factor_summary(&auth.user).await?;
    let push_devices = device_rows(state, auth).await?;
    let keys = key_rows(state, auth).await?;
    // Whether a factor other than `m` would remain (recovery codes alone are no factor).
    let other_than = |m: Method| {
        summary
            .methods
            .iter()
            .any(|x| *x != m && *x != Method::RecoveryCode)
    };
    let phone = state.services.phone_status(&auth.user).await?;
    let page = SecurityPage {
        layout: Layout::signed_in("security-title", "security", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        email: auth.user.email.to_string(),
        notice,
        totp: TotpTile {
            active: summary.methods.contains(&Method::Totp),
            forced: summary.forced,
            recovery_codes_left: summary.recovery_codes_left,
            recovery_codes_total: CODES_PER_SET,
        },
        error,
        support_pin: state
            .services
            .support_pin_changed_at(&auth.user)
            .await?
            .map(when),
        app_passwords: state.services.list_app_passwords(auth).await?.len(),
        phone: PhoneTile {
            number: phone.shown().map(|(n, _)| n.masked()),
            verified: phone.verified.is_some(),
        },
        push_last_factor: summary.forced && !other_than(Method::Push) && push_devices.len() == 1,
        key_last_factor: summary.forced && !other_than(Method::Webauthn) && keys.len() == 1,
        push_devices,
        keys,
        renaming: kept.renaming,
        pair_name: kept.pair_name,
    };
    render(status, &page)
}

/// The paired devices of `auth` as the tile lists them, oldest first.
async fn device_rows(state: &AppState, auth: &Authenticated) -> Result<Vec<DeviceRow>, WebError> {
    let devices = state.services.push_devices(auth).await?;
    Ok(devices
        .into_iter()
        .map(|d| DeviceRow {
            id: d.id.0,
            name: d.name,
            paired: when(d.created_at),
            last_seen: d.last_seen_at.map_or_else(never, when),
        })
        .collect())
}

/// The keys of `auth` as the tile lists them, oldest first.
async fn key_rows(state: &AppState, auth: &Authenticated) -> Result<Vec<KeyRow>, WebError> {
    let keys = state.services.webauthn_credentials(auth).await?;
    Ok(keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.0,
            name: k.name,
            added: when(k.created_at),
            last_used: k.last_used_at.map_or_else(never, when),
            passkey: k.passkey,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use portcullis_core::locale::Language;
    use portcullis_core::model::Role;

    use super::*;

    /// The overview with every tile in its fullest state, and a refusal beside a form.
    fn page(codes_left: i64) -> SecurityPage {
        SecurityPage {
            layout: Layout::signed_in("security-title", "security", "csrf", Role::User),
            csrf: "csrf".to_owned(),
            email: "alice@example.com".to_owned(),
            notice: Some(Notice::success("security-notice-key-added")),
            totp: TotpTile {
                active: true,
                forced: true,
                recovery_codes_left: codes_left,
                recovery_codes_total: CODES_PER_SET,
            },
            error: Some(TileError {
                form: "regenerate",
                message: "Wrong.".to_owned(),
            }),
            support_pin: Some("7. Dezember 2026, 14:05 MEZ".to_owned()),
            app_passwords: 2,
            phone: PhoneTile {
                number: Some("+49 151 ••••5678".to_owned()),
                verified: true,
            },
            push_devices: vec![DeviceRow {
                id: "d1".to_owned(),
                name: "Tablet".to_owned(),
                paired: "gestern".to_owned(),
                last_seen: "heute".to_owned(),
            }],
            push_last_factor: false,
            renaming: None,
            keys: vec![KeyRow {
                id: "k1".to_owned(),
                name: "YubiKey".to_owned(),
                added: "gestern".to_owned(),
                last_used: "nie".to_owned(),
                passkey: true,
            }],
            key_last_factor: false,
            pair_name: String::new(),
        }
    }

    #[test]
    fn every_word_of_the_overview_has_a_translation() {
        for language in [Language::En, Language::De] {
            let html = crate::i18n::with_locale(language, None, || page(1).render().unwrap());
            // A message id that does not exist would show as itself.
            assert!(!html.contains("security-"), "{html}");
        }
        let html = crate::i18n::with_locale(Language::De, None, || page(1).render().unwrap());
        assert!(html.contains("1 von 10 übrig"), "{html}");
        assert!(html.contains("Sicherheitsschlüssel und Passkeys"), "{html}");
        assert!(html.contains("Tablet umbenennen"), "{html}");
        let html = page(10).render().unwrap();
        assert!(html.contains("10 of 10 left"), "{html}");
        assert!(
            html.contains("The security key or passkey was added."),
            "{html}"
        );
    }
}
