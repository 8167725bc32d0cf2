//! `portcullis-bench privacyidea`: the same `/validate` workload against privacyIDEA 3.14 (set
//! up from PyPI by `bench/privacyidea/setup.sh`: SQLite, 2 gunicorn workers, its defaults) and
//! against Portcullis (SQLite, its defaults), in one run, with the server CPU each check costs.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;

use crate::Common;
use crate::load::{self, Judge, Maker, Req, Verdict};
use crate::report::{self, Measured, Table, goal, mb, ms};
use crate::seed;
use crate::server;
use crate::suite::{self, Endpoint, Instance, UserPool};

#[derive(Args, Debug, Clone)]
pub struct PiArgs {
    #[command(flatten)]
    common: Common,
    /// Users (with the same TOTP keys on both servers) enrolled in privacyIDEA
    #[arg(long, default_value_t = 2000)]
    users: u64,
    /// Users with an authenticator on the Portcullis side (the first `--users` are the same;
    /// Portcullis needs more because each user's step works once and it runs through them faster)
    #[arg(long, default_value_t = 200_000)]
    portcullis_users: u64,
    /// privacyIDEA's working folder (its venv is kept there between runs)
    #[arg(long, default_value = "/tmp/portcullis-bench-privacyidea")]
    dir: PathBuf,
    /// privacyIDEA's port on 127.0.0.1
    #[arg(long, default_value_t = 5099)]
    port: u16,
    /// The folder with setup.sh and stop.sh
    #[arg(long, default_value = "bench/privacyidea")]
    scripts: PathBuf,
    /// Concurrency levels of the valid-code phases
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    concurrency: Vec<usize>,
}

/// privacyIDEA answers `{"result": {"status": true, "value": true|false}, ...}`.
fn pi_value(body: &[u8]) -> Option<bool> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["result"]["value"].as_bool()
}

fn pi_judge(valid: bool) -> Judge {
    Arc::new(move |status, body| {
        if status == 200 && pi_value(body) == Some(valid) {
            Verdict::Expected
        } else {
            Verdict::Unexpected
        }
    })
}

fn pi_maker(url: String, pool: &Arc<UserPool>, valid: bool) -> Maker {
    let pool = pool.clone();
    Arc::new(move |_| {
        let (i, code) = pool.next_with_code(valid)?;
        let user = format!("u{i}");
        Some(Req::form(
            url.clone(),
            &[("user", &user), ("realm", "bench"), ("pass", &code)],
        ))
    })
}

