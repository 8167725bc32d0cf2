//! What an authorization asks of the person next, once the request is valid: sign in (again,
//! or more strongly), decide on consent, or nothing, and the code is issued. With `prompt=none`
//! every one of those becomes the error OpenID Connect Core §3.1.2.6 names, sent to the client.
//! A sign-in made after the request was kept satisfies `prompt=login` and `max_age`, so coming
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
/// `requested_at`: when the request was kept to wait for a sign-in, `None` on its arrival (no
/// sign-in can have been made for it yet).
pub fn next_step(
    req: &AuthorizeRequest,
    session: Option<SignedInFacts>,
    demands: ClientDemands,
    consented: bool,
    requested_at: Option<UnixTime>,
    now: UnixTime,
) -> Next {
    let acr = needed_acr(req, demands);
    let Some(session) = session else {
        if req.prompt_none {
            return Next::Refuse(OAuthCode::LoginRequired, "nobody is signed in");
        }
        return Next::SignIn { acr, fresh: false };
    };
    let signed_in_for_this = requested_at.is_some_and(|at| session.auth_time >= at);
    // Seconds are coarse: `max_age=0` means "sign in again" (as `prompt=login`), even within
    // the second the session began.
    let too_old = req
        .max_age
        .is_some_and(|max| max == 0 || now.0 - session.auth_time.0 > max);
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

    /// [`next_step`] with times as plain seconds.
    fn step(
        req: &AuthorizeRequest,
        session: Option<SignedInFacts>,
        demands: ClientDemands,
        requested_at: Option<i64>,
        now: i64,
    ) -> Next {
        next_step(
            req,
            session,
            demands,
            true,
            requested_at.map(UnixTime),
            UnixTime(now),
        )
    }

    const SIGN_IN: Next = Next::SignIn {
        acr: None,
        fresh: false,
    };
    const SIGN_IN_AGAIN: Next = Next::SignIn {
        acr: None,
        fresh: true,
    };

    #[test]
    fn nobody_signed_in_is_sent_to_sign_in_or_refused_under_prompt_none() {
        assert_eq!(step(&request(), None, THIRD_PARTY, None, 100), SIGN_IN);
        let none = AuthorizeRequest {
            prompt_none: true,
            ..request()
        };
        let refused = step(&none, None, THIRD_PARTY, None, 100);
        assert!(matches!(refused, Next::Refuse(OAuthCode::LoginRequired, _)));
    }

    #[test]
    fn prompt_login_and_max_age_want_a_sign_in_made_after_the_request() {
        let login = AuthorizeRequest {
            prompt_login: true,
            ..request()
        };
        let old = signed_in(50, AcrLevel::Pwd);
        assert_eq!(step(&login, old, THIRD_PARTY, None, 100), SIGN_IN_AGAIN);
        // On arrival even a sign-in of the same second was not made for this request.
        let same_second = signed_in(100, AcrLevel::Pwd);
        assert_eq!(
            step(&login, same_second, THIRD_PARTY, None, 100),
            SIGN_IN_AGAIN
        );
        // Back from the sign-in page, kept since 100: a sign-in at 101 was made for it.
        let fresh = signed_in(101, AcrLevel::Pwd);
        assert_eq!(
            step(&login, fresh, THIRD_PARTY, Some(100), 130),
            Next::Issue
        );
        assert_eq!(
            step(&login, old, THIRD_PARTY, Some(100), 130),
            SIGN_IN_AGAIN
        );
        let max_age = AuthorizeRequest {
            max_age: Some(60),
            ..request()
        };
        assert_eq!(step(&max_age, old, THIRD_PARTY, None, 100), Next::Issue);
        assert_eq!(step(&max_age, old, THIRD_PARTY, None, 111), SIGN_IN_AGAIN);
        let zero = AuthorizeRequest {
            max_age: Some(0),
            ..request()
        };
        assert_eq!(
            step(&zero, same_second, THIRD_PARTY, None, 100),
            SIGN_IN_AGAIN
        );
        // A sign-in made for the request satisfies max_age however slow the way back was.
        let later = signed_in(120, AcrLevel::Pwd);
        assert_eq!(
            step(&max_age, later, THIRD_PARTY, Some(111), 200),
            Next::Issue
        );
    }

    #[test]
    fn a_client_that_requires_2fa_sends_a_password_only_session_to_step_up() {
        let demands = ClientDemands {
            require_2fa: true,
            first_party: true,
        };
        let pwd = signed_in(50, AcrLevel::Pwd);
        let mfa = Next::SignIn {
            acr: Some(AcrLevel::Mfa),
            fresh: false,
        };
        assert_eq!(step(&request(), pwd, demands, None, 100), mfa);
        let phr = signed_in(50, AcrLevel::Phr);
        assert_eq!(step(&request(), phr, demands, None, 100), Next::Issue);
    }

    #[test]
    fn consent_is_asked_unless_remembered_or_first_party_and_always_under_prompt_consent() {
        let s = signed_in(50, AcrLevel::Mfa);
        let at = UnixTime(100);
        assert_eq!(
            next_step(&request(), s, THIRD_PARTY, false, Some(at), at),
            Next::Consent
        );
        assert_eq!(
            next_step(&request(), s, THIRD_PARTY, true, Some(at), at),
            Next::Issue
        );
        let forced = AuthorizeRequest {
            prompt_consent: true,
            ..request()
        };
        assert_eq!(
            next_step(&forced, s, THIRD_PARTY, true, Some(at), at),
            Next::Consent
        );
        let first = ClientDemands {
            require_2fa: false,
            first_party: true,
        };
        assert_eq!(
            next_step(&request(), s, first, false, Some(at), at),
            Next::Issue
        );
        let none = AuthorizeRequest {
            prompt_none: true,
            ..request()
        };
        assert!(matches!(
            next_step(&none, s, THIRD_PARTY, false, Some(at), at),
            Next::Refuse(OAuthCode::ConsentRequired, _)
        ));
    }
}
