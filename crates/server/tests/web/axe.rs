//! Every page a person can reach, checked by axe-core (npm, `tests/axe/`) in headless Chromium
//! against WCAG 2.0 and 2.1, levels A and AA: signed out, each sign-in step, the account
//! holder's pages, both setup wizards, the administrator's and a support agent's pages, and the
//! error pages; in English and German, at desktop (1280×900) and phone (375×740) width, and in
//! the dark theme at desktop width. A violation of impact "serious" or "critical" fails the test;
//! every finding, whatever its impact, is printed with its page, language, width and target.
//!
//! One browser session walks the pages of one server per language (a fresh server, so that a
//! language stored on an account never leaks into the other tour). axe.min.js is read from disk
//! and handed to WebDriver's script command, which runs outside the page's CSP. The dark theme
//! is Chromium's media emulation (`Emulation.setEmulatedMedia`, through chromedriver's
//! `goog/cdp/execute`), checked with `matchMedia` before it is trusted.
//!
//! Without axe-core installed (`npm ci` in `tests/axe/`) the test says SKIPPED, unless
//! `PORTCULLIS_REQUIRE_BROWSER=1`. Elements are found by id, name and type, never by their words:
//! the same tour runs in both languages.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use portcullis_core::password::Password;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::browser::*;
use crate::harness::companion::Device;

const AGENT: &str = "sam@example.com";
const AGENT_PASSWORD: &str = "Support-Desk-7!";
const BOB: &str = "bob@example.com";
const BOB_PASSWORD: &str = "Blue-Secret-42!";
const CAROL: &str = "carol@example.com";
const REDIRECT_URI: &str = "https://mail.example.com/callback";

/// The rules axe runs: WCAG 2.0 and 2.1, A and AA (not best practice, not AAA).
const TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// ---------------------------------------------------------------------------------------------
// axe-core and Chromium's media emulation

/// axe.min.js from `tests/axe/node_modules`; `None` (after saying SKIPPED) when not installed.
pub fn axe_source(test: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            assert!(
                std::env::var("PORTCULLIS_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "{}: {e} (run `npm ci` in crates/server/tests/axe)",
                path.display()
            );
            println!("SKIPPED {test}: axe-core not installed (npm ci in crates/server/tests/axe)");
            None
        }
    }
}

/// `POST /session/{id}/goog/cdp/execute`: one DevTools command, through chromedriver.
#[derive(Debug)]
pub struct Cdp(pub &'static str, pub Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a WebDriver session");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 });
        (Method::POST, Some(body.to_string()))
    }
}

/// Emulates the media features `features` (`[("prefers-color-scheme", "dark")]`); empty: none.
pub async fn emulate_media(c: &Client, features: &[(&str, &str)]) {
    let features: Vec<Value> = features
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    c.issue_cmd(Cdp(
        "Emulation.setEmulatedMedia",
        json!({ "features": features }),
    ))
    .await
    .expect("chromedriver passes Emulation.setEmulatedMedia on");
}

/// Whether the page now matches the media query `query`.
pub async fn media_matches(c: &Client, query: &str) -> bool {
    c.execute(
        "return window.matchMedia(arguments[0]).matches",
        vec![json!(query)],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap()
}

/// One violation as axe reports it, flattened for printing.
struct Finding {
    page: String,
    view: String,
    rule: String,
    impact: String,
    help: String,
    targets: Vec<String>,
}

impl Finding {
    fn serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {} ({}): {} — {} — {}",
            self.impact,
            self.page,
            self.view,
            self.rule,
            self.help,
            self.targets.join(" | ")
        )
    }
}

/// The rules whose answer can change with the width or the colour scheme: the page's elements
/// and their roles are the same in every view, only layout and colours differ. The desktop view
/// runs every WCAG rule; the others run these, which keeps the test near a minute and a half.
const LAYOUT_AND_COLOUR_RULES: [&str; 4] = [
    "color-contrast",
    "link-in-text-block",
    "scrollable-region-focusable",
    "meta-viewport",
];

/// The views one page is checked in.
#[derive(Clone, Copy)]
struct View {
    name: &'static str,
    width: u32,
    height: u32,
    dark: bool,
    /// Every WCAG A/AA rule, or only [`LAYOUT_AND_COLOUR_RULES`].
    all_rules: bool,
}

