//! The whole suite (`portcullis-bench run`): each numbered part of issue 7's list, in one run, on
//! servers started from the release binary, written as one section of BENCHMARKS.md.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine as _;
use serde_json::json;

use crate::load::{self, Flow, Http, Judge, Maker, Req, Verdict};
use crate::passkey::Authenticator;
use crate::report::{self, Measured, Table, goal, mb, median, median_f64, ms};
use crate::seed;
use crate::server::{self, Running, Setup};
use crate::{Part, RunArgs};

/// Users without 2FA that the login phases cycle through.
pub const LOGIN_USERS: u64 = 1000;
/// Users with one passkey each that the passkey phase cycles through: more than the workers, so
/// one user's sign-ins never overlap (each presents the next sign count).
pub const PASSKEY_USERS: u64 = 1000;
pub const CONCURRENCY: [usize; 3] = [1, 8, 64];

/// A server with its seeded data: users `0..totp` have an authenticator and an open ticket,
/// `totp..totp + LOGIN_USERS` only a password, the next one is kept for push, and the
/// `PASSKEY_USERS` after it get a passkey in the passkey phase.
pub struct Instance {
    pub setup: Setup,
    pub running: Running,
    pub service_token: String,
    pub totp: u64,
    drop_db: Option<(String, String)>,
}

impl Instance {
    /// A fresh data folder (and database, for PostgreSQL): start once to migrate, stop, seed
    /// `accounts` users straight into the database, make a service token, start again.
    pub async fn create(
        http: &Http,
        binary: &std::path::Path,
        postgres: Option<&str>,
        label: &str,
        accounts: u64,
        totp: u64,
        phc: &str,
    ) -> anyhow::Result<Instance> {
        let data = server::temp_dir(label)?;
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
        let master_key = base64::engine::general_purpose::STANDARD.encode(key);
        let (database_url, drop_db) = match postgres {
            Some(admin) => {
                let name = format!("portcullis_bench_{}", uuid::Uuid::new_v4().simple());
                let pool = seed::connect(admin).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await?;
                pool.close().await;
                let url = replace_database(admin, &name)?;
                (Some(url), Some((admin.to_owned(), name)))
            }
            None => (None, None),
        };
        let setup = Setup {
            binary: binary.to_path_buf(),
            data: data.clone(),
            database_url: database_url.clone(),
            master_key: master_key.clone(),
        };
        setup.start(http).await?.stop().await?;
        let url = database_url.unwrap_or_else(|| {
            format!("sqlite://{}?mode=rw", data.join("portcullis.db").display())
        });
        let keys = portcullis_server::keys::MasterKey::load_or_create(Some(&master_key), &data)?
            .service_keys();
        let t = Instant::now();
        seed::seed(&url, &keys, phc, accounts, totp).await?;
        eprintln!(
            "  seeded {accounts} accounts ({totp} with an authenticator) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let service_token = setup.service_token().await?;
        let running = setup.start(http).await?;
        Ok(Instance {
            setup,
            running,
            service_token,
            totp,
            drop_db,
        })
    }

    /// (server CPU, database server CPU): PostgreSQL's processes on this machine, or nothing
    /// for SQLite, which runs inside the server.
    pub fn cpu(&self) -> (Duration, Duration) {
        let db = if self.drop_db.is_some() {
            server::cpu_time(&server::pids_named("postgres"))
        } else {
            Duration::ZERO
        };
        (self.running.cpu(), db)
    }

    /// Stops the server and removes its data.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.running.stop().await?;
        let _ = std::fs::remove_dir_all(&self.setup.data);
        if let Some((admin, name)) = self.drop_db {
            let pool = seed::connect(&admin).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&pool)
            .await?;
            pool.close().await;
        }
        Ok(())
    }

    /// Stops the server and starts it again on the same data.
    pub async fn restarted(self, http: &Http) -> anyhow::Result<Instance> {
        self.restarted_with(http, &[]).await
    }

    /// As [`Instance::restarted`], with more `serve` flags.
    pub async fn restarted_with(self, http: &Http, extra: &[&str]) -> anyhow::Result<Instance> {
        let Instance {
            setup,
            running,
            service_token,
            totp,
            drop_db,
        } = self;
        running.stop().await?;
        let running = setup.start_with(http, extra).await?;
        Ok(Instance {
            setup,
            running,
            service_token,
            totp,
            drop_db,
        })
    }
}

