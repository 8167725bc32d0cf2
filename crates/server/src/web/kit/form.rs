//! What the pages' forms share: a problem shown beside the field it concerns ([`FormError`] on a
//! page with one form, [`FormProblem`] on a page with several), and the form that only asks for
//! the current password. Reading a form, and refusing a forged one, is `csrf`'s; what a problem
//! says is `error::explain`'s.

use serde::Deserialize;

/// A problem with a page's one form, and the field it concerns (for `aria-describedby`).
pub struct FormError {
    /// The field's name (`old_password`, `pin`, `code`, …), or empty for the whole form.
    pub field: &'static str,
    pub message: String,
}

/// What went wrong with one of several forms on a page: the form stays open and the message
/// sits beside the field it concerns.
pub struct FormProblem {
    /// Which form: `invite`, `policy`, `group-{id}`, …; the template asks by this name.
    pub form: String,
    /// The input the message belongs to (for `aria-describedby`), or empty for the whole form.
    pub field: &'static str,
    pub message: String,
}

impl FormProblem {
    pub fn new(form: impl Into<String>, field: &'static str, message: String) -> Self {
        FormProblem {
            form: form.into(),
            field,
            message,
        }
    }
}

/// The problem that belongs to `form`, if any: for templates, `problem_for(problem, "invite")`.
pub fn problem_for<'a>(problem: &'a Option<FormProblem>, form: &str) -> Option<&'a FormProblem> {
    problem.as_ref().filter(|p| p.form == form)
}

/// The forms that only ask for the current password: remove the authenticator app, make new
/// recovery codes.
#[derive(Deserialize)]
pub struct PasswordForm {
    pub password: String,
}
