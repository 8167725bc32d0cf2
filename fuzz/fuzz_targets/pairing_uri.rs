//! The pairing URI a server's QR code holds, as the companion app reads it
//! (`portcullis_app::pairing_uri`), and the server-URL check it applies.
//!
//! Beyond "no panic": a parsed URI satisfies the documented rules (an `http(s)` server without
//! credentials, query or fragment; a base64url code; bounded account and issuer), the server's
//! own `pairing_uri` writes it back to the same values, and the server-URL check is idempotent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_app::pairing_uri::{PairingUri, server_url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(url) = server_url(text) {
        assert_eq!(server_url(&url).as_deref(), Ok(url.as_str()));
        assert_url_rules(&url);
    }
    let Ok(p) = PairingUri::parse(text) else {
        return;
    };
    assert_url_rules(&p.server);
    assert!(!p.code.is_empty() && p.code.len() <= 256);
    assert!(
        p.code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert!(!p.account.trim().is_empty() && p.account.len() <= 320);
    assert!(!p.issuer.trim().is_empty() && p.issuer.len() <= 200);
    // The code is a one-time secret: `Debug` is the same whatever it is.
    let other = PairingUri {
        server: p.server.clone(),
        code: "another-code".to_owned(),
        account: p.account.clone(),
        issuer: p.issuer.clone(),
    };
    assert_eq!(
        format!("{p:?}"),
        format!("{other:?}"),
        "Debug shows the code"
    );

    let uri = portcullis_core::push::pairing_uri(&p.server, &p.code, &p.account, &p.issuer);
    let again = PairingUri::parse(&uri).expect("the server's pairing URI parses");
    assert_eq!(
        (&again.server, &again.code, &again.account, &again.issuer),
        (&p.server, &p.code, &p.account, &p.issuer)
    );
});

fn assert_url_rules(url: &str) {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .expect("an http(s) URL");
    let authority = rest.split('/').next().unwrap();
    assert!(!authority.is_empty() && !authority.contains('@'), "{url:?}");
    assert!(!rest.contains(['?', '#']), "{url:?}");
    assert!(!url.ends_with('/'), "{url:?}");
    assert!(
        !url.chars().any(|c| c.is_whitespace() || c.is_control()),
        "{url:?}"
    );
}