/// `postgres://…/db` with another database name.
fn replace_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (head, tail) = url
        .rsplit_once('/')
        .context("a PostgreSQL URL ends in /DATABASE")?;
    let query = tail.split_once('?').map(|(_, q)| format!("?{q}"));
    Ok(format!("{head}/{name}{}", query.unwrap_or_default()))
}

/// Which users the second-factor phases hand out: valid codes from the bottom, wrong codes from
/// the top, each user once (a valid code uses up the step, a wrong one counts as a guess).
pub struct UserPool {
    total: u64,
    valid: AtomicU64,
    wrong: AtomicU64,
}

impl UserPool {
    pub fn new(total: u64) -> Arc<UserPool> {
        Arc::new(UserPool {
            total,
            valid: AtomicU64::new(0),
            wrong: AtomicU64::new(0),
        })
    }
    pub fn next_valid(&self) -> Option<u64> {
        let i = self.valid.fetch_add(1, Ordering::Relaxed);
        (i + self.wrong.load(Ordering::Relaxed) < self.total).then_some(i)
    }
    pub fn next_wrong(&self) -> Option<u64> {
        let n = self.wrong.fetch_add(1, Ordering::Relaxed);
        (n + self.valid.load(Ordering::Relaxed) < self.total).then(|| self.total - 1 - n)
    }
    /// The next user and the code to send for them: their current one, or a wrong one.
    pub fn next_with_code(&self, valid: bool) -> Option<(u64, String)> {
        if valid {
            self.next_valid().map(|i| (i, seed::code_now(i)))
        } else {
            self.next_wrong().map(|i| (i, seed::wrong_code(i)))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Validate,
    LoginTotp,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Validate => "/api/v1/validate",
            Endpoint::LoginTotp => "/api/v1/login/totp",
        }
    }
}

pub fn second_factor_maker(
    inst: &Instance,
    pool: &Arc<UserPool>,
    endpoint: Endpoint,
    valid: bool,
) -> Maker {
    let url = inst.running.url(endpoint.path());
    let token = inst.service_token.clone();
    let pool = pool.clone();
    Arc::new(move |_| {
        let (i, code) = pool.next_with_code(valid)?;
        Some(match endpoint {
            Endpoint::Validate => Req::json(
                url.clone(),
                &json!({"username": seed::email(i), "code": code}),
                Some(&token),
            ),
            Endpoint::LoginTotp => Req::json(
                url.clone(),
                &json!({"login_ticket": seed::ticket(i), "code": code}),
                None,
            ),
        })
    })
}

