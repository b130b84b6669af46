//! Determinism is tested, not assumed: the same scenario and seed give byte-identical result files
//! (all but run.json), and a different seed gives different ones.

use super::common::{dcsim, scenario_path, scratch};
use std::path::Path;

const DETERMINISTIC: [&str; 4] = ["summary.json", "timeseries.csv", "scenario.resolved.toml", "failures.csv"];

fn run_into(out: &Path, seed: &str) {
    let o = dcsim(
        out.parent().unwrap(),
        &[
            "run",
            scenario_path("quickstart").to_str().unwrap(),
            "--quiet",
            "--seed",
            seed,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn same_seed_gives_byte_identical_results() {
    let dir = scratch("determinism");
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    run_into(&a, "42");
    run_into(&b, "42");
    run_into(&c, "43");
    for f in DETERMINISTIC {
        let (fa, fb) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(!fa.is_empty(), "{f} is empty");
        assert!(fa == fb, "{f} differs between two runs with the same seed");
    }
    assert!(a.join("run.json").exists());
    let (sa, sc) = (std::fs::read(a.join("summary.json")).unwrap(), std::fs::read(c.join("summary.json")).unwrap());
    assert!(sa != sc, "a different seed should change the summary");
}

/// The library gives the same summary as the binary's file (the CLI adds nothing of its own), and
/// two in-process runs agree too.
#[test]
fn library_runs_are_repeatable() {
    let sc = dcsim::Scenario::from_path(&scenario_path("mmc")).unwrap();
    let a = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    let b = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    assert_eq!(a.summary, b.summary);
    assert_eq!(dcsim::result_files(&sc, &a), dcsim::result_files(&sc, &b));
}
