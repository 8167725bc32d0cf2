//! The OpenAPI document is generated from the handlers; these checks keep it complete.

use serde_json::Value;

use crate::harness::server::{self, Backend};

const ENDPOINTS: &[(&str, &str)] = &[
    ("post", "/api/v1/signup"),
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("post", "/api/v1/login/totp"),
    ("post", "/api/v1/login/recovery"),
    ("post", "/api/v1/recover"),
    ("post", "/api/v1/me/totp"),
    ("delete", "/api/v1/me/totp"),
    ("get", "/api/v1/me/totp/qr.png"),
    ("post", "/api/v1/me/totp/activate"),
    ("post", "/api/v1/me/recovery-codes"),
    ("get", "/api/v1/me/emergency-kit.pdf"),
    ("post", "/api/v1/login/enroll/totp"),
    ("post", "/api/v1/login/enroll/totp/activate"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("patch", "/api/v1/users/{id}"),
    ("delete", "/api/v1/users/{id}"),
    ("delete", "/api/v1/users/{id}/two-factor"),
    ("post", "/api/v1/users/{id}/unlock"),
    ("post", "/api/v1/lock"),
    ("post", "/api/v1/validate"),
    ("get", "/api/v1/contract"),
    ("patch", "/api/v1/contract"),
    ("post", "/api/v1/groups"),
    ("get", "/api/v1/groups"),
    ("put", "/api/v1/groups/{id}/members/{user_id}"),
    ("delete", "/api/v1/groups/{id}/members/{user_id}"),
    ("post", "/api/v1/resources"),
    ("get", "/api/v1/resources"),
    ("get", "/api/v1/resources/{id}"),
    ("patch", "/api/v1/resources/{id}"),
    ("delete", "/api/v1/resources/{id}"),
    ("put", "/api/v1/resources/{id}/grants/{group_id}"),
    ("delete", "/api/v1/resources/{id}/grants/{group_id}"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("post", "/api/v1/me/password"),
    ("put", "/api/v1/me/phone"),
    ("post", "/api/v1/me/phone/verify"),
    ("post", "/api/v1/me/phone/resend"),
    ("post", "/api/v1/login/enroll/phone"),
    ("post", "/api/v1/login/enroll/phone/verify"),
    ("post", "/api/v1/login/enroll/phone/resend"),
    ("post", "/api/v1/password-reset"),
    ("post", "/api/v1/password-reset/complete"),
    ("get", "/api/v1/me/sessions"),
    ("delete", "/api/v1/me/sessions/{id}"),
    ("delete", "/api/v1/me/sessions"),
    ("get", "/api/v1/me/remembered-browsers"),
    ("delete", "/api/v1/me/remembered-browsers/{id}"),
    ("get", "/api/v1/users/{id}/sessions"),
    ("delete", "/api/v1/users/{id}/sessions"),
    ("delete", "/api/v1/users/{id}/sessions/{session_id}"),
    ("get", "/api/v1/me/audit"),
    ("put", "/api/v1/me/support-pin"),
    ("post", "/api/v1/support/verify-pin"),
    ("post", "/api/v1/me/app-passwords"),
    ("get", "/api/v1/me/app-passwords"),
    ("delete", "/api/v1/me/app-passwords/{id}"),
    ("post", "/api/v1/me/push-devices"),
    ("get", "/api/v1/me/push-devices"),
    ("patch", "/api/v1/me/push-devices/{id}"),
    ("delete", "/api/v1/me/push-devices/{id}"),
    ("post", "/api/v1/login/push"),
    ("get", "/api/v1/login/push/{challenge_id}"),
    ("post", "/api/v1/push/pair"),
    ("get", "/api/v1/push/device/challenges"),
    ("post", "/api/v1/push/device/challenges/{id}"),
    ("post", "/api/v1/push/device/approve"),
    ("put", "/api/v1/push/device/webhook"),
    ("post", "/api/v1/app-auth"),
    ("post", "/api/v1/me/webauthn/registrations/start"),
    ("post", "/api/v1/me/webauthn/registrations/finish"),
    ("get", "/api/v1/me/webauthn/credentials"),
    ("patch", "/api/v1/me/webauthn/credentials/{id}"),
    ("delete", "/api/v1/me/webauthn/credentials/{id}"),
    ("post", "/api/v1/login/webauthn/start"),
    ("post", "/api/v1/login/webauthn/finish"),
    ("post", "/api/v1/login/passkey/start"),
    ("post", "/api/v1/login/passkey/finish"),
    ("post", "/api/v1/login/enroll/webauthn/start"),
    ("post", "/api/v1/login/enroll/webauthn/finish"),
    ("post", "/api/v1/oidc/clients"),
    ("get", "/api/v1/oidc/clients"),
    ("get", "/api/v1/oidc/clients/{client_id}"),
    ("patch", "/api/v1/oidc/clients/{client_id}"),
    ("delete", "/api/v1/oidc/clients/{client_id}"),
    ("post", "/api/v1/oidc/clients/{client_id}/secret"),
    ("get", "/.well-known/openid-configuration"),
    ("get", "/oauth2/jwks"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/v1/access-rules"),
    ("post", "/api/v1/access-rules"),
    ("delete", "/api/v1/access-rules/{id}"),
    ("get", "/api/v1/authz/forward-auth"),
    ("get", "/api/v1/authz/auth-request"),
    ("get", "/api/v1/radius-clients"),
    ("post", "/api/v1/radius-clients"),
    ("delete", "/api/v1/radius-clients/{name}"),
];

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_with_its_errors() {
    server::run(Backend::Sqlite, |env| async move {
        let app = env.spawn().await;
        let r = app.get("/api/openapi.json", None).await;
        assert_eq!(r.status(), 200);
        let doc: Value = r.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        let mut documented: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        documented.sort();
        let mut expected: Vec<(String, String)> = ENDPOINTS
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        expected.sort();
        assert_eq!(documented, expected);

        for (method, path) in ENDPOINTS {
            let op = &paths[*path][*method];
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} has no success response"
            );
            for (status, resp) in responses {
                if status.starts_with('4') {
                    let schema = &resp["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                    assert!(
                        !resp["description"].as_str().unwrap_or("").is_empty(),
                        "{method} {path} {status} names no code"
                    );
                }
            }
            let authenticated = [
                "/api/v1/me",
                "/api/v1/users",
                "/api/v1/groups",
                "/api/v1/resources",
                "/api/v1/contract",
                "/api/v1/oidc",
            ];
            if authenticated.iter().any(|p| path.starts_with(p)) || *path == "/api/v1/logout" {
                assert!(
                    op["security"].is_array(),
                    "{method} {path} must declare bearer security"
                );
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} must document 401"
                );
            }
        }
        let error = &doc["components"]["schemas"]["ErrorBody"];
        assert!(error["properties"]["error"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        assert!(
            doc["components"]["schemas"]["LoginRequest"]["required"]
                .as_array()
                .unwrap()
                .len()
                == 2
        );
    })
    .await;
}
