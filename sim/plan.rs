//! Capacity planning: the smallest cluster for which every SLO holds, found by bisection.
//!
//! Method (after Borg's cell compaction, Verma et al., EuroSys 2015): a candidate size is run with
//! `seeds` seeds; an SLO `metric <= x` (or `<`, `==`) holds when the 90th percentile of the metric
//! across seeds meets it, `metric >= x` (or `>`) when the 10th percentile does (nearest rank), so
//! a size passes only if nine seeds in ten would. The size is the count of one agent group, or of
//! all groups in proportion (`ceil(base count × n / base total)`, which never shrinks as n grows).
//! A size whose scenario does not validate (a service that cannot fit) fails. A metric undefined in
//! a run (nothing measured, e.g. no waits after warmup in a silo of long-running replicas) does not
//! count against its SLO; an SLO on a metric no run defines holds vacuously. The search starts
//! from the scenario's own size, doubles it up to 4 times while it fails, then bisects down to 1
//! agent, assuming the SLOs get no worse with more agents. So a plan makes at most
//! `ceil(log2(upper)) + 6` probes, each of `seeds` runs. A siloed layout sizes each silo on its own:
//! a sub-scenario of the silo's agent groups and teams.

use crate::scenario::{Scenario, ScenarioError};
use crate::sweep::set_path;
use rayon::prelude::*;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Le,
    Lt,
    Eq,
    Ge,
    Gt,
}

/// One service-level objective on a summary metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    pub metric: String,
    pub op: Op,
    pub value: f64,
    pub text: String,
}

/// Parses `metric<=value` (also `<`, `==`, `>=`, `>`).
pub fn parse_slo(text: &str) -> Result<Slo, String> {
    let expected = || format!("an SLO such as \"wait_s_p99<=30\" or \"data_loss_shards==0\"; found \"{text}\"");
    for (sym, op) in [("<=", Op::Le), (">=", Op::Ge), ("==", Op::Eq), ("<", Op::Lt), (">", Op::Gt)] {
        if let Some((m, v)) = text.split_once(sym) {
            let (m, v) = (m.trim(), v.trim());
            if m.is_empty() || !m.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
                return Err(expected());
            }
            let value: f64 = v.parse().ok().filter(|x: &f64| x.is_finite()).ok_or_else(expected)?;
            return Ok(Slo { metric: m.to_string(), op, value, text: text.to_string() });
        }
    }
    Err(expected())
}

impl Slo {
    /// The value the SLO is judged on, from the metric's values across seeds.
    pub fn judged(&self, values: &[f64]) -> f64 {
        let mut xs = values.to_vec();
        xs.sort_by(f64::total_cmp);
        let q = match self.op {
            Op::Ge | Op::Gt => 0.10,
            _ => 0.90,
        };
        let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
        xs[rank - 1]
    }

    pub fn holds(&self, judged: f64) -> bool {
        match self.op {
            Op::Le => judged <= self.value,
            Op::Lt => judged < self.value,
            Op::Eq => (judged - self.value).abs() <= 1e-12 * self.value.abs().max(1.0),
            Op::Ge => judged >= self.value,
            Op::Gt => judged > self.value,
        }
    }
}

/// What is scaled.
#[derive(Clone, Debug, PartialEq)]
pub enum Sizing {
    /// The agent group of this name.
    Group(String),
    /// Every agent group, in proportion.
    Proportional,
}

/// One probed size.
#[derive(Clone, Debug)]
pub struct Probe {
    /// The silo sized (siloed plans), or "pool".
    pub part: String,
    /// Total agents of the part at this size.
    pub agents: u64,
    pub holds: bool,
    /// Per SLO: the judged value (`None`: the size did not validate).
    pub judged: Vec<Option<f64>>,
    pub cost_per_month: Option<f64>,
    /// Why the size failed to validate, if it did.
    pub invalid: Option<String>,
}

/// The outcome of planning one part (the pool, or one silo).
#[derive(Clone, Debug)]
pub struct PartPlan {
    pub part: String,
    pub agents: u64,
    pub cost_per_month: Option<f64>,
    pub probes: Vec<Probe>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    NoSize(String),
    #[error(transparent)]
    Run(#[from] crate::RunError),
}

/// A scenario document (raw TOML) to plan on, with its file name and directory.
pub struct Doc<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub base_dir: &'a Path,
}

