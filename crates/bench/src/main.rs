//! `portcullis-bench`: the benchmark suite of issue 7. It starts the release server binary on
//! loopback (its own process, as operators run it), seeds accounts straight into its database,
//! loads it with a small load generator, reads CPU time and memory from /proc, and writes the
//! figures into BENCHMARKS.md. See BENCHMARKS.md for the command and what each figure means.

mod load;
mod logins;
mod oidc;
mod passkey;
mod privacyidea;
mod radius;
mod report;
mod seed;
mod server;
mod suite;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "portcullis-bench", about = "Portcullis benchmark suite")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The whole suite: hashing limit, password and passkey logins, cheap requests under a login flood, second-factor
    /// checks on SQLite and PostgreSQL, push, memory, start-up, growth
    Run(RunArgs),
    /// The same /validate workload against privacyIDEA 3.14 (set up by bench/privacyidea/) and
    /// against Portcullis, side by side
    Privacyidea(privacyidea::PiArgs),
    /// One workload against a freshly seeded server, for profiling: prints the server's pid,
    /// waits `--attach-secs` (attach `perf record -p PID` then), then loads it
    Load(suite::LoadArgs),
}

#[derive(Args, Debug, Clone)]
pub struct Common {
    /// The server binary (default: `portcullis` next to this binary, i.e. target/release)
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Seconds per measured phase
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Runs of each phase; the tables show the median run
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Where to write the tables (between this tool's markers); `-` only prints them
    #[arg(long, default_value = "BENCHMARKS.md")]
    write: String,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    common: Common,
    /// PostgreSQL server for the PostgreSQL rows (a fresh database is made and dropped); `none`
    /// skips them
    #[arg(
        long,
        env = "PORTCULLIS_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Accounts in the large data set (start-up and growth)
    #[arg(long, default_value_t = 1_000_000)]
    large: u64,
    /// Accounts with an authenticator in the second-factor phases
    #[arg(long, default_value_t = 200_000)]
    totp_users: u64,
    /// Push approvals measured
    #[arg(long, default_value_t = 100)]
    push: usize,
    /// Only one part of the suite, written between its own markers in BENCHMARKS.md
    #[arg(long, value_enum)]
    only: Option<Part>,
}

/// Parts of the suite that can run on their own.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// 1, 2 and 2b: the hashing limit, password logins and passkey sign-ins, in one run
    Logins,
    /// 9: RADIUS Access-Requests (code-only and password+code) beside /api/v1/validate
    Radius,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => suite::run(args).await,
        Command::Privacyidea(args) => privacyidea::run(args).await,
        Command::Load(args) => suite::load_only(args).await,
    }
}
