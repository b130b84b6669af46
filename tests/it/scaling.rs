//! Load-driven services and autoscaling (issue #4): exact isolated cases.

use super::common::scratch;
use dcsim::Scenario;
use std::path::Path;

fn scenario(text: &str, dir: &Path) -> Scenario {
    Scenario::from_toml_str(text, "scaling.toml", dir).unwrap_or_else(|e| panic!("{e}"))
}

/// A huge cluster (never a shortage), one service following `load.csv`, HPA with target 1.0, no
/// stabilisation, unlimited steps; `extra` adds service fields (image, pull, startup).
fn service_on_steps(dir: &Path, steps: &[(u64, f64)], extra: &str) -> Scenario {
    let mut csv = String::from("time,rps\n");
    for (t, r) in steps {
        csv.push_str(&format!("{t},{r}\n"));
    }
    std::fs::write(dir.join("load.csv"), csv).unwrap();
    scenario(
        &format!(
            r#"
            name = "hpa"
            horizon = "2h"
            sample_interval = "1m"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 200
            cpus = 64
            mem = "256GiB"
            [[workloads]]
            kind = "service"
            name = "web"
            replicas = 1
            cpus = 1
            mem = "1GiB"
            rps_per_replica = 100
            load = {{ source = "csv", file = "load.csv" }}
            autoscaler = {{ period = "15s", target_utilization = 1.0, scale_up_window = "0s", scale_down_window = "0s", min = 1, max = 10000, max_step = 10000 }}
            {extra}
            "#
        ),
        dir,
    )
}

fn column(ts: &str, name: &str) -> Vec<f64> {
    let mut lines = ts.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    lines.map(|l| l.split(',').nth(k).unwrap().parse().unwrap()).collect()
}

/// With infinite capacity and zero delays, ready replicas follow ceil(rps / rps_per_replica)
/// within the autoscaler's period: load changes at 5 s past each minute, the autoscaler acts at 15 s
/// past, so at every whole-minute sample the service runs exactly ceil(rps / 100) replicas.
#[test]
fn replicas_follow_ceil_rps_over_capacity() {
    let dir = scratch("hpa-follow");
    let steps: Vec<(u64, f64)> =
        (0..110).map(|k| (60 * k + 5, [250.0, 1000.0, 1001.0, 37.0, 9999.0, 0.0, 420.0][k as usize % 7])).collect();
    let sc = service_on_steps(&dir, &steps, "");
    let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    let ts = String::from_utf8(dcsim::output::timeseries_csv(&r.timeseries)).unwrap();
    let (rps, ready) = (column(&ts, "web_rps"), column(&ts, "web_ready_replicas"));
    assert!(rps.len() >= 100);
    for (k, (&q, &n)) in rps.iter().zip(&ready).enumerate() {
        let expected = ((q / 100.0).ceil()).max(1.0); // min = 1
        assert_eq!(n, expected, "sample {k}: rps {q}, ready {n}, expected {expected}");
    }
    // Every scale-up episode lasted exactly the 10 s until the next evaluation.
    assert_eq!(r.summary.get("scale_latency_s_max"), Some(10.0));
    assert_eq!(r.summary.get("scale_latency_s_p50"), Some(10.0));
}

/// An isolated scale-up's latency is reaction + pull + boot exactly: the load steps up at 1h00m05s,
/// the autoscaler reacts at 1h00m15s (10 s), the image pull takes 20 s, the boot 7 s: 37 s.
#[test]
fn isolated_scale_up_latency_is_reaction_plus_pull_plus_boot() {
    let dir = scratch("hpa-latency");
    let sc = service_on_steps(
        &dir,
        &[(0, 100.0), (3605, 300.0)],
        r#"image = "web:1"
            pull = { dist = "constant", value = "20s" }
            startup = { dist = "constant", value = "7s" }
            constraints = { max_per_agent = 1 }"#,
    );
    let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    let csv = String::from_utf8(r.scaling_csv.clone()).unwrap();
    let last = csv.lines().last().unwrap();
    assert_eq!(last, "web,3605,3642,37,10,0,20,7,3", "{csv}");
    assert_eq!(r.summary.get("scale_latency_s_max"), Some(37.0));
}

/// A warm agent (image already pulled) starts a replica faster than a cold one: the second
/// scale-up lands on agents that pulled the image during the first, so it skips the 20 s pull.
#[test]
fn a_warm_agent_starts_faster_than_a_cold_one() {
    let dir = scratch("hpa-warm");
    let sc = service_on_steps(
        &dir,
        &[(0, 100.0), (3605, 300.0), (4205, 100.0), (4805, 300.0)],
        r#"image = "web:1"
            pull = { dist = "constant", value = "20s" }
            startup = { dist = "constant", value = "7s" }
            constraints = { max_per_agent = 1 }"#,
    );
    let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    let csv = String::from_utf8(r.scaling_csv.clone()).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    let cold = rows.iter().find(|l| l.starts_with("web,3605,")).expect("cold episode");
    let warm = rows.iter().find(|l| l.starts_with("web,4805,")).expect("warm episode");
    assert_eq!(*cold, "web,3605,3642,37,10,0,20,7,3");
    assert_eq!(*warm, "web,4805,4822,17,10,0,0,7,3", "the second scale-up reuses the pulled images");
}

/// Shortfall and SLO: the one episode above leaves 2 replicas missing for 37 s.
#[test]
fn shortfall_integral_and_slo_fraction() {
    let dir = scratch("hpa-shortfall");
    let sc = service_on_steps(
        &dir,
        &[(0, 100.0), (3605, 300.0)],
        r#"pull = { dist = "constant", value = "20s" }
            startup = { dist = "constant", value = "7s" }"#,
    );
    let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    // Before t = 27 s the first replica is not up either (1 replica x 27 s).
    assert_eq!(r.summary.get("capacity_shortfall_replica_s"), Some(2.0 * 37.0 + 27.0));
    assert_eq!(r.summary.get("slo_ok_frac"), Some(1.0 - (37.0 + 27.0) / 7200.0));
}

/// Regression: scaling a service down while the scheduler is deciding on its scale-up job shrinks
/// that job, so the service ends with the requested count (it used to keep the extra replicas).
#[test]
fn scale_down_during_a_decision_shrinks_the_pending_job() {
    let dir = scratch("scale-during-decision");
    std::fs::write(dir.join("t.csv"), "time,workload,action,value\n60,web,scale,5\n70,web,scale,2\n").unwrap();
    let sc = scenario(
        r#"
        name = "decide"
        horizon = "10m"
        [cluster]
        [[cluster.agents]]
        name = "a"
        count = 4
        cpus = 8
        mem = "32GiB"
        [scheduler]
        t_job = "30s"
        [[workloads]]
        kind = "service"
        name = "web"
        replicas = 1
        cpus = 1
        mem = "1GiB"
        [[workload_traces]]
        format = "native"
        file = "t.csv"
        "#,
        &dir,
    );
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    assert_eq!(s.get("ready_replicas_end"), Some(2.0));
    assert_eq!(s.get("workload.web.tasks_started"), Some(2.0), "1 at start, 1 of the 4 once shrunk");
}