/// The raw document of one part: the whole (pooled) or one silo's groups and teams.
fn part_doc(doc: &toml::Value, silo: Option<&crate::scenario::SiloSpec>, sc: &Scenario) -> toml::Value {
    let mut d = doc.clone();
    let t = d.as_table_mut().expect("document table");
    t.remove("sweep");
    t.insert("layout".into(), toml::Value::String("pooled".into()));
    if let Some(silo) = silo {
        t.remove("silos");
        let groups: Vec<&str> = silo.groups.iter().map(|&g| sc.cluster.groups[g].name.as_str()).collect();
        if let Some(toml::Value::Array(agents)) = t.get_mut("cluster").and_then(|c| c.get_mut("agents")) {
            agents.retain(|g| g.get("name").and_then(|n| n.as_str()).is_some_and(|n| groups.contains(&n)));
        }
        if let Some(toml::Value::Array(ws)) = t.get_mut("workloads") {
            ws.retain(|w| {
                let team = w.get("team").or_else(|| w.get("name")).and_then(|n| n.as_str()).unwrap_or("");
                silo.teams.iter().any(|s| s == team)
            });
        }
    }
    d
}

/// Plans one part: bisection over its size. `base_counts` are the part's group counts as written.
fn plan_part(
    part: &str,
    doc: &toml::Value,
    src: &Doc,
    slos: &[Slo],
    seeds: u32,
    sizing: &Sizing,
    progress: &(dyn Fn(&Probe) + Sync),
) -> Result<PartPlan, PlanError> {
    let groups: Vec<(String, u64)> = doc["cluster"]["agents"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|g| (g["name"].as_str().unwrap_or("").to_string(), g["count"].as_integer().unwrap_or(1) as u64))
                .collect()
        })
        .unwrap_or_default();
    let scaled: Vec<usize> = match sizing {
        Sizing::Proportional => (0..groups.len()).collect(),
        Sizing::Group(name) => match groups.iter().position(|(n, _)| n == name) {
            Some(k) => vec![k],
            None => return Err(PlanError::Usage(format!("--group {name}: no agent group of that name in {part}"))),
        },
    };
    let base_total: u64 = scaled.iter().map(|&k| groups[k].1).sum();
    let counts_at = |n: u64| -> Vec<u64> {
        groups
            .iter()
            .enumerate()
            .map(|(k, (_, c))| if scaled.contains(&k) { (c * n).div_ceil(base_total).max(1) } else { *c })
            .collect()
    };
    let mut probes: Vec<Probe> = Vec::new();
    let mut probe = |n: u64| -> Result<bool, PlanError> {
        let counts = counts_at(n);
        let mut d = doc.clone();
        for (k, c) in counts.iter().enumerate() {
            set_path(&mut d, &format!("cluster.agents[{k}].count"), toml::Value::Integer(*c as i64))
                .map_err(PlanError::Usage)?;
        }
        let text = toml::to_string(&d).expect("serializes");
        let agents: u64 = counts.iter().sum();
        let sc =
            match Scenario::from_toml_str(&text, &format!("{} ({part} at {agents} agents)", src.file), src.base_dir) {
                Ok(sc) => sc,
                Err(e) => {
                    let p = Probe {
                        part: part.to_string(),
                        agents,
                        holds: false,
                        judged: vec![None; slos.len()],
                        cost_per_month: None,
                        invalid: Some(e.to_string()),
                    };
                    progress(&p);
                    probes.push(p);
                    return Ok(false);
                }
            };
        let runs: Vec<Result<crate::Summary, crate::RunError>> = (0..seeds as u64)
            .into_par_iter()
            .map(|k| {
                let mut s = sc.clone();
                s.seed = sc.seed.wrapping_add(k) & (i64::MAX as u64);
                crate::simulate(&s, &mut |_| {}).map(|r| r.summary)
            })
            .collect();
        let mut summaries = Vec::new();
        for r in runs {
            summaries.push(r?);
        }
        let mut judged = Vec::new();
        let mut holds = true;
        for slo in slos {
            if summaries.iter().all(|s| !s.entries.iter().any(|(n, _)| n == &slo.metric)) {
                let known: Vec<&str> = summaries[0].entries.iter().map(|(n, _)| n.as_str()).collect();
                return Err(PlanError::Usage(format!(
                    "--slo \"{}\": no metric \"{}\"; the summary has {}",
                    slo.text,
                    slo.metric,
                    known.join(", ")
                )));
            }
            // Runs where the metric is undefined (nothing measured: no waits after warmup, no
            // load-driven service in this part) do not count against the SLO.
            let values: Vec<f64> = summaries.iter().filter_map(|s| s.get(&slo.metric)).collect();
            if values.is_empty() {
                judged.push(None);
                continue;
            }
            let j = slo.judged(&values);
            holds &= slo.holds(j);
            judged.push(Some(j));
        }
        let p =
            Probe { part: part.to_string(), agents, holds, judged, cost_per_month: sc.cost_per_month(), invalid: None };
        progress(&p);
        probes.push(p);
        Ok(holds)
    };
    // Find an upper size that holds: the written size, doubled up to 4 times.
    let mut hi = base_total.max(1);
    let mut found = probe(hi)?;
    for _ in 0..4 {
        if found {
            break;
        }
        hi *= 2;
        found = probe(hi)?;
    }
    if !found {
        return Err(PlanError::NoSize(format!(
            "{part}: no size up to {hi} agents (16 times the written size) meets the SLOs at p90 across {seeds} seeds"
        )));
    }
    // Bisection: lo fails (or is 0), hi holds.
    let mut lo = 0u64;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if probe(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let best = probes.iter().find(|p| p.holds && p.agents == counts_at(hi).iter().sum::<u64>()).cloned();
    let best = best.expect("the upper bound was probed and holds");
    Ok(PartPlan { part: part.to_string(), agents: best.agents, cost_per_month: best.cost_per_month, probes })
}

