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

/// Calls `each(line number, line)` for every non-empty line of `reader`, and prefixes any error,
/// its own or a read failure, with `file:line: `.
pub(crate) fn each_line(
    reader: impl BufRead,
    file: &str,
    mut each: impl FnMut(usize, &str) -> Result<(), String>,
) -> Result<(), String> {
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("{file}:{n}: cannot read: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        each(n, &line).map_err(|e| format!("{file}:{n}: {e}"))?;
    }
    Ok(())
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
        WorkloadTraceFormat::Alibaba2018 => {
            Err("Alibaba workload traces are read by read_alibaba_workloads, which also makes services".into())
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
    let mut header_seen = false;
    each_line(reader, file, |n, line| {
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            let ok = n == 1
                && cols.len() >= 4
                && cols.len() <= 7
                && cols[..4] == ["time", "workload", "action", "value"]
                && cols[4..].iter().zip(["cpus", "mem", "duration"]).all(|(a, b)| *a == b);
            return if ok {
                Ok(())
            } else {
                Err(format!("expected the header \"time,workload,action,value[,cpus,mem,duration]\", found \"{line}\""))
            };
        }
        if cols.len() < 4 || cols.len() > 7 {
            return Err(format!("expected 4 to 7 columns, found {}", cols.len()));
        }
        let at = parse_time(cols[0]).map_err(|e| format!("time \"{}\": expected {e}", cols[0]))?;
        if at < last {
            return Err(format!("time {} goes backwards (previous row at {}s)", cols[0], last.as_secs_f64()));
        }
        last = at;
        let w = lookup(cols[1]).ok_or_else(|| format!("workload \"{}\" is not in the scenario", cols[1]))?;
        let value: u64 = cols[3].parse().map_err(|_| format!("value \"{}\": expected a whole number", cols[3]))?;
        let extra = |k: usize| cols.get(k).copied().filter(|c| !c.is_empty());
        let action = match (cols[2], &workloads[w as usize].kind) {
            ("submit", WorkloadKind::Batch(_)) => {
                if value == 0 || value > crate::scenario::MAX_TASKS_PER_JOB as u64 {
                    return Err(format!(
                        "submit of {value} tasks: expected 1 to {}",
                        crate::scenario::MAX_TASKS_PER_JOB
                    ));
                }
                let base = workloads[w as usize].demand;
                let cpu_m = match extra(4) {
                    Some(c) => parse_cpus_text(c).map_err(|e| format!("cpus: expected {e}"))?,
                    None => base.cpu_m,
                };
                let mem_b = match extra(5) {
                    Some(m) => parse_bytes(m).map_err(|e| format!("mem \"{m}\": expected {e}"))?,
                    None => base.mem_b,
                };
                if cpu_m == 0 || mem_b == 0 {
                    return Err("a task needs more than zero cpus and memory".into());
                }
                let demand =
                    (extra(4).is_some() || extra(5).is_some()).then(|| Resources::new(cpu_m, mem_b, base.disk_b));
                let duration = match extra(6) {
                    Some(d) => Some(parse_time(d).map_err(|e| format!("duration \"{d}\": expected {e}"))?),
                    None => None,
                };
                TraceAction::Submit { tasks: value as u32, demand, duration }
            }
            ("scale", WorkloadKind::Service(_)) => TraceAction::Scale { replicas: value.min(u32::MAX as u64) as u32 },
            ("kill", WorkloadKind::Service(_)) => TraceAction::Scale { replicas: 0 },
            ("submit" | "scale" | "kill", _) => {
                return Err(format!(
                    "action \"{}\" does not apply to workload \"{}\": submit is for batch workloads, scale and kill for services",
                    cols[2], cols[1]
                ));
            }
            (other, _) => return Err(format!("action \"{other}\": expected submit, scale or kill")),
        };
        out.rows.push(TraceRow { at, workload: w, action });
        Ok(())
    })?;
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
    each_line(reader, file, |_, line| {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 8 {
            return Err(format!("expected 8 columns (Google job_events), found {}", cols.len()));
        }
        let code: usize = cols[3]
            .parse()
            .ok()
            .filter(|&c| c < 9)
            .ok_or_else(|| format!("column 4 (event type) \"{}\": expected a code from 0 to 8", cols[3]))?;
        out.job_event_counts[code] += 1;
        Ok(())
    })
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
        each_line(open_maybe_gz(path)?, &path.display().to_string(), |_, line| {
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() < 13 {
                return Err(format!("expected 13 columns (Google task_events), found {}", cols.len()));
            }
            let num = |k: usize, what: &str| -> Result<u64, String> {
                cols[k]
                    .parse()
                    .map_err(|_| format!("column {} ({what}) \"{}\": expected a whole number", k + 1, cols[k]))
            };
            let frac = |k: usize, what: &str| -> Result<f64, String> {
                if cols[k].is_empty() {
                    return Ok(0.0);
                }
                cols[k].parse::<f64>().ok().filter(|v| (0.0..=1.0).contains(v)).ok_or_else(|| {
                    format!("column {} ({what}) \"{}\": expected a normalised request from 0 to 1", k + 1, cols[k])
                })
            };
            let time = num(0, "time")?;
            let key = (num(2, "job ID")?, num(3, "task index")?);
            let code = num(5, "event type")? as usize;
            if code >= 9 {
                return Err(format!("column 6 (event type) {code}: expected a code from 0 to 8"));
            }
            if time < last_time {
                return Err(format!("time {time} goes backwards (previous row at {last_time})"));
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
            Ok(())
        })?;
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

// ------------------------------------------------------------------------------------------------
// Machines: agent groups and their up/down events from machine traces.
//
// **Google `machine_events`** (time µs, machine ID, event type 0 ADD / 1 REMOVE / 2 UPDATE,
// platform ID, CPUs and memory normalised to the largest machine): each machine becomes an agent
// with the capacity of its first ADD that gives one (machines never given a capacity are skipped);
// agents with equal capacities form a group `<name>-<k>`, cut evenly into `racks` racks in zone
// `z0`. A REMOVE takes the machine down, a later ADD brings it back; a machine first added after
// time 0 is down until then. UPDATE events (capacity changes) are not modelled.
//
// **Alibaba `machine_meta`** (machine_id, time_stamp s, failure_domain_1, failure_domain_2,
// cpu_num, mem_size 0-100, status): each machine becomes an agent of `cpu_num` CPUs and
// `mem_size / 100 * machine_mem`, with the failure domains of its first row: failure_domain_2 is
// its zone (`fd2-<v>`) and the pair (failure_domain_1, failure_domain_2) its rack
// (`fd1-<u>.fd2-<v>`), since the trace's two domains are not nested. Agents are grouped by zone
// and capacity (`<name>-<k>`), ordered by rack. A row whose status is not USING takes the machine
// down until a later USING row; a machine first seen after time 0 is down until then.

/// Agent groups built from a machine trace, and the machines' up/down events (agent indices
/// relative to the first generated agent).
#[derive(Debug, Default)]
pub struct MachineTrace {
    pub groups: Vec<crate::scenario::AgentGroupSpec>,
    pub events: Vec<crate::scenario::ScheduledEvent>,
    pub skipped: u64,
}

/// Options shared by the machine readers.
pub struct MachineOptions<'a> {
    pub name: &'a str,
    /// Google: largest machine's CPUs and memory; Alibaba: memory of mem_size = 100.
    pub machine: Resources,
    pub disk_b: u64,
    pub network_bytes_per_s: u64,
    pub pool: &'a str,
    pub racks: u32,
    pub rebase_us: u64,
}

struct Machine {
    capacity: Resources,
    /// (rack, zone) names.
    place: (String, String),
    /// (time, up) transitions, in file order.
    changes: Vec<(SimDuration, bool)>,
}

/// Machines of one (zone, capacity) group: (rack name, machine key, machine).
type GroupMembers = Vec<(String, (String, u64), Machine)>;

fn machines_to_groups(machines: BTreeMap<(String, u64), Machine>, opt: &MachineOptions) -> MachineTrace {
    use crate::scenario::{AgentGroupSpec, ScheduledEvent, Target, UpDown};
    // Group by (zone, capacity); inside a group, order by (rack, machine key).
    let mut by_group: BTreeMap<(String, Resources), GroupMembers> = BTreeMap::new();
    for (key, m) in machines {
        by_group.entry((m.place.1.clone(), m.capacity)).or_default().push((m.place.0.clone(), key, m));
    }
    let mut out = MachineTrace::default();
    let mut next_agent = 0u32;
    for (k, ((zone, capacity), mut ms)) in by_group.into_iter().enumerate() {
        ms.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let name = format!("{}-{k}", opt.name);
        let count = ms.len() as u32;
        let mut layout: Vec<(String, String, u32)> = Vec::new();
        if ms.iter().all(|m| m.0.is_empty()) {
            // No racks in the trace: cut the group evenly.
            let racks = opt.racks.clamp(1, count);
            for r in 0..racks {
                let n = ((r as u64 + 1) * count as u64 / racks as u64 - r as u64 * count as u64 / racks as u64) as u32;
                layout.push((format!("{name}-r{r}"), zone.clone(), n));
            }
        } else {
            for m in &ms {
                match layout.last_mut() {
                    Some(last) if last.0 == m.0 => last.2 += 1,
                    _ => layout.push((m.0.clone(), zone.clone(), 1)),
                }
            }
        }
        for (i, (_, _, m)) in ms.iter().enumerate() {
            let agent = next_agent + i as u32;
            let mut up = true;
            for (j, &(t, is_up)) in m.changes.iter().enumerate() {
                if j == 0 && t.0 > 0 {
                    // First seen after time 0: absent until then.
                    out.events.push(ScheduledEvent {
                        at: SimDuration::ZERO,
                        target: Target::Agent(agent),
                        event: UpDown::Down,
                    });
                    up = false;
                }
                if is_up != up {
                    let event = if is_up { UpDown::Up } else { UpDown::Down };
                    out.events.push(ScheduledEvent { at: t, target: Target::Agent(agent), event });
                    up = is_up;
                }
            }
        }
        next_agent += count;
        out.groups.push(AgentGroupSpec {
            name,
            count,
            capacity: Resources::new(capacity.cpu_m, capacity.mem_b, opt.disk_b),
            pool: opt.pool.to_string(),
            racks: layout.len() as u32,
            zones: 1,
            attributes: BTreeMap::new(),
            network_bytes_per_s: opt.network_bytes_per_s,
            layout: Some(layout),
            reserve: None,
            price_per_hour: None,
        });
    }
    out
}

/// Reads Google `machine_events`; see the section comment.
pub fn read_google_machines(path: &Path, opt: &MachineOptions) -> Result<MachineTrace, String> {
    let file = path.display().to_string();
    let mut machines: BTreeMap<(String, u64), Machine> = BTreeMap::new();
    let mut skipped_ids = Vec::new();
    each_line(open_maybe_gz(path)?, &file, |_, line| {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 6 {
            return Err(format!("expected 6 columns (Google machine_events), found {}", cols.len()));
        }
        let whole = |k: usize, what: &str| -> Result<u64, String> {
            cols[k].parse().map_err(|_| format!("column {} ({what}) \"{}\": expected a whole number", k + 1, cols[k]))
        };
        let (time, id) = (whole(0, "time")?, whole(1, "machine ID")?);
        let kind: u8 = cols[2].parse().ok().filter(|k| *k <= 2).ok_or_else(|| {
            format!("column 3 (event type) \"{}\": expected 0 (ADD), 1 (REMOVE) or 2 (UPDATE)", cols[2])
        })?;
        let frac = |k: usize, what: &str| -> Result<Option<f64>, String> {
            if cols[k].is_empty() {
                return Ok(None);
            }
            cols[k].parse::<f64>().ok().filter(|v| *v > 0.0 && *v <= 1.0).map(Some).ok_or_else(|| {
                format!("column {} ({what}) \"{}\": expected a normalised capacity in (0, 1]", k + 1, cols[k])
            })
        };
        let (cpu, mem) = (frac(4, "CPUs")?, frac(5, "memory")?);
        let at = SimDuration(time.saturating_sub(opt.rebase_us));
        let m = machines.entry((String::new(), id)).or_insert(Machine {
            capacity: Resources::ZERO,
            place: (String::new(), "z0".into()),
            changes: Vec::new(),
        });
        if kind == 0 && m.capacity == Resources::ZERO {
            if let (Some(c), Some(g)) = (cpu, mem) {
                let cpu_m = ((c * opt.machine.cpu_m as f64).round() as u64).max(1);
                let mem_b = ((g * opt.machine.mem_b as f64).round() as u64).max(1 << 20);
                m.capacity = Resources::new(cpu_m, mem_b, 0);
            }
        }
        match kind {
            0 => m.changes.push((at, true)),
            1 => m.changes.push((at, false)),
            _ => {}
        }
        Ok(())
    })?;
    machines.retain(|&(_, id), m| {
        let keep = m.capacity != Resources::ZERO;
        if !keep {
            skipped_ids.push(id);
        }
        keep
    });
    let mut out = machines_to_groups(machines, opt);
    out.skipped = skipped_ids.len() as u64;
    Ok(out)
}

/// Reads Alibaba `machine_meta`; see the section comment.
pub fn read_alibaba_machines(path: &Path, opt: &MachineOptions) -> Result<MachineTrace, String> {
    let mut machines: BTreeMap<(String, u64), Machine> = BTreeMap::new();
    let mut rows: Vec<(u64, (String, u64), bool)> = Vec::new();
    csv_rows(path, 7, "machine_meta", |_, cols| {
        let num = cols[0]
            .strip_prefix("m_")
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| format!("column 1 (machine_id) \"{}\": expected m_<number>", cols[0]))?;
        let t: f64 =
            cols[1].parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                format!("column 2 (time_stamp) \"{}\": expected seconds from the trace start", cols[1])
            })?;
        let cpus: u64 = cols[4]
            .parse()
            .ok()
            .filter(|c| *c > 0)
            .ok_or_else(|| format!("column 5 (cpu_num) \"{}\": expected a CPU count above zero", cols[4]))?;
        let mem: f64 =
            cols[5].parse().ok().filter(|v: &f64| *v > 0.0 && *v <= 100.0).ok_or_else(|| {
                format!("column 6 (mem_size) \"{}\": expected a normalised size in (0, 100]", cols[5])
            })?;
        let zone = if cols[3].is_empty() { "fd2-none".to_string() } else { format!("fd2-{}", cols[3]) };
        let rack = format!("fd1-{}.{zone}", cols[2]);
        let key = (String::new(), num);
        let up = cols[6] == "USING";
        machines.entry(key.clone()).or_insert_with(|| Machine {
            capacity: Resources::new(cpus * 1000, ((mem / 100.0) * opt.machine.mem_b as f64).round() as u64, 0),
            place: (rack, zone),
            changes: Vec::new(),
        });
        rows.push(((t * 1e6).round() as u64, key, up));
        Ok(())
    })?;
    rows.sort_by_key(|r| r.0); // stable: a machine's rows keep file order at equal times
    for (t, key, up) in rows {
        machines.get_mut(&key).expect("machine seen").changes.push((SimDuration(t), up));
    }
    Ok(machines_to_groups(machines, opt))
}

