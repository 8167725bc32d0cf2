//! Every fixed sentence fragment the core refuses with has a translation in both languages.
//!
//! The core speaks English fragments ("group not found", "a support PIN is 5 to 10 digits");
//! `web::kit::error::explain` shows one in the page's language through its id
//! ([`fragment_id`]), else as the English sentence. This test reads `crates/core/src` and finds
//! every fragment written as a literal: `Error::Validation("…")` (also with `.into()` or
//! `.to_owned()`), `Forbidden`, `Conflict`, `InvalidEmail`, `InvalidPin`, `NotFound("x")` (which
//! reads "x not found"), and the `Err("…")` of the parsers whose refusals become `Validation` or
//! `InvalidEmail`. Fragments built with `format!` carry a value and stay English by design.

use std::path::{Path, PathBuf};

use portcullis_core::locale::Language;

use crate::web::kit::error::fragment_id;

use super::{has, text};

/// The constructors whose literal argument is shown to a person.
const KINDS: &[&str] = &[
    "Error::Validation(",
    "Error::Forbidden(",
    "Error::Conflict(",
    "Error::InvalidEmail(",
    "Error::InvalidPin(",
    "Error::NotFound(",
    "Err(",
];

/// A fixed fragment and where it was found.
#[derive(Debug)]
struct Fragment {
    text: String,
    file: PathBuf,
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The string literal that opens `source` (just after its `"`), with escapes and line
/// continuations (`\` at a line's end swallows the next line's indent) undone.
fn literal(source: &str) -> String {
    let mut out = String::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => return out,
            '\\' => match chars.next() {
                Some('\n') => while chars.next_if(|c| c.is_whitespace()).is_some() {},
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    panic!("an unterminated string literal: {source:.60}")
}

/// Every fixed fragment in `source`.
fn fragments_in(source: &str, file: &Path, found: &mut Vec<Fragment>) {
    for kind in KINDS {
        for (at, _) in source.match_indices(kind) {
            // A whole name: not the end of `MyErr(` or `SomeError::Forbidden(`.
            let before = source[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = source[at + kind.len()..].trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            let mut text = literal(rest);
            if *kind == "Error::NotFound(" {
                text.push_str(" not found");
            }
            found.push(Fragment {
                text,
                file: file.to_owned(),
            });
        }
    }
}

fn core_fragments() -> Vec<Fragment> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        fragments_in(&source, &file, &mut found);
    }
    found
}

/// The sentence a page shows for an English fragment, as `web::kit::error` makes it.
fn sentence(fragment: &str) -> String {
    let mut chars = fragment.trim().chars();
    let mut s: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

#[test]
fn the_scan_finds_the_core_s_fragments() {
    let found = core_fragments();
    // A handful from each form, so a scan that finds nothing cannot pass.
    for expected in [
        "a support PIN is 5 to 10 digits",
        "group not found",
        "email is required",
        "this account already has two-factor authentication: enter a code from your \
         authenticator app or a recovery code to add a security key",
        "the service name must be 1 to 64 characters, such as \"mail\"",
    ] {
        assert!(
            found.iter().any(|f| f.text == expected),
            "{expected:?} not among {} fragments",
            found.len()
        );
    }
    assert!(found.len() >= 50, "only {} fragments", found.len());
}

#[test]
fn every_fixed_core_fragment_is_translated_in_both_languages() {
    let mut problems = Vec::new();
    for f in core_fragments() {
        let id = fragment_id(&f.text);
        let place = f.file.display();
        for language in [Language::En, Language::De] {
            if !has(language, &id) {
                problems.push(format!(
                    "locales/{}/core.ftl lacks {id} = {:?} ({place})",
                    language.as_str(),
                    f.text
                ));
            }
        }
        if has(Language::En, &id) && text(Language::En, &id, &[]) != sentence(&f.text) {
            problems.push(format!(
                "locales/en/core.ftl: {id} must read {:?} ({place})",
                sentence(&f.text)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_german_page_shows_a_core_refusal_in_german() {
    let id = fragment_id("group not found");
    assert_eq!(id, "core-group-not-found");
    assert_eq!(text(Language::De, &id, &[]), "Gruppe nicht gefunden.");
    assert_eq!(text(Language::En, &id, &[]), "Group not found.");
}
