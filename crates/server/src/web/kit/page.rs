//! What every page shares: the layout's data (title, whether someone is signed in, which section
//! is current, which sections the person's role opens) and turning a template into a response
//! that no cache keeps.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use portcullis_core::Error;
use portcullis_core::model::Role;
use portcullis_core::policy;

use super::error::WebError;

/// The data `base.html` reads from every page.
pub struct Layout {
    /// Shown before " · Portcullis" in the window title.
    pub title: &'static str,
    /// The CSRF token for the header's sign-out button; `None` on signed-out pages.
    pub sign_out_csrf: Option<String>,
    /// `account`, `security`, `resources`, `users` or `groups`: the navigation link marked as the
    /// current page.
    pub section: &'static str,
    /// Owners and administrators also see the user manager and the groups in the navigation. Only
    /// a convenience: the services refuse everyone else whatever link they follow.
    pub admin: bool,
}

impl Layout {
    pub fn signed_out(title: &'static str) -> Self {
        Layout {
            title,
            sign_out_csrf: None,
            section: "",
            admin: false,
        }
    }

    pub fn signed_in(title: &'static str, section: &'static str, csrf: &str, role: Role) -> Self {
        Layout {
            title,
            sign_out_csrf: Some(csrf.to_owned()),
            section,
            admin: policy::is_admin(role),
        }
    }
}

/// A fixed message that a redirect asks the next page to show (`?done=…`). Only `'static` text:
/// a crafted link can choose among our sentences but never put its own words on a page.
pub struct Notice {
    pub text: &'static str,
    /// `success` for a confirmation, `warning` for something that needs the person's attention.
    pub tone: &'static str,
}

impl Notice {
    pub const fn success(text: &'static str) -> Notice {
        Notice {
            text,
            tone: "success",
        }
    }

    pub const fn warning(text: &'static str) -> Notice {
        Notice {
            text,
            tone: "warning",
        }
    }
}

/// Renders a page with `status`. Every page is `no-store`: they show account data or carry a
/// CSRF token, and neither belongs in a shared or back-button cache.
pub fn render(status: StatusCode, page: &impl Template) -> Result<Response, WebError> {
    let html = page
        .render()
        .map_err(|e| WebError::Internal(Error::internal(e)))?;
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}
