//! A network access server as the RADIUS tests play it: Access-Requests built with the `radius`
//! crate and signed with a Message-Authenticator (RFC 3579 §3.2, computed here with HMAC-MD5),
//! sent from a UDP socket of their own, and answers checked as a careful client checks them
//! (Response Authenticator, Message-Authenticator first and right) before they are read.

use std::net::SocketAddr;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use radius::core::avp::AVP;
use radius::core::code::Code;
use radius::core::packet::Packet;
use radius::core::rfc2865;
use tokio::net::UdpSocket;

pub const MESSAGE_AUTHENTICATOR: u8 = 80;

pub fn hmac_md5(key: &[u8], message: &[u8]) -> [u8; 16] {
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// An Access-Request; `signed`: with a Message-Authenticator (first, as RFC 3579 advises).
pub fn access_request(secret: &str, user: &str, password: &str, signed: bool) -> Vec<u8> {
    answering(secret, user, password, signed, None)
}

/// An Access-Request, signed, that answers an Access-Challenge's `state` when there is one.
pub fn answering(
    secret: &str,
    user: &str,
    password: &str,
    signed: bool,
    state: Option<&[u8]>,
) -> Vec<u8> {
    let secret = secret.as_bytes();
    let mut p = Packet::new(Code::AccessRequest, secret);
    if signed {
        p.add(AVP::from_bytes(MESSAGE_AUTHENTICATOR, &[0; 16]));
    }
    rfc2865::add_user_name(&mut p, user);
    rfc2865::add_user_password(&mut p, password.as_bytes()).unwrap();
    rfc2865::add_nas_identifier(&mut p, "test-nas");
    if let Some(state) = state {
        rfc2865::add_state(&mut p, state);
    }
    let mut bytes = p.encode().unwrap();
    if signed {
        let mac = hmac_md5(secret, &bytes);
        bytes[22..38].copy_from_slice(&mac);
    }
    bytes
}

/// A network access server: one UDP socket on 127.0.0.1.
pub struct Nas(pub UdpSocket, pub SocketAddr);

impl Nas {
    /// A socket on 127.0.0.1 that talks to the listener at `server`.
    pub async fn at(server: SocketAddr) -> Nas {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        Nas(socket, server)
    }

    /// Sends `request` and waits up to `wait` for an answer.
    pub async fn ask(&self, request: &[u8], wait: Duration) -> Option<Vec<u8>> {
        self.send(request).await;
        self.answer(wait).await
    }

    pub async fn send(&self, request: &[u8]) {
        self.0.send_to(request, self.1).await.unwrap();
    }

    /// The next answer, within `wait`.
    pub async fn answer(&self, wait: Duration) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; 4096];
        match tokio::time::timeout(wait, self.0.recv_from(&mut buf)).await {
            Ok(Ok((n, _))) => Some(buf[..n].to_vec()),
            _ => None,
        }
    }
}

/// Checks the answer as a client does and reads it: its code and its Reply-Message.
pub fn read_answer(answer: &[u8], request: &[u8], secret: &str) -> (Code, Option<String>) {
    let (code, reply, _) = read_challenge(answer, request, secret);
    (code, reply)
}

/// [`read_answer`], and the State.
pub fn read_challenge(
    answer: &[u8],
    request: &[u8],
    secret: &str,
) -> (Code, Option<String>, Option<Vec<u8>>) {
    let secret = secret.as_bytes();
    assert!(
        Packet::is_authentic_response(answer, request, secret),
        "Response Authenticator"
    );
    assert_eq!(answer[1], request[1], "the request's identifier");
    // RFC 3579 §3.2: HMAC-MD5 over the answer with the Request Authenticator in place and the
    // Message-Authenticator zeroed; it must be there, and first.
    assert_eq!(&answer[20..22], &[MESSAGE_AUTHENTICATOR, 18]);
    let mut zeroed = answer.to_vec();
    zeroed[4..20].copy_from_slice(&request[4..20]);
    zeroed[22..38].fill(0);
    assert_eq!(
        hmac_md5(secret, &zeroed),
        answer[22..38],
        "Message-Authenticator"
    );
    let p = Packet::decode(answer, secret).unwrap();
    let reply = rfc2865::lookup_all_reply_message(&p).unwrap();
    let state = rfc2865::lookup_state(&p);
    (
        p.get_code(),
        (!reply.is_empty()).then(|| reply.concat()),
        state,
    )
}
