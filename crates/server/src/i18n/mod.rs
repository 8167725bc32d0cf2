//! Languages: every page, email and SMS in English and German, from the Fluent files in
//! `crates/server/locales/{en,de}/`. Nothing a person reads is written in a template or in
//! code; both name a message by its id and this module finds its words.
//!
//! The language and time zone of a request are found once, by [`layer`]: `?lang=de|en` on any
//! address (which also sets the cookie), else the `portcullis_lang` cookie (set by the switch
//! on every page, which posts to `/language`), else `Accept-Language`, else the deployment's
//! default. The signed-in person's own choice, stored on the account, overrides the browser's
//! once their session is read ([`adopt_account`]). Emails and SMS are rendered in the
//! recipient's language with [`with_locale`].
//!
//! Templates translate with filters: `{{ "sign-in-title"|t }}`, and with arguments
//! `{{ "codes-left"|t1("count", n) }}` (`t2`, `t3` for more); code calls [`tr`] and [`tr_with`].

pub mod dates;
pub mod filters;
mod switch;

use std::cell::RefCell;
use std::sync::LazyLock;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use portcullis_core::locale::{Language, TimeZoneName};
use portcullis_core::model::User;

pub use switch::{COOKIE as LANGUAGE_COOKIE, TZ_COOKIE, set_account_locale, switch_language};

use crate::state::AppState;

/// The translation files, one per part of the product, in both languages. A file added here
/// must exist for both; the tests compare their message ids.
pub const FILES: &[(&str, &str, &str)] = &[
    (
        "common",
        include_str!("../../locales/en/common.ftl"),
        include_str!("../../locales/de/common.ftl"),
    ),
    (
        "sign-in",
        include_str!("../../locales/en/sign-in.ftl"),
        include_str!("../../locales/de/sign-in.ftl"),
    ),
    (
        "security",
        include_str!("../../locales/en/security.ftl"),
        include_str!("../../locales/de/security.ftl"),
    ),
    (
        "admin",
        include_str!("../../locales/en/admin.ftl"),
        include_str!("../../locales/de/admin.ftl"),
    ),
    (
        "core",
        include_str!("../../locales/en/core.ftl"),
        include_str!("../../locales/de/core.ftl"),
    ),
    (
        "messages",
        include_str!("../../locales/en/messages.ftl"),
        include_str!("../../locales/de/messages.ftl"),
    ),
    (
        "radius",
        include_str!("../../locales/en/radius.ftl"),
        include_str!("../../locales/de/radius.ftl"),
    ),
];

struct Bundles {
    en: FluentBundle<FluentResource>,
    de: FluentBundle<FluentResource>,
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| Bundles {
    en: bundle(Language::En),
    de: bundle(Language::De),
});

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let tag: unic_langid::LanguageIdentifier =
        language.as_str().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // No Unicode isolation marks around arguments: the pages are left-to-right only, and the
    // marks would end up in emails, SMS and copied text.
    bundle.set_use_isolating(false);
    for (name, en, de) in FILES {
        let source = match language {
            Language::En => en,
            Language::De => de,
        };
        let resource = FluentResource::try_new((*source).to_owned())
            .unwrap_or_else(|(_, e)| panic!("locales/{}/{name}.ftl: {e:?}", language.as_str()));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|e| panic!("locales/{}/{name}.ftl: {e:?}", language.as_str()));
    }
    bundle
}

/// Parses every translation file now, so a broken one stops the server at start, not a page.
pub fn load() {
    LazyLock::force(&BUNDLES);
}

