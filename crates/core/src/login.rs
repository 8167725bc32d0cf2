//! The login state machine. A correct password is only the first step: what comes next depends on
//! the factors the user has and whether 2FA is forced on them.
//!
//! ```text
//! password ok ──┬── no factor, not forced ──────────────► Complete (session)
//!               ├── at least one active factor ─────────► SecondFactor (ticket → code)
//!               └── forced, no active factor ───────────► EnrollmentRequired (ticket → wizard)
//! ```
//! Factors arrive with later issues; the decision is made here, in one pure function, so adding
//! them changes the inputs and not the shape of the login. An application may ask a sign-in to
//! end at a level ([`SecondStepState::requiring`]); how strongly a sign-in was proven is
//! [`assurance`]'s.

mod assurance;

pub use assurance::{Acr, Assurance, Factor};

/// A way to prove the second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Totp,
    RecoveryCode,
    Push,
    /// A passkey or security key (WebAuthn).
    Webauthn,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Totp => "totp",
            Method::RecoveryCode => "recovery_code",
            Method::Push => "push",
            Method::Webauthn => "webauthn",
        }
    }
}

/// What a user has that bears on the second step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondStepState {
    pub active_methods: Vec<Method>,
    pub two_factor_forced: bool,
    /// The contract accepts only a passkey or security key (recovery codes still stand in).
    pub phishing_resistant_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    Complete,
    SecondFactor { methods: Vec<Method> },
    EnrollmentRequired,
}

impl SecondStepState {
    /// This state for a sign-in that must end at `required` (a relying application's `acr`):
    /// `mfa` makes a factor necessary as if 2FA were forced; `phr` lets only a key count, as
    /// "phishing-resistant only" does, and leaves the recovery codes out too, since they never
    /// reach that level.
    pub fn requiring(&self, required: Acr) -> SecondStepState {
        let mut state = self.clone();
        state.two_factor_forced |= required >= Acr::Mfa;
        if required == Acr::Phr {
            state.phishing_resistant_required = true;
            state.active_methods.retain(|m| *m != Method::RecoveryCode);
        }
        state
    }
}

/// Decides what follows a correct password.
pub fn after_password(state: &SecondStepState) -> NextStep {
    // Under "phishing-resistant only" a code or a push cannot finish the login: only a key
    // counts as a factor, and only a key and the recovery codes are offered.
    let counts = |m: &Method| {
        if state.phishing_resistant_required {
            *m == Method::Webauthn
        } else {
            *m != Method::RecoveryCode
        }
    };
    // Recovery codes alone are not a factor: they only stand in for one.
    let has_factor = state.active_methods.iter().any(counts);
    if has_factor {
        NextStep::SecondFactor {
            methods: state
                .active_methods
                .iter()
                .copied()
                .filter(|m| counts(m) || *m == Method::RecoveryCode)
                .collect(),
        }
    } else if state.two_factor_forced || state.phishing_resistant_required {
        NextStep::EnrollmentRequired
    } else {
        NextStep::Complete
    }
}

/// What the forced setup may add, in the order it offers them: under "phishing-resistant only"
/// nothing but a passkey or security key, otherwise the authenticator app or a key.
pub fn setup_methods(state: &SecondStepState) -> Vec<Method> {
    if state.phishing_resistant_required {
        vec![Method::Webauthn]
    } else {
        vec![Method::Totp, Method::Webauthn]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_for_more_makes_a_factor_necessary_and_phr_counts_only_keys() {
        let password_only = SecondStepState::default();
        assert_eq!(
            after_password(&password_only.requiring(Acr::Pwd)),
            NextStep::Complete
        );
        assert_eq!(
            after_password(&password_only.requiring(Acr::Mfa)),
            NextStep::EnrollmentRequired
        );
        let app = SecondStepState {
            active_methods: vec![Method::Totp, Method::RecoveryCode],
            ..SecondStepState::default()
        };
        assert_eq!(
            after_password(&app.requiring(Acr::Mfa)),
            NextStep::SecondFactor {
                methods: vec![Method::Totp, Method::RecoveryCode]
            }
        );
        let phr = app.requiring(Acr::Phr);
        assert_eq!(after_password(&phr), NextStep::EnrollmentRequired);
        assert_eq!(setup_methods(&phr), vec![Method::Webauthn]);
        let key = SecondStepState {
            active_methods: vec![Method::Totp, Method::Webauthn, Method::RecoveryCode],
            ..SecondStepState::default()
        };
        assert_eq!(
            after_password(&key.requiring(Acr::Phr)),
            NextStep::SecondFactor {
                methods: vec![Method::Webauthn]
            }
        );
    }

    #[test]
    fn the_setup_offers_only_a_key_when_the_contract_wants_one() {
        let mut s = SecondStepState {
            two_factor_forced: true,
            ..SecondStepState::default()
        };
        assert_eq!(setup_methods(&s), vec![Method::Totp, Method::Webauthn]);
        s.phishing_resistant_required = true;
        assert_eq!(setup_methods(&s), vec![Method::Webauthn]);
    }

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
            ..SecondStepState::default()
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
            ..SecondStepState::default()
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

    #[test]
    fn phishing_resistant_only_counts_keys_and_offers_keys_and_recovery_codes() {
        let only_keys = |methods| SecondStepState {
            active_methods: methods,
            two_factor_forced: false,
            phishing_resistant_required: true,
        };
        assert_eq!(
            after_password(&only_keys(vec![
                Method::Totp,
                Method::Push,
                Method::RecoveryCode
            ])),
            NextStep::EnrollmentRequired
        );
        assert_eq!(
            after_password(&only_keys(vec![
                Method::Totp,
                Method::Webauthn,
                Method::RecoveryCode
            ])),
            NextStep::SecondFactor {
                methods: vec![Method::Webauthn, Method::RecoveryCode]
            }
        );
        assert_eq!(
            after_password(&only_keys(vec![])),
            NextStep::EnrollmentRequired
        );
    }

    #[test]
    fn a_key_is_a_factor_like_any_other() {
        let s = SecondStepState {
            active_methods: vec![Method::Webauthn],
            ..SecondStepState::default()
        };
        assert_eq!(
            after_password(&s),
            NextStep::SecondFactor {
                methods: vec![Method::Webauthn]
            }
        );
    }
}
