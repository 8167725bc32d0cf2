//! Emails and SMS in the recipient's language, through the real server on SQLite and
//! PostgreSQL: a person whose account says German gets a German password-reset email and German
//! codes by SMS, a person whose account says English gets English ones on the same server, and a
//! person who chose nothing gets the deployment's default language.
//!
//! The language is stored on the account with SQL: the language is sealed into each notice when
//! it is queued, from `users.language`, whichever page or endpoint set it.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::TestApp;

const ANNA: &str = "anna@example.de";
const ANNA_NUMBER: &str = "+4915112344567";
const BOB: &str = "bob@example.com";
const BOB_NUMBER: &str = "+14155550100";

async fn request_reset(app: &TestApp, username: &str) -> Response {
    app.post_json(
        "/api/v1/password-reset",
        &json!({ "username": username }),
        None,
    )
    .await
}

/// Stores `language` on the account of `email`.
async fn choose_language(app: &TestApp, email: &str, language: &str) {
    let done = sqlx::query("UPDATE users SET language = $1 WHERE email_key = $2")
        .bind(language.to_owned())
        .bind(email.to_lowercase())
        .execute(app.state.services.store.raw_pool())
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1, "{email} has an account");
}

/// The six digits in a text.
fn code_in(body: &str) -> String {
    body.as_bytes()
        .windows(6)
        .find(|w| w.iter().all(u8::is_ascii_digit))
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .unwrap_or_else(|| panic!("no code in {body:?}"))
}

/// Sets and verifies `number` for the signed-in `token`; returns the SMS that carried the code.
async fn verify_number(app: &TestApp, token: &str, number: &str) -> Value {
    let r = app
        .client
        .put(app.url("/api/v1/me/phone"))
        .bearer_auth(token)
        .json(&json!({ "number": number }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let sms = app
        .message_to("sms", number, |m| m["kind"] == "phone_code")
        .await;
    let code = code_in(sms["body"].as_str().unwrap());
    let r = app
        .post_json(
            "/api/v1/me/phone/verify",
            &json!({ "code": code }),
            Some(token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    sms
}

fn body(m: &Value) -> &str {
    m["body"].as_str().unwrap()
}

fn subject(m: &Value) -> &str {
    m["subject"].as_str().unwrap()
}

on_both_backends! {
    async fn each_person_gets_the_reset_email_and_the_sms_codes_in_their_own_language(env: TestEnv) {
        let app = env.spawn().await;
        let anna = app.signed_in(ANNA).await;
        let bob = app.signed_in(BOB).await;
        choose_language(&app, ANNA, "de").await;
        choose_language(&app, BOB, "en").await;

        let sms = verify_number(&app, &anna, ANNA_NUMBER).await;
        assert!(
            body(&sms).starts_with("Ihr Portcullis-Sicherheitscode zum Bestätigen Ihrer Mobilnummer: "),
            "{sms}"
        );
        assert!(body(&sms).contains("10 Minuten gültig."), "{sms}");
        let sms = verify_number(&app, &bob, BOB_NUMBER).await;
        assert!(
            body(&sms).starts_with("Portcullis code to verify your mobile number: "),
            "{sms}"
        );
        assert!(body(&sms).contains("Valid 10 minutes. Never share it."), "{sms}");

        assert_eq!(request_reset(&app, ANNA).await.status(), StatusCode::ACCEPTED);
        let mail = app.message_to("email", ANNA, |m| m["kind"] == "password_reset").await;
        assert_eq!(subject(&mail), "Setzen Sie Ihr Portcullis-Passwort zurück");
        for german in [
            "Guten Tag,",
            "Jemand, hoffentlich Sie, hat das Zurücksetzen des Passworts für das Portcullis-Konto anna@example.de angefordert.",
            "/reset?token=",
            "Der Link funktioniert einmal und läuft in 30 Minuten ab.",
            "Wir haben Ihnen außerdem einen Code per SMS an Ihre bestätigte Mobilnummer geschickt",
            "Ein neues Passwort schaltet die Zwei-Faktor-Authentifizierung nicht aus",
        ] {
            assert!(body(&mail).contains(german), "{german:?} in {mail}");
        }
        assert!(!body(&mail).contains("Hello"), "{mail}");
        let sms = app.message_to("sms", ANNA_NUMBER, |m| m["kind"] == "reset_code").await;
        assert!(
            body(&sms).starts_with("Ihr Portcullis-Code zum Zurücksetzen des Passworts: "),
            "{sms}"
        );
        assert!(body(&sms).chars().count() <= 160, "{sms}");

        assert_eq!(request_reset(&app, BOB).await.status(), StatusCode::ACCEPTED);
        let mail = app.message_to("email", BOB, |m| m["kind"] == "password_reset").await;
        assert_eq!(subject(&mail), "Reset your Portcullis password");
        for english in [
            "Hello,",
            "Someone, hopefully you, asked to reset the password of the Portcullis account bob@example.com.",
            "The link works once and expires in 30 minutes.",
            "We also sent a code by SMS to your verified mobile number",
        ] {
            assert!(body(&mail).contains(english), "{english:?} in {mail}");
        }
        assert!(!body(&mail).contains("Guten Tag"), "{mail}");
        let sms = app.message_to("sms", BOB_NUMBER, |m| m["kind"] == "reset_code").await;
        assert!(body(&sms).starts_with("Portcullis password reset code: "), "{sms}");
    }

    async fn a_person_who_chose_no_language_gets_the_deployment_s_default(env: TestEnv) {
        let app = env
            .spawn_with(|a| {
                a.open_registration = Some(true);
                a.default_language = Some(portcullis_core::locale::Language::De);
            })
            .await;
        app.signed_in(ANNA).await;
        let bob = app.signed_in(BOB).await;
        choose_language(&app, BOB, "en").await;

        assert_eq!(request_reset(&app, ANNA).await.status(), StatusCode::ACCEPTED);
        let mail = app.message_to("email", ANNA, |m| m["kind"] == "password_reset").await;
        assert_eq!(subject(&mail), "Setzen Sie Ihr Portcullis-Passwort zurück");
        assert!(body(&mail).starts_with("Guten Tag,"), "{mail}");

        // The account's own choice wins over the deployment's default.
        let sms = verify_number(&app, &bob, BOB_NUMBER).await;
        assert!(body(&sms).starts_with("Portcullis code to verify"), "{sms}");
        assert_eq!(request_reset(&app, BOB).await.status(), StatusCode::ACCEPTED);
        let mail = app.message_to("email", BOB, |m| m["kind"] == "password_reset").await;
        assert_eq!(subject(&mail), "Reset your Portcullis password");
    }
}
