//! The packet layer against the RFCs' own examples, and against every cut-short packet.

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    hex::decode(s).unwrap()
}

const SECRET: &[u8] = b"xyzzy5461";

/// RFC 2865 §7.1: "nemo" signs in with "arctangent" from 192.168.1.16 port 3.
fn rfc2865_request() -> Vec<u8> {
    hex("01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a
         01 06 6e 65 6d 6f 02 12 0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee
         04 06 c0 a8 01 10 05 06 00 00 00 03")
}

#[test]
fn the_rfc_2865_request_decodes_to_nemo_and_arctangent() {
    let bytes = rfc2865_request();
    let d = Datagram::parse(&bytes).unwrap();
    assert_eq!((d.code(), d.identifier()), (ACCESS_REQUEST, 0));
    assert!(!d.has_message_authenticator());
    assert!(!d.signed_with(SECRET));
    let r = d.access_request(SECRET).unwrap();
    assert_eq!(r.user_name, "nemo");
    assert_eq!(r.password.expose(), "arctangent");
    assert_eq!(r.state, None);
}

#[test]
fn the_response_authenticator_is_the_one_of_rfc_2865_section_7_1() {
    // The RFC's Access-Accept carries Service-Type, Login-Service and Login-IP-Host, and no
    // Message-Authenticator: its Response Authenticator checks the MD5 half of `response`.
    let request = rfc2865_request();
    let attributes = hex("06 06 00 00 00 01 0f 06 00 00 00 00 0e 06 c0 a8 01 03");
    let mut md5 = Md5::new();
    md5.update(hex("02 00 00 26"));
    md5.update(&request[4..20]);
    md5.update(&attributes);
    md5.update(SECRET);
    assert_eq!(
        md5.finalize().to_vec(),
        hex("86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2")
    );
}

/// RFC 5997 §6: a Status-Server with a Message-Authenticator, and the Access-Accept answering it.
#[test]
fn the_message_authenticator_is_the_one_of_rfc_5997_section_6() {
    let request = hex(
        "0c da 00 26 8a 54 f4 68 6f b3 94 c5 28 66 e3 02 18 5d 06 23 50 12
         5a 66 5e 2e 1e 84 11 f3 e2 43 82 20 97 c8 4f a3",
    );
    let d = Datagram::parse(&request).unwrap();
    assert_eq!(d.code(), STATUS_SERVER);
    assert!(d.has_message_authenticator());
    assert!(d.signed_with(SECRET));
    assert!(!d.signed_with(b"xyzzy5462"));
    let mut tampered = request.clone();
    tampered[1] ^= 1;
    assert!(!Datagram::parse(&tampered).unwrap().signed_with(SECRET));
    // The RFC's answer has no attributes; its Response Authenticator is MD5 over the header
    // with the Request Authenticator and the secret.
    let mut md5 = Md5::new();
    md5.update(hex("02 da 00 14"));
    md5.update(&request[4..20]);
    md5.update(SECRET);
    assert_eq!(
        md5.finalize().to_vec(),
        hex("ef 0d 55 2a 4b f2 d6 93 ec 2b 6f e8 b5 41 1d 66")
    );
}

/// A client's check of our answer: RFC 2865's Response Authenticator with the request's, and
/// RFC 3579's Message-Authenticator over the packet with the Request Authenticator in place.
fn client_accepts(response: &[u8], request: &[u8], secret: &[u8]) -> bool {
    assert!(Packet::is_authentic_response(response, request, secret));
    let mut with_request = response.to_vec();
    with_request[4..20].copy_from_slice(&request[4..20]);
    let d = Datagram::parse(&with_request).unwrap();
    // First attribute, right after the header.
    assert_eq!(d.message_authenticator, Some(22));
    d.signed_with(secret)
}

#[test]
fn responses_carry_both_authenticators_and_their_attributes() {
    let request = rfc2865_request();
    let d = Datagram::parse(&request).unwrap();
    let bytes = response(
        Answer::Challenge,
        d.identifier(),
        &d.authenticator(),
        SECRET,
        Some("Enter the code from your authenticator app."),
        Some(b"state-token"),
    );
    assert!(client_accepts(&bytes, &request, SECRET));
    assert!(!Packet::is_authentic_response(&bytes, &request, b"other"));
    let p = Packet::decode(&bytes, SECRET).unwrap();
    assert_eq!(p.get_code() as u8, 11);
    assert_eq!(p.get_identifier(), 0);
    assert_eq!(
        rfc2865::lookup_reply_message(&p).unwrap().unwrap(),
        "Enter the code from your authenticator app."
    );
    assert_eq!(rfc2865::lookup_state(&p).unwrap(), b"state-token");

    let bare = response(
        Answer::Accept,
        d.identifier(),
        &d.authenticator(),
        SECRET,
        None,
        None,
    );
    assert_eq!(bare.len(), 38);
    assert!(client_accepts(&bare, &request, SECRET));
}

#[test]
fn a_long_reply_message_is_split_at_character_boundaries() {
    let request = rfc2865_request();
    let d = Datagram::parse(&request).unwrap();
    let text = "Zwei-Faktor-Authentifizierung für Ihr Konto: äöü ".repeat(12);
    let bytes = response(
        Answer::Reject,
        d.identifier(),
        &d.authenticator(),
        SECRET,
        Some(&text),
        None,
    );
    assert!(client_accepts(&bytes, &request, SECRET));
    let p = Packet::decode(&bytes, SECRET).unwrap();
    let parts = rfc2865::lookup_all_reply_message(&p).unwrap();
    assert!(parts.len() >= 3, "{}", parts.len());
    assert!(parts.iter().all(|p| p.len() <= 253));
    assert_eq!(parts.concat(), text);
    // Far too long for one packet: cut short, still a valid packet.
    let huge = "x".repeat(10_000);
    let bytes = response(
        Answer::Reject,
        d.identifier(),
        &d.authenticator(),
        SECRET,
        Some(&huge),
        None,
    );
    assert!(bytes.len() <= MAX_PACKET);
    assert!(client_accepts(&bytes, &request, SECRET));
}

/// An Access-Request as a client builds it: Message-Authenticator first, computed last.
fn signed_request(secret: &[u8], password: &[u8]) -> Vec<u8> {
    let mut p = Packet::new(radius::core::code::Code::AccessRequest, secret);
    p.add(radius::core::avp::AVP::from_bytes(
        MESSAGE_AUTHENTICATOR,
        &[0; 16],
    ));
    rfc2865::add_user_name(&mut p, "nemo@example.com");
    rfc2865::add_user_password(&mut p, password).unwrap();
    rfc2865::add_calling_station_id(&mut p, "192.0.2.7");
    rfc2865::add_state(&mut p, b"abc");
    let mut bytes = p.encode().unwrap();
    let mac = hmac_md5(secret, &bytes);
    bytes[22..38].copy_from_slice(&mac);
    bytes
}

#[test]
fn a_signed_request_is_verified_and_read() {
    let bytes = signed_request(b"s3cret", b"Correct-Horse-7123456");
    let d = Datagram::parse(&bytes).unwrap();
    assert!(d.signed_with(b"s3cret"));
    assert!(!d.signed_with(b"s3cres"));
    let r = d.access_request(b"s3cret").unwrap();
    assert_eq!(r.user_name, "nemo@example.com");
    assert_eq!(r.password.expose(), "Correct-Horse-7123456");
    assert_eq!(r.state.as_deref(), Some(&b"abc"[..]));
    assert_eq!(r.calling_station_id.as_deref(), Some("192.0.2.7"));
    // Padding after Length is ignored (RFC 2865 §3).
    let mut padded = bytes.clone();
    padded.extend_from_slice(&[0xAA; 7]);
    assert!(Datagram::parse(&padded).unwrap().signed_with(b"s3cret"));
}

#[test]
fn every_cut_short_or_corrupted_packet_is_an_error_and_never_a_panic() {
    let bytes = signed_request(b"s3cret", b"a password of some length");
    for n in 0..bytes.len() {
        assert!(Datagram::parse(&bytes[..n]).is_err(), "cut at {n}");
    }
    // Every Length in the header, every value of every octet: anything but a panic.
    for length in 0..=u16::MAX {
        let mut b = bytes.clone();
        b[2..4].copy_from_slice(&length.to_be_bytes());
        if let Ok(d) = Datagram::parse(&b) {
            let _ = d.signed_with(b"s3cret");
            let _ = d.access_request(b"s3cret");
        }
    }
    for at in 0..bytes.len() {
        for v in [0u8, 1, 2, 17, 18, 19, 0x7f, 0xff] {
            let mut b = bytes.clone();
            b[at] = v;
            if let Ok(d) = Datagram::parse(&b) {
                let _ = d.signed_with(b"s3cret");
                let _ = d.access_request(b"s3cret");
            }
        }
    }
}

#[test]
fn a_second_or_short_message_authenticator_is_malformed() {
    let bytes = signed_request(b"s3cret", b"pw");
    let mut twice = bytes.clone();
    twice.extend_from_slice(&bytes[20..38]);
    let length = u16::try_from(twice.len()).unwrap();
    twice[2..4].copy_from_slice(&length.to_be_bytes());
    assert_eq!(Datagram::parse(&twice).unwrap_err(), Dropped::Malformed);
    let mut short = rfc2865_request();
    short.extend_from_slice(&[MESSAGE_AUTHENTICATOR, 4, 0, 0]);
    short[2..4].copy_from_slice(&60u16.to_be_bytes());
    assert_eq!(Datagram::parse(&short).unwrap_err(), Dropped::Malformed);
}

#[test]
fn a_request_without_a_password_or_with_a_ragged_one_is_malformed() {
    let mut p = Packet::new(radius::core::code::Code::AccessRequest, b"s");
    rfc2865::add_user_name(&mut p, "nemo");
    let bytes = p.encode().unwrap();
    let d = Datagram::parse(&bytes).unwrap();
    assert_eq!(d.access_request(b"s").unwrap_err(), Dropped::Malformed);
    let mut p = Packet::new(radius::core::code::Code::AccessRequest, b"s");
    rfc2865::add_user_name(&mut p, "nemo");
    p.add(radius::core::avp::AVP::from_bytes(2, &[1; 17]));
    let bytes = p.encode().unwrap();
    let d = Datagram::parse(&bytes).unwrap();
    assert_eq!(d.access_request(b"s").unwrap_err(), Dropped::Malformed);
}

/// FreeRADIUS's `radclient` as the client we did not write: its Message-Authenticator verifies
/// with our check, and it accepts our answer (it checks the Response Authenticator and, since
/// 3.0.x, the answer's Message-Authenticator). Skipped where `radclient` is not installed.
#[test]
fn radclient_signs_as_we_check_and_accepts_our_answer() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if Command::new("radclient").arg("-v").output().is_err() {
        eprintln!("radclient not installed: skipped");
        return;
    }
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    let secret = "radclient-s3cret";
    let mut child = Command::new("radclient")
        .args(["-x", "-r", "1", "-t", "5"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["auth", secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"User-Name = \"ann@example.com\", User-Password = \"Correct-Horse-7123456\", Message-Authenticator = 0x00\n",
        )
        .unwrap();
    let mut buf = [0u8; 4096];
    let (n, from) = socket.recv_from(&mut buf).unwrap();
    let d = Datagram::parse(&buf[..n]).unwrap();
    assert_eq!(d.code(), ACCESS_REQUEST);
    assert!(d.has_message_authenticator());
    assert!(d.signed_with(secret.as_bytes()));
    let r = d.access_request(secret.as_bytes()).unwrap();
    assert_eq!(r.user_name, "ann@example.com");
    assert_eq!(r.password.expose(), "Correct-Horse-7123456");
    let answer = response(
        Answer::Challenge,
        d.identifier(),
        &d.authenticator(),
        secret.as_bytes(),
        Some("Enter the code from your authenticator app."),
        Some(b"opaque-state"),
    );
    socket.send_to(&answer, from).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Received Access-Challenge"), "{text}");
    assert!(!text.to_lowercase().contains("invalid"), "{text}");
    assert!(
        text.contains("Enter the code from your authenticator app."),
        "{text}"
    );
}