fn contains(body: &[u8], needle: &str) -> bool {
    body.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Accepted: 200 with `"ok":true` (validate) or a session token (login).
pub fn judge_accepted() -> Judge {
    Arc::new(|status, body| {
        if status == 200 && (contains(body, "\"ok\":true") || contains(body, "\"token\"")) {
            Verdict::Expected
        } else {
            Verdict::Unexpected
        }
    })
}

/// Refused: `{"ok":false}`, 401 or 429; never a 5xx or an acceptance.
pub fn judge_refused() -> Judge {
    Arc::new(|status, body| {
        let refused =
            (status == 200 && contains(body, "\"ok\":false")) || status == 401 || status == 429;
        if refused {
            Verdict::Expected
        } else {
            Verdict::Unexpected
        }
    })
}

fn judge_status(want: u16) -> Judge {
    Arc::new(move |status, _| {
        if status == want {
            Verdict::Expected
        } else {
            Verdict::Unexpected
        }
    })
}

pub fn login_maker(running: &Running, first: u64) -> Maker {
    let url = running.url("/api/v1/login");
    Arc::new(move |n| {
        let i = first + n % LOGIN_USERS;
        Some(Req::json(
            url.clone(),
            &json!({"username": seed::email(i), "password": seed::PASSWORD}),
            None,
        ))
    })
}

/// Runs one phase `repeat` times and keeps the median run, with the server CPU it cost.
#[allow(clippy::too_many_arguments)]
pub async fn phase(
    http: &Http,
    cpu: &(dyn Fn() -> (Duration, Duration) + Sync),
    concurrency: usize,
    duration: Duration,
    max: Option<u64>,
    repeat: usize,
    make: &Maker,
    judge: &Judge,
) -> Measured {
    let mut runs = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let (cpu0, db0) = cpu();
        let outcome = load::run(
            http,
            concurrency,
            duration,
            max,
            make.clone(),
            judge.clone(),
        )
        .await;
        runs.push(Measured {
            outcome,
            server_cpu: cpu().0.saturating_sub(cpu0),
            database_cpu: cpu().1.saturating_sub(db0),
        });
    }
    median(runs)
}

/// As [`phase`], for a workload of several calls per unit (a passkey sign-in).
pub async fn phase_flow(
    http: &Http,
    cpu: &(dyn Fn() -> (Duration, Duration) + Sync),
    concurrency: usize,
    duration: Duration,
    repeat: usize,
    flow: &Flow,
) -> Measured {
    let mut runs = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let (cpu0, other0) = cpu();
        let outcome = load::run_flow(http, concurrency, duration, None, flow.clone()).await;
        let (cpu1, other1) = cpu();
        runs.push(Measured {
            outcome,
            server_cpu: cpu1.saturating_sub(cpu0),
            database_cpu: other1.saturating_sub(other0),
        });
    }
    median(runs)
}

pub async fn sign_in(http: &Http, running: &Running, i: u64) -> anyhow::Result<String> {
    let (status, body) = load::call(
        http,
        &Req::json(
            running.url("/api/v1/login"),
            &json!({"username": seed::email(i), "password": seed::PASSWORD}),
            None,
        ),
    )
    .await?;
    match body["token"].as_str() {
        Some(t) if status == 200 => Ok(t.to_owned()),
        _ => bail!("login of user {i} answered {status}: {body}"),
    }
}

