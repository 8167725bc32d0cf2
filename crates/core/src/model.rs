//! The records the rules work on. Ids are random UUIDs kept as text, so SQLite and PostgreSQL
//! store them alike and nothing can be learned from their order. Each kind of record has its own
//! id type, so a device id cannot be passed where an app password id is meant; an id serialises
//! as its bare text (as the audit trail has always written it).

use std::fmt;

use crate::clock::UnixTime;
use crate::email::Email;
use crate::login::{Acr, Assurance};

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub String);
        impl $name {
            pub fn generate() -> Self {
                $name(uuid::Uuid::new_v4().to_string())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(UserId);
id_type!(ContractId);
id_type!(SessionId);
id_type!(TicketId);
id_type!(GroupId);
id_type!(ResourceId);
id_type!(AppPasswordId);
id_type!(PushDeviceId);
id_type!(PushChallengeId);
id_type!(RadiusClientId);
id_type!(ServiceTokenId);
id_type!(WebauthnCredentialId);
id_type!(AccessRuleId);
id_type!(OidcClientId);
id_type!(RememberedBrowserId);

/// A person's place in a contract (organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Administrator,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Administrator => "administrator",
            Role::User => "user",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "administrator" => Some(Role::Administrator),
            "user" => Some(Role::User),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub contract_id: ContractId,
    pub email: Email,
    /// Argon2id PHC string; `None` for an invited user who has not set a password yet.
    pub password_hash: Option<String>,
    pub role: Role,
    pub created_at: UnixTime,
    pub last_login_at: Option<UnixTime>,
    /// An owner or administrator requires 2FA of this user ("Force 2-Factor Auth").
    pub force_2fa: bool,
    /// Set by "this wasn't me" from a security notice: every login is refused until an
    /// administrator or the operator unlocks the account.
    pub locked_at: Option<UnixTime>,
    /// The language the person chose for pages, emails and SMS; `None`: their browser's, else
    /// the deployment's.
    pub language: Option<crate::locale::Language>,
    /// The time zone the person chose for dates; `None`: the one their browser reports, else UTC.
    pub time_zone: Option<crate::locale::TimeZoneName>,
}

impl User {
    /// What messages to this person are written in.
    pub fn locale(&self, default: crate::locale::Language) -> crate::locale::Locale {
        crate::locale::Locale {
            language: self.language.unwrap_or(default),
            time_zone: self.time_zone.clone(),
        }
    }
}

/// An organisation: one owner, administrators and users.
#[derive(Debug, Clone)]
pub struct Contract {
    pub id: ContractId,
    pub name: String,
    /// Every user of the contract is treated as forced; only the owner may clear it.
    pub require_2fa: bool,
    /// Only a passkey or security key completes a sign-in (recovery codes still stand in,
    /// once each); TOTP and push do not. Only the owner may set or clear it.
    pub require_phishing_resistant: bool,
    /// How many days a browser may skip the second step once remembered (0–90; 0: never).
    /// A "phishing-resistant only" contract never remembers a browser, whatever this says.
    pub remember_browser_days: u32,
    /// Tell the account holder of a sign-in from a browser or network not seen before.
    pub new_sign_in_notice: bool,
}

impl Contract {
    /// The most days a contract may remember a browser for.
    pub const MAX_REMEMBER_BROWSER_DAYS: u32 = 90;

    /// How many days a browser may be remembered under this contract today (0: not at all). A
    /// remembered browser is a software key, not WebAuthn, so never under "phishing-resistant
    /// only".
    pub fn effective_remember_browser_days(&self) -> u32 {
        if self.require_phishing_resistant {
            0
        } else {
            self.remember_browser_days
        }
    }
}

/// A browser that skips the second step: the public half of the ECDSA P-256 key pair it made
/// with WebCrypto and cannot export. `id` is the base64url SHA-256 of `public_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedBrowser {
    pub id: RememberedBrowserId,
    pub user_id: UserId,
    /// The raw uncompressed P-256 point (65 bytes), base64url without padding.
    pub public_key: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// A passkey or security key of a user, as lists show it (the public key stays in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebauthnCredential {
    pub id: WebauthnCredentialId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
    /// Registered with user verification (a PIN or biometrics): it can sign in without a password.
    pub passkey: bool,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub transports: Vec<String>,
    pub aaguid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub contract_id: ContractId,
    pub name: String,
    pub members: Vec<UserId>,
}

