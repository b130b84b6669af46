//! The scheduler's decision-time model (Omega, Schwarzkopf et al. 2013): a decision about a job of
//! n tasks keeps the scheduler busy for t_job + t_task * n.

use dcsim::Scenario;
use std::path::Path;

fn scenario(body: &str) -> Scenario {
    Scenario::from_toml_str(body, "decision.toml", Path::new(".")).unwrap()
}

/// One job of 5 tasks on an idle cluster, t_job = 1 s, t_task = 100 ms: every task starts after
/// exactly 1.5 s, and the scheduler is busy for exactly 1.5 s of the hour.
#[test]
fn a_decision_takes_its_modelled_time_exactly() {
    let sc = scenario(
        r#"
        name = "d"
        horizon = "1h"
        [cluster]
        [[cluster.agents]]
        name = "a"
        count = 2
        cpus = 8
        mem = "8GiB"
        [scheduler]
        t_job = "1s"
        t_task = "100ms"
        [[workloads]]
        kind = "batch"
        name = "b"
        arrival = { process = "interval", every = "2h" }
        tasks_per_job = { dist = "constant", value = 5 }
        duration = { dist = "constant", value = "10s" }
        cpus = 1
        mem = "1GiB"
        "#,
    );
    let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
    let s = &r.summary;
    assert_eq!(s.get("tasks_started"), Some(5.0));
    assert_eq!(s.get("wait_s_max"), Some(1.5));
    assert_eq!(s.get("wait_s_p50"), Some(1.5));
    assert_eq!(s.get("job_response_s_max"), Some(11.5));
    assert_eq!(s.get("scheduler_busy_frac"), Some(1.5 / 3600.0));
}

/// Without conflicts or blocking, the busy fraction is lambda * (t_job + E[n] * t_task) (Omega,
/// section 4), for the monolithic scheduler and for a shared-state framework scheduler alike.
/// Poisson jobs at 2/s with n uniform on {1..9} (E[n] = 5), t_job = 20 ms, t_task = 4 ms:
/// busy = 2 * (0.020 + 5 * 0.004) = 0.08. Over 2 h the number of decisions N ~ 14,400 is Poisson,
/// so the busy time has relative standard deviation about sqrt(E[cost^2]) / (E[cost] sqrt(N)),
/// under 1.2%; the test allows 5 standard deviations (6%).
#[test]
fn busy_fraction_matches_lambda_times_decision_time() {
    for (architecture, metric) in [("monolithic", "scheduler_busy_frac"), ("shared-state", "framework.b.busy_frac")] {
        let sc = scenario(&format!(
            r#"
            name = "busy"
            seed = 3
            horizon = "2h"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 50
            cpus = 64
            mem = "256GiB"
            [scheduler]
            architecture = "{architecture}"
            t_job = "20ms"
            t_task = "4ms"
            [[workloads]]
            kind = "batch"
            name = "b"
            arrival = {{ process = "poisson", rate = "2/s" }}
            tasks_per_job = {{ dist = "uniform", low = 0.5, high = 9.5 }}
            duration = {{ dist = "exponential", mean = "5s" }}
            cpus = 1
            mem = "1GiB"
            "#
        ));
        let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
        let busy = r.summary.get(metric).unwrap();
        let expected = 2.0 * (0.020 + 5.0 * 0.004);
        // E[cost^2] with cost = 0.02 + 0.004 n, n uniform 1..9: computed exactly below.
        let e2: f64 = (1..=9).map(|n| (0.02 + 0.004 * n as f64).powi(2)).sum::<f64>() / 9.0;
        let rel_sd = e2.sqrt() / (0.04 * (2.0 * 7200.0f64).sqrt());
        assert!(rel_sd < 0.012);
        assert!(
            (busy - expected).abs() <= 5.0 * rel_sd * expected,
            "{architecture}: busy {busy}, expected {expected} ± {}",
            5.0 * rel_sd * expected
        );
        if architecture == "shared-state" {
            assert_eq!(r.summary.get("conflict_frac"), Some(0.0), "a single framework never conflicts with itself");
        }
    }
}
