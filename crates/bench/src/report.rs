//! Tables: the machine they were measured on, number formatting, and writing a section of
//! BENCHMARKS.md between this tool's markers (the rest of the file is left alone).

use std::fmt::Write as _;
use std::time::Duration;

use crate::load::Outcome;

/// One measured run of a phase: what the load generator saw and the server CPU it cost.
#[derive(Debug, Clone)]
pub struct Measured {
    pub outcome: Outcome,
    pub server_cpu: Duration,
    /// CPU of a separate database server (PostgreSQL), zero for SQLite.
    pub database_cpu: Duration,
}

impl Measured {
    /// Server CPU time per request, in milliseconds.
    pub fn cpu_ms_per_request(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1000.0 / (self.outcome.requests().max(1) as f64)
    }

    pub fn database_cpu_ms_per_request(&self) -> f64 {
        self.database_cpu.as_secs_f64() * 1000.0 / (self.outcome.requests().max(1) as f64)
    }

    pub fn accepted_pct(&self) -> f64 {
        let all = (self.outcome.expected + self.outcome.unexpected).max(1) as f64;
        self.outcome.expected as f64 * 100.0 / all
    }
}

/// The run with the median throughput (the tables show one coherent run, not a mix).
pub fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.outcome.rps().total_cmp(&b.outcome.rps()));
    let mid = runs.len() / 2;
    runs.swap_remove(mid)
}

pub fn median_f64(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[derive(Debug, Clone)]
pub struct Machine {
    pub cores: usize,
    pub model: String,
    pub date: String,
    pub commit: String,
}

pub fn machine() -> Machine {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map(|s| s[..10].to_owned())
        .unwrap_or_default();
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cores,
        model,
        date,
        commit,
    }
}

impl Machine {
    pub fn line(&self) -> String {
        format!(
            "Machine: {} cores, {}; date {}; commit {}; load generator on the same machine.",
            self.cores, self.model, self.date, self.commit
        )
    }
}

pub fn ms(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v < 1.0 {
        format!("{v:.2} ms")
    } else if v < 100.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

pub fn goal(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// A markdown table.
#[derive(Debug, Default)]
pub struct Table {
    text: String,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        let mut text = format!("| {} |\n|", headers.join(" | "));
        for _ in headers {
            text.push_str(" --- |");
        }
        text.push('\n');
        Table { text }
    }

    pub fn row(&mut self, cells: &[String]) {
        let _ = writeln!(self.text, "| {} |", cells.join(" | "));
    }

    pub fn finish(self) -> String {
        self.text
    }
}

/// Replaces the section between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->` in
/// `path` (appending it when absent) and prints it.
pub fn publish(path: &str, name: &str, body: &str) -> anyhow::Result<()> {
    println!("{body}");
    if path == "-" {
        return Ok(());
    }
    let begin = format!("<!-- bench:{name}:begin -->");
    let end = format!("<!-- bench:{name}:end -->");
    let section = format!("{begin}\n{body}\n{end}");
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(b), Some(e)) if e > b => {
            format!("{}{}{}", &old[..b], section, &old[e + end.len()..])
        }
        _ => format!("{}\n{}\n", old.trim_end(), section),
    };
    std::fs::write(path, new)?;
    eprintln!("wrote the {name} section of {path}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_replaced_in_place_and_the_rest_kept() {
        let dir = std::env::temp_dir().join(format!("bench-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("B.md");
        let p = path.to_str().unwrap();
        std::fs::write(&path, "# B\n\nintro\n").unwrap();
        publish(p, "x", "one").unwrap();
        publish(p, "y", "other").unwrap();
        publish(p, "x", "two").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# B\n\nintro\n"));
        assert!(text.contains("<!-- bench:x:begin -->\ntwo\n<!-- bench:x:end -->"));
        assert!(!text.contains("one"));
        assert!(text.contains("other"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
