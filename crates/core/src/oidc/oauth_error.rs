//! The OAuth 2.0 error answers (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, OpenID Connect Core
//! §3.1.2.6): a fixed code the client acts on and a sentence for its developer. They are the one
//! place where our answers do not use `{"error":{"code","message"}}`: clients parse these.

use crate::error::Error;

/// The error codes of the protocol, spelled as the RFCs do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    InvalidToken,
    TemporarilyUnavailable,
}

impl OAuthCode {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthCode::InvalidRequest => "invalid_request",
            OAuthCode::InvalidClient => "invalid_client",
            OAuthCode::InvalidGrant => "invalid_grant",
            OAuthCode::UnauthorizedClient => "unauthorized_client",
            OAuthCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthCode::UnsupportedResponseType => "unsupported_response_type",
            OAuthCode::InvalidScope => "invalid_scope",
            OAuthCode::AccessDenied => "access_denied",
            OAuthCode::LoginRequired => "login_required",
            OAuthCode::ConsentRequired => "consent_required",
            OAuthCode::InteractionRequired => "interaction_required",
            OAuthCode::InvalidToken => "invalid_token",
            OAuthCode::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// A refusal in the protocol's terms, or a failure of ours (answered as a server error).
#[derive(Debug)]
pub enum OAuthError {
    Refused {
        code: OAuthCode,
        description: String,
    },
    /// Too many wrong client secrets: wait this many seconds.
    Throttled {
        retry_after_secs: i64,
    },
    Failed(Error),
}

impl OAuthError {
    pub fn new(code: OAuthCode, description: impl Into<String>) -> Self {
        OAuthError::Refused {
            code,
            description: description.into(),
        }
    }
}

impl From<Error> for OAuthError {
    fn from(e: Error) -> Self {
        match e {
            Error::TooManyAttempts { retry_after_secs } => {
                OAuthError::Throttled { retry_after_secs }
            }
            e => OAuthError::Failed(e),
        }
    }
}

pub type OAuthResult<T> = std::result::Result<T, OAuthError>;