// ------------------------------------------------------------------------------------------------
// Alibaba workloads.
//
// **container_meta** (container_id, machine_id, time_stamp s, app_du, status, cpu_request (100 = 1
// CPU), cpu_limit, mem_size 0-100): containers are grouped by `app_du` into one service each,
// named after it, with the first container's request per replica. The service's replica count
// follows the number of containers of the app at each time stamp: the first is its initial count,
// later changes become `scale` rows.
//
// **batch_task** (task_name, instance_num, job_name, task_type, status, start_time, end_time,
// plan_cpu (100 = 1 CPU), plan_mem 0-100) and **batch_instance** (instance_name, task_name,
// job_name, task_type, status, start_time, end_time, machine_id, seq_no, total_seq_no, cpu_avg,
// cpu_max, mem_avg, mem_max): each task with a valid start and end becomes work submitted at its
// start to the `batch_workload`, with its plan_cpu and plan_mem; when batch_instance lists the
// task's instances, each instance is one task with its own run time (end - start), otherwise the
// task is a job of instance_num tasks lasting the task's end - start. Tasks without valid times are
// skipped and counted.

/// What the Alibaba workload reader made.
#[derive(Debug, Default)]
pub struct AlibabaWorkloads {
    /// Services generated from container_meta, to append to the scenario's workloads.
    pub services: Vec<crate::scenario::WorkloadSpec>,
    pub rows: Vec<TraceRow>,
    pub skipped_tasks: u64,
}

