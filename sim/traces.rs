//! Workload traces: recorded deployment histories and public cluster traces, read into
//! `TraceRow`s that the simulation replays.
//!
//! **Native format** (CSV, header `time,workload,action,value`, optionally followed by `cpus`,
//! `mem`, `duration` columns): `time` is a duration (`"90s"`) or seconds and must not go backwards;
//! `workload` names a workload of the scenario; `action` is `submit` (a batch job of `value` tasks),
//! `scale` (a service's replica count becomes `value`) or `kill` (a service's replicas go to 0).
//! For `submit`, non-empty `cpus` (CPUs), `mem` (a size, e.g. `"4GiB"` or `"123B"`) and `duration`
//! (a duration or seconds) override the workload's per-task resources and duration distribution.
//!
//! **Google clusterdata-2011-2** (`task_events`, `job_events`; gzip or plain; no header): each run of
//! a task, from its SCHEDULE to its next EVICT, FAIL, FINISH, KILL or LOST, becomes one task
//! submitted at its SUBMIT time (or at the SCHEDULE, for tasks submitted before the trace window)
//! with that run's duration; runs still going at the end of the window last until the window's last
//! timestamp; tasks never scheduled in the window are not replayed (they are counted). Requests are
//! normalised to the largest machine in the trace; the scenario gives that machine's CPUs and
//! memory; a zero request becomes the smallest unit (1 millicore, 1 MiB), since every task needs
//! some. Priorities 9 to 11 (production) go to the `prod_workload`, the rest to the
//! `batch_workload`. Time 0 is the first timestamp of the task events. Reading is streaming: only
//! tasks live at the current line are held, plus the replayable runs found so far (O(tasks), about
//! 40 bytes each).
//!
//! Every error names the file and the line.

use crate::resources::Resources;
use crate::scenario::{TraceAction, TraceRow, WorkloadKind, WorkloadSpec, WorkloadTraceFormat, WorkloadTraceSpec};
use crate::time::{SimDuration, parse_duration};
use crate::units::{format_cpus, parse_bytes, parse_cpus_text};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Google event type names, by code.
pub const GOOGLE_EVENTS: [&str; 9] =
    ["SUBMIT", "SCHEDULE", "EVICT", "FAIL", "FINISH", "KILL", "LOST", "UPDATE_PENDING", "UPDATE_RUNNING"];

/// Rows read from one source, and what was counted on the way.
#[derive(Debug, Default)]
pub struct ReadTrace {
    pub rows: Vec<TraceRow>,
    /// Google: task event counts by type code.
    pub task_event_counts: [u64; 9],
    /// Google: job event counts by type code (first 6 codes used).
    pub job_event_counts: [u64; 9],
    /// Google: tasks never scheduled within the window (not replayed).
    pub never_scheduled: u64,
    /// Google: runs still going at the end of the window.
    pub open_at_end: u64,
}

/// Opens a file, transparently gunzipping it when it starts with the gzip magic bytes.
pub fn open_maybe_gz(path: &Path) -> Result<Box<dyn BufRead>, String> {
    let shown = path.display();
    let mut f = std::fs::File::open(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let f = std::fs::File::open(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(f))))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

/// Reads the rows of one workload trace source. `lookup` maps a workload name to its index.
pub fn read_workload_trace(
    spec: &WorkloadTraceSpec,
    workloads: &[WorkloadSpec],
    lookup: &dyn Fn(&str) -> Option<u32>,
) -> Result<ReadTrace, String> {
    match spec.format {
        WorkloadTraceFormat::Native => {
            let path = &spec.files[0];
            read_native(open_maybe_gz(path)?, &path.display().to_string(), workloads, lookup)
        }
        WorkloadTraceFormat::Google2011 => {
            let need = |name: &Option<String>, role: &str| -> Result<u32, String> {
                let name = name.as_deref().unwrap_or_default();
                let w = lookup(name).ok_or_else(|| format!("the {role} workload \"{name}\" is not in the scenario"))?;
                match &workloads[w as usize].kind {
                    WorkloadKind::Batch(_) => Ok(w),
                    _ => Err(format!(
                        "the {role} workload \"{name}\" must be a batch workload (with arrival = {{ process = \"trace\" }})"
                    )),
                }
            };
            let prod = need(&spec.prod_workload, "prod_workload")?;
            let batch = need(&spec.batch_workload, "batch_workload")?;
            let mut out = ReadTrace::default();
            for path in &spec.job_events {
                count_google_jobs(open_maybe_gz(path)?, &path.display().to_string(), &mut out)?;
            }
            read_google_tasks(&spec.files, spec.machine, prod, batch, &mut out)?;
            // The trace has no disk requests: tasks take their workload's.
            for r in &mut out.rows {
                if let TraceAction::Submit { demand: Some(d), .. } = &mut r.action {
                    d.disk_b = workloads[r.workload as usize].demand.disk_b;
                }
            }
            Ok(out)
        }
    }
}

