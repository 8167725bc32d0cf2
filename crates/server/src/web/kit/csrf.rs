//! Cross-site request forgery protection for every form, by signed double submit: the browser
//! holds a random secret in the `portcullis_csrf` cookie (SameSite=Strict, HttpOnly), and each form
//! carries `csrf` = HMAC-SHA256(CSRF key derived from the master key, secret) in hex. Another site can make a browser send
//! the cookie (or, on a sibling subdomain, even plant one), but it can neither read the cookie nor
//! compute the HMAC without the master key, so it cannot fill in the field.
//!
//! [`CsrfToken`] gives a page the value to embed and sets the cookie when the browser has none;
//! [`VerifiedForm`] is the only way a web handler reads a form, and it refuses a form whose field
//! does not match the cookie before the handler runs. It decides nothing about the form's content.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponseParts, ResponseParts};
use hmac::{Hmac, KeyInit, Mac};
use portcullis_core::secret::{Token, constant_time_eq};
use serde::de::DeserializeOwned;
use serde::de::value::{Error as ValueError, MapDeserializer};
use sha2::Sha256;

use super::cookies::{self, SameSite};
use super::error::WebError;
use crate::state::AppState;

/// The hidden input every form carries.
pub const FIELD: &str = "csrf";

/// The value a form must carry for a given cookie secret.
pub fn form_value(key: &[u8; 32], secret: &str) -> String {
    hmac_sha256_hex(key, secret.as_bytes())
}

fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether a submitted form value belongs to the cookie secret. Missing either half fails.
pub fn verify(key: &[u8; 32], secret: Option<&str>, submitted: Option<&str>) -> bool {
    match (secret.filter(|s| well_formed(s)), submitted) {
        (Some(secret), Some(submitted)) => {
            constant_time_eq(form_value(key, secret).as_bytes(), submitted.as_bytes())
        }
        _ => false,
    }
}

/// Secrets are ours: 32 random bytes in unpadded base64url. Anything else in the cookie was not
/// set by us and is replaced rather than trusted.
fn well_formed(secret: &str) -> bool {
    secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token a page embeds in its forms. As a response part it sets the cookie when the browser
/// did not have one yet, so a handler returns it alongside the page it rendered.
pub struct CsrfToken {
    value: String,
    new_secret: Option<Token>,
    secure: bool,
}

impl CsrfToken {
    /// For the hidden `csrf` input.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = state.master_key.csrf_key();
        let secure = state.config.secure_cookies();
        let existing = cookies::get(&parts.headers, cookies::CSRF).filter(|s| well_formed(s));
        Ok(match existing {
            Some(secret) => CsrfToken {
                value: form_value(key, secret),
                new_secret: None,
                secure,
            },
            None => {
                let secret = Token::generate();
                CsrfToken {
                    value: form_value(key, secret.expose()),
                    new_secret: Some(secret),
                    secure,
                }
            }
        })
    }
}

impl IntoResponseParts for CsrfToken {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Some(secret) = &self.new_secret {
            let cookie = cookies::set(
                cookies::CSRF,
                secret.expose(),
                SameSite::Strict,
                self.secure,
            );
            res.headers_mut().append(header::SET_COOKIE, cookie);
        }
        Ok(res)
    }
}

/// A urlencoded form whose `csrf` field matched the cookie, deserialised into `T` (which does not
/// declare the `csrf` field). A mismatch answers 403 before `T` is even looked at.
pub struct VerifiedForm<T>(pub T);

/// For forms whose only field is the token: sign out, revoke a session.
#[derive(serde::Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned> FromRequest<AppState> for VerifiedForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (verified, fields) = read_form(req, state).await?;
        if !verified {
            return Err(WebError::FormExpired);
        }
        parse_fields(fields).map(VerifiedForm)
    }
}

/// The message id of what a person sees above a signed-out form whose token had gone stale
/// (words: [`stale_form`]).
pub const STALE_FORM: &str = "sign-in-stale-form";

/// What a person sees above a signed-out form whose token had gone stale, in the page's
/// language.
pub fn stale_form() -> String {
    crate::i18n::tr(STALE_FORM)
}

/// A form of a signed-out page (sign in, sign up, the first owner's setup, an invitation, a
/// password reset). As [`VerifiedForm`], except that a token that no longer matches its cookie is
/// no dead end: such a form comes from a page left open until the browser dropped its cookie, far
/// more often than from an attack, and these forms grant nothing without the password or link
/// they carry. The handler shows the form again with a fresh token and [`stale_form`], keeping
/// what [`StaleForm`] keeps; nothing of the stale form is acted upon.
pub enum SignedOutForm<T> {
    Verified(T),
    Stale(StaleForm),
}

/// The fields of a stale form that may be shown again: never a password, a code or a PIN.
pub struct StaleForm(Vec<(String, String)>);

impl StaleForm {
    fn keep(fields: Vec<(String, String)>) -> StaleForm {
        let secret = |name: &str| ["password", "code", "pin"].iter().any(|s| name.contains(s));
        StaleForm(fields.into_iter().filter(|(k, _)| !secret(k)).collect())
    }

    /// The value of field `name`, or empty.
    pub fn field(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for SignedOutForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (verified, fields) = read_form(req, state).await?;
        if !verified {
            return Ok(SignedOutForm::Stale(StaleForm::keep(fields)));
        }
        parse_fields(fields).map(SignedOutForm::Verified)
    }
}

