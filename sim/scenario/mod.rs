//! Scenarios: a TOML file parsed into the raw layer (`raw`), validated into typed values here.
//!
//! Validation fills every default, converts human units to integers, loads empirical CSV columns,
//! and checks everything that can be known before a run: ranges, unique names, that each workload
//! fits on at least one eligible agent, that a service's replicas can all be placed under its
//! constraints. An error names the file, the field path (or the line and column, for parse errors),
//! what was found and what was expected. `to_resolved_toml` writes the typed scenario back with every
//! default filled in, so a run can be reproduced from its result directory alone.
//!
//! **Invariant:** a `Scenario` value is always valid: construct it through `Scenario::from_path` or
//! `Scenario::from_toml_str`. Code that changes a field (a `--seed` override, a test) keeps it valid.

pub mod raw;

use crate::dist::{Dist, DistShape, DistUnit};
use crate::resources::Resources;
use crate::time::{SimDuration, format_duration, parse_duration};
use crate::units::{
    format_bandwidth, format_bytes, format_cpus, parse_bandwidth, parse_bytes, parse_cpus_text, parse_rate,
};
use raw::*;
pub use raw::{
    AgentTraceFormat, Architecture, CommitMode, ConflictMode, FrameworkGrouping, Layout, PlacementKind, QueueKind,
    RawAxis, RawSweep, SpreadKind, TraceFormat, UpDown, WorkloadTraceFormat,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a scenario could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: field `{field}`: found {found}; expected {expected}")]
    Invalid { file: String, field: String, found: String, expected: String },
}

/// Attribute names every agent has implicitly; user attributes may not reuse them.
pub const IMPLICIT_ATTRIBUTES: [&str; 4] = ["group", "pool", "rack", "zone"];

/// A validated scenario; see the module comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Used as the results directory name. Invariant: `[A-Za-z0-9._-]+`.
    pub name: String,
    /// Root seed of every random stream. Invariant: <= i64::MAX (TOML integers are signed).
    pub seed: u64,
    /// Simulated time at which the run stops.
    pub horizon: SimDuration,
    /// Statistics ignore work submitted before, and time spent before, `warmup`. Invariant: < horizon.
    pub warmup: SimDuration,
    /// Period of `timeseries.csv` rows. Invariant: > 0.
    pub sample_interval: SimDuration,
    pub limits: Limits,
    pub cluster: ClusterSpec,
    pub scheduler: SchedulerSpec,
    /// Invariant: non-empty, unique names.
    pub workloads: Vec<WorkloadSpec>,
    pub failures: FailureSpec,
    /// Replayed workload traces; their rows, merged and sorted by time, are in `trace_rows`.
    pub workload_traces: Vec<WorkloadTraceSpec>,
    pub trace_rows: Arc<[TraceRow]>,
    pub layout: Layout,
    /// The silos (used when `layout` is siloed; kept when pooled so a layout can be switched).
    pub silos: Vec<SiloSpec>,
    /// The `[sweep]` section as written (sweeps rewrite the file, so it stays raw).
    pub sweep: Option<RawSweep>,
}

/// A silo: teams that run on their own agent groups, with their own scheduler.
#[derive(Debug, Clone, PartialEq)]
pub struct SiloSpec {
    pub name: String,
    pub teams: Vec<String>,
    /// Indexes into `cluster.groups`.
    pub groups: Vec<usize>,
}

/// Hours in a month (365 × 24 / 12), for monthly costs.
pub const HOURS_PER_MONTH: f64 = 730.0;

impl Scenario {
    /// Cost of the cluster per month, if any agent group has a price.
    pub fn cost_per_month(&self) -> Option<f64> {
        let priced = self.cluster.groups.iter().any(|g| g.price_per_hour.is_some());
        priced.then(|| {
            self.cluster.groups.iter().map(|g| g.count as f64 * g.price_per_hour.unwrap_or(0.0) * HOURS_PER_MONTH).sum()
        })
    }

    /// Sets of masters: one per silo when siloed, else one. Each has `cluster.masters` masters.
    pub fn master_sets(&self) -> u32 {
        if self.layout == Layout::Siloed { self.silos.len().max(1) as u32 } else { 1 }
    }

    /// The silo of workload `w` (siloed layout only).
    pub fn silo_of(&self, w: usize) -> Option<usize> {
        if self.layout != Layout::Siloed {
            return None;
        }
        self.silos.iter().position(|s| s.teams.contains(&self.workloads[w].team))
    }
}

/// A workload trace source as the scenario names it (paths made absolute so the resolved scenario
/// finds them from anywhere).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadTraceSpec {
    pub format: WorkloadTraceFormat,
    pub files: Vec<PathBuf>,
    pub job_events: Vec<PathBuf>,
    /// Google: the largest machine's capacity, to which requests are normalised.
    pub machine: Resources,
    pub prod_workload: Option<String>,
    pub batch_workload: Option<String>,
    /// Alibaba: container_meta, batch_task, batch_instance.
    pub alibaba: [Option<PathBuf>; 3],
}

/// One replayed action.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceRow {
    pub at: SimDuration,
    /// Index into `Scenario::workloads`.
    pub workload: u32,
    pub action: TraceAction,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TraceAction {
    /// A batch job of `tasks` tasks; per-task resources and duration override the workload's.
    Submit { tasks: u32, demand: Option<Resources>, duration: Option<SimDuration> },
    /// A service's replica count becomes `replicas` (`kill` is 0).
    Scale { replicas: u32 },
}

/// Bounds on a run; hitting one fails the run (exit 1) with a message naming the bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Events processed before the run is stopped as runaway.
    pub max_events: u64,
    /// Tasks waiting at once before the run is stopped as overloaded (the queue would grow forever).
    pub max_pending_tasks: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    /// Number of master nodes. Invariant: >= 1.
    pub masters: u32,
    /// Written groups first, then the groups built from `agent_traces`. Invariant: non-empty,
    /// unique names.
    pub groups: Vec<AgentGroupSpec>,
    pub agent_traces: Vec<AgentTraceSpec>,
    /// Up/down events of trace-built agents (global agent ids); part of the failure plan.
    pub trace_events: Vec<ScheduledEvent>,
}

/// A machine trace that builds agent groups (see `traces`).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentTraceSpec {
    pub format: AgentTraceFormat,
    pub file: PathBuf,
    pub name: String,
    pub machine: Resources,
    pub disk_b: u64,
    pub network_bytes_per_s: u64,
    pub pool: String,
    pub racks: u32,
    pub rebase_us: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentGroupSpec {
    pub name: String,
    /// Invariant: >= 1.
    pub count: u32,
    /// Capacity of each agent. Invariant: cpu and mem > 0.
    pub capacity: Resources,
    pub pool: String,
    /// Agents are split into `racks` racks of near-equal size, in id order. Invariant: 1..=count.
    pub racks: u32,
    /// Racks are split into `zones` zones the same way. Invariant: 1..=racks.
    pub zones: u32,
    pub attributes: BTreeMap<String, String>,
    /// Network bandwidth of each agent in each direction, bytes per second. Invariant: > 0.
    pub network_bytes_per_s: u64,
    /// Two-level: a static reservation of the group's agents for this framework.
    pub reserve: Option<String>,
    /// Price of one agent per hour. Invariant: finite and >= 0.
    pub price_per_hour: Option<f64>,
    /// Explicit racks of a group built from a machine trace: (rack name, zone name, agents), in
    /// agent order; `None` for groups written in the scenario (`racks`/`zones` split them evenly).
    pub layout: Option<Vec<(String, String, u32)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SchedulerSpec {
    pub architecture: Architecture,
    pub placement: PlacementKind,
    pub queue: QueueKind,
    /// Per-decision fixed cost (Omega's t_job); frameworks inherit it unless they set their own.
    pub t_job: SimDuration,
    /// Per-task cost of a decision (Omega's t_task).
    pub t_task: SimDuration,
    pub frameworks_by: FrameworkGrouping,
    /// Two-level: the allocator runs at most once per interval, and only when something changed.
    pub allocation_interval: SimDuration,
    /// Two-level: a declined agent is not offered to the same framework again for this long.
    pub refuse_seconds: SimDuration,
    /// Two-level: unanswered offers are rescinded after this; zero means never.
    pub offer_timeout: SimDuration,
    pub conflict: ConflictMode,
    pub commit: CommitMode,
    /// Shared-state and two-level: a job is abandoned after this many unsuccessful attempts.
    pub max_attempts: u32,
    /// Every framework, each with its workloads. Monolithic runs one scheduler for all of them.
    pub frameworks: Vec<FrameworkSpec>,
}

/// A framework: a scheduler of its own in the two-level and shared-state architectures.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkSpec {
    pub name: String,
    /// Indexes into `Scenario::workloads`. Invariant: every workload is in exactly one framework.
    pub workloads: Vec<u32>,
    /// DRF weight. Invariant: > 0.
    pub weight: f64,
    pub t_job: SimDuration,
    pub t_task: SimDuration,
    pub placement: PlacementKind,
    pub max_tasks_per_offer: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    pub name: String,
    pub team: String,
    /// Higher runs first under the `priority` queue.
    pub priority: i32,
    /// Per task (replica). Invariant: cpu and mem > 0, and fits on some eligible agent.
    pub demand: Resources,
    pub constraints: Constraints,
    pub kind: WorkloadKind,
    /// Made by a trace reader (Alibaba apps), not written in the scenario; the resolved scenario
    /// leaves it out since the trace makes it again.
    pub generated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadKind {
    Service(ServiceSpec),
    Batch(BatchSpec),
    Store(StoreSpec),
}

/// A sharded, replicated data store (Cassandra, Kafka, HDFS, Elasticsearch).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreSpec {
    /// Invariant: >= 1.
    pub shards: u32,
    /// Replicas per shard; replicas of one shard never share an agent. Invariant: >= 1.
    pub replication: u32,
    /// Live replicas a shard needs to be available. Invariant: 1..=replication.
    pub quorum: u32,
    /// Bytes copied to rebuild one replica.
    pub data_per_shard: u64,
    /// How long after a replica's agent is declared lost the store waits for it before replacing it.
    pub replace_after: SimDuration,
    /// From placement (or restart in place) to the replica serving, in seconds.
    pub startup: Dist,
}

/// The `[failures]` section, validated. Everything is reproducible from the seed: generated
/// failures come from their own streams, traces are read into `scheduled`.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureSpec {
    /// Mesos `agent_ping_timeout`.
    pub agent_ping_timeout: SimDuration,
    /// Mesos `max_agent_ping_timeouts`; an agent is declared lost after timeout x this.
    pub max_missed_pings: u32,
    pub agents: Vec<AgentFailureSpec>,
    pub racks: Option<UpDownSpec>,
    pub zones: Option<UpDownSpec>,
    pub masters: MasterFailureSpec,
    pub maintenance: Option<MaintenanceSpec>,
    /// Inline events and replayed traces, in file order (the plan sorts them by time, stably).
    pub scheduled: Vec<ScheduledEvent>,
}