fn read_native(
    reader: Box<dyn BufRead>,
    file: &str,
    workloads: &[WorkloadSpec],
    lookup: &dyn Fn(&str) -> Option<u32>,
) -> Result<ReadTrace, String> {
    let mut out = ReadTrace::default();
    let mut last = SimDuration::ZERO;
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("{file}:{n}: cannot read: {e}"))?;
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if i == 0 {
            let ok = cols.len() >= 4
                && cols[..4] == ["time", "workload", "action", "value"]
                && cols[4..].iter().zip(["cpus", "mem", "duration"]).all(|(a, b)| *a == b)
                && cols.len() <= 7;
            if !ok {
                return Err(format!(
                    "{file}:1: expected the header \"time,workload,action,value[,cpus,mem,duration]\", found \"{line}\""
                ));
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if cols.len() < 4 || cols.len() > 7 {
            return Err(format!("{file}:{n}: expected 4 to 7 columns, found {}", cols.len()));
        }
        let at = parse_time(cols[0]).map_err(|e| format!("{file}:{n}: time \"{}\": expected {e}", cols[0]))?;
        if at < last {
            return Err(format!(
                "{file}:{n}: time {} goes backwards (previous row at {}s)",
                cols[0],
                last.as_secs_f64()
            ));
        }
        last = at;
        let w =
            lookup(cols[1]).ok_or_else(|| format!("{file}:{n}: workload \"{}\" is not in the scenario", cols[1]))?;
        let value: u64 =
            cols[3].parse().map_err(|_| format!("{file}:{n}: value \"{}\": expected a whole number", cols[3]))?;
        let extra = |k: usize| cols.get(k).copied().filter(|c| !c.is_empty());
        let kind = &workloads[w as usize].kind;
        let action = match (cols[2], kind) {
            ("submit", WorkloadKind::Batch(_)) => {
                if value == 0 || value > crate::scenario::MAX_TASKS_PER_JOB as u64 {
                    return Err(format!(
                        "{file}:{n}: submit of {value} tasks: expected 1 to {}",
                        crate::scenario::MAX_TASKS_PER_JOB
                    ));
                }
                let base = workloads[w as usize].demand;
                let cpu_m = match extra(4) {
                    Some(c) => parse_cpus_text(c).map_err(|e| format!("{file}:{n}: cpus: expected {e}"))?,
                    None => base.cpu_m,
                };
                let mem_b = match extra(5) {
                    Some(m) => parse_bytes(m).map_err(|e| format!("{file}:{n}: mem \"{m}\": expected {e}"))?,
                    None => base.mem_b,
                };
                if cpu_m == 0 || mem_b == 0 {
                    return Err(format!("{file}:{n}: a task needs more than zero cpus and memory"));
                }
                let demand =
                    (extra(4).is_some() || extra(5).is_some()).then(|| Resources::new(cpu_m, mem_b, base.disk_b));
                let duration = match extra(6) {
                    Some(d) => Some(parse_time(d).map_err(|e| format!("{file}:{n}: duration \"{d}\": expected {e}"))?),
                    None => None,
                };
                TraceAction::Submit { tasks: value as u32, demand, duration }
            }
            ("scale", WorkloadKind::Service(_)) => TraceAction::Scale { replicas: value.min(u32::MAX as u64) as u32 },
            ("kill", WorkloadKind::Service(_)) => TraceAction::Scale { replicas: 0 },
            ("submit" | "scale" | "kill", _) => {
                return Err(format!(
                    "{file}:{n}: action \"{}\" does not apply to workload \"{}\": submit is for batch workloads, scale and kill for services",
                    cols[2], cols[1]
                ));
            }
            (other, _) => return Err(format!("{file}:{n}: action \"{other}\": expected submit, scale or kill")),
        };
        out.rows.push(TraceRow { at, workload: w, action });
    }
    Ok(out)
}

/// A duration string or a number of seconds.
fn parse_time(text: &str) -> Result<SimDuration, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(SimDuration::from_secs_f64(s)),
        Ok(_) => Err("a time of zero or more".into()),
        Err(_) => parse_duration(text),
    }
}

fn count_google_jobs(reader: Box<dyn BufRead>, file: &str, out: &mut ReadTrace) -> Result<(), String> {
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("{file}:{n}: cannot read: {e}"))?;
        if line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 8 {
            return Err(format!("{file}:{n}: expected 8 columns (Google job_events), found {}", cols.len()));
        }
        let code: usize =
            cols[3].parse().ok().filter(|&c| c < 9).ok_or_else(|| {
                format!("{file}:{n}: column 4 (event type) \"{}\": expected a code from 0 to 8", cols[3])
            })?;
        out.job_event_counts[code] += 1;
    }
    Ok(())
}

struct LiveTask {
    submit: u64,
    schedule: Option<u64>,
    priority: u32,
    cpu: f64,
    mem: f64,
}

