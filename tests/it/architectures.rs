//! Scheduler architectures (issue #5): DRF's worked example, the Omega busyness formula, the
//! two-level pathology, and decline filters.

use super::common::{scenario_text as scenario, summary_of as run};
use dcsim::Scenario;

/// Ghodsi et al., NSDI 2011, section 4: 9 CPUs and 18 GB; A's tasks need <1 CPU, 4 GB>, B's
/// <3 CPUs, 1 GB>. DRF gives A 3 tasks and B 2, both with a dominant share of 2/3. Here one agent
/// of 9 CPUs / 18 GiB is offered under DRF; each framework launches one task per offer and
/// declines nothing it can use, so the allocator's DRF order decides every task.
#[test]
fn drf_worked_example() {
    let sc = scenario(
        r#"
        name = "drf"
        horizon = "5m"
        [cluster]
        [[cluster.agents]]
        name = "a"
        count = 1
        cpus = 9
        mem = "18GiB"
        [scheduler]
        architecture = "two-level"
        refuse_seconds = "0s"
        frameworks = [{ name = "A", max_tasks_per_offer = 1 }, { name = "B", max_tasks_per_offer = 1 }]
        [[workloads]]
        kind = "batch"
        name = "A"
        arrival = { process = "interval", every = "1h" }
        tasks_per_job = { dist = "constant", value = 10 }
        duration = { dist = "constant", value = "1h" }
        cpus = 1
        mem = "4GiB"
        [[workloads]]
        kind = "batch"
        name = "B"
        arrival = { process = "interval", every = "1h" }
        tasks_per_job = { dist = "constant", value = 10 }
        duration = { dist = "constant", value = "1h" }
        cpus = 3
        mem = "1GiB"
        "#,
    );
    let s = run(&sc);
    assert_eq!(s.get("workload.A.tasks_started"), Some(3.0));
    assert_eq!(s.get("workload.B.tasks_started"), Some(2.0));
    // Dominant shares: A 3 x 4 GiB / 18 GiB = 2/3 (memory); B 2 x 3 CPUs / 9 = 2/3 (CPU).
    assert_eq!(s.get("mem_alloc_frac_mean").map(|m| (m * 18.0).round()), Some(14.0), "12 GiB (A) + 2 GiB (B)");
}

/// The mixed workload of the pathology test: a "service" framework whose decisions take `t_job`
/// per job, and a fast batch framework; both place randomly (as Omega's simulator does, so that
/// shared-state conflicts are not inflated by two first-fit schedulers racing for the same agents).
fn mixed(architecture: &str, t_job: &str) -> Scenario {
    scenario(&format!(
        r#"
        name = "pathology"
        seed = 4
        horizon = "2h"
        warmup = "10m"
        [cluster]
        [[cluster.agents]]
        name = "a"
        count = 100
        cpus = 8
        mem = "32GiB"
        [scheduler]
        architecture = "{architecture}"
        frameworks_by = "team"
        frameworks = [{{ name = "svc", t_job = "{t_job}", t_task = "100ms", placement = "random" }}, {{ name = "batch", t_job = "10ms", t_task = "1ms", placement = "random" }}]
        [[workloads]]
        kind = "batch"
        name = "services"
        team = "svc"
        arrival = {{ process = "poisson", rate = "1/2m" }}
        tasks_per_job = {{ dist = "uniform", low = 1, high = 9 }}
        duration = {{ dist = "exponential", mean = "30m" }}
        cpus = 1
        mem = "2GiB"
        [[workloads]]
        kind = "batch"
        name = "jobs"
        team = "batch"
        arrival = {{ process = "poisson", rate = "2/s" }}
        tasks_per_job = {{ dist = "uniform", low = 1, high = 9 }}
        duration = {{ dist = "exponential", mean = "30s" }}
        cpus = 1
        mem = "2GiB"
        "#
    ))
}

