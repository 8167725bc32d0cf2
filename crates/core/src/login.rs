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

/// How strongly a session's sign-in was proven, in the order of strength: the `acr` of an
/// OpenID Connect ID token and what `/login?acr=` asks for. A relying party asking `mfa` accepts
/// `phr` too, hence `Ord`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Acr {
    /// The password alone (or a recovery that removed every factor).
    Pwd,
    /// A second factor: a code, a push approval, a recovery code, or a key.
    Mfa,
    /// Phishing-resistant: a passkey or security key (WebAuthn binds its answer to our origin).
    Phr,
}

impl Acr {
    pub fn as_str(self) -> &'static str {
        match self {
            Acr::Pwd => "pwd",
            Acr::Mfa => "mfa",
            Acr::Phr => "phr",
        }
    }

    pub fn parse(s: &str) -> Option<Acr> {
        match s {
            "pwd" => Some(Acr::Pwd),
            "mfa" => Some(Acr::Mfa),
            "phr" => Some(Acr::Phr),
            _ => None,
        }
    }
}

/// A factor that joins the password (or an earlier sign-in) to open a session, as RFC 8176
/// names it in `amr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A code from the authenticator app: `otp`.
    Totp,
    /// A printed recovery code is a one-time password too: `otp`.
    RecoveryCode,
    /// A code sent by SMS: `sms`.
    Sms,
    /// A push approval, signed by the companion app's device key (a software key): `swk`.
    Push,
    /// A passkey or security key: `swk` when the credential may be synced between devices
    /// (backup eligible), else `hwk` (bound to one authenticator).
    Key { synced: bool },
}

impl Factor {
    fn amr(self) -> &'static str {
        match self {
            Factor::Totp | Factor::RecoveryCode => "otp",
            Factor::Sms => "sms",
            Factor::Push | Factor::Key { synced: true } => "swk",
            Factor::Key { synced: false } => "hwk",
        }
    }

    fn acr(self) -> Acr {
        match self {
            Factor::Key { .. } => Acr::Phr,
            _ => Acr::Mfa,
        }
    }

    /// The second step's method this factor answers, for the audit and the ticket's rules.
    pub fn method(self) -> Option<Method> {
        match self {
            Factor::Totp => Some(Method::Totp),
            Factor::RecoveryCode => Some(Method::RecoveryCode),
            Factor::Push => Some(Method::Push),
            Factor::Key { .. } => Some(Method::Webauthn),
            Factor::Sms => None,
        }
    }
}

impl Method {
    /// The assurance a second step by this method reaches.
    pub fn acr(self) -> Acr {
        match self {
            Method::Webauthn => Acr::Phr,
            _ => Acr::Mfa,
        }
    }
}

/// What a session records about its sign-in: the RFC 8176 `amr` values, in the order proven,
/// and the resulting `acr`. Kept beside each other because `amr` alone cannot tell a push
/// approval (`pwd swk`, mfa) from a synced key as second step (also `pwd swk`, phr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assurance {
    pub amr: Vec<String>,
    pub acr: Acr,
}

impl Assurance {
    /// The password alone.
    pub fn password() -> Assurance {
        Assurance {
            amr: vec!["pwd".into()],
            acr: Acr::Pwd,
        }
    }

    /// The password and a factor: the usual two steps, or the forced setup's new factor.
    pub fn password_and(factor: Factor) -> Assurance {
        Assurance::password().with(factor)
    }

    /// A passkey alone: the key, the user verification it demanded (PIN or biometrics), and
    /// together two factors.
    pub fn passkey(synced: bool) -> Assurance {
        Assurance {
            amr: vec![
                Factor::Key { synced }.amr().into(),
                "user".into(),
                "mfa".into(),
            ],
            acr: Acr::Phr,
        }
    }

    /// Recovery of a lost phone: password and a recovery code were shown, but the same act removed
    /// every factor of the account. The session says what was proven (`pwd otp`) but not `mfa`,
    /// and only `pwd` as its level: the account now has no second factor, a stolen recovery
    /// kit plus the password is all it took, and the sessions that follow will be password-only.
    pub fn recovered() -> Assurance {
        Assurance {
            amr: vec!["pwd".into(), Factor::RecoveryCode.amr().into()],
            acr: Acr::Pwd,
        }
    }

    /// This sign-in with one more factor proven (the second step, or a step-up of a session):
    /// the factor's value joins once, `mfa` moves to the end, and the level is the stronger.
    pub fn with(&self, factor: Factor) -> Assurance {
        let mut amr: Vec<String> = self.amr.iter().filter(|m| *m != "mfa").cloned().collect();
        if !amr.iter().any(|m| m == factor.amr()) {
            amr.push(factor.amr().into());
        }
        amr.push("mfa".into());
        Assurance {
            amr,
            acr: self.acr.max(factor.acr()).max(Acr::Mfa),
        }
    }

