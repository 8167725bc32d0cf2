//! What each notice says: the texts live in `templates/messages/` (plain text, and HTML for
//! email; the subjects in `subject.txt`), filled in here with the product name and links built
//! on the public URL. Rendering happens only at delivery, from the unsealed notice; nothing here
//! decides who is told what. Every word comes from `locales/*/messages.ftl`: delivery renders
//! inside [`crate::i18n::with_locale`] with the recipient's language and time zone, so the
//! templates' `|t` filters and the dates here are the recipient's.

use askama::Template;
use portcullis_core::UnixTime;
use portcullis_core::notice::{ChangedBy, Notice, SecurityEvent};

use crate::i18n::dates::datetime;
use crate::i18n::{filters, tr};

/// A message ready for a transport. It holds links and codes: `Debug` shows none of it.
pub struct Rendered {
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rendered(<redacted>)")
    }
}

impl Rendered {
    /// A message queued before notices were sealed: its stored text, as it is.
    pub fn plain(subject: Option<String>, text: String) -> Rendered {
        Rendered {
            subject,
            text,
            html: None,
        }
    }
}

/// Renders notices for one deployment.
#[derive(Debug, Clone)]
pub struct Renderer {
    product: String,
    public_url: String,
    lock_days: i64,
}

struct InvitationView<'a> {
    product: &'a str,
    public_url: &'a str,
    email: &'a str,
    link: String,
    valid_days: i64,
}

struct ResetView<'a> {
    product: &'a str,
    public_url: &'a str,
    email: &'a str,
    link: String,
    valid_minutes: i64,
    sms_code_sent: bool,
}

struct SecurityView<'a> {
    product: &'a str,
    public_url: &'a str,
    email: &'a str,
    event: &'a SecurityEvent,
    when: String,
    from: String,
    /// The "this wasn't me" link: only for a change made with the holder's own credentials.
    lock_link: Option<String>,
    lock_days: i64,
    /// The administrator (by email) who made the change, when one did.
    by_admin: Option<&'a str>,
    /// That administrator is the organisation's owner.
    by_owner: bool,
    /// The operator made the change at the server's shell.
    by_operator: bool,
    codes_left: i64,
    codes_running_low: bool,
    security_link: String,
    pin_checks_locked: bool,
}

/// A sign-in the holder may not have made: a new one, or wrong codes after a right password.
struct SignInView<'a> {
    product: &'a str,
    public_url: &'a str,
    email: &'a str,
    when: String,
    from: String,
    /// "Firefox on Linux", "API client: curl".
    client: &'a str,
    lock_link: String,
    lock_days: i64,
    /// Where the password is changed.
    password_link: String,
    wrong_codes: i64,
}

struct LockedView<'a> {
    product: &'a str,
    public_url: &'a str,
    user_email: &'a str,
    when: String,
    from: String,
    users_link: String,
}

struct CodeView<'a> {
    product: &'a str,
    code: &'a str,
    valid_minutes: i64,
}

#[derive(Template)]
#[template(path = "messages/subject.txt")]
struct SubjectLine<'a> {
    notice: &'a Notice,
    product: &'a str,
}

#[derive(Template)]
#[template(path = "messages/invitation.txt")]
struct InvitationText<'a> {
    v: &'a InvitationView<'a>,
}

#[derive(Template)]
#[template(path = "messages/invitation.html")]
struct InvitationHtml<'a> {
    v: &'a InvitationView<'a>,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "messages/password_reset.txt")]
struct ResetText<'a> {
    v: &'a ResetView<'a>,
}

#[derive(Template)]
#[template(path = "messages/password_reset.html")]
struct ResetHtml<'a> {
    v: &'a ResetView<'a>,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "messages/security.txt")]
struct SecurityText<'a> {
    v: &'a SecurityView<'a>,
}

