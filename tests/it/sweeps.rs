//! Sweeps (issue #6): thread-independence, shards merged equal to one run, resume, bad input.

use super::common::{dcsim, scratch, stderr};
use std::path::Path;

const SWEEP: &str = r#"name = "sw"
seed = 5
horizon = "1h"
warmup = "5m"
sample_interval = "10m"
[cluster]
masters = 1
[[cluster.agents]]
name = "a"
count = 10
cpus = 1
mem = "1GiB"
[[workloads]]
kind = "batch"
name = "q"
arrival = { process = "poisson", rate = "8/s" }
duration = { dist = "exponential", mean = "1s" }
cpus = 1
mem = "1GiB"
[sweep]
seeds = 3
axes = [
  { field = "cluster.agents[0].count", values = [10, 12] },
  { field = "scheduler.placement", values = ["first-fit", "random"] },
]
"#;

/// Every file of a directory tree, relative path to bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn setup(tag: &str) -> std::path::PathBuf {
    let dir = scratch(tag);
    std::fs::write(dir.join("sw.toml"), SWEEP).unwrap();
    dir
}

fn sweep(dir: &Path, args: &[&str]) {
    let mut all = vec!["sweep", "sw.toml", "--quiet"];
    all.extend_from_slice(args);
    let o = dcsim(dir, &all);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_sweep_gives_identical_files_on_1_and_2_threads() {
    let dir = setup("sweep-threads");
    sweep(&dir, &["--threads", "1", "--out", "one"]);
    sweep(&dir, &["--threads", "2", "--out", "two"]);
    let (one, two) = (tree(&dir.join("one")), tree(&dir.join("two")));
    assert_eq!(one.len(), 3 + 12, "sweep.json, runs.csv, points.csv and 12 runs");
    assert_eq!(one, two);
    let points = String::from_utf8(std::fs::read(dir.join("one/points.csv")).unwrap()).unwrap();
    assert_eq!(points.lines().count(), 1 + 4, "4 points");
    assert!(points.lines().next().unwrap().contains("wait_s_mean.p90"));
    // More agents, shorter waits: the sweep measures what it should.
    let runs = String::from_utf8(std::fs::read(dir.join("one/runs.csv")).unwrap()).unwrap();
    assert_eq!(runs.lines().count(), 1 + 12);
}

#[test]
fn three_shards_merged_equal_one_unsharded_run() {
    let dir = setup("sweep-shards");
    sweep(&dir, &["--out", "whole"]);
    for i in 0..3 {
        sweep(&dir, &["--shard", &format!("{i}/3"), "--out", &format!("shard{i}")]);
    }
    // The shard index may also come from the environment, as in a Kubernetes Indexed Job.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_dcsim"))
        .current_dir(&dir)
        .env("JOB_COMPLETION_INDEX", "1")
        .args(["sweep", "sw.toml", "--quiet", "--shard", "3", "--out", "shard1-env"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&dir.join("shard1")), tree(&dir.join("shard1-env")));
    let o = dcsim(&dir, &["merge", "shard0", "shard1", "shard2", "--out", "merged"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&dir.join("merged")), tree(&dir.join("whole")));
    // Two shards are not the whole sweep.
    let o = dcsim(&dir, &["merge", "shard0", "shard1", "--out", "partial"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("runs found"), "{}", stderr(&o));
}

#[test]
fn an_interrupted_sweep_resumes_without_rerunning_finished_runs() {
    let dir = setup("sweep-resume");
    sweep(&dir, &["--out", "r"]);
    let before = tree(&dir.join("r"));
    // Simulate an interruption: two runs never finished.
    std::fs::remove_file(dir.join("r/runs/p00001-s002.json")).unwrap();
    std::fs::remove_file(dir.join("r/runs/p00003-s000.json")).unwrap();
    let kept = dir.join("r/runs/p00000-s000.json");
    let stamp = std::fs::metadata(&kept).unwrap().modified().unwrap();
    sweep(&dir, &["--out", "r"]);
    assert_eq!(std::fs::metadata(&kept).unwrap().modified().unwrap(), stamp, "finished runs are skipped");
    assert_eq!(tree(&dir.join("r")), before, "the resumed sweep writes the same files");
    assert!(tree(&dir.join("r")).iter().all(|(p, _)| !p.contains("partial")), "nothing half-written is left");
}

#[test]
fn bad_sweeps_and_shards_exit_2() {
    let dir = scratch("sweep-bad");
    for (from, to, needle) in [
        ("cluster.agents[0].count", "cluster.agents[3].count", "no [3]"),
        ("scheduler.placement", "scheduler.plasement", "plasement"),
    ] {
        std::fs::write(dir.join("bad.toml"), SWEEP.replace(from, to)).unwrap();
        let o = dcsim(&dir, &["sweep", "bad.toml", "--quiet"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("bad.toml") && stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(!dir.join("results").exists());
    }
    std::fs::write(dir.join("sw.toml"), SWEEP).unwrap();
    for shard in ["3/3", "x/3", "1/0"] {
        let o = dcsim(&dir, &["sweep", "sw.toml", "--quiet", "--shard", shard]);
        assert_eq!(o.status.code(), Some(2), "--shard {shard}: {}", stderr(&o));
        assert!(stderr(&o).contains("--shard"), "{}", stderr(&o));
    }
}