/// Times one Argon2id hash with the server's parameters on one thread; the median of `n`.
pub fn hash_time(n: usize) -> anyhow::Result<(Duration, String)> {
    let mut times = Vec::with_capacity(n);
    let mut phc = String::new();
    // Kept across the runs, as a hashing thread of the server keeps it.
    let mut memory = portcullis_core::password::HashMemory::new();
    for _ in 0..n {
        let t = Instant::now();
        phc = portcullis_core::password::hash_in(&mut memory, seed::PASSWORD.as_bytes())
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok((Duration::from_secs_f64(median_f64(times)), phc))
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let machine = report::machine();
    let binary = server::release_binary(args.common.binary.as_deref())?;
    let http = load::client();
    let d = Duration::from_secs_f64(args.common.seconds);
    let r = args.common.repeat.max(1);
    let postgres = (args.postgres != "none").then_some(args.postgres.as_str());
    let logins_only = args.only == Some(Part::Logins);
    let radius_only = args.only == Some(Part::Radius);
    let command = if logins_only {
        "cargo build --release -p portcullis-server -p portcullis-bench && target/release/portcullis-bench run --only logins"
    } else if radius_only {
        "cargo build --release -p portcullis-server -p portcullis-bench && target/release/portcullis-bench run --only radius"
    } else {
        "cargo build --release --workspace && target/release/portcullis-bench run"
    };
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## The suite (`portcullis-bench run`)\n\n{}\n\nCommand: `{command}` \
         ({} s per phase, {} runs each, the median run shown).\n",
        machine.line(),
        args.common.seconds,
        r
    );
    // Parts 1, 2 and 2b sit between markers of their own, so `--only logins` can measure them
    // again in one run without touching the other parts' figures.
    let mut logins = String::new();
    if logins_only {
        let _ = writeln!(
            logins,
            "Parts 1, 2 and 2b measured in a run of their own. {}\n\nCommand: `{command}` \
             ({} s per phase, {} runs each, the median run shown).\n",
            machine.line(),
            args.common.seconds,
            r
        );
    }

    // 1. Hashing limit.
    eprintln!("1. hashing limit");
    let (hash, phc) = tokio::task::spawn_blocking(|| hash_time(9)).await??;
    let limit = machine.cores as f64 / hash.as_secs_f64();
    let _ = writeln!(
        logins,
        "### 1. Hashing limit\n\nOne Argon2id hash (19 MiB, 2 passes, 1 lane — the server's parameters), one thread: \
         **{}**. Limit: {} cores ÷ that = **{limit:.1} logins/s**.\n",
        ms(hash.as_secs_f64() * 1000.0),
        machine.cores
    );
    if radius_only {
        let part = crate::radius::part(&http, &binary, args.totp_users, &phc, d, r).await?;
        let body = format!(
            "Part 9 measured in a run of its own. {}\n\nCommand: `{command}` ({} s per phase, {} runs each, \
             the median run shown).\n\n{part}",
            machine.line(),
            args.common.seconds,
            r
        );
        return report::publish(&args.common.write, "radius", body.trim_end());
    }

    // The main SQLite server.
    eprintln!("seeding the SQLite server");
    let totp = args.totp_users;
    let accounts = totp + LOGIN_USERS + 1 + PASSKEY_USERS;
    let a = Instance::create(&http, &binary, None, "sqlite", accounts, totp, &phc).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle_rss, _) = a.running.memory();

    // 2. Password logins and 2b. passkey sign-ins.
    logins.push_str(&crate::logins::parts(&http, &a, limit, machine.cores, d, r).await?);
    if logins_only {
        a.finish().await?;
        return report::publish(&args.common.write, "logins", logins.trim_end());
    }
    let _ = write!(
        md,
        "<!-- bench:logins:begin -->\n{}\n<!-- bench:logins:end -->\n\n",
        logins.trim_end()
    );

    // 3. Cheap requests under a login flood.
    eprintln!("3. /me under a login flood");
    let token = sign_in(&http, &a.running, totp).await?;
    let me: Maker = {
        let url = a.running.url("/api/v1/me");
        Arc::new(move |_| Some(Req::get(url.clone(), Some(&token))))
    };
    let (mut p50s, mut p99s, mut flood_rps, mut me_n) = (vec![], vec![], vec![], vec![]);
    for _ in 0..r {
        let (flood, cheap) = tokio::join!(
            load::run(
                &http,
                64,
                d,
                None,
                login_maker(&a.running, totp),
                judge_accepted()
            ),
            load::run(&http, 1, d, None, me.clone(), judge_status(200)),
        );
        p50s.push(cheap.quantile_ms(0.5));
        p99s.push(cheap.quantile_ms(0.99));
        flood_rps.push(flood.rps());
        me_n.push(cheap.expected as f64);
    }
    let me_p99 = median_f64(p99s);
    let _ = writeln!(
        md,
        "### 3. `GET /api/v1/me` under a login flood (SQLite)\n\n64 clients log in without pause ({:.1} logins/s) while one client reads `/me` \
         ({:.0} answers per run): p50 **{}**, p99 **{}**. Goal p99 < 10 ms: {}.\n",
        median_f64(flood_rps),
        median_f64(me_n),
        ms(median_f64(p50s)),
        ms(me_p99),
        goal(me_p99 < 10.0)
    );

    // 4. Second factor on SQLite (then PostgreSQL below).
    eprintln!("4. second factor (SQLite)");
    let mut sf = Table::new(&[
        "database",
        "endpoint",
        "codes",
        "concurrency",
        "checks/s",
        "p50",
        "p99",
        "server CPU per check",
        "PostgreSQL CPU per check",
        "as expected",
        "answers",
    ]);
    let pool_a = UserPool::new(a.totp);
    second_factor_rows(&http, &a, &pool_a, "SQLite", d, r, &mut sf, true).await;

    // 5. Push.
    eprintln!("5. push");
    let push = push_latency(&http, &a.running, totp + LOGIN_USERS, args.push).await?;

    second_factor_rows(&http, &a, &pool_a, "SQLite", d, r, &mut sf, false).await;
    let (_, peak_a) = a.running.memory();
    a.finish().await?;

    let mut peak_pg = 0;
    if let Some(pg) = postgres {
        eprintln!("4. second factor (PostgreSQL)");
        let b = Instance::create(&http, &binary, Some(pg), "pg", totp + 1, totp, &phc).await?;
        let pool_b = UserPool::new(b.totp);
        second_factor_rows(&http, &b, &pool_b, "PostgreSQL", d, r, &mut sf, true).await;
        second_factor_rows(&http, &b, &pool_b, "PostgreSQL", d, r, &mut sf, false).await;
        peak_pg = b.running.memory().1;
        b.finish().await?;
    }
    let _ = writeln!(
        md,
        "### 4. Second-factor checks\n\nValid fresh codes for distinct users (each user once: a step works once), and wrong codes \
         (each user once; wrong ones count against the account). `/validate` with a service token; `/login/totp` with a login \
         ticket seeded beside each user. \"As expected\": accepted for valid codes, refused (`ok:false`, 401 or 429) for wrong ones.\n\n{}",
        sf.finish()
    );

    let _ = writeln!(
        md,
        "### 5. Push\n\nFrom the companion app's approval (the crate `portcullis-app`'s own client) to the waiting login long-poll's answer, \
         {} approvals, one node on SQLite: median **{}**, p99 **{}**. (Two nodes on PostgreSQL: see \"Push approval latency\" below.)\n",
        push.len(),
        ms(load::quantile_ms(&push, 0.5)),
        ms(load::quantile_ms(&push, 0.99))
    );

    let _ = writeln!(
        md,
        "### 6. Memory\n\nResident set size of the server process: idle after start (SQLite, {} accounts) **{}** (goal < 30 MB: {}); \
         peak over all the load above **{}** on SQLite{} (goal < 200 MB: {}).\n",
        accounts,
        mb(idle_rss),
        goal(idle_rss < 30_000_000),
        mb(peak_a),
        if peak_pg > 0 {
            format!(", **{}** on PostgreSQL", mb(peak_pg))
        } else {
            String::new()
        },
        goal(peak_a.max(peak_pg) < 200_000_000)
    );

    // 7. Start-up and 8. growth.
    eprintln!("7. start-up (empty)");
    let mut empty = Vec::new();
    for _ in 0..5 {
        let data = server::temp_dir("empty")?;
        let setup = Setup {
            binary: binary.clone(),
            data: data.clone(),
            database_url: None,
            master_key: base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
        };
        let running = setup.start(&http).await?;
        empty.push(running.startup.as_secs_f64() * 1000.0);
        running.stop().await?;
        let _ = std::fs::remove_dir_all(data);
    }
    let empty_ms = median_f64(empty);

    eprintln!("8. growth: 1,000 and {} accounts", args.large);
    let small = Instance::create(&http, &binary, None, "small", 1000, 500, &phc).await?;
    let mut large = Instance::create(&http, &binary, None, "large", args.large, 500, &phc).await?;
    // Both run side by side and the runs alternate, so drift in the machine's load hits both.
    let (pool_s, pool_l) = (UserPool::new(small.totp), UserPool::new(large.totp));
    let (mut login_s, mut login_l, mut val_s, mut val_l) = (vec![], vec![], vec![], vec![]);
    for _ in 0..r {
        login_s.push(growth_login(&http, &small, d).await);
        login_l.push(growth_login(&http, &large, d).await);
        val_s.push(growth_validate(&http, &small, &pool_s, d, r).await);
        val_l.push(growth_validate(&http, &large, &pool_l, d, r).await);
    }
    small.finish().await?;
    let g_small = (median_f64(login_s), median_f64(val_s));
    let g_large = (median_f64(login_l), median_f64(val_l));
    eprintln!("7. start-up ({} accounts)", args.large);
    let mut big = Vec::new();
    for _ in 0..3 {
        large = large.restarted(&http).await?;
        big.push(large.running.startup.as_secs_f64() * 1000.0);
    }
    large.finish().await?;
    let big_ms = median_f64(big);
    let _ = writeln!(
        md,
        "### 7. Start-up\n\nFrom exec to `/readyz` answering 200 (migrations, key, the dummy hash that evens out unknown-user logins): \
         empty data folder **{}** (median of 5; goal < 200 ms: {}); {} accounts **{}** (median of 3; goal < 1 s: {}).\n",
        ms(empty_ms),
        goal(empty_ms < 200.0),
        args.large,
        ms(big_ms),
        goal(big_ms < 1000.0)
    );
    let mut g = Table::new(&["p50 at concurrency 1", "1,000 accounts", "large", "ratio"]);
    let mut worst: f64 = 0.0;
    for (name, s, l) in [
        ("password login", g_small.0, g_large.0),
        ("/validate (valid code)", g_small.1, g_large.1),
    ] {
        let ratio = l / s;
        worst = worst.max(ratio);
        g.row(&[name.into(), ms(s), ms(l), format!("{ratio:.2}")]);
    }
    let _ = writeln!(
        md,
        "### 8. Growth\n\n1,000 against {} accounts (seeded straight into SQLite with one precomputed hash).\n\n{}\nGoal p50 within 1.5×: {}.\n",
        args.large,
        g.finish(),
        goal(worst <= 1.5)
    );

    report::publish(&args.common.write, "suite", md.trim_end())?;
    // 9. RADIUS, between markers of its own (`--only radius` measures it again alone).
    let part = crate::radius::part(&http, &binary, args.totp_users, &phc, d, r).await?;
    report::publish(&args.common.write, "radius", part.trim_end())
}

