//! The translations are complete and nothing a person reads is written in a template: a message
//! in one language is in the other, every file parses, and a template holds no words of its own.

use std::collections::BTreeSet;
use std::path::Path;

use fluent_bundle::FluentResource;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

/// Every message and attribute id of one file, and the variables its patterns use.
fn ids(source: &str, file: &str) -> BTreeSet<String> {
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, e)| panic!("{file} does not parse: {e:?}"));
    let mut ids = BTreeSet::new();
    for entry in resource.entries() {
        match entry {
            Entry::Message(m) => {
                let id = m.id.name;
                if let Some(value) = &m.value {
                    ids.insert(id.to_owned());
                    variables(value, &mut ids, id);
                }
                for a in &m.attributes {
                    ids.insert(format!("{id}.{}", a.id.name));
                    variables(&a.value, &mut ids, &format!("{id}.{}", a.id.name));
                }
            }
            Entry::Term(t) => {
                ids.insert(format!("-{}", t.id.name));
            }
            _ => {}
        }
    }
    ids
}

/// `id{$name}` for each variable a pattern uses: the two languages must take the same ones.
fn variables(pattern: &Pattern<&str>, ids: &mut BTreeSet<String>, id: &str) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, ids, id);
        }
    }
}

fn expression_variables(e: &Expression<&str>, ids: &mut BTreeSet<String>, id: &str) {
    match e {
        Expression::Inline(i) => inline_variables(i, ids, id),
        Expression::Select { selector, variants } => {
            inline_variables(selector, ids, id);
            for v in variants {
                variables(&v.value, ids, id);
            }
        }
    }
}

fn inline_variables(e: &InlineExpression<&str>, ids: &mut BTreeSet<String>, id: &str) {
    match e {
        InlineExpression::VariableReference { id: v } => {
            ids.insert(format!("{id}{{${}}}", v.name));
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, ids, id),
        _ => {}
    }
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_arguments() {
    let mut problems = Vec::new();
    for (name, en, de) in FILES {
        let en_ids = ids(en, &format!("locales/en/{name}.ftl"));
        let de_ids = ids(de, &format!("locales/de/{name}.ftl"));
        for id in en_ids.difference(&de_ids) {
            problems.push(format!("locales/de/{name}.ftl lacks {id}"));
        }
        for id in de_ids.difference(&en_ids) {
            problems.push(format!("locales/en/{name}.ftl lacks {id}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_file_loads_without_clashing_ids() {
    // Building the bundles panics on a parse error or an id defined in two files.
    load();
    assert_eq!(text(Language::De, "lang-code", &[]), "de");
    assert_eq!(text(Language::En, "lang-code", &[]), "en");
}

#[test]
fn plurals_follow_each_language() {
    assert_eq!(
        text(Language::En, "wait-seconds", &[("seconds", 1i64.into())]),
        "1 second"
    );
    assert_eq!(
        text(Language::De, "wait-seconds", &[("seconds", 3i64.into())]),
        "3 Sekunden"
    );
}

#[test]
fn a_missing_message_shows_its_id() {
    assert_eq!(
        text(Language::De, "no-such-message", &[]),
        "no-such-message"
    );
    assert!(!has(Language::De, "no-such-message"));
}

/// Words of a template that are not in a message: text between tags, and the attributes a
/// person reads or hears (`alt`, `title`, `placeholder`, `aria-label`, `value` of a button).
fn literal_text(template: &str) -> Vec<String> {
    // A block that names the page's CSS class holds no words.
    let mut s = strip(template, "{% block main_class %}", "{% endblock %}", " ");
    // Comments, tags and expressions of the template language hold no text of their own.
    for (open, close) in [("{#", "#}"), ("{%", "%}"), ("{{", "}}"), ("<!--", "-->")] {
        s = strip(&s, open, close, " ");
    }
    // Scripts and styles are code.
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        s = strip(&s, open, close, " ");
    }
    let mut found = Vec::new();
    let mut rest = s.as_str();
    while let Some(start) = rest.find('<') {
        words_in(&rest[..start], &mut found);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + end];
        for attribute in [
            "alt=\"",
            "title=\"",
            "placeholder=\"",
            "aria-label=\"",
            "label=\"",
        ] {
            let mut t = tag;
            while let Some(i) = t.find(attribute) {
                let value = &t[i + attribute.len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                words_in(value, &mut found);
                t = &t[i + attribute.len()..];
            }
        }
        rest = &rest[start + end + 1..];
    }
    words_in(rest, &mut found);
    found
}

fn strip(s: &str, open: &str, close: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        out.push_str(with);
        match rest[i..].find(close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Runs of letters, except entities (`&nbsp;`) and the product's name.
fn words_in(text: &str, found: &mut Vec<String>) {
    let cleaned = strip(text, "&", ";", " ");
    let words: Vec<&str> = cleaned
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    if !words.is_empty() {
        found.push(words.join(" "));
    }
}

#[test]
fn templates_hold_no_words_of_their_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut problems = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let words = if path.extension().is_some_and(|e| e == "html") {
                literal_text(&source)
            } else {
                // Plain-text messages: everything outside template tags is literal.
                let mut found = Vec::new();
                let mut s = source.clone();
                for (open, close) in [("{#", "#}"), ("{%", "%}"), ("{{", "}}")] {
                    s = strip(&s, open, close, " ");
                }
                words_in(&s, &mut found);
                found
            };
            for w in words {
                problems.push(format!(
                    "{}: {w:?}",
                    path.strip_prefix(&root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} templates hold literal text:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_literal_text_check_finds_words() {
    assert_eq!(literal_text("<p>{{ \"x\"|t }}</p>"), Vec::<String>::new());
    assert_eq!(literal_text("<p>Hello {{ name }}</p>"), vec!["Hello"]);
    assert_eq!(literal_text("<img alt=\"A cat\" src=\"x\">"), vec!["A cat"]);
    assert_eq!(
        literal_text("<script>var a = 1;</script>&nbsp;"),
        Vec::<String>::new()
    );
}