/// Plans the pool and, if the scenario has silos, each silo. Returns (pool, silos).
pub fn plan(
    src: &Doc,
    slos: &[Slo],
    seeds: u32,
    sizing: &Sizing,
    progress: &(dyn Fn(&Probe) + Sync),
) -> Result<(PartPlan, Vec<PartPlan>), PlanError> {
    if slos.is_empty() {
        return Err(PlanError::Usage("give at least one --slo".into()));
    }
    if seeds == 0 {
        return Err(PlanError::Usage("--seeds must be at least 1".into()));
    }
    let sc = Scenario::from_toml_str(src.text, src.file, src.base_dir)?;
    let doc: toml::Value =
        toml::from_str(src.text).map_err(|e| ScenarioError::Parse { file: src.file.into(), message: e.to_string() })?;
    let pool = plan_part("pool", &part_doc(&doc, None, &sc), src, slos, seeds, sizing, progress)?;
    let mut silos = Vec::new();
    if !sc.silos.is_empty() {
        for silo in &sc.silos {
            let sizing = match sizing {
                Sizing::Group(g) if !silo.groups.iter().any(|&k| &sc.cluster.groups[k].name == g) => {
                    Sizing::Proportional
                }
                s => s.clone(),
            };
            silos.push(plan_part(
                &format!("silo-{}", silo.name),
                &part_doc(&doc, Some(silo), &sc),
                src,
                slos,
                seeds,
                &sizing,
                progress,
            )?);
        }
    }
    Ok((pool, silos))
}

/// `plan.csv`: every probe with its SLO values.
pub fn plan_csv(slos: &[Slo], parts: &[&PartPlan]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["part".to_string(), "agents".into(), "holds".into(), "cost_per_month".into()];
    header.extend(slos.iter().map(|s| format!("{} (judged)", s.text)));
    header.push("invalid".into());
    w.write_record(&header).expect("memory");
    for part in parts {
        for p in &part.probes {
            let mut rec = vec![
                p.part.clone(),
                p.agents.to_string(),
                p.holds.to_string(),
                p.cost_per_month.map_or(String::new(), |c| format!("{c}")),
            ];
            rec.extend(p.judged.iter().map(|j| j.map_or(String::new(), |v| format!("{v}"))));
            rec.push(p.invalid.clone().unwrap_or_default());
            w.write_record(&rec).expect("memory");
        }
    }
    w.into_inner().expect("memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slos_parse_and_judge_pessimistically() {
        let s = parse_slo("wait_s_p99<=30").unwrap();
        assert_eq!((s.metric.as_str(), s.op, s.value), ("wait_s_p99", Op::Le, 30.0));
        assert_eq!(parse_slo("slo_ok_frac>=0.99").unwrap().op, Op::Ge);
        assert!(parse_slo("wait_s_p99 is low").is_err());
        assert!(parse_slo("<=3").is_err());
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(s.judged(&xs), 9.0, "p90 of 1..10 (nearest rank)");
        assert_eq!(parse_slo("x>=0").unwrap().judged(&xs), 1.0, "p10");
    }
}
