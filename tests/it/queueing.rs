//! Validation against queueing theory: the shipped `scenarios/mmc.toml` (c = 10 servers, Poisson
//! arrivals at lambda = 8/s, exponential service with mu = 1/s, FIFO) is an M/M/c queue.
//!
//! Method: K = 10 independent replications (seeds 1..=10, 23 h 50 min measured each). Replication
//! means are i.i.d.; for each metric the test builds the 99.9% Student-t confidence interval
//! `mean ± t(0.9995, K-1) * s / sqrt(K)` from the replications themselves, and requires the analytic
//! value to lie inside it. So the tolerance is derived from the run length (it shrinks as
//! 1/sqrt(total simulated time)); it is not picked to pass. A correct model fails one metric with
//! probability 0.1%; with fixed seeds the outcome is fixed. To show the test has power, it also
//! requires each interval's half-width to be under 5% of the analytic value.

use super::common::scenario_path;
use dcsim::Scenario;

/// t quantile for a two-sided 99.9% interval with 9 degrees of freedom.
const T_9_99_9: f64 = 4.781;
const K: u64 = 10;

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    // term is now a^c / c!
    let top = term * c as f64 / (c as f64 - a);
    top / (sum + top)
}

struct Interval {
    mean: f64,
    half: f64,
}

fn interval(xs: &[f64]) -> Interval {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Interval { mean, half: T_9_99_9 * (var / n).sqrt() }
}

fn check(name: &str, xs: &[f64], analytic: f64) {
    let iv = interval(xs);
    eprintln!("{name}: simulated {:.5} ± {:.5} (99.9% CI, {K} replications), analytic {analytic:.5}", iv.mean, iv.half);
    assert!((iv.mean - analytic).abs() <= iv.half, "{name}: analytic {analytic} outside {} ± {}", iv.mean, iv.half);
    assert!(iv.half < 0.05 * analytic, "{name}: interval ±{} too wide to be a meaningful check", iv.half);
}

#[test]
fn mmc_matches_erlang_c_utilisation_and_littles_law() {
    let base = Scenario::from_path(&scenario_path("mmc")).unwrap();
    let (c, lambda, mu) = (10u32, 8.0, 1.0);
    let a = lambda / mu;
    let p_wait = erlang_c(c, a);
    let wq = p_wait / (c as f64 * mu - lambda);
    assert!((p_wait - 0.409).abs() < 1e-3, "Erlang C reference value for c=10, a=8 is 0.4092, got {p_wait}");

    let (mut waits, mut pwaits, mut utils) = (vec![], vec![], vec![]);
    for seed in 1..=K {
        let mut sc = base.clone();
        sc.seed = seed;
        let r = dcsim::simulate(&sc, &mut |_| {}).unwrap();
        let s = &r.summary;
        let get = |k: &str| s.get(k).unwrap_or_else(|| panic!("{k} missing"));
        waits.push(get("wait_s_mean"));
        pwaits.push(get("wait_nonzero_frac"));
        utils.push(get("cpu_alloc_frac_mean"));

        // Little's law on the queue, per run: L_q = lambda_hat * W_q holds exactly for the tasks
        // inside the window; the only difference comes from tasks straddling its ends, bounded by
        // (tasks waiting at an end) x (longest wait) at each end, over the window length.
        let lq = get("pending_tasks_mean");
        let little = get("arrival_rate_per_s") * get("wait_s_mean");
        let bound = 2.0 * get("pending_tasks_max") * get("wait_s_max") / get("measured_s");
        assert!(
            (lq - little).abs() <= bound,
            "seed {seed}: Little's law L_q = {lq} vs lambda W_q = {little}, boundary bound {bound}"
        );
        assert!(bound < 0.02 * lq, "seed {seed}: Little bound {bound} too loose to mean anything");
    }
    check("mean wait Wq (s)", &waits, wq);
    check("P(wait > 0)", &pwaits, p_wait);
    check("utilisation lambda/(c mu)", &utils, lambda / (c as f64 * mu));
}

#[test]
fn erlang_c_reference_values() {
    // M/M/1: C = rho. M/M/2 with a = 1: C = 1/3 (textbook value).
    assert!((erlang_c(1, 0.5) - 0.5).abs() < 1e-12);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}
