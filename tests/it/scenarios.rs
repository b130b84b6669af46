//! Every shipped scenario validates, its resolved form round-trips, and the quickstart writes every
//! metric the summary promises.

use super::common::{dcsim, root, scenario_path, scratch};
use dcsim::Scenario;

fn shipped() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_shipped_scenario_validates_and_round_trips() {
    let all = shipped();
    assert!(all.len() >= 3, "expected the shipped scenarios, found {all:?}");
    for p in &all {
        let s = Scenario::from_path(p).unwrap_or_else(|e| panic!("{e}"));
        let resolved = s.to_resolved_toml();
        let again = Scenario::from_toml_str(&resolved, "resolved", root())
            .unwrap_or_else(|e| panic!("{}: {e}\n{resolved}", p.display()));
        assert_eq!(s, again, "{}: the resolved scenario must parse back to the same scenario", p.display());
    }
    let args: Vec<String> =
        std::iter::once("validate".to_string()).chain(all.iter().map(|p| p.display().to_string())).collect();
    let o = dcsim(root(), &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.starts_with("ok: ")).count(), all.len());
}

/// The metric names issue #2 promises in summary.json; CI checks and sweeps key on them.
const REQUIRED: [&str; 15] = [
    "tasks_submitted",
    "tasks_started",
    "tasks_completed",
    "wait_s_mean",
    "wait_s_p50",
    "wait_s_p95",
    "wait_s_p99",
    "wait_s_max",
    "cpu_alloc_frac_mean",
    "mem_alloc_frac_mean",
    "pending_tasks_max",
    "scheduler_busy_frac",
    "events",
    "sim_s",
    "dcsim_version",
];

#[test]
fn quickstart_writes_all_result_files_and_metrics() {
    let dir = scratch("quickstart");
    let o = dcsim(&dir, &["run", scenario_path("quickstart").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("wait_s_p99") && stdout.contains("results: results/quickstart"), "summary table: {stdout}");
    let out = dir.join("results/quickstart");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for k in REQUIRED {
        assert!(summary.get(k).is_some_and(|v| !v.is_null()), "summary.json lacks {k}");
    }
    assert_eq!(summary["scenario"], "quickstart");
    assert_eq!(summary["seed"], 42);
    assert!(summary["tasks_started"].as_f64().unwrap() > 1000.0);
    let util = summary["cpu_alloc_frac_mean"].as_f64().unwrap();
    assert!(util > 0.3 && util < 1.0, "quickstart is sized for about 70% cpu allocation, got {util}");
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    assert!(header.starts_with("time_s,general_cpu_alloc_frac,"), "{header}");
    assert_eq!(ts.lines().count(), 1 + 360, "6 h at one row per minute");
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(run["wall_s"].as_f64().unwrap() >= 0.0 && run["events_per_s"].is_number());
    // Resolved scenario reproduces the run on its own.
    let again = Scenario::from_path(&out.join("scenario.resolved.toml")).unwrap();
    assert_eq!(again, Scenario::from_path(&scenario_path("quickstart")).unwrap());
}
