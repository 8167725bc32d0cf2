//! Part 9 (`run --only radius`): RADIUS Access-Requests over UDP on loopback, beside
//! `/api/v1/validate` in the same run on the same server and accounts. Two RADIUS clients
//! (network access servers) are registered with `portcullis radius-client add` through the real
//! binary: `code-only` (the code alone: one HMAC, one indexed read, one conditional write, like
//! `/validate`) and `password+code` (an Argon2id hash first). Every request is a valid code for a
//! distinct user, carries a Message-Authenticator, and counts only when the answer is an
//! Access-Accept.
//!
//! The packets are built with the `radius` crate and our own HMAC-MD5, as a NAS would send them;
//! each request uses a fresh socket (so a retransmission cache never answers one).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use radius::core::code::Code;
use radius::core::packet::Packet;
use radius::core::{rfc2865, rfc2869};
use serde_json::json;
use tokio::net::UdpSocket;

use crate::load::{Flow, Http, Req, Step, Verdict};
use crate::report::{Table, ms};
use crate::seed;
use crate::suite::{CONCURRENCY, Instance, UserPool, judge_accepted, phase, phase_flow};

/// How long the load generator waits for one answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// The section of BENCHMARKS.md for part 9.
pub async fn part(
    http: &Http,
    binary: &Path,
    totp: u64,
    phc: &str,
    d: Duration,
    r: usize,
) -> anyhow::Result<String> {
    eprintln!("9. RADIUS");
    let inst = Instance::create(http, binary, None, "radius", totp, totp, phc).await?;
    let member = seed::email(0);
    let code_only = inst
        .setup
        .radius_client(&member, "bench-code-only", "code-only")
        .await?;
    let password_and_code = inst
        .setup
        .radius_client(&member, "bench-password", "password+code")
        .await?;
    let inst = inst
        .restarted_with(http, &["--radius-bind", "127.0.0.1:0"])
        .await?;
    let addr = inst
        .running
        .radius
        .context("the server did not say where RADIUS listens")?;
    let pool = UserPool::new(inst.totp);

    let mut table = Table::new(&[
        "check",
        "concurrency",
        "checks/s",
        "p50",
        "p99",
        "server CPU per check",
        "as expected",
        "answers",
    ]);
    let mut cpu_at_8 = Vec::new();
    for c in CONCURRENCY {
        let validate = {
            let url = inst.running.url("/api/v1/validate");
            let token = inst.service_token.clone();
            let pool = pool.clone();
            Arc::new(move |_| {
                let (i, code) = pool.next_with_code(true)?;
                Some(Req::json(
                    url.clone(),
                    &json!({"username": seed::email(i), "code": code}),
                    Some(&token),
                ))
            }) as crate::load::Maker
        };
        let m = phase(
            http,
            &|| inst.cpu(),
            c,
            d,
            None,
            r,
            &validate,
            &judge_accepted(),
        )
        .await;
        row(&mut table, "`POST /api/v1/validate`", c, &m);
        let validate_cpu = m.cpu_ms_per_request();

        let flow = access_flow(addr, code_only.clone(), pool.clone(), false);
        let m = phase_flow(http, &|| inst.cpu(), c, d, r, &flow).await;
        row(&mut table, "RADIUS `code-only`", c, &m);
        if c == 8 {
            cpu_at_8.push((validate_cpu, m.cpu_ms_per_request()));
        }

        let flow = access_flow(addr, password_and_code.clone(), pool.clone(), true);
        let m = phase_flow(http, &|| inst.cpu(), c, d, r, &flow).await;
        row(&mut table, "RADIUS `password+code`", c, &m);
    }
    inst.finish().await?;

    let mut md = String::new();
    let _ = writeln!(
        md,
        "### 9. RADIUS Access-Requests\n\nOne server on SQLite, `--radius-bind 127.0.0.1:0`, two RADIUS clients registered with \
         `portcullis radius-client add`. Every request is a PAP Access-Request with a Message-Authenticator and a valid, fresh \
         code of a distinct user (each user once: a step works once), sent from a fresh UDP socket; \"as expected\" counts \
         Access-Accepts. `code-only` carries the code alone; `password+code` the password followed by the code, so it pays \
         one Argon2id hash and is bound by the hashing limit (part 1). `/validate` is the same check over HTTP with a service \
         token, in the same run.\n\n{}",
        table.finish()
    );
    if let Some((v, radius)) = cpu_at_8.first() {
        let _ = writeln!(
            md,
            "At concurrency 8 a `code-only` Access-Request cost **{}** of server CPU against **{}** for `/validate` \
             ({:.2}×).\n",
            ms(*radius),
            ms(*v),
            radius / v
        );
    }
    Ok(md)
}

