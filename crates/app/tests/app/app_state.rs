//! The companion app's state file and authenticator through the real binary: nothing readable
//! in the file, a wrong passphrase refused without touching it, codes that match RFC 6238 (and
//! `oathtool` where installed), malformed URIs refused with a reason.

use crate::harness::TestEnv;

const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The codes valid around now, computed by the server's own RFC 6238 implementation.
fn expected_codes(secret: &[u8], digits: u32, period: u64, around: u64) -> Vec<String> {
    [around - period, around, around + period]
        .iter()
        .map(|t| {
            portcullis_core::totp::hotp(
                secret,
                t / period,
                digits,
                portcullis_core::totp::Algorithm::Sha1,
            )
        })
        .collect()
}

on_both_backends! {
    async fn the_state_file_is_encrypted_and_a_wrong_passphrase_is_refused(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("ivy@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();
        phone
            .run(&["add-totp", &format!("otpauth://totp/Acme:ivy@acme.test?secret={RFC_SECRET}")])
            .await
            .ok();

        let raw = phone.state_bytes();
        assert_eq!(&raw[..8], b"PORTCAPP");
        let text = String::from_utf8_lossy(&raw);
        for clear in ["ivy@example.com", "ivy@acme.test", "Acme", RFC_SECRET, "device", &server.base] {
            assert!(!text.contains(clear), "{clear} readable in the state file");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(phone.state_path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let mut thief = env.app("phone");
        thief.passphrase = "guess".into();
        for args in [&["accounts"][..], &["code"], &["add-totp", "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ"]] {
            let ran = thief.run(args).await;
            assert_eq!(ran.code, 5, "{ran:?}");
            assert!(ran.stderr.contains("passphrase is wrong"), "{ran:?}");
            assert!(!ran.stdout.contains("ivy@"), "{ran:?}");
        }
        assert_eq!(phone.state_bytes(), raw, "the file is untouched");
        let listed = phone.run(&["accounts"]).await;
        listed.ok();
        assert!(listed.stdout.contains("ivy@example.com") && listed.stdout.contains("Acme"));
        server.shutdown().await;
    }
}

#[tokio::test]
async fn codes_match_rfc_6238_and_oathtool() {
    let folder = std::env::temp_dir().join(format!("pcapp-code-{}", uuid_like()));
    std::fs::create_dir_all(&folder).unwrap();
    let env = TestEnv {
        backend: crate::harness::Backend::Sqlite,
        data: folder.clone(),
        database_url: None,
    };
    let app = env.app("phone");
    let added = app
        .run(&[
            "add-totp",
            &format!("otpauth://totp/ACME%20Co:me@acme.test?secret={RFC_SECRET}&issuer=ACME%20Co"),
        ])
        .await;
    added.ok();
    assert!(
        added.stdout.contains("Added ACME Co (me@acme.test)"),
        "{added:?}"
    );

    let before = unix_now();
    let ran = app.run(&["code"]).await;
    let after = unix_now();
    ran.ok();
    let line = ran.stdout.lines().next().unwrap();
    let code = line.split_whitespace().next().unwrap();
    assert!(line.ends_with("ACME Co (me@acme.test)"), "{line}");
    let secret = b"12345678901234567890";
    let valid: Vec<String> = [before, after]
        .iter()
        .flat_map(|t| expected_codes(secret, 6, 30, *t))
        .collect();
    assert!(
        valid.contains(&code.to_owned()),
        "{code} not among {valid:?}"
    );

    let oathtool = std::process::Command::new("oathtool")
        .args(["--totp", "-b", "-w", "1", RFC_SECRET])
        .output();
    match oathtool {
        Ok(out) if out.status.success() => {
            let theirs = String::from_utf8_lossy(&out.stdout);
            assert!(
                theirs.split_whitespace().any(|c| c == code),
                "oathtool says {theirs}, the app {code}"
            );
        }
        _ if std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1") => {
            panic!("PORTCULLIS_REQUIRE_TOOLS=1 but oathtool is not installed")
        }
        _ => eprintln!("SKIPPED the oathtool comparison: oathtool not found"),
    }
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn without_the_variable_the_passphrase_is_the_first_line_of_standard_input() {
    use tokio::io::AsyncWriteExt;
    let folder = std::env::temp_dir().join(format!("pcapp-stdin-{}", uuid_like()));
    std::fs::create_dir_all(&folder).unwrap();
    let env = TestEnv {
        backend: crate::harness::Backend::Sqlite,
        data: folder.clone(),
        database_url: None,
    };
    let app = env.app("phone");
    app.run(&[
        "add-totp",
        &format!("otpauth://totp/Piped:me?secret={RFC_SECRET}"),
    ])
    .await
    .ok();
    for (typed, code) in [
        ("correct horse battery staple\n", 0),
        ("wrong\n", 5),
        ("", 1),
    ] {
        let mut child = app
            .command(&["accounts"])
            .env_remove("PORTCULLIS_APP_PASSPHRASE")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(typed.as_bytes()).await.unwrap();
        drop(stdin);
        let ran = crate::harness::Ran::from(child.wait_with_output().await.unwrap());
        assert_eq!(ran.code, code, "{typed:?}: {ran:?}");
        assert_eq!(ran.stdout.contains("Piped (me)"), code == 0, "{ran:?}");
    }
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn malformed_uris_are_refused_with_a_reason_and_nothing_is_written() {
    let folder = std::env::temp_dir().join(format!("pcapp-bad-{}", uuid_like()));
    std::fs::create_dir_all(&folder).unwrap();
    let env = TestEnv {
        backend: crate::harness::Backend::Sqlite,
        data: folder.clone(),
        database_url: None,
    };
    let app = env.app("phone");
    for (args, says) in [
        (
            vec!["add-totp", "otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ"],
            "HOTP",
        ),
        (
            vec!["add-totp", "otpauth://totp/x?secret=not-base32!"],
            "base32",
        ),
        (
            vec![
                "pair",
                "portcullis://pair?v=1&server=ftp://x&code=a&account=b",
            ],
            "http",
        ),
        (vec!["pair", "https://example.com/"], "portcullis://"),
    ] {
        let ran = app.run(&args).await;
        assert_eq!(ran.code, 1, "{ran:?}");
        assert!(ran.stderr.contains(says), "{args:?}: {ran:?}");
    }
    assert!(!app.state_path().exists());
    let ran = app.run(&["code"]).await;
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("no state file"), "{ran:?}");
    let _ = std::fs::remove_dir_all(folder);
}

fn uuid_like() -> String {
    hex::encode(portcullis_core::secret::random_bytes::<8>())
}
