//! RADIUS packets on the wire: the checks a datagram passes before anyone decides anything, the
//! Access-Request's fields, and the answers. Decoding the attributes and unhiding User-Password
//! (RFC 2865 §5.2) is the `radius` crate's; the Message-Authenticator (RFC 3579 §3.2), which
//! the crate lacks, and the response's layout are ours, so that the Message-Authenticator is
//! computed before the Response Authenticator and is the first attribute (RFC 3579 §3.2, and the
//! Blast-RADIUS advice of draft-ietf-radext-deprecating-radius: first, so a forged prefix
//! cannot precede it).
//!
//! Nothing here logs, and nothing here knows a client or a person: the listener picks the secret.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use portcullis_core::password::Password;
use portcullis_core::secret::constant_time_eq;
use radius::core::packet::Packet;
use radius::core::rfc2865;

/// The header: code, identifier, length, authenticator.
const HEADER: usize = 20;
/// RFC 2865 §3: the largest packet.
pub const MAX_PACKET: usize = 4096;
/// RFC 3579 §3.2.
const MESSAGE_AUTHENTICATOR: u8 = 80;
const REPLY_MESSAGE: u8 = 18;
const STATE: u8 = 24;
/// The most an attribute's value holds (its length octet counts the two header octets).
const MAX_VALUE: usize = 253;

pub const ACCESS_REQUEST: u8 = 1;
pub const STATUS_SERVER: u8 = 12;

/// Why a datagram is dropped unanswered; each is a reason of
/// `portcullis_radius_dropped_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    UnknownClient,
    Malformed,
    UnsupportedCode,
    MissingMessageAuthenticator,
    BadMessageAuthenticator,
    InProgress,
    /// The decision failed (the database, say); the client's retransmission gets another try.
    Error,
}

impl Dropped {
    pub const ALL: [Dropped; 7] = [
        Dropped::UnknownClient,
        Dropped::Malformed,
        Dropped::UnsupportedCode,
        Dropped::MissingMessageAuthenticator,
        Dropped::BadMessageAuthenticator,
        Dropped::InProgress,
        Dropped::Error,
    ];

    pub fn reason(self) -> &'static str {
        match self {
            Dropped::UnknownClient => "unknown_client",
            Dropped::Malformed => "malformed",
            Dropped::UnsupportedCode => "unsupported_code",
            Dropped::MissingMessageAuthenticator => "missing_message_authenticator",
            Dropped::BadMessageAuthenticator => "bad_message_authenticator",
            Dropped::InProgress => "in_progress",
            Dropped::Error => "error",
        }
    }
}

/// A datagram whose header and attributes are well formed, not yet known to be authentic.
#[derive(Debug)]
pub struct Datagram<'a> {
    /// The packet without the padding after its Length (RFC 2865 §3 says to ignore it).
    bytes: &'a [u8],
    /// Where the Message-Authenticator's 16 octets begin, when there is one.
    message_authenticator: Option<usize>,
}

