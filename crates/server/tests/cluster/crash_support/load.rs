//! The write load: workers that each live one account's life after another, as fast as the
//! server answers, until the server is killed under them. Each [`Life`] is the journal of one
//! account: what the server answered with success (and so promised to keep), and the one step
//! whose request got no answer because the process died under it, which may or may not have
//! taken effect.
//!
//! A life: sign up, log in, start the authenticator enrolment, activate it (keeping the recovery
//! codes), make a new set of recovery codes, log in with the password and one recovery code
//! (using it up), create an app password, give a mobile number (an SMS code). Activation, the new
//! set, the recovery login and the app password each queue a security email in the outbox; the
//! mobile number queues an SMS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::totp::code_at_step;

/// One step of a life, as the journal names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Signup,
    Login,
    StartTotp,
    Activate,
    Regenerate,
    Ticket,
    RecoveryLogin { code: String },
    AppPassword,
    Phone,
}

impl Step {
    /// Whether the step, when it commits, queues a security email.
    pub fn notifies(&self) -> bool {
        matches!(
            self,
            Step::Activate | Step::Regenerate | Step::RecoveryLogin { .. } | Step::AppPassword
        )
    }
}

/// What an answered activation promised: this secret is the active factor.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Base32, as the enrolment answer showed it.
    pub secret: String,
    /// The current set of recovery codes.
    pub codes: Vec<String>,
    /// Sets made void by an answered regeneration: none of these may work.
    pub void: Vec<String>,
    /// Codes of the current set whose use was answered.
    pub used: Vec<String>,
}

/// The journal of one account.
#[derive(Debug, Clone)]
pub struct Life {
    pub email: String,
    pub password: String,
    /// The mobile number the life gives (its SMS rows are found by it).
    pub number: String,
    /// The cycle whose load made this life (its checks through the API run once, after it).
    pub cycle: usize,
    pub user_id: Option<String>,
    /// The latest session token the server answered with.
    pub token: Option<String>,
    /// The secret of an answered enrolment start, until an answered activation.
    pub pending: Option<String>,
    pub factor: Option<Factor>,
    pub app_password_id: Option<String>,
    /// Whether giving the mobile number (which queues an SMS code) was answered.
    pub sms_sent: bool,
    /// Answered requests that each queued a security email.
    pub notices: i64,
    /// The step whose request got no answer: the node died under it.
    pub unanswered: Option<Step>,
    /// Whether the API checks of this life have run (they use a TOTP step, so they run once).
    pub checked: bool,
}

impl Life {
    fn new(email: String, password: String, number: String, cycle: usize) -> Life {
        Life {
            email,
            password,
            number,
            cycle,
            user_id: None,
            token: None,
            pending: None,
            factor: None,
            app_password_id: None,
            sms_sent: false,
            notices: 0,
            unanswered: None,
            checked: false,
        }
    }

    /// Whether the life's request for `step` got no answer.
    pub fn lost(&self, step: &Step) -> bool {
        self.unanswered.as_ref() == Some(step)
    }

    pub fn lost_kind(&self, matches: impl Fn(&Step) -> bool) -> bool {
        self.unanswered.as_ref().is_some_and(matches)
    }
}

/// The HTTP side of a worker.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: String) -> Client {
        Client {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            base,
        }
    }

    /// The status and JSON body (plain text as a string), or `None` when no complete answer came
    /// (refused, reset, cut short).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Option<(StatusCode, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let answer = req.send().await.ok()?;
        let status = answer.status();
        let bytes = answer.bytes().await.ok()?;
        // Health checks answer plain text; an API answer that is not JSON fails where it is read.
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Some((status, body))
    }
}

/// How many recovery logins the workers of one cycle have had answered: the kill may wait for
/// the first, so that every other cycle dies in the later steps of a life.
pub type Progress = std::sync::Arc<std::sync::atomic::AtomicUsize>;

/// Worker `w` of the load of `cycle`: lives one account after another until a request gets no
/// answer; returns the journal of every life it began. Emails and mobile numbers are unique in
/// the database: they name the cycle, the worker and the life.
pub async fn worker(client: Client, cycle: usize, w: usize, progress: Progress) -> Vec<Life> {
    let mut lives = Vec::new();
    for n in 0.. {
        let mut life = Life::new(
            format!("c{cycle}w{w}-u{n}@crash.example.com"),
            format!("Tulip-{n}-Quartz#{w}{cycle}"),
            format!("+49151{cycle:02}{w:02}{n:05}"),
            cycle,
        );
        let finished = live(&client, &mut life, &progress).await.is_some();
        lives.push(life);
        if !finished {
            break;
        }
    }
    lives
}

