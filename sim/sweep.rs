//! Parameter sweeps: the cartesian product of a scenario's `[sweep]` axes, each point run with
//! several seeds, in parallel, resumable, and shardable across machines.
//!
//! An axis names a field path of the scenario file (`cluster.agents[0].count`,
//! `scheduler.placement`, `failures.agents[0].ttf.mean`) and the values it takes. Each run is the
//! file with the axis values set and the seed `seed + k` (k = 0..seeds), validated before anything
//! runs. Runs are numbered point by point (the last axis varies fastest), seed by seed.
//!
//! Output directory:
//! - `sweep.json`: the axes, seeds and number of runs (so shards can be merged and checked);
//! - `runs/<id>.json`: one finished run (its point, seed and summary), written atomically, so an
//!   interrupted sweep resumes by skipping the runs already there and leaves nothing half written;
//! - `runs.csv`: one row per run; `points.csv`: per point and metric, the mean and the p10, p50
//!   and p90 across seeds (nearest rank).
//!
//! **Invariant:** every file is a function of the run files, read in id order, so the output is
//! byte-identical whatever the number of threads or shards.

use crate::scenario::{Scenario, ScenarioError};
use crate::{Summary, simulate};
use std::path::{Path, PathBuf};

/// One run of a sweep.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// `p<point>-s<seed index>`, zero-padded so that names sort in run order.
    pub id: String,
    pub point: usize,
    pub seed: u64,
    pub scenario: Scenario,
}

/// A planned sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub name: String,
    pub axes: Vec<(String, Vec<toml::Value>)>,
    pub seeds: u32,
    pub runs: Vec<SweepRun>,
}

/// Sets `path` (`a.b[2].c`) in a TOML document to `value`, creating missing tables; an index past
/// the end of an array, or a step into a non-table, is an error naming the path.
pub fn set_path(doc: &mut toml::Value, path: &str, value: toml::Value) -> Result<(), String> {
    let mut steps: Vec<(String, Option<usize>)> = Vec::new();
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => {
                let i = rest
                    .strip_suffix(']')
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| format!("\"{path}\": bad index in \"{part}\""))?;
                (k, Some(i))
            }
            None => (part, None),
        };
        if key.is_empty() {
            return Err(format!("\"{path}\": empty field name"));
        }
        steps.push((key.to_string(), index));
    }
    let mut cur = doc;
    let last = steps.len() - 1;
    for (n, (key, index)) in steps.into_iter().enumerate() {
        let table =
            cur.as_table_mut().ok_or_else(|| format!("\"{path}\": \"{key}\" is inside a value that is not a table"))?;
        if n == last && index.is_none() {
            table.insert(key, value);
            return Ok(());
        }
        let entry = table.entry(key.clone()).or_insert_with(|| toml::Value::Table(Default::default()));
        cur = match index {
            Some(i) => {
                let arr = entry.as_array_mut().ok_or_else(|| format!("\"{path}\": \"{key}\" is not an array"))?;
                let len = arr.len();
                let slot =
                    arr.get_mut(i).ok_or_else(|| format!("\"{path}\": \"{key}\" has {len} entries, no [{i}]"))?;
                if n == last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            None => entry,
        };
    }
    unreachable!("the last step returns")
}

/// Reads a scenario with a `[sweep]` section and plans every run (all validated).
pub fn plan(path: &Path) -> Result<Sweep, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io { file: file.clone(), source })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let scenario = Scenario::from_toml_str(&text, &file, &base)?;
    let Some(sweep) = scenario.sweep.clone() else {
        return Err(ScenarioError::Invalid {
            file,
            field: "sweep".into(),
            found: "no [sweep] section".into(),
            expected: "a [sweep] section with axes = [{ field = \"...\", values = [...] }]".into(),
        });
    };
    let mut doc: toml::Value =
        toml::from_str(&text).map_err(|e| ScenarioError::Parse { file: file.clone(), message: e.to_string() })?;
    doc.as_table_mut().expect("a TOML document is a table").remove("sweep");
    let seeds = sweep.seeds.unwrap_or(3);
    let axes: Vec<(String, Vec<toml::Value>)> =
        sweep.axes.iter().map(|a| (a.field.clone(), a.values.clone())).collect();
    let points: usize = axes.iter().map(|a| a.1.len()).product();
    let mut runs = Vec::with_capacity(points * seeds as usize);
    for point in 0..points {
        let mut d = doc.clone();
        let mut rest = point;
        let mut chosen = vec![0; axes.len()];
        for (k, (_, values)) in axes.iter().enumerate().rev() {
            chosen[k] = rest % values.len();
            rest /= values.len();
        }
        let mut label = Vec::new();
        for (k, (field, values)) in axes.iter().enumerate() {
            let v = values[chosen[k]].clone();
            label.push(format!("{field} = {v}"));
            set_path(&mut d, field, v).map_err(|e| ScenarioError::Invalid {
                file: file.clone(),
                field: format!("sweep.axes[{k}].field"),
                found: e,
                expected: "a field path of the scenario, such as cluster.agents[0].count".into(),
            })?;
        }
        let point_text = toml::to_string(&d).expect("a TOML value serializes");
        let point_file = format!("{file} (sweep point {point}: {})", label.join(", "));
        let sc = Scenario::from_toml_str(&point_text, &point_file, &base)?;
        for k in 0..seeds {
            let mut s = sc.clone();
            s.seed = sc.seed.wrapping_add(k as u64) & (i64::MAX as u64);
            runs.push(SweepRun { id: format!("p{point:05}-s{k:03}"), point, seed: s.seed, scenario: s });
        }
    }
    Ok(Sweep { name: scenario.name, axes, seeds, runs })
}

