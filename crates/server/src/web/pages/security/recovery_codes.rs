//! Recovery codes after the authenticator app is on: the page that shows a new set once (after
//! activation, after the setup at sign-in, or `POST /account/security/recovery-codes` with the
//! password), and the emergency kit, `GET /account/security/emergency-kit.pdf` ("Save your secret
//! key"). The codes are never put in a URL: the form that makes them holds them for this session
//! (`service::held`) and redirects to `GET /account/security/recovery-codes`, which takes them
//! once. A reload of that page says they were shown and offers new ones, instead of silently
//! voiding the set just printed. The kit comes from what the services sealed for this session for
//! a few minutes.

use crate::i18n::filters;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::service::{HeldCodes, Shown};

use super::{TileError, security_page};
use crate::http::Meta;
use crate::kit::KitContent;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::PasswordForm;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::paths;
use crate::web::kit::session::SignedIn;
use crate::web::kit::view::when;

/// Where the codes are shown: `GET` shows what this session holds, `POST` makes a new set.
pub const PATH: &str = paths::RECOVERY_CODES;

/// Why a new set of codes is being shown (the services hold it with the codes).
pub use portcullis_core::service::CodesOccasion as Occasion;

#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub struct CodesPage {
    layout: Layout,
    occasion: Occasion,
    codes: Vec<String>,
    /// The codes were shown before (a reload, another tab): they are not shown again, and the
    /// page offers to make new ones instead.
    already_shown: bool,
    csrf: String,
    /// For the hidden username field of the password form.
    email: String,
    /// The codes came with the authenticator app (the page speaks of it), not with a security
    /// key or passkey.
    app: bool,
}

/// The answer to a form that made new codes: the services held them for the session in the
/// same transaction, and the redirect's `GET` shows them once, so a reload there shows nothing
/// new and makes nothing new.
fn show_new_codes() -> Redirect {
    Redirect::to(PATH)
}

/// Which factor's page sent the person here: `?by=key` after a security key or passkey (its
/// page says so), nothing after the authenticator app. Only chooses among our sentences.
#[derive(serde::Deserialize, Default)]
pub struct CodesQuery {
    #[serde(default)]
    by: String,
}

/// `GET /account/security/recovery-codes`: the codes this session holds, once.
pub async fn show(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<axum::extract::Query<CodesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let (occasion, codes, already_shown) =
        match state.services.take_held::<HeldCodes>(&auth).await? {
            Shown::Now(held) => (held.occasion, held.codes.clone(), false),
            Shown::Already => (Occasion::Regenerated, Vec::new(), true),
            // Nothing made here lately: the security page has the button to make some.
            Shown::Nothing => return Ok(Redirect::to("/account/security").into_response()),
        };
    let title = match occasion {
        _ if already_shown => "security-codes-title-already-shown",
        Occasion::Activated | Occasion::Enrolled => "security-codes-title-on",
        Occasion::Regenerated => "security-codes-title-new",
    };
    let by_key = query.map(|q| q.0).unwrap_or_default().by == "key";
    let page = CodesPage {
        app: !by_key,
        layout: Layout::signed_in(title, "security", csrf.value(), auth.user.role),
        occasion,
        codes,
        already_shown,
        csrf: csrf.value().to_owned(),
        email: auth.user.email.to_string(),
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

/// `POST /account/security/recovery-codes`: a new set, held for this session and shown by the
/// redirect's `GET`.
pub async fn regenerate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let e = match state
        .services
        .regenerate_recovery_codes(&auth, &password, &meta)
        .await
    {
        // The services held the new set for this session with the change itself.
        Ok(_held) => return Ok(show_new_codes().into_response()),
        Err(Error::TwoFactorNotEnabled) => {
            return Ok(Redirect::to("/account/security").into_response());
        }
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let error = TileError {
        form: "regenerate",
        message,
    };
    let response = security_page(&state, &auth, &csrf, None, Some(error), status).await?;
    Ok((csrf, response).into_response())
}

/// `GET /account/security/emergency-kit.pdf`: a download, never a page to keep in a cache.
pub async fn emergency_kit(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let kit = match state.services.emergency_kit(&auth).await {
        Ok(kit) => kit,
        // Not "page not found": the person followed our own link, just too late or elsewhere.
        Err(e @ Error::KitUnavailable) => {
            let message = explain(&e).map(|(_, m)| m).unwrap_or_default();
            return Err(WebError::page_text(
                StatusCode::NOT_FOUND,
                "error-title-kit-unavailable",
                message,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let account = auth.user.email.to_string();
    let created = when(state.services.clock.now());
    let pdf = crate::kit::render(&KitContent {
        product: "Portcullis",
        account: &account,
        server_url: &state.config.public_url,
        created: &created,
        recovery_codes: &kit.recovery_codes,
        totp_secret_base32: kit.secret_base32.as_deref(),
        otpauth_uri: kit.otpauth_uri.as_deref(),
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portcullis-emergency-kit.pdf\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        pdf,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use portcullis_core::locale::Language;
    use portcullis_core::model::Role;

    use super::*;

    fn page(occasion: Occasion) -> CodesPage {
        CodesPage {
            layout: Layout::signed_in("security-codes-title-on", "security", "csrf", Role::User),
            occasion,
            codes: (1..=10).map(|i| format!("{i:04}-5678")).collect(),
            already_shown: false,
            csrf: "csrf".to_owned(),
            email: "alice@example.com".to_owned(),
            app: true,
        }
    }

    #[test]
    fn the_codes_page_speaks_german_and_lists_the_codes() {
        let html = crate::i18n::with_locale(Language::De, None, || {
            page(Occasion::Activated).render().unwrap()
        });
        assert!(html.contains(r#"<html lang="de">"#), "{html}");
        assert!(html.contains("Ihre Wiederherstellungscodes"), "{html}");
        assert!(html.contains("10 Wiederherstellungscodes übrig"), "{html}");
        assert!(html.contains("Notfall-Kit herunterladen (PDF)"), "{html}");
        assert!(!html.contains("Your recovery codes"), "{html}");
        // A list a screen reader counts, one code an item.
        assert_eq!(html.matches("<li><code>").count(), 10, "{html}");
        assert!(
            html.contains(r#"<ol class="codes" id="recovery-codes""#),
            "{html}"
        );
    }

    #[test]
    fn the_count_of_codes_is_a_plural_in_both_languages() {
        let left = |language, count: usize| {
            crate::i18n::text(language, "security-codes-left", &[("count", count.into())])
        };
        assert_eq!(left(Language::En, 1), "1 recovery code left");
        assert_eq!(left(Language::En, 3), "3 recovery codes left");
        assert_eq!(left(Language::De, 1), "1 Wiederherstellungscode übrig");
        assert_eq!(left(Language::De, 3), "3 Wiederherstellungscodes übrig");
    }
}
