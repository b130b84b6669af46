//! Faults as data: the failure plan of a run, and the readers of failure traces.
//!
//! `build_plan` turns a scenario's `[failures]` section into one list of `PlanEvent`s sorted by
//! time (stable: equal times keep generation order), before the run starts, so a plan can be
//! printed (`dcsim failures`) and the same seed always gives the same plan. Generated processes
//! draw from their own streams (`failures/agents/<k>`, `failures/racks`, `failures/zones`,
//! `failures/masters`): each target alternates up and down with sampled times to failure and to
//! repair (an alternating renewal process), starting up at time 0.
//!
//! Trace readers:
//! - native CSV with header `time,target,event`: `time` a duration (`"2h"`) or seconds, `target` as
//!   in `Target::parse`, `event` `down` or `up`.
//! - Failure Trace Archive `event_trace` (one header line, whitespace-separated columns event_id,
//!   component_id, node_id, platform_id, node_name, event_type, start, stop, end_reason; times in
//!   Unix seconds). Each down interval (`event_type` 0) becomes a `down` at its start and an `up` at
//!   its stop. Nodes are sorted by numeric id and mapped one to one onto the target agents in id
//!   order; nodes beyond the agent count are ignored. Times are rebased so that `rebase` (default:
//!   the earliest interval start among mapped nodes) is time zero; intervals outside
//!   `[0, horizon]` are dropped and ones straddling zero start at zero.
//!
//! **Invariant:** nothing here touches the simulated world; a plan is plain data.

use crate::rng::stream;
use crate::scenario::{Scenario, ScheduledEvent, Target, TargetNames, UpDown, agent_range, rack_names, zone_count};
use crate::time::{SimDuration, SimTime, parse_duration};
use crate::traces::each_line;
use std::io::BufRead;

/// What a plan event does to its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanKind {
    Down,
    Up,
    /// Maintenance: the agent stops taking new work; after the drain timeout it goes down.
    Drain,
    /// Maintenance: a planned shutdown; work is replaced at once (no detection delay).
    PlannedDown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanEvent {
    pub time: SimTime,
    pub target: Target,
    pub kind: PlanKind,
}

/// The sorted failure plan of `sc` up to its horizon.
pub fn build_plan(sc: &Scenario) -> Vec<PlanEvent> {
    let f = &sc.failures;
    let horizon = SimTime(sc.horizon.0);
    let mut plan = Vec::new();
    let alternate = |plan: &mut Vec<PlanEvent>,
                     rng: &mut crate::rng::Stream,
                     target,
                     ttf: &crate::dist::Dist,
                     ttr: &crate::dist::Dist| {
        let mut t = SimTime::ZERO;
        loop {
            t = match t.0.checked_add(SimDuration::from_secs_f64(ttf.sample(rng)).0) {
                Some(v) if v <= horizon.0 => SimTime(v),
                _ => break,
            };
            plan.push(PlanEvent { time: t, target, kind: PlanKind::Down });
            t = match t.0.checked_add(SimDuration::from_secs_f64(ttr.sample(rng)).0) {
                Some(v) if v <= horizon.0 => SimTime(v),
                _ => break,
            };
            plan.push(PlanEvent { time: t, target, kind: PlanKind::Up });
        }
    };
    for (k, a) in f.agents.iter().enumerate() {
        let mut rng = stream(sc.seed, &format!("failures/agents/{k}"));
        for agent in agent_range(&sc.cluster, a.group) {
            alternate(&mut plan, &mut rng, Target::Agent(agent), &a.ttf, &a.ttr);
        }
    }
    if let Some(r) = &f.racks {
        let mut rng = stream(sc.seed, "failures/racks");
        for rack in 0..rack_names(&sc.cluster).len() as u32 {
            alternate(&mut plan, &mut rng, Target::Rack(rack), &r.ttf, &r.ttr);
        }
    }
    if let Some(z) = &f.zones {
        let mut rng = stream(sc.seed, "failures/zones");
        for zone in 0..zone_count(&sc.cluster) {
            alternate(&mut plan, &mut rng, Target::Zone(zone), &z.ttf, &z.ttr);
        }
    }
    if let (Some(ttf), Some(ttr)) = (&f.masters.ttf, &f.masters.ttr) {
        let mut rng = stream(sc.seed, "failures/masters");
        for m in 0..sc.cluster.masters * sc.master_sets() {
            alternate(&mut plan, &mut rng, Target::Master(m), ttf, ttr);
        }
    }
    if let Some(m) = &f.maintenance {
        let agents = agent_range(&sc.cluster, m.group);
        let n = agents.end - agents.start;
        let mut next = 0u32;
        let mut t = SimTime(m.start.0);
        while t <= horizon {
            for _ in 0..m.batch.min(n) {
                let a = Target::Agent(agents.start + next);
                next = (next + 1) % n;
                let down = t.plus(m.drain_timeout);
                let up = down.plus(m.duration);
                plan.push(PlanEvent { time: t, target: a, kind: PlanKind::Drain });
                if down <= horizon {
                    plan.push(PlanEvent { time: down, target: a, kind: PlanKind::PlannedDown });
                }
                if up <= horizon {
                    plan.push(PlanEvent { time: up, target: a, kind: PlanKind::Up });
                }
            }
            t = t.plus(m.interval);
        }
    }
    for e in f.scheduled.iter().chain(&sc.cluster.trace_events) {
        if e.at <= sc.horizon {
            let kind = match e.event {
                UpDown::Down => PlanKind::Down,
                UpDown::Up => PlanKind::Up,
            };
            plan.push(PlanEvent { time: SimTime(e.at.0), target: e.target, kind });
        }
    }
    plan.sort_by_key(|e| e.time); // stable: equal times keep generation order
    plan
}