/// Asks for `step`; the body of an answer with status `expected`. No answer: the step is
/// recorded as unanswered and the life ends (`None`). Any other answer fails the test: under
/// load and across kills, every request of a life is one the server must grant.
async fn ask(
    client: &Client,
    life: &mut Life,
    step: Step,
    (method, path): (Method, &str),
    body: Value,
    expected: StatusCode,
) -> Option<Value> {
    let token = life.token.clone();
    let Some((status, answer)) = client
        .send(method, path, token.as_deref(), Some(body))
        .await
    else {
        life.unanswered = Some(step);
        return None;
    };
    assert_eq!(
        status, expected,
        "{step:?} of {} answered {status}: {answer}",
        life.email
    );
    Some(answer)
}

fn text(body: &Value, field: &str) -> String {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing from {body}"))
        .to_owned()
}

fn codes(body: &Value) -> Vec<String> {
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap_or_else(|| panic!("recovery_codes missing from {body}"))
        .iter()
        .map(|c| c.as_str().expect("a code").to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "a full set: {body}");
    codes
}

async fn live(client: &Client, life: &mut Life, progress: &Progress) -> Option<()> {
    let (post, put) = (Method::POST, Method::PUT);
    let credentials = json!({ "email": life.email, "password": life.password });
    let body = ask(
        client,
        life,
        Step::Signup,
        (post.clone(), "/api/v1/signup"),
        credentials,
        StatusCode::CREATED,
    )
    .await?;
    life.user_id = Some(text(&body, "user_id"));

    let login = json!({ "username": life.email, "password": life.password });
    let body = ask(
        client,
        life,
        Step::Login,
        (post.clone(), "/api/v1/login"),
        login.clone(),
        StatusCode::OK,
    )
    .await?;
    assert_eq!(body["status"], "ok", "{body}");
    life.token = Some(text(&body, "token"));

    let body = ask(
        client,
        life,
        Step::StartTotp,
        (post.clone(), "/api/v1/me/totp"),
        json!({}),
        StatusCode::CREATED,
    )
    .await?;
    let secret = text(&body, "secret");
    life.pending = Some(secret.clone());

    let code = code_at_step(&secret, super::now().div_euclid(30));
    let activate = json!({ "password": life.password, "code": code });
    let body = ask(
        client,
        life,
        Step::Activate,
        (post.clone(), "/api/v1/me/totp/activate"),
        activate,
        StatusCode::OK,
    )
    .await?;
    life.pending = None;
    life.factor = Some(Factor {
        secret,
        codes: codes(&body),
        void: Vec::new(),
        used: Vec::new(),
    });
    life.notices += 1;

    let body = ask(
        client,
        life,
        Step::Regenerate,
        (post.clone(), "/api/v1/me/recovery-codes"),
        json!({ "password": life.password }),
        StatusCode::OK,
    )
    .await?;
    let factor = life.factor.as_mut().expect("activated");
    let old = std::mem::replace(&mut factor.codes, codes(&body));
    factor.void.extend(old);
    life.notices += 1;

    let body = ask(
        client,
        life,
        Step::Ticket,
        (post.clone(), "/api/v1/login"),
        login,
        StatusCode::OK,
    )
    .await?;
    assert_eq!(body["status"], "second_factor", "{body}");
    let ticket = text(&body, "login_ticket");
    let code = life.factor.as_ref().expect("activated").codes[3].clone();
    let recovery = json!({ "login_ticket": ticket, "code": code });
    let body = ask(
        client,
        life,
        Step::RecoveryLogin { code: code.clone() },
        (post.clone(), "/api/v1/login/recovery"),
        recovery,
        StatusCode::OK,
    )
    .await?;
    life.token = Some(text(&body, "token"));
    life.factor.as_mut().expect("activated").used.push(code);
    life.notices += 1;
    progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);

    let body = ask(
        client,
        life,
        Step::AppPassword,
        (post, "/api/v1/me/app-passwords"),
        json!({ "name": "Thunderbird", "password": life.password }),
        StatusCode::CREATED,
    )
    .await?;
    life.app_password_id = Some(text(&body, "id"));
    life.notices += 1;

    let number = json!({ "number": life.number });
    ask(
        client,
        life,
        Step::Phone,
        (put, "/api/v1/me/phone"),
        number,
        StatusCode::ACCEPTED,
    )
    .await?;
    life.sms_sent = true;
    Some(())
}
