//! Server-rendered pages that work without JavaScript: signing in (with the second step, the
//! companion app, the setup wizard an administrator requires, recovery from a lost phone and a
//! forgotten password), joining (the first owner's setup link, open registration, invitations),
//! the account and the Security tab, the resources, and for owners and administrators the user
//! manager and groups. Passkeys and security keys are the exception that needs a script
//! (`static/webauthn.js`): the browser's authenticator answers only to JavaScript; without it
//! those pages say so, and every other way to sign in still works. "Don't ask for a code on this
//! browser" needs a script too (`static/remember.js`, WebCrypto and IndexedDB): without it the
//! option is not offered. Sessions live in an HttpOnly cookie; every form is CSRF-protected. Like
//! the JSON API, a handler parses the form, calls one use case and renders the result; no rule
//! and no SQL lives here.
//!
//! Module map:
//! - [`kit`]: the page plumbing every page shares: cookies, CSRF, the session extractors, the
//!   error page ([`WebError`]), layout, form problems, the sign-in cookies, assets.
//! - `pages`: the pages, grouped by what a person does (`sign_in`, `join`, `account`,
//!   `security`, `resources`, `admin`); a page never imports another page.
//! - This file: the router, the only place that knows which page answers which address, and the
//!   answers for an unknown address or method. Templates are in `crates/server/templates`.

pub mod kit;
mod pages;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub use kit::error::WebError;