/// The plan as CSV (`time_s,target,event`), for `dcsim failures`.
pub fn plan_csv(sc: &Scenario, plan: &[PlanEvent]) -> Vec<u8> {
    let names = TargetNames::of(&sc.cluster);
    let mut out = String::from("time_s,target,event\n");
    for e in plan {
        let kind = match e.kind {
            PlanKind::Down => "down",
            PlanKind::Up => "up",
            PlanKind::Drain => "drain",
            PlanKind::PlannedDown => "planned-down",
        };
        out.push_str(&format!("{},{},{kind}\n", e.time.as_secs_f64(), e.target.display(&names)));
    }
    out.into_bytes()
}

/// Reads a native failure trace (see the module comment). Errors are `file:line: message`.
pub fn read_native_trace(reader: impl BufRead, file: &str, names: &TargetNames) -> Result<Vec<ScheduledEvent>, String> {
    let mut out = Vec::new();
    let mut header_seen = false;
    each_line(reader, file, |n, line| {
        let line = line.trim();
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            return if n == 1 && cols == ["time", "target", "event"] {
                Ok(())
            } else {
                Err(format!("expected the header \"time,target,event\" on line 1, found \"{line}\""))
            };
        }
        if line.starts_with('#') {
            return Ok(());
        }
        if cols.len() != 3 {
            return Err(format!("expected 3 columns (time,target,event), found {}", cols.len()));
        }
        let at = match cols[0].parse::<f64>() {
            Ok(s) if s.is_finite() && s >= 0.0 => SimDuration::from_secs_f64(s),
            Ok(_) => return Err(format!("time \"{}\" must be zero or more", cols[0])),
            Err(_) => parse_duration(cols[0]).map_err(|e| format!("time \"{}\": expected {e}", cols[0]))?,
        };
        let target = Target::parse(cols[1], names).map_err(|e| format!("expected {e}"))?;
        let event = match cols[2] {
            "down" => UpDown::Down,
            "up" => UpDown::Up,
            other => return Err(format!("event \"{other}\": expected \"down\" or \"up\"")),
        };
        out.push(ScheduledEvent { at, target, event });
        Ok(())
    })?;
    if out.is_empty() && !file.is_empty() {
        return Err(format!("{file}: no events after the header"));
    }
    Ok(out)
}

