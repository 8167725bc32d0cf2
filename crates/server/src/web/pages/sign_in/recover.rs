//! "Lost your phone?": `GET|POST /recover` takes the email, the password and one
//! recovery code, and `Services::recover_account` removes two-factor authentication from the
//! account, signs out every other device and signs this browser in. The page says so before the
//! person commits, and the security page afterwards asks them to set it up again.

use crate::i18n::filters;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::WRONG_RECOVERY_CODE;
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::session::{self, SignedIn};
use crate::web::kit::sign_in::clear_ticket;

#[derive(Template)]
#[template(path = "recover.html")]
struct RecoverPage {
    layout: Layout,
    csrf: String,
    username: String,
    error: Option<String>,
}

impl RecoverPage {
    fn new(csrf: &CsrfToken) -> Self {
        RecoverPage {
            layout: Layout::signed_out("sign-in-recover-title"),
            csrf: csrf.value().to_owned(),
            username: String::new(),
            error: None,
        }
    }
}

/// `GET /recover`. A signed-in person removes their app on the security page instead.
pub async fn form(signed_in: Option<SignedIn>, csrf: CsrfToken) -> Result<Response, WebError> {
    if signed_in.is_some() {
        return Ok(Redirect::to("/account/security").into_response());
    }
    let page = RecoverPage::new(&csrf);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct RecoverForm {
    username: String,
    password: String,
    #[serde(default)]
    code: String,
}

/// `POST /recover`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<RecoverForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let result = state
        .services
        .recover_account(
            &form.username,
            &password,
            &form.code,
            SessionKind::Web,
            &meta,
        )
        .await;
    let e = match result {
        Ok(LoginResult::Complete { token, .. }) => {
            return Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        session::set_cookie(&state.config, &token),
                    ),
                    // A half-finished sign-in from before is moot now.
                    (header::SET_COOKIE, clear_ticket(&state.config)),
                ]),
                Redirect::to("/account/security?done=two_factor_removed"),
            )
                .into_response());
        }
        Ok(LoginResult::SecondFactor { .. } | LoginResult::EnrollmentRequired { .. }) => {
            return Err(WebError::Internal(Error::internal_msg(
                "recovery asked for a second step",
            )));
        }
        Err(e) => e,
    };
    let Some((status, mut message)) = explain(&e) else {
        return Err(e.into());
    };
    if matches!(e, Error::SecondFactorFailed) {
        message = tr(WRONG_RECOVERY_CODE);
    }
    let page = RecoverPage {
        username: form.username,
        error: Some(message),
        ..RecoverPage::new(&csrf)
    };
    let response = (csrf, render(status, &page)?).into_response();
    Ok(with_retry_after(response, &e))
}