use crate::state::AppState;
use kit::assets;
use pages::account::{lock, overview as account};
use pages::admin::oidc_clients as admin_oidc;
use pages::admin::radius_clients as admin_radius;
use pages::admin::{
    access_rules as admin_access_rules, groups as admin_groups, user as admin_user,
    user_sessions as admin_user_sessions, users as admin_users,
};
use pages::join::{invite, register};
use pages::resources::{list as resources, resource};
use pages::security::{
    app_passwords, connected_apps, devices, overview as security, phone, push_devices,
    recovery_codes, support_pin, totp, webauthn,
};
use pages::sign_in::{
    login, passkey, password_reset, phone_wizard, push_login, recover, remembered_browser,
    second_step, security_key, setup_key, setup_wizard, step_up,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/login/step-up", get(step_up::form).post(step_up::submit))
        .route(
            "/login/code",
            get(second_step::form).post(second_step::submit_code),
        )
        .route("/login/recovery", post(second_step::submit_recovery))
        .route(
            kit::remembered::PAGE,
            get(remembered_browser::form).post(remembered_browser::submit),
        )
        .route("/login/passkey", post(passkey::submit))
        .route(
            "/login/key",
            get(security_key::form).post(security_key::submit),
        )
        .route(
            kit::paths::SETUP_KEY,
            get(setup_key::form).post(setup_key::submit),
        )
        .route("/login/push", get(push_login::page).post(push_login::send))
        .route("/login/push/status", get(push_login::status))
        .route(
            "/login/push/continue",
            post(push_login::continue_after_approval),
        )
        .route("/login/push/leave", post(push_login::leave))
        .route(
            setup_wizard::PATH,
            get(setup_wizard::form).post(setup_wizard::submit),
        )
        .route("/recover", get(recover::form).post(recover::submit))
        .route("/login/setup/phone", post(phone_wizard::wizard_number))
        .route(
            "/login/setup/phone/verify",
            post(phone_wizard::wizard_verify),
        )
        .route(
            "/login/setup/phone/resend",
            post(phone_wizard::wizard_resend),
        )
        .route(
            "/forgot",
            get(password_reset::forgot_form).post(password_reset::forgot_submit),
        )
        .route(
            "/reset",
            get(password_reset::reset_form).post(password_reset::reset_submit),
        )
        .route("/reset/code", post(password_reset::reset_code_submit))
        .route("/logout", post(login::logout))
        .route("/account", get(account::overview))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route(
            "/account/phone",
            get(phone::overview).post(phone::set_number),
        )
        .route("/account/phone/verify", post(phone::verify))
        .route("/account/phone/resend", post(phone::resend))
        .route("/account/security", get(security::overview))
        .route("/account/security/totp", get(totp::setup))
        .route(
            push_devices::PATH,
            get(push_devices::paired).post(push_devices::pair),
        )
        .route(
            "/account/security/push-devices/{id}/rename",
            post(push_devices::rename),
        )
        .route(
            "/account/security/push-devices/{id}/remove",
            post(push_devices::remove),
        )
        .route(webauthn::ADD, get(webauthn::add_form).post(webauthn::add))
        .route(
            "/account/security/webauthn/{id}/rename",
            post(webauthn::rename),
        )
        .route(
            "/account/security/webauthn/{id}/remove",
            post(webauthn::remove),
        )
        .route("/account/security/totp/start", post(totp::start))
        .route("/account/security/totp/activate", post(totp::activate))
        .route("/account/security/totp/deactivate", post(totp::deactivate))
        .route(
            recovery_codes::PATH,
            get(recovery_codes::show).post(recovery_codes::regenerate),
        )
        .route(
            "/account/security/emergency-kit.pdf",
            get(recovery_codes::emergency_kit),
        )
        .route(
            support_pin::PATH,
            get(support_pin::form).post(support_pin::submit),
        )
        .route(
            app_passwords::PATH,
            get(app_passwords::list).post(app_passwords::create),
        )
        .route(
            "/account/app-passwords/{id}/revoke",
            post(app_passwords::revoke),
        )
        .route(connected_apps::PATH, get(connected_apps::list))
        .route(devices::PATH, get(devices::page))
        .route(
            "/account/security/devices/sessions/{id}/end",
            post(devices::end_session),
        )
        .route(
            "/account/security/devices/sign-out-others",
            post(devices::end_others),
        )
        .route(
            "/account/security/devices/browsers/{id}/forget",
            post(devices::forget_browser),
        )
        .route(
            "/account/security/connected-apps/{client_id}/revoke",
            post(connected_apps::revoke),
        )
        .route("/resources", get(resources::list).post(resources::create))
        .route("/resources/{id}", post(resource::update))
        .route("/resources/{id}/grants", post(resource::grant))
        .route(
            "/resources/{id}/grants/{group}/revoke",
            post(resource::revoke),
        )
        .route("/resources/{id}/delete", post(resource::delete))
        .route(
            admin_users::LIST,
            get(admin_users::list).post(admin_users::invite),
        )
        .route(
            "/admin/users/{id}",
            get(admin_user::details).post(admin_user::update),
        )
        .route(
            "/admin/users/{id}/reset-2fa",
            post(admin_user::reset_two_factor),
        )
        .route("/admin/users/{id}/delete", post(admin_user::delete))
        .route("/admin/users/{id}/unlock", post(admin_user::unlock))
        .route(
            "/admin/users/{id}/sessions/{session}/end",
            post(admin_user_sessions::end_one),
        )
        .route(
            "/admin/users/{id}/sessions/end",
            post(admin_user_sessions::end_all),
        )
        .route(
            "/admin/users/{id}/invitation/resend",
            post(admin_user::resend_invitation),
        )
        .route(
            "/admin/users/{id}/invitation/copy",
            post(admin_user::copy_invitation),
        )
        .route("/admin/policy", post(admin_users::set_policy))
        .route(
            "/admin/sign-in-settings",
            post(admin_users::set_sign_in_settings),
        )
        .route(
            "/admin/groups",
            get(admin_groups::list).post(admin_groups::create),
        )
        .route("/admin/groups/{id}/members", post(admin_groups::add_member))
        .route(
            "/admin/access-rules",
            get(admin_access_rules::list).post(admin_access_rules::add),
        )
        .route(
            "/admin/access-rules/{id}/remove",
            post(admin_access_rules::remove),
        )
        .route(
            "/admin/groups/{id}/members/{user}/remove",
            post(admin_groups::remove_member),
        )
        .route(
            admin_oidc::LIST,
            get(admin_oidc::list).post(admin_oidc::create),
        )
        .route("/admin/oidc-clients/{id}", post(admin_oidc::update))
        .route(
            "/admin/oidc-clients/{id}/secret",
            post(admin_oidc::rotate_secret),
        )
        .route("/admin/oidc-clients/{id}/delete", post(admin_oidc::delete))
        .route(
            admin_radius::LIST,
            get(admin_radius::list).post(admin_radius::add),
        )
        .route(
            "/admin/radius-clients/{id}/remove",
            post(admin_radius::remove),
        )
        .route(
            "/setup",
            get(register::setup_form).post(register::setup_submit),
        )
        .route(
            "/signup",
            get(register::signup_form).post(register::signup_submit),
        )
        .route("/invite", get(invite::form).post(invite::submit))
        .route("/lock", get(lock::form).post(lock::submit))
        .route("/static/app.css", get(assets::stylesheet))
        .route("/static/icon.svg", get(assets::icon))
        .route("/static/copy.js", get(assets::copy_script))
        .route("/static/push.js", get(assets::push_script))
        .route("/static/webauthn.js", get(assets::webauthn_script))
        .route("/static/remember.js", get(assets::remember_script))
        .route("/static/locale.js", get(assets::locale_script))
        .route("/language", post(crate::i18n::switch_language))
        .route("/account/locale", post(crate::i18n::set_account_locale))
        .method_not_allowed_fallback(method_not_allowed)
}

/// The HTML 404 page, for every path no route claims.
pub async fn not_found() -> impl IntoResponse {
    WebError::not_found()
}

async fn method_not_allowed() -> WebError {
    WebError::page(
        StatusCode::METHOD_NOT_ALLOWED,
        "error-title-method",
        "error-method",
    )
}
