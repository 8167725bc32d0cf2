//! Recovery codes after the authenticator app is on: the page that shows a new set once (after
//! activation, or `POST /account/security/recovery-codes` with the password), and the emergency
//! kit, `GET /account/security/emergency-kit.pdf` ("Save your secret key"). The codes
//! are never put in a URL or kept by this layer: the page is the POST's own response, and the kit
//! comes from what the services sealed for this session for a few minutes.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::Role;
use portcullis_core::password::Password;
use portcullis_core::recovery::RecoveryCode;

use super::csrf::{CsrfToken, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, render};
use super::security::{self, TileError};
use super::session::SignedIn;
use super::totp::PasswordForm;
use super::view::when;
use crate::api::extract::Meta;
use crate::kit::KitContent;
use crate::state::AppState;

/// Why a new set of codes is being shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// The authenticator app was just switched on; other devices were signed out.
    Activated,
    /// The setup an administrator required was just finished at sign-in (`setup_wizard`): this
    /// page is also the end of the sign-in.
    Enrolled,
    /// The person asked for a new set; the old one is void.
    Regenerated,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub struct CodesPage {
    layout: Layout,
    occasion: Occasion,
    codes: Vec<String>,
}

impl CodesPage {
    pub fn new(csrf: &CsrfToken, role: Role, occasion: Occasion, codes: &[RecoveryCode]) -> Self {
        let title = match occasion {
            Occasion::Activated | Occasion::Enrolled => "Two-factor authentication is on",
            Occasion::Regenerated => "New recovery codes",
        };
        CodesPage {
            layout: Layout::signed_in(title, "security", csrf.value(), role),
            occasion,
            codes: codes.iter().map(RecoveryCode::display).collect(),
        }
    }
}

/// `POST /account/security/recovery-codes`
pub async fn regenerate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let e = match state
        .services
        .regenerate_recovery_codes(&auth, &password, &meta)
        .await
    {
        Ok(codes) => {
            let page = CodesPage::new(&csrf, auth.user.role, Occasion::Regenerated, &codes);
            return Ok((csrf, render(StatusCode::OK, &page)?).into_response());
        }
        Err(Error::TwoFactorNotEnabled) => {
            return Ok(Redirect::to("/account/security").into_response());
        }
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let error = TileError {
        form: "regenerate",
        message,
    };
    let response = security::page(&state, &auth, &csrf, None, Some(error), status).await?;
    Ok((csrf, response).into_response())
}

/// `GET /account/security/emergency-kit.pdf`: a download, never a page to keep in a cache.
pub async fn emergency_kit(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let kit = match state.services.emergency_kit(&auth).await {
        Ok(kit) => kit,
        // Not "page not found": the person followed our own link, just too late or elsewhere.
        Err(e @ Error::KitUnavailable) => {
            let message = explain(&e).map(|(_, m)| m).unwrap_or_default();
            return Err(WebError::page(
                StatusCode::NOT_FOUND,
                "Emergency kit no longer available",
                message,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let account = auth.user.email.to_string();
    let created = when(state.services.clock.now());
    let pdf = crate::kit::render(&KitContent {
        product: "Portcullis",
        account: &account,
        server_url: &state.config.public_url,
        created: &created,
        recovery_codes: &kit.recovery_codes,
        totp_secret_base32: kit.secret_base32.as_deref(),
        otpauth_uri: kit.otpauth_uri.as_deref(),
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portcullis-emergency-kit.pdf\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        pdf,
    )
        .into_response())
}
