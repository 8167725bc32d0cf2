//! The one place where failures become JSON answers: `{"error":{"code","message"}}`, with the
//! status, code and `Retry-After` of the server's one table (`crate::http::failure`) and the
//! core's message. Internal errors are logged with their cause and answered with a generic 500,
//! never with database text. Nothing here decides a status on its own except for malformed
//! input, which never reaches a use case.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::failure::Failure;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: what a program matches on.
    #[schema(example = "invalid_credentials")]
    pub code: String,
    /// For people: what went wrong and what to do.
    pub message: String,
    /// Every rule the request broke, one by one, where one request can break several; absent
    /// otherwise. `weak_password` lists each broken password rule here (`message` says them
    /// all in one sentence).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub violations: Option<Vec<Violation>>,
}

/// One rule a request broke.
#[derive(Debug, Serialize, ToSchema)]
pub struct Violation {
    /// Stable, snake_case. For `weak_password`: `too_short`, `too_long`, `no_lowercase`,
    /// `no_uppercase`, `no_special`, `common` (a common breached password, also disguised),
    /// `contains_email` (the name or domain of the account's email address) and
    /// `same_as_current` (the account's current password).
    #[schema(example = "too_short")]
    pub code: String,
    /// For people: the rule, as a sentence.
    pub message: String,
}

#[derive(Debug)]
pub enum ApiError {
    /// A domain failure from a use case.
    Core(Error),
    /// Malformed input: 400 for unparsable JSON, 422 for the wrong shape, 413 for too large.
    Input {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Core(e)
    }
}

impl ApiError {
    pub fn input(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Input {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn not_found() -> Self {
        ApiError::Core(Error::NotFound("resource"))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::input(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                without_values(&e.body_text()),
            ),
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::input(StatusCode::BAD_REQUEST, "malformed_json", e.body_text())
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::input(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::input(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the body is larger than 64 KiB",
                )
            }
            other => ApiError::input(StatusCode::BAD_REQUEST, "invalid_body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::input(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            without_values(&r.body_text()),
        )
    }
}

/// serde names the value it refused ("pin: invalid type: integer `7305918264`, expected a
/// string"); that value may be a PIN, code or password sent with the wrong type, and an error
/// answer must not echo it (nor may the log of one). The field and the expected type remain.
fn without_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["invalid type: ", "invalid value: "]
        .iter()
        .filter_map(|m| rest.find(m).map(|i| i + m.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // What follows is serde's `Unexpected`: `string "…"` (escaped as by `{:?}`) or a kind
        // with the value in backticks (`integer `5``), then ", expected …".
        let end = if rest.starts_with("string \"") {
            out.push_str("string");
            let quoted = &rest["string ".len()..];
            let mut escaped = false;
            let close = quoted.char_indices().skip(1).find(|&(_, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            });
            close.map_or(rest.len(), |(i, _)| "string ".len() + i + 1)
        } else {
            match (rest.find(" `"), rest.find(", expected")) {
                (Some(tick), Some(expected)) if tick < expected => {
                    out.push_str(&rest[..tick]);
                    expected
                }
                _ => 0,
            }
        };
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn body(status: StatusCode, code: &str, message: String) -> Response {
    body_with(status, code, message, None)
}

fn body_with(
    status: StatusCode,
    code: &str,
    message: String,
    violations: Option<Vec<Violation>>,
) -> Response {
    let payload = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message,
            violations,
        },
    };
    (status, Json(payload)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = match self {
            ApiError::Input {
                status,
                code,
                message,
            } => return body(status, code, message),
            ApiError::Core(e) => e,
        };
        let failure = Failure::of(&e);
        let violations = match &e {
            Error::WeakPassword(broken) => Some(
                broken
                    .iter()
                    .map(|v| Violation {
                        code: v.code().to_owned(),
                        message: v.to_string(),
                    })
                    .collect(),
            ),
            Error::Internal(cause) => {
                tracing::error!(error = %cause, source = ?std::error::Error::source(cause.as_ref()), "internal error");
                return body(
                    failure.status,
                    failure.code,
                    "Something went wrong on our side; try again later.".to_owned(),
                );
            }
            _ => None,
        };
        let mut response = body_with(failure.status, failure.code, e.to_string(), violations);
        if let Some(wait) = failure.wait {
            wait.set_header(response.headers_mut());
        }
        if matches!(e, Error::Unauthenticated) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod value_tests {
    use super::without_values;

    #[test]
    fn refused_values_are_cut_out_of_serde_messages() {
        for (serde, ours) in [
            (
                "pin: invalid type: integer `7305918264`, expected a string at line 1 column 18",
                "pin: invalid type: integer, expected a string at line 1 column 18",
            ),
            (
                r#"password: invalid type: string "Se\"cret, expected x", expected a map"#,
                "password: invalid type: string, expected a map",
            ),
            (
                "digits: invalid value: floating point `6.5`, expected u32",
                "digits: invalid value: floating point, expected u32",
            ),
            ("missing field `code`", "missing field `code`"),
            (
                "invalid type: sequence, expected a string",
                "invalid type: sequence, expected a string",
            ),
        ] {
            assert_eq!(without_values(serde), ours);
        }
    }
}

#[cfg(test)]
mod schema_tests {
    #[test]
    fn the_error_body_documents_the_optional_list_of_violations() {
        let (_, api) = super::super::router().split_for_parts();
        let doc = serde_json::to_value(api).unwrap();
        let detail = &doc["components"]["schemas"]["ErrorDetail"];
        let required = detail["required"].as_array().unwrap();
        assert!(!required.contains(&"violations".into()), "{detail}");
        assert_eq!(
            detail["properties"]["violations"]["type"], "array",
            "{detail}"
        );
        let violation = &doc["components"]["schemas"]["Violation"];
        assert_eq!(
            violation["required"],
            serde_json::json!(["code", "message"])
        );
    }
}