#[derive(Template)]
#[template(path = "messages/security.html")]
struct SecurityHtml<'a> {
    v: &'a SecurityView<'a>,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "messages/new_sign_in.txt")]
struct NewSignInText<'a> {
    v: &'a SignInView<'a>,
}

#[derive(Template)]
#[template(path = "messages/new_sign_in.html")]
struct NewSignInHtml<'a> {
    v: &'a SignInView<'a>,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "messages/second_factor_failures.txt")]
struct WrongCodesText<'a> {
    v: &'a SignInView<'a>,
}

#[derive(Template)]
#[template(path = "messages/second_factor_failures.html")]
struct WrongCodesHtml<'a> {
    v: &'a SignInView<'a>,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "messages/account_locked.txt")]
struct LockedText<'a> {
    v: &'a LockedView<'a>,
}

#[derive(Template)]
#[template(path = "messages/account_locked.html")]
struct LockedHtml<'a> {
    v: &'a LockedView<'a>,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "messages/phone_code.txt")]
struct PhoneCodeText<'a> {
    v: &'a CodeView<'a>,
}

#[derive(Template)]
#[template(path = "messages/reset_code.txt")]
struct ResetCodeText<'a> {
    v: &'a CodeView<'a>,
}

/// At this many recovery codes or fewer, the message nudges to make new ones.
const FEW_RECOVERY_CODES: i64 = 3;

fn from(ip: &Option<String>) -> String {
    ip.clone().unwrap_or_else(|| tr("mail-unknown-address"))
}

