//! What the person reads at the VPN or Wi-Fi prompt (`Reply-Message`): one text per refusal and
//! per prompt, in the account's language once its password was right, else the deployment's
//! (`locales/*/radius.ftl`). A refusal before the password is known to be right is always
//! [`RadiusRefusal::WrongCredentials`] in the default language, so the words never tell whether
//! an account exists.

use portcullis_core::locale::Language;
use portcullis_core::service::radius::{RadiusPrompt, RadiusRefusal};

use crate::i18n::text;

/// The text of a refusal; `public_url` is where a person sets up a second factor.
pub fn refusal(language: Language, refusal: RadiusRefusal, public_url: &str) -> String {
    match refusal {
        RadiusRefusal::WrongCredentials => text(language, "radius-wrong-credentials", &[]),
        RadiusRefusal::WrongCode => text(language, "radius-wrong-code", &[]),
        RadiusRefusal::StateInvalid => text(language, "radius-state-invalid", &[]),
        RadiusRefusal::Throttled { retry_after_secs } => text(
            language,
            "radius-throttled",
            &[("minutes", minutes(retry_after_secs).into())],
        ),
        RadiusRefusal::AccountLocked => text(language, "radius-account-locked", &[]),
        RadiusRefusal::EnrolmentRequired => text(
            language,
            "radius-enrolment-required",
            &[("url", public_url.into())],
        ),
        RadiusRefusal::NoUsableFactor => text(
            language,
            "radius-no-usable-factor",
            &[("url", public_url.into())],
        ),
        RadiusRefusal::PhishingResistantRequired => {
            text(language, "radius-phishing-resistant-required", &[])
        }
        RadiusRefusal::PushDenied => text(language, "radius-push-denied", &[]),
        RadiusRefusal::PushSuperseded => text(language, "radius-push-superseded", &[]),
        RadiusRefusal::PushTimedOut => text(language, "radius-push-timed-out", &[]),
        RadiusRefusal::PushPaused { retry_after_secs } => text(
            language,
            "radius-push-paused",
            &[("minutes", minutes(retry_after_secs).into())],
        ),
    }
}

/// The text of an Access-Challenge.
pub fn prompt(language: Language, prompt: RadiusPrompt) -> String {
    match prompt {
        RadiusPrompt::AuthenticatorCode => text(language, "radius-prompt-authenticator-code", &[]),
        RadiusPrompt::RecoveryCode => text(language, "radius-prompt-recovery-code", &[]),
    }
}

/// Whole minutes, rounded up: "in 0 minutes" would send the person back too early.
fn minutes(secs: i64) -> i64 {
    ((secs.max(1) + 59) / 60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: [RadiusRefusal; 12] = [
        RadiusRefusal::WrongCredentials,
        RadiusRefusal::WrongCode,
        RadiusRefusal::StateInvalid,
        RadiusRefusal::Throttled {
            retry_after_secs: 61,
        },
        RadiusRefusal::AccountLocked,
        RadiusRefusal::EnrolmentRequired,
        RadiusRefusal::NoUsableFactor,
        RadiusRefusal::PhishingResistantRequired,
        RadiusRefusal::PushDenied,
        RadiusRefusal::PushSuperseded,
        RadiusRefusal::PushTimedOut,
        RadiusRefusal::PushPaused {
            retry_after_secs: 900,
        },
    ];

    #[test]
    fn every_refusal_and_prompt_has_words_in_both_languages() {
        for language in [Language::En, Language::De] {
            let mut seen = std::collections::BTreeSet::new();
            for r in EVERY {
                let words = refusal(language, r, "https://id.example.com");
                assert!(!words.starts_with("radius-"), "{r:?}: {words}");
                // Each says something of its own.
                assert!(seen.insert(words.clone()), "{r:?}: {words}");
            }
            for p in [RadiusPrompt::AuthenticatorCode, RadiusPrompt::RecoveryCode] {
                assert!(!prompt(language, p).starts_with("radius-"));
            }
        }
    }

    #[test]
    fn the_words_are_the_ones_people_are_told() {
        let en = Language::En;
        let url = "https://id.example.com";
        assert_eq!(
            refusal(en, RadiusRefusal::WrongCredentials, url),
            "Wrong email address, password or code."
        );
        assert_eq!(
            refusal(en, RadiusRefusal::StateInvalid, url),
            "This sign-in took too long or was already used. Please sign in again."
        );
        let one = RadiusRefusal::Throttled {
            retry_after_secs: 30,
        };
        assert_eq!(
            refusal(en, one, url),
            "Too many attempts. Please try again in 1 minute."
        );
        let many = RadiusRefusal::Throttled {
            retry_after_secs: 601,
        };
        assert_eq!(
            refusal(en, many, url),
            "Too many attempts. Please try again in 11 minutes."
        );
        assert!(refusal(en, RadiusRefusal::EnrolmentRequired, url).contains(url));
        assert_eq!(
            prompt(en, RadiusPrompt::AuthenticatorCode),
            "Enter the code from your authenticator app."
        );
        assert_eq!(
            refusal(Language::De, many, url),
            "Zu viele Versuche. Bitte versuchen Sie es in 11 Minuten erneut."
        );
    }
}
