//! Forgot password from the browser: `GET|POST /forgot` asks for the email and always
//! answers with the same "if an account exists, we sent a link" page; `GET|POST /reset?token=…`
//! (the emailed link) and `GET /reset` + `POST /reset/code` (the code sent by SMS) take a new
//! password twice and end on "done, sign in". Whether a link or code works, the policy, and what a
//! reset changes are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, SignedOutForm, stale_form};
use crate::web::kit::error::{WebError, explain, password_rules, with_retry_after};
use crate::web::kit::page::{Layout, render};

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    layout: Layout,
    csrf: String,
    /// After the request: the same page whoever was asked for.
    sent: bool,
    valid_minutes: i64,
    /// Whether an SMTP server and an SMS gateway are configured; without them messages land in
    /// the server's outbox folder, and the page says so rather than "we have sent".
    mail_configured: bool,
    sms_configured: bool,
    /// A stale form shown again: its message, and the email it carried.
    error: Option<String>,
    username: String,
}

impl ForgotPage {
    fn new(state: &AppState, csrf: &CsrfToken, sent: bool) -> Self {
        ForgotPage {
            layout: Layout::signed_out("sign-in-forgot-title"),
            csrf: csrf.value().to_owned(),
            sent,
            valid_minutes: state.services.settings.reset_secs / 60,
            mail_configured: state.config.delivery.smtp.is_some(),
            sms_configured: state.config.delivery.sms.is_some(),
            error: None,
            username: String::new(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ForgotQuery {
    #[serde(default)]
    done: String,
}

/// `GET /forgot`
pub async fn forgot_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    query: Result<Query<ForgotQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let sent = query.map(|q| q.0).unwrap_or_default().done == "sent";
    let page = ForgotPage::new(&state, &csrf, sent);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    username: String,
}

/// `POST /forgot`: the work goes on after the answer, which is the same for every address. A
/// form left open too long comes back with the email filled in, not as a dead end.
pub async fn forgot_submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<ForgotForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(stale) => {
            let page = ForgotPage {
                error: Some(stale_form()),
                username: stale.field("username"),
                ..ForgotPage::new(&state, &csrf, false)
            };
            return Ok((csrf, render(StatusCode::FORBIDDEN, &page)?).into_response());
        }
    };
    state.services.request_password_reset(&form.username, &meta);
    Ok(Redirect::to("/forgot?done=sent").into_response())
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    layout: Layout,
    csrf: String,
    /// `link` (from the email), `code` (from the SMS), `invalid` (a dead link) or `done`.
    mode: &'static str,
    token: String,
    username: String,
    valid_minutes: i64,
    error: Option<String>,
    /// `password`, `password_confirm`, `code`, or empty for the whole form.
    error_field: &'static str,
    /// Each rule a refused password broke, listed under the field.
    password_rules: Vec<String>,
}

impl ResetPage {
    fn new(state: &AppState, csrf: &CsrfToken, mode: &'static str) -> Self {
        let title = match mode {
            "done" => "sign-in-reset-done-window-title",
            "invalid" => "sign-in-reset-invalid-window-title",
            _ => "sign-in-reset-title",
        };
        ResetPage {
            layout: Layout::signed_out(title),
            csrf: csrf.value().to_owned(),
            mode,
            token: String::new(),
            username: String::new(),
            valid_minutes: state.services.settings.reset_secs / 60,
            error: None,
            error_field: "",
            password_rules: Vec::new(),
        }
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_deref().filter(|_| self.error_field == field)
    }
}

fn show(csrf: CsrfToken, status: StatusCode, page: &ResetPage) -> Result<Response, WebError> {
    Ok((csrf, render(status, page)?).into_response())
}

#[derive(Deserialize, Default)]
pub struct ResetQuery {
    #[serde(default)]
    token: String,
    /// `changed`: where a successful reset redirects, so a reload does not post the form again.
    #[serde(default)]
    done: String,
}

/// `GET /reset?token=…` for the emailed link; `GET /reset` for the code sent by SMS.
pub async fn reset_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    query: Result<Query<ResetQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let ResetQuery { token, done } = query.map(|q| q.0).unwrap_or_default();
    if done == "changed" {
        let page = ResetPage::new(&state, &csrf, "done");
        return show(csrf, StatusCode::OK, &page);
    }
    if token.is_empty() {
        let page = ResetPage::new(&state, &csrf, "code");
        return show(csrf, StatusCode::OK, &page);
    }
    if !state
        .services
        .reset_link_valid(&Token::from_client(&token))
        .await?
    {
        let page = ResetPage::new(&state, &csrf, "invalid");
        return show(csrf, StatusCode::BAD_REQUEST, &page);
    }
    let page = ResetPage {
        token,
        ..ResetPage::new(&state, &csrf, "link")
    };
    show(csrf, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    token: String,
    password: String,
    password_confirm: String,
}

/// `POST /reset`: the new password with the emailed link.
pub async fn reset_submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<LinkForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(stale) => {
            let page = ResetPage {
                token: stale.field("token"),
                error: Some(stale_form()),
                ..ResetPage::new(&state, &csrf, "link")
            };
            return show(csrf, StatusCode::FORBIDDEN, &page);
        }
    };
    let page = ResetPage {
        token: form.token.clone(),
        ..ResetPage::new(&state, &csrf, "link")
    };
    let result = match confirmed(form.password, &form.password_confirm) {
        Ok(password) => {
            let token = Token::from_client(&form.token);
            state
                .services
                .reset_password_with_link(&token, &password, &meta)
                .await
        }
        Err(mismatch) => return failed(csrf, page, mismatch),
    };
    match result {
        Ok(()) => Ok(done()),
        Err(Error::InvalidLink) => {
            let page = ResetPage::new(&state, &csrf, "invalid");
            show(csrf, StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => failed(csrf, page, e),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
    password: String,
    password_confirm: String,
}

/// `POST /reset/code`: the new password with the code sent by SMS.
pub async fn reset_code_submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<CodeForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(stale) => {
            let page = ResetPage {
                username: stale.field("username"),
                error: Some(stale_form()),
                ..ResetPage::new(&state, &csrf, "code")
            };
            return show(csrf, StatusCode::FORBIDDEN, &page);
        }
    };
    let page = ResetPage {
        username: form.username.clone(),
        ..ResetPage::new(&state, &csrf, "code")
    };
    let result = match confirmed(form.password, &form.password_confirm) {
        Ok(password) => {
            state
                .services
                .reset_password_with_code(&form.username, &form.code, &password, &meta)
                .await
        }
        Err(mismatch) => return failed(csrf, page, mismatch),
    };
    match result {
        Ok(()) => Ok(done()),
        Err(e) => failed(csrf, page, e),
    }
}

