//! What we tell people, by email or SMS. A use case queues a [`Notice`] in the outbox in the same
//! transaction as the change that causes it; the server renders it into text (and HTML for email)
//! from its templates only at delivery. The notice is sealed while queued because it can hold a
//! link token or a code.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// A change to an account that its holder hears about. Who made it is [`ChangedBy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SecurityEvent {
    PasswordChanged,
    PasswordReset,
    TwoFactorActivated,
    TwoFactorDeactivated,
    TwoFactorRemovedByRecovery,
    TwoFactorResetByAdmin,
    TwoFactorForced,
    TwoFactorUnforced,
    RecoveryCodesRegenerated,
    /// `left` unused codes remain; at 3 or fewer the message nudges to make new ones.
    RecoveryCodeUsed {
        left: i64,
    },
    PhoneChanged,
    SupportPinChanged,
    /// A support agent checked a wrong PIN; `checks_locked` when that locked further checks.
    SupportPinCheckFailed {
        checks_locked: bool,
    },
    AppPasswordCreated {
        name: String,
    },
    /// A companion app was paired, or removed, for push approval.
    PushDevicePaired {
        name: String,
    },
    PushDeviceRemoved {
        name: String,
    },
    /// A passkey or security key was added, or removed.
    WebauthnAdded {
        name: String,
    },
    WebauthnRemoved {
        name: String,
    },
    /// Someone with the right changed the holder's role; `to` is the new role's name
    /// ([`crate::model::Role::as_str`]).
    RoleChanged {
        to: String,
    },
}

/// Who made a change the holder is told about, which decides what the message offers.
///
/// Only a change made with the holder's own credentials (their password, session, a factor, a
/// recovery code, a reset link or code sent to them) can mean that someone else holds those
/// credentials; only such a notice carries the "this wasn't me" lock link. A change made by an
/// administrator or the operator names who made it and suggests asking them: locking one's own
/// account would neither undo it nor stop anyone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "who", rename_all = "snake_case")]
pub enum ChangedBy {
    /// Someone with the holder's own credentials: the holder, or whoever has them.
    #[default]
    Holder,
    /// An owner or administrator of the holder's organisation, acting in the user manager.
    Administrator { email: String, owner: bool },
    /// The operator at the server's shell (`portcullis user …`).
    Operator,
}

impl ChangedBy {
    /// Whether the notice offers to lock the account: only for the holder's own credentials.
    pub fn offers_lock(&self) -> bool {
        matches!(self, ChangedBy::Holder)
    }
}

/// What is sealed into the outbox: the notice and the language and time zone of the person it
/// is for, taken when it is queued.
#[derive(Serialize)]
pub struct AddressedNotice<'a> {
    pub notice: &'a Notice,
    pub locale: crate::locale::Locale,
}

/// What delivery opens: a notice and, for one queued since messages were translated, the
/// recipient's language and time zone.
#[derive(Deserialize)]
pub struct OpenedNotice {
    pub notice: Notice,
    pub locale: Option<crate::locale::Locale>,
}

impl OpenedNotice {
    /// Reads a sealed notice's plaintext: addressed, or a bare notice queued before.
    pub fn from_json(plain: &[u8]) -> Result<OpenedNotice, serde_json::Error> {
        serde_json::from_slice::<OpenedNotice>(plain).or_else(|_| {
            serde_json::from_slice::<Notice>(plain).map(|notice| OpenedNotice {
                notice,
                locale: None,
            })
        })
    }
}

