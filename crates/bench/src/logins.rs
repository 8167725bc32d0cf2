//! Parts 2 and 2b of the suite: password logins, then passkey sign-ins on the same server in the
//! same run, and their ratio (issue 16 expects a passkey sign-in, which needs no Argon2, to cost
//! the server more than 20× less CPU). The passkeys are registered through the API by
//! `passkey`'s software authenticator; nothing here is seeded into the database.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::load::Http;
use crate::passkey::{self, Authenticator, SoftKey};
use crate::report::{Table, goal, ms};
use crate::server;
use crate::suite::{
    CONCURRENCY, Instance, LOGIN_USERS, PASSKEY_USERS, judge_accepted, login_maker, phase,
    phase_flow, sign_in,
};

/// Parts 2 and 2b on server `a`: password logins, then passkey sign-ins, in the same run so
/// their ratio compares like with like. The passkeys are registered first, through the API
/// (each a password sign-in, then the registration ceremony), outside the measured time.
pub async fn parts(
    http: &Http,
    a: &Instance,
    limit: f64,
    cores: usize,
    d: Duration,
    r: usize,
) -> anyhow::Result<String> {
    let mut md = String::new();
    let first_passkey = a.totp + LOGIN_USERS + 1;
    eprintln!("registering {PASSKEY_USERS} passkeys through the API");
    let t = Instant::now();
    let authenticator = Arc::new(Authenticator::new(&a.running.public_url)?);
    let keys = register_passkeys(http, a, &authenticator, first_passkey).await?;
    eprintln!("  in {:.1} s", t.elapsed().as_secs_f64());

    eprintln!("2. password logins");
    let mut t = Table::new(&[
        "concurrency",
        "logins/s",
        "ratio to the limit",
        "p50",
        "p99",
        "server CPU per login",
        "answers",
    ]);
    let mut best_ratio: f64 = 0.0;
    let mut password = Vec::new();
    for c in CONCURRENCY {
        let m = phase(
            http,
            &|| a.cpu(),
            c,
            d,
            None,
            r,
            &login_maker(&a.running, a.totp),
            &judge_accepted(),
        )
        .await;
        let ratio = m.outcome.rps() / limit;
        best_ratio = best_ratio.max(ratio);
        t.row(&[
            c.to_string(),
            format!("{:.1}", m.outcome.rps()),
            format!("{ratio:.2}"),
            ms(m.outcome.quantile_ms(0.5)),
            ms(m.outcome.quantile_ms(0.99)),
            ms(m.cpu_ms_per_request()),
            m.outcome.statuses_text(),
        ]);
        password.push(m);
    }
    let _ = writeln!(
        md,
        "### 2. Password logins (SQLite, users without 2FA)\n\n{}\nGoal ≥ 0.9 of the limit: {} (best {best_ratio:.2}).\n",
        t.finish(),
        goal(best_ratio >= 0.9)
    );

    eprintln!("2b. passkey sign-ins");
    let flow = passkey::sign_in_flow(&a.running, authenticator, keys);
    // The second figure is this process's own CPU: the load generator's, mostly the ECDSA
    // signing of each challenge, taken from the same two cores as the server's.
    let me = std::process::id();
    let cpu = || (a.running.cpu(), server::cpu_time(&[me]));
    let mut t = Table::new(&[
        "concurrency",
        "sign-ins/s",
        "p50",
        "p99",
        "server CPU per sign-in",
        "load generator CPU per sign-in",
        "signed in",
        "answers",
    ]);
    let mut cmp = Table::new(&[
        "concurrency",
        "password logins/s",
        "passkey sign-ins/s",
        "throughput ratio",
        "server CPU per password login",
        "server CPU per passkey sign-in",
        "CPU ratio (password ÷ passkey)",
    ]);
    let mut worst_cpu_ratio = f64::INFINITY;
    for (c, pw) in CONCURRENCY.into_iter().zip(&password) {
        let m = phase_flow(http, &cpu, c, d, r, &flow).await;
        t.row(&[
            c.to_string(),
            format!("{:.0}", m.outcome.rps()),
            ms(m.outcome.quantile_ms(0.5)),
            ms(m.outcome.quantile_ms(0.99)),
            ms(m.cpu_ms_per_request()),
            ms(m.database_cpu_ms_per_request()),
            format!("{:.1} %", m.accepted_pct()),
            m.outcome.statuses_text(),
        ]);
        let cpu_ratio = pw.cpu_ms_per_request() / m.cpu_ms_per_request();
        worst_cpu_ratio = worst_cpu_ratio.min(cpu_ratio);
        cmp.row(&[
            c.to_string(),
            format!("{:.1}", pw.outcome.rps()),
            format!("{:.0}", m.outcome.rps()),
            format!("{:.0}×", m.outcome.rps() / pw.outcome.rps()),
            ms(pw.cpu_ms_per_request()),
            ms(m.cpu_ms_per_request()),
            format!("{cpu_ratio:.0}×"),
        ]);
    }
    let _ = writeln!(
        md,
        "### 2b. Passkey sign-ins (SQLite, one passkey per user)\n\n\
         {PASSKEY_USERS} users, each with one passkey registered through the API before part 2 (a password sign-in, then \
         `/api/v1/me/webauthn/registrations/start` and `/finish`: ES256, attestation \"none\", user verified). A sign-in is \
         `POST /api/v1/login/passkey/start`, the client signing the challenge, then `POST /api/v1/login/passkey/finish` with \
         the assertion (user handle, user verified, the next sign count); it counts as signed in only on 200 with `\"status\":\"ok\"` \
         and a token. Latency, server CPU and the answers' statuses are per sign-in (both calls; the status is the second \
         call's). The signature cannot be made ahead (the challenge comes from `start`), so the load generator signs (ECDSA \
         P-256) on the same {} cores the server runs on: its CPU is not in the server's figure but takes cores from the server, \
         so sign-ins/s understates what the server alone could do; server CPU per sign-in is the figure to compare.\n\n{}\n\
         Against part 2, the same server in the same run:\n\n{}\n\
         Expectation (issue 16): a passkey sign-in needs no Argon2 and costs the server more than 20× less CPU than a password \
         login: {} (lowest ratio {worst_cpu_ratio:.0}×).\n",
        cores,
        t.finish(),
        cmp.finish(),
        goal(worst_cpu_ratio > 20.0),
    );
    Ok(md)
}

/// One passkey for each of users `first..first + PASSKEY_USERS`, registered through the API
/// by a few clients at once.
pub async fn register_passkeys(
    http: &Http,
    a: &Instance,
    authenticator: &Arc<Authenticator>,
    first: u64,
) -> anyhow::Result<Arc<[SoftKey]>> {
    const CLIENTS: u64 = 4;
    let client = |w: u64| async move {
        let mut keys = Vec::new();
        for i in (first + w..first + PASSKEY_USERS).step_by(CLIENTS as usize) {
            let token = sign_in(http, &a.running, i).await?;
            keys.push((
                i,
                authenticator.register(http, &a.running, &token, i).await?,
            ));
        }
        anyhow::Ok(keys)
    };
    let (k0, k1, k2, k3) = tokio::join!(client(0), client(1), client(2), client(3));
    let mut keys: Vec<(u64, SoftKey)> = [k0?, k1?, k2?, k3?].into_iter().flatten().collect();
    keys.sort_by_key(|(i, _)| *i);
    Ok(keys.into_iter().map(|(_, k)| k).collect())
}