pub async fn run(args: PiArgs) -> anyhow::Result<()> {
    let machine = report::machine();
    let binary = server::release_binary(args.common.binary.as_deref())?;
    let http = load::client();
    let d = Duration::from_secs_f64(args.common.seconds);
    let r = args.common.repeat.max(1);

    // The same users and keys for both.
    std::fs::create_dir_all(&args.dir)?;
    let users_file = args.dir.join("users.csv");
    let mut csv = String::new();
    for i in 0..args.users {
        let _ = writeln!(csv, "u{i},{}", hex::encode(seed::totp_key(i)));
    }
    std::fs::write(&users_file, csv)?;

    eprintln!("setting up privacyIDEA (first run installs it from PyPI)");
    let t = Instant::now();
    let out = tokio::process::Command::new("bash")
        .arg(args.scripts.join("setup.sh"))
        .arg("--dir")
        .arg(&args.dir)
        .arg("--users")
        .arg(&users_file)
        .arg("--port")
        .arg(args.port.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .await
        .context("running setup.sh")?;
    if !out.status.success() {
        bail!("setup.sh failed: {}", out.status);
    }
    let pid: u32 = String::from_utf8(out.stdout)?
        .trim()
        .parse()
        .context("setup.sh prints the gunicorn master's pid")?;
    eprintln!("privacyIDEA ready in {:.0} s", t.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pi_pids = server::with_children(pid);
    let pi_idle: u64 = pi_pids
        .iter()
        .map(|p| server::status_kb(*p, "VmRSS:") * 1024)
        .sum();
    let pi_cpu = move || {
        (
            server::cpu_time(&server::with_children(pid)),
            Duration::ZERO,
        )
    };
    let pi_url = format!("http://127.0.0.1:{}/validate/check", args.port);

    eprintln!("setting up Portcullis");
    let (_, phc) = tokio::task::spawn_blocking(|| suite::hash_time(1)).await??;
    let total = args.portcullis_users.max(args.users);
    let inst = Instance::create(&http, &binary, None, "vs-pi", total, total, &phc).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (po_idle, _) = inst.running.memory();
    let po_cpu = || inst.cpu();

    let pi_pool = UserPool::new(args.users);
    let po_pool = UserPool::new(total);
    let mut table = Table::new(&[
        "server",
        "codes",
        "concurrency",
        "checks/s",
        "p50",
        "p99",
        "server CPU per check",
        "as expected",
        "answers",
    ]);
    let mut ratios = Table::new(&[
        "codes",
        "concurrency",
        "throughput ratio (Portcullis ÷ privacyIDEA)",
        "CPU per check ratio (privacyIDEA ÷ Portcullis)",
    ]);
    let (mut best_ratio, mut best_cpu) = (0.0_f64, f64::INFINITY);
    let mut phases: Vec<(bool, usize)> = args.concurrency.iter().map(|c| (true, *c)).collect();
    phases.push((false, 8));
    for (valid, c) in phases {
        eprintln!(
            "{} codes, concurrency {c}",
            if valid { "valid" } else { "wrong" }
        );
        let pi = suite::phase(
            &http,
            &pi_cpu,
            c,
            d,
            None,
            r,
            &pi_maker(pi_url.clone(), &pi_pool, valid),
            &pi_judge(valid),
        )
        .await;
        let judge = if valid {
            suite::judge_accepted()
        } else {
            suite::judge_refused()
        };
        let po = suite::phase(
            &http,
            &po_cpu,
            c,
            d,
            None,
            r,
            &suite::second_factor_maker(&inst, &po_pool, Endpoint::Validate, valid),
            &judge,
        )
        .await;
        let codes = if valid { "valid" } else { "wrong" };
        for (name, m) in [("privacyIDEA 3.14", &pi), ("Portcullis", &po)] {
            table.row(&row(name, codes, c, m));
        }
        if valid {
            best_ratio = best_ratio.max(po.outcome.rps() / pi.outcome.rps().max(1e-9));
            best_cpu = best_cpu.min(po.cpu_ms_per_request());
        }
        ratios.row(&[
            codes.into(),
            c.to_string(),
            format!("{:.0}×", po.outcome.rps() / pi.outcome.rps().max(1e-9)),
            format!(
                "{:.0}×",
                pi.cpu_ms_per_request() / po.cpu_ms_per_request().max(1e-6)
            ),
        ]);
    }

    let out = tokio::process::Command::new("bash")
        .arg(args.scripts.join("stop.sh"))
        .arg("--dir")
        .arg(&args.dir)
        .status()
        .await?;
    if !out.success() {
        eprintln!("stop.sh failed: {out}");
    }
    let po_startup = inst.running.startup;
    inst.finish().await?;

    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Side by side with privacyIDEA (`portcullis-bench privacyidea`)\n\n{}\n\n\
         Command: `bench/privacyidea/compare` ({} s per phase, {} runs each, the median run shown). \
         Both servers on SQLite on this machine, the same users `u0…u{}` with the same TOTP keys, the same workload: \
         `POST /validate/check` (form `user`, `realm`, `pass`) against `POST /api/v1/validate` (JSON, service token), \
         each valid code for a user not checked before. privacyIDEA: {} users, gunicorn with 2 workers, \
         its defaults (audit log signed); Portcullis: {} users, its defaults (WAL, `synchronous = NORMAL`, audit row \
         in the same transaction). What each does per check is listed under the table. Server CPU is read from \
         /proc (gunicorn's master and workers summed).\n\n{}\n{}\n\
         Idle memory (RSS): privacyIDEA {} (master + 2 workers), Portcullis {}. Portcullis start-up with these users: {}.\n\n\
         Goals: throughput ≥ 200× privacyIDEA's: {} (best {:.0}×); ≤ 0.5 ms of server CPU per check: {} (best {}).\n\n\
         What each does per valid check. privacyIDEA 3.14 (counted with `bench/privacyidea/count_sql.py`, see \
         `bench/privacyidea/README.md`): 62 SQL statements (30 SELECT, 6 INSERT, 5 UPDATE, 8 BEGIN/COMMIT, 2 metric \
         writes), about 10 committed transactions on SQLite's default rollback journal with `synchronous = FULL`, two \
         RSA-2048 signatures (the audit row and the response), and its flat-file resolver re-reads the user file; a \
         wrong code 40 statements and 5 commits. Portcullis: one read of the service token (its last use is written at \
         most once a minute), then one write transaction: one joined read of the user, their authenticator and \
         the account counter, the conditional update of the last used step (the replay guard), the audit row, \
         commit; a wrong code counts a failure instead of the step. Every accepted step is committed before the \
         answer on both; Portcullis's WAL with `synchronous = NORMAL` survives a crash of the process, not \
         necessarily a power loss of the last transactions (`--sqlite-synchronous full` for that).\n",
        machine.line(),
        args.common.seconds,
        r,
        args.users - 1,
        args.users,
        total,
        table.finish(),
        ratios.finish(),
        mb(pi_idle),
        mb(po_idle),
        ms(po_startup.as_secs_f64() * 1000.0),
        goal(best_ratio >= 200.0),
        best_ratio,
        goal(best_cpu <= 0.5),
        ms(best_cpu),
    );
    report::publish(&args.common.write, "privacyidea", md.trim_end())
}

fn row(name: &str, codes: &str, c: usize, m: &Measured) -> Vec<String> {
    vec![
        name.into(),
        codes.into(),
        c.to_string(),
        format!("{:.1}", m.outcome.rps()),
        ms(m.outcome.quantile_ms(0.5)),
        ms(m.outcome.quantile_ms(0.99)),
        ms(m.cpu_ms_per_request()),
        format!("{:.1} %", m.accepted_pct()),
        m.outcome.statuses_text(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_privacyideas_verdict() {
        assert_eq!(
            pi_value(br#"{"result": {"status": true, "value": true}, "version": "3.14"}"#),
            Some(true)
        );
        assert_eq!(
            pi_value(br#"{"result":{"status":true,"value":false}}"#),
            Some(false)
        );
        assert_eq!(pi_value(b"<html>"), None);
    }
}