/// One message. Fields are what the templates need; links are tokens the renderer turns into
/// URLs under the configured public URL. Zeroized on drop: it carries those tokens and codes.
#[derive(
    Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// An administrator created an account without a password; the link sets the first one.
    Invitation {
        email: String,
        token: String,
        valid_days: i64,
    },
    /// Forgot password: a single-use link, and whether an SMS code was sent as well.
    PasswordReset {
        email: String,
        token: String,
        valid_minutes: i64,
        sms_code_sent: bool,
    },
    /// SMS: the code that verifies a mobile number.
    PhoneCode { code: String, valid_minutes: i64 },
    /// SMS: the code that resets the password.
    ResetCode { code: String, valid_minutes: i64 },
    /// To the account holder: something changed.
    Security {
        email: String,
        #[serde(flatten)]
        #[zeroize(skip)]
        event: SecurityEvent,
        /// Unix seconds.
        at: i64,
        ip: Option<String>,
        /// Who made the change. Notices queued before this field existed were all sent with a
        /// lock link, hence the default.
        #[serde(default)]
        #[zeroize(skip)]
        by: ChangedBy,
        /// Single-use "this wasn't me" token; only when [`ChangedBy::offers_lock`].
        lock_token: Option<String>,
    },
    /// To the account holder: a sign-in from a browser family or network not seen for the
    /// account lately. `client` is "Firefox on Linux" or "API client: curl".
    NewSignIn {
        email: String,
        /// Unix seconds.
        at: i64,
        ip: Option<String>,
        client: String,
        /// Single-use "this wasn't me" token.
        lock_token: String,
    },
    /// To the account holder: `wrong_codes` wrong second-factor codes within the hour after a
    /// right password, the latest from `ip` with `client`.
    SecondFactorFailures {
        email: String,
        /// Unix seconds of the latest wrong code.
        at: i64,
        ip: Option<String>,
        client: String,
        wrong_codes: i64,
        /// Single-use "this wasn't me" token.
        lock_token: String,
    },
    /// To the contract's owner: a user locked their account with "this wasn't me".
    AccountLocked {
        user_email: String,
        at: i64,
        ip: Option<String>,
    },
}

impl Notice {
    /// A stable name for the kind of message (kept beside the sealed notice in the outbox).
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Invitation { .. } => "invitation",
            Notice::PasswordReset { .. } => "password_reset",
            Notice::PhoneCode { .. } => "phone_code",
            Notice::ResetCode { .. } => "reset_code",
            Notice::Security { .. } => "security",
            Notice::NewSignIn { .. } => "new_sign_in",
            Notice::SecondFactorFailures { .. } => "second_factor_failures",
            Notice::AccountLocked { .. } => "account_locked",
        }
    }
}

/// Notices carry tokens and codes: `Debug` shows only the kind.
impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Notice({})", self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_security_notice_round_trips_through_json_with_its_event_inline() {
        let n = Notice::Security {
            email: "a@example.com".into(),
            event: SecurityEvent::RecoveryCodeUsed { left: 2 },
            at: 10,
            ip: None,
            by: ChangedBy::Holder,
            lock_token: Some("t".into()),
        };
        let json = serde_json::to_value(&n).unwrap();
        assert_eq!(json["kind"], "security");
        assert_eq!(json["event"], "recovery_code_used");
        assert_eq!(json["left"], 2);
        let back: Notice = serde_json::from_value(json).unwrap();
        assert!(back == n);
        assert_eq!(format!("{n:?}"), "Notice(security)");
    }

    #[test]
    fn a_notice_queued_before_the_actor_was_recorded_reads_as_the_holders_with_its_lock_link() {
        let old = serde_json::json!({
            "kind": "security", "email": "a@example.com", "event": "password_changed",
            "at": 10, "ip": null, "lock_token": "t",
        });
        let notice: Notice = serde_json::from_value(old).unwrap();
        let Notice::Security { by, lock_token, .. } = &notice else {
            panic!("a security notice");
        };
        assert_eq!((by, lock_token.as_deref()), (&ChangedBy::Holder, Some("t")));
    }

    #[test]
    fn an_administrators_change_names_them_and_offers_no_lock() {
        let n = Notice::Security {
            email: "b@example.com".into(),
            event: SecurityEvent::TwoFactorForced,
            at: 10,
            ip: None,
            by: ChangedBy::Administrator {
                email: "ann@example.com".into(),
                owner: false,
            },
            lock_token: None,
        };
        let json = serde_json::to_value(&n).unwrap();
        assert_eq!(json["by"]["who"], "administrator");
        assert_eq!(json["by"]["email"], "ann@example.com");
        assert!(serde_json::from_value::<Notice>(json).unwrap() == n);
        assert!(ChangedBy::Holder.offers_lock());
        assert!(!ChangedBy::Operator.offers_lock());
    }
}