/// Calls `each` with the comma-separated cells of every non-empty line of an Alibaba table,
/// checking the column count; errors carry the file and line.
fn csv_rows(
    path: &Path,
    columns: usize,
    table: &str,
    mut each: impl FnMut(usize, &[&str]) -> Result<(), String>,
) -> Result<(), String> {
    each_line(open_maybe_gz(path)?, &path.display().to_string(), |n, line| {
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != columns {
            return Err(format!("expected {columns} columns (Alibaba {table}), found {}", cols.len()));
        }
        each(n, &cols)
    })
}

fn number(cols: &[&str], k: usize, what: &str) -> Result<f64, String> {
    cols[k]
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("column {} ({what}) \"{}\": expected a number of zero or more", k + 1, cols[k]))
}

/// Reads the Alibaba workload tables. `first_index` is the index the first generated service gets.
pub fn read_alibaba_workloads(
    container_meta: Option<&Path>,
    batch_task: Option<&Path>,
    batch_instance: Option<&Path>,
    machine_mem: u64,
    batch_workload: u32,
    batch_disk: u64,
    first_index: u32,
) -> Result<AlibabaWorkloads, String> {
    use crate::dist::{Dist, DistUnit};
    use crate::scenario::{Constraints, ServiceSpec, WorkloadKind, WorkloadSpec};
    let mut out = AlibabaWorkloads::default();
    let mem_of = |v: f64| ((v / 100.0) * machine_mem as f64).round() as u64;
    if let Some(path) = container_meta {
        // app_du -> (demand, time stamp -> containers)
        let mut apps: BTreeMap<String, (Resources, BTreeMap<u64, u32>)> = BTreeMap::new();
        csv_rows(path, 8, "container_meta", |_, c| {
            let t = number(c, 2, "time_stamp")?;
            let cpu = number(c, 5, "cpu_request")?;
            let mem = number(c, 7, "mem_size")?;
            if c[3].is_empty() || !c[3].chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)) {
                return Err(format!(
                    "column 4 (app_du) \"{}\": expected an app name of letters, digits, '.', '_' or '-'",
                    c[3]
                ));
            }
            let demand = Resources::new(((cpu * 10.0).round() as u64).max(1), mem_of(mem).max(1 << 20), 0);
            let app = apps.entry(c[3].to_string()).or_insert((demand, BTreeMap::new()));
            *app.1.entry((t * 1e6).round() as u64).or_insert(0) += 1;
            Ok(())
        })?;
        for (k, (app, (demand, counts))) in apps.into_iter().enumerate() {
            let w = first_index + k as u32;
            let mut snapshots = counts.into_iter();
            let (_, initial) = snapshots.next().expect("an app has a container");
            let mut last = initial;
            for (t, n) in snapshots {
                if n != last {
                    out.rows.push(TraceRow {
                        at: SimDuration(t),
                        workload: w,
                        action: TraceAction::Scale { replicas: n },
                    });
                    last = n;
                }
            }
            out.services.push(WorkloadSpec {
                name: app.clone(),
                team: app,
                priority: 100,
                demand,
                constraints: Constraints::default(),
                kind: WorkloadKind::Service(ServiceSpec {
                    replicas: initial,
                    startup: Dist::constant(DistUnit::Seconds, 0.0),
                    image: None,
                    pull: Dist::constant(DistUnit::Seconds, 0.0),
                    load: None,
                    rps_per_replica: 0.0,
                    autoscaler: None,
                }),
                generated: true,
            });
        }
    }
    // (job, task) -> instance run times, in file order.
    let mut instances: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
    if let Some(path) = batch_instance {
        csv_rows(path, 14, "batch_instance", |_, c| {
            let (s, e) = (number(c, 5, "start_time")?, number(c, 6, "end_time")?);
            if e > s && s > 0.0 {
                instances.entry((c[2].to_string(), c[1].to_string())).or_default().push(((e - s) * 1e6).round() as u64);
            }
            Ok(())
        })?;
    }
    if let Some(path) = batch_task {
        let mut skipped = 0u64;
        csv_rows(path, 9, "batch_task", |_, c| {
            let n: u32 =
                c[1].parse().map_err(|_| format!("column 2 (instance_num) \"{}\": expected a whole number", c[1]))?;
            let (s, e) = (number(c, 5, "start_time")?, number(c, 6, "end_time")?);
            let (cpu, mem) = (number(c, 7, "plan_cpu")?, number(c, 8, "plan_mem")?);
            if !(e > s && s > 0.0) || n == 0 {
                skipped += 1;
                return Ok(());
            }
            let demand =
                Some(Resources::new(((cpu * 10.0).round() as u64).max(1), mem_of(mem).max(1 << 20), batch_disk));
            let at = SimDuration((s * 1e6).round() as u64);
            match instances.get(&(c[2].to_string(), c[0].to_string())) {
                Some(runs) => {
                    for &d in runs {
                        let action = TraceAction::Submit { tasks: 1, demand, duration: Some(SimDuration(d)) };
                        out.rows.push(TraceRow { at, workload: batch_workload, action });
                    }
                }
                None => {
                    let d = Some(SimDuration(((e - s) * 1e6).round() as u64));
                    out.rows.push(TraceRow {
                        at,
                        workload: batch_workload,
                        action: TraceAction::Submit { tasks: n, demand, duration: d },
                    });
                }
            }
            Ok(())
        })?;
        out.skipped_tasks = skipped;
    }
    out.rows.sort_by_key(|r| r.at);
    Ok(out)
}
