//! The mobile-number page (`phone.html`), which two places show: the account's
//! `/account/phone`, and the number step of the setup wizard at sign-in, which reaches it with its
//! enrolment ticket instead of a session. It renders the number's state and turns a refusal into
//! the sentence beside the form it concerns; the forms' routes, and the rules behind them, are
//! the pages' and the services'.

use crate::i18n::filters;
use askama::Template;
use axum::http::StatusCode;
use portcullis_core::Error;
use portcullis_core::phone::PhoneNumber;
use portcullis_core::service::PhoneStatus;

use super::csrf::CsrfToken;
use super::error::explain;
use super::form::{FormProblem, problem_for};
use super::page::{Layout, Notice};
use super::paths;
use crate::i18n::{tr, tr_with};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "phone.html")]
pub struct PhonePage {
    layout: Layout,
    csrf: String,
    /// Where the forms post: `/account/phone` or, in the wizard at sign-in, `/login/setup/phone`.
    action: &'static str,
    wizard: bool,
    /// `totp` when the authenticator assistant sent the person here first; else empty.
    next: &'static str,
    /// For the hidden username field that tells password managers whose password is asked for.
    email: String,
    verified: Option<String>,
    pending: Option<String>,
    /// "45 seconds" until another code may be sent.
    resend_wait: Option<String>,
    valid_minutes: i64,
    /// An SMS gateway is configured; without one, codes land in the server's outbox folder.
    sms_configured: bool,
    required_for_2fa: bool,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    /// The number as typed, after a problem with it.
    number: String,
}

impl PhonePage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }

    fn field_problem(&self, form: &str, field: &str) -> Option<&str> {
        self.problem(form)
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

/// What the page needs besides the number's state.
pub struct View {
    pub wizard: bool,
    pub next: &'static str,
    pub email: String,
    pub notice: Option<Notice>,
    pub problem: Option<FormProblem>,
    pub number: String,
}

/// "45 seconds", or minutes for longer waits, in the page's language.
fn wait_words(secs: i64) -> String {
    match secs.max(1) {
        s @ 1..120 => tr_with("security-wait-seconds", &[("seconds", s.into())]),
        s => tr_with(
            "security-wait-minutes",
            &[("minutes", ((s + 59) / 60).into())],
        ),
    }
}

/// The page for a number in state `status`, in `layout` (the account's or the wizard's), with
/// what `view` adds.
pub fn page(
    state: &AppState,
    csrf: &CsrfToken,
    layout: Layout,
    status: &PhoneStatus,
    view: View,
) -> PhonePage {
    PhonePage {
        layout,
        csrf: csrf.value().to_owned(),
        action: if view.wizard {
            "/login/setup/phone"
        } else {
            paths::PHONE
        },
        wizard: view.wizard,
        next: view.next,
        email: view.email,
        verified: status.verified.as_ref().map(PhoneNumber::masked),
        pending: status.pending.as_ref().map(PhoneNumber::masked),
        resend_wait: status.resend_after_secs.map(wait_words),
        valid_minutes: state.services.settings.phone_code_secs / 60,
        sms_configured: state.config.delivery.sms.is_some(),
        required_for_2fa: status.required_for_2fa,
        notice: view.notice,
        problem: view.problem,
        number: view.number,
    }
}

/// The sentence for a failure on one of the page's forms, the field it belongs to, and the
/// status; `None` for failures that are not the person's to fix.
pub fn problem(form: &'static str, e: &Error) -> Option<(StatusCode, FormProblem)> {
    let (status, mut message) = explain(e)?;
    let field = match (form, e) {
        ("number", Error::InvalidPhone | Error::Conflict(_)) => "number",
        ("number", Error::InvalidPassword | Error::Validation(_)) => "password",
        // Every refusal of the code form is about the code: shown beside it, tied to the input.
        ("code", _) => "code",
        _ => "",
    };
    if let Error::TooManyAttempts { retry_after_secs } = e {
        // The core's sentence speaks of failed attempts; here it is texts sent too often.
        message = tr_with(
            "security-phone-sent-recently",
            &[("wait", wait_words(*retry_after_secs).into())],
        );
    }
    if matches!(e, Error::InvalidCode) {
        // The core's sentence speaks of the authenticator app.
        message = tr("security-phone-wrong-code");
    }
    Some((status, FormProblem::new(form, field, message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_seconds_then_minutes() {
        assert_eq!(wait_words(0), "1 second");
        assert_eq!(wait_words(45), "45 seconds");
        assert_eq!(wait_words(3000), "50 minutes");
        let german = crate::i18n::with_locale(portcullis_core::locale::Language::De, None, || {
            (wait_words(1), wait_words(3000))
        });
        assert_eq!(german, ("1 Sekunde".to_owned(), "50 Minuten".to_owned()));
    }
}

#[cfg(test)]
mod page_tests {
    use portcullis_core::locale::Language;
    use portcullis_core::model::Role;

    use super::*;

    fn page(problem: Option<FormProblem>) -> PhonePage {
        PhonePage {
            layout: Layout::signed_in("security-phone-title", "security", "csrf", Role::User),
            csrf: "csrf".to_owned(),
            action: paths::PHONE,
            wizard: false,
            next: "",
            email: "alice@example.com".to_owned(),
            verified: None,
            pending: Some("+49 151 ••••5678".to_owned()),
            resend_wait: None,
            valid_minutes: 10,
            sms_configured: true,
            required_for_2fa: false,
            notice: None,
            problem,
            number: String::new(),
        }
    }

    #[test]
    fn each_refusal_is_tied_to_its_input() {
        let wrong = FormProblem::new("code", "code", "Wrong.".to_owned());
        let html = page(Some(wrong)).render().unwrap();
        assert!(
            html.contains(r#"aria-describedby="code-hint code-error""#),
            "{html}"
        );
        assert!(html.contains(r#"id="code-error""#), "{html}");
        let late = FormProblem::new("resend", "", "Wait.".to_owned());
        let html = page(Some(late)).render().unwrap();
        assert!(
            html.contains(r#"aria-describedby="resend-hint resend-error""#),
            "{html}"
        );
        let bad = FormProblem::new("number", "number", "Bad.".to_owned());
        let html = page(Some(bad)).render().unwrap();
        assert!(
            html.contains(r#"aria-describedby="number-hint number-error""#),
            "{html}"
        );
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
    }

    #[test]
    fn the_page_speaks_german() {
        let html = crate::i18n::with_locale(Language::De, None, || page(None).render().unwrap());
        assert!(html.contains("Code aus der SMS"), "{html}");
        assert!(html.contains("Er ist 10 Minuten gültig."), "{html}");
    }
}
