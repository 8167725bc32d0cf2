//! What an authorization asks of the person next, once the request is valid: sign in (again,
//! or more strongly), decide on consent, or nothing, and the code is issued. With `prompt=none`
//! every one of those becomes the error OpenID Connect Core §3.1.2.6 names, sent to the client.
//! A sign-in made after the request arrived satisfies `prompt=login` and `max_age`, so coming
//! back from the sign-in page never sends the person round again.

use super::oauth_error::OAuthCode;
use super::request::{AcrLevel, AuthorizeRequest};
use crate::clock::UnixTime;

/// What the current browser session says about its sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedInFacts {
    pub auth_time: UnixTime,
    pub acr: AcrLevel,
}

/// What the client itself demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientDemands {
    /// "Requires 2FA": at least `mfa`, whatever the request says.
    pub require_2fa: bool,
    /// First-party clients need no consent.
    pub first_party: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send the person to sign in, asking for at least `acr`; `fresh`: the current session
    /// must end first (`prompt=login`, or a sign-in older than `max_age`).
    SignIn { acr: Option<AcrLevel>, fresh: bool },
    /// Show the consent page.
    Consent,
    /// Issue the code.
    Issue,
    /// Send this error to the client.
    Refuse(OAuthCode, &'static str),
}

/// The assurance this authorization needs: the request's `acr_values`, raised to `mfa` by a
/// client that requires 2FA.
pub fn needed_acr(req: &AuthorizeRequest, demands: ClientDemands) -> Option<AcrLevel> {
    let client = demands.require_2fa.then_some(AcrLevel::Mfa);
    req.acr.max(client)
}

/// The next step. `consented`: a remembered consent covers the scopes asked for;
/// `requested_at`: when the request arrived.
pub fn next_step(
    req: &AuthorizeRequest,
    session: Option<SignedInFacts>,
    demands: ClientDemands,
    consented: bool,
    requested_at: UnixTime,
    now: UnixTime,
) -> Next {
    let acr = needed_acr(req, demands);
    let Some(session) = session else {
        if req.prompt_none {
            return Next::Refuse(OAuthCode::LoginRequired, "nobody is signed in");
        }
        return Next::SignIn { acr, fresh: false };
    };
    let signed_in_for_this = session.auth_time >= requested_at;
    let too_old = req
        .max_age
        .is_some_and(|max| now.0 - session.auth_time.0 > max);
    if !signed_in_for_this && (req.prompt_login || too_old) {
        if req.prompt_none {
            return Next::Refuse(
                OAuthCode::LoginRequired,
                "the sign-in is older than max_age",
            );
        }
        return Next::SignIn { acr, fresh: true };
    }
    if acr.is_some_and(|needed| session.acr < needed) {
        if req.prompt_none {
            return Next::Refuse(
                OAuthCode::InteractionRequired,
                "the sign-in is not strong enough for this client",
            );
        }
        return Next::SignIn { acr, fresh: false };
    }
    if !demands.first_party && (req.prompt_consent || !consented) {
        if req.prompt_none {
            return Next::Refuse(OAuthCode::ConsentRequired, "the person has not consented");
        }
        return Next::Consent;
    }
    Next::Issue
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AuthorizeRequest {
        AuthorizeRequest {
            client_id: "c".into(),
            redirect_uri: "https://rp/cb".into(),
            scopes: vec!["openid".into()],
            state: None,
            nonce: None,
            code_challenge: None,
            prompt_none: false,
            prompt_login: false,
            prompt_consent: false,
            max_age: None,
            acr: None,
        }
    }

    const THIRD_PARTY: ClientDemands = ClientDemands {
        require_2fa: false,
        first_party: false,
    };

    fn signed_in(at: i64, acr: AcrLevel) -> Option<SignedInFacts> {
        Some(SignedInFacts {
            auth_time: UnixTime(at),
            acr,
        })
    }

    #[test]
    fn nobody_signed_in_is_sent_to_sign_in_or_refused_under_prompt_none() {
        let r = request();
        let step = next_step(&r, None, THIRD_PARTY, true, UnixTime(100), UnixTime(100));
        assert_eq!(
            step,
            Next::SignIn {
                acr: None,
                fresh: false
            }
        );
        let none = AuthorizeRequest {
            prompt_none: true,
            ..request()
        };
        let step = next_step(&none, None, THIRD_PARTY, true, UnixTime(100), UnixTime(100));
        assert!(matches!(step, Next::Refuse(OAuthCode::LoginRequired, _)));
    }

    #[test]
    fn prompt_login_and_max_age_want_a_sign_in_made_after_the_request() {
        let login = AuthorizeRequest {
            prompt_login: true,
            ..request()
        };
        let old = signed_in(50, AcrLevel::Pwd);
        let step = next_step(&login, old, THIRD_PARTY, true, UnixTime(100), UnixTime(100));
        assert_eq!(
            step,
            Next::SignIn {
                acr: None,
                fresh: true
            }
        );
        let fresh = signed_in(101, AcrLevel::Pwd);
        let step = next_step(
            &login,
            fresh,
            THIRD_PARTY,
            true,
            UnixTime(100),
            UnixTime(130),
        );
        assert_eq!(step, Next::Issue);
        let max_age = AuthorizeRequest {
            max_age: Some(0),
            ..request()
        };
        let step = next_step(
            &max_age,
            old,
            THIRD_PARTY,
            true,
            UnixTime(100),
            UnixTime(100),
        );
        assert_eq!(
            step,
            Next::SignIn {
                acr: None,
                fresh: true
            }
        );
        let step = next_step(
            &max_age,
            fresh,
            THIRD_PARTY,
            true,
            UnixTime(100),
            UnixTime(130),
        );
        assert_eq!(step, Next::Issue);
    }

    #[test]
    fn a_client_that_requires_2fa_sends_a_password_only_session_to_step_up() {
        let demands = ClientDemands {
            require_2fa: true,
            first_party: true,
        };
        let pwd = signed_in(50, AcrLevel::Pwd);
        let step = next_step(
            &request(),
            pwd,
            demands,
            false,
            UnixTime(100),
            UnixTime(100),
        );
        assert_eq!(
            step,
            Next::SignIn {
                acr: Some(AcrLevel::Mfa),
                fresh: false
            }
        );
        let phr = signed_in(50, AcrLevel::Phr);
        let step = next_step(
            &request(),
            phr,
            demands,
            false,
            UnixTime(100),
            UnixTime(100),
        );
        assert_eq!(step, Next::Issue);
    }

    #[test]
    fn consent_is_asked_unless_remembered_or_first_party_and_always_under_prompt_consent() {
        let s = signed_in(50, AcrLevel::Mfa);
        let at = UnixTime(100);
        assert_eq!(
            next_step(&request(), s, THIRD_PARTY, false, at, at),
            Next::Consent
        );
        assert_eq!(
            next_step(&request(), s, THIRD_PARTY, true, at, at),
            Next::Issue
        );
        let forced = AuthorizeRequest {
            prompt_consent: true,
            ..request()
        };
        assert_eq!(
            next_step(&forced, s, THIRD_PARTY, true, at, at),
            Next::Consent
        );
        let first = ClientDemands {
            require_2fa: false,
            first_party: true,
        };
        assert_eq!(next_step(&request(), s, first, false, at, at), Next::Issue);
        let none = AuthorizeRequest {
            prompt_none: true,
            ..request()
        };
        assert!(matches!(
            next_step(&none, s, THIRD_PARTY, false, at, at),
            Next::Refuse(OAuthCode::ConsentRequired, _)
        ));
    }
}