impl Renderer {
    /// `lock_link_secs` is how long the "this wasn't me" link works, as the message says.
    pub fn new(product: &str, public_url: &str, lock_link_secs: i64) -> Renderer {
        Renderer {
            product: product.to_owned(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            lock_days: (lock_link_secs / 86_400).max(1),
        }
    }

    fn link(&self, path: &str, token: &str) -> String {
        format!("{}{path}?token={token}", self.public_url)
    }

    fn sign_in_view<'a>(
        &'a self,
        email: &'a str,
        at: i64,
        ip: &Option<String>,
        client: &'a str,
        lock_token: &str,
        wrong_codes: i64,
    ) -> SignInView<'a> {
        SignInView {
            product: &self.product,
            public_url: &self.public_url,
            email,
            when: datetime(UnixTime(at)),
            from: from(ip),
            client,
            lock_link: self.link("/lock", lock_token),
            lock_days: self.lock_days,
            password_link: format!("{}/account", self.public_url),
            wrong_codes,
        }
    }

    pub fn render(&self, notice: &Notice) -> Result<Rendered, askama::Error> {
        let product = self.product.as_str();
        let public_url = self.public_url.as_str();
        let email = |text: String, html: String, subject: String| Rendered {
            subject: Some(subject),
            text,
            html: Some(html),
        };
        let subject = SubjectLine { notice, product }.render()?.trim().to_owned();
        Ok(match notice {
            Notice::Invitation {
                email: to,
                token,
                valid_days,
            } => {
                let v = InvitationView {
                    product,
                    public_url,
                    email: to,
                    link: self.link("/invite", token),
                    valid_days: *valid_days,
                };
                let html = InvitationHtml {
                    v: &v,
                    subject: &subject,
                };
                email(InvitationText { v: &v }.render()?, html.render()?, subject)
            }
            Notice::PasswordReset {
                email: to,
                token,
                valid_minutes,
                sms_code_sent,
            } => {
                let v = ResetView {
                    product,
                    public_url,
                    email: to,
                    link: self.link("/reset", token),
                    valid_minutes: *valid_minutes,
                    sms_code_sent: *sms_code_sent,
                };
                let html = ResetHtml {
                    v: &v,
                    subject: &subject,
                };
                email(ResetText { v: &v }.render()?, html.render()?, subject)
            }
            Notice::Security {
                email: to,
                event,
                at,
                ip,
                by,
                lock_token,
            } => {
                let (by_admin, by_owner) = match by {
                    ChangedBy::Administrator { email, owner } => (Some(email.as_str()), *owner),
                    _ => (None, false),
                };
                let codes_left = match event {
                    SecurityEvent::RecoveryCodeUsed { left } => *left,
                    _ => 0,
                };
                let v = SecurityView {
                    product,
                    public_url,
                    email: to,
                    event,
                    when: datetime(UnixTime(*at)),
                    from: from(ip),
                    lock_link: lock_token.as_deref().map(|t| self.link("/lock", t)),
                    lock_days: self.lock_days,
                    by_admin,
                    by_owner,
                    by_operator: matches!(by, ChangedBy::Operator),
                    codes_left,
                    codes_running_low: codes_left <= FEW_RECOVERY_CODES,
                    security_link: format!("{public_url}/account/security"),
                    pin_checks_locked: matches!(
                        event,
                        SecurityEvent::SupportPinCheckFailed {
                            checks_locked: true
                        }
                    ),
                };
                let html = SecurityHtml {
                    v: &v,
                    subject: &subject,
                };
                email(SecurityText { v: &v }.render()?, html.render()?, subject)
            }
            Notice::NewSignIn {
                email: to,
                at,
                ip,
                client,
                lock_token,
            } => {
                let v = self.sign_in_view(to, *at, ip, client, lock_token, 0);
                let html = NewSignInHtml {
                    v: &v,
                    subject: &subject,
                };
                email(NewSignInText { v: &v }.render()?, html.render()?, subject)
            }
            Notice::SecondFactorFailures {
                email: to,
                at,
                ip,
                client,
                wrong_codes,
                lock_token,
            } => {
                let v = self.sign_in_view(to, *at, ip, client, lock_token, *wrong_codes);
                let html = WrongCodesHtml {
                    v: &v,
                    subject: &subject,
                };
                email(WrongCodesText { v: &v }.render()?, html.render()?, subject)
            }
            Notice::AccountLocked { user_email, at, ip } => {
                let v = LockedView {
                    product,
                    public_url,
                    user_email,
                    when: datetime(UnixTime(*at)),
                    from: from(ip),
                    users_link: format!("{public_url}/admin/users"),
                };
                let html = LockedHtml {
                    v: &v,
                    subject: &subject,
                };
                email(LockedText { v: &v }.render()?, html.render()?, subject)
            }
            Notice::PhoneCode {
                code,
                valid_minutes,
            } => {
                let v = CodeView {
                    product,
                    code,
                    valid_minutes: *valid_minutes,
                };
                Rendered::plain(None, PhoneCodeText { v: &v }.render()?)
            }
            Notice::ResetCode {
                code,
                valid_minutes,
            } => {
                let v = CodeView {
                    product,
                    code,
                    valid_minutes: *valid_minutes,
                };
                Rendered::plain(None, ResetCodeText { v: &v }.render()?)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> Renderer {
        Renderer::new("Acme ID", "https://id.example.com/", 30 * 86_400)
    }

    fn security(event: SecurityEvent) -> Rendered {
        security_by(event, ChangedBy::Holder)
    }

    fn security_by(event: SecurityEvent, by: ChangedBy) -> Rendered {
        let lock_token = by.offers_lock().then(|| "LOCKTOKEN".to_owned());
        renderer()
            .render(&Notice::Security {
                email: "ann@example.com".into(),
                event,
                at: 1_741_944_360,
                ip: Some("192.0.2.7".into()),
                by,
                lock_token,
            })
            .unwrap()
    }

    #[test]
    fn an_invitation_links_to_the_public_url_in_text_and_html() {
        let m = renderer()
            .render(&Notice::Invitation {
                email: "new@example.com".into(),
                token: "abc_-123".into(),
                valid_days: 7,
            })
            .unwrap();
        assert_eq!(m.subject.as_deref(), Some("You are invited to Acme ID"));
        let link = "https://id.example.com/invite?token=abc_-123";
        assert!(m.text.contains(&format!("\n{link}\n")), "{}", m.text);
        assert!(m.text.contains("expires in 7 days"), "{}", m.text);
        let html = m.html.unwrap();
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
        assert!(html.contains("<title>You are invited to Acme ID</title>"));
    }

    #[test]
    fn a_security_notice_says_what_when_from_where_and_how_to_lock() {
        let m = security(SecurityEvent::PasswordChanged);
        assert_eq!(
            m.subject.as_deref(),
            Some("Your Acme ID password was changed")
        );
        for needle in [
            "The password of your account was changed.",
            "When: 14 March 2025, 09:26 UTC",
            "From: 192.0.2.7",
            "If this wasn't you, lock your account: https://id.example.com/lock?token=LOCKTOKEN",
            "for 30 days",
        ] {
            assert!(m.text.contains(needle), "{needle:?} in {}", m.text);
        }
        assert!(
            m.html
                .unwrap()
                .contains("https://id.example.com/lock?token=LOCKTOKEN")
        );
    }

    fn every_security_event() -> Vec<SecurityEvent> {
        vec![
            SecurityEvent::PasswordChanged,
            SecurityEvent::PasswordReset,
            SecurityEvent::TwoFactorActivated,
            SecurityEvent::TwoFactorDeactivated,
            SecurityEvent::TwoFactorRemovedByRecovery,
            SecurityEvent::TwoFactorResetByAdmin,
            SecurityEvent::TwoFactorForced,
            SecurityEvent::TwoFactorUnforced,
            SecurityEvent::RecoveryCodesRegenerated,
            SecurityEvent::RecoveryCodeUsed { left: 5 },
            SecurityEvent::PhoneChanged,
            SecurityEvent::SupportPinChanged,
            SecurityEvent::SupportPinCheckFailed {
                checks_locked: false,
            },
            SecurityEvent::AppPasswordCreated {
                name: "Thunderbird".into(),
            },
            SecurityEvent::PushDevicePaired {
                name: "Pixel".into(),
            },
            SecurityEvent::PushDeviceRemoved {
                name: "Pixel".into(),
            },
            SecurityEvent::WebauthnAdded {
                name: "YubiKey 5".into(),
            },
            SecurityEvent::WebauthnRemoved {
                name: "YubiKey 5".into(),
            },
            SecurityEvent::RoleChanged {
                to: "administrator".into(),
            },
        ]
    }

    #[test]
    fn every_security_event_has_its_own_subject_and_sentence() {
        let rendered: Vec<Rendered> = every_security_event().into_iter().map(security).collect();
        let subjects: std::collections::BTreeSet<_> = rendered
            .iter()
            .map(|m| m.subject.clone().unwrap())
            .collect();
        assert_eq!(subjects.len(), rendered.len(), "{subjects:#?}");
        let sentences: std::collections::BTreeSet<_> = rendered
            .iter()
            .map(|m| m.text.lines().nth(2).unwrap().to_owned())
            .collect();
        assert_eq!(sentences.len(), rendered.len(), "{sentences:#?}");
        assert!(sentences.iter().all(|s| s.ends_with('.')), "{sentences:#?}");
    }

    #[test]
    fn a_change_someone_else_made_names_them_and_offers_no_lock() {
        let admin = ChangedBy::Administrator {
            email: "ann@example.com".into(),
            owner: false,
        };
        let m = security_by(SecurityEvent::TwoFactorForced, admin);
        assert_eq!(
            m.subject.as_deref(),
            Some("Two-factor authentication is now required for your Acme ID account")
        );
        let html = m.html.unwrap();
        for shown in [&m.text, &html] {
            assert!(
                shown.contains("ann@example.com, an administrator of your organisation"),
                "{shown}"
            );
            assert!(!shown.contains("/lock"), "{shown}");
            assert!(
                !shown.to_lowercase().contains("lock your account"),
                "{shown}"
            );
            assert!(!shown.contains("two-step"), "{shown}");
        }
        let owner = ChangedBy::Administrator {
            email: "olga@example.com".into(),
            owner: true,
        };
        let m = security_by(SecurityEvent::TwoFactorResetByAdmin, owner);
        assert_eq!(
            m.subject.as_deref(),
            Some("An administrator reset your Acme ID two-factor authentication")
        );
        assert!(
            m.text
                .contains("olga@example.com, the owner of your organisation's account"),
            "{}",
            m.text
        );
        let m = security_by(
            SecurityEvent::RoleChanged { to: "user".into() },
            ChangedBy::Operator,
        );
        assert!(m.text.contains("the server's operator"), "{}", m.text);
        assert!(m.text.contains("no longer manage"), "{}", m.text);
        assert!(!m.text.contains("/lock"), "{}", m.text);
        let m = security_by(SecurityEvent::TwoFactorResetByAdmin, ChangedBy::Operator);
        assert_eq!(
            m.subject.as_deref(),
            Some("The server's operator reset your Acme ID two-factor authentication")
        );
    }

    #[test]
    fn a_used_recovery_code_counts_what_is_left_and_nudges_at_three() {
        let plenty = security(SecurityEvent::RecoveryCodeUsed { left: 7 }).text;
        assert!(plenty.contains("7 codes are left."), "{plenty}");
        assert!(!plenty.contains("Make new recovery codes"), "{plenty}");
        let few = security(SecurityEvent::RecoveryCodeUsed { left: 3 }).text;
        assert!(few.contains("3 codes are left."), "{few}");
        assert!(
            few.contains("Make new recovery codes soon: https://id.example.com/account/security"),
            "{few}"
        );
        let one = security(SecurityEvent::RecoveryCodeUsed { left: 1 }).text;
        assert!(one.contains("1 code is left."), "{one}");
    }

    #[test]
    fn html_escapes_what_people_typed_and_text_keeps_it() {
        let m = security(SecurityEvent::AppPasswordCreated {
            name: "<b>mail</b>".into(),
        });
        assert!(m.text.contains("named \"<b>mail</b>\""), "{}", m.text);
        let html = m.html.unwrap();
        assert!(!html.contains("<b>mail</b>"), "{html}");
        assert!(html.contains("&#60;b&#62;mail&#60;/b&#62;"), "{html}");
    }

    #[test]
    fn sms_codes_are_short_and_carry_the_code() {
        let m = renderer()
            .render(&Notice::PhoneCode {
                code: "123456".into(),
                valid_minutes: 10,
            })
            .unwrap();
        assert_eq!(
            m.text,
            "Acme ID code to verify your mobile number: 123456. Valid 10 minutes. Never share it."
        );
        assert!(m.subject.is_none() && m.html.is_none());
        let reset = renderer()
            .render(&Notice::ResetCode {
                code: "654321".into(),
                valid_minutes: 30,
            })
            .unwrap();
        assert!(reset.text.contains("654321") && reset.text.len() <= 160);
    }

    #[test]
    fn a_new_sign_in_says_when_from_where_with_what_and_how_to_lock() {
        let m = renderer()
            .render(&Notice::NewSignIn {
                email: "ann@example.com".into(),
                at: 1_741_944_360,
                ip: Some("192.0.2.7".into()),
                client: "Firefox on Linux".into(),
                lock_token: "LOCKTOKEN".into(),
            })
            .unwrap();
        assert_eq!(
            m.subject.as_deref(),
            Some("New sign-in to your Acme ID account")
        );
        let lock = "https://id.example.com/lock?token=LOCKTOKEN";
        for needle in [
            "Someone just signed in to your account from a browser or a network your account has not used in the last 90 days.",
            "When: 14 March 2025, 09:26 UTC",
            "From: 192.0.2.7",
            "Using: Firefox on Linux",
            "Account: ann@example.com",
            &format!("If this wasn't you, lock your account: {lock}\n"),
            "for 30 days",
        ] {
            assert!(m.text.contains(needle), "{needle:?} in {}", m.text);
        }
        let html = m.html.unwrap();
        assert!(html.contains(&format!("href=\"{lock}\"")), "{html}");
        assert!(html.contains("<td>Firefox on Linux</td>"), "{html}");
    }

    #[test]
    fn wrong_codes_say_someone_knows_the_password_and_to_change_it() {
        let m = renderer()
            .render(&Notice::SecondFactorFailures {
                email: "ann@example.com".into(),
                at: 1_741_944_360,
                ip: None,
                client: "API client: <curl>".into(),
                wrong_codes: 3,
                lock_token: "LOCKTOKEN".into(),
            })
            .unwrap();
        assert_eq!(
            m.subject.as_deref(),
            Some("Someone knows your Acme ID password")
        );
        for needle in [
            "then failed the second step 3 times within an hour",
            "Whoever it was knows your password.",
            "From: an unknown address",
            "Using: API client: <curl>",
            "change your password now: https://id.example.com/account\n",
            "lock your account: https://id.example.com/lock?token=LOCKTOKEN\n",
        ] {
            assert!(m.text.contains(needle), "{needle:?} in {}", m.text);
        }
        let html = m.html.unwrap();
        assert!(
            html.contains("href=\"https://id.example.com/account\""),
            "{html}"
        );
        assert!(html.contains("API client: &#60;curl&#62;"), "{html}");
    }

    #[test]
    fn the_owner_hears_who_locked_their_account() {
        let m = renderer()
            .render(&Notice::AccountLocked {
                user_email: "bob@example.com".into(),
                at: 0,
                ip: None,
            })
            .unwrap();
        assert_eq!(
            m.subject.as_deref(),
            Some("bob@example.com locked their Acme ID account")
        );
        assert!(m.text.contains("From: an unknown address"), "{}", m.text);
        assert!(m.text.contains("https://id.example.com/admin/users"));
    }

    /// `f` as a German recipient in Berlin would get it.
    fn in_german<R>(f: impl FnOnce() -> R) -> R {
        let berlin = portcullis_core::locale::TimeZoneName::parse("Europe/Berlin");
        crate::i18n::with_locale(portcullis_core::locale::Language::De, berlin, f)
    }

    #[test]
    fn a_german_recipient_gets_german_words_and_dates_in_their_zone() {
        let m = in_german(|| security(SecurityEvent::RecoveryCodeUsed { left: 1 }));
        assert_eq!(
            m.subject.as_deref(),
            Some("Anmeldung bei Ihrem Acme ID-Konto mit einem Wiederherstellungscode")
        );
        for needle in [
            "Guten Tag,",
            "1 Code ist übrig.",
            "Erstellen Sie bald neue Wiederherstellungscodes: https://id.example.com/account/security",
            "Wann: 14. März 2025, 10:26 CET",
            "Von: 192.0.2.7",
            "Wenn Sie das nicht waren, sperren Sie Ihr Konto: https://id.example.com/lock?token=LOCKTOKEN",
            "30 Tage lang",
        ] {
            assert!(m.text.contains(needle), "{needle:?} in {}", m.text);
        }
        let html = m.html.unwrap();
        assert!(html.contains("<html lang=\"de\">"), "{html}");
        assert!(html.contains("Das war ich nicht: Konto sperren"), "{html}");
        assert!(!html.contains("Hello"), "{html}");
        let english = security(SecurityEvent::PasswordChanged).html.unwrap();
        assert!(english.contains("<html lang=\"en\">"), "{english}");
    }

    #[test]
    fn a_german_email_quotes_names_the_german_way_and_escapes_them_in_html() {
        let m = in_german(|| {
            security(SecurityEvent::WebauthnAdded {
                name: "<YubiKey>".into(),
            })
        });
        assert!(
            m.text
                .contains("Der Sicherheitsschlüssel oder Passkey „<YubiKey>“ wurde"),
            "{}",
            m.text
        );
        assert!(m.html.unwrap().contains("„&#60;YubiKey&#62;“"));
    }

    #[test]
    fn a_german_reset_email_and_its_unknown_sender_address() {
        let m = in_german(|| {
            renderer()
                .render(&Notice::PasswordReset {
                    email: "ann@example.com".into(),
                    token: "TOKEN".into(),
                    valid_minutes: 30,
                    sms_code_sent: true,
                })
                .unwrap()
        });
        assert_eq!(
            m.subject.as_deref(),
            Some("Setzen Sie Ihr Acme ID-Passwort zurück")
        );
        for needle in [
            "das Zurücksetzen des Passworts für das Acme ID-Konto ann@example.com angefordert",
            "\nhttps://id.example.com/reset?token=TOKEN\n",
            "läuft in 30 Minuten ab. Wir haben Ihnen außerdem einen Code per SMS",
            "Zwei-Faktor-Authentifizierung nicht aus",
        ] {
            assert!(m.text.contains(needle), "{needle:?} in {}", m.text);
        }
        let locked = in_german(|| {
            renderer()
                .render(&Notice::AccountLocked {
                    user_email: "bob@example.com".into(),
                    at: 0,
                    ip: None,
                })
                .unwrap()
        });
        assert!(
            locked.text.contains("Von: einer unbekannten Adresse"),
            "{}",
            locked.text
        );
    }

    #[test]
    fn every_sms_fits_one_segment_in_both_languages() {
        let portcullis = Renderer::new("Portcullis", "https://id.example.com", 86_400);
        for language in [
            portcullis_core::locale::Language::En,
            portcullis_core::locale::Language::De,
        ] {
            for notice in [
                Notice::PhoneCode {
                    code: "123456".into(),
                    valid_minutes: 10,
                },
                Notice::ResetCode {
                    code: "654321".into(),
                    valid_minutes: 30,
                },
            ] {
                let m = crate::i18n::with_locale(language, None, || {
                    portcullis.render(&notice).unwrap()
                });
                assert!(m.text.chars().count() <= 160, "{}", m.text);
            }
        }
        let german = in_german(|| {
            portcullis
                .render(&Notice::PhoneCode {
                    code: "123456".into(),
                    valid_minutes: 10,
                })
                .unwrap()
        });
        assert!(
            german.text.starts_with(
                "Ihr Portcullis-Sicherheitscode zum Bestätigen Ihrer Mobilnummer: 123456."
            ),
            "{}",
            german.text
        );
    }

    #[test]
    fn every_security_event_has_its_own_german_subject_and_sentence_and_no_missing_words() {
        let rendered: Vec<Rendered> = in_german(|| {
            every_security_event()
                .into_iter()
                .map(|e| security_by(e, ChangedBy::Operator))
                .collect()
        });
        let subjects: std::collections::BTreeSet<_> = rendered
            .iter()
            .map(|m| m.subject.clone().unwrap())
            .collect();
        assert_eq!(subjects.len(), rendered.len(), "{subjects:#?}");
        let sentences: std::collections::BTreeSet<_> = rendered
            .iter()
            .map(|m| m.text.lines().nth(2).unwrap().to_owned())
            .collect();
        assert_eq!(sentences.len(), rendered.len(), "{sentences:#?}");
        for m in &rendered {
            let html = m.html.as_deref().unwrap();
            for shown in [m.subject.as_deref().unwrap(), &m.text, html] {
                // A message that does not exist shows as its id.
                assert!(!shown.contains("mail-"), "{shown}");
                assert!(!shown.contains("Your "), "English in {shown}");
            }
            assert!(m.text.contains("Betreiber des Servers"), "{}", m.text);
        }
    }
}
