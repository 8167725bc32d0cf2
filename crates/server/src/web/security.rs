//! `GET /account/security`: one tile per way of proving it is you. Each says "Not set up" until
//! the issue that brings the factor fills its tile in.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::csrf::CsrfToken;
use super::error::WebError;
use super::page::{Layout, render};
use super::session::SignedIn;

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    tiles: Vec<Tile>,
}

/// One way of proving who you are, as the overview shows it.
struct Tile {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    status: &'static str,
    /// What the tile's action will be; for now every factor is still to come.
    action: &'static str,
}

const NOT_SET_UP: &str = "Not set up";
const COMING_SOON: &str = "Coming soon";

fn tiles() -> Vec<Tile> {
    vec![
        Tile {
            id: "totp",
            name: "Authenticator app",
            description: "Six-digit codes from an app such as Aegis, FreeOTP or 1Password.",
            status: NOT_SET_UP,
            action: COMING_SOON,
        },
        Tile {
            id: "push",
            name: "Companion app (push)",
            description: "Approve a sign-in with one tap in the Portcullis companion app.",
            status: NOT_SET_UP,
            action: COMING_SOON,
        },
        Tile {
            id: "recovery",
            name: "Recovery codes",
            description: "One-time codes for when your phone is lost or out of reach.",
            status: NOT_SET_UP,
            action: COMING_SOON,
        },
        Tile {
            id: "support-pin",
            name: "Support PIN",
            description: "A PIN that proves it is you when you contact support.",
            status: NOT_SET_UP,
            action: COMING_SOON,
        },
        Tile {
            id: "app-passwords",
            name: "App passwords",
            description: "Separate passwords for mail clients and other apps that cannot ask \
                          for a second factor.",
            status: NOT_SET_UP,
            action: COMING_SOON,
        },
    ]
}

/// `GET /account/security`
pub async fn overview(SignedIn(_auth): SignedIn, csrf: CsrfToken) -> Result<Response, WebError> {
    let page = SecurityPage {
        layout: Layout::signed_in("Security", "security", csrf.value()),
        tiles: tiles(),
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}
