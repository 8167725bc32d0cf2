//! Ending a person's sessions from their page in the user manager:
//! `POST /admin/users/{id}/sessions/{session}/end` ends one, `POST /admin/users/{id}/sessions/end`
//! ends all of them and forgets their remembered browsers. Both are audited with the
//! administrator as actor and redirect back to the person's page with a notice; who may end whose
//! sessions is the services' (the page shows the list only to those who may).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{SessionId, UserId};

use super::USERS;
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{NoFields, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::session::SignedInAdmin;

/// `POST /admin/users/{id}/sessions/{session}/end`
pub async fn end_one(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, _): SignedInAdmin,
    Path((id, session)): Path<(String, String)>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let user = UserId(id);
    match state
        .services
        .end_user_session(&admin, &user, &SessionId(session), &meta)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("{USERS}/{}?done=session_ended", user.0)).into_response())
        }
        Err(Error::NotFound("session")) => Err(WebError::page(
            StatusCode::NOT_FOUND,
            "error-title-session-not-found",
            "error-session-ended",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/users/{id}/sessions/end`
pub async fn end_all(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, _): SignedInAdmin,
    Path(id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let user = UserId(id);
    state
        .services
        .end_user_sessions(&admin, &user, &meta)
        .await?;
    Ok(Redirect::to(&format!("{USERS}/{}?done=sessions_ended", user.0)).into_response())
}
