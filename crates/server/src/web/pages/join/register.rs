//! Creating an owner account from the browser: `GET|POST /setup` with the one-time link printed at
//! the first start, and `GET|POST /signup` when registration is open. Both end signed in, on the
//! security page with a welcome (or in the setup a second factor would require, as any sign-in);
//! whether a link is valid and an account may be created is decided by the services.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, STALE_FORM, SignedOutForm, StaleForm};
use crate::web::kit::error::{WebError, explain, password_rules};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::sign_in;

/// Where the person came from: the setup link (which carries its token) or open registration.
enum Flow {
    Setup { token: String },
    Signup,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    csrf: String,
    action: &'static str,
    /// A message id, also the window's title.
    heading: &'static str,
    /// A message id.
    intro: &'static str,
    /// The setup link's token, carried in a hidden field; `None` for open registration.
    setup_token: Option<String>,
    email: String,
    error: Option<String>,
    /// `email`, `password`, `password_confirm`, or empty for the whole form.
    error_field: &'static str,
    /// Each rule a refused password broke, listed under the field.
    password_rules: Vec<String>,
}

impl RegisterPage {
    fn new(flow: Flow, csrf: &CsrfToken) -> Self {
        let (action, heading, intro, setup_token) = match flow {
            Flow::Setup { token } => (
                "/setup",
                "admin-setup-title",
                "admin-setup-intro",
                Some(token),
            ),
            Flow::Signup => ("/signup", "admin-signup-title", "admin-signup-intro", None),
        };
        RegisterPage {
            layout: Layout::signed_out(heading),
            csrf: csrf.value().to_owned(),
            action,
            heading,
            intro,
            setup_token,
            email: String::new(),
            error: None,
            error_field: "",
            password_rules: Vec::new(),
        }
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_deref().filter(|_| self.error_field == field)
    }
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    token: String,
    email: String,
    password: String,
    password_confirm: String,
}

fn invalid_link() -> WebError {
    WebError::from(Error::InvalidSetupToken)
}

/// A setup link that no longer works after an account exists has done its job: the owner it
/// made signs in, so the page says so instead of explaining how to get a new link.
#[derive(Template)]
#[template(path = "setup_used.html")]
struct SetupUsedPage {
    layout: Layout,
}

/// The answer to a setup link that does not work (used, expired or unknown).
async fn unusable_link(state: &AppState) -> Result<Response, WebError> {
    if !state.services.has_accounts().await? {
        return Err(invalid_link());
    }
    let page = SetupUsedPage {
        layout: Layout::signed_out("admin-setup-used-title"),
    };
    render(StatusCode::GONE, &page)
}

#[derive(Deserialize)]
pub struct SetupQuery {
    token: String,
}

/// `GET /setup?token=…`
pub async fn setup_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    query: Result<Query<SetupQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(SetupQuery { token })) = query else {
        return unusable_link(&state).await;
    };
    if !state
        .services
        .setup_link_valid(&Token::from_client(&token))
        .await?
    {
        return unusable_link(&state).await;
    }
    let page = RegisterPage::new(Flow::Setup { token }, &csrf);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

/// A registration form whose page was open too long: again, with the email (and the setup link's
/// token), never the passwords.
fn stale(flow: Flow, stale: &StaleForm, csrf: CsrfToken) -> Result<Response, WebError> {
    let page = RegisterPage {
        email: stale.field("email"),
        error: Some(tr(STALE_FORM)),
        ..RegisterPage::new(flow, &csrf)
    };
    Ok((csrf, render(StatusCode::FORBIDDEN, &page)?).into_response())
}

/// `POST /setup`
pub async fn setup_submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<RegisterForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(s) => {
            let token = s.field("token");
            return stale(Flow::Setup { token }, &s, csrf);
        }
    };
    let token = Token::from_client(&form.token);
    let password = Password::new(form.password);
    let confirm = Password::new(form.password_confirm);
    let flow = Flow::Setup { token: form.token };
    let result = if password.expose() != confirm.expose() {
        None
    } else {
        Some(
            state
                .services
                .set_up_owner_and_sign_in(&token, &form.email, &password, SessionKind::Web, &meta)
                .await,
        )
    };
    if matches!(result, Some(Err(Error::InvalidSetupToken))) {
        return unusable_link(&state).await;
    }
    finish(&state, result, flow, form.email, csrf)
}

/// `GET /signup`: only when registration is open; otherwise there is no such page.
pub async fn signup_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    if !state.config.open_registration {
        return Err(WebError::not_found());
    }
    let page = RegisterPage::new(Flow::Signup, &csrf);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

/// `POST /signup`
pub async fn signup_submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<RegisterForm>,
) -> Result<Response, WebError> {
    if !state.config.open_registration {
        return Err(WebError::not_found());
    }
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(s) => return stale(Flow::Signup, &s, csrf),
    };
    let password = Password::new(form.password);
    let confirm = Password::new(form.password_confirm);
    let result = if password.expose() != confirm.expose() {
        None
    } else {
        Some(
            state
                .services
                .sign_up_and_sign_in(&form.email, &password, SessionKind::Web, &meta)
                .await,
        )
    };
    finish(&state, result, Flow::Signup, form.email, csrf)
}

/// The answer to a registration: `None` when the two passwords differed and nothing was tried.
/// A new account is signed in at once and greeted.
fn finish(
    state: &AppState,
    result: Option<Result<LoginResult, Error>>,
    flow: Flow,
    email: String,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    let password_rules = match &result {
        Some(Err(e)) => password_rules(e),
        _ => Vec::new(),
    };
    let (status, field, message) = match result {
        Some(Ok(signed_in)) => {
            return Ok(sign_in::after_password(state, signed_in, None, true));
        }
        None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_confirm",
            tr("admin-register-password-mismatch"),
        ),
        // A used or expired link is not something the form can fix.
        Some(Err(e @ (Error::InvalidSetupToken | Error::RegistrationClosed))) => {
            return Err(e.into());
        }
        Some(Err(e)) => {
            let field = match &e {
                Error::InvalidEmail(_) | Error::EmailTaken => "email",
                Error::WeakPassword(_) => "password",
                _ => "",
            };
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            (status, field, message)
        }
    };
    let page = RegisterPage {
        email,
        error: Some(message),
        error_field: field,
        password_rules,
        ..RegisterPage::new(flow, &csrf)
    };
    Ok((csrf, render(status, &page)?).into_response())
}
