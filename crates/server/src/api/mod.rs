//! The JSON API under `/api/v1`, one file per resource. A handler parses input, calls one use
//! case, and maps the result; the OpenAPI document is generated from the same annotations that
//! route the requests, so it cannot miss an endpoint.

mod access_rules;
mod app_auth;
mod app_passwords;
mod authz;
pub mod error;
pub mod extract;
mod groups;
mod health;
mod lock;
mod login;
mod me;
mod oidc_clients;
mod oidc_discovery;
mod password_reset;
mod phone;
mod push;
mod push_device;
mod radius_clients;
mod recovery;
mod remembered_browsers;
mod resources;
pub mod service_auth;
mod sessions;
mod signup;
mod support;
mod support_pin;
mod totp;
mod users;
mod validate;
mod webauthn;
mod webauthn_login;

use axum::http::{HeaderValue, StatusCode, header};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis",
        description = "Self-hosted account security: passwords, sessions, two-factor authentication. \
                       Every error answers `{\"error\":{\"code\",\"message\"}}`.",
    ),
    modifiers(&BearerAuth),
    components(schemas(error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    let mut router = routes();
    document_body_errors(router.get_openapi_mut());
    // Answers carry tokens, keys, recovery codes and app passwords, and every other one is
    // about a person: no browser or proxy cache may keep any of them.
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

/// The answers `ApiJson` gives before any handler runs, documented on every operation that takes
/// a JSON body, so no client (or schema-driven fuzzer) meets an undocumented status: 400 for
/// bytes that are not JSON, 413 above the body limit, 415 without `Content-Type:
/// application/json`, 422 for JSON of the wrong shape. An operation's own entry, naming its
/// domain codes too, is kept.
fn document_body_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let answers = [
        (
            "400",
            "malformed_json or invalid_body: the body is not JSON",
        ),
        ("413", "payload_too_large: the body is over 64 KiB"),
        (
            "415",
            "unsupported_media_type: send the body with Content-Type: application/json",
        ),
        (
            "422",
            "invalid_body: the JSON does not have the documented shape",
        ),
    ];
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            if op.request_body.is_none() {
                continue;
            }
            for (status, description) in answers {
                let error = ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build();
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert(error.into());
            }
        }
    }
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(signup::signup))
        .routes(routes!(login::login))
        .routes(routes!(login::logout))
        .routes(routes!(login::login_totp))
        .routes(routes!(login::login_recovery))
        .routes(routes!(login::recover))
        .routes(routes!(totp::start_totp, totp::deactivate_totp))
        .routes(routes!(totp::totp_qr_png))
        .routes(routes!(totp::activate_totp))
        .routes(routes!(recovery::regenerate))
        .routes(routes!(recovery::emergency_kit))
        .routes(routes!(login::enrol_totp))
        .routes(routes!(login::enrol_activate))
        .routes(routes!(webauthn::start_registration))
        .routes(routes!(webauthn::finish_registration))
        .routes(routes!(webauthn::list_credentials))
        .routes(routes!(
            webauthn::rename_credential,
            webauthn::delete_credential
        ))
        .routes(routes!(webauthn_login::start_second_step))
        .routes(routes!(webauthn_login::finish_second_step))
        .routes(routes!(webauthn_login::start_passkey))
        .routes(routes!(webauthn_login::finish_passkey))
        .routes(routes!(webauthn_login::start_enrolment))
        .routes(routes!(webauthn_login::finish_enrolment))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(users::reset_two_factor))
        .routes(routes!(users::unlock_user))
        .routes(routes!(lock::lock))
        .routes(routes!(users::get_contract, users::patch_contract))
        .routes(routes!(groups::create_group, groups::list_groups))
        .routes(routes!(groups::add_member, groups::remove_member))
        .routes(routes!(
            resources::create_resource,
            resources::list_resources
        ))
        .routes(routes!(
            resources::get_resource,
            resources::update_resource,
            resources::delete_resource
        ))
        .routes(routes!(resources::grant, resources::revoke_grant))
        .routes(routes!(me::me, me::update_me))
        .routes(routes!(me::change_password))
        .routes(routes!(phone::set_phone))
        .routes(routes!(phone::verify_phone))
        .routes(routes!(phone::resend_code))
        .routes(routes!(phone::enrol_phone))
        .routes(routes!(phone::enrol_phone_verify))
        .routes(routes!(phone::enrol_phone_resend))
        .routes(routes!(password_reset::request_reset))
        .routes(routes!(password_reset::complete_reset))
        .routes(routes!(me::audit))
        .routes(routes!(
            sessions::list_sessions,
            sessions::end_other_sessions
        ))
        .routes(routes!(sessions::revoke_session))
        .routes(routes!(
            sessions::list_user_sessions,
            sessions::end_user_sessions
        ))
        .routes(routes!(sessions::end_user_session))
        .routes(routes!(remembered_browsers::list_remembered_browsers))
        .routes(routes!(remembered_browsers::forget_remembered_browser))
        .routes(routes!(support_pin::set_support_pin))
        .routes(routes!(support::verify_pin))
        .routes(routes!(
            app_passwords::create_app_password,
            app_passwords::list_app_passwords
        ))
        .routes(routes!(app_passwords::revoke_app_password))
        .routes(routes!(app_auth::app_auth))
        .routes(routes!(validate::validate))
        .routes(routes!(push::start_pairing, push::list_devices))
        .routes(routes!(push::rename_device, push::remove_device))
        .routes(routes!(push::send_push))
        .routes(routes!(push::poll_push))
        .routes(routes!(push_device::pair))
        .routes(routes!(push_device::challenges))
        .routes(routes!(push_device::answer))
        .routes(routes!(push_device::approve_by_number))
        .routes(routes!(push_device::set_webhook))
        .routes(routes!(
            access_rules::create_access_rule,
            access_rules::list_access_rules
        ))
        .routes(routes!(access_rules::remove_access_rule))
        .routes(routes!(authz::forward_auth))
        .routes(routes!(authz::auth_request))
        .merge(oidc_routes())
        .routes(routes!(
            radius_clients::add_client,
            radius_clients::list_clients
        ))
        .routes(routes!(radius_clients::remove_client))
}

/// The OIDC provider's clients, discovery and JWKS (issue 17, oidc-data).
fn oidc_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            oidc_clients::create_client,
            oidc_clients::list_clients
        ))
        .routes(routes!(
            oidc_clients::get_client,
            oidc_clients::update_client,
            oidc_clients::delete_client
        ))
        .routes(routes!(oidc_clients::rotate_secret))
        .routes(routes!(oidc_discovery::discovery))
        .routes(routes!(oidc_discovery::jwks))
}

/// Unknown paths under `/api` answer in the API's error format.
pub async fn not_found() -> ApiError {
    ApiError::input(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint; see /api/openapi.json",
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::input(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}
