//! The addresses one page sends a person to and another page answers at, named once so that a
//! redirect cannot drift from the route it means. Only addresses that more than one module uses
//! are here; a page's own forms post to literal paths beside the page.

/// The setup wizard at sign-in, where an administrator's requirement is met.
pub const SETUP_WIZARD: &str = "/login/setup";

/// The setup wizard with a security key or passkey instead of an authenticator app.
pub const SETUP_KEY: &str = "/login/setup/key";

/// Where a new set of recovery codes is shown, once: `GET` shows what the session holds, `POST`
/// makes a new set. Every form that makes codes holds them for the session and redirects here.
pub const RECOVERY_CODES: &str = "/account/security/recovery-codes";

/// [`RECOVERY_CODES`] after a security key or passkey made them: the page speaks of the key,
/// not of an authenticator app.
pub const RECOVERY_CODES_AFTER_KEY: &str = "/account/security/recovery-codes?by=key";

/// The account's mobile-number page.
pub const PHONE: &str = "/account/phone";
