//! The extractor for services (mail servers, gateways) that call the API with
//! `Authorization: Bearer <service token>`. It is separate from [`super::extract::Auth`]: a
//! person's session token is not a service token, and a service token opens no person's session,
//! because each is looked up only among its own kind. An unknown or revoked token answers 401
//! `unauthenticated` before the handler runs.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portcullis_core::Error;
use portcullis_core::service::AuthenticatedService;

use super::error::ApiError;
use super::extract::bearer;
use crate::state::AppState;

/// A request made with a live service token.
pub struct ServiceAuth(pub AuthenticatedService);

impl FromRequestParts<AppState> for ServiceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(Error::Unauthenticated)?;
        Ok(ServiceAuth(
            state.services.authenticate_service(&token).await?,
        ))
    }
}
