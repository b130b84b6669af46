//! Side-by-side comparison of two runs (two layouts of one scenario, or two scenarios): each metric,
//! both values, the difference, and which is better.
//!
//! "Better" follows the metric's meaning, decided from its name: lower is better for waits,
//! latencies, recovery and rebuild times, shortfalls, losses, unavailability, pending work,
//! abandoned jobs, conflicts, declined or rescinded offers, locked resources, agents and cost;
//! higher is better for availability, SLO attainment, completed work and allocation (a planner pays
//! for idle capacity). Counts that only describe the run (events, sim_s) have no direction.

use crate::metrics::Summary;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// The direction of a metric, or `None` when neither value is better.
pub fn direction(metric: &str) -> Option<Better> {
    let m = metric.rsplit('.').next().unwrap_or(metric);
    const LOWER: [&str; 17] = [
        "wait",
        "latency",
        "recovery",
        "rebuild",
        "shortfall",
        "loss",
        "lost",
        "unavailable",
        "under_replicated",
        "pending",
        "abandoned",
        "conflict",
        "declined",
        "rescinded",
        "locked",
        "cost",
        "response",
    ];
    const HIGHER: [&str; 5] = ["availability", "slo_ok", "completed", "alloc_frac", "ready_replicas"];
    if m == "agents" || m == "agent_failures" || m == "masters" {
        return Some(Better::Lower);
    }
    if m.ends_with("_samples") || m.ends_with("_submitted") || m.starts_with("jobs_submitted") {
        return None; // describes the run, not its quality
    }
    if HIGHER.iter().any(|k| m.contains(k)) {
        return Some(Better::Higher);
    }
    if LOWER.iter().any(|k| m.contains(k)) {
        return Some(Better::Lower);
    }
    None
}

/// One row of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub metric: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// b - a, when both are defined.
    pub diff: Option<f64>,
    /// "a", "b", "=" or "" (no direction, or a value missing).
    pub better: &'static str,
}

/// Compares two summaries, in the order of `a`'s metrics, then `b`'s metrics missing from `a`.
pub fn compare(a: &Summary, b: &Summary) -> Vec<Row> {
    let mut names: Vec<&str> = a.entries.iter().map(|(n, _)| n.as_str()).collect();
    for (n, _) in &b.entries {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    names
        .into_iter()
        .map(|n| {
            let (va, vb) = (a.get(n), b.get(n));
            let diff = va.zip(vb).map(|(x, y)| y - x);
            let better = match (direction(n), va, vb) {
                // Equal up to rounding noise counts as equal.
                (Some(d), Some(x), Some(y)) if (x - y).abs() > 1e-9 * x.abs().max(y.abs()) => match (d, y < x) {
                    (Better::Lower, true) | (Better::Higher, false) => "b",
                    _ => "a",
                },
                (Some(_), Some(_), Some(_)) => "=",
                _ => "",
            };
            Row { metric: n.to_string(), a: va, b: vb, diff, better }
        })
        .collect()
}

fn cell(v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x}"),
    }
}

/// `compare.csv`: `metric,<a>,<b>,diff,better`.
pub fn compare_csv(a_name: &str, b_name: &str, rows: &[Row]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["metric", a_name, b_name, "diff", "better"]).expect("memory");
    for r in rows {
        let better = match r.better {
            "a" => a_name,
            "b" => b_name,
            other => other,
        };
        w.write_record([r.metric.as_str(), &cell(r.a), &cell(r.b), &cell(r.diff), better]).expect("memory");
    }
    w.into_inner().expect("memory")
}

/// `compare.md`: the same as a Markdown table, numbers rounded to 4 significant digits.
pub fn compare_md(a_name: &str, b_name: &str, rows: &[Row]) -> Vec<u8> {
    let short = |v: Option<f64>| match v {
        None => "–".to_string(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{:.4}", x).trim_end_matches('0').trim_end_matches('.').to_string(),
    };
    let mut out = format!("| metric | {a_name} | {b_name} | diff | better |\n|---|---:|---:|---:|---|\n");
    for r in rows {
        let better = match r.better {
            "a" => a_name,
            "b" => b_name,
            other => other,
        };
        out.push_str(&format!("| `{}` | {} | {} | {} | {better} |\n", r.metric, short(r.a), short(r.b), short(r.diff)));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_and_verdicts() {
        assert_eq!(direction("wait_s_p99"), Some(Better::Lower));
        assert_eq!(direction("workload.web.slo_ok_frac"), Some(Better::Higher));
        assert_eq!(direction("cpu_alloc_frac_mean"), Some(Better::Higher));
        assert_eq!(direction("cost_per_month"), Some(Better::Lower));
        assert_eq!(direction("events"), None);
        assert_eq!(direction("wait_samples"), None);
        let mut a = Summary::default();
        a.push("wait_s_mean", Some(2.0));
        a.push("agent_availability_frac", Some(0.9));
        a.count("events", 10);
        let mut b = Summary::default();
        b.push("wait_s_mean", Some(1.0));
        b.push("agent_availability_frac", Some(0.9));
        b.count("events", 20);
        let rows = compare(&a, &b);
        assert_eq!(rows.iter().map(|r| r.better).collect::<Vec<_>>(), ["b", "=", ""]);
        assert_eq!(rows[0].diff, Some(-1.0));
        let csv = String::from_utf8(compare_csv("siloed", "pooled", &rows)).unwrap();
        assert_eq!(csv.lines().next(), Some("metric,siloed,pooled,diff,better"));
        assert!(csv.contains("wait_s_mean,2,1,-1,pooled"));
    }
}
