//! Signing in, every way a person can: the password (`login`), a passkey without a password
//! (`passkey`), the second step by code or recovery code (`second_step`), by the companion app
//! (`push_login`) or by a security key (`security_key`), by a remembered browser's key
//! (`remembered_browser`), the setup wizard an
//! administrator requires (`setup_wizard`, or with a key `setup_key`; with its number step `phone_wizard` when the
//! deployment requires a verified mobile number), "Lost your phone?" (`recover`) and a forgotten
//! password (`password_reset`), and the step-up of a signed-in person an application asks for
//! more (`step_up`). The cookies every step reads and writes are the kit's
//! (`kit::sign_in`); what only this group's pages share is here: the sign-in page (which a
//! refused passkey answers with too), the setup wizard's ticket kept
//! alive, the wizard's number step, and the words for a wrong recovery code. No page of the group
//! imports another, and nothing here decides whether a step succeeds: the services do.

pub mod login;
pub mod passkey;
pub mod password_reset;
pub mod phone_wizard;
pub mod push_login;
pub mod recover;
pub mod remembered_browser;
pub mod second_step;
pub mod security_key;
pub mod setup_key;
pub mod setup_wizard;
pub mod step_up;

use crate::i18n::filters;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::secret::Token;
use portcullis_core::service::TicketLife;

use crate::state::AppState;
use crate::web::kit::csrf::CsrfToken;
use crate::web::kit::error::WebError;
use crate::web::kit::form::FormProblem;
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::phone_page::{self, View};
use crate::web::kit::{cookies, paths, sign_in};

/// "Try the next code" is advice for the app's codes; a recovery code has no next one (a
/// message id).
const WRONG_RECOVERY_CODE: &str = "sign-in-wrong-recovery-code";

// ---------------------------------------------------------------------------------------------
// The sign-in page, which the password and the passkey both answer with

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    username: String,
    /// Where to go once signed in, already checked by `safe_next`; empty for the account page.
    next: String,
    /// The level an application asked for (`mfa`, `phr`), carried to the password's form; empty
    /// for none.
    acr: String,
    notice: Option<Notice>,
    error: Option<String>,
    open_registration: bool,
}

impl LoginPage {
    fn new(state: &AppState, csrf: &CsrfToken) -> Self {
        LoginPage {
            layout: Layout::signed_out("sign-in-title"),
            csrf: csrf.value().to_owned(),
            username: String::new(),
            next: String::new(),
            acr: String::new(),
            notice: None,
            error: None,
            open_registration: state.config.open_registration,
        }
    }
}

/// The sign-in page again with what went wrong, for a refused passkey or a stale form; `next`
/// is checked again here.
fn sign_in_again(
    state: &AppState,
    csrf: CsrfToken,
    next: &str,
    error: String,
    status: StatusCode,
) -> Result<axum::response::Response, WebError> {
    let page = LoginPage {
        next: crate::web::kit::return_to::safe_next(&state.config, next)
            .unwrap_or_default()
            .to_owned(),
        error: Some(error),
        ..LoginPage::new(state, &csrf)
    };
    Ok((csrf, render(status, &page)?).into_response())
}

// ---------------------------------------------------------------------------------------------
// The second step's ways, which the code page and the key page offer

/// The ways of taking the second step this login has, so the page offers only those.
#[derive(Clone, Copy)]
pub struct Offer {
    totp: bool,
    recovery_codes: bool,
    /// "Send a request to my app": a companion app is paired.
    push: bool,
    /// "Use your security key": a security key or passkey is registered.
    webauthn: bool,
}

impl Offer {
    /// Every way: what a page offers when the cookie is missing or unreadable. A way the login
    /// does not have is refused by the services, so the worst case is a wasted click.
    const EVERY_WAY: Offer = Offer {
        totp: true,
        recovery_codes: true,
        push: true,
        webauthn: true,
    };

    fn from_cookie(value: Option<&str>) -> Offer {
        let Some(value) = value else {
            return Offer::EVERY_WAY;
        };
        let mut offer = Offer {
            totp: false,
            recovery_codes: false,
            push: false,
            webauthn: false,
        };
        for method in value.split('.') {
            match method {
                "totp" => offer.totp = true,
                "recovery_code" => offer.recovery_codes = true,
                "push" => offer.push = true,
                "webauthn" => offer.webauthn = true,
                _ => return Offer::EVERY_WAY,
            }
        }
        offer
    }