/// What a resource is (data centres and snapshots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Datacenter,
    Snapshot,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Datacenter => "datacenter",
            ResourceKind::Snapshot => "snapshot",
        }
    }
    pub fn parse(s: &str) -> Option<ResourceKind> {
        match s {
            "datacenter" => Some(ResourceKind::Datacenter),
            "snapshot" => Some(ResourceKind::Snapshot),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub id: ResourceId,
    pub contract_id: ContractId,
    pub kind: ResourceKind,
    pub name: String,
    /// Seen and selected only in sessions completed with a second factor.
    pub requires_2fa: bool,
    /// Groups the resource is granted to.
    pub groups: Vec<GroupId>,
    pub created_at: UnixTime,
}

/// How the client holds its session: a bearer token for the API, a cookie for the web UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Web => "web",
        }
    }
    pub fn parse(s: &str) -> SessionKind {
        if s == "web" {
            SessionKind::Web
        } else {
            SessionKind::Api
        }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub kind: SessionKind,
    pub created_at: UnixTime,
    pub last_seen_at: UnixTime,
    /// The absolute end, whatever the activity.
    pub expires_at: UnixTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The login that opened this session passed a second factor (`assurance.acr >= Mfa`).
    pub second_factor: bool,
    /// How the sign-in that opened this session was proven (RFC 8176 `amr`, and its `acr`).
    pub assurance: Assurance,
}

impl Session {
    /// The RFC 8176 authentication methods of the sign-in that opened this session.
    pub fn amr(&self) -> &[String] {
        &self.assurance.amr
    }

    /// How strongly that sign-in was proven.
    pub fn acr(&self) -> Acr {
        self.assurance.acr
    }
}

/// What a login ticket allows: the second step of a login, or only the forced setup wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketPurpose {
    SecondFactor,
    Enrollment,
}

impl TicketPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketPurpose::SecondFactor => "second_factor",
            TicketPurpose::Enrollment => "enrollment",
        }
    }
    pub fn parse(s: &str) -> TicketPurpose {
        if s == "enrollment" {
            TicketPurpose::Enrollment
        } else {
            TicketPurpose::SecondFactor
        }
    }
}

/// The short-lived state between a correct password and a completed login. It is not a session
/// and grants nothing but the next step.
#[derive(Debug, Clone)]
pub struct LoginTicket {
    pub id: TicketId,
    pub user_id: UserId,
    pub purpose: TicketPurpose,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub failures: i64,
    pub used: bool,
    /// The level the login must end at (`/login?acr=`): the second step offers only factors
    /// that reach it. `Pwd` for an ordinary sign-in.
    pub acr: Acr,
    /// A step-up of a signed-in person starts from their session: the session that finishes it
    /// adds to that session's methods, and replaces it.
    pub step_up_of: Option<SessionId>,
}

/// Where a request came from, for the audit log and per-address throttling.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Idle and absolute session lifetimes (Keycloak's defaults: 30 minutes idle, 10 hours at most).
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 30 * 60,
            absolute_secs: 10 * 3600,
        }
    }
}

impl SessionPolicy {
    /// A session is alive while it is younger than its absolute end and was used recently.
    pub fn is_alive(&self, s: &Session, now: UnixTime) -> bool {
        now < s.expires_at && now < s.last_seen_at.plus_secs(self.idle_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: i64, last_seen: i64, policy: &SessionPolicy) -> Session {
        Session {
            id: SessionId::generate(),
            user_id: UserId::generate(),
            kind: SessionKind::Api,
            created_at: UnixTime(created),
            last_seen_at: UnixTime(last_seen),
            expires_at: UnixTime(created + policy.absolute_secs),
            ip: None,
            user_agent: None,
            second_factor: false,
            assurance: Assurance::password(),
        }
    }

    #[test]
    fn a_session_dies_when_idle_too_long_or_too_old() {
        let p = SessionPolicy {
            idle_secs: 100,
            absolute_secs: 1000,
        };
        assert!(p.is_alive(&session(0, 0, &p), UnixTime(99)));
        assert!(!p.is_alive(&session(0, 0, &p), UnixTime(100)));
        assert!(p.is_alive(&session(0, 950, &p), UnixTime(999)));
        assert!(!p.is_alive(&session(0, 990, &p), UnixTime(1000)));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in [Role::Owner, Role::Administrator, Role::User] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

/// What a single-use emailed link is for. A link made for one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// An invited user sets their first password.
    Invite,
    /// Forgot password: set a new one.
    Reset,
    /// "This wasn't me" in a security notice: lock the account.
    Lock,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
            LinkPurpose::Lock => "lock",
        }
    }
}