/// The second-factor rows for one server: valid codes first (`valid`), or wrong codes.
#[allow(clippy::too_many_arguments)]
async fn second_factor_rows(
    http: &Http,
    inst: &Instance,
    pool: &Arc<UserPool>,
    database: &str,
    d: Duration,
    r: usize,
    table: &mut Table,
    valid: bool,
) {
    for endpoint in [Endpoint::Validate, Endpoint::LoginTotp] {
        for c in CONCURRENCY {
            let make = second_factor_maker(inst, pool, endpoint, valid);
            let judge = if valid {
                judge_accepted()
            } else {
                judge_refused()
            };
            let m = phase(http, &|| inst.cpu(), c, d, None, r, &make, &judge).await;
            table.row(&[
                database.into(),
                format!("`{}`", endpoint.path()),
                if valid { "valid" } else { "wrong" }.into(),
                c.to_string(),
                format!("{:.0}", m.outcome.rps()),
                ms(m.outcome.quantile_ms(0.5)),
                ms(m.outcome.quantile_ms(0.99)),
                ms(m.cpu_ms_per_request()),
                if inst.drop_db.is_some() {
                    ms(m.database_cpu_ms_per_request())
                } else {
                    "in process".into()
                },
                format!("{:.1} %", m.accepted_pct()),
                m.outcome.statuses_text(),
            ]);
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// validate, login-totp, validate-wrong, login-totp-wrong, login, me, forward-auth (a proxy's
    /// check of a signed-in person), oidc-code (a relying party's authorization request and code
    /// exchange; one unit per exchange) or passkey (a sign-in: `/login/passkey/start` then `/finish`;
    /// one unit per sign-in)
    #[arg(long, default_value = "validate")]
    workload: String,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    #[arg(long, default_value_t = 5.0)]
    attach_secs: f64,
    #[arg(long, default_value_t = 100_000)]
    users: u64,
    /// A PostgreSQL server URL; SQLite without
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long)]
    binary: Option<std::path::PathBuf>,
}

