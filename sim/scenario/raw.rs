//! The raw scenario layer: the TOML file exactly as a person writes it.
//!
//! Every table denies unknown fields, every optional field is an `Option`, and quantities stay in
//! their human form (`"90s"`, `"64GiB"`, `1.5`). Nothing here checks ranges or fills defaults: that
//! is `scenario::validate`'s job. The same types serialize the resolved scenario (every default
//! filled in), so the file format has one definition.
//!
//! **Boundary:** this module is the scenario file format, a public API. Renaming or removing a
//! field needs a note in docs/scenario.md.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub horizon: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warmup: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<RawLimits>,
    pub cluster: RawCluster,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<RawScheduler>,
    #[serde(default)]
    pub workloads: Vec<RawWorkload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<RawFailures>,
    /// Recorded histories and cluster traces replayed against the workloads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload_traces: Vec<RawWorkloadTrace>,
    /// `"pooled"` (one cluster) or `"siloed"` (each silo's teams on the silo's agents only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silos: Vec<RawSilo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<RawSweep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    Pooled,
    Siloed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSilo {
    pub name: String,
    /// Teams whose workloads run in this silo.
    pub teams: Vec<String>,
    /// Agent groups of this silo.
    pub agents: Vec<String>,
}

/// A parameter sweep: the cartesian product of the axes, each point run with `seeds` seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeds: Option<u32>,
    pub axes: Vec<RawAxis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    /// Field path in the scenario file, e.g. `cluster.agents[0].count` or `scheduler.placement`.
    pub field: String,
    pub values: Vec<toml::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_events: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_pending_tasks: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masters: Option<u32>,
    #[serde(default)]
    pub agents: Vec<RawAgentGroup>,
    /// Agents built from machine traces, after the written groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent_traces: Vec<RawAgentTrace>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentTraceFormat {
    /// Google clusterdata-2011-2 `machine_events`.
    Google2011,
    /// Alibaba cluster-trace-v2018 `machine_meta`.
    Alibaba2018,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgentTrace {
    pub format: AgentTraceFormat,
    pub file: String,
    /// Prefix of the generated group names; the format's name by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Google: CPUs of the largest machine (capacities are normalised to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_cpus: Option<toml::Value>,
    /// Memory of the largest machine (Google), or of `mem_size = 100` (Alibaba).
    pub machine_mem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Google: racks per generated group (the trace has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub racks: Option<u32>,
    /// Google: trace time (µs) that becomes simulated time 0; 0 by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebase_us: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgentGroup {
    pub name: String,
    pub count: u32,
    /// A number (`16`, `1.5`) or a numeric string (`"1.5"`).
    pub cpus: toml::Value,
    pub mem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub racks: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    /// Network bandwidth of each agent, each direction: `"10Gbps"` or `"1.25GB/s"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Two-level: the group's agents are statically reserved for this framework (role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserve: Option<String>,
    /// Price of one agent per hour (any currency); gives `cost_per_month`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_per_hour: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlacementKind {
    /// The lowest-numbered agent that fits.
    FirstFit,
    /// The agent left with the least of the task's dominant resource (tightest fit).
    BestFit,
    /// The agent with the most free of the task's dominant resource (spread).
    WorstFit,
    /// A uniformly random agent that fits.
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueKind {
    /// Jobs in submission order.
    Fifo,
    /// Higher priority first, submission order among equals.
    Priority,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduler {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Architecture>,
    /// How workloads are grouped into frameworks: by kind (one for all services, one per store,
    /// one per batch workload) or by team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frameworks_by: Option<FrameworkGrouping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation_interval: Option<String>,
    /// Two-level: how long a declined agent is not offered again to the framework that declined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refuse_seconds: Option<String>,
    /// Two-level: offers not answered within this are rescinded ("0s": never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<ConflictMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitMode>,
    /// A job is abandoned after this many unsuccessful scheduling attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<RawFramework>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_job: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_task: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// One scheduler places everything.
    Monolithic,
    /// Mesos: a DRF allocator offers agents to framework schedulers.
    TwoLevel,
    /// Omega: framework schedulers decide on a snapshot and commit optimistically.
    SharedState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrameworkGrouping {
    Kind,
    Team,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictMode {
    /// A commit conflicts only where the chosen agent no longer has room.
    Fine,
    /// A commit conflicts wherever the chosen agent changed since the snapshot.
    Coarse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitMode {
    /// Tasks without conflicts are committed; the others retry.
    Incremental,
    /// All or nothing.
    Gang,
}

/// Settings of one framework, by name (frameworks themselves come from the grouping).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFramework {
    pub name: String,
    /// DRF weight of the framework's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_job: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_task: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementKind>,
    /// Two-level: tasks launched on one offer at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tasks_per_offer: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKindTag {
    Service,
    Batch,
    Store,
}

/// One workload. Kind-specific fields are optional here and checked against `kind` during
/// validation, so that an unknown field is reported at its own line by the TOML parser.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub kind: WorkloadKindTag,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    pub cpus: toml::Value,
    pub mem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<RawConstraints>,
    // --- service ---
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<RawDist>,
    /// Container image; an agent that already pulled it starts the next replica without pulling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Image pull time on an agent that does not have the image yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<RawDist>,
    /// Request-rate driver of a service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<RawLoad>,
    /// Requests per second one replica serves at full utilisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rps_per_replica: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaler: Option<RawAutoscaler>,
    // --- batch ---
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival: Option<RawArrival>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks_per_job: Option<RawDist>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<RawDist>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    // --- store ---
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<u32>,
    /// `"majority"`, `"one"`, `"all"`, or a replica count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum: Option<toml::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_per_shard: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_after: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "process", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RawArrival {
    /// Exponential inter-arrival times with the given rate (`"2/s"`).
    Poisson { rate: String },
    /// One job every `every`.
    Interval { every: String },
    /// Jobs come only from workload traces (`[[workload_traces]]`).
    Trace {},
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpreadKind {
    None,
    Rack,
    Zone,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_per_agent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread: Option<SpreadKind>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<RawAttrConstraint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttrConstraint {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<String>,
}

/// A distribution as one small table, e.g. `{ dist = "exponential", mean = "30s" }`. Parameters
/// are numbers for counts and duration strings for times.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RawDist {
    Constant {
        value: toml::Value,
    },
    Uniform {
        low: toml::Value,
        high: toml::Value,
    },
    Exponential {
        mean: toml::Value,
    },
    Normal {
        mean: toml::Value,
        stddev: toml::Value,
    },
    Lognormal {
        mean: toml::Value,
        stddev: toml::Value,
    },
    Weibull {
        shape: f64,
        scale: toml::Value,
    },
    Pareto {
        shape: f64,
        scale: toml::Value,
    },
    /// Either inline `values`, or a CSV `file` (relative to the scenario file) and `column` name.
    Empirical {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        values: Option<Vec<toml::Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
    },
}

/// The `[failures]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_ping_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_missed_pings: Option<u32>,
    /// Independent failures of each agent of a group (or of all agents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<RawAgentFailures>,
    /// Correlated failures of whole racks: each rack fails independently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub racks: Option<RawUpDown>,
    /// Correlated failures of whole zones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<RawUpDown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masters: Option<RawMasterFailures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<RawMaintenance>,
    /// Failures at given times, e.g. `{ at = "2h", target = "rack:cass-r1", event = "down" }`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduled: Vec<RawScheduledEvent>,
    /// Failure traces replayed from files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traces: Vec<RawFailureTrace>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgentFailures {
    /// Agent group; all agents when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub ttf: RawDist,
    pub ttr: RawDist,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpDown {
    pub ttf: RawDist,
    pub ttr: RawDist,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMasterFailures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttf: Option<RawDist>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttr: Option<RawDist>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_election: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaintenance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    pub interval: String,
    pub batch: u32,
    pub drain_timeout: String,
    pub duration: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpDown {
    Down,
    Up,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduledEvent {
    pub at: String,
    pub target: String,
    pub event: UpDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceFormat {
    /// CSV with header `time,target,event`.
    Native,
    /// Failure Trace Archive `event_trace` (tab/space separated, one header line).
    Fta,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailureTrace {
    pub format: TraceFormat,
    /// Path relative to the scenario file.
    pub file: String,
    /// FTA: agent group the trace's nodes map onto (all agents when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// FTA: trace time (Unix seconds) that becomes simulated time 0; the earliest event by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebase: Option<i64>,
}

/// A service's request-rate driver.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RawLoad {
    /// CSV with a header row; `time` (duration or seconds) and `rps` columns, piecewise constant.
    Csv {
        file: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_column: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rps_column: Option<String>,
    },
    /// Inline steps, as the resolved scenario writes a CSV load: `[[time_s, rps], ...]`.
    Steps { steps: Vec<(f64, f64)> },
    /// A daily (or other period) cosine curve between `trough` and `peak`, sampled every `step`.
    Diurnal {
        peak: f64,
        trough: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peak_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        /// Relative standard deviation of multiplicative Gaussian noise per step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        noise: Option<f64>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        spikes: Vec<RawSpike>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpike {
    pub at: String,
    pub duration: String,
    /// Demand is multiplied by this during the spike.
    pub factor: f64,
}

/// Kubernetes Horizontal Pod Autoscaler settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoscaler {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_utilization: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_up_window: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_down_window: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Most replicas added in one evaluation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_step: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadTraceFormat {
    /// CSV `time,workload,action,value[,cpus,mem,duration]`.
    Native,
    /// Google clusterdata-2011-2 `task_events` (+ `job_events`), gzip or plain.
    Google2011,
    /// Alibaba cluster-trace-v2018 `container_meta`, `batch_task`, `batch_instance`.
    Alibaba2018,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkloadTrace {
    pub format: WorkloadTraceFormat,
    /// Native: the trace file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Google: the task_events file(s) and job_events file(s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub task_events: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub job_events: Vec<String>,
    /// Google: CPUs and memory of the largest machine, to which requests are normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_cpus: Option<toml::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_mem: Option<String>,
    /// Google: workloads that receive production (priority 9-11) and other tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prod_workload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_workload: Option<String>,
    /// Alibaba: the three tables (each optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_meta: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_task: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_instance: Option<String>,
}