fn read_google_tasks(
    files: &[std::path::PathBuf],
    machine: Resources,
    prod: u32,
    batch: u32,
    out: &mut ReadTrace,
) -> Result<(), String> {
    let mut live: BTreeMap<(u64, u64), LiveTask> = BTreeMap::new();
    let mut origin: Option<u64> = None;
    let mut last_time = 0u64;
    // (submit µs, seq, workload, demand, duration µs)
    let mut runs: Vec<(u64, u64, u32, Resources, u64)> = Vec::new();
    let mut seq = 0u64;
    let to_demand = |cpu: f64, mem: f64| {
        let c = ((cpu * machine.cpu_m as f64).round() as u64).clamp(1, machine.cpu_m);
        let m = ((mem * machine.mem_b as f64).round() as u64).clamp(1 << 20, machine.mem_b);
        Resources::new(c, m, 0)
    };
    for path in files {
        let file = path.display().to_string();
        for (i, line) in open_maybe_gz(path)?.lines().enumerate() {
            let n = i + 1;
            let line = line.map_err(|e| format!("{file}:{n}: cannot read: {e}"))?;
            if line.is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() < 13 {
                return Err(format!("{file}:{n}: expected 13 columns (Google task_events), found {}", cols.len()));
            }
            let num = |k: usize, what: &str| -> Result<u64, String> {
                cols[k].parse().map_err(|_| {
                    format!("{file}:{n}: column {} ({what}) \"{}\": expected a whole number", k + 1, cols[k])
                })
            };
            let frac = |k: usize, what: &str| -> Result<f64, String> {
                if cols[k].is_empty() {
                    return Ok(0.0);
                }
                cols[k].parse::<f64>().ok().filter(|v| (0.0..=1.0).contains(v)).ok_or_else(|| {
                    format!(
                        "{file}:{n}: column {} ({what}) \"{}\": expected a normalised request from 0 to 1",
                        k + 1,
                        cols[k]
                    )
                })
            };
            let time = num(0, "time")?;
            let key = (num(2, "job ID")?, num(3, "task index")?);
            let code = num(5, "event type")? as usize;
            if code >= 9 {
                return Err(format!("{file}:{n}: column 6 (event type) {code}: expected a code from 0 to 8"));
            }
            if time < last_time {
                return Err(format!("{file}:{n}: time {time} goes backwards (previous row at {last_time})"));
            }
            last_time = time;
            let origin = *origin.get_or_insert(time);
            out.task_event_counts[code] += 1;
            let priority = if cols[8].is_empty() { 0 } else { num(8, "priority")? as u32 };
            let (cpu, mem) = (frac(9, "CPU request")?, frac(10, "memory request")?);
            match code {
                0 => {
                    live.insert(key, LiveTask { submit: time, schedule: None, priority, cpu, mem });
                }
                1 => {
                    let t = live.entry(key).or_insert(LiveTask { submit: time, schedule: None, priority, cpu, mem });
                    t.schedule = Some(time);
                }
                2..=6 => {
                    if let Some(t) = live.remove(&key) {
                        match t.schedule {
                            Some(s) => {
                                let w = if t.priority >= 9 { prod } else { batch };
                                runs.push((t.submit - origin, seq, w, to_demand(t.cpu, t.mem), time - s));
                                seq += 1;
                            }
                            None => out.never_scheduled += 1,
                        }
                    }
                }
                _ => {
                    if let Some(t) = live.get_mut(&key) {
                        if !cols[9].is_empty() {
                            t.cpu = cpu;
                        }
                        if !cols[10].is_empty() {
                            t.mem = mem;
                        }
                        t.priority = priority;
                    }
                }
            }
        }
    }
    let origin = origin.unwrap_or(0);
    for t in live.values() {
        match t.schedule {
            Some(s) => {
                let w = if t.priority >= 9 { prod } else { batch };
                runs.push((t.submit - origin, seq, w, to_demand(t.cpu, t.mem), last_time - s));
                seq += 1;
                out.open_at_end += 1;
            }
            None => out.never_scheduled += 1,
        }
    }
    runs.sort_unstable_by_key(|r| (r.0, r.1));
    out.rows.extend(runs.into_iter().map(|(at, _, w, demand, d)| TraceRow {
        at: SimDuration(at),
        workload: w,
        action: TraceAction::Submit { tasks: 1, demand: Some(demand), duration: Some(SimDuration(d)) },
    }));
    Ok(())
}

/// Writes rows as a native trace (exact: times in whole microseconds, memory in bytes).
pub fn native_csv(rows: &[TraceRow], workloads: &[WorkloadSpec]) -> Vec<u8> {
    let secs = |d: SimDuration| format!("{}.{:06}", d.0 / 1_000_000, d.0 % 1_000_000);
    let mut out = String::from("time,workload,action,value,cpus,mem,duration\n");
    for r in rows {
        let name = &workloads[r.workload as usize].name;
        match r.action {
            TraceAction::Submit { tasks, demand, duration } => {
                let (c, m) =
                    demand.map_or((String::new(), String::new()), |d| (format_cpus(d.cpu_m), format!("{}B", d.mem_b)));
                let d = duration.map_or(String::new(), secs);
                out.push_str(&format!("{},{name},submit,{tasks},{c},{m},{d}\n", secs(r.at)));
            }
            TraceAction::Scale { replicas } => out.push_str(&format!("{},{name},scale,{replicas},,,\n", secs(r.at))),
        }
    }
    out.into_bytes()
}