/// The share `index` of `count` shards of a sweep's runs: every run whose number is `index` modulo
/// `count`.
pub fn shard_runs(sweep: &Sweep, index: usize, count: usize) -> Vec<&SweepRun> {
    sweep.runs.iter().enumerate().filter(|(i, _)| i % count == index).map(|(_, r)| r).collect()
}

/// The manifest `sweep.json`.
pub fn manifest_json(sweep: &Sweep) -> Vec<u8> {
    let axes: Vec<serde_json::Value> = sweep
        .axes
        .iter()
        .map(|(f, v)| serde_json::json!({ "field": f, "values": v.iter().map(|x| x.to_string()).collect::<Vec<_>>() }))
        .collect();
    let v = serde_json::json!({ "scenario": sweep.name, "axes": axes, "seeds": sweep.seeds, "runs": sweep.runs.len(), "dcsim_version": crate::VERSION });
    let mut s = serde_json::to_string_pretty(&v).expect("json");
    s.push('\n');
    s.into_bytes()
}

/// The file of one finished run: its id, point, axis values, seed and summary.
pub fn run_json(sweep: &Sweep, run: &SweepRun, summary: &Summary) -> Vec<u8> {
    let mut out = String::from("{\n");
    out.push_str(&format!(
        "  \"run\": {},\n  \"point\": {},\n  \"seed\": {},\n",
        serde_json::json!(run.id),
        run.point,
        run.seed
    ));
    let values = point_values(sweep, run.point);
    out.push_str(&format!("  \"values\": {},\n", serde_json::json!(values)));
    out.push_str("  \"summary\": ");
    let body = String::from_utf8(crate::output::summary_json(&run.scenario.name, run.seed, summary)).expect("utf-8");
    out.push_str(&body.trim_end().replace('\n', "\n  "));
    out.push_str("\n}\n");
    out.into_bytes()
}

/// The axis values of point `point`, as text.
pub fn point_values(sweep: &Sweep, point: usize) -> Vec<String> {
    let mut rest = point;
    let mut out = vec![String::new(); sweep.axes.len()];
    for (k, (_, values)) in sweep.axes.iter().enumerate().rev() {
        out[k] = values[rest % values.len()].to_string();
        rest /= values.len();
    }
    out
}

/// Runs the given runs on `threads` threads, skipping those whose file is already in `dir/runs`,
/// writing each finished run atomically. `done` is called after each run.
pub fn execute(
    sweep: &Sweep,
    runs: &[&SweepRun],
    dir: &Path,
    threads: usize,
    done: &(dyn Fn() + Sync),
) -> Result<(), crate::Error> {
    use rayon::prelude::*;
    let runs_dir = dir.join("runs");
    std::fs::create_dir_all(&runs_dir).map_err(|source| crate::Error::Output { path: runs_dir.clone(), source })?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build().expect("a thread pool");
    pool.install(|| {
        runs.par_iter().try_for_each(|run| -> Result<(), crate::Error> {
            let file = runs_dir.join(format!("{}.json", run.id));
            if !file.exists() {
                let result = simulate(&run.scenario, &mut |_| {})?;
                let bytes = run_json(sweep, run, &result.summary);
                let tmp = runs_dir.join(format!(".{}.partial-{}", run.id, std::process::id()));
                std::fs::write(&tmp, &bytes)
                    .and_then(|_| std::fs::rename(&tmp, &file))
                    .map_err(|source| crate::Error::Output { path: file.clone(), source })?;
            }
            done();
            Ok(())
        })
    })
}

