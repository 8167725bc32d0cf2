//! Signing in with a passkey and no password: `POST /login/passkey`. The sign-in page's "Sign in
//! with a passkey" button (and the browser's passkey autofill on its email field) runs in
//! `static/webauthn.js`: it takes the options from the public API (`POST
//! /api/v1/login/passkey/start`), asks the browser for a passkey and sends the ceremony and the
//! answer here, with the page's CSRF token. A passkey with user verification is both factors:
//! the session it opens is complete, so there is no second step. Which passkeys count, the
//! throttle and the audit are `Services::login_with_passkey`'s; a failure is one sentence
//! whatever failed, on the sign-in page.

use axum::extract::State;
use axum::http::header;
use axum::response::{AppendHeaders, IntoResponse, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::sign_in_again;
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::ceremony;
use crate::web::kit::csrf::{CsrfToken, SignedOutForm, stale_form};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::return_to::{self, safe_next};
use crate::web::kit::{session, sign_in};

#[derive(Deserialize)]
pub struct PasskeyForm {
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
    #[serde(default)]
    next: String,
}

/// `POST /login/passkey`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<PasskeyForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(stale) => {
            let next = stale.field("next");
            return sign_in_again(&state, csrf, &next, stale_form(), forbidden());
        }
    };
    let next = safe_next(&state.config, &form.next).map(str::to_owned);
    let answer = match ceremony::answer(&form.credential) {
        Ok(answer) => answer,
        Err(message) => {
            let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return sign_in_again(&state, csrf, &form.next, tr(message), status);
        }
    };
    let result = state
        .services
        .login_with_passkey(
            &Token::from_client(&form.ceremony),
            &answer,
            SessionKind::Web,
            &meta,
        )
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let e = match result {
        Ok(LoginResult::Complete { token, .. }) => {
            let [next_cookie, step] = sign_in::finished_cookies(&state.config);
            return Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        session::set_cookie(&state.config, &token),
                    ),
                    (header::SET_COOKIE, next_cookie),
                    (header::SET_COOKIE, step),
                ]),
                return_to::go_on(next.as_deref().unwrap_or("/account")),
            )
                .into_response());
        }
        Ok(_) => {
            return Err(WebError::Internal(Error::internal_msg(
                "a passkey sign-in asked for another step",
            )));
        }
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let message = match e {
        Error::InvalidCeremony => tr(ceremony::TOO_LATE),
        _ => message,
    };
    let response = sign_in_again(&state, csrf, &form.next, message, status)?;
    Ok(with_retry_after(response, &e))
}

fn forbidden() -> axum::http::StatusCode {
    axum::http::StatusCode::FORBIDDEN
}