/// Reads a Failure Trace Archive `event_trace` (see the module comment).
pub fn read_fta_trace(
    reader: impl BufRead,
    file: &str,
    agents: std::ops::Range<u32>,
    rebase: Option<i64>,
    horizon: SimDuration,
) -> Result<Vec<ScheduledEvent>, String> {
    // (node id, start, stop) of every down interval.
    let mut downs: Vec<(u64, f64, f64)> = Vec::new();
    let mut nodes: Vec<u64> = Vec::new();
    each_line(reader, file, |n, line| {
        if n == 1 {
            return Ok(()); // header
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 8 {
            return Err(format!(
                "expected at least 8 whitespace-separated columns (FTA event_trace), found {}",
                cols.len()
            ));
        }
        let num = |k: usize, what: &str| -> Result<f64, String> {
            cols[k]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("column {} ({what}) \"{}\" is not a number", k + 1, cols[k]))
        };
        let node =
            cols[2].parse::<u64>().map_err(|_| format!("column 3 (node_id) \"{}\" is not a node number", cols[2]))?;
        let kind = num(5, "event_type")?;
        let (start, stop) = (num(6, "event_start_time")?, num(7, "event_stop_time")?);
        if stop < start {
            return Err(format!("interval ends ({stop}) before it starts ({start})"));
        }
        nodes.push(node);
        match kind as i64 {
            0 => downs.push((node, start, stop)),
            1 => {}
            _ => return Err(format!("column 6 (event_type) is {kind}; expected 0 (down) or 1 (up)")),
        }
        Ok(())
    })?;
    nodes.sort_unstable();
    nodes.dedup();
    let slots = (agents.end - agents.start) as usize;
    nodes.truncate(slots);
    let agent_of = |node: u64| nodes.binary_search(&node).ok().map(|k| agents.start + k as u32);
    let origin = match rebase {
        Some(r) => r as f64,
        None => downs.iter().filter(|d| agent_of(d.0).is_some()).map(|d| d.1).fold(f64::INFINITY, f64::min),
    };
    let end = horizon.as_secs_f64();
    let mut out = Vec::new();
    for (node, start, stop) in downs {
        let Some(agent) = agent_of(node) else { continue };
        let (s, e) = (start - origin, stop - origin);
        if e <= 0.0 || s > end {
            continue;
        }
        out.push(ScheduledEvent {
            at: SimDuration::from_secs_f64(s.max(0.0)),
            target: Target::Agent(agent),
            event: UpDown::Down,
        });
        if e <= end {
            out.push(ScheduledEvent {
                at: SimDuration::from_secs_f64(e),
                target: Target::Agent(agent),
                event: UpDown::Up,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fta_reader_maps_nodes_and_rebases() {
        let text = "event_id component_id node_id platform_id node_name event_type event_start_time event_stop_time event_end_reason\n\
                    1 0 20 3 n20 1 1000 2000 1005\n\
                    2 0 20 3 n20 0 2000 2600 8000\n\
                    3 0 7 3 n7 0 1500\t1600 8000\n\
                    4 0 99 3 n99 0 1000 1100 8000\n";
        let ev = read_fta_trace(text.as_bytes(), "t.tab", 10..12, None, SimDuration::from_secs(10_000)).unwrap();
        // Nodes 7 and 20 map to agents 10 and 11; node 99 has no agent. Origin = 1500 (node 7).
        let got: Vec<(u64, Target, UpDown)> = ev.iter().map(|e| (e.at.0 / 1_000_000, e.target, e.event)).collect();
        assert_eq!(
            got,
            vec![
                (500, Target::Agent(11), UpDown::Down),
                (1100, Target::Agent(11), UpDown::Up),
                (0, Target::Agent(10), UpDown::Down),
                (100, Target::Agent(10), UpDown::Up),
            ]
        );
    }

    #[test]
    fn fta_reader_names_file_and_line_of_bad_rows() {
        let text = "header\n1 0 20 3 n20 1 1000 2000 1005\n2 0 x 3 n20 0 2000 2600 8000\n";
        let err = read_fta_trace(text.as_bytes(), "t.tab", 0..4, None, SimDuration::from_secs(10)).unwrap_err();
        assert!(err.starts_with("t.tab:3:") && err.contains("node_id"), "{err}");
    }
}