    /// What a session written before sessions recorded `amr` reads as: all that is known is
    /// whether a second factor was passed.
    pub fn legacy(second_factor: bool) -> Assurance {
        if second_factor {
            Assurance {
                amr: vec!["mfa".into()],
                acr: Acr::Mfa,
            }
        } else {
            Assurance::password()
        }
    }

    /// The `second_factor` flag older code and the 2FA-protected resources read.
    pub fn second_factor(&self) -> bool {
        self.acr >= Acr::Mfa
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amr(a: &Assurance) -> Vec<&str> {
        a.amr.iter().map(String::as_str).collect()
    }

    #[test]
    fn each_way_of_signing_in_records_its_rfc_8176_methods() {
        assert_eq!(amr(&Assurance::password()), ["pwd"]);
        assert_eq!(
            amr(&Assurance::password_and(Factor::Totp)),
            ["pwd", "otp", "mfa"]
        );
        assert_eq!(
            amr(&Assurance::password_and(Factor::Sms)),
            ["pwd", "sms", "mfa"]
        );
        assert_eq!(
            amr(&Assurance::password_and(Factor::Push)),
            ["pwd", "swk", "mfa"]
        );
        assert_eq!(
            amr(&Assurance::password_and(Factor::Key { synced: false })),
            ["pwd", "hwk", "mfa"]
        );
        assert_eq!(
            amr(&Assurance::password_and(Factor::Key { synced: true })),
            ["pwd", "swk", "mfa"]
        );
        assert_eq!(amr(&Assurance::passkey(false)), ["hwk", "user", "mfa"]);
        assert_eq!(amr(&Assurance::passkey(true)), ["swk", "user", "mfa"]);
        assert_eq!(amr(&Assurance::recovered()), ["pwd", "otp"]);
        assert_eq!(
            amr(&Assurance::password_and(Factor::RecoveryCode)),
            ["pwd", "otp", "mfa"]
        );
    }

    #[test]
    fn the_level_is_phishing_resistant_only_when_a_key_was_used() {
        assert_eq!(Assurance::password().acr, Acr::Pwd);
        assert_eq!(Assurance::recovered().acr, Acr::Pwd);
        assert_eq!(Assurance::password_and(Factor::Totp).acr, Acr::Mfa);
        assert_eq!(Assurance::password_and(Factor::RecoveryCode).acr, Acr::Mfa);
        // A push approval and a synced key both read `pwd swk`; only the level tells them apart.
        assert_eq!(Assurance::password_and(Factor::Push).acr, Acr::Mfa);
        assert_eq!(
            Assurance::password_and(Factor::Key { synced: true }).acr,
            Acr::Phr
        );
        assert_eq!(Assurance::passkey(true).acr, Acr::Phr);
        assert!(Acr::Pwd < Acr::Mfa && Acr::Mfa < Acr::Phr);
    }

    #[test]
    fn a_step_up_adds_the_new_factor_to_what_the_session_had() {
        let push = Assurance::password_and(Factor::Push);
        let stepped = push.with(Factor::Key { synced: false });
        assert_eq!(amr(&stepped), ["pwd", "swk", "hwk", "mfa"]);
        assert_eq!(stepped.acr, Acr::Phr);
        // The same factor twice is named once.
        let again = Assurance::password_and(Factor::Totp).with(Factor::Totp);
        assert_eq!(amr(&again), ["pwd", "otp", "mfa"]);
        // After a recovery, a newly set up app brings the session to mfa.
        assert_eq!(Assurance::recovered().with(Factor::Totp).acr, Acr::Mfa);
    }

    #[test]
    fn sessions_from_before_amr_read_as_what_their_flag_says() {
        assert_eq!(amr(&Assurance::legacy(false)), ["pwd"]);
        assert_eq!(Assurance::legacy(false).acr, Acr::Pwd);
        assert_eq!(amr(&Assurance::legacy(true)), ["mfa"]);
        assert_eq!(Assurance::legacy(true).acr, Acr::Mfa);
        assert!(Assurance::legacy(true).second_factor());
        assert!(!Assurance::recovered().second_factor());
    }

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
    fn acr_values_parse_and_print_alike() {
        for acr in [Acr::Pwd, Acr::Mfa, Acr::Phr] {
            assert_eq!(Acr::parse(acr.as_str()), Some(acr));
        }
        assert_eq!(Acr::parse("MFA"), None);
        assert_eq!(Acr::parse(""), None);
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
