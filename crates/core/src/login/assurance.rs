//! How strongly a sign-in was proven: the level ([`Acr`]: `pwd` < `mfa` < `phr`), the factors
//! as RFC 8176 names them ([`Factor`]), and what a session records of both ([`Assurance`]). Pure
//! rules: the services choose which factors were proven, the store keeps the result.

use super::Method;

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
    /// A browser remembered by a key pair it made and cannot export (WebCrypto, ECDSA P-256,
    /// non-extractable): a software-secured key, `swk`. Stands in for the second step; never
    /// phishing-resistant in the sense of `phr` (it is not WebAuthn), so `mfa`.
    RememberedBrowser,
}

impl Factor {
    fn amr(self) -> &'static str {
        match self {
            Factor::Totp | Factor::RecoveryCode => "otp",
            Factor::Sms => "sms",
            Factor::Push | Factor::Key { synced: true } | Factor::RememberedBrowser => "swk",
            Factor::Key { synced: false } => "hwk",
        }
    }

    /// The name `GET /api/v1/me/sessions` lists under `methods`.
    pub fn method_name(self) -> &'static str {
        match self {
            Factor::Totp => "totp",
            Factor::RecoveryCode => "recovery_code",
            Factor::Sms => "sms",
            Factor::Push => "push",
            Factor::Key { .. } => "webauthn",
            Factor::RememberedBrowser => "remembered_browser",
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
            Factor::Sms | Factor::RememberedBrowser => None,
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
/// the resulting `acr`, and the methods in our own words. Kept beside each other because `amr`
/// alone cannot tell a push approval (`pwd swk`, mfa) from a synced key as second step (also
/// `pwd swk`, phr) or from a remembered browser (`pwd swk`, mfa).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assurance {
    pub amr: Vec<String>,
    pub acr: Acr,
    /// What the sign-in used, as `GET /api/v1/me/sessions` lists it: `password`, `totp`,
    /// `push`, `recovery_code`, `webauthn`, `remembered_browser` (and `sms`), in the order proven.
    pub methods: Vec<String>,
}

impl Assurance {
    /// The password alone.
    pub fn password() -> Assurance {
        Assurance {
            amr: vec!["pwd".into()],
            acr: Acr::Pwd,
            methods: vec!["password".into()],
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
            methods: vec![Factor::Key { synced }.method_name().into()],
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
            methods: vec!["password".into(), Factor::RecoveryCode.method_name().into()],
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
        let mut methods = self.methods.clone();
        if !methods.iter().any(|m| m == factor.method_name()) {
            methods.push(factor.method_name().into());
        }
        Assurance {
            amr,
            acr: self.acr.max(factor.acr()).max(Acr::Mfa),
            methods,
        }
    }

    /// What a session written before sessions recorded `amr` reads as: all that is known is
    /// whether a second factor was passed.
    pub fn legacy(second_factor: bool) -> Assurance {
        if second_factor {
            Assurance {
                amr: vec!["mfa".into()],
                acr: Acr::Mfa,
                methods: vec!["password".into()],
            }
        } else {
            Assurance::password()
        }
    }

    /// The methods of a session stored before they were (migration 0014), read from its `amr`:
    /// `otp` was the app or a recovery code (read as `totp`), `swk` a push or a synced key,
    /// told apart by the level.
    pub fn methods_from_amr(amr: &[String], acr: Acr) -> Vec<String> {
        let mut methods: Vec<String> = Vec::new();
        for m in amr {
            let name = match m.as_str() {
                "pwd" => "password",
                "otp" => "totp",
                "sms" => "sms",
                "hwk" => "webauthn",
                "swk" if acr == Acr::Phr => "webauthn",
                "swk" => "push",
                _ => continue,
            };
            if !methods.iter().any(|x| x == name) {
                methods.push(name.into());
            }
        }
        if methods.is_empty() {
            methods.push("password".into());
        }
        methods
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

    fn methods(a: &Assurance) -> Vec<&str> {
        a.methods.iter().map(String::as_str).collect()
    }

    #[test]
    fn each_way_of_signing_in_names_its_methods_in_our_words() {
        assert_eq!(methods(&Assurance::password()), ["password"]);
        assert_eq!(
            methods(&Assurance::password_and(Factor::Totp)),
            ["password", "totp"]
        );
        assert_eq!(
            methods(&Assurance::password_and(Factor::Push)),
            ["password", "push"]
        );
        assert_eq!(
            methods(&Assurance::password_and(Factor::RecoveryCode)),
            ["password", "recovery_code"]
        );
        assert_eq!(
            methods(&Assurance::password_and(Factor::Key { synced: true })),
            ["password", "webauthn"]
        );
        assert_eq!(methods(&Assurance::passkey(false)), ["webauthn"]);
        assert_eq!(
            methods(&Assurance::recovered()),
            ["password", "recovery_code"]
        );
        let remembered = Assurance::password_and(Factor::RememberedBrowser);
        assert_eq!(methods(&remembered), ["password", "remembered_browser"]);
        assert_eq!(amr(&remembered), ["pwd", "swk", "mfa"]);
        assert_eq!(remembered.acr, Acr::Mfa);
        // A step-up names the new method once, after the old ones.
        let stepped = remembered.with(Factor::Key { synced: false });
        assert_eq!(
            methods(&stepped),
            ["password", "remembered_browser", "webauthn"]
        );
    }

    #[test]
    fn sessions_from_before_methods_read_them_from_their_amr() {
        let read = |amr: &[&str], acr| {
            let amr: Vec<String> = amr.iter().map(|m| m.to_string()).collect();
            Assurance::methods_from_amr(&amr, acr)
        };
        assert_eq!(read(&["pwd", "otp", "mfa"], Acr::Mfa), ["password", "totp"]);
        assert_eq!(read(&["pwd", "swk", "mfa"], Acr::Mfa), ["password", "push"]);
        assert_eq!(
            read(&["pwd", "swk", "mfa"], Acr::Phr),
            ["password", "webauthn"]
        );
        assert_eq!(read(&["hwk", "user", "mfa"], Acr::Phr), ["webauthn"]);
        assert_eq!(read(&["mfa"], Acr::Mfa), ["password"]);
    }

    #[test]
    fn acr_values_parse_and_print_alike() {
        for acr in [Acr::Pwd, Acr::Mfa, Acr::Phr] {
            assert_eq!(Acr::parse(acr.as_str()), Some(acr));
        }
        assert_eq!(Acr::parse("MFA"), None);
        assert_eq!(Acr::parse(""), None);
    }
}