pub async fn load_only(args: LoadArgs) -> anyhow::Result<()> {
    let http = load::client();
    let binary = server::release_binary(args.binary.as_deref())?;
    let phc = tokio::task::spawn_blocking(|| hash_time(1)).await??.1;
    let inst = Instance::create(
        &http,
        &binary,
        args.postgres.as_deref(),
        "load",
        args.users + LOGIN_USERS + 1 + PASSKEY_USERS,
        args.users,
        &phc,
    )
    .await?;
    let pool = UserPool::new(inst.totp);
    let sf = |endpoint, valid| {
        let judge = if valid {
            judge_accepted()
        } else {
            judge_refused()
        };
        load::flow_of(second_factor_maker(&inst, &pool, endpoint, valid), judge)
    };
    let flow = match args.workload.as_str() {
        "validate" => sf(Endpoint::Validate, true),
        "validate-wrong" => sf(Endpoint::Validate, false),
        "login-totp" => sf(Endpoint::LoginTotp, true),
        "login-totp-wrong" => sf(Endpoint::LoginTotp, false),
        "login" => load::flow_of(login_maker(&inst.running, inst.totp), judge_accepted()),
        "me" => {
            let token = sign_in(&http, &inst.running, inst.totp).await?;
            let url = inst.running.url("/api/v1/me");
            let make: Maker = Arc::new(move |_| Some(Req::get(url.clone(), Some(&token))));
            load::flow_of(make, judge_status(200))
        }
        "forward-auth" => {
            // One signed-in person opening an application behind a proxy: the check a proxy
            // makes before every request (a rule lookup, the session, the person's groups).
            let token = sign_in(&http, &inst.running, inst.totp).await?;
            let email = seed::email(inst.totp);
            inst.setup
                .access_rule(&email, "app.bench.test", "signed-in")
                .await?;
            let url = inst.running.url("/api/v1/authz/forward-auth");
            let make: Maker = Arc::new(move |n| {
                let req = Req::get(url.clone(), None)
                    .with_header("x-forwarded-proto", "https")
                    .with_header("x-forwarded-host", "app.bench.test")
                    .with_header("x-forwarded-uri", format!("/page/{n}"))
                    .with_header("cookie", format!("portcullis_session={token}"));
                Some(req)
            });
            load::flow_of(make, judge_status(200))
        }
        "oidc-code" => {
            // A relying party's code exchange for one signed-in person: the authorization
            // request with the session, then the token endpoint (an RS256 ID token).
            let token = sign_in(&http, &inst.running, inst.totp).await?;
            let client = inst.setup.oidc_client(&seed::email(inst.totp)).await?;
            // The server reads clients from the database; the CLI's client is there at once.
            crate::oidc::code_exchange_flow(&inst.running, client, token)
        }
        "passkey" => {
            let authenticator = Arc::new(Authenticator::new(&inst.running.public_url)?);
            let first = inst.totp + LOGIN_USERS + 1;
            let keys =
                crate::logins::register_passkeys(&http, &inst, &authenticator, first).await?;
            crate::passkey::sign_in_flow(&inst.running, authenticator, keys)
        }
        other => bail!("unknown workload {other}"),
    };
    eprintln!("server pid {} at {}", inst.running.pid, inst.running.base);
    tokio::time::sleep(Duration::from_secs_f64(args.attach_secs)).await;
    let m = phase_flow(
        &http,
        &|| inst.cpu(),
        args.concurrency,
        Duration::from_secs_f64(args.seconds),
        1,
        &flow,
    )
    .await;
    eprintln!(
        "{} requests/s, p50 {}, p99 {}, server CPU {} per request, database CPU {} per request, {:.1} % as expected, {}",
        m.outcome.rps() as u64,
        ms(m.outcome.quantile_ms(0.5)),
        ms(m.outcome.quantile_ms(0.99)),
        ms(m.cpu_ms_per_request()),
        ms(m.database_cpu_ms_per_request()),
        m.accepted_pct(),
        m.outcome.statuses_text()
    );
    let (rss, peak) = inst.running.memory();
    eprintln!("server memory: resident {}, peak {}", mb(rss), mb(peak));
    inst.finish().await
}

