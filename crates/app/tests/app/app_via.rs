//! Sign-ins at a VPN, Wi-Fi or SSH gateway (a RADIUS client in mode `push`): no screen shows a
//! number, so `approve` without `--number` approves the request and the gateway lets the person
//! in; the same command refuses a sign-in page's request, which still needs its number; `watch`
//! names the gateway and asks yes or no.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};

use crate::harness::read_until;

on_both_backends! {
    async fn approve_without_a_number_lets_a_vpn_sign_in_through(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("ada@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();
        let (vpn, challenge) = server.radius_push_request("ada@example.com").await;
        assert_eq!(server.radius_accepted(&vpn, &challenge).await, None, "waiting");

        let ran = phone.run(&["approve", "--timeout", "5"]).await;
        ran.ok();
        assert!(
            ran.stdout.contains("Approved the sign-in of ada@example.com via office-vpn from 198.51.100.9"),
            "{ran:?}"
        );
        assert_eq!(server.radius_accepted(&vpn, &challenge).await, Some(true));
        server.shutdown().await;
    }

    async fn approve_without_a_number_refuses_a_sign_in_page_request(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("bo@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();
        let (ticket, challenge, number) = server.start_push_login("bo@example.com").await;

        let ran = phone.run(&["approve", "--timeout", "5"]).await;
        assert_eq!(ran.code, 1, "{ran:?}");
        assert!(
            ran.stderr.contains("this request needs the number shown on the sign-in screen: use --number"),
            "{ran:?}"
        );
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "pending", "nothing was sent");
        phone.run(&["approve", "--number", &number.to_string()]).await.ok();
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "approved");
        server.shutdown().await;
    }

    async fn watch_names_the_gateway_and_approves_with_yes(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("cy@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let mut watch = phone.command(&["watch", "--once"]).stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = watch.stdin.take().unwrap();
        let mut out = BufReader::new(watch.stdout.take().unwrap());
        let (vpn, challenge) = server.radius_push_request("cy@example.com").await;

        let dialog = read_until(&mut out, "Approve this sign-in?").await;
        assert!(
            dialog.contains("Sign-in to cy@example.com via office-vpn from 198.51.100.9"),
            "{dialog}"
        );
        assert!(!dialog.contains("Type the number"), "no number to type: {dialog}");
        // A number is no answer here: asked again, nothing sent.
        stdin.write_all(b"42\n").await.unwrap();
        let again = read_until(&mut out, "Approve this sign-in?").await;
        assert!(again.contains("Please type `y`, `n` or `x`"), "{again}");
        assert_eq!(server.radius_accepted(&vpn, &challenge).await, None);

        stdin.write_all(b"y\n").await.unwrap();
        let done = read_until(&mut out, "Approved").await;
        assert!(done.contains("via office-vpn"), "{done}");
        let status = tokio::time::timeout(Duration::from_secs(10), watch.wait())
            .await
            .expect("watch --once ends")
            .unwrap();
        assert!(status.success());
        assert_eq!(server.radius_accepted(&vpn, &challenge).await, Some(true));
        server.shutdown().await;
    }
}