/// Omega's two-level pathology, in direction: under two-level, the slow service framework holds
/// offers (its DRF share stays low, so the allocator keeps offering to it) while it decides, so
/// batch jobs wait far longer than under shared-state, and more so as the service decision time
/// grows; shared-state batch waits do not depend on it.
#[test]
fn two_level_pathology_batch_waits_longer_than_under_shared_state() {
    let mut two_level_waits = Vec::new();
    for t_job in ["10s", "100s"] {
        let two = run(&mixed("two-level", t_job));
        let shared = run(&mixed("shared-state", t_job));
        let (w2, ws) =
            (two.get("workload.jobs.wait_s_mean").unwrap(), shared.get("workload.jobs.wait_s_mean").unwrap());
        let locked = two.get("locked_cpu_frac").unwrap();
        eprintln!(
            "service t_job {t_job}: batch wait two-level {w2:.3} s, shared-state {ws:.3} s; locked cpu {locked:.3}"
        );
        assert!(w2 > 10.0 * ws.max(0.001), "two-level batch wait {w2} should far exceed shared-state {ws}");
        assert!(locked > 0.02, "offers held during slow decisions lock resources");
        two_level_waits.push(w2);
    }
    assert!(
        two_level_waits[1] > 2.0 * two_level_waits[0],
        "longer service decisions hurt batch more: {two_level_waits:?}"
    );
}

/// A job that cannot be placed is abandoned after max_attempts: agent 0 has 2 of 4 CPUs taken by a
/// hog; "big" needs 3 CPUs, is offered the rest every second (refuse 1 s) and declines; after 3
/// attempts its job is dropped.
#[test]
fn jobs_are_abandoned_after_max_attempts() {
    let text = |arch: &str| {
        format!(
            r#"
            name = "abandon"
            horizon = "1m"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 1
            cpus = 4
            mem = "16GiB"
            [scheduler]
            architecture = "{arch}"
            refuse_seconds = "1s"
            max_attempts = 3
            [[workloads]]
            kind = "batch"
            name = "hog"
            arrival = {{ process = "interval", every = "1h" }}
            duration = {{ dist = "constant", value = "1h" }}
            cpus = 2
            mem = "1GiB"
            [[workloads]]
            kind = "batch"
            name = "big"
            start = "1us"
            arrival = {{ process = "interval", every = "1h" }}
            duration = {{ dist = "constant", value = "1m" }}
            cpus = 3
            mem = "1GiB"
            "#
        )
    };
    let s = run(&scenario(&text("two-level")));
    assert_eq!(s.get("jobs_abandoned"), Some(1.0));
    assert_eq!(s.get("framework.big.offers_declined"), Some(3.0));
    assert_eq!(s.get("tasks_pending_end"), Some(0.0));
    // Shared-state never even starts a decision for work that fits nowhere: it waits (blocked),
    // and is not abandoned.
    let s = run(&scenario(&text("shared-state")));
    assert_eq!(s.get("jobs_abandoned"), Some(0.0));
    assert_eq!(s.get("tasks_pending_end"), Some(1.0));
}

/// A declined agent is not offered to the same framework again before refuse_seconds: agent 0 is
/// full (a hog task), agent 1 is too small for framework "big", which declines it every time it is
/// offered. The first offer comes with the allocation round at 1 s (the round at 0 s served the
/// hog, before "big" had work); then one every r seconds: declines at 1, 1 + r, ... < 100 s.
/// Without the filter it would be offered at every 1 s round (about 100 declines).
#[test]
fn declined_offers_return_no_sooner_than_refuse_seconds() {
    let text = |refuse: &str| {
        format!(
            r#"
            name = "refuse"
            horizon = "100s"
            [cluster]
            [[cluster.agents]]
            name = "large"
            count = 1
            cpus = 4
            mem = "16GiB"
            [[cluster.agents]]
            name = "small"
            count = 1
            cpus = 1
            mem = "16GiB"
            [scheduler]
            architecture = "two-level"
            refuse_seconds = "{refuse}"
            [[workloads]]
            kind = "batch"
            name = "hog"
            arrival = {{ process = "interval", every = "1h" }}
            duration = {{ dist = "constant", value = "1h" }}
            cpus = 4
            mem = "1GiB"
            [[workloads]]
            kind = "batch"
            name = "big"
            start = "1us"
            arrival = {{ process = "interval", every = "1h" }}
            duration = {{ dist = "constant", value = "1m" }}
            cpus = 2
            mem = "1GiB"
            "#
        )
    };
    for (refuse, declines) in [("5s", 20.0), ("20s", 5.0)] {
        let s = run(&scenario(&text(refuse)));
        assert_eq!(s.get("framework.big.offers_declined"), Some(declines), "refuse_seconds = {refuse}");
        assert_eq!(s.get("workload.big.tasks_started"), Some(0.0));
    }
}