/// Password-login p50 at concurrency 1.
async fn growth_login(http: &Http, inst: &Instance, d: Duration) -> f64 {
    let m = phase(
        http,
        &|| inst.cpu(),
        1,
        d,
        None,
        1,
        &login_maker(&inst.running, inst.totp),
        &judge_accepted(),
    )
    .await;
    m.outcome.quantile_ms(0.5)
}

/// `/validate` p50 at concurrency 1, with at most a `r`-th of the users (each works once).
async fn growth_validate(
    http: &Http,
    inst: &Instance,
    pool: &Arc<UserPool>,
    d: Duration,
    r: usize,
) -> f64 {
    let make = second_factor_maker(inst, pool, Endpoint::Validate, true);
    let m = phase(
        http,
        &|| inst.cpu(),
        1,
        d,
        Some(inst.totp / r as u64),
        1,
        &make,
        &judge_accepted(),
    )
    .await;
    m.outcome.quantile_ms(0.5)
}

/// Pairs the app for user `i`, then times `n` approvals: from sending the approval to the
/// waiting long-poll's answer. Latencies in microseconds.
async fn push_latency(
    http: &Http,
    running: &Running,
    i: u64,
    n: usize,
) -> anyhow::Result<Vec<u32>> {
    use portcullis_app::client::Client;
    use portcullis_app::pairing_uri::PairingUri;
    use portcullis_app::push::{Decision, answer, pair};

    let token = sign_in(http, running, i).await?;
    let (status, body) = load::call(
        http,
        &Req::json(
            running.url("/api/v1/me/push-devices"),
            &json!({"name": "bench", "password": seed::PASSWORD}),
            Some(&token),
        ),
    )
    .await?;
    let uri = body["pairing_uri"]
        .as_str()
        .with_context(|| format!("pairing answered {status}: {body}"))?;
    let app = Client::new()?;
    let uri = PairingUri::parse(uri).map_err(|e| anyhow::anyhow!("pairing URI: {e:?}"))?;
    let device = pair(&app, &uri, "bench", None)
        .await
        .map_err(|e| anyhow::anyhow!("pairing: {e:?}"))?;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let (_, body) = load::call(
            http,
            &Req::json(
                running.url("/api/v1/login"),
                &json!({"username": seed::email(i), "password": seed::PASSWORD}),
                None,
            ),
        )
        .await?;
        let ticket = body["login_ticket"]
            .as_str()
            .with_context(|| format!("no ticket: {body}"))?
            .to_owned();
        let (_, body) = load::call(
            http,
            &Req::json(
                running.url("/api/v1/login/push"),
                &json!({"login_ticket": ticket}),
                None,
            ),
        )
        .await?;
        let id = body["challenge_id"]
            .as_str()
            .with_context(|| format!("no challenge: {body}"))?
            .to_owned();
        let number = body["number"].as_u64().context("no number")? as u32;
        let poll = Req::get(
            running.url(&format!(
                "/api/v1/login/push/{id}?login_ticket={ticket}&wait=20"
            )),
            None,
        );
        let waiting = {
            let http = http.clone();
            tokio::spawn(async move {
                let r = load::call(&http, &poll).await;
                (Instant::now(), r)
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let t0 = Instant::now();
        let verdict = answer(&app, &device, &id, Decision::Approve, Some(number))
            .await
            .map_err(|e| anyhow::anyhow!("approval: {e:?}"))?;
        let (t1, polled) = waiting.await?;
        let (_, body) = polled?;
        if verdict != "approved" || body["status"] != "approved" || body["token"].is_null() {
            bail!("push round failed: {verdict} / {body}");
        }
        samples.push(t1.saturating_duration_since(t0).as_micros() as u32);
    }
    Ok(samples)
}
