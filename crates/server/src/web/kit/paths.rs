//! The addresses one page sends a person to and another page answers at, named once so that a
//! redirect cannot drift from the route it means. Only addresses that more than one module uses
//! are here; a page's own forms post to literal paths beside the page.

/// The setup wizard at sign-in, where an administrator's requirement is met.
pub const SETUP_WIZARD: &str = "/login/setup";

/// Where a new set of recovery codes is shown, once: `GET` shows what the session holds, `POST`
/// makes a new set. Every form that makes codes holds them for the session and redirects here.
pub const RECOVERY_CODES: &str = "/account/security/recovery-codes";

/// The account's mobile-number page.
pub const PHONE: &str = "/account/phone";