/// The same mixed workload runs under all three architectures, deterministically.
#[test]
fn every_architecture_runs_the_shipped_comparison() {
    for arch in ["monolithic", "two-level", "shared-state"] {
        let path = super::common::root().join(format!("scenarios/architectures-{arch}.toml"));
        let sc = Scenario::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        let a = run(&sc);
        assert_eq!(a, run(&sc), "{arch} is deterministic");
        assert!(a.get("tasks_started").unwrap() > 1000.0, "{arch}");
    }
}

/// Static reservations: agents of a group reserved for a framework are offered to it only.
/// Two agents; "a" is reserved for framework "web" (the services); batch work may use only "b".
#[test]
fn reserved_agents_are_offered_only_to_their_framework() {
    let sc = scenario(
        r#"
        name = "reserve"
        horizon = "10m"
        [cluster]
        [[cluster.agents]]
        name = "a"
        count = 1
        cpus = 4
        mem = "16GiB"
        reserve = "marathon"
        [[cluster.agents]]
        name = "b"
        count = 1
        cpus = 4
        mem = "16GiB"
        [scheduler]
        architecture = "two-level"
        [[workloads]]
        kind = "batch"
        name = "jobs"
        arrival = { process = "interval", every = "1h" }
        tasks_per_job = { dist = "constant", value = 8 }
        duration = { dist = "constant", value = "1h" }
        cpus = 1
        mem = "1GiB"
        [[workloads]]
        kind = "service"
        name = "web"
        replicas = 2
        cpus = 1
        mem = "1GiB"
        "#,
    );
    let s = run(&sc);
    // Batch fills agent b (4 of its 8 tasks) and never touches a; the services run on a.
    assert_eq!(s.get("workload.jobs.tasks_started"), Some(4.0));
    assert_eq!(s.get("workload.web.tasks_started"), Some(2.0));
    assert_eq!(s.get("tasks_pending_end"), Some(4.0));
}

/// Offers not answered within offer_timeout are rescinded: a framework deciding for 30 s with a
/// 10 s timeout loses every offer it holds, so it launches nothing.
#[test]
fn slow_frameworks_lose_their_offers_to_the_timeout() {
    let text = |timeout: &str| {
        format!(
            r#"
            name = "timeout"
            horizon = "5m"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 2
            cpus = 4
            mem = "16GiB"
            [scheduler]
            architecture = "two-level"
            offer_timeout = "{timeout}"
            frameworks = [{{ name = "slow", t_job = "30s" }}]
            [[workloads]]
            kind = "batch"
            name = "slow"
            arrival = {{ process = "interval", every = "1h" }}
            duration = {{ dist = "constant", value = "1h" }}
            cpus = 1
            mem = "1GiB"
            "#
        )
    };
    let s = run(&scenario(&text("10s")));
    assert_eq!(s.get("workload.slow.tasks_started"), Some(0.0));
    assert!(s.get("offers_rescinded").unwrap() >= 2.0);
    let s = run(&scenario(&text("0s")));
    assert_eq!(s.get("workload.slow.tasks_started"), Some(1.0), "no timeout: launched after 30 s");
    assert_eq!(s.get("wait_s_max"), Some(30.0));
}

/// Allocation is driven by events: an idle two-level cluster (services placed, nothing pending)
/// runs no allocation rounds, so ten idle hours cost a handful of events, not 36,000 rounds.
#[test]
fn an_idle_two_level_cluster_costs_nothing_per_interval() {
    let sc = scenario(
        r#"
        name = "idle"
        horizon = "10h"
        sample_interval = "10h"
        [cluster]
        [[cluster.agents]]
        name = "a"
        count = 1000
        cpus = 16
        mem = "64GiB"
        [scheduler]
        architecture = "two-level"
        [[workloads]]
        kind = "service"
        name = "web"
        replicas = 10
        cpus = 1
        mem = "1GiB"
        "#,
    );
    let s = run(&sc);
    assert_eq!(s.get("ready_replicas_end"), Some(10.0));
    assert!(s.get("events").unwrap() < 50.0, "events: {:?}", s.get("events"));
    assert!(s.get("offers_made").unwrap() <= 1000.0, "one round of offers, then suppressed");
}