/// The password, when both fields say the same.
fn confirmed(password: String, confirm: &str) -> Result<Password, Error> {
    if password != confirm {
        return Err(Error::Validation(MISMATCH.to_owned()));
    }
    Ok(Password::new(password))
}

/// A message id, and the marker of the refusal [`confirmed`] makes.
const MISMATCH: &str = "sign-in-reset-mismatch";

/// After a reset: "Password changed", by a redirect, so a reload shows it again instead of
/// posting the used link or code once more.
fn done() -> Response {
    Redirect::to("/reset?done=changed").into_response()
}

/// The form again, with what went wrong beside the field it concerns.
fn failed(csrf: CsrfToken, mut page: ResetPage, e: Error) -> Result<Response, WebError> {
    let (field, message) = match &e {
        Error::Validation(m) if m == MISMATCH => ("password_confirm", tr(MISMATCH)),
        Error::WeakPassword(_) => ("password", String::new()),
        Error::InvalidCode => ("code", tr("sign-in-reset-wrong-code")),
        _ => ("", String::new()),
    };
    let Some((status, explained)) = explain(&e) else {
        return Err(e.into());
    };
    let message = if message.is_empty() {
        explained
    } else {
        message
    };
    let status = if field == "password_confirm" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    page.error = Some(message);
    page.error_field = field;
    page.password_rules = password_rules(&e);
    let response = show(csrf, status, &page)?;
    Ok(with_retry_after(response, &e))
}
