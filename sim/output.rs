//! Result files. Each exporter returns bytes, so tests check formats without touching the disk;
//! `write_results` puts them in place atomically.
//!
//! Files of a run directory:
//! - `summary.json`: one flat object; `scenario`, `seed`, `dcsim_version`, then metrics in a fixed
//!   order. Deterministic: same scenario and seed, same bytes.
//! - `timeseries.csv`: one row per sample interval; deterministic.
//! - `scenario.resolved.toml`: the scenario with every default filled in; deterministic.
//! - `run.json`: wall-clock figures; the only file that differs between identical runs.
//!
//! **Invariant:** no wall-clock value appears in any file but `run.json`.

use crate::metrics::Summary;
use crate::sim::TimeSeries;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Wall-clock figures of one run.
#[derive(Debug, Clone, Copy)]
pub struct RunStats {
    pub wall_s: f64,
    pub events: u64,
    /// Peak resident memory of the process, if the platform reports it.
    pub peak_rss_bytes: Option<u64>,
}

fn json_number(v: Option<f64>) -> serde_json::Value {
    match v {
        // Counts print as integers; 2^53 bounds the integers an f64 holds exactly.
        Some(x) if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 => serde_json::Value::from(x as i64),
        Some(x) if x.is_finite() => {
            serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        _ => serde_json::Value::Null,
    }
}

/// `summary.json`: identity fields first, then metrics in the summary's order, one per line.
pub fn summary_json(scenario: &str, seed: u64, summary: &Summary) -> Vec<u8> {
    let mut out = String::from("{\n");
    let mut line = |k: &str, v: serde_json::Value, last: bool| {
        out.push_str(&format!("  {}: {}{}\n", serde_json::Value::String(k.into()), v, if last { "" } else { "," }));
    };
    line("scenario", serde_json::Value::String(scenario.into()), false);
    line("seed", serde_json::Value::from(seed), false);
    line("dcsim_version", serde_json::Value::String(crate::VERSION.into()), summary.entries.is_empty());
    for (i, (k, v)) in summary.entries.iter().enumerate() {
        line(k, json_number(*v), i + 1 == summary.entries.len());
    }
    out.push_str("}\n");
    out.into_bytes()
}

/// `timeseries.csv`.
pub fn timeseries_csv(ts: &TimeSeries) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&ts.columns).expect("writing to memory");
    if !ts.columns.is_empty() {
        for row in ts.values.chunks(ts.columns.len()) {
            w.write_record(row.iter().map(|v| format_value(*v))).expect("writing to memory");
        }
    }
    w.into_inner().expect("flushing to memory")
}

/// Shortest round-trip text of a number; integers without a fraction.
fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// `run.json`.
pub fn run_json(stats: &RunStats) -> Vec<u8> {
    let eps = if stats.wall_s > 0.0 { Some(stats.events as f64 / stats.wall_s) } else { None };
    let v = serde_json::json!({
        "wall_s": stats.wall_s,
        "events": stats.events,
        "events_per_s": eps,
        "peak_rss_bytes": stats.peak_rss_bytes,
    });
    let mut s = serde_json::to_string_pretty(&v).expect("json");
    s.push('\n');
    s.into_bytes()
}

/// Peak resident set size of this process (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Writes `files` (name, bytes) as directory `dir`, atomically: everything goes to a sibling
/// staging directory first, which then replaces `dir`. On error the staging directory is removed,
/// so no half-written result is left behind; a previous `dir` survives until the final rename.
pub fn write_results<N: AsRef<str>>(dir: &Path, files: &[(N, Vec<u8>)]) -> std::io::Result<()> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results".into());
    let staging: PathBuf = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| {
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir(&staging)?;
        for (file, bytes) in files {
            let mut f = std::fs::File::create(staging.join(file.as_ref()))?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::rename(&staging, dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_flat_json_in_order() {
        let mut s = Summary::default();
        s.count("tasks_started", 3);
        s.push("wait_s_mean", Some(0.25));
        s.push("wait_s_p99", None);
        let text = String::from_utf8(summary_json("q", 7, &s)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["tasks_started"], 3);
        assert_eq!(v["wait_s_mean"], 0.25);
        assert!(v["wait_s_p99"].is_null());
        assert_eq!(v["seed"], 7);
        assert!(text.find("tasks_started").unwrap() < text.find("wait_s_mean").unwrap());
    }

    #[test]
    fn timeseries_has_header_and_rows() {
        let ts = TimeSeries { columns: vec!["time_s".into(), "x".into()], values: vec![60.0, 0.5, 120.0, 1.0] };
        assert_eq!(String::from_utf8(timeseries_csv(&ts)).unwrap(), "time_s,x\n60,0.5\n120,1\n");
    }
}