fn row(table: &mut Table, name: &str, c: usize, m: &crate::report::Measured) {
    table.row(&[
        name.into(),
        c.to_string(),
        format!("{:.0}", m.outcome.rps()),
        ms(m.outcome.quantile_ms(0.5)),
        ms(m.outcome.quantile_ms(0.99)),
        ms(m.cpu_ms_per_request()),
        format!("{:.1} %", m.accepted_pct()),
        m.outcome.statuses_text(),
    ]);
}

/// Access-Requests for the next users of `pool`, each with its current code (after the
/// password when `with_password`). The "status" of an answer is its RADIUS code (2 accept,
/// 3 reject, 11 challenge).
fn access_flow(addr: SocketAddr, secret: String, pool: Arc<UserPool>, with_password: bool) -> Flow {
    Arc::new(move |_http, _n| {
        let (i, code) = pool.next_with_code(true)?;
        let typed = if with_password {
            format!("{}{code}", seed::PASSWORD)
        } else {
            code
        };
        let secret = secret.clone();
        Some(Box::pin(async move {
            let packet = access_request(secret.as_bytes(), &seed::email(i), &typed)?;
            let code = exchange(addr, &packet).await?;
            let verdict = if code == 2 {
                Verdict::Expected
            } else {
                Verdict::Unexpected
            };
            Ok((u16::from(code), verdict))
        }) as Step)
    })
}

/// An Access-Request with User-Name, User-Password (hidden as RFC 2865 §5.2 says) and a
/// Message-Authenticator (RFC 3579 §3.2: HMAC-MD5 over the packet with the attribute zeroed).
pub fn access_request(secret: &[u8], user: &str, password: &str) -> anyhow::Result<Vec<u8>> {
    let mut p = Packet::new(Code::AccessRequest, secret);
    rfc2869::add_message_authenticator(&mut p, &[0; 16]);
    rfc2865::add_user_name(&mut p, user);
    rfc2865::add_user_password(&mut p, password.as_bytes())
        .map_err(|e| anyhow::anyhow!("User-Password: {e}"))?;
    let mut bytes = p.encode().map_err(|e| anyhow::anyhow!("encoding: {e}"))?;
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(secret)?;
    mac.update(&bytes);
    let sum = mac.finalize().into_bytes();
    // The Message-Authenticator is the first attribute: type 80, length 18, after the header.
    anyhow::ensure!(bytes[20] == 80 && bytes[21] == 18, "attribute order");
    bytes[22..38].copy_from_slice(&sum);
    Ok(bytes)
}

/// Sends `packet` from a fresh socket and returns the answer's code.
async fn exchange(addr: SocketAddr, packet: &[u8]) -> anyhow::Result<u8> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    socket.connect(addr).await?;
    socket.send(packet).await?;
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(ANSWER_WITHIN, socket.recv(&mut buf))
        .await
        .context("no answer")??;
    anyhow::ensure!(
        n >= 20 && buf[1] == packet[1],
        "not an answer to this request"
    );
    Ok(buf[0])
}
