//! Choosing a language and a time zone. The switch on every page posts `lang` to `/language`,
//! which remembers it in a cookie (and, for a signed-in person, on the account) and goes back
//! to the page. The account page's form posts both to `/account/locale`.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::locale::{Language, TimeZoneName};
use serde::Deserialize;

use crate::state::AppState;
use crate::web::WebError;
use crate::web::kit::cookies::{self, SameSite};
use crate::web::kit::csrf::{VerifiedForm, sent_from_another_site};
use crate::web::kit::return_to::local_path;
use crate::web::kit::session::SignedIn;

/// The language a browser chose before (or without) signing in.
pub const COOKIE: &str = "portcullis_lang";
/// The time zone the browser reports (`static/locale.js` sets it; nothing secret).
pub const TZ_COOKIE: &str = "portcullis_tz";

const YEAR_SECS: i64 = 365 * 24 * 3600;

/// The `Set-Cookie` that remembers `language` in this browser for a year.
pub fn cookie(language: Language, secure: bool) -> HeaderValue {
    cookies::set_scoped(
        COOKIE,
        language.as_str(),
        "/",
        YEAR_SECS,
        SameSite::Lax,
        secure,
    )
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    return_to: String,
}

/// `POST /language`: remembers the language and shows the page again in it. The switch sits on
/// every page, signed out too, so it carries no CSRF token; a post from another site (its
/// `Sec-Fetch-Site`, or an `Origin` that is not the public URL's) changes nothing and gets the
/// expired-form page. An unknown language is a 400 page.
pub async fn switch_language(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> Result<Response, WebError> {
    if sent_from_another_site(&headers) || !same_origin(&state, &headers) {
        return Err(WebError::FormExpired);
    }
    let Some(language) = Language::parse(&form.lang).filter(|_| form.lang.len() <= 8) else {
        return Err(WebError::page(
            StatusCode::BAD_REQUEST,
            "error-language-title",
            "error-language-body",
        ));
    };
    if let Some(SignedIn(auth)) = signed_in {
        state
            .services
            .set_locale(&auth.user, Some(language), auth.user.time_zone.as_ref())
            .await?;
    }
    let back = local_path(&form.return_to).unwrap_or("/");
    let mut response = Redirect::to(back).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(language, state.config.secure_cookies()),
    );
    Ok(response)
}

/// No `Origin` (a client that is not a browser), or the public URL's own.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let ours = url::Url::parse(&state.config.public_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    origin.as_bytes() == ours.as_bytes()
}

#[derive(Deserialize)]
pub struct LocaleForm {
    /// `en`, `de`, or empty: the browser's.
    #[serde(default)]
    language: String,
    /// An IANA name, or empty: the one the browser reports.
    #[serde(default)]
    time_zone: String,
}

/// `POST /account/locale`: the account page's language and time zone.
pub async fn set_account_locale(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    VerifiedForm(form): VerifiedForm<LocaleForm>,
) -> Result<Response, WebError> {
    let language = match form.language.as_str() {
        "" => None,
        tag => Some(Language::parse(tag).ok_or_else(|| {
            WebError::page(
                StatusCode::BAD_REQUEST,
                "error-language-title",
                "error-language-body",
            )
        })?),
    };
    let time_zone = match form.time_zone.as_str() {
        "" => None,
        name => Some(TimeZoneName::parse(name).ok_or_else(|| {
            WebError::page(
                StatusCode::BAD_REQUEST,
                "error-time-zone-title",
                "error-time-zone-body",
            )
        })?),
    };
    state
        .services
        .set_locale(&auth.user, language, time_zone.as_ref())
        .await?;
    let mut response = Redirect::to("/account?done=locale").into_response();
    if let Some(language) = language {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookie(language, state.config.secure_cookies()),
        );
    }
    Ok(response)
}