/// A value for a message's argument: a number (plurals choose by it) or words.
pub struct Arg(FluentValue<'static>);

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg(FluentValue::from(v))
    }
}
impl From<&i64> for Arg {
    fn from(v: &i64) -> Arg {
        Arg(FluentValue::from(*v))
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Arg {
        Arg(FluentValue::from(v))
    }
}
impl From<&u32> for Arg {
    fn from(v: &u32) -> Arg {
        Arg(FluentValue::from(*v))
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Arg {
        Arg(FluentValue::from(v))
    }
}
impl From<&usize> for Arg {
    fn from(v: &usize) -> Arg {
        Arg(FluentValue::from(*v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg(FluentValue::from(v.to_owned()))
    }
}
impl From<&&str> for Arg {
    fn from(v: &&str) -> Arg {
        Arg(FluentValue::from((*v).to_owned()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg(FluentValue::from(v))
    }
}
impl From<&&String> for Arg {
    fn from(v: &&String) -> Arg {
        Arg(FluentValue::from((*v).clone()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg(FluentValue::from(v.clone()))
    }
}

fn bundle_of(language: Language) -> &'static FluentBundle<FluentResource> {
    match language {
        Language::En => &BUNDLES.en,
        Language::De => &BUNDLES.de,
    }
}

/// The pattern of message `id`, or of its attribute for `id.attribute`.
fn pattern<'b>(
    bundle: &'b FluentBundle<FluentResource>,
    id: &str,
) -> Option<&'b fluent_syntax::ast::Pattern<&'b str>> {
    let (message_id, attribute) = match id.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (id, None),
    };
    let message = bundle.get_message(message_id)?;
    match attribute {
        Some(a) => message.get_attribute(a).map(|a| a.value()),
        None => message.value(),
    }
}

/// The words of message `id` (or `id.attribute`) in `language`, with `args`. A message that does
/// not exist shows as its id, so a missing translation is visible (and the tests fail on it).
pub fn text(language: Language, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = bundle_of(language);
    let Some(pattern) = pattern(bundle, id) else {
        tracing::error!(id, language = language.as_str(), "no such message");
        return id.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.0.clone());
    }
    let mut errors = Vec::new();
    let words = bundle.format_pattern(
        pattern,
        (!args.is_empty()).then_some(&fluent_args),
        &mut errors,
    );
    if !errors.is_empty() {
        tracing::error!(
            id,
            language = language.as_str(),
            ?errors,
            "message formatting"
        );
    }
    words.into_owned()
}

/// Whether message `id` (or `id.attribute`) exists in `language`.
pub fn has(language: Language, id: &str) -> bool {
    pattern(bundle_of(language), id).is_some()
}

/// The language and time zone a page or message is written in, and the address of the page
/// (where the language switch comes back to).
#[derive(Debug, Clone, Default)]
pub struct PageLocale {
    pub language: Language,
    /// `None`: UTC.
    pub time_zone: Option<TimeZoneName>,
    /// `?lang=` chose the language on this very request.
    explicit: bool,
    /// The language came from the browser (`?lang=`, the cookie, `Accept-Language`), not the
    /// deployment's default.
    from_browser: bool,
    /// The path and query of the request, for the switch's way back.
    here: String,
}

impl PageLocale {
    pub fn of(language: Language, time_zone: Option<TimeZoneName>) -> PageLocale {
        PageLocale {
            language,
            time_zone,
            explicit: false,
            from_browser: false,
            here: String::new(),
        }
    }
}

tokio::task_local! {
    static CURRENT: RefCell<PageLocale>;
}

/// The language and time zone of the page being rendered (outside a request: English, UTC).
pub fn current() -> PageLocale {
    CURRENT.try_with(|c| c.borrow().clone()).unwrap_or_default()
}

/// The language of the page being rendered.
pub fn language() -> Language {
    CURRENT
        .try_with(|c| c.borrow().language)
        .unwrap_or_default()
}

/// The words of message `id` in the current page's language.
pub fn tr(id: &str) -> String {
    text(language(), id, &[])
}

/// The words of message `id` with arguments, in the current page's language.
pub fn tr_with(id: &str, args: &[(&str, Arg)]) -> String {
    text(language(), id, args)
}

/// Runs `f` (a message's rendering, outside any request) in `language` and `time_zone`.
pub fn with_locale<R>(
    language: Language,
    time_zone: Option<TimeZoneName>,
    f: impl FnOnce() -> R,
) -> R {
    CURRENT.sync_scope(RefCell::new(PageLocale::of(language, time_zone)), f)
}

/// Finds the request's language and time zone and renders everything under it; `?lang=`
/// also sets the language cookie.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let chosen = request.uri().query().and_then(query_language);
    let headers = request.headers();
    let browser = chosen.or_else(|| cookie_language(headers)).or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::negotiate)
    });
    let language = browser.unwrap_or_else(|| state.services.default_language());
    let time_zone = crate::web::kit::cookies::get(headers, TZ_COOKIE)
        .map(|v| v.replace("%2F", "/").replace("%2f", "/"))
        .and_then(|v| TimeZoneName::parse(&v));
    let here = here_of(&state.config, request.uri().path(), request.uri().query());
    let locale = PageLocale {
        language,
        time_zone,
        explicit: chosen.is_some(),
        from_browser: browser.is_some(),
        here,
    };
    let secure = state.config.secure_cookies();
    let mut response = CURRENT.scope(RefCell::new(locale), next.run(request)).await;
    if let Some(language) = chosen {
        response
            .headers_mut()
            .append(header::SET_COOKIE, switch::cookie(language, secure));
    }
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// Query parameters that name where to go next: the switch keeps them only when they lead
/// somewhere a sign-in may lead ([`safe_next`]), so a crafted link never has the page repeat
/// another site's address.
const ONWARD: [&str; 8] = [
    "next",
    "return",
    "return_to",
    "returnTo",
    "redirect",
    "redirect_uri",
    "url",
    "continue",
];

/// The page's address for the switch to come back to: without its `lang=` pair (coming back
/// must not choose again) and without an onward address that is not ours.
fn here_of(config: &crate::config::Config, path: &str, query: Option<&str>) -> String {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return path.to_owned();
    };
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "lang" {
            continue;
        }
        if ONWARD.contains(&key.as_ref())
            && crate::web::kit::return_to::safe_next(config, &value).is_none()
        {
            continue;
        }
        kept.append_pair(&key, &value);
        any = true;
    }
    if any {
        format!("{path}?{}", kept.finish())
    } else {
        path.to_owned()
    }
}

