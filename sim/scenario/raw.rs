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
