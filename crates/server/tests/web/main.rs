//! What a person sees in a browser: headless Chromium driven through the real pages
//! (`browser*`), and the pages' security as a browser enforces it, checked over plain HTTP
//! (`web_security`: CSRF, cookies, CSP, redirects). Without chromium, chromedriver or
//! `oathtool` the browser tests say SKIPPED, unless `PORTCULLIS_REQUIRE_BROWSER=1`. The OpenID
//! Connect tests (`oidc_rp*`) drive a real relying party on Node.js: without `node` or its npm
//! packages (`npm ci` in `tests/oidc-rp/`) they say SKIPPED too, unless a `PORTCULLIS_REQUIRE_*`
//! says otherwise.

#[macro_use]
#[path = "../harness/mod.rs"]
mod harness;

mod account_locale;
mod admin_oidc_clients;
mod admin_radius_clients;
mod axe;
mod browser;
mod browser_access_rules;
mod browser_admin;
mod browser_credentials;
mod browser_devices;
mod browser_oidc_clients;
mod browser_phone_reset;
mod browser_push;
mod browser_reload;
mod browser_remember;
mod browser_sign_in;
mod browser_step_up;
mod browser_webauthn;
mod german;
mod keyboard;
mod oidc_rp;
mod oidc_rp_refusals;
mod oidc_sign_in;
mod step_up;
mod web_security;