/// `lang=de` among a query's pairs.
fn query_language(query: &str) -> Option<Language> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Language::parse(v))
}

fn cookie_language(headers: &HeaderMap) -> Option<Language> {
    crate::web::kit::cookies::get(headers, switch::COOKIE).and_then(Language::parse)
}

/// The signed-in person's own choices win over their browser's: called once their session is
/// read. Returns what to store on the account, if anything changes: `?lang=` on this request is
/// their choice now; an account without a language or zone yet takes the browser's (its
/// cookie or `Accept-Language`, the zone it reports), so that emails and SMS follow it too.
pub fn adopt_account(user: &User) -> Option<(Option<Language>, Option<TimeZoneName>)> {
    CURRENT
        .try_with(|c| {
            let mut c = c.borrow_mut();
            let language = match user.language {
                Some(_) if c.explicit => Some(c.language),
                Some(stored) => {
                    c.language = stored;
                    Some(stored)
                }
                None if c.from_browser => Some(c.language),
                None => None,
            };
            let time_zone = match &user.time_zone {
                Some(stored) => {
                    c.time_zone = Some(stored.clone());
                    Some(stored.clone())
                }
                None => c.time_zone.clone(),
            };
            (language != user.language || time_zone != user.time_zone)
                .then_some((language, time_zone))
        })
        .ok()
        .flatten()
}

/// The path and query of the page being rendered: where the language switch leads back to.
pub fn here() -> String {
    CURRENT
        .try_with(|c| c.borrow().here.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod core_fragments;
#[cfg(test)]
mod tests;
