//! The authenticator-app setup assistant, without JavaScript:
//! `POST /account/security/totp/start` makes a new secret, `GET /account/security/totp` shows the
//! steps (install an app, scan the QR code or type the key, confirm with the password and a code),
//! `POST /account/security/totp/activate` switches it on and redirects to the recovery codes,
//! shown once, and
//! `POST /account/security/totp/deactivate` removes it with the password. Secrets, codes and
//! whether any of this is allowed are the services'; this file only shows them.

use crate::i18n::filters;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::service::{Authenticated, TotpEnrolment};
use serde::Deserialize;

use super::{TileError, security_page};
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::authenticator_key::AppKey;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::FormError;
use crate::web::kit::form::PasswordForm;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::paths;
use crate::web::kit::session::SignedIn;

const SETUP: &str = "/account/security/totp";
const OVERVIEW: &str = "/account/security";
/// The number step of the assistant, which leads back here once the number is verified.
const PHONE_FIRST: &str = "/account/phone?next=totp";

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct SetupPage {
    layout: Layout,
    csrf: String,
    app: AppKey,
    error: Option<FormError>,
}

impl SetupPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn setup_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    enrolment: &TotpEnrolment,
    error: Option<FormError>,
) -> Result<SetupPage, WebError> {
    Ok(SetupPage {
        layout: Layout::signed_in(
            "security-totp-setup-title",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        app: AppKey::new(state, auth.user.email.as_str(), enrolment)?,
        error,
    })
}

/// `POST /account/security/totp/start`: a fresh secret each time, so an abandoned setup that
/// someone glimpsed is worth nothing.
pub async fn start(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    match state
        .services
        .start_totp(&auth, Default::default(), &meta)
        .await
    {
        Ok(_) => Ok(Redirect::to(SETUP).into_response()),
        // Another window finished first; the overview shows it as active.
        Err(Error::TotpAlreadyActive) => Ok(Redirect::to(OVERVIEW).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /account/security/totp`: the steps, for the setup that was started.
pub async fn setup(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    let enrolment = match state.services.pending_totp(&auth).await {
        Ok(enrolment) => enrolment,
        // Nothing started, or already finished: the overview has the right button.
        Err(Error::EnrollmentNotStarted) => return Ok(Redirect::to(OVERVIEW).into_response()),
        Err(e) => return Err(e.into()),
    };
    // With `require_phone_for_2fa` the assistant asks for a verified mobile number first.
    if state
        .services
        .phone_status(&auth.user)
        .await?
        .required_for_2fa
    {
        return Ok(Redirect::to(PHONE_FIRST).into_response());
    }
    let page = setup_page(&state, &auth, &csrf, &enrolment, None)?;
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct ActivateForm {
    password: String,
    #[serde(default)]
    code: String,
}

/// `POST /account/security/totp/activate`: on success a redirect to the recovery codes, shown
/// once (`recovery_codes`).
pub async fn activate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<ActivateForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let e = match state
        .services
        .activate_totp(&auth, &password, &form.code, &meta)
        .await
    {
        // The services held the codes for this session with the activation itself; the
        // recovery-codes page shows them once.
        Ok(_held) => return Ok(Redirect::to(paths::RECOVERY_CODES).into_response()),
        Err(Error::TotpAlreadyActive | Error::EnrollmentNotStarted) => {
            return Ok(Redirect::to(OVERVIEW).into_response());
        }
        Err(Error::PhoneNotVerified) => return Ok(Redirect::to(PHONE_FIRST).into_response()),
        Err(e) => e,
    };
    let field = match &e {
        Error::InvalidPassword => "password",
        Error::InvalidCode => "code",
        _ => "",
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let enrolment = state.services.pending_totp(&auth).await?;
    let error = FormError { field, message };
    let page = setup_page(&state, &auth, &csrf, &enrolment, Some(error))?;
    Ok((csrf, render(status, &page)?).into_response())
}

/// `POST /account/security/totp/deactivate`
pub async fn deactivate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let e = match state
        .services
        .deactivate_totp(&auth, &password, &meta)
        .await
    {
        Ok(()) => {
            return Ok(Redirect::to("/account/security?done=totp_deactivated").into_response());
        }
        Err(Error::TwoFactorNotEnabled) => return Ok(Redirect::to(OVERVIEW).into_response()),
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let error = TileError {
        form: "deactivate",
        message,
    };
    let response = security_page(&state, &auth, &csrf, None, Some(error), status).await?;
    Ok((csrf, response).into_response())
}

#[cfg(test)]
mod tests {
    use portcullis_core::locale::Language;
    use portcullis_core::model::Role;

    use super::*;
    use crate::web::kit::authenticator_key::{grouped, spoken};

    fn page(error: Option<FormError>) -> SetupPage {
        let key = "JBSWY3DPEHPK3PXP";
        SetupPage {
            layout: Layout::signed_in("security-totp-setup-title", "security", "csrf", Role::User),
            csrf: "csrf".to_owned(),
            app: AppKey {
                email: "alice@example.com".to_owned(),
                issuer: "Portcullis".to_owned(),
                qr_svg: String::new(),
                key: grouped(key),
                key_spoken: spoken(key),
                digits: 6,
                period: 30,
                algorithm: "SHA1",
            },
            error,
        }
    }

    #[test]
    fn the_wizard_speaks_german_and_spells_the_key_group_by_group() {
        let html = crate::i18n::with_locale(Language::De, None, || page(None).render().unwrap());
        assert!(html.contains(r#"<html lang="de">"#), "{html}");
        assert!(html.contains("Authenticator-App einrichten"), "{html}");
        assert!(html.contains("Aktuelles Passwort"), "{html}");
        // The visible key is grouped and hidden from screen readers, which read the spelled copy.
        assert!(
            html.contains(
                r#"aria-hidden="true" id="totp-key" data-copy-compact>JBSW Y3DP EHPK 3PXP<"#
            ),
            "{html}"
        );
        assert!(
            html.contains("in Gruppen zu vier Zeichen: J B S W, Y 3 D P, E H P K, 3 P X P"),
            "{html}"
        );
        assert!(
            html.contains(r#"data-copied-message="Schlüssel kopiert""#),
            "{html}"
        );
    }

    #[test]
    fn a_wrong_code_is_tied_to_its_field() {
        let error = FormError {
            field: "code",
            message: "That code is not right.".to_owned(),
        };
        let html = page(Some(error)).render().unwrap();
        assert!(
            html.contains(r#"aria-describedby="code-hint code-error""#),
            "{html}"
        );
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"id="code-error""#), "{html}");
    }
}
