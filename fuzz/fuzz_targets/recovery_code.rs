//! Codes as people type them: recovery codes (`portcullis_core::recovery::RecoveryCode`) and
//! SMS codes (`portcullis_core::phone::SmsCode`).
//!
//! Beyond "no panic": only digits and the separators people type are accepted, the code is
//! exactly the typed digits, its display form parses back to itself, and its digest is stable.

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_core::phone::SmsCode;
use portcullis_core::recovery::RecoveryCode;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let typed_digits = || -> String { text.chars().filter(char::is_ascii_digit).collect() };

    if let Some(code) = RecoveryCode::parse(text) {
        assert!(
            text.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '\t'))
        );
        let shown = code.display();
        assert_eq!(shown.len(), 19, "{shown}");
        assert_eq!(shown.replace('-', ""), typed_digits());
        assert!(shown.split('-').all(|group| group.len() == 4));
        assert_eq!(RecoveryCode::parse(&shown).as_ref(), Some(&code));
        let digest = code.digest(&[7; 32]);
        assert_eq!(digest.len(), 64);
        assert_eq!(
            digest,
            RecoveryCode::parse(&shown).unwrap().digest(&[7; 32])
        );
        assert!(!digest.contains(&typed_digits()));
    }

    if let Some(code) = SmsCode::parse(text) {
        assert!(
            text.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '\t'))
        );
        assert_eq!(code.expose(), typed_digits());
        assert_eq!(code.expose().len(), 6);
        assert_eq!(SmsCode::parse(code.expose()).as_ref(), Some(&code));
    }
});
