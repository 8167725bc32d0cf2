//! The key a person adds to their authenticator app, as `totp_steps.html` shows it (QR code,
//! the key in groups of four, the app's settings): the steps that the assistant on the security
//! page and the setup wizard at sign-in share. It only shows a key the services made; making,
//! keeping and checking one are theirs.

use portcullis_core::Error;
use portcullis_core::service::TotpEnrolment;

use super::error::WebError;
use crate::state::AppState;

/// What `totp_steps.html` shows to add the key to an app: the steps the assistant on the
/// security page shares with the setup wizard at sign-in.
pub struct AppKey {
    pub email: String,
    pub issuer: String,
    /// Inline SVG from `crate::qr`: drawn paths only, no text from the URI.
    pub qr_svg: String,
    /// The key in groups of four, as it is easiest to read off and type in.
    pub key: String,
    /// The key as a screen reader should say it: character by character, group by group
    /// ("J B S W, Y 3 D P").
    pub key_spoken: String,
    pub digits: u32,
    pub period: i64,
    pub algorithm: &'static str,
}

impl AppKey {
    pub fn new(
        state: &AppState,
        email: &str,
        enrolment: &TotpEnrolment,
    ) -> Result<AppKey, WebError> {
        // An otpauth URI (issuer, an email address, a 32-character key) is far below what a QR
        // code holds; should that ever change, the person sees an error page, not half an
        // assistant.
        let qr_svg = crate::qr::svg_in_labelled(&enrolment.otpauth_uri)
            .map_err(|e| WebError::Internal(Error::internal(e)))?;
        Ok(AppKey {
            email: email.to_owned(),
            issuer: state.services.settings.totp_issuer.clone(),
            qr_svg,
            key: grouped(&enrolment.secret.base32()),
            key_spoken: spoken(&enrolment.secret.base32()),
            digits: enrolment.params.digits,
            period: enrolment.params.period,
            algorithm: enrolment.params.algorithm.as_str(),
        })
    }
}

/// "JBSW Y3DP EHPK 3PXP": what apps accept typed with or without the spaces.
pub fn grouped(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "J B S W, Y 3 D P": each character apart, so a screen reader spells it rather than reading
/// a group as a word, and a comma after each group of four, so it pauses there.
pub fn spoken(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| {
            c.iter()
                .map(|b| char::from(*b).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_reads_in_groups_of_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEF"), "ABCD EF");
        assert_eq!(grouped(""), "");
    }

    #[test]
    fn the_key_is_spoken_character_by_character_group_by_group() {
        assert_eq!(spoken("JBSWY3DPEH"), "J B S W, Y 3 D P, E H");
        assert_eq!(spoken(""), "");
    }
}
