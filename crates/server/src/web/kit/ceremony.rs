//! What the pages that talk to a passkey or security key share: a ceremony the server started
//! while rendering the page, as its form carries it (the options for `static/webauthn.js` in a
//! `data-options` attribute, the ceremony's token in a hidden input), reading the answer the
//! script put into the form, and the sentences for what can go wrong in the browser before the
//! services ever see an answer. Whether an answer is right is the services' to decide.

use portcullis_core::service::CeremonyStart;
use serde_json::Value;

/// A form's ceremony: what `webauthn.js` needs to ask the authenticator.
pub struct Ceremony {
    /// The token that names the ceremony (hidden input `ceremony`); empty where the ticket
    /// names it instead (the second step).
    pub id: String,
    /// The options for `navigator.credentials.create()`/`get()`, WebAuthn Level 3 JSON, for
    /// the form's `data-options` (the template escapes it for the attribute).
    pub options: String,
}

impl Ceremony {
    pub fn started(start: &CeremonyStart) -> Ceremony {
        Ceremony {
            id: start.ceremony.expose().to_owned(),
            options: start.public_key.to_string(),
        }
    }

    /// Options for a ceremony that a ticket names (no token of its own).
    pub fn of_ticket(options: &Value) -> Ceremony {
        Ceremony {
            id: String::new(),
            options: options.to_string(),
        }
    }
}

// The sentences below are message ids: a page shows them with `crate::i18n::tr`.

/// The form arrived without an answer: the script did not run (no JavaScript, an old browser).
pub const NO_ANSWER: &str = "sign-in-ceremony-no-answer";

/// The answer is not the JSON a browser makes: a broken script or a hand-made form.
pub const GARBLED: &str = "sign-in-ceremony-garbled";

/// The ceremony had expired (or was answered already) when the answer came: the page offers a
/// fresh one with this sentence.
pub const TOO_LATE: &str = "sign-in-ceremony-too-late";

/// The answer the script put into the form's `credential` input, or the message id of the
/// sentence to show.
pub fn answer(text: &str) -> Result<Value, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NO_ANSWER);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(GARBLED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_broken_answer_is_a_sentence_not_a_guess() {
        assert_eq!(answer("  "), Err(NO_ANSWER));
        assert_eq!(answer("{not json"), Err(GARBLED));
        assert_eq!(answer("[1,2]"), Err(GARBLED));
        assert!(answer(r#"{"id":"x"}"#).is_ok());
    }
}