const DESKTOP: View = View {
    name: "1280",
    width: 1280,
    height: 900,
    dark: false,
    all_rules: true,
};
const PHONE: View = View {
    name: "375",
    width: 375,
    height: 740,
    dark: false,
    all_rules: false,
};
const DARK: View = View {
    name: "1280 dark",
    width: 1280,
    height: 900,
    dark: true,
    all_rules: false,
};

/// The walk through one server's pages in one language, collecting axe's findings.
struct Audit<'a> {
    c: &'a Client,
    axe: &'a str,
    language: &'static str,
    views: &'static [View],
    findings: Vec<Finding>,
    pages: Vec<String>,
    /// Time spent inside axe.run (and loading axe), against the whole tour's.
    axe_time: Duration,
}

impl<'a> Audit<'a> {
    /// Runs axe on the page the browser shows, in each of this tour's views.
    async fn check(&mut self, name: &str) {
        let c = self.c;
        let lang = c
            .execute("return document.documentElement.lang", vec![])
            .await
            .unwrap();
        assert_eq!(
            lang.as_str(),
            Some(self.language),
            "{name}: <html lang> is the tour's language"
        );
        let injected = c
            .execute("return typeof window.axe === 'object'", vec![])
            .await
            .unwrap();
        let started = Instant::now();
        if injected != json!(true) {
            c.execute(&format!("{}\n;return true;", self.axe), vec![])
                .await
                .expect("axe-core loads into the page");
        }
        for view in self.views {
            c.set_window_size(view.width, view.height).await.unwrap();
            if view.dark {
                emulate_media(c, &[("prefers-color-scheme", "dark")]).await;
                assert!(
                    media_matches(c, "(prefers-color-scheme: dark)").await,
                    "the dark theme is emulated"
                );
            }
            let width = c.execute("return window.innerWidth", vec![]).await.unwrap();
            assert_eq!(
                width,
                json!(view.width),
                "{name}: the viewport is {} wide",
                view.name
            );
            // A change of scheme starts the buttons' colour transitions; axe must see where they
            // end, not a colour half-way. The endless ones (the push spinner) are left alone.
            let result = c
                .execute_async(
                    r#"const done = arguments[arguments.length - 1];
                    const settled = document.getAnimations()
                        .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
                        .map(a => a.finished.catch(() => null));
                    Promise.all(settled).then(() => axe.run(document, {
                        runOnly: arguments[0],
                        resultTypes: ['violations'],
                    })).then(r => done(r.violations.map(v => ({
                        id: v.id,
                        impact: v.impact || 'unknown',
                        help: v.help,
                        targets: v.nodes.map(n => {
                            const why = [...n.any, ...n.all, ...n.none].map(c => c.message)[0];
                            return n.target.join(' ') + (why ? ` (${why})` : '');
                        }),
                    })))).catch(e => done({ error: String(e) }));"#,
                    vec![if view.all_rules {
                        json!({ "type": "tag", "values": TAGS })
                    } else {
                        json!({ "type": "rule", "values": LAYOUT_AND_COLOUR_RULES })
                    }],
                )
                .await
                .expect("axe.run answers");
            if view.dark {
                emulate_media(c, &[]).await;
            }
            let violations = result
                .as_array()
                .unwrap_or_else(|| panic!("{name}: axe failed: {result}"));
            for v in violations {
                self.findings.push(Finding {
                    page: name.to_owned(),
                    view: format!("{} {}", self.language, view.name),
                    rule: v["id"].as_str().unwrap_or("?").to_owned(),
                    impact: v["impact"].as_str().unwrap_or("?").to_owned(),
                    help: v["help"].as_str().unwrap_or("").to_owned(),
                    targets: v["targets"]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(|s| s.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
        }
        self.axe_time += started.elapsed();
        c.set_window_size(DESKTOP.width, DESKTOP.height)
            .await
            .unwrap();
        let h1 = c
            .execute(
                "const h = document.querySelector('h1'); return h ? h.innerText : ''",
                vec![],
            )
            .await
            .unwrap();
        self.pages.push(format!(
            "{name} ({}) {}: {}",
            self.language,
            path_of(c).await,
            h1.as_str().unwrap_or("")
        ));
    }

    /// Plants an image without a text alternative on the page, and demands that axe names it:
    /// a checker that finds nothing must be seen to be able to find something.
    async fn assert_axe_sees_a_planted_fault(&mut self) {
        self.c
            .execute(
                r#"const img = document.createElement('img');
                img.src = '/static/icon.svg';
                img.id = 'planted-fault';
                document.querySelector('main').appendChild(img);"#,
                vec![],
            )
            .await
            .unwrap();
        let before = self.findings.len();
        self.check("planted fault").await;
        let planted: Vec<Finding> = self.findings.drain(before..).collect();
        self.pages.pop();
        assert!(
            planted
                .iter()
                .any(|f| f.rule == "image-alt"
                    && f.targets.iter().any(|t| t.contains("#planted-fault"))),
            "axe did not report the planted image without alt"
        );
        self.c.refresh().await.unwrap();
    }

    /// Opens `path` and checks it.
    async fn visit(&mut self, name: &str, path: &str, app: &TestApp) {
        self.c.goto(&app.url(path)).await.unwrap();
        self.check(name).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Moving through the pages without reading their words

/// Sets `fields` (by name) in the form posting to `action` and submits it as its first submit
/// button would, then waits for the next page. Works on forms folded into a `<details>`.
async fn submit(c: &Client, action: &str, fields: &[(&str, &str)]) {
    submit_form(c, &format!("form[action='{action}']"), fields).await;
}

/// [`submit`] for the first form that matches `css`.
async fn submit_form(c: &Client, css: &str, fields: &[(&str, &str)]) {
    let action = css;
    let old_root = c.find(Locator::Css("html")).await.unwrap();
    let fields: Vec<Value> = fields.iter().map(|(n, v)| json!([n, v])).collect();
    let done = c
        .execute(
            r#"const form = document.querySelector(arguments[0]);
            if (!form) return 'no such form';
            for (const [name, value] of arguments[1]) {
                const input = form.querySelector(`[name='${name}']:not([type='hidden'])`)
                    || form.querySelector(`[name='${name}']`);
                if (!input) return `no field ${name}`;
                input.value = value;
            }
            const button = form.querySelector("button[type='submit'], button:not([type])");
            form.requestSubmit(button || undefined);
            return 'sent';"#,
            vec![json!(action), json!(fields)],
        )
        .await
        .unwrap();
    assert_eq!(
        done,
        json!("sent"),
        "the form {action} on {}",
        c.current_url().await.unwrap()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while old_root.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "{action} loaded no new page");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The first `token=` value in a message's body.
fn token_in(message: &Value, path: &str) -> Option<String> {
    let body = message["body"].as_str()?;
    let start = body.find(&format!("{path}?token="))? + path.len() + "?token=".len();
    Some(
        body[start..]
            .chars()
            .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '-' || *ch == '_')
            .collect(),
    )
}

/// The password form, for anyone; where it leads depends on their factors.
async fn sign_in(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    submit(c, "/login", &[("username", email), ("password", password)]).await;
}

/// Signs out from the account page, which every signed-in person has.
async fn sign_out(c: &Client, app: &TestApp) {
    c.goto(&app.url("/account")).await.unwrap();
    submit(c, "/logout", &[]).await;
}

/// The owner adds a user by form over plain HTTP: with `password`, a ready account (made to set
/// up two-factor authentication when `forced`); without, an emailed invitation.
async fn add_user(app: &TestApp, email: &str, password: &str, forced: bool) {
    let owner = app.http();
    app.sign_in(&owner).await;
    let csrf = app.form_token(&owner, "/admin/users").await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("email", email),
        ("password", password),
        ("role", "user"),
    ];
    if forced {
        form.push(("force_2fa", "on"));
    }
    let res = owner
        .post(app.url("/admin/users"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the user {email} is added"
    );
}

/// The manual-entry key shown by a setup wizard, without its spaces.
async fn shown_key(c: &Client) -> String {
    key_from_grouped(&text_of(c, "#totp-key").await)
}

// ---------------------------------------------------------------------------------------------
// The tour

/// Every page of one fresh server in `language`.
async fn tour(audit: &mut Audit<'_>) {
    let c = audit.c;
    let lang = audit.language;
    let (app, _service) = TestApp::with_mail_service(Some((AGENT, AGENT_PASSWORD))).await;
    add_user(&app, BOB, BOB_PASSWORD, true).await;
    add_user(&app, CAROL, "", false).await;

    // Signed out. `?lang=` sets the language cookie for the rest of the tour.
    c.delete_all_cookies().await.unwrap();
    c.goto(&app.url(&format!("/login?lang={lang}")))
        .await
        .unwrap();
    audit.assert_axe_sees_a_planted_fault().await;
    audit.check("sign-in").await;
    submit(
        c,
        "/login",
        &[("username", EMAIL), ("password", "Wrong-Horse-9!")],
    )
    .await;
    audit.check("sign-in, wrong password").await;
    audit.visit("forgot password", "/forgot", &app).await;
    submit(c, "/forgot", &[("username", EMAIL)]).await;
    audit.check("forgot password, link sent").await;
    let reset = app
        .server()
        .message_to("email", EMAIL, |m| token_in(m, "/reset").is_some())
        .await;
    let token = token_in(&reset, "/reset").unwrap();
    audit
        .visit("reset link", &format!("/reset?token={token}"), &app)
        .await;
    audit.visit("reset by code", "/reset", &app).await;
    audit.visit("sign-up", "/signup", &app).await;
    submit(c, "/signup", &[("email", "not-an-address")]).await;
    audit.check("sign-up with errors").await;
    audit.visit("recover", "/recover", &app).await;
    let invitation = app
        .server()
        .message_to("email", CAROL, |m| token_in(m, "/invite").is_some())
        .await;
    let token = token_in(&invitation, "/invite").unwrap();
    audit
        .visit("invitation", &format!("/invite?token={token}"), &app)
        .await;
    audit.visit("lock link, no token", "/lock", &app).await;
    audit.visit("error 404", "/no-such-page", &app).await;

    // The owner: account pages and the authenticator wizard from the security page.
    sign_in(c, &app, EMAIL, PASSWORD).await;
    audit.check("account").await;
    audit.visit("security", "/account/security", &app).await;
    submit(c, "/account/security/totp/start", &[]).await;
    audit.check("totp wizard").await;
    let key = shown_key(c).await;
    submit(
        c,
        "/account/security/totp/activate",
        &[("password", PASSWORD), ("code", "")],
    )
    .await;
    audit.check("totp wizard with errors").await;
    submit(
        c,
        "/account/security/totp/activate",
        &[("password", PASSWORD), ("code", &totp_code(&key, 0))],
    )
    .await;
    audit.check("recovery codes").await;
    // This session began with the password alone: a link that asks for more steps it up.
    c.goto(&app.url("/login?next=/account/security&acr=mfa"))
        .await
        .unwrap();
    audit.check("step-up").await;
    audit
        .visit("security with totp", "/account/security", &app)
        .await;
    submit(
        c,
        "/account/security/push-devices",
        &[("name", "Phone"), ("password", PASSWORD)],
    )
    .await;
    audit.check("push pairing").await;
    // The companion app takes the link; from now on the sign-in offers a push request.
    let uri = text_of(c, "#pairing-uri").await;
    let paired = Device::new().pair_raw(app.server(), &uri).await;
    assert_eq!(paired.status(), StatusCode::CREATED, "the device is paired");
    audit
        .visit("security with a device", "/account/security", &app)
        .await;
    submit_form(
        c,
        "form[action^='/account/security/push-devices/'][action$='/remove']",
        &[],
    )
    .await;
    audit.check("confirm removing a device").await;
    audit
        .visit("app passwords", "/account/app-passwords", &app)
        .await;
    submit(
        c,
        "/account/app-passwords",
        &[("name", "Mail"), ("password", PASSWORD)],
    )
    .await;
    audit.check("app password created").await;
    audit
        .visit("support PIN", "/account/support-pin", &app)
        .await;
    submit(
        c,
        "/account/support-pin",
        &[
            ("pin", "4829"),
            ("pin_confirm", "4830"),
            ("password", PASSWORD),
        ],
    )
    .await;
    audit.check("support PIN with errors").await;
    audit.visit("phone", "/account/phone", &app).await;
    submit(c, "/account/phone", &[("number", "+49 151 23456789")]).await;
    audit.check("phone, code sent").await;
    submit(c, "/account/phone/verify", &[("code", "000000")]).await;
    audit.check("phone, wrong code").await;
    audit.visit("resources", "/resources", &app).await;
    submit(c, "/resources", &[("name", "Webmail")]).await;
    audit.check("resources with one").await;
    audit.visit("groups", "/admin/groups", &app).await;
    submit(c, "/admin/groups", &[("name", "Staff")]).await;
    audit.check("groups with one").await;
    audit
        .visit("access rules", "/admin/access-rules", &app)
        .await;
    submit(
        c,
        "/admin/access-rules",
        &[("host", "app.example.com"), ("groups", "Staff")],
    )
    .await;
    audit.check("access rules with one").await;
    audit
        .visit("OIDC clients", "/admin/oidc-clients", &app)
        .await;
    submit(
        c,
        "/admin/oidc-clients",
        &[("name", "Webmail"), ("redirect_uris", REDIRECT_URI)],
    )
    .await;
    audit.check("OIDC client created").await;
    let client_id = c
        .execute(
            r#"const form = [...document.querySelectorAll("form[action^='/admin/oidc-clients/']")]
                .find(f => f.getAttribute('action').split('/').length === 4);
            return form ? form.getAttribute('action').split('/')[3] : null;"#,
            vec![],
        )
        .await
        .unwrap();
    let client_id = client_id.as_str().expect("the new client's id");
    audit
        .visit("RADIUS clients", "/admin/radius-clients", &app)
        .await;
    submit(
        c,
        "/admin/radius-clients",
        &[("name", "office-vpn"), ("address", "192.0.2.0/24")],
    )
    .await;
    audit.check("RADIUS client added, its secret shown").await;
    audit
        .visit(
            "OIDC consent",
            &format!(
                "/oauth2/authorize?response_type=code&client_id={client_id}\
                 &redirect_uri={}&scope=openid%20email&state=axe-state&nonce=axe-nonce\
                 &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
                 &code_challenge_method=S256",
                REDIRECT_URI.replace(':', "%3A").replace('/', "%2F")
            ),
            &app,
        )
        .await;
    for (name, path) in [
        ("connected apps", "/account/security/connected-apps"),
        ("devices", "/account/security/devices"),
        ("add a security key", "/account/security/webauthn/add"),
        ("users", "/admin/users"),
        ("OIDC sign-out", "/oauth2/logout"),
    ] {
        audit.visit(name, path, &app).await;
    }
    c.goto(&app.url("/admin/users")).await.unwrap();
    c.find(Locator::Css("a[href^='/admin/users/']"))
        .await
        .expect("a user's details link")
        .click()
        .await
        .unwrap();
    wait_for_path_prefix(c, "/admin/users/").await;
    audit.check("user details").await;
    if let Some(lock) = app
        .server()
        .messages_to("email", EMAIL)
        .iter()
        .find_map(|m| token_in(m, "/lock"))
    {
        sign_out(c, &app).await;
        audit
            .visit("lock link", &format!("/lock?token={lock}"), &app)
            .await;
    } else {
        sign_out(c, &app).await;
    }

    // The second step with the authenticator app.
    sign_in(c, &app, EMAIL, PASSWORD).await;
    audit.check("sign-in code").await;
    submit(c, "/login/code", &[("code", &wrong_code(&key))]).await;
    audit.check("sign-in code, wrong").await;
    submit(c, "/login/push", &[]).await;
    audit.check("sign-in push, waiting").await;
    c.goto(&app.url("/login/code")).await.unwrap();
    submit(c, "/login/code", &[("code", &totp_code(&key, 30))]).await;
    sign_out(c, &app).await;

    // Bob must set up two-factor authentication at his first sign-in.
    sign_in(c, &app, BOB, BOB_PASSWORD).await;
    audit.check("forced setup wizard").await;
    let bob_key = shown_key(c).await;
    submit(c, "/login/setup", &[("code", &wrong_code(&bob_key))]).await;
    audit.check("forced setup wizard, wrong code").await;
    audit
        .visit("forced setup, security key", "/login/setup/key", &app)
        .await;
    c.goto(&app.url("/login/setup")).await.unwrap();
    submit(c, "/login/setup", &[("code", &totp_code(&bob_key, 0))]).await;
    audit.check("recovery codes after the forced setup").await;
    audit.visit("error 403", "/admin/users", &app).await;
    sign_out(c, &app).await;

    // A support agent.
    sign_in(c, &app, AGENT, AGENT_PASSWORD).await;
    audit.check("support agent, first page").await;
    sign_out(c, &app).await;
    app.stop().await;

    // A deployment that wants a verified mobile number before two-factor authentication: the
    // forced setup starts with the number (phone.html in its wizard form).
    let phone_app = TestApp::spawn_with(
        |args| {
            args.open_registration = Some(true);
            args.require_phone_for_2fa = Some(true);
        },
        |server| async move {
            server
                .state()
                .services
                .create_owner_from_shell(EMAIL, &Password::new(PASSWORD))
                .await
                .expect("the owner is created");
            server
        },
    )
    .await;
    add_user(&phone_app, BOB, BOB_PASSWORD, true).await;
    sign_in(c, &phone_app, BOB, BOB_PASSWORD).await;
    audit.check("forced setup, number step").await;
    submit(c, "/login/setup/phone", &[("number", "+49 151 23456789")]).await;
    audit.check("forced setup, number code").await;
    submit(c, "/login/setup/phone/verify", &[("code", "000000")]).await;
    audit.check("forced setup, number code wrong").await;
    phone_app.stop().await;

    // A server without an account offers its setup link.
    let fresh = TestApp::fresh_closed().await;
    let token = fresh.setup_token.clone().expect("a setup link");
    audit
        .visit(
            "first owner setup",
            &format!("/setup?token={token}"),
            &fresh,
        )
        .await;
    fresh.stop().await;
}

async fn wait_for_path_prefix(c: &Client, prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !path_of(c).await.starts_with(prefix) {
        assert!(Instant::now() < deadline, "no page under {prefix}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A computed style of `css` (or of its `::before` when `pseudo` says so) on the current page,
/// for an element made on the spot: the rule under test may belong to a page that is hard to
/// reach (the push spinner waits for a phone).
async fn computed(c: &Client, class: &str, pseudo: Option<&str>, property: &str) -> String {
    c.execute(
        r#"const el = document.createElement('p');
        el.className = arguments[0];
        document.body.appendChild(el);
        const value = getComputedStyle(el, arguments[1]).getPropertyValue(arguments[2]);
        el.remove();
        return value;"#,
        vec![json!(class), json!(pseudo), json!(property)],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap()
    .to_owned()
}

#[tokio::test]
async fn the_stylesheet_follows_the_dark_scheme_and_reduced_motion() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();
    c.goto(&app.url("/login")).await.unwrap();
    let background = || async {
        c.execute(
            "return getComputedStyle(document.body).backgroundColor",
            vec![],
        )
        .await
        .unwrap()
    };
    emulate_media(c, &[("prefers-color-scheme", "light")]).await;
    assert_eq!(background().await, json!("rgb(244, 246, 250)"));
    assert_eq!(
        computed(
            c,
            "push-status push-status--pending",
            Some("::before"),
            "animation-name"
        )
        .await,
        "push-spin"
    );
    assert_ne!(
        computed(c, "button", None, "transition-duration").await,
        "0s"
    );

    emulate_media(
        c,
        &[
            ("prefers-color-scheme", "dark"),
            ("prefers-reduced-motion", "reduce"),
        ],
    )
    .await;
    assert!(media_matches(c, "(prefers-reduced-motion: reduce)").await);
    assert_eq!(
        background().await,
        json!("rgb(16, 20, 28)"),
        "the dark page"
    );
    assert_eq!(
        computed(
            c,
            "push-status push-status--pending",
            Some("::before"),
            "animation-name"
        )
        .await,
        "none",
        "the waiting ring stands still"
    );
    assert_eq!(
        computed(c, "button", None, "transition-duration").await,
        "0s"
    );

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn every_page_passes_axe_in_both_languages_at_desktop_and_phone_width_and_in_the_dark() {
    let Some(axe) = axe_source("axe") else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    if !oathtool_available("axe") {
        return;
    }
    let c = browser.client();
    let started = Instant::now();
    let mut findings = Vec::new();
    let mut pages = Vec::new();
    let mut axe_time = Duration::ZERO;
    for (language, views) in [
        ("en", &[DESKTOP, PHONE, DARK][..]),
        ("de", &[DESKTOP, PHONE][..]),
    ] {
        let mut audit = Audit {
            c,
            axe: &axe,
            language,
            views,
            findings: Vec::new(),
            pages: Vec::new(),
            axe_time: Duration::ZERO,
        };
        tour(&mut audit).await;
        axe_time += audit.axe_time;
        findings.append(&mut audit.findings);
        pages.append(&mut audit.pages);
    }
    browser.close().await;

    println!(
        "axe: {} pages checked in {:.1} s, {:.1} s of it in axe",
        pages.len(),
        started.elapsed().as_secs_f64(),
        axe_time.as_secs_f64()
    );
    for page in &pages {
        println!("  checked: {page}");
    }
    let (serious, other): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.serious());
    for finding in &other {
        println!("axe finding: {finding}");
    }
    for finding in &serious {
        println!("AXE VIOLATION: {finding}");
    }
    assert!(
        serious.is_empty(),
        "{} serious or critical axe violations (listed above)",
        serious.len()
    );
}