/// The form's own fields, and whether its token matched the cookie. A post from another site is
/// refused outright, stale or not.
async fn read_form(
    req: Request,
    state: &AppState,
) -> Result<(bool, Vec<(String, String)>), WebError> {
    if sent_from_another_site(req.headers()) {
        return Err(WebError::FormExpired);
    }
    let secret = cookies::get(req.headers(), cookies::CSRF).map(str::to_owned);
    let pairs = match Form::<Vec<(String, String)>>::from_request(req, state).await {
        Ok(Form(pairs)) => pairs,
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(WebError::page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "error-title-form-too-large",
                "error-form-too-large",
            ));
        }
        // Not a form at all (another content type, a broken body): it carries no token.
        Err(_) => Vec::new(),
    };
    let (submitted, fields) = take_token(pairs);
    let verified = verify(
        state.master_key.csrf_key(),
        secret.as_deref(),
        submitted.as_deref(),
    );
    Ok((verified, fields))
}

fn parse_fields<T: DeserializeOwned>(fields: Vec<(String, String)>) -> Result<T, WebError> {
    fields_into::<T>(fields).map_err(|_| {
        WebError::page(
            StatusCode::BAD_REQUEST,
            "error-title-form-incomplete",
            "error-form-incomplete",
        )
    })
}

/// Whether the browser says the form was sent from a page of another site. Our forms are only
/// ever on our own pages (`same-origin`; `none` for a person's own action, such as a bookmark),
/// so this refuses a forged cross-site post even before the token is looked at: a second
/// barrier should the token ever leak. Browsers set `Sec-Fetch-Site` themselves; a script cannot.
/// Clients that do not send it are judged by the token alone.
pub fn sent_from_another_site(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site" || v.as_bytes() == b"same-site")
}

/// Separates the token from the form's own fields. Exactly one token counts: a second one could
/// only come from tampering.
fn take_token(pairs: Vec<(String, String)>) -> (Option<String>, Vec<(String, String)>) {
    let (mut tokens, fields): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == FIELD);
    let token = match tokens.len() {
        1 => tokens.pop().map(|(_, v)| v),
        _ => None,
    };
    (token, fields)
}

/// The form's fields as `T`; names `T` does not declare are ignored, as serde does by default.
fn fields_into<T: DeserializeOwned>(fields: Vec<(String, String)>) -> Result<T, ValueError> {
    T::deserialize(MapDeserializer::<_, ValueError>::new(fields.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn secret() -> String {
        Token::generate().expose().to_owned()
    }

    #[test]
    fn the_form_value_is_the_hex_hmac_of_the_secret() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = secret();
        let v = form_value(&KEY, &s);
        assert_eq!(v.len(), 64);
        assert!(v.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(v, form_value(&KEY, &s));
    }

    #[test]
    fn a_matching_pair_verifies() {
        let s = secret();
        assert!(verify(&KEY, Some(&s), Some(&form_value(&KEY, &s))));
    }

    #[test]
    fn a_missing_half_fails() {
        let s = secret();
        let v = form_value(&KEY, &s);
        assert!(!verify(&KEY, None, Some(&v)));
        assert!(!verify(&KEY, Some(&s), None));
        assert!(!verify(&KEY, None, None));
    }

    #[test]
    fn a_token_for_another_secret_or_key_fails() {
        let s = secret();
        assert!(!verify(&KEY, Some(&s), Some(&form_value(&KEY, &secret()))));
        assert!(!verify(&KEY, Some(&s), Some(&form_value(&[8; 32], &s))));
        let upper = form_value(&KEY, &s).to_uppercase();
        assert!(!verify(&KEY, Some(&s), Some(&upper)));
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_token_is_taken_out_and_the_rest_becomes_the_form() {
        #[derive(serde::Deserialize)]
        struct Login {
            username: String,
            password: String,
        }
        let (token, fields) = take_token(pairs(&[
            ("username", "a@example.com"),
            ("csrf", "t"),
            ("password", "pw"),
            ("extra", "ignored"),
        ]));
        assert_eq!(token.as_deref(), Some("t"));
        let form: Login = fields_into(fields).unwrap();
        assert_eq!(
            (form.username.as_str(), form.password.as_str()),
            ("a@example.com", "pw")
        );
        let (_, fields) = take_token(pairs(&[("username", "a@example.com")]));
        assert!(fields_into::<Login>(fields).is_err());
        let (_, fields) = take_token(pairs(&[("csrf", "t")]));
        assert!(fields_into::<NoFields>(fields).is_ok());
    }

    #[test]
    fn a_missing_or_repeated_token_is_no_token() {
        assert_eq!(take_token(pairs(&[("username", "a")])).0, None);
        assert_eq!(take_token(pairs(&[("csrf", "a"), ("csrf", "b")])).0, None);
    }

    #[test]
    fn a_cookie_we_did_not_mint_is_not_trusted_even_with_its_own_hmac() {
        // Whoever planted these could compute nothing without the key, but we only ever accept
        // secrets of the shape we mint, so a planted value is replaced rather than used.
        for planted in ["", "a", "short-secret", &"x".repeat(44)] {
            assert!(!verify(
                &KEY,
                Some(planted),
                Some(&form_value(&KEY, planted))
            ));
        }
    }
}
