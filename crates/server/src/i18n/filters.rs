//! The template filters that put words on a page. A template module brings them in scope with
//! `use crate::i18n::filters;` and writes `{{ "message-id"|t }}`, or with arguments
//! `{{ "message-id"|t1("count", n) }}`, `t2`, `t3`. The output is escaped like any value.

use askama::Values;

use super::{Arg, tr_with};

/// The words of a message.
#[askama::filter_fn]
pub fn t(id: impl AsRef<str>, _: &dyn Values) -> askama::Result<String> {
    Ok(tr_with(id.as_ref(), &[]))
}

/// The words of a message with one argument.
#[askama::filter_fn]
pub fn t1<A: Into<Arg>>(
    id: impl AsRef<str>,
    _: &dyn Values,
    name: &str,
    value: A,
) -> askama::Result<String> {
    Ok(tr_with(id.as_ref(), &[(name, value.into())]))
}

/// The words of a message with two arguments.
#[askama::filter_fn]
pub fn t2<A: Into<Arg>, B: Into<Arg>>(
    id: impl AsRef<str>,
    _: &dyn Values,
    name_a: &str,
    a: A,
    name_b: &str,
    b: B,
) -> askama::Result<String> {
    Ok(tr_with(
        id.as_ref(),
        &[(name_a, a.into()), (name_b, b.into())],
    ))
}

/// The words of a message with three arguments.
#[askama::filter_fn]
#[allow(clippy::too_many_arguments)]
pub fn t3<A: Into<Arg>, B: Into<Arg>, C: Into<Arg>>(
    id: impl AsRef<str>,
    _: &dyn Values,
    name_a: &str,
    a: A,
    name_b: &str,
    b: B,
    name_c: &str,
    c: C,
) -> askama::Result<String> {
    Ok(tr_with(
        id.as_ref(),
        &[(name_a, a.into()), (name_b, b.into()), (name_c, c.into())],
    ))
}

/// The address of the page being rendered (path and query, without `lang=`), whatever the
/// input: the language switch's way back.
#[askama::filter_fn]
pub fn here(_: impl std::fmt::Display, _: &dyn Values) -> askama::Result<String> {
    Ok(super::here())
}

/// Whether a language tag is the page's own (the switch marks it as the current one).
#[askama::filter_fn]
pub fn is_page_lang(code: impl std::fmt::Display, _: &dyn Values) -> askama::Result<bool> {
    Ok(code.to_string() == super::language().as_str())
}