    /// A security key is the only way besides recovery codes ("phishing-resistant only", or
    /// keys as the only factor): the key page comes first.
    fn key_first(self) -> bool {
        self.webauthn && !self.totp && !self.push
    }
}

/// Reads the `portcullis_methods` cookie the password step set beside the ticket.
impl<S: Send + Sync> FromRequestParts<S> for Offer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Offer::from_cookie(cookies::get(
            &parts.headers,
            cookies::METHODS,
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// The setup wizard's ticket

/// Keeps the setup alive while the person works on it: every wizard request moves the ticket's
/// end ahead ([`Services::slide_enrolment`](portcullis_core::service::Services::slide_enrolment))
/// and answers with the cookie that lives exactly as long. `Err` holds the way back to the
/// password when the ticket has ended, saying that the setup took too long when it simply ran
/// out of time.
async fn keep_alive(
    state: &AppState,
    ticket: &Token,
) -> Result<Result<HeaderValue, Response>, WebError> {
    let life = state.services.slide_enrolment(ticket).await?;
    Ok(match life {
        TicketLife::Live { expires_at } => {
            let max_age = state.services.clock.now().secs_until(expires_at);
            Ok(sign_in::set_enrol_ticket(&state.config, ticket, max_age))
        }
        TicketLife::TimedOut => Err(sign_in::too_late(
            &state.config,
            true,
            sign_in::clear_enrol_ticket(&state.config),
        )),
        TicketLife::Ended => Err(setup_expired(state)),
    })
}

/// `response` with the ticket cookie `alive` added, unless the response already ends the ticket.
fn with_ticket_cookie(mut response: Response, alive: HeaderValue) -> Response {
    let prefix = format!("{}=", cookies::ENROL);
    let ends = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(prefix.as_bytes()));
    if !ends {
        response.headers_mut().append(header::SET_COOKIE, alive);
    }
    response
}

/// Back to the password, for a setup whose ticket expired or had too many wrong codes.
fn setup_expired(state: &AppState) -> Response {
    (
        [(
            header::SET_COOKIE,
            sign_in::clear_enrol_ticket(&state.config),
        )],
        Redirect::to("/login?done=sign_in_expired"),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// The wizard's number step, which `GET /login/setup` shows first and `phone_wizard` takes

/// The step before the authenticator in the wizard, when the deployment requires a verified
/// number and there is none yet; `None` when the wizard goes straight to the authenticator.
async fn number_step(
    state: &AppState,
    ticket: &Token,
    csrf: &CsrfToken,
) -> Result<Option<Response>, WebError> {
    if !state.services.settings.require_phone_for_2fa {
        return Ok(None);
    }
    let status = match state.services.phone_status_with_ticket(ticket).await {
        Ok(status) => status,
        Err(e) => return wizard_exit(state, &e).map(Some).ok_or_else(|| e.into()),
    };
    if !status.required_for_2fa {
        return Ok(None);
    }
    let page = phone_page::page(
        state,
        csrf,
        wizard_layout(),
        &status,
        wizard_view(None, String::new()),
    );
    render(StatusCode::OK, &page).map(Some)
}

/// The wizard's pages are signed out: the person has no session until the setup is done.
fn wizard_layout() -> Layout {
    Layout::signed_out("sign-in-setup-title")
}

/// The number step as the wizard shows it: no email (nobody is signed in) and no way back to
/// the security page.
fn wizard_view(problem: Option<FormProblem>, number: String) -> View {
    View {
        wizard: true,
        next: "",
        email: String::new(),
        notice: None,
        problem,
        number,
    }
}

/// Failures the wizard answers by moving on: an ended sign-in goes back to the password; a
/// number verified meanwhile (or none to resend to, or no number step at all) back to the wizard,
/// which shows what comes next.
fn wizard_exit(state: &AppState, e: &Error) -> Option<Response> {
    match e {
        Error::InvalidTicket => Some(setup_expired(state)),
        Error::Forbidden(_) | Error::Conflict(_) => {
            Some(Redirect::to(paths::SETUP_WIZARD).into_response())
        }
        _ => None,
    }
}
