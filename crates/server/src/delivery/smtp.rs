//! Email over SMTP (lettre, rustls): plain, STARTTLS (required, never opportunistic, so a
//! stripped STARTTLS cannot downgrade the connection) or TLS from the first byte, with optional
//! AUTH and an extra root certificate for a private CA. Connections are pooled. A message with
//! HTML goes out as multipart/alternative, the plain text first.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::SendError;
use super::config::{SmtpConfig, SmtpSecurity};
use super::render::Rendered;

/// How long one SMTP conversation may take before it counts as a failed attempt.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct SmtpTransport {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpTransport {
    pub fn new(config: &SmtpConfig) -> anyhow::Result<SmtpTransport> {
        let tls = if config.security == SmtpSecurity::None {
            Tls::None
        } else {
            let mut params = TlsParameters::builder(config.host.clone());
            if let Some(path) = &config.ca_file {
                let pem = std::fs::read(path)
                    .with_context(|| format!("cannot read smtp_ca_file {}", path.display()))?;
                let cert = Certificate::from_pem(&pem)
                    .with_context(|| format!("smtp_ca_file {} is not PEM", path.display()))?;
                params = params.add_root_certificate(cert);
            }
            let params = params.build_rustls().context("invalid SMTP TLS settings")?;
            match config.security {
                SmtpSecurity::Tls => Tls::Wrapper(params),
                _ => Tls::Required(params),
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some(auth) = &config.auth {
            builder = builder.credentials(Credentials::new(
                auth.username.clone(),
                auth.password.expose().to_owned(),
            ));
        }
        Ok(SmtpTransport {
            mailer: builder.build(),
            from: config.from.clone(),
        })
    }

    pub async fn send(&self, to: &str, rendered: &Rendered) -> Result<(), SendError> {
        // An address the server accepted but SMTP cannot carry will never go out.
        let to: Mailbox = to
            .parse()
            .map_err(|_| SendError::GiveUp("the recipient is not a valid mail address".into()))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.clone().unwrap_or_default());
        let message = match &rendered.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                rendered.text.clone(),
                html.clone(),
            )),
            None => builder.singlepart(SinglePart::plain(rendered.text.clone())),
        }
        .map_err(|e| SendError::GiveUp(format!("cannot build the message: {e}")))?;
        self.mailer
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Retry(format!("SMTP: {e}")))
    }
}