impl FailureSpec {
    /// Time from an agent's failure to the master declaring it lost.
    pub fn detection_delay(&self) -> SimDuration {
        self.agent_ping_timeout.checked_mul(self.max_missed_pings as u64).expect("detection delay overflows")
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
            && self.racks.is_none()
            && self.zones.is_none()
            && self.masters.ttf.is_none()
            && self.maintenance.is_none()
            && self.scheduled.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentFailureSpec {
    /// Index of the agent group; all agents when `None`.
    pub group: Option<usize>,
    /// Time to failure and time to repair, in seconds.
    pub ttf: Dist,
    pub ttr: Dist,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpDownSpec {
    pub ttf: Dist,
    pub ttr: Dist,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MasterFailureSpec {
    /// Each master fails and is repaired independently when both are given.
    pub ttf: Option<Dist>,
    pub ttr: Option<Dist>,
    /// From losing the leader to a new leader, when another master is up.
    pub leader_election: SimDuration,
}

/// Rolling maintenance: from `start`, every `interval`, the next `batch` agents (in id order,
/// wrapping around) are drained, then taken down for `duration`.
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceSpec {
    pub group: Option<usize>,
    pub start: SimDuration,
    /// Invariant: > 0.
    pub interval: SimDuration,
    /// Invariant: >= 1.
    pub batch: u32,
    /// Work still on a draining agent after this is killed and the agent goes down.
    pub drain_timeout: SimDuration,
    /// Invariant: > 0.
    pub duration: SimDuration,
}

/// What a failure event hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// Global agent index.
    Agent(u32),
    /// Global rack index (racks numbered group by group).
    Rack(u32),
    Zone(u32),
    Master(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledEvent {
    pub at: SimDuration,
    pub target: Target,
    pub event: UpDown,
}

/// One rack of the cluster layout.
#[derive(Debug, Clone, PartialEq)]
pub struct RackLayout {
    pub name: String,
    pub group: u32,
    /// Index into `zone_names`.
    pub zone: u32,
    /// Global agent ids.
    pub agents: std::ops::Range<u32>,
}

/// The cluster's racks in global order, and its zone names. Agents are numbered group by group; a
/// written group is cut into `racks` near-equal runs `<group>-r<k>`, rack k in zone
/// `z<k * zones / racks>` (zones are shared across groups); a trace-built group has explicit racks
/// and zone names. Zones are indexed in order of first appearance. `Cluster` and failure targets
/// both use this, so names and indices agree.
pub fn rack_layout(cluster: &ClusterSpec) -> (Vec<RackLayout>, Vec<String>) {
    let mut racks = Vec::new();
    let mut zones: Vec<String> = Vec::new();
    let zone_index = |name: String, zones: &mut Vec<String>| -> u32 {
        match zones.iter().position(|z| *z == name) {
            Some(i) => i as u32,
            None => {
                zones.push(name);
                zones.len() as u32 - 1
            }
        }
    };
    let mut start = 0u32;
    for (gi, g) in cluster.groups.iter().enumerate() {
        match &g.layout {
            Some(layout) => {
                let mut lo = start;
                for (rack, zone, count) in layout {
                    let zone = zone_index(zone.clone(), &mut zones);
                    racks.push(RackLayout { name: rack.clone(), group: gi as u32, zone, agents: lo..lo + count });
                    lo += count;
                }
            }
            None => {
                for r in 0..g.racks {
                    let lo = start + (r as u64 * g.count as u64 / g.racks as u64) as u32;
                    let hi = start + ((r as u64 + 1) * g.count as u64 / g.racks as u64) as u32;
                    let z = (r as u64 * g.zones as u64 / g.racks as u64) as u32;
                    let zone = zone_index(format!("z{z}"), &mut zones);
                    racks.push(RackLayout { name: format!("{}-r{r}", g.name), group: gi as u32, zone, agents: lo..hi });
                }
            }
        }
        start += g.count;
    }
    (racks, zones)
}

/// Rack names in global rack order.
pub fn rack_names(cluster: &ClusterSpec) -> Vec<String> {
    rack_layout(cluster).0.into_iter().map(|r| r.name).collect()
}

/// Number of zones.
pub fn zone_count(cluster: &ClusterSpec) -> u32 {
    rack_layout(cluster).1.len() as u32
}

impl Target {
    /// The target as written in scenarios and traces: `agent:<index>`, `rack:<name>`,
    /// `zone:z<k>`, `master:<index>`.
    pub fn display(&self, names: &TargetNames) -> String {
        match self {
            Target::Agent(a) => format!("agent:{a}"),
            Target::Rack(r) => format!("rack:{}", names.racks[*r as usize]),
            Target::Zone(z) => format!("zone:{}", names.zones[*z as usize]),
            Target::Master(m) => format!("master:{m}"),
        }
    }

    /// Parses a target against the cluster's names; the error says what was expected.
    pub fn parse(text: &str, names: &TargetNames) -> Result<Target, String> {
        let (agents, masters) = (names.agents, names.masters);
        let (kind, name) = text.trim().split_once(':').ok_or_else(|| {
            format!("a target agent:<0..{agents}>, rack:<name>, zone:<name> or master:<0..{masters}>; found \"{text}\"")
        })?;
        let index = |n: &str, bound: u64, what: &str| -> Result<u32, String> {
            n.parse::<u64>()
                .ok()
                .filter(|&i| i < bound)
                .map(|i| i as u32)
                .ok_or_else(|| format!("{what} index below {bound}; found \"{text}\""))
        };
        let by_name = |list: &[String], what: &str| {
            list.iter().position(|r| r == name).map(|i| i as u32).ok_or_else(|| {
                format!("a known {what} (e.g. {}); found \"{text}\"", list.first().map_or("", String::as_str))
            })
        };
        match kind {
            "agent" => index(name, agents, "an agent").map(Target::Agent),
            "master" => index(name, masters as u64, "a master").map(Target::Master),
            "zone" => by_name(&names.zones, "zone").map(Target::Zone),
            "rack" => by_name(&names.racks, "rack").map(Target::Rack),
            _ => Err(format!("a target kind agent, rack, zone or master; found \"{text}\"")),
        }
    }
}

/// The names failure targets refer to.
#[derive(Debug, Clone)]
pub struct TargetNames {
    pub racks: Vec<String>,
    pub zones: Vec<String>,
    pub agents: u64,
    pub masters: u32,
}

impl TargetNames {
    pub fn of(cluster: &ClusterSpec) -> TargetNames {
        let (racks, zones) = rack_layout(cluster);
        TargetNames {
            racks: racks.into_iter().map(|r| r.name).collect(),
            zones,
            agents: cluster.groups.iter().map(|g| g.count as u64).sum(),
            masters: cluster.masters,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSpec {
    /// Replicas at the start (the autoscaler or a trace may change them). Invariant: >= 1.
    pub replicas: u32,
    /// Boot time: from the image being available on the agent to the replica being ready, seconds.
    pub startup: Dist,
    /// Container image; agents cache pulled images.
    pub image: Option<String>,
    /// Image pull time on an agent without the image, seconds.
    pub pull: Dist,
    pub load: Option<LoadSpec>,
    /// Requests per second a replica serves at full utilisation. Invariant: > 0 when `load` is set.
    pub rps_per_replica: f64,
    pub autoscaler: Option<AutoscalerSpec>,
}

/// A service's request rate over time (requests per second), piecewise constant.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadSpec {
    /// Rate `rps` from `at` until the next step; 0 before the first.
    Steps(Arc<[(SimDuration, f64)]>),
    /// trough + (peak - trough) * (1 + cos(2 pi (t - peak_at) / period)) / 2, evaluated every
    /// `step`, times (1 + noise * N(0, 1)) (drawn from the stream `workload/<name>/load`), times the
    /// factor of any spike covering t.
    Diurnal {
        peak: f64,
        trough: f64,
        period: SimDuration,
        peak_at: SimDuration,
        step: SimDuration,
        noise: f64,
        spikes: Vec<Spike>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spike {
    pub at: SimDuration,
    pub duration: SimDuration,
    pub factor: f64,
}

/// Kubernetes HPA: every `period`, desired = ceil(rps / (rps_per_replica * target_utilization));
/// scale up to the lowest recommendation of the last `scale_up_window`, at most `max_step` more
/// replicas per evaluation; scale down to the highest recommendation of the last
/// `scale_down_window`; always within `min..=max`.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoscalerSpec {
    pub period: SimDuration,
    pub target_utilization: f64,
    pub scale_up_window: SimDuration,
    pub scale_down_window: SimDuration,
    pub min: u32,
    pub max: u32,
    pub max_step: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchSpec {
    pub arrival: Arrival,
    /// Tasks per job; samples are rounded and clamped to 1..=MAX_TASKS_PER_JOB.
    pub tasks_per_job: Dist,
    /// Task run time in seconds; negative samples are clamped to zero.
    pub duration: Dist,
    /// First arrival is at or after `start`.
    pub start: SimDuration,
    /// No arrivals at or after `stop`. Invariant: start < stop <= horizon.
    pub stop: SimDuration,
}

/// Upper clamp of a sampled tasks-per-job count, so that a heavy-tailed distribution cannot ask
/// for an unbounded job.
pub const MAX_TASKS_PER_JOB: u32 = 1_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Arrival {
    /// Poisson process. Invariant: rate > 0.
    Poisson { rate_per_s: f64 },
    /// Deterministic arrivals every `every`. Invariant: > 0.
    Interval { every: SimDuration },
    /// Jobs come only from workload traces.
    Trace,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// At most this many tasks of the workload on one agent.
    pub max_per_agent: Option<u32>,
    pub spread: Option<SpreadKind>,
    pub attributes: Vec<AttrConstraint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttrConstraint {
    pub name: String,
    pub op: AttrOp,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrOp {
    Equals,
    NotEquals,
}

impl WorkloadSpec {
    pub fn is_batch(&self) -> bool {
        matches!(self.kind, WorkloadKind::Batch(_))
    }
}

impl AgentGroupSpec {
    /// The value of attribute `name` on this group's agents, implicit ones included (`rack` and
    /// `zone` vary inside a group and are not group attributes).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        match name {
            "group" => Some(&self.name),
            "pool" => Some(&self.pool),
            _ => self.attributes.get(name).map(String::as_str),
        }
    }
}

impl Constraints {
    /// True if agents of `group` satisfy the attribute constraints (rack and zone aside).
    pub fn admits_group(&self, group: &AgentGroupSpec) -> bool {
        self.attributes.iter().all(|c| {
            let v = group.attribute(&c.name);
            match c.op {
                AttrOp::Equals => v == Some(c.value.as_str()),
                AttrOp::NotEquals => v != Some(c.value.as_str()),
            }
        })
    }
}

impl Scenario {
    /// Reads and validates a scenario file. Relative paths inside it (empirical CSV files) are
    /// resolved against the file's directory.
    pub fn from_path(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io { file: file.clone(), source })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Scenario::from_toml_str(&text, &file, &base)
    }

    /// Parses and validates scenario text. `file` names it in messages; `base_dir` resolves
    /// relative paths.
    pub fn from_toml_str(text: &str, file: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        Validator { file, base_dir }.scenario(&raw)
    }

    /// The scenario with every default filled in, as TOML. Parsing it gives back an equal
    /// `Scenario`; empirical distributions are written inline so the file stands alone.
    pub fn to_resolved_toml(&self) -> String {
        let raw = self.to_raw();
        let body = toml::to_string(&raw).expect("a resolved scenario always serializes");
        format!("# Resolved scenario written by dcsim {}: every default filled in.\n{body}", crate::VERSION)
    }

    fn to_raw(&self) -> RawScenario {
        RawScenario {
            name: self.name.clone(),
            seed: Some(self.seed),
            horizon: format_duration(self.horizon),
            warmup: Some(format_duration(self.warmup)),
            sample_interval: Some(format_duration(self.sample_interval)),
            limits: Some(RawLimits {
                max_events: Some(self.limits.max_events),
                max_pending_tasks: Some(self.limits.max_pending_tasks),
            }),
            cluster: RawCluster {
                masters: Some(self.cluster.masters),
                agent_traces: self
                    .cluster
                    .agent_traces
                    .iter()
                    .map(|t| RawAgentTrace {
                        format: t.format,
                        file: t.file.display().to_string(),
                        name: Some(t.name.clone()),
                        machine_cpus: (t.format == AgentTraceFormat::Google2011).then(|| cpus_value(t.machine.cpu_m)),
                        machine_mem: format_bytes(t.machine.mem_b),
                        disk: Some(format_bytes(t.disk_b)),
                        network: Some(format_bandwidth(t.network_bytes_per_s)),
                        pool: Some(t.pool.clone()),
                        racks: Some(t.racks),
                        rebase_us: Some(t.rebase_us),
                    })
                    .collect(),
                agents: self
                    .cluster
                    .groups
                    .iter()
                    .filter(|g| g.layout.is_none())
                    .map(|g| RawAgentGroup {
                        name: g.name.clone(),
                        count: g.count,
                        cpus: cpus_value(g.capacity.cpu_m),
                        mem: format_bytes(g.capacity.mem_b),
                        disk: Some(format_bytes(g.capacity.disk_b)),
                        pool: Some(g.pool.clone()),
                        racks: Some(g.racks),
                        zones: Some(g.zones),
                        attributes: Some(g.attributes.clone()),
                        network: Some(format_bandwidth(g.network_bytes_per_s)),
                        reserve: g.reserve.clone(),
                        price_per_hour: g.price_per_hour,
                    })
                    .collect(),
            },
            scheduler: Some({
                let sc = &self.scheduler;
                RawScheduler {
                    architecture: Some(sc.architecture),
                    frameworks_by: Some(sc.frameworks_by),
                    allocation_interval: Some(format_duration(sc.allocation_interval)),
                    refuse_seconds: Some(format_duration(sc.refuse_seconds)),
                    offer_timeout: Some(format_duration(sc.offer_timeout)),
                    conflict: Some(sc.conflict),
                    commit: Some(sc.commit),
                    max_attempts: Some(sc.max_attempts),
                    frameworks: sc
                        .frameworks
                        .iter()
                        .map(|f| RawFramework {
                            name: f.name.clone(),
                            weight: Some(f.weight),
                            t_job: Some(format_duration(f.t_job)),
                            t_task: Some(format_duration(f.t_task)),
                            placement: Some(f.placement),
                            max_tasks_per_offer: f.max_tasks_per_offer,
                        })
                        .collect(),
                    placement: Some(sc.placement),
                    queue: Some(sc.queue),
                    t_job: Some(format_duration(sc.t_job)),
                    t_task: Some(format_duration(sc.t_task)),
                }
            }),
            workloads: self.workloads.iter().filter(|w| !w.generated).map(workload_to_raw).collect(),
            failures: Some(self.failures_to_raw()),
            layout: Some(self.layout),
            silos: self
                .silos
                .iter()
                .map(|s| RawSilo {
                    name: s.name.clone(),
                    teams: s.teams.clone(),
                    agents: s.groups.iter().map(|&g| self.cluster.groups[g].name.clone()).collect(),
                })
                .collect(),
            sweep: self.sweep.clone(),
            workload_traces: self
                .workload_traces
                .iter()
                .map(|t| RawWorkloadTrace {
                    format: t.format,
                    file: (t.format == WorkloadTraceFormat::Native).then(|| t.files[0].display().to_string()),
                    task_events: if t.format == WorkloadTraceFormat::Google2011 {
                        t.files.iter().map(|p| p.display().to_string()).collect()
                    } else {
                        Vec::new()
                    },
                    job_events: t.job_events.iter().map(|p| p.display().to_string()).collect(),
                    machine_cpus: (t.format == WorkloadTraceFormat::Google2011).then(|| cpus_value(t.machine.cpu_m)),
                    machine_mem: (t.format != WorkloadTraceFormat::Native).then(|| format_bytes(t.machine.mem_b)),
                    prod_workload: t.prod_workload.clone(),
                    batch_workload: t.batch_workload.clone(),
                    container_meta: t.alibaba[0].as_ref().map(|p| p.display().to_string()),
                    batch_task: t.alibaba[1].as_ref().map(|p| p.display().to_string()),
                    batch_instance: t.alibaba[2].as_ref().map(|p| p.display().to_string()),
                })
                .collect(),
        }
    }

    fn failures_to_raw(&self) -> RawFailures {
        let f = &self.failures;
        let group_name = |g: Option<usize>| g.map(|i| self.cluster.groups[i].name.clone());
        let names = TargetNames::of(&self.cluster);
        RawFailures {
            agent_ping_timeout: Some(format_duration(f.agent_ping_timeout)),
            max_missed_pings: Some(f.max_missed_pings),
            agents: f
                .agents
                .iter()
                .map(|a| RawAgentFailures {
                    group: group_name(a.group),
                    ttf: dist_to_raw(&a.ttf),
                    ttr: dist_to_raw(&a.ttr),
                })
                .collect(),
            racks: f.racks.as_ref().map(|r| RawUpDown { ttf: dist_to_raw(&r.ttf), ttr: dist_to_raw(&r.ttr) }),
            zones: f.zones.as_ref().map(|r| RawUpDown { ttf: dist_to_raw(&r.ttf), ttr: dist_to_raw(&r.ttr) }),
            masters: Some(RawMasterFailures {
                ttf: f.masters.ttf.as_ref().map(dist_to_raw),
                ttr: f.masters.ttr.as_ref().map(dist_to_raw),
                leader_election: Some(format_duration(f.masters.leader_election)),
            }),
            maintenance: f.maintenance.as_ref().map(|m| RawMaintenance {
                group: group_name(m.group),
                start: Some(format_duration(m.start)),
                interval: format_duration(m.interval),
                batch: m.batch,
                drain_timeout: format_duration(m.drain_timeout),
                duration: format_duration(m.duration),
            }),
            scheduled: f
                .scheduled
                .iter()
                .map(|e| RawScheduledEvent {
                    at: format_duration(e.at),
                    target: e.target.display(&names),
                    event: e.event,
                })
                .collect(),
            traces: Vec::new(),
        }
    }

    /// Total number of agents.
    pub fn agent_count(&self) -> u64 {
        self.cluster.groups.iter().map(|g| g.count as u64).sum()
    }
}

/// Global agent ids of group `group` (all agents when `None`).
pub fn agent_range(cluster: &ClusterSpec, group: Option<usize>) -> std::ops::Range<u32> {
    let mut start = 0u32;
    for (i, g) in cluster.groups.iter().enumerate() {
        if Some(i) == group {
            return start..start + g.count;
        }
        start += g.count;
    }
    0..start
}

fn cpus_value(milli: u64) -> toml::Value {
    if milli % 1000 == 0 {
        toml::Value::Integer((milli / 1000) as i64)
    } else {
        toml::Value::String(format_cpus(milli))
    }
}

/// `[[workloads]]` tables for `workloads`, as in a resolved scenario (used by `dcsim import` to
/// write the services an Alibaba trace defines).
pub fn workloads_toml(workloads: &[WorkloadSpec]) -> String {
    #[derive(serde::Serialize)]
    struct Doc {
        workloads: Vec<RawWorkload>,
    }
    toml::to_string(&Doc { workloads: workloads.iter().map(workload_to_raw).collect() }).expect("workloads serialize")
}

fn workload_to_raw(w: &WorkloadSpec) -> RawWorkload {
    let mut r = RawWorkload {
        kind: WorkloadKindTag::Service,
        name: w.name.clone(),
        team: Some(w.team.clone()),
        priority: Some(w.priority),
        cpus: cpus_value(w.demand.cpu_m),
        mem: format_bytes(w.demand.mem_b),
        disk: Some(format_bytes(w.demand.disk_b)),
        constraints: Some(RawConstraints {
            max_per_agent: w.constraints.max_per_agent,
            spread: Some(w.constraints.spread.unwrap_or(SpreadKind::None)),
            attributes: w
                .constraints
                .attributes
                .iter()
                .map(|c| RawAttrConstraint {
                    name: c.name.clone(),
                    equals: (c.op == AttrOp::Equals).then(|| c.value.clone()),
                    not_equals: (c.op == AttrOp::NotEquals).then(|| c.value.clone()),
                })
                .collect(),
        }),
        replicas: None,
        startup: None,
        arrival: None,
        tasks_per_job: None,
        duration: None,
        start: None,
        stop: None,
        shards: None,
        replication: None,
        quorum: None,
        data_per_shard: None,
        replace_after: None,
        image: None,
        pull: None,
        load: None,
        rps_per_replica: None,
        autoscaler: None,
    };
    match &w.kind {
        WorkloadKind::Service(s) => {
            r.replicas = Some(s.replicas);
            r.startup = Some(dist_to_raw(&s.startup));
            r.image = s.image.clone();
            r.pull = Some(dist_to_raw(&s.pull));
            if s.load.is_some() {
                r.rps_per_replica = Some(s.rps_per_replica);
            }
            r.load = s.load.as_ref().map(|l| match l {
                LoadSpec::Steps(steps) => {
                    RawLoad::Steps { steps: steps.iter().map(|(t, v)| (t.as_secs_f64(), *v)).collect() }
                }
                LoadSpec::Diurnal { peak, trough, period, peak_at, step, noise, spikes } => RawLoad::Diurnal {
                    peak: *peak,
                    trough: *trough,
                    period: Some(format_duration(*period)),
                    peak_at: Some(format_duration(*peak_at)),
                    step: Some(format_duration(*step)),
                    noise: Some(*noise),
                    spikes: spikes
                        .iter()
                        .map(|k| RawSpike {
                            at: format_duration(k.at),
                            duration: format_duration(k.duration),
                            factor: k.factor,
                        })
                        .collect(),
                },
            });
            r.autoscaler = s.autoscaler.as_ref().map(|a| RawAutoscaler {
                period: Some(format_duration(a.period)),
                target_utilization: Some(a.target_utilization),
                scale_up_window: Some(format_duration(a.scale_up_window)),
                scale_down_window: Some(format_duration(a.scale_down_window)),
                min: Some(a.min),
                max: Some(a.max),
                max_step: Some(a.max_step),
            });
        }
        WorkloadKind::Batch(b) => {
            r.kind = WorkloadKindTag::Batch;
            r.arrival = Some(match &b.arrival {
                // Rates are written per second with the shortest text that round-trips exactly.
                Arrival::Poisson { rate_per_s } => RawArrival::Poisson { rate: format!("{rate_per_s:?}/s") },
                Arrival::Interval { every } => RawArrival::Interval { every: format_duration(*every) },
                Arrival::Trace => RawArrival::Trace {},
            });
            r.tasks_per_job = Some(dist_to_raw(&b.tasks_per_job));
            r.duration = Some(dist_to_raw(&b.duration));
            r.start = Some(format_duration(b.start));
            r.stop = Some(format_duration(b.stop));
        }
        WorkloadKind::Store(st) => {
            r.kind = WorkloadKindTag::Store;
            r.shards = Some(st.shards);
            r.replication = Some(st.replication);
            r.quorum = Some(toml::Value::Integer(st.quorum as i64));
            r.data_per_shard = Some(format_bytes(st.data_per_shard));
            r.replace_after = Some(format_duration(st.replace_after));
            r.startup = Some(dist_to_raw(&st.startup));
        }
    }
    r
}

fn dist_to_raw(d: &Dist) -> RawDist {
    let q = |v: f64| -> toml::Value {
        match d.unit {
            DistUnit::Seconds => toml::Value::String(format_duration(SimDuration::from_secs_f64(v))),
            DistUnit::Count => toml::Value::Float(v),
        }
    };
    match &d.shape {
        DistShape::Constant { value } => RawDist::Constant { value: q(*value) },
        DistShape::Uniform { low, high } => RawDist::Uniform { low: q(*low), high: q(*high) },
        DistShape::Exponential { mean } => RawDist::Exponential { mean: q(*mean) },
        DistShape::Normal { mean, stddev } => RawDist::Normal { mean: q(*mean), stddev: q(*stddev) },
        DistShape::LogNormal { mean, stddev } => RawDist::Lognormal { mean: q(*mean), stddev: q(*stddev) },
        DistShape::Weibull { shape, scale } => RawDist::Weibull { shape: *shape, scale: q(*scale) },
        DistShape::Pareto { shape, scale } => RawDist::Pareto { shape: *shape, scale: q(*scale) },
        DistShape::Empirical { values } => {
            RawDist::Empirical { values: Some(values.iter().map(|v| q(*v)).collect()), file: None, column: None }
        }
    }
}

/// Turns the raw layer into typed values, naming `file` and the field path in every error.
struct Validator<'a> {
    file: &'a str,
    base_dir: &'a Path,
}

type R<T> = Result<T, ScenarioError>;

impl Validator<'_> {
    fn invalid(&self, field: impl Into<String>, found: impl Display, expected: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.to_string(),
            field: field.into(),
            found: found.to_string(),
            expected: expected.into(),
        }
    }

    /// A field that must be given.
    fn required<'v, T>(&self, field: &str, v: Option<&'v T>, expected: &str) -> R<&'v T> {
        v.ok_or_else(|| self.invalid(field, "nothing", expected))
    }

    fn duration(&self, field: &str, text: &str) -> R<SimDuration> {
        parse_duration(text).map_err(|e| self.invalid(field, format!("\"{text}\""), e))
    }

    fn bytes(&self, field: &str, text: &str) -> R<u64> {
        parse_bytes(text).map_err(|e| self.invalid(field, format!("\"{text}\""), e))
    }

    fn cpus(&self, field: &str, v: &toml::Value) -> R<u64> {
        let text = match v {
            toml::Value::Integer(i) if *i >= 0 => i.to_string(),
            toml::Value::Float(f) if *f >= 0.0 && f.is_finite() => format!("{f}"),
            toml::Value::String(s) => s.clone(),
            other => {
                return Err(self.invalid(field, other, "a positive CPU count such as 2 or \"1.5\""));
            }
        };
        let m = parse_cpus_text(&text).map_err(|e| self.invalid(field, v, e))?;
        if m == 0 {
            return Err(self.invalid(field, v, "more than zero CPUs"));
        }
        Ok(m)
    }

    fn name(&self, field: &str, name: &str) -> R<()> {
        let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if ok {
            Ok(())
        } else {
            Err(self.invalid(field, format!("\"{name}\""), "a non-empty name of letters, digits, '.', '_' or '-'"))
        }
    }

    fn scenario(&self, raw: &RawScenario) -> R<Scenario> {
        self.name("name", &raw.name)?;
        let seed = raw.seed.unwrap_or(1);
        if seed > i64::MAX as u64 {
            return Err(self.invalid("seed", seed, "a seed from 0 to 9223372036854775807"));
        }
        let horizon = self.duration("horizon", &raw.horizon)?;
        if horizon.0 == 0 {
            return Err(self.invalid("horizon", "\"0s\"", "a horizon longer than zero"));
        }
        let warmup = match &raw.warmup {
            Some(w) => self.duration("warmup", w)?,
            None => SimDuration::ZERO,
        };
        if warmup >= horizon {
            return Err(self.invalid(
                "warmup",
                format_duration(warmup),
                format!("less than the horizon ({})", format_duration(horizon)),
            ));
        }
        let sample_interval = match &raw.sample_interval {
            Some(s) => self.duration("sample_interval", s)?,
            None => SimDuration::from_secs(60),
        };
        if sample_interval.0 == 0 || horizon.0 / sample_interval.0 > 10_000_000 {
            return Err(self.invalid(
                "sample_interval",
                format_duration(sample_interval),
                "a positive interval giving at most 10,000,000 samples over the horizon",
            ));
        }
        let limits = Limits {
            max_events: raw.limits.as_ref().and_then(|l| l.max_events).unwrap_or(1_000_000_000),
            max_pending_tasks: raw.limits.as_ref().and_then(|l| l.max_pending_tasks).unwrap_or(10_000_000),
        };
        if limits.max_events == 0 || limits.max_pending_tasks == 0 {
            return Err(self.invalid("limits", "a zero limit", "limits of at least 1"));
        }
        let cluster = self.cluster(&raw.cluster)?;
        let scheduler = self.scheduler(raw.scheduler.as_ref())?;
        if raw.workloads.is_empty() {
            return Err(self.invalid("workloads", "no [[workloads]] table", "at least one workload"));
        }
        let mut names = BTreeSet::new();
        let mut workloads = Vec::with_capacity(raw.workloads.len());
        for (i, w) in raw.workloads.iter().enumerate() {
            let wl = self.workload(i, w, horizon, &cluster)?;
            if !names.insert(wl.name.clone()) {
                return Err(self.invalid(
                    format!("workloads[{i}].name"),
                    format!("\"{}\" a second time", wl.name),
                    "unique workload names",
                ));
            }
            workloads.push(wl);
        }
        // Under the siloed layout every silo has its own masters, numbered silo by silo.
        let master_sets = if raw.layout == Some(Layout::Siloed) { raw.silos.len().max(1) as u32 } else { 1 };
        let failures = self.failures(raw.failures.as_ref(), &cluster, horizon, master_sets)?;
        let (workload_traces, trace_rows) = self.workload_traces(&raw.workload_traces, &mut workloads, &cluster)?;
        let mut scheduler = scheduler;
        scheduler.frameworks = self.frameworks(raw.scheduler.as_ref(), &scheduler, &workloads)?;
        let layout = raw.layout.unwrap_or(Layout::Pooled);
        let silos = self.silos(&raw.silos, &cluster, &workloads, layout)?;
        if let Some(sw) = &raw.sweep {
            if sw.axes.is_empty() || sw.axes.iter().any(|a| a.values.is_empty()) || sw.seeds == Some(0) {
                return Err(self.invalid(
                    "sweep",
                    "an empty axis, no axes or zero seeds",
                    "at least one axis, each with values, and at least one seed",
                ));
            }
        }
        for (i, g) in cluster.groups.iter().enumerate() {
            if let Some(r) = &g.reserve {
                if !scheduler.frameworks.iter().any(|f| &f.name == r) {
                    let names: Vec<&str> = scheduler.frameworks.iter().map(|f| f.name.as_str()).collect();
                    return Err(self.invalid(
                        format!("cluster.agents[{i}].reserve"),
                        format!("\"{r}\""),
                        format!("one of the frameworks {names:?}"),
                    ));
                }
            }
        }
        Ok(Scenario {
            name: raw.name.clone(),
            seed,
            horizon,
            warmup,
            sample_interval,
            limits,
            cluster,
            scheduler,
            workloads,
            failures,
            workload_traces,
            trace_rows,
            layout,
            silos,
            sweep: raw.sweep.clone(),
        })
    }

    fn cluster(&self, raw: &RawCluster) -> R<ClusterSpec> {
        let masters = raw.masters.unwrap_or(3);
        if masters == 0 {
            return Err(self.invalid("cluster.masters", 0, "at least one master"));
        }

        let mut groups = Vec::new();
        let mut names = BTreeSet::new();
        let mut total: u64 = 0;
        for (i, g) in raw.agents.iter().enumerate() {
            let f = |s: &str| format!("cluster.agents[{i}].{s}");
            self.name(&f("name"), &g.name)?;
            if !names.insert(g.name.clone()) {
                return Err(self.invalid(
                    f("name"),
                    format!("\"{}\" a second time", g.name),
                    "unique agent group names",
                ));
            }
            if g.count == 0 {
                return Err(self.invalid(f("count"), 0, "at least one agent"));
            }
            total += g.count as u64;
            let cpu_m = self.cpus(&f("cpus"), &g.cpus)?;
            let mem_b = self.bytes(&f("mem"), &g.mem)?;
            if mem_b == 0 {
                return Err(self.invalid(f("mem"), format!("\"{}\"", g.mem), "more than zero memory"));
            }
            let disk_b = match &g.disk {
                Some(d) => self.bytes(&f("disk"), d)?,
                None => 0,
            };
            let racks = g.racks.unwrap_or(1);
            if racks == 0 || racks > g.count {
                return Err(self.invalid(f("racks"), racks, format!("from 1 to the group's count ({})", g.count)));
            }
            let zones = g.zones.unwrap_or(1);
            if zones == 0 || zones > racks {
                return Err(self.invalid(f("zones"), zones, format!("from 1 to the group's racks ({racks})")));
            }
            let pool = g.pool.clone().unwrap_or_else(|| "default".into());
            self.name(&f("pool"), &pool)?;
            let attributes = g.attributes.clone().unwrap_or_default();
            if let Some(k) = attributes.keys().find(|k| IMPLICIT_ATTRIBUTES.contains(&k.as_str())) {
                return Err(self.invalid(
                    f(&format!("attributes.{k}")),
                    k,
                    "an attribute name other than group, pool, rack and zone, which every agent has",
                ));
            }
            let network_bytes_per_s = match &g.network {
                Some(n) => parse_bandwidth(n).map_err(|e| self.invalid(f("network"), format!("\"{n}\""), e))?,
                None => 1_250_000_000, // 10 Gbps
            };
            groups.push(AgentGroupSpec {
                name: g.name.clone(),
                count: g.count,
                capacity: Resources::new(cpu_m, mem_b, disk_b),
                pool,
                racks,
                zones,
                attributes,
                network_bytes_per_s,
                layout: None,
                reserve: g.reserve.clone(),
                price_per_hour: match g.price_per_hour {
                    Some(p) if !(p.is_finite() && p >= 0.0) => {
                        return Err(self.invalid(f("price_per_hour"), p, "a price of zero or more per agent-hour"));
                    }
                    p => p,
                },
            });
        }
        let mut agent_traces = Vec::new();
        let mut trace_events = Vec::new();
        for (i, t) in raw.agent_traces.iter().enumerate() {
            let f = |s: &str| format!("cluster.agent_traces[{i}].{s}");
            let path = self.base_dir.join(&t.file);
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            let cpu_m = match (&t.machine_cpus, t.format) {
                (Some(v), _) => self.cpus(&f("machine_cpus"), v)?,
                (None, AgentTraceFormat::Google2011) => {
                    return Err(self.invalid(f("machine_cpus"), "nothing", "the CPUs of the largest machine"));
                }
                (None, AgentTraceFormat::Alibaba2018) => 0,
            };
            let name = t.name.clone().unwrap_or_else(|| format!("{:?}", t.format).to_lowercase());
            self.name(&f("name"), &name)?;
            let spec = AgentTraceSpec {
                format: t.format,
                file: path,
                name,
                machine: Resources::new(cpu_m, self.bytes(&f("machine_mem"), &t.machine_mem)?, 0),
                disk_b: t.disk.as_deref().map(|d| self.bytes(&f("disk"), d)).transpose()?.unwrap_or(0),
                network_bytes_per_s: match &t.network {
                    Some(n) => parse_bandwidth(n).map_err(|e| self.invalid(f("network"), format!("\"{n}\""), e))?,
                    None => 1_250_000_000,
                },
                pool: t.pool.clone().unwrap_or_else(|| "default".into()),
                racks: t.racks.unwrap_or(1).max(1),
                rebase_us: t.rebase_us.unwrap_or(0),
            };
            let opt = crate::traces::MachineOptions {
                name: &spec.name,
                machine: spec.machine,
                disk_b: spec.disk_b,
                network_bytes_per_s: spec.network_bytes_per_s,
                pool: &spec.pool,
                racks: spec.racks,
                rebase_us: spec.rebase_us,
            };
            let read = match spec.format {
                AgentTraceFormat::Google2011 => crate::traces::read_google_machines(&spec.file, &opt),
                AgentTraceFormat::Alibaba2018 => crate::traces::read_alibaba_machines(&spec.file, &opt),
            }
            .map_err(|msg| ScenarioError::Parse {
                file: self.file.to_string(),
                message: format!("cluster.agent_traces[{i}]: {msg}"),
            })?;
            if read.groups.is_empty() {
                return Err(self.invalid(f("file"), spec.file.display(), "a machine trace with at least one machine"));
            }
            let offset = total as u32;
            for g in read.groups {
                if !names.insert(g.name.clone()) {
                    return Err(self.invalid(
                        f("name"),
                        format!("\"{}\" a second time", g.name),
                        "unique agent group names",
                    ));
                }
                total += g.count as u64;
                groups.push(g);
            }
            trace_events.extend(read.events.into_iter().map(|mut e| {
                if let Target::Agent(a) = &mut e.target {
                    *a += offset;
                }
                e
            }));
            agent_traces.push(spec);
        }
        if groups.is_empty() {
            return Err(self.invalid(
                "cluster.agents",
                "no agent group",
                "at least one [[cluster.agents]] group or agent trace",
            ));
        }
        if total > 10_000_000 {
            return Err(self.invalid("cluster.agents", format!("{total} agents"), "at most 10,000,000 agents"));
        }
        Ok(ClusterSpec { masters, groups, agent_traces, trace_events })
    }

    fn scheduler(&self, raw: Option<&RawScheduler>) -> R<SchedulerSpec> {
        let d = |field: &str, v: Option<&String>| -> R<SimDuration> {
            match v {
                Some(t) => self.duration(&format!("scheduler.{field}"), t),
                None => Ok(SimDuration::ZERO),
            }
        };
        let dd = |field: &str, v: Option<&String>, default: u64| -> R<SimDuration> {
            match v {
                Some(t) => self.duration(&format!("scheduler.{field}"), t),
                None => Ok(SimDuration(default)),
            }
        };
        let spec = SchedulerSpec {
            architecture: raw.and_then(|r| r.architecture).unwrap_or(Architecture::Monolithic),
            placement: raw.and_then(|r| r.placement).unwrap_or(PlacementKind::FirstFit),
            queue: raw.and_then(|r| r.queue).unwrap_or(QueueKind::Fifo),
            t_job: d("t_job", raw.and_then(|r| r.t_job.as_ref()))?,
            t_task: d("t_task", raw.and_then(|r| r.t_task.as_ref()))?,
            frameworks_by: raw.and_then(|r| r.frameworks_by).unwrap_or(FrameworkGrouping::Kind),
            allocation_interval: dd(
                "allocation_interval",
                raw.and_then(|r| r.allocation_interval.as_ref()),
                1_000_000,
            )?,
            refuse_seconds: dd("refuse_seconds", raw.and_then(|r| r.refuse_seconds.as_ref()), 5_000_000)?,
            offer_timeout: dd("offer_timeout", raw.and_then(|r| r.offer_timeout.as_ref()), 0)?,
            conflict: raw.and_then(|r| r.conflict).unwrap_or(ConflictMode::Fine),
            commit: raw.and_then(|r| r.commit).unwrap_or(CommitMode::Incremental),
            max_attempts: raw.and_then(|r| r.max_attempts).unwrap_or(1000).max(1),
            frameworks: Vec::new(),
        };
        if spec.allocation_interval.0 == 0 {
            return Err(self.invalid("scheduler.allocation_interval", "\"0s\"", "an interval above zero"));
        }
        Ok(spec)
    }

    /// Groups the workloads into frameworks and applies the `[[scheduler.frameworks]]` settings.
    fn frameworks(
        &self,
        raw: Option<&RawScheduler>,
        sc: &SchedulerSpec,
        workloads: &[WorkloadSpec],
    ) -> R<Vec<FrameworkSpec>> {
        let mut out: Vec<FrameworkSpec> = Vec::new();
        for (i, w) in workloads.iter().enumerate() {
            let name = match sc.frameworks_by {
                FrameworkGrouping::Team => w.team.clone(),
                FrameworkGrouping::Kind => match w.kind {
                    WorkloadKind::Service(_) => "marathon".to_string(),
                    _ => w.name.clone(),
                },
            };
            match out.iter_mut().find(|f| f.name == name) {
                Some(f) => f.workloads.push(i as u32),
                None => out.push(FrameworkSpec {
                    name,
                    workloads: vec![i as u32],
                    weight: 1.0,
                    t_job: sc.t_job,
                    t_task: sc.t_task,
                    placement: sc.placement,
                    max_tasks_per_offer: None,
                }),
            }
        }
        for (k, rf) in raw.map(|r| r.frameworks.as_slice()).unwrap_or_default().iter().enumerate() {
            let field = |s: &str| format!("scheduler.frameworks[{k}].{s}");
            let names: Vec<String> = out.iter().map(|f| f.name.clone()).collect();
            let Some(f) = out.iter_mut().find(|f| f.name == rf.name) else {
                return Err(self.invalid(
                    field("name"),
                    format!("\"{}\"", rf.name),
                    format!("one of the frameworks {names:?}"),
                ));
            };
            if let Some(w) = rf.weight {
                if !(w.is_finite() && w > 0.0) {
                    return Err(self.invalid(field("weight"), w, "a weight above zero"));
                }
                f.weight = w;
            }
            if let Some(t) = &rf.t_job {
                f.t_job = self.duration(&field("t_job"), t)?;
            }
            if let Some(t) = &rf.t_task {
                f.t_task = self.duration(&field("t_task"), t)?;
            }
            if let Some(p) = rf.placement {
                f.placement = p;
            }
            if rf.max_tasks_per_offer == Some(0) {
                return Err(self.invalid(field("max_tasks_per_offer"), 0, "at least 1"));
            }
            f.max_tasks_per_offer = rf.max_tasks_per_offer;
        }
        Ok(out)
    }

    fn workload(&self, i: usize, w: &RawWorkload, horizon: SimDuration, cluster: &ClusterSpec) -> R<WorkloadSpec> {
        let f = |s: &str| format!("workloads[{i}].{s}");
        self.name(&f("name"), &w.name)?;
        let team = w.team.clone().unwrap_or_else(|| w.name.clone());
        self.name(&f("team"), &team)?;
        let cpu_m = self.cpus(&f("cpus"), &w.cpus)?;
        let mem_b = self.bytes(&f("mem"), &w.mem)?;
        if mem_b == 0 {
            return Err(self.invalid(f("mem"), format!("\"{}\"", w.mem), "more than zero memory"));
        }
        let disk_b = match &w.disk {
            Some(d) => self.bytes(&f("disk"), d)?,
            None => 0,
        };
        let demand = Resources::new(cpu_m, mem_b, disk_b);
        let constraints = self.constraints(&f("constraints"), w.constraints.as_ref(), cluster)?;
        // Which kinds each kind-specific field belongs to.
        use WorkloadKindTag::{Batch, Service, Store};
        let owned: [(&str, bool, &[WorkloadKindTag]); 17] = [
            ("replicas", w.replicas.is_some(), &[Service]),
            ("image", w.image.is_some(), &[Service]),
            ("pull", w.pull.is_some(), &[Service]),
            ("load", w.load.is_some(), &[Service]),
            ("rps_per_replica", w.rps_per_replica.is_some(), &[Service]),
            ("autoscaler", w.autoscaler.is_some(), &[Service]),
            ("startup", w.startup.is_some(), &[Service, Store]),
            ("arrival", w.arrival.is_some(), &[Batch]),
            ("tasks_per_job", w.tasks_per_job.is_some(), &[Batch]),
            ("duration", w.duration.is_some(), &[Batch]),
            ("start", w.start.is_some(), &[Batch]),
            ("stop", w.stop.is_some(), &[Batch]),
            ("shards", w.shards.is_some(), &[Store]),
            ("replication", w.replication.is_some(), &[Store]),
            ("quorum", w.quorum.is_some(), &[Store]),
            ("data_per_shard", w.data_per_shard.is_some(), &[Store]),
            ("replace_after", w.replace_after.is_some(), &[Store]),
        ];
        for (field, present, kinds) in owned {
            if present && !kinds.contains(&w.kind) {
                let names: Vec<String> = kinds.iter().map(|k| format!("{k:?}").to_lowercase()).collect();
                return Err(self.invalid(
                    f(field),
                    "a value",
                    format!("no `{field}`: it applies to {} workloads only", names.join(" and ")),
                ));
            }
        }
        let kind = match w.kind {
            WorkloadKindTag::Store => WorkloadKind::Store(self.store(&f, w)?),
            WorkloadKindTag::Service => {
                let replicas = w
                    .replicas
                    .ok_or_else(|| self.invalid(f("replicas"), "nothing", "a replica count for a service"))?;
                if replicas == 0 {
                    return Err(self.invalid(f("replicas"), 0, "at least one replica"));
                }
                let startup = match &w.startup {
                    Some(d) => self.dist(&f("startup"), d, DistUnit::Seconds)?,
                    None => Dist::constant(DistUnit::Seconds, 0.0),
                };
                self.service(&f, w, replicas, startup)?
            }
            WorkloadKindTag::Batch => {
                let arrival = match &w.arrival {
                    None => {
                        return Err(self.invalid(
                            f("arrival"),
                            "nothing",
                            "an arrival process, e.g. { process = \"poisson\", rate = \"2/s\" }",
                        ));
                    }
                    Some(RawArrival::Poisson { rate }) => {
                        let rate_per_s =
                            parse_rate(rate).map_err(|e| self.invalid(f("arrival.rate"), format!("\"{rate}\""), e))?;
                        Arrival::Poisson { rate_per_s }
                    }
                    Some(RawArrival::Trace {}) => Arrival::Trace,
                    Some(RawArrival::Interval { every }) => {
                        let every = self.duration(&f("arrival.every"), every)?;
                        if every.0 == 0 {
                            return Err(self.invalid(f("arrival.every"), "\"0s\"", "an interval longer than zero"));
                        }
                        Arrival::Interval { every }
                    }
                };
                let tasks_per_job = match &w.tasks_per_job {
                    Some(d) => self.dist(&f("tasks_per_job"), d, DistUnit::Count)?,
                    None => Dist::constant(DistUnit::Count, 1.0),
                };
                let duration = match &w.duration {
                    Some(d) => self.dist(&f("duration"), d, DistUnit::Seconds)?,
                    None => {
                        return Err(self.invalid(
                            f("duration"),
                            "nothing",
                            "a task duration distribution, e.g. { dist = \"exponential\", mean = \"30s\" }",
                        ));
                    }
                };
                let start = match &w.start {
                    Some(s) => self.duration(&f("start"), s)?,
                    None => SimDuration::ZERO,
                };
                let stop = match &w.stop {
                    Some(s) => self.duration(&f("stop"), s)?,
                    None => horizon,
                };
                if start >= stop || stop > horizon {
                    return Err(self.invalid(
                        f("stop"),
                        format!("start {} and stop {}", format_duration(start), format_duration(stop)),
                        format!("start < stop <= horizon ({})", format_duration(horizon)),
                    ));
                }
                WorkloadKind::Batch(BatchSpec { arrival, tasks_per_job, duration, start, stop })
            }
        };
        let priority = w.priority.unwrap_or(match kind {
            WorkloadKind::Service(_) | WorkloadKind::Store(_) => 100,
            WorkloadKind::Batch(_) => 0,
        });
        let spec = WorkloadSpec { name: w.name.clone(), team, priority, demand, constraints, kind, generated: false };
        self.feasible(&f(""), &spec, cluster)?;
        Ok(spec)
    }

    /// Checks that the workload's tasks fit on some eligible agent, and that a service's replicas
    /// can all be placed at once on an empty cluster under `max_per_agent`.
    fn feasible(&self, field: &str, w: &WorkloadSpec, cluster: &ClusterSpec) -> R<()> {
        let field = field.trim_end_matches('.');
        let eligible: Vec<&AgentGroupSpec> = cluster.groups.iter().filter(|g| w.constraints.admits_group(g)).collect();
        if eligible.is_empty() {
            return Err(self.invalid(
                format!("{field}.constraints.attributes"),
                "no agent group matching them",
                "constraints that at least one agent group satisfies",
            ));
        }
        let fitting: Vec<&&AgentGroupSpec> = eligible.iter().filter(|g| g.capacity.fits(&w.demand)).collect();
        if fitting.is_empty() {
            let largest =
                eligible.iter().map(|g| g.capacity).max_by_key(|c| (c.cpu_m, c.mem_b, c.disk_b)).expect("non-empty");
            return Err(self.invalid(
                field,
                format!(
                    "a task of {} cpus, {} mem, {} disk (workload \"{}\")",
                    format_cpus(w.demand.cpu_m),
                    format_bytes(w.demand.mem_b),
                    format_bytes(w.demand.disk_b),
                    w.name
                ),
                format!(
                    "a task that fits on at least one eligible agent; the largest has {} cpus, {} mem, {} disk",
                    format_cpus(largest.cpu_m),
                    format_bytes(largest.mem_b),
                    format_bytes(largest.disk_b)
                ),
            ));
        }
        let (must_place, distinct) = match &w.kind {
            WorkloadKind::Service(s) => (s.replicas as u64, 1),
            WorkloadKind::Store(st) => (st.shards as u64 * st.replication as u64, st.replication),
            WorkloadKind::Batch(_) => (0, 1),
        };
        let fitting_agents: u64 = fitting.iter().map(|g| g.count as u64).sum();
        if distinct as u64 > fitting_agents {
            return Err(self.invalid(
                format!("{field}.replication"),
                distinct,
                format!("at most {fitting_agents}: replicas of one shard need distinct agents, and only {fitting_agents} eligible agents can hold one"),
            ));
        }
        if must_place > 0 {
            // Replicas one empty agent can hold: limited by each resource and by max_per_agent.
            let per_agent = |c: &Resources| -> u64 {
                let d = w.demand.as_array();
                let c = c.as_array();
                let by_res = (0..3).filter(|&k| d[k] > 0).map(|k| c[k] / d[k]).min().unwrap_or(u64::MAX);
                by_res.min(w.constraints.max_per_agent.map_or(u64::MAX, u64::from))
            };
            let room: u64 = fitting
                .iter()
                .map(|g| per_agent(&g.capacity).saturating_mul(g.count as u64))
                .fold(0u64, u64::saturating_add);
            if room < must_place {
                return Err(self.invalid(
                    format!("{field}.replicas"),
                    must_place,
                    format!("at most {room} replicas: all eligible agents together hold no more under the workload's resources and max_per_agent"),
                ));
            }
        }
        Ok(())
    }

    fn store(&self, f: &dyn Fn(&str) -> String, w: &RawWorkload) -> R<StoreSpec> {
        let shards = w.shards.ok_or_else(|| self.invalid(f("shards"), "nothing", "a shard count for a store"))?;
        if shards == 0 {
            return Err(self.invalid(f("shards"), 0, "at least one shard"));
        }
        let replication = w.replication.unwrap_or(3);
        if replication == 0 {
            return Err(self.invalid(f("replication"), 0, "at least one replica per shard"));
        }
        let quorum = match &w.quorum {
            None => replication / 2 + 1,
            Some(toml::Value::String(q)) if q == "majority" => replication / 2 + 1,
            Some(toml::Value::String(q)) if q == "one" => 1,
            Some(toml::Value::String(q)) if q == "all" => replication,
            Some(toml::Value::Integer(k)) if *k >= 1 && *k <= replication as i64 => *k as u32,
            Some(other) => {
                return Err(self.invalid(
                    f("quorum"),
                    other,
                    format!("\"majority\", \"one\", \"all\" or a count from 1 to the replication ({replication}); a larger quorum can never be met"),
                ));
            }
        };
        let data_per_shard = match &w.data_per_shard {
            Some(d) => self.bytes(&f("data_per_shard"), d)?,
            None => {
                return Err(self.invalid(
                    f("data_per_shard"),
                    "nothing",
                    "the data one replica holds, e.g. \"100GiB\"",
                ));
            }
        };
        let replace_after = match &w.replace_after {
            Some(d) => self.duration(&f("replace_after"), d)?,
            None => SimDuration::from_secs(600),
        };
        let startup = match &w.startup {
            Some(d) => self.dist(&f("startup"), d, DistUnit::Seconds)?,
            None => Dist::constant(DistUnit::Seconds, 0.0),
        };
        Ok(StoreSpec { shards, replication, quorum, data_per_shard, replace_after, startup })
    }

    fn service(&self, f: &dyn Fn(&str) -> String, w: &RawWorkload, replicas: u32, startup: Dist) -> R<WorkloadKind> {
        let pull = match &w.pull {
            Some(d) => self.dist(&f("pull"), d, DistUnit::Seconds)?,
            None => Dist::constant(DistUnit::Seconds, 0.0),
        };
        let d = |name: &str, v: &Option<String>, default: u64| -> R<SimDuration> {
            match v {
                Some(t) => self.duration(&f(name), t),
                None => Ok(SimDuration::from_secs(default)),
            }
        };
        let load = match &w.load {
            None => None,
            Some(RawLoad::Csv { file, time_column, rps_column }) => {
                let tc = time_column.as_deref().unwrap_or("time");
                let rc = rps_column.as_deref().unwrap_or("rps");
                Some(LoadSpec::Steps(Arc::from(self.load_csv(&f("load.file"), file, tc, rc)?)))
            }
            Some(RawLoad::Steps { steps }) => {
                let mut out = Vec::with_capacity(steps.len());
                for (k, &(t, v)) in steps.iter().enumerate() {
                    if !(t.is_finite() && t >= 0.0 && v.is_finite() && v >= 0.0) {
                        return Err(self.invalid(
                            f(&format!("load.steps[{k}]")),
                            format!("[{t}, {v}]"),
                            "[time_s, rps], both zero or more",
                        ));
                    }
                    out.push((SimDuration::from_secs_f64(t), v));
                }
                Some(LoadSpec::Steps(Arc::from(out)))
            }
            Some(RawLoad::Diurnal { peak, trough, period, peak_at, step, noise, spikes }) => {
                if !(trough.is_finite() && *trough >= 0.0 && peak.is_finite() && peak >= trough) {
                    return Err(self.invalid(
                        f("load"),
                        format!("peak {peak}, trough {trough}"),
                        "0 <= trough <= peak (requests per second)",
                    ));
                }
                let noise = noise.unwrap_or(0.0);
                if !(noise.is_finite() && (0.0..=1.0).contains(&noise)) {
                    return Err(self.invalid(f("load.noise"), noise, "a relative standard deviation from 0 to 1"));
                }
                let step = d("load.step", step, 60)?;
                let period = d("load.period", period, 86_400)?;
                if step.0 == 0 || period.0 == 0 {
                    return Err(self.invalid(f("load"), "a zero step or period", "a step and a period above zero"));
                }
                let mut out = Vec::new();
                for (k, sp) in spikes.iter().enumerate() {
                    if !(sp.factor.is_finite() && sp.factor >= 0.0) {
                        return Err(self.invalid(
                            f(&format!("load.spikes[{k}].factor")),
                            sp.factor,
                            "a factor of zero or more",
                        ));
                    }
                    out.push(Spike {
                        at: self.duration(&f(&format!("load.spikes[{k}].at")), &sp.at)?,
                        duration: self.duration(&f(&format!("load.spikes[{k}].duration")), &sp.duration)?,
                        factor: sp.factor,
                    });
                }
                Some(LoadSpec::Diurnal {
                    peak: *peak,
                    trough: *trough,
                    period,
                    peak_at: d("load.peak_at", peak_at, 14 * 3600)?,
                    step,
                    noise,
                    spikes: out,
                })
            }
        };
        let rps_per_replica = match (w.rps_per_replica, &load) {
            (Some(r), Some(_)) if r.is_finite() && r > 0.0 => r,
            (Some(r), Some(_)) => return Err(self.invalid(f("rps_per_replica"), r, "a capacity above zero")),
            (None, Some(_)) => {
                return Err(self.invalid(
                    f("rps_per_replica"),
                    "nothing",
                    "the requests per second one replica serves, with `load`",
                ));
            }
            (Some(_), None) => return Err(self.invalid(f("rps_per_replica"), "a value without `load`", "`load` too")),
            (None, None) => 0.0,
        };
        let autoscaler = match &w.autoscaler {
            None => None,
            Some(a) => {
                if load.is_none() {
                    return Err(self.invalid(
                        f("autoscaler"),
                        "an autoscaler without `load`",
                        "a `load` for the autoscaler to follow",
                    ));
                }
                let target = a.target_utilization.unwrap_or(0.8);
                if !(target.is_finite() && target > 0.0 && target <= 1.0) {
                    return Err(self.invalid(f("autoscaler.target_utilization"), target, "a utilisation in (0, 1]"));
                }
                let min = a.min.unwrap_or(1);
                let max = a.max.unwrap_or(replicas.max(min).saturating_mul(10));
                if min == 0 || max < min || replicas < min || replicas > max {
                    return Err(self.invalid(
                        f("autoscaler"),
                        format!("min {min}, max {max}, replicas {replicas}"),
                        "1 <= min <= replicas <= max",
                    ));
                }
                let period = d("autoscaler.period", &a.period, 15)?;
                if period.0 == 0 {
                    return Err(self.invalid(f("autoscaler.period"), "\"0s\"", "a period above zero"));
                }
                Some(AutoscalerSpec {
                    period,
                    target_utilization: target,
                    scale_up_window: d("autoscaler.scale_up_window", &a.scale_up_window, 0)?,
                    scale_down_window: d("autoscaler.scale_down_window", &a.scale_down_window, 300)?,
                    min,
                    max,
                    max_step: a.max_step.unwrap_or(4).max(1),
                })
            }
        };
        Ok(WorkloadKind::Service(ServiceSpec {
            replicas,
            startup,
            image: w.image.clone(),
            pull,
            load,
            rps_per_replica,
            autoscaler,
        }))
    }

    /// Reads a `time,rps` CSV (header row; time as a duration or seconds) into sorted steps.
    fn load_csv(&self, field: &str, file: &str, time_col: &str, rps_col: &str) -> R<Vec<(SimDuration, f64)>> {
        let path = self.base_dir.join(file);
        let shown = path.display().to_string();
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(&path)
            .map_err(|e| self.invalid(field, format!("\"{shown}\" ({e})"), "a readable CSV file with a header row"))?;
        let headers = reader
            .headers()
            .map_err(|e| self.invalid(field, format!("\"{shown}\" ({e})"), "a CSV header row"))?
            .clone();
        let col = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                self.invalid(
                    field,
                    format!("columns {:?} in {shown}", headers.iter().collect::<Vec<_>>()),
                    format!("a column named \"{name}\""),
                )
            })
        };
        let (ti, ri) = (col(time_col)?, col(rps_col)?);
        let mut out: Vec<(SimDuration, f64)> = Vec::new();
        for (k, rec) in reader.records().enumerate() {
            let line = k + 2;
            let rec = rec.map_err(|e| self.invalid(field, format!("{shown}:{line}: {e}"), "well-formed CSV"))?;
            let (tc, rc) = (rec.get(ti).unwrap_or(""), rec.get(ri).unwrap_or(""));
            let t = match tc.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => SimDuration::from_secs_f64(x),
                _ => {
                    parse_duration(tc).map_err(|e| self.invalid(field, format!("{shown}:{line}: time \"{tc}\""), e))?
                }
            };
            let v: f64 = rc.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                self.invalid(field, format!("{shown}:{line}: rps \"{rc}\""), "a request rate of zero or more")
            })?;
            if out.last().is_some_and(|(prev, _)| *prev > t) {
                return Err(self.invalid(
                    field,
                    format!("{shown}:{line}: time {tc} before the previous row"),
                    "rows in time order",
                ));
            }
            out.push((t, v));
        }
        Ok(out)
    }

    fn workload_traces(
        &self,
        raw: &[RawWorkloadTrace],
        workloads: &mut Vec<WorkloadSpec>,
        cluster: &ClusterSpec,
    ) -> R<(Vec<WorkloadTraceSpec>, Arc<[TraceRow]>)> {
        let mut specs = Vec::new();
        let mut rows = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let field = format!("workload_traces[{i}]");
            let abs = |p: &str| -> PathBuf {
                let joined = self.base_dir.join(p);
                std::fs::canonicalize(&joined).unwrap_or(joined)
            };
            let spec = match t.format {
                WorkloadTraceFormat::Native => {
                    let file = t
                        .file
                        .as_ref()
                        .ok_or_else(|| self.invalid(format!("{field}.file"), "nothing", "the trace file"))?;
                    WorkloadTraceSpec {
                        format: t.format,
                        files: vec![abs(file)],
                        job_events: Vec::new(),
                        machine: Resources::ZERO,
                        prod_workload: None,
                        batch_workload: None,
                        alibaba: [None, None, None],
                    }
                }
                WorkloadTraceFormat::Alibaba2018 => {
                    let fm = format!("{field}.machine_mem");
                    let mem_b = self.bytes(
                        &fm,
                        self.required(&fm, t.machine_mem.as_ref(), "the memory of a machine with mem_size 100")?,
                    )?;
                    let opt = |p: &Option<String>| p.as_deref().map(&abs);
                    WorkloadTraceSpec {
                        format: t.format,
                        files: Vec::new(),
                        job_events: Vec::new(),
                        machine: Resources::new(0, mem_b, 0),
                        prod_workload: None,
                        batch_workload: Some(t.batch_workload.clone().unwrap_or_else(|| "batch".into())),
                        alibaba: [opt(&t.container_meta), opt(&t.batch_task), opt(&t.batch_instance)],
                    }
                }
                WorkloadTraceFormat::Google2011 => {
                    if t.task_events.is_empty() {
                        return Err(self.invalid(
                            format!("{field}.task_events"),
                            "nothing",
                            "one or more task_events files",
                        ));
                    }
                    let (fc, fm) = (format!("{field}.machine_cpus"), format!("{field}.machine_mem"));
                    let cpus = self.required(
                        &fc,
                        t.machine_cpus.as_ref(),
                        "the CPUs of the largest machine (requests are normalised to it)",
                    )?;
                    let cpu_m = self.cpus(&fc, cpus)?;
                    let mem_b = self
                        .bytes(&fm, self.required(&fm, t.machine_mem.as_ref(), "the memory of the largest machine")?)?;
                    WorkloadTraceSpec {
                        format: t.format,
                        files: t.task_events.iter().map(|p| abs(p)).collect(),
                        job_events: t.job_events.iter().map(|p| abs(p)).collect(),
                        machine: Resources::new(cpu_m, mem_b, 0),
                        prod_workload: Some(t.prod_workload.clone().unwrap_or_else(|| "prod".into())),
                        batch_workload: Some(t.batch_workload.clone().unwrap_or_else(|| "batch".into())),
                        alibaba: [None, None, None],
                    }
                }
            };
            let parse_err =
                |msg: String| ScenarioError::Parse { file: self.file.to_string(), message: format!("{field}: {msg}") };
            let read = if spec.format == WorkloadTraceFormat::Alibaba2018 {
                let name = spec.batch_workload.clone().unwrap_or_default();
                let batch = match workloads.iter().position(|w| w.name == name) {
                    Some(k) if matches!(workloads[k].kind, WorkloadKind::Batch(_)) || spec.alibaba[1].is_none() => {
                        k as u32
                    }
                    _ if spec.alibaba[1].is_none() => 0,
                    _ => {
                        return Err(parse_err(format!(
                            "the batch_workload \"{name}\" must be a batch workload of the scenario"
                        )));
                    }
                };
                let disk = workloads.get(batch as usize).map_or(0, |w| w.demand.disk_b);
                let [c, bt, bi] = &spec.alibaba;
                let ali = crate::traces::read_alibaba_workloads(
                    c.as_deref(),
                    bt.as_deref(),
                    bi.as_deref(),
                    spec.machine.mem_b,
                    batch,
                    disk,
                    workloads.len() as u32,
                )
                .map_err(parse_err)?;
                for svc in ali.services {
                    if workloads.iter().any(|w| w.name == svc.name) {
                        return Err(parse_err(format!(
                            "the app \"{}\" has the name of a workload already in the scenario",
                            svc.name
                        )));
                    }
                    self.feasible(&format!("{field} app {}", svc.name), &svc, cluster)?;
                    workloads.push(svc);
                }
                crate::traces::ReadTrace { rows: ali.rows, ..Default::default() }
            } else {
                let lookup = |name: &str| workloads.iter().position(|w| w.name == name).map(|k| k as u32);
                crate::traces::read_workload_trace(&spec, workloads, &lookup).map_err(parse_err)?
            };
            // Every replayed task must fit somewhere, like a workload's own tasks.
            let largest = cluster.groups.iter().map(|g| g.capacity).fold(Resources::ZERO, |a, c| {
                Resources::new(a.cpu_m.max(c.cpu_m), a.mem_b.max(c.mem_b), a.disk_b.max(c.disk_b))
            });
            if let Some(r) = read.rows.iter().find(|r| match r.action {
                TraceAction::Submit { demand: Some(d), .. } => !largest.fits(&d),
                _ => false,
            }) {
                return Err(self.invalid(
                    field,
                    format!("a task of {:?} at {}", r.action, format_duration(r.at)),
                    "tasks that fit on the largest agent",
                ));
            }
            rows.extend(read.rows);
            specs.push(spec);
        }
        rows.sort_by_key(|r| r.at); // stable: sources in order, rows in file order
        Ok((specs, Arc::from(rows)))
    }

    fn silos(
        &self,
        raw: &[RawSilo],
        cluster: &ClusterSpec,
        workloads: &[WorkloadSpec],
        layout: Layout,
    ) -> R<Vec<SiloSpec>> {
        let mut out: Vec<SiloSpec> = Vec::new();
        let mut used = BTreeSet::new();
        for (i, s) in raw.iter().enumerate() {
            let f = |x: &str| format!("silos[{i}].{x}");
            self.name(&f("name"), &s.name)?;
            if out.iter().any(|o| o.name == s.name) {
                return Err(self.invalid(f("name"), format!("\"{}\" a second time", s.name), "unique silo names"));
            }
            let mut groups = Vec::new();
            for g in &s.agents {
                let k = self.group_index(&f("agents"), Some(g), cluster)?.expect("named group");
                if !used.insert(k) {
                    return Err(self.invalid(
                        f("agents"),
                        format!("\"{g}\" in two silos"),
                        "each agent group in one silo at most",
                    ));
                }
                groups.push(k);
            }
            if groups.is_empty() {
                return Err(self.invalid(f("agents"), "no agent group", "at least one agent group per silo"));
            }
            out.push(SiloSpec { name: s.name.clone(), teams: s.teams.clone(), groups });
        }
        if layout == Layout::Siloed {
            if out.is_empty() {
                return Err(self.invalid(
                    "layout",
                    "\"siloed\" without [[silos]]",
                    "[[silos]] tables giving each silo's teams and agents",
                ));
            }
            for w in workloads {
                let n = out.iter().filter(|s| s.teams.contains(&w.team)).count();
                if n != 1 {
                    return Err(self.invalid(
                        "silos",
                        format!("team \"{}\" (workload \"{}\") in {n} silos", w.team, w.name),
                        "every team in exactly one silo",
                    ));
                }
                let silo = out.iter().find(|s| s.teams.contains(&w.team)).expect("one silo");
                let fits = silo.groups.iter().any(|&g| {
                    w.constraints.admits_group(&cluster.groups[g]) && cluster.groups[g].capacity.fits(&w.demand)
                });
                if !fits {
                    return Err(self.invalid(
                        "silos",
                        format!("workload \"{}\" in silo \"{}\"", w.name, silo.name),
                        "a silo with an agent group its tasks fit on",
                    ));
                }
            }
        }
        Ok(out)
    }

    fn group_index(&self, field: &str, name: Option<&String>, cluster: &ClusterSpec) -> R<Option<usize>> {
        match name {
            None => Ok(None),
            Some(n) => cluster.groups.iter().position(|g| &g.name == n).map(Some).ok_or_else(|| {
                let names: Vec<&str> = cluster.groups.iter().map(|g| g.name.as_str()).collect();
                self.invalid(field, format!("\"{n}\""), format!("an agent group name, one of {names:?}"))
            }),
        }
    }

    fn up_down(&self, field: &str, raw: &RawUpDown) -> R<UpDownSpec> {
        Ok(UpDownSpec {
            ttf: self.dist(&format!("{field}.ttf"), &raw.ttf, DistUnit::Seconds)?,
            ttr: self.dist(&format!("{field}.ttr"), &raw.ttr, DistUnit::Seconds)?,
        })
    }

    fn failures(
        &self,
        raw: Option<&RawFailures>,
        cluster: &ClusterSpec,
        horizon: SimDuration,
        master_sets: u32,
    ) -> R<FailureSpec> {
        let empty = RawFailures {
            agent_ping_timeout: None,
            max_missed_pings: None,
            agents: Vec::new(),
            racks: None,
            zones: None,
            masters: None,
            maintenance: None,
            scheduled: Vec::new(),
            traces: Vec::new(),
        };
        let raw = raw.unwrap_or(&empty);
        let agent_ping_timeout = match &raw.agent_ping_timeout {
            Some(t) => self.duration("failures.agent_ping_timeout", t)?,
            None => SimDuration::from_secs(15),
        };
        let max_missed_pings = raw.max_missed_pings.unwrap_or(5);
        let mut agents = Vec::new();
        for (i, a) in raw.agents.iter().enumerate() {
            let field = format!("failures.agents[{i}]");
            agents.push(AgentFailureSpec {
                group: self.group_index(&format!("{field}.group"), a.group.as_ref(), cluster)?,
                ttf: self.dist(&format!("{field}.ttf"), &a.ttf, DistUnit::Seconds)?,
                ttr: self.dist(&format!("{field}.ttr"), &a.ttr, DistUnit::Seconds)?,
            });
        }
        let racks = raw.racks.as_ref().map(|r| self.up_down("failures.racks", r)).transpose()?;
        let zones = raw.zones.as_ref().map(|r| self.up_down("failures.zones", r)).transpose()?;
        let masters = match &raw.masters {
            None => MasterFailureSpec { ttf: None, ttr: None, leader_election: SimDuration::from_secs(10) },
            Some(m) => {
                let ttf =
                    m.ttf.as_ref().map(|d| self.dist("failures.masters.ttf", d, DistUnit::Seconds)).transpose()?;
                let ttr =
                    m.ttr.as_ref().map(|d| self.dist("failures.masters.ttr", d, DistUnit::Seconds)).transpose()?;
                if ttf.is_some() != ttr.is_some() {
                    return Err(self.invalid(
                        "failures.masters",
                        "only one of ttf and ttr",
                        "both ttf and ttr, or neither",
                    ));
                }
                let leader_election = match &m.leader_election {
                    Some(d) => self.duration("failures.masters.leader_election", d)?,
                    None => SimDuration::from_secs(10),
                };
                MasterFailureSpec { ttf, ttr, leader_election }
            }
        };
        let maintenance = match &raw.maintenance {
            None => None,
            Some(m) => {
                let d = |name: &str, v: &str| self.duration(&format!("failures.maintenance.{name}"), v);
                let spec = MaintenanceSpec {
                    group: self.group_index("failures.maintenance.group", m.group.as_ref(), cluster)?,
                    start: m.start.as_deref().map(|v| d("start", v)).transpose()?.unwrap_or(SimDuration::ZERO),
                    interval: d("interval", &m.interval)?,
                    batch: m.batch,
                    drain_timeout: d("drain_timeout", &m.drain_timeout)?,
                    duration: d("duration", &m.duration)?,
                };
                if spec.interval.0 == 0 || spec.duration.0 == 0 || spec.batch == 0 {
                    return Err(self.invalid(
                        "failures.maintenance",
                        "a zero interval, duration or batch",
                        "interval and duration above zero and a batch of at least one agent",
                    ));
                }
                Some(spec)
            }
        };
        let mut names = TargetNames::of(cluster);
        names.masters *= master_sets;
        let mut scheduled = Vec::new();
        for (i, e) in raw.scheduled.iter().enumerate() {
            let field = format!("failures.scheduled[{i}]");
            let at = self.duration(&format!("{field}.at"), &e.at)?;
            let target = Target::parse(&e.target, &names)
                .map_err(|msg| self.invalid(format!("{field}.target"), format!("\"{}\"", e.target), msg))?;
            scheduled.push(ScheduledEvent { at, target, event: e.event });
        }
        for (i, t) in raw.traces.iter().enumerate() {
            let field = format!("failures.traces[{i}]");
            let path = self.base_dir.join(&t.file);
            let shown = path.display().to_string();
            let file = std::fs::File::open(&path).map_err(|e| {
                self.invalid(format!("{field}.file"), format!("\"{shown}\" ({e})"), "a readable trace file")
            })?;
            let reader = std::io::BufReader::new(file);
            let events = match t.format {
                TraceFormat::Native => crate::failures::read_native_trace(reader, &shown, &names),
                TraceFormat::Fta => {
                    let group = self.group_index(&format!("{field}.group"), t.group.as_ref(), cluster)?;
                    crate::failures::read_fta_trace(reader, &shown, agent_range(cluster, group), t.rebase, horizon)
                }
            }
            .map_err(|msg| ScenarioError::Parse { file: self.file.to_string(), message: format!("{field}: {msg}") })?;
            scheduled.extend(events);
        }
        Ok(FailureSpec { agent_ping_timeout, max_missed_pings, agents, racks, zones, masters, maintenance, scheduled })
    }

    fn constraints(&self, field: &str, raw: Option<&RawConstraints>, cluster: &ClusterSpec) -> R<Constraints> {
        let Some(raw) = raw else {
            return Ok(Constraints::default());
        };
        if raw.max_per_agent == Some(0) {
            return Err(self.invalid(format!("{field}.max_per_agent"), 0, "at least 1"));
        }
        let mut attributes = Vec::new();
        for (k, a) in raw.attributes.iter().enumerate() {
            let af = format!("{field}.attributes[{k}]");
            let known = IMPLICIT_ATTRIBUTES.contains(&a.name.as_str())
                || cluster.groups.iter().any(|g| g.attributes.contains_key(&a.name));
            if !known || a.name == "rack" || a.name == "zone" {
                return Err(self.invalid(format!("{af}.name"), format!("\"{}\"", a.name), "an attribute some agent group has (group, pool, or one listed under attributes); use `spread` for racks and zones"));
            }
            let (op, value) = match (&a.equals, &a.not_equals) {
                (Some(v), None) => (AttrOp::Equals, v.clone()),
                (None, Some(v)) => (AttrOp::NotEquals, v.clone()),
                _ => {
                    return Err(self.invalid(
                        af,
                        "both or neither of equals / not_equals",
                        "exactly one of `equals` or `not_equals`",
                    ));
                }
            };
            attributes.push(AttrConstraint { name: a.name.clone(), op, value });
        }
        let spread = match raw.spread {
            None | Some(SpreadKind::None) => None,
            s => s,
        };
        Ok(Constraints { max_per_agent: raw.max_per_agent, spread, attributes })
    }

    fn number(&self, field: &str, v: &toml::Value, unit: DistUnit) -> R<f64> {
        match (unit, v) {
            (DistUnit::Seconds, toml::Value::String(s)) => Ok(self.duration(field, s)?.as_secs_f64()),
            (DistUnit::Seconds, other) => Err(self.invalid(field, other, "a duration with a unit, such as \"30s\"")),
            (DistUnit::Count, toml::Value::Integer(i)) => Ok(*i as f64),
            (DistUnit::Count, toml::Value::Float(x)) => Ok(*x),
            (DistUnit::Count, toml::Value::String(s)) => {
                s.trim().parse().map_err(|_| self.invalid(field, v, "a number"))
            }
            (DistUnit::Count, other) => Err(self.invalid(field, other, "a number")),
        }
    }

    fn dist(&self, field: &str, raw: &RawDist, unit: DistUnit) -> R<Dist> {
        let n = |name: &str, v: &toml::Value| self.number(&format!("{field}.{name}"), v, unit);
        let shape = match raw {
            RawDist::Constant { value } => DistShape::Constant { value: n("value", value)? },
            RawDist::Uniform { low, high } => DistShape::Uniform { low: n("low", low)?, high: n("high", high)? },
            RawDist::Exponential { mean } => DistShape::Exponential { mean: n("mean", mean)? },
            RawDist::Normal { mean, stddev } => {
                DistShape::Normal { mean: n("mean", mean)?, stddev: n("stddev", stddev)? }
            }
            RawDist::Lognormal { mean, stddev } => {
                DistShape::LogNormal { mean: n("mean", mean)?, stddev: n("stddev", stddev)? }
            }
            RawDist::Weibull { shape, scale } => DistShape::Weibull { shape: *shape, scale: n("scale", scale)? },
            RawDist::Pareto { shape, scale } => DistShape::Pareto { shape: *shape, scale: n("scale", scale)? },
            RawDist::Empirical { values, file, column } => {
                let values: Vec<f64> = match (values, file, column) {
                    (Some(vs), None, None) => {
                        vs.iter().enumerate().map(|(k, v)| n(&format!("values[{k}]"), v)).collect::<R<_>>()?
                    }
                    (None, Some(file), Some(column)) => self.csv_column(&format!("{field}.file"), file, column)?,
                    _ => {
                        return Err(self.invalid(
                            field,
                            "an empirical distribution",
                            "either `values = [...]`, or both `file` and `column`",
                        ));
                    }
                };
                DistShape::Empirical { values: Arc::from(values) }
            }
        };
        Dist::new(unit, shape).map_err(|e| self.invalid(field, format!("{raw:?}").replace("Value::", ""), e))
    }

    /// Loads a numeric column of a CSV file with a header row. Values are in base units: seconds
    /// for durations, plain numbers for counts.
    fn csv_column(&self, field: &str, file: &str, column: &str) -> R<Vec<f64>> {
        let path: PathBuf = self.base_dir.join(file);
        let shown = path.display().to_string();
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(&path)
            .map_err(|e| self.invalid(field, format!("\"{shown}\" ({e})"), "a readable CSV file with a header row"))?;
        let headers = reader
            .headers()
            .map_err(|e| self.invalid(field, format!("\"{shown}\" ({e})"), "a CSV header row"))?
            .clone();
        let idx = headers.iter().position(|h| h == column).ok_or_else(|| {
            self.invalid(
                field,
                format!("columns {:?} in {shown}", headers.iter().collect::<Vec<_>>()),
                format!("a column named \"{column}\""),
            )
        })?;
        let mut out = Vec::new();
        for (k, rec) in reader.records().enumerate() {
            let line = k + 2;
            let rec = rec.map_err(|e| self.invalid(field, format!("{shown}:{line}: {e}"), "well-formed CSV"))?;
            let cell = rec.get(idx).unwrap_or("");
            let v: f64 = cell.parse().map_err(|_| {
                self.invalid(field, format!("{shown}:{line}: \"{cell}\" in column \"{column}\""), "a number")
            })?;
            out.push(v);
        }
        Ok(out)
    }
}