/// Reads the finished runs in `dir/runs`, in id order: (id, file bytes).
pub fn read_runs(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let runs = dir.join("runs");
    if !runs.exists() {
        return Ok(out);
    }
    for e in std::fs::read_dir(&runs)? {
        let p: PathBuf = e?.path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(id) = name.strip_suffix(".json").filter(|_| !name.starts_with('.')) {
            out.push((id.to_string(), std::fs::read(&p)?));
        }
    }
    out.sort();
    Ok(out)
}

/// `runs.csv` and `points.csv` from run files (in id order).
pub fn aggregate(sweep_axes: &[String], runs: &[(String, Vec<u8>)]) -> Result<(Vec<u8>, Vec<u8>), String> {
    // Parse each run: (point, seed, values, metrics in order).
    let mut parsed = Vec::new();
    let mut metrics: Vec<String> = Vec::new();
    for (id, bytes) in runs {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("runs/{id}.json: {e}"))?;
        let point = v["point"].as_u64().ok_or_else(|| format!("runs/{id}.json: no point"))? as usize;
        let seed = v["seed"].as_u64().unwrap_or(0);
        let values: Vec<String> = v["values"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default();
        // Keep the summary's order: read the keys from the text, since JSON objects are unordered.
        let text = String::from_utf8_lossy(bytes);
        let body = &text[text.find("\"summary\"").unwrap_or(0)..];
        let mut row = Vec::new();
        for line in body.lines().skip(1) {
            let line = line.trim().trim_end_matches(',');
            let Some((k, val)) = line.split_once(": ") else { continue };
            let k = k.trim_matches('"');
            if ["scenario", "seed", "dcsim_version"].contains(&k) {
                continue;
            }
            let x: Option<f64> = val.parse().ok();
            if !metrics.iter().any(|m| m == k) {
                metrics.push(k.to_string());
            }
            row.push((k.to_string(), x));
        }
        parsed.push((id.clone(), point, seed, values, row));
    }
    let num = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["run".to_string(), "point".into(), "seed".into()];
    header.extend(sweep_axes.iter().cloned());
    header.extend(metrics.iter().cloned());
    w.write_record(&header).map_err(|e| e.to_string())?;
    for (id, point, seed, values, row) in &parsed {
        let mut rec = vec![id.clone(), point.to_string(), seed.to_string()];
        rec.extend(values.iter().cloned());
        for m in &metrics {
            rec.push(num(row.iter().find(|(k, _)| k == m).and_then(|(_, x)| *x)));
        }
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    let runs_csv = w.into_inner().map_err(|e| e.to_string())?;

    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string(), "seeds".into()];
    header.extend(sweep_axes.iter().cloned());
    for m in &metrics {
        for stat in ["mean", "p10", "p50", "p90"] {
            header.push(format!("{m}.{stat}"));
        }
    }
    w.write_record(&header).map_err(|e| e.to_string())?;
    let mut points: Vec<usize> = parsed.iter().map(|p| p.1).collect();
    points.dedup();
    for point in points {
        let rows: Vec<_> = parsed.iter().filter(|p| p.1 == point).collect();
        let mut rec = vec![point.to_string(), rows.len().to_string()];
        rec.extend(rows[0].3.iter().cloned());
        for m in &metrics {
            let mut xs: Vec<f64> =
                rows.iter().filter_map(|r| r.4.iter().find(|(k, _)| k == m).and_then(|(_, x)| *x)).collect();
            xs.sort_by(f64::total_cmp);
            let q = |p: f64| -> String {
                if xs.is_empty() {
                    return String::new();
                }
                let rank = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
                format!("{}", xs[rank - 1])
            };
            let mean =
                if xs.is_empty() { String::new() } else { format!("{}", xs.iter().sum::<f64>() / xs.len() as f64) };
            rec.extend([mean, q(0.10), q(0.50), q(0.90)]);
        }
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    Ok((runs_csv, w.into_inner().map_err(|e| e.to_string())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_path_navigates_tables_and_arrays() {
        let mut d: toml::Value = toml::from_str("a = 1\n[[g]]\nx = 1\n[[g]]\nx = 2\n").unwrap();
        set_path(&mut d, "g[1].x", toml::Value::Integer(7)).unwrap();
        set_path(&mut d, "s.placement", toml::Value::String("random".into())).unwrap();
        assert_eq!(d["g"][1]["x"].as_integer(), Some(7));
        assert_eq!(d["s"]["placement"].as_str(), Some("random"));
        assert!(set_path(&mut d, "g[5].x", toml::Value::Integer(1)).unwrap_err().contains("no [5]"));
        assert!(set_path(&mut d, "a.b", toml::Value::Integer(1)).unwrap_err().contains("not a table"));
    }
}