impl<'a> Datagram<'a> {
    /// Checks the header's length and walks the attributes: each at least 2 octets long and
    /// inside the packet; at most one Message-Authenticator, of 16 octets.
    pub fn parse(bytes: &'a [u8]) -> Result<Datagram<'a>, Dropped> {
        if bytes.len() < HEADER {
            return Err(Dropped::Malformed);
        }
        let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        if !(HEADER..=MAX_PACKET).contains(&length) || bytes.len() < length {
            return Err(Dropped::Malformed);
        }
        let bytes = &bytes[..length];
        let mut message_authenticator = None;
        let mut at = HEADER;
        while at < length {
            let Some(&len) = bytes.get(at + 1) else {
                return Err(Dropped::Malformed);
            };
            let len = usize::from(len);
            if len < 2 || at + len > length {
                return Err(Dropped::Malformed);
            }
            if bytes[at] == MESSAGE_AUTHENTICATOR {
                if len != 18 || message_authenticator.is_some() {
                    return Err(Dropped::Malformed);
                }
                message_authenticator = Some(at + 2);
            }
            at += len;
        }
        Ok(Datagram {
            bytes,
            message_authenticator,
        })
    }

    pub fn code(&self) -> u8 {
        self.bytes[0]
    }

    pub fn identifier(&self) -> u8 {
        self.bytes[1]
    }

    pub fn authenticator(&self) -> [u8; 16] {
        let mut a = [0; 16];
        a.copy_from_slice(&self.bytes[4..HEADER]);
        a
    }

    pub fn has_message_authenticator(&self) -> bool {
        self.message_authenticator.is_some()
    }

    /// Whether the Message-Authenticator is the HMAC-MD5, keyed by `secret`, of the packet with
    /// its own 16 octets zeroed (RFC 3579 §3.2). False without one.
    pub fn signed_with(&self, secret: &[u8]) -> bool {
        let Some(at) = self.message_authenticator else {
            return false;
        };
        let mut zeroed = self.bytes.to_vec();
        zeroed[at..at + 16].fill(0);
        constant_time_eq(&hmac_md5(secret, &zeroed), &self.bytes[at..at + 16])
    }

    /// The Access-Request's fields, the password unhidden with `secret` (RFC 2865 §5.2).
    pub fn access_request(&self, secret: &[u8]) -> Result<AccessRequest, Dropped> {
        let packet = Packet::decode(self.bytes, secret).map_err(|_| Dropped::Malformed)?;
        let user_name = rfc2865::lookup_user_name(&packet)
            .and_then(|r| r.ok())
            .ok_or(Dropped::Malformed)?;
        // RFC 2865 §5.2: 16 to 128 octets, a multiple of 16.
        let hidden = packet
            .lookup(rfc2865::USER_PASSWORD_TYPE)
            .ok_or(Dropped::Malformed)?;
        let n = hidden.encode_bytes().len();
        if !(16..=128).contains(&n) || n % 16 != 0 {
            return Err(Dropped::Malformed);
        }
        let password = rfc2865::lookup_user_password(&packet)
            .and_then(|r| r.ok())
            .ok_or(Dropped::Malformed)?;
        let password = String::from_utf8(password).map_err(|_| Dropped::Malformed)?;
        Ok(AccessRequest {
            user_name,
            password: Password::new(password),
            state: rfc2865::lookup_state(&packet),
            calling_station_id: rfc2865::lookup_calling_station_id(&packet).and_then(|r| r.ok()),
        })
    }
}

/// What an Access-Request carries that the decision needs.
#[derive(Debug)]
pub struct AccessRequest {
    pub user_name: String,
    pub password: Password,
    pub state: Option<Vec<u8>>,
    /// The person's side of the connection (a MAC or IP address, a phone number).
    pub calling_station_id: Option<String>,
}

/// The answers this server gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept = 2,
    Reject = 3,
    Challenge = 11,
}

impl Answer {
    /// The label of `portcullis_radius_responses_total`.
    pub fn label(self) -> &'static str {
        match self {
            Answer::Accept => "accept",
            Answer::Reject => "reject",
            Answer::Challenge => "challenge",
        }
    }
}

/// The response to the request with `identifier` and `request_authenticator`: the
/// Message-Authenticator first, then the State and the Reply-Message (split into as many
/// attributes as it needs, at character boundaries).
pub fn response(
    answer: Answer,
    identifier: u8,
    request_authenticator: &[u8; 16],
    secret: &[u8],
    reply: Option<&str>,
    state: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.push(answer as u8);
    out.push(identifier);
    out.extend_from_slice(&[0, 0]);
    // RFC 3579 §3.2: the Message-Authenticator of a response is computed with the Request
    // Authenticator in the header.
    out.extend_from_slice(request_authenticator);
    out.extend_from_slice(&[MESSAGE_AUTHENTICATOR, 18]);
    out.extend_from_slice(&[0; 16]);
    if let Some(state) = state {
        push_attribute(&mut out, STATE, &state[..state.len().min(MAX_VALUE)]);
    }
    if let Some(reply) = reply {
        for chunk in utf8_chunks(reply, MAX_VALUE) {
            // A long text is cut short rather than make the packet too big for the client.
            if out.len() + 2 + chunk.len() > MAX_PACKET {
                break;
            }
            push_attribute(&mut out, REPLY_MESSAGE, chunk.as_bytes());
        }
    }
    let length = u16::try_from(out.len()).expect("a response of at most 4096 octets");
    out[2..4].copy_from_slice(&length.to_be_bytes());
    let mac = hmac_md5(secret, &out);
    out[HEADER + 2..HEADER + 18].copy_from_slice(&mac);
    // RFC 2865 §3: MD5(Code + Identifier + Length + Request Authenticator + Attributes + Secret).
    let mut md5 = Md5::new();
    md5.update(&out);
    md5.update(secret);
    let response_authenticator = md5.finalize();
    out[4..HEADER].copy_from_slice(&response_authenticator);
    out
}

fn push_attribute(out: &mut Vec<u8>, kind: u8, value: &[u8]) {
    out.push(kind);
    out.push(u8::try_from(value.len() + 2).expect("an attribute of at most 255 octets"));
    out.extend_from_slice(value);
}

/// `text` in pieces of at most `max` octets, never splitting a character.
fn utf8_chunks(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(max);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, tail) = rest.split_at(end);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

fn hmac_md5(key: &[u8], message: &[u8]) -> [u8; 16] {
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
#[path = "packet_tests.rs"]
mod tests;
