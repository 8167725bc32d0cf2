//! Managing the people of a contract, for owners and administrators: the user manager and the
//! contract's two-factor policy (`users`), one person's details and actions (`user`, and ending their sessions: `user_sessions`), and the
//! groups (`groups`), the access rules of forward authentication (`access_rules`) the OpenID Connect clients (`oidc_clients`) and the RADIUS clients (`radius_clients`). Every page takes `SignedInAdmin`, so no one else reaches a handler; who may
//! do what to whom is `portcullis_core::policy`'s, asked by the services. Shared here, by the
//! user manager and one person's page: the manager's address and the roles an admin may give.

pub mod access_rules;
pub mod groups;
pub mod oidc_clients;
pub mod radius_clients;
pub mod user;
pub mod user_sessions;
pub mod users;

use portcullis_core::model::Role;
use portcullis_core::policy;
use portcullis_core::service::AdminSession;

use crate::web::kit::view::role_label;

/// The user manager, where one person's page leads back to.
const USERS: &str = "/admin/users";

/// A role in a form's select.
struct RoleOption {
    value: &'static str,
    label: String,
    selected: bool,
}

/// The roles `admin` may give, `current` selected.
fn role_options(admin: &AdminSession, current: Role) -> Vec<RoleOption> {
    [Role::User, Role::Administrator]
        .into_iter()
        .filter(|r| policy::may_assign(admin.role(), *r))
        .map(|r| RoleOption {
            value: r.as_str(),
            label: role_label(r).to_string(),
            selected: r == current,
        })
        .collect()
}
