//! Extractors for the JSON API: a `Json`, `Query` and `Path` whose rejections are our error
//! bodies, and the bearer-token session. The request's source for audit and throttling is
//! `crate::http::Meta`, shared with the pages.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use portcullis_core::Error;
use portcullis_core::secret::Token;
use portcullis_core::service::Authenticated;

use super::error::ApiError;
use crate::state::AppState;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters whose rejection is our error body too: `/users/%FF` (not UTF-8) answered
/// axum's plain-text 400 before (found by fuzzing).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        match r {
            // The route matched, so the only way an id can fail is its encoding.
            PathRejection::FailedToDeserializePathParams(_) => ApiError::input(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_path",
                "an id in the path is not valid (percent-encoded bytes that are not UTF-8)",
            ),
            // A handler asking for parameters its route lacks: our bug, not the client's.
            other => ApiError::Core(Error::internal_msg(other.body_text())),
        }
    }
}

/// A request with `Authorization: Bearer <token>` of a live session.
pub struct Auth(pub Authenticated);

pub(crate) fn bearer(parts: &Parts) -> Option<Token> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| Token::from_client(token.trim()))
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(Error::Unauthenticated)?;
        Ok(Auth(state.services.authenticate(&token).await?))
    }
}

impl OptionalFromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Auth as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(a) => Ok(Some(a)),
            Err(ApiError::Core(Error::Unauthenticated)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// An owner or administrator with a live session. The only way admin use cases are reached:
/// a plain user gets 403 `forbidden` here, before any handler code runs.
pub struct Admin(
    pub portcullis_core::service::AdminSession,
    pub Authenticated,
);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Auth(auth) =
            <Auth as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let admin = state.services.admin_session(&auth)?;
        Ok(Admin(admin, auth))
    }
}
