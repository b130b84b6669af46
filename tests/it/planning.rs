//! Capacity planning (issue #6) on cases with known answers, and its bad input.

use super::common::{dcsim, scratch, stderr};

/// Team A: a 1-CPU task lasting exactly 10 s every second needs exactly 10 single-CPU agents to
/// never wait; team B (one every 2 s) needs 5. Siloed: 10 + 5; pooled (groups scaled 2:1): 15.
const KNOWN: &str = r#"name = "known"
horizon = "10m"
sample_interval = "10m"
layout = "siloed"
[cluster]
masters = 1
[[cluster.agents]]
name = "ga"
count = 20
cpus = 1
mem = "1GiB"
price_per_hour = 1.0
[[cluster.agents]]
name = "gb"
count = 10
cpus = 1
mem = "1GiB"
price_per_hour = 2.0
[[workloads]]
kind = "batch"
name = "a"
team = "A"
arrival = { process = "interval", every = "1s" }
duration = { dist = "constant", value = "10s" }
cpus = 1
mem = "1GiB"
[[workloads]]
kind = "batch"
name = "b"
team = "B"
arrival = { process = "interval", every = "2s" }
duration = { dist = "constant", value = "10s" }
cpus = 1
mem = "1GiB"
[[silos]]
name = "A"
teams = ["A"]
agents = ["ga"]
[[silos]]
name = "B"
teams = ["B"]
agents = ["gb"]
"#;

#[test]
fn plan_finds_the_known_sizes() {
    let dir = scratch("plan-known");
    std::fs::write(dir.join("k.toml"), KNOWN).unwrap();
    let o = dcsim(&dir, &["plan", "k.toml", "--slo", "wait_s_max<=0", "--seeds", "2", "--out", "p"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(dir.join("p/plan.md")).unwrap();
    assert!(md.contains("| pooled | 15 |"), "{md}");
    assert!(
        md.contains("| silo-A | 10 |") && md.contains("| silo-B | 5 |") && md.contains("| siloed (sum) | 15 |"),
        "{md}"
    );
    // Cost: A's agents at 1.0/h, B's at 2.0/h, 730 h per month.
    assert!(md.contains(&format!("| silo-A | 10 | {:.2} |", 10.0 * 730.0)), "{md}");
    let csv = std::fs::read_to_string(dir.join("p/plan.csv")).unwrap();
    assert!(csv.lines().next().unwrap().starts_with("part,agents,holds,cost_per_month,wait_s_max<=0 (judged)"));
    // The bound: every part's probes are within ceil(log2(upper)) + 6.
    let probes = |part: &str| csv.lines().filter(|l| l.starts_with(&format!("{part},"))).count();
    assert!(probes("pool") <= 5 + 6 && probes("silo-A") <= 5 + 6 && probes("silo-B") <= 4 + 6, "{csv}");
    // Scaling group ga only (gb stays at 10): the pool needs 15 agents in all, so 5 of ga.
    let o = dcsim(&dir, &["plan", "k.toml", "--slo", "wait_s_max<=0", "--seeds", "1", "--group", "ga", "--out", "g"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(dir.join("g/plan.md")).unwrap();
    assert!(md.contains("| pooled | 15 |"), "pool: 5 of ga + 10 of gb: {md}");
    let csv = std::fs::read_to_string(dir.join("g/plan.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("pool,14,false")), "14 agents (4 of ga) fail: {csv}");
}

#[test]
fn bad_slos_exit_2() {
    let dir = scratch("plan-bad");
    std::fs::write(dir.join("k.toml"), KNOWN).unwrap();
    for (slo, needle) in [
        ("wait_s_p99 < ", "SLO such as"),
        ("no_such_metric<=1", "no metric \"no_such_metric\""),
        ("<=3", "SLO such as"),
    ] {
        let o = dcsim(&dir, &["plan", "k.toml", "--slo", slo, "--seeds", "1"]);
        assert_eq!(o.status.code(), Some(2), "{slo}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{slo}: {}", stderr(&o));
    }
    let o = dcsim(&dir, &["plan", "k.toml", "--slo", "wait_s_max<=0", "--group", "nope", "--seeds", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.join("results").exists());
}
