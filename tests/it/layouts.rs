//! Siloed vs pooled layouts (issue #6) against Erlang C.
//!
//! Two silos of 5 single-CPU agents, each with Poisson arrivals at 4/s and exponential service of
//! mean 1 s, are two M/M/5 queues at rho = 0.8 (Erlang C mean wait 0.5541 s); pooled, the same
//! agents and work are one M/M/10 queue at 8/s (0.2046 s). Method as in queueing.rs: K = 10
//! independent replications, a 99.9 % Student-t interval from them must contain the analytic value
//! and be narrower than ±6 % of it.

use dcsim::Scenario;
use dcsim::scenario::Layout;
use std::path::Path;

const T_9_99_9: f64 = 4.781;

fn erlang_c_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let (mut term, mut sum) = (1.0, 0.0);
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    let top = term * c as f64 / (c as f64 - a);
    top / (sum + top) / (c as f64 * mu - lambda)
}

pub fn two_silos() -> Scenario {
    Scenario::from_toml_str(
        r#"
        name = "silos"
        horizon = "12h"
        warmup = "10m"
        sample_interval = "1h"
        layout = "siloed"
        [cluster]
        masters = 1
        [[cluster.agents]]
        name = "left"
        count = 5
        cpus = 1
        mem = "1GiB"
        [[cluster.agents]]
        name = "right"
        count = 5
        cpus = 1
        mem = "1GiB"
        [[workloads]]
        kind = "batch"
        name = "a"
        team = "A"
        arrival = { process = "poisson", rate = "4/s" }
        duration = { dist = "exponential", mean = "1s" }
        cpus = 1
        mem = "1GiB"
        [[workloads]]
        kind = "batch"
        name = "b"
        team = "B"
        arrival = { process = "poisson", rate = "4/s" }
        duration = { dist = "exponential", mean = "1s" }
        cpus = 1
        mem = "1GiB"
        [[silos]]
        name = "A"
        teams = ["A"]
        agents = ["left"]
        [[silos]]
        name = "B"
        teams = ["B"]
        agents = ["right"]
        "#,
        "silos.toml",
        Path::new("."),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn check(layout: Layout, analytic: f64) {
    let base = two_silos();
    let xs: Vec<f64> = (1..=10u64)
        .map(|seed| {
            let mut sc = base.clone();
            sc.seed = seed;
            sc.layout = layout;
            dcsim::simulate(&sc, &mut |_| {}).unwrap().summary.get("wait_s_mean").unwrap()
        })
        .collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = T_9_99_9 * sd / n.sqrt();
    eprintln!("{layout:?}: mean wait {mean:.4} ± {half:.4} s, Erlang C {analytic:.4} s");
    assert!((mean - analytic).abs() <= half, "{layout:?}: {mean} ± {half} vs {analytic}");
    assert!(half < 0.06 * analytic, "{layout:?}: interval ±{half} too wide");
}

#[test]
fn siloed_and_pooled_mean_waits_match_erlang_c() {
    let siloed = erlang_c_wait(5, 4.0, 1.0);
    let pooled = erlang_c_wait(10, 8.0, 1.0);
    assert!((siloed - 0.554).abs() < 1e-3 && (pooled - 0.205).abs() < 1e-3, "{siloed} {pooled}");
    check(Layout::Siloed, siloed);
    check(Layout::Pooled, pooled);
}

/// Each silo has its own masters: losing silo A's only master stops scheduling in A until it is
/// repaired, while silo B goes on. Masters are numbered silo by silo (A: master:0, B: master:1).
#[test]
fn each_silo_has_its_own_masters() {
    let mut text = String::from(
        r#"
        name = "silo-masters"
        horizon = "2h"
        layout = "siloed"
        [cluster]
        masters = 1
        [[cluster.agents]]
        name = "left"
        count = 2
        cpus = 4
        mem = "8GiB"
        [[cluster.agents]]
        name = "right"
        count = 2
        cpus = 4
        mem = "8GiB"
        [[workloads]]
        kind = "batch"
        name = "a"
        team = "A"
        start = "1h"
        arrival = { process = "interval", every = "3h" }
        duration = { dist = "constant", value = "1m" }
        cpus = 1
        mem = "1GiB"
        [[workloads]]
        kind = "batch"
        name = "b"
        team = "B"
        start = "1h"
        arrival = { process = "interval", every = "3h" }
        duration = { dist = "constant", value = "1m" }
        cpus = 1
        mem = "1GiB"
        [[silos]]
        name = "A"
        teams = ["A"]
        agents = ["left"]
        [[silos]]
        name = "B"
        teams = ["B"]
        agents = ["right"]
        [failures]
        masters = { leader_election = "10s" }
        scheduled = [
          { at = "59m", target = "master:0", event = "down" },
          { at = "1h10m", target = "master:0", event = "up" },
        ]
        "#,
    );
    let sc = Scenario::from_toml_str(&text, "m.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    assert_eq!(s.get("masters"), Some(2.0));
    // A's job (1 h) waits for its master's repair at 1h10m plus the 10 s election; B's does not.
    assert_eq!(s.get("workload.a.wait_s_mean"), Some(610.0));
    assert_eq!(s.get("workload.b.wait_s_mean"), Some(0.0));
    assert_eq!(s.get("master_unavailable_s"), Some(670.0), "silo A without a leader from 59m to 1h10m10s");
    // Pooled, the same file has one master: everyone waits.
    text = text.replace("layout = \"siloed\"", "layout = \"pooled\"");
    let sc = Scenario::from_toml_str(&text, "m.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    assert_eq!(s.get("masters"), Some(1.0));
    assert_eq!(s.get("workload.b.wait_s_mean"), Some(610.0));
}
