//! The login state machine. A correct password is only the first step: what comes next depends on
//! the factors the user has and whether 2FA is forced on them.
//!
//! ```text
//! password ok ──┬── no factor, not forced ──────────────► Complete (session)
//!               ├── at least one active factor ─────────► SecondFactor (ticket → code)
//!               └── forced, no active factor ───────────► EnrollmentRequired (ticket → wizard)
//! ```
//! Factors arrive with later issues; the decision is made here, in one pure function, so adding
//! them changes the inputs and not the shape of the login.

/// A way to prove the second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Totp,
    RecoveryCode,
    Push,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Totp => "totp",
            Method::RecoveryCode => "recovery_code",
            Method::Push => "push",
        }
    }
}

/// What a user has that bears on the second step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondStepState {
    pub active_methods: Vec<Method>,
    pub two_factor_forced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    Complete,
    SecondFactor { methods: Vec<Method> },
    EnrollmentRequired,
}

/// Decides what follows a correct password.
pub fn after_password(state: &SecondStepState) -> NextStep {
    // Recovery codes alone are not a factor: they only stand in for one.
    let has_factor = state
        .active_methods
        .iter()
        .any(|m| *m != Method::RecoveryCode);
    if has_factor {
        NextStep::SecondFactor {
            methods: state.active_methods.clone(),
        }
    } else if state.two_factor_forced {
        NextStep::EnrollmentRequired
    } else {
        NextStep::Complete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_without_factors_is_logged_in_by_the_password() {
        assert_eq!(
            after_password(&SecondStepState::default()),
            NextStep::Complete
        );
    }

    #[test]
    fn a_user_with_a_factor_must_pass_the_second_step() {
        let s = SecondStepState {
            active_methods: vec![Method::Totp, Method::RecoveryCode],
            two_factor_forced: false,
        };
        assert_eq!(
            after_password(&s),
            NextStep::SecondFactor {
                methods: vec![Method::Totp, Method::RecoveryCode]
            }
        );
    }

    #[test]
    fn a_forced_user_without_a_factor_must_enrol_first() {
        let forced = |methods| SecondStepState {
            active_methods: methods,
            two_factor_forced: true,
        };
        assert_eq!(
            after_password(&forced(vec![])),
            NextStep::EnrollmentRequired
        );
        assert_eq!(
            after_password(&forced(vec![Method::RecoveryCode])),
            NextStep::EnrollmentRequired
        );
        assert!(matches!(
            after_password(&forced(vec![Method::Push])),
            NextStep::SecondFactor { .. }
        ));
    }
}
