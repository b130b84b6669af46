//! The model and its event loop: workloads submit jobs, the scheduler places their tasks on the
//! cluster, tasks run and end, agents and masters fail and recover, stores rebuild, and statistics
//! are gathered.
//!
//! **Scheduling** (as described here for the monolithic architecture; under two-level and
//! shared-state each framework has its own scheduler, see the "shared state" and "two-level"
//! sections below and docs/scenario.md):
//! - A *service* submits one job of `replicas` tasks at time zero; replicas never end. A replica
//!   is *ready* after its startup delay. A service holds its replica count: replicas lost with an
//!   agent are resubmitted once the agent is declared lost.
//! - A *batch* workload submits jobs from its arrival process between `start` and `stop`; each job
//!   has `tasks_per_job` tasks with a sampled duration each.
//! - A *store* submits one job per shard of `replication` replicas at time zero. Replicas of one
//!   shard never share an agent.
//! - Pending jobs wait in one queue per workload (first come, first served within a workload;
//!   restarted work goes to the front). The scheduler takes the head job of the best unblocked
//!   workload (by submission order under `fifo`; by priority, then submission, under `priority`),
//!   spends its decision time `t_job + t_task * pending tasks` busy (Omega, Schwarzkopf et al.
//!   2013), then places the job's tasks on the cluster as it is at the end of the decision. Tasks that
//!   fit nowhere stay pending and the workload is *blocked* until resources are freed on an agent
//!   where its head task would fit, so retries are driven by events, never by polling, and a blocked
//!   workload never holds up others (backfilling across workloads).
//!
//! **Failures** (the plan comes from `failures::build_plan`, one event scheduled at a time):
//! - An agent fails when its first down cause starts (own failure, rack, zone, maintenance) and
//!   comes back when the last ends. At the failure its work stops at once (batch tasks stop, replicas
//!   stop serving), but the master only learns of it after `agent_ping_timeout * max_missed_pings`
//!   (Mesos); only then is work replaced: batch tasks restart from scratch (the lost CPU time is
//!   counted), service replicas are resubmitted. If the agent returns before that, its lost work is
//!   replaced when it re-registers.
//! - Store replicas keep their data on their agent's disk, on resources that stay reserved for them
//!   (a persistent volume). If the agent returns within `replace_after` of being declared lost, the
//!   replica restarts in place with its data. Otherwise the replica is abandoned (its data with it)
//!   and a replacement is placed elsewhere and rebuilt by copying `data_per_shard` from a live
//!   replica over the network (`network`). If no replica of a shard holds data any more, the shard's
//!   data is lost: it is counted once and the shard is recreated empty (as restored from a backup,
//!   outside the model): its replicas start without copying.
//! - Masters: with the leader down, a new leader (the lowest-numbered master up) takes over after
//!   `leader_election`; while there is no leader nothing is placed (a decision in progress is
//!   abandoned), running work goes on, and agent loss is still detected.
//! - Maintenance drains stop new placements on an agent; after the drain timeout the agent goes down
//!   and its work is replaced at once (planned, no detection delay).
//!
//! Statistics cover work submitted after `warmup` and time after `warmup`.
//!
//! **Invariant:** every decision is a function of the event order and the component streams:
//! no wall clock, no hash-map iteration, no ambient randomness.

use crate::cluster::{AgentId, Cluster, RackId};
use crate::engine::{EventId, EventQueue};
use crate::failures::{PlanEvent, PlanKind, build_plan};
use crate::metrics::{Histogram, Summary, TimeWeighted};
use crate::network::{Network, TransferId};
use crate::placement::{PlacementPolicy, Request, make_policy, needs_sorted_index};
use crate::resources::{DIM_NAMES, DIMS, Resources};
use crate::rng::{Stream, stream};
use crate::scenario::{
    Architecture, Arrival, CommitMode, ConflictMode, LoadSpec, MAX_TASKS_PER_JOB, QueueKind, Scenario, SpreadKind,
    Target, TraceAction, WorkloadKind,
};
use crate::time::{SimDuration, SimTime};
use std::collections::VecDeque;
use std::ops::Range;

/// "No index" marker for optional `u32` links.
const NONE: u32 = u32::MAX;

/// The closed set of things that happen. Each variant's handler lives on `World`.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// Workload `w` submits work: a batch job, or a service's or store's initial replica sets.
    JobArrival { workload: u32 },
    /// A batch task finishes.
    TaskEnd { task: TaskId },
    /// A service or store replica finished starting up.
    ReplicaReady { task: TaskId },
    /// A framework's scheduler finished its current decision.
    DecisionDone { framework: u32 },
    /// Two-level: the allocator runs a round.
    Allocate,
    /// Two-level: an offer was not answered in time.
    OfferTimeout { offer: u32 },
    /// Two-level: a decline filter ran out; the agent may be offered again.
    FilterExpired,
    /// Time to record a `timeseries.csv` row.
    Sample,
    /// Failure plan entry `index` takes effect.
    Plan { index: u32 },
    /// The master declares a failed agent lost (its ping timeout ran out).
    AgentLost { agent: AgentId },
    /// A store replica's `replace_after` ran out while its agent was still down.
    ReplaceReplica { replica: u32 },
    /// A rebuild transfer finished.
    TransferDone { transfer: TransferId },
    /// A new leading master takes over (of silo `silo`; 0 when pooled).
    LeaderElected { silo: u32 },
    /// Workload trace row `index` takes effect.
    TraceRow { index: u32 },
    /// A service's request rate changes to its load step `index`.
    LoadStep { workload: u32, index: u32 },
    /// A service's autoscaler evaluates.
    Autoscale { workload: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct JobId(u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskId(u32);

/// Why a run stopped early. Bounds are part of the scenario (`[limits]`).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "the run hit limits.max_events ({limit}) at simulated {at}; raise the limit or shorten the horizon if this is expected"
    )]
    EventLimit { limit: u64, at: SimTime },
    #[error(
        "{pending} tasks were waiting at simulated {at}, over limits.max_pending_tasks ({limit}): the cluster cannot keep up with the offered load"
    )]
    PendingLimit { limit: u64, pending: u64, at: SimTime },
}

/// Progress of a running simulation, passed to the caller's callback now and then.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub now: SimTime,
    pub horizon: SimTime,
    pub events: u64,
}

/// Everything a run produces apart from wall-clock figures.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub summary: Summary,
    pub timeseries: TimeSeries,
    /// `failures.csv`: one row per failure, detection and recovery.
    pub failures_csv: Vec<u8>,
    /// `scaling.csv`: one row per scale-up episode of a load-driven service.
    pub scaling_csv: Vec<u8>,
}

/// `timeseries.csv` content: a header and rows of numbers (first column is time in seconds).
#[derive(Debug, Clone, Default)]
pub struct TimeSeries {
    pub columns: Vec<String>,
    /// Row-major, `columns.len()` values per row.
    pub values: Vec<f64>,
}

struct Job {
    workload: u32,
    submit: SimTime,
    /// Global submission order; the queue key.
    seq: u64,
    pending: u32,
    running: u32,
    /// Whether statistics count this job (submitted at or after warmup).
    measured: bool,
    /// Whether the job is in its workload's pending queue.
    in_queue: bool,
    /// For store jobs, the shard whose replicas it places; `NONE` otherwise.
    shard: u32,
    /// Per-task resources (the workload's, or a trace row's).
    demand: Resources,
    dominant: usize,
    /// Per-task run time from a trace row; sampled from the workload when `None`.
    duration: Option<SimDuration>,
    /// Unsuccessful scheduling attempts (shared-state and two-level).
    attempts: u32,
    /// Whether a task of the job has started (for the wait to first scheduling).
    started_any: bool,
    /// Pending tasks that are restarts after a failure: their placement is not a wait of
    /// submitted work (they were placed before), so it is left out of the wait statistics.
    restarts_pending: u32,
}

struct Task {
    job: JobId,
    agent: AgentId,
    start: SimTime,
    /// The task's pending event: `TaskEnd` (batch) or `ReplicaReady` (replicas), if any.
    end: Option<EventId>,
    /// Store replica index, or `NONE`.
    replica: u32,
    /// The task stopped with its agent; the master has not replaced it yet.
    dead: bool,
    /// Service replica is serving (counted in `ready_replicas`).
    ready: bool,
    /// Resources the task holds.
    demand: Resources,
    /// When the replica's image is on its agent (equal to `start` for a warm agent).
    pull_end: SimTime,
    /// Intrusive list of the tasks on `agent`.
    prev: u32,
    next: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReplicaState {
    /// Waiting to be placed.
    Pending,
    /// Placed, starting up (new, recreated, or restarting in place with its data).
    Starting,
    /// Serving; a rebuild source.
    Running,
    /// Its agent is down.
    Down,
    /// Placed as a replacement; copying data from a live replica.
    Rebuilding,
    /// Placed as a replacement; no live replica to copy from yet.
    AwaitingSource,
}

struct Replica {
    shard: u32,
    state: ReplicaState,
    /// Holds the shard's data (Starting, Running, and Down after either).
    has_data: bool,
    task: Option<TaskId>,
    /// The pending `ReplaceReplica` event while Down and declared lost.
    timer: Option<EventId>,
    transfer: Option<TransferId>,
    transfer_start: SimTime,
}

struct Shard {
    workload: u32,
    /// Replica indexes of this shard (contiguous).
    replicas: Range<u32>,
    /// Running replicas.
    live: u32,
    /// Reached full replication once; before that, shards are being created, not degraded.
    created: bool,
    /// When the shard dropped below full replication (for `store_recovery_s`).
    degraded_since: Option<SimTime>,
    /// Data lost: replicas start empty instead of rebuilding.
    recreate: bool,
}

struct ServiceState {
    /// Replicas the service holds (placed or pending), as set by the scenario, a trace or the
    /// autoscaler.
    target: u32,
    ready: u32,
    degraded_since: Option<SimTime>,
    /// Placed replicas, oldest first.
    replicas: Vec<TaskId>,
    /// Image index into `World::image_ready`, if the service names an image.
    image: Option<usize>,
    // Load-driven services only:
    rps: f64,
    /// Replicas needed at full utilisation: ceil(rps / rps_per_replica).
    needed: u32,
    /// Piecewise-constant request rate.
    steps: Vec<(SimTime, f64)>,
    /// Autoscaler recommendations of the last window: (time, desired replicas).
    recommendations: VecDeque<(SimTime, u32)>,
    /// Open scale-up episode: when demand first exceeded ready capacity.
    episode: Option<SimTime>,
    shortfall_tw: TimeWeighted,
    ok_tw: TimeWeighted,
}

/// A spread domain (rack or zone): eligible agent ranges and the workload's task count in it.
struct Domain {
    ranges: Vec<Range<u32>>,
    tasks: u32,
}

struct WorkloadState {
    demand: Resources,
    dominant: usize,
    priority: i32,
    /// Eligible agents (groups admitted by attribute constraints), sorted disjoint ranges.
    ranges: Vec<Range<u32>>,
    queue: VecDeque<JobId>,
    /// Head task fits nowhere; cleared when resources are freed where it would fit.
    blocked: bool,
    /// Tasks of this workload per agent, kept when `max_per_agent` needs it.
    per_agent: Option<Vec<u32>>,
    max_per_agent: Option<u32>,
    /// Spread domains, and each rack's domain (`NONE`: not eligible).
    domains: Vec<Domain>,
    rack_domain: Vec<u32>,
    arrival_rng: Stream,
    size_rng: Stream,
    duration_rng: Stream,
    service: Option<ServiceState>,
    /// First shard index of a store.
    first_shard: u32,
    // Statistics.
    started: u64,
    wait: Histogram,
}

/// One framework's scheduler (monolithic: the one scheduler, holding every workload).
struct FrameworkState {
    name: String,
    policy: Box<dyn PlacementPolicy>,
    /// Workloads this scheduler serves.
    workloads: Vec<u32>,
    t_job: SimDuration,
    t_task: SimDuration,
    weight: f64,
    max_tasks_per_offer: Option<u32>,
    deciding: Option<Decision>,
    /// Resources of its running tasks plus its outstanding offers (the DRF numerator).
    allocated: Resources,
    /// Two-level: nothing to launch, so no offers until new work revives it.
    suppressed: bool,
    /// Two-level: per agent, the time until which a decline keeps it from this framework
    /// (allocated on the first decline).
    refused_until: Vec<SimTime>,
    /// Two-level: offers received and not yet considered.
    inbox: Vec<u32>,
    busy_tw: TimeWeighted,
    transactions: u64,
    conflicted: u64,
    offers_made: u64,
    offers_declined: u64,
    offers_rescinded: u64,
    jobs_abandoned: u64,
}

/// What a busy scheduler is deciding, and the event that ends the decision.
enum Decision {
    /// Monolithic: place the head job of `workload` on the cluster as it is at the end.
    Place { workload: u32, end: EventId },
    /// Shared-state: commit `picks` (agent, its version in the snapshot), made at the start.
    Optimistic { workload: u32, job: JobId, picks: Vec<(AgentId, u64)>, end: EventId },
    /// Two-level: answer a batch of offers.
    Offers { batch: Vec<u32>, end: EventId },
}

impl Decision {
    fn end(&self) -> EventId {
        match self {
            Decision::Place { end, .. } | Decision::Optimistic { end, .. } | Decision::Offers { end, .. } => *end,
        }
    }
}

/// A two-level offer: `resources` of `agent` locked for `framework` until answered or rescinded.
struct Offer {
    framework: u32,
    agent: AgentId,
    resources: Resources,
    live: bool,
    timeout: Option<EventId>,
}

/// The masters: one set for the pooled layout, one per silo when siloed (`per_silo` masters each,
/// numbered silo by silo).
struct Masters {
    up: Vec<bool>,
    per_silo: u32,
    /// Per silo: the leading master.
    leader: Vec<Option<u32>>,
    /// Per silo: the pending election.
    election: Vec<Option<EventId>>,
}

impl Masters {
    fn silo_of(&self, m: u32) -> usize {
        (m / self.per_silo) as usize
    }

    /// Silos without a leading master.
    fn leaderless(&self) -> u64 {
        self.leader.iter().filter(|l| l.is_none()).count() as u64
    }
}

/// Per-agent failure state.
struct AgentHealth {
    /// Active down causes (own failure, rack, zone, maintenance). Down while > 0.
    down_causes: Vec<u16>,
    draining: Vec<bool>,
    /// Pending `AgentLost` event of a down agent not yet declared lost.
    detection: Vec<Option<EventId>>,
    declared_lost: Vec<bool>,
    down_since: Vec<SimTime>,
    /// Head of the intrusive list of tasks on each agent.
    tasks_head: Vec<u32>,
}

/// The simulated world: cluster, workloads, scheduler, failures, statistics.
pub struct World<'s> {
    sc: &'s Scenario,
    now: SimTime,
    horizon: SimTime,
    warmup: SimTime,
    queue: EventQueue<Event>,
    cluster: Cluster,
    workloads: Vec<WorkloadState>,
    /// One scheduler per framework (monolithic: one holding every workload).
    fw: Vec<FrameworkState>,
    /// Framework of each workload.
    fw_of: Vec<u32>,
    /// Master set (silo) of each framework: its scheduling waits for that silo's leader.
    fw_silo: Vec<usize>,
    /// Scratch buffer for spread ordering (kept to avoid allocating per placement).
    domain_order: Vec<u32>,
    /// Two-level: offers (slots reused once their framework has answered them).
    offers: Vec<Offer>,
    free_offers: Vec<u32>,
    allocation_at: Option<SimTime>,
    last_allocation: Option<SimTime>,
    /// Per agent group, the framework its agents are reserved for.
    reserved_for: Vec<Option<u32>>,
    /// Two-level: expiry times of decline filters, and the one wake-up event scheduled for the
    /// earliest (so a thousand declines at once cost one event).
    filter_expiries: std::collections::BinaryHeap<std::cmp::Reverse<SimTime>>,
    filter_wakeup: Option<SimTime>,
    /// CPU millicores held in outstanding offers.
    locked_cpu: u64,
    locked_tw: TimeWeighted,
    jobs_abandoned: u64,
    job_first_wait: Histogram,
    job_full_wait: Histogram,
    jobs: Vec<Job>,
    free_jobs: Vec<u32>,
    tasks: Vec<Task>,
    free_tasks: Vec<u32>,
    next_job_seq: u64,
    events: u64,
    plan: Vec<PlanEvent>,
    health: AgentHealth,
    masters: Masters,
    network: Network,
    /// Per transfer id: its finish event and replica.
    transfer_event: Vec<(Option<EventId>, u32)>,
    /// Scratch for `Network` reports.
    changed: Vec<(TransferId, SimTime)>,
    replicas: Vec<Replica>,
    shards: Vec<Shard>,
    // Gauges and counters.
    pending_tasks: u64,
    running_tasks: u64,
    ready_replicas: u64,
    agents_up: u64,
    under_replicated: u64,
    unavailable: u64,
    tasks_submitted: u64,
    tasks_submitted_measured: u64,
    tasks_started: u64,
    tasks_completed: u64,
    jobs_submitted: u64,
    jobs_completed: u64,
    data_loss_shards: u64,
    agent_failures: u64,
    /// CPU millicore-microseconds of batch work lost to failures after warmup.
    batch_lost_cpu_mus: u128,
    pending_tw: TimeWeighted,
    running_tw: TimeWeighted,
    alloc_tw: [TimeWeighted; DIMS],
    agents_up_tw: TimeWeighted,
    under_tw: TimeWeighted,
    unavailable_tw: TimeWeighted,
    no_leader_tw: TimeWeighted,
    wait: Histogram,
    job_response: Histogram,
    service_recovery: Histogram,
    store_rebuild: Histogram,
    store_recovery: Histogram,
    series: TimeSeries,
    failures_csv: String,
    target_names: crate::scenario::TargetNames,
    /// Per image, per agent: when the image is (or will be) available there; `u64::MAX`: never pulled.
    image_ready: Vec<Vec<SimTime>>,
    scale_latency: Histogram,
    scale_events: u64,
    scaling_csv: String,
}

impl<'s> World<'s> {
    pub fn new(sc: &'s Scenario) -> World<'s> {
        let sorted = needs_sorted_index(sc.scheduler.placement)
            || sc.scheduler.frameworks.iter().any(|f| needs_sorted_index(f.placement));
        let cluster = Cluster::new(&sc.cluster, sorted);
        let total = cluster.capacity();
        let warmup = SimTime(sc.warmup.0);
        let mut workloads = Vec::with_capacity(sc.workloads.len());
        let mut replicas = Vec::new();
        let mut shards = Vec::new();
        let mut images: Vec<String> = Vec::new();
        for (wi, w) in sc.workloads.iter().enumerate() {
            // Eligible agents: groups the constraints admit, inside the workload's silo if siloed.
            let silo = sc.silo_of(wi).map(|k| &sc.silos[k]);
            let ranges: Vec<Range<u32>> = sc
                .cluster
                .groups
                .iter()
                .zip(cluster.groups())
                .enumerate()
                .filter(|(gi, (spec, _))| {
                    w.constraints.admits_group(spec) && silo.is_none_or(|s| s.groups.contains(gi))
                })
                .map(|(_, (_, g))| g.agents.clone())
                .collect();
            let (domains, rack_domain) = spread_domains(&cluster, &ranges, w.constraints.spread);
            let name = &w.name;
            let first_shard = shards.len() as u32;
            if let WorkloadKind::Store(st) = &w.kind {
                for _ in 0..st.shards {
                    let lo = replicas.len() as u32;
                    for _ in 0..st.replication {
                        replicas.push(Replica {
                            shard: shards.len() as u32,
                            state: ReplicaState::Pending,
                            has_data: false,
                            task: None,
                            timer: None,
                            transfer: None,
                            transfer_start: SimTime::ZERO,
                        });
                    }
                    shards.push(Shard {
                        workload: wi as u32,
                        replicas: lo..replicas.len() as u32,
                        live: 0,
                        created: false,
                        degraded_since: None,
                        recreate: true,
                    });
                }
            }
            workloads.push(WorkloadState {
                demand: w.demand,
                dominant: w.demand.dominant_dim(&total),
                priority: w.priority,
                ranges,
                queue: VecDeque::new(),
                blocked: false,
                per_agent: w.constraints.max_per_agent.map(|_| vec![0; cluster.len()]),
                max_per_agent: w.constraints.max_per_agent,
                domains,
                rack_domain,
                arrival_rng: stream(sc.seed, &format!("workload/{name}/arrival")),
                size_rng: stream(sc.seed, &format!("workload/{name}/tasks_per_job")),
                duration_rng: stream(sc.seed, &format!("workload/{name}/duration")),
                service: match &w.kind {
                    WorkloadKind::Service(s) => Some(ServiceState {
                        target: s.replicas,
                        ready: 0,
                        degraded_since: None,
                        replicas: Vec::new(),
                        image: s.image.as_ref().map(|img| {
                            images.iter().position(|i| i == img).unwrap_or_else(|| {
                                images.push(img.clone());
                                images.len() - 1
                            })
                        }),
                        rps: 0.0,
                        needed: 0,
                        steps: load_steps(sc, w, s.load.as_ref()),
                        recommendations: VecDeque::new(),
                        episode: None,
                        shortfall_tw: TimeWeighted::new(warmup),
                        ok_tw: TimeWeighted::new(warmup),
                    }),
                    _ => None,
                },
                first_shard,
                started: 0,
                wait: Histogram::default(),
            });
        }
        let mut columns = vec!["time_s".to_string()];
        for p in cluster.pools() {
            for d in DIM_NAMES {
                columns.push(format!("{}_{d}_alloc_frac", p.name));
            }
        }
        columns.extend(
            [
                "running_tasks",
                "pending_tasks",
                "ready_replicas",
                "agents_up",
                "under_replicated_shards",
                "unavailable_shards",
            ]
            .map(String::from),
        );
        for w in &sc.workloads {
            if matches!(&w.kind, WorkloadKind::Service(sv) if sv.load.is_some()) {
                columns.push(format!("{}_rps", w.name));
                columns.push(format!("{}_ready_replicas", w.name));
            }
        }
        let n = cluster.len();
        let bandwidth: Vec<u64> = (0..n as u32)
            .map(|a| sc.cluster.groups[cluster.agent(AgentId(a)).group as usize].network_bytes_per_s)
            .collect();
        let mut agents_up_tw = TimeWeighted::new(warmup);
        agents_up_tw.set(SimTime::ZERO, n as u64);
        let mut no_leader_tw = TimeWeighted::new(warmup);
        no_leader_tw.set(SimTime::ZERO, 0);
        World {
            sc,
            now: SimTime::ZERO,
            horizon: SimTime(sc.horizon.0),
            warmup,
            queue: EventQueue::new(),
            workloads,
            fw: fw_states(sc, warmup),
            fw_of: fw_of(sc),
            domain_order: Vec::new(),
            offers: Vec::new(),
            free_offers: Vec::new(),
            allocation_at: None,
            last_allocation: None,
            reserved_for: sc
                .cluster
                .groups
                .iter()
                .map(|g| {
                    g.reserve
                        .as_ref()
                        .and_then(|r| sc.scheduler.frameworks.iter().position(|f| &f.name == r))
                        .map(|k| k as u32)
                })
                .collect(),
            filter_expiries: std::collections::BinaryHeap::new(),
            filter_wakeup: None,
            locked_cpu: 0,
            locked_tw: TimeWeighted::new(warmup),
            jobs_abandoned: 0,
            job_first_wait: Histogram::default(),
            job_full_wait: Histogram::default(),
            jobs: Vec::new(),
            free_jobs: Vec::new(),
            tasks: Vec::new(),
            free_tasks: Vec::new(),
            next_job_seq: 0,
            events: 0,
            plan: build_plan(sc),
            health: AgentHealth {
                down_causes: vec![0; n],
                draining: vec![false; n],
                detection: vec![None; n],
                declared_lost: vec![false; n],
                down_since: vec![SimTime::ZERO; n],
                tasks_head: vec![NONE; n],
            },
            masters: {
                let silos = sc.master_sets();
                let per_silo = sc.cluster.masters;
                Masters {
                    up: vec![true; (per_silo * silos) as usize],
                    per_silo,
                    leader: (0..silos).map(|k| Some(k * per_silo)).collect(),
                    election: vec![None; silos as usize],
                }
            },
            fw_silo: fw_silo(sc),
            network: Network::new(bandwidth.into_iter()),
            transfer_event: Vec::new(),
            changed: Vec::new(),
            replicas,
            shards,
            pending_tasks: 0,
            running_tasks: 0,
            ready_replicas: 0,
            agents_up: n as u64,
            under_replicated: 0,
            unavailable: 0,
            tasks_submitted: 0,
            tasks_submitted_measured: 0,
            tasks_started: 0,
            tasks_completed: 0,
            jobs_submitted: 0,
            jobs_completed: 0,
            data_loss_shards: 0,
            agent_failures: 0,
            batch_lost_cpu_mus: 0,
            pending_tw: TimeWeighted::new(warmup),
            running_tw: TimeWeighted::new(warmup),
            alloc_tw: std::array::from_fn(|_| TimeWeighted::new(warmup)),
            agents_up_tw,
            under_tw: TimeWeighted::new(warmup),
            unavailable_tw: TimeWeighted::new(warmup),
            no_leader_tw,
            wait: Histogram::default(),
            job_response: Histogram::default(),
            service_recovery: Histogram::default(),
            store_rebuild: Histogram::default(),
            store_recovery: Histogram::default(),
            series: TimeSeries { columns, values: Vec::new() },
            failures_csv: String::from("time_s,target,event,affected\n"),
            image_ready: vec![vec![SimTime(u64::MAX); n]; images.len()],
            scale_latency: Histogram::default(),
            scale_events: 0,
            scaling_csv: String::from(
                "workload,start_s,end_s,latency_s,reaction_s,queueing_s,pull_s,boot_s,needed_replicas\n",
            ),
            target_names: crate::scenario::TargetNames::of(&sc.cluster),
            cluster,
        }
    }

    /// Runs to the horizon. `progress` is called about every 2^16 events and once at the end.
    pub fn run(mut self, progress: &mut dyn FnMut(Progress)) -> Result<RunResult, RunError> {
        self.start();
        self.advance_to(self.horizon, progress)?;
        self.now = self.horizon;
        progress(Progress { now: self.now, horizon: self.horizon, events: self.events });
        Ok(self.finish())
    }

    /// Schedules the first event of every workload, the first sample and the first plan entry.
    fn start(&mut self) {
        for (i, w) in self.sc.workloads.iter().enumerate() {
            let first = match &w.kind {
                WorkloadKind::Service(_) | WorkloadKind::Store(_) => Some(SimTime::ZERO),
                WorkloadKind::Batch(b) => {
                    let start = SimTime(b.start.0);
                    match b.arrival {
                        Arrival::Interval { .. } => Some(start),
                        Arrival::Poisson { .. } => self.next_arrival(i as u32, start),
                        Arrival::Trace => None,
                    }
                }
            };
            if let Some(t) = first {
                self.queue.schedule(t, Event::JobArrival { workload: i as u32 });
            }
        }
        let interval = self.sc.sample_interval;
        self.queue.schedule(SimTime::ZERO.plus(interval), Event::Sample);
        if let Some(first) = self.plan.first() {
            self.queue.schedule(first.time, Event::Plan { index: 0 });
        }
        if let Some(first) = self.sc.trace_rows.first() {
            self.queue.schedule(SimTime(first.at.0), Event::TraceRow { index: 0 });
        }
        for (i, w) in self.sc.workloads.iter().enumerate() {
            let WorkloadKind::Service(s) = &w.kind else { continue };
            let svc = self.workloads[i].service.as_ref().expect("service state");
            if let Some(&(t, _)) = svc.steps.first() {
                self.queue.schedule(t, Event::LoadStep { workload: i as u32, index: 0 });
            }
            if let Some(a) = &s.autoscaler {
                self.queue.schedule(SimTime::ZERO.plus(a.period), Event::Autoscale { workload: i as u32 });
            }
        }
    }

    /// Processes every event at or before `until` (which must not exceed the horizon).
    fn advance_to(&mut self, until: SimTime, progress: &mut dyn FnMut(Progress)) -> Result<(), RunError> {
        let max_events = self.sc.limits.max_events;
        while let Some(t) = self.queue.peek_time() {
            if t > until {
                break;
            }
            let (t, ev) = self.queue.pop().expect("peeked");
            debug_assert!(t >= self.now, "time went backwards: {t} < {}", self.now);
            self.now = t;
            self.events += 1;
            if self.events > max_events {
                return Err(RunError::EventLimit { limit: max_events, at: t });
            }
            match ev {
                Event::JobArrival { workload } => self.on_job_arrival(workload),
                Event::TaskEnd { task } => self.on_task_end(task),
                Event::ReplicaReady { task } => self.on_replica_ready(task),
                Event::DecisionDone { framework } => self.on_decision_done(framework),
                Event::Allocate => self.on_allocate(),
                Event::OfferTimeout { offer } => self.on_offer_timeout(offer),
                Event::FilterExpired => self.on_filter_expired(),
                Event::Sample => self.on_sample(),
                Event::Plan { index } => self.on_plan(index),
                Event::AgentLost { agent } => self.on_agent_lost(agent),
                Event::ReplaceReplica { replica } => self.on_replace_replica(replica),
                Event::TransferDone { transfer } => self.on_transfer_done(transfer),
                Event::LeaderElected { silo } => self.on_leader_elected(silo),
                Event::TraceRow { index } => self.on_trace_row(index),
                Event::LoadStep { workload, index } => self.on_load_step(workload, index),
                Event::Autoscale { workload } => self.on_autoscale(workload),
            }
            self.observe();
            if self.pending_tasks > self.sc.limits.max_pending_tasks {
                return Err(RunError::PendingLimit {
                    limit: self.sc.limits.max_pending_tasks,
                    pending: self.pending_tasks,
                    at: t,
                });
            }
            if self.events & 0xffff == 0 {
                progress(Progress { now: self.now, horizon: self.horizon, events: self.events });
            }
        }
        Ok(())
    }

    /// Updates the time-weighted gauges after an event's handler ran, so that transient values
    /// inside one instant (a job submitted and placed at once) do not count as waiting.
    #[inline]
    fn observe(&mut self) {
        let now = self.now;
        self.pending_tw.set(now, self.pending_tasks);
        self.running_tw.set(now, self.running_tasks);
        for fw in &mut self.fw {
            fw.busy_tw.set(now, fw.deciding.is_some() as u64);
        }
        self.locked_tw.set(now, self.locked_cpu);
        let a = self.cluster.allocated().as_array();
        for (tw, v) in self.alloc_tw.iter_mut().zip(a) {
            tw.set(now, v);
        }
        self.agents_up_tw.set(now, self.agents_up);
        self.under_tw.set(now, self.under_replicated);
        self.unavailable_tw.set(now, self.unavailable);
        self.no_leader_tw.set(now, self.masters.leaderless());
    }

    fn log(&mut self, target: &str, event: &str, affected: &str) {
        use std::fmt::Write;
        let _ = writeln!(self.failures_csv, "{},{target},{event},{affected}", self.now.as_secs_f64());
    }

    // ---------------------------------------------------------------- arrivals and scheduling

    /// The next arrival of batch workload `w` after `after`, if before its stop time.
    fn next_arrival(&mut self, w: u32, after: SimTime) -> Option<SimTime> {
        let WorkloadKind::Batch(b) = &self.sc.workloads[w as usize].kind else { return None };
        let gap = match b.arrival {
            Arrival::Poisson { rate_per_s } => {
                let u: f64 = rand::RngExt::random(&mut self.workloads[w as usize].arrival_rng);
                // Inverse transform; 1-u is in (0, 1], so the log is finite.
                SimDuration::from_secs_f64(-(1.0 - u).ln() / rate_per_s)
            }
            Arrival::Interval { every } => every,
            Arrival::Trace => return None,
        };
        let t = after.0.checked_add(gap.0).map(SimTime)?;
        (t.0 < b.stop.0).then_some(t)
    }

    fn on_job_arrival(&mut self, w: u32) {
        let now = self.now;
        match &self.sc.workloads[w as usize].kind {
            WorkloadKind::Service(s) => {
                self.submit_job(w, s.replicas, NONE, false);
            }
            WorkloadKind::Store(st) => {
                let first = self.workloads[w as usize].first_shard;
                for shard in first..first + st.shards {
                    self.submit_job(w, st.replication, shard, false);
                }
            }
            WorkloadKind::Batch(b) => {
                let x = b.tasks_per_job.sample(&mut self.workloads[w as usize].size_rng);
                let tasks = x.round().clamp(1.0, MAX_TASKS_PER_JOB as f64) as u32;
                self.submit_job(w, tasks, NONE, false);
                if let Some(next) = self.next_arrival(w, now) {
                    self.queue.schedule(next, Event::JobArrival { workload: w });
                }
            }
        }
        self.kick();
    }

    /// Submits a new job of `tasks` tasks; `front` puts it ahead of the workload's queue
    /// (replacement work).
    fn submit_job(&mut self, w: u32, tasks: u32, shard: u32, front: bool) {
        let demand = self.workloads[w as usize].demand;
        self.submit_job_with(w, tasks, shard, front, demand, None);
    }

    fn submit_job_with(
        &mut self,
        w: u32,
        tasks: u32,
        shard: u32,
        front: bool,
        demand: Resources,
        duration: Option<SimDuration>,
    ) {
        let measured = self.now >= self.warmup;
        let dominant = if demand == self.workloads[w as usize].demand {
            self.workloads[w as usize].dominant
        } else {
            demand.dominant_dim(&self.cluster.capacity())
        };
        let job = Job {
            workload: w,
            submit: self.now,
            seq: self.next_job_seq,
            pending: tasks,
            running: 0,
            measured,
            in_queue: true,
            shard,
            demand,
            dominant,
            duration,
            attempts: 0,
            started_any: false,
            restarts_pending: 0,
        };
        self.next_job_seq += 1;
        // Two-level: new work revives a framework that suppressed offers.
        let f = self.fw_of[w as usize] as usize;
        self.fw[f].suppressed = false;
        let id = match self.free_jobs.pop() {
            Some(i) => {
                self.jobs[i as usize] = job;
                JobId(i)
            }
            None => {
                self.jobs.push(job);
                JobId(self.jobs.len() as u32 - 1)
            }
        };
        let q = &mut self.workloads[w as usize].queue;
        if front {
            q.push_front(id)
        } else {
            q.push_back(id)
        }
        self.pending_tasks += tasks as u64;
        self.tasks_submitted += tasks as u64;
        self.jobs_submitted += 1;
        if measured {
            self.tasks_submitted_measured += tasks as u64;
        }
    }

    /// The workload of framework `f` whose head job comes first in queue order (skipping blocked
    /// workloads unless `ignore_blocked`).
    fn next_workload(&self, f: usize, ignore_blocked: bool) -> Option<u32> {
        let mut best: Option<(i64, u64, u32)> = None;
        for &i in &self.fw[f].workloads {
            let w = &self.workloads[i as usize];
            if w.blocked && !ignore_blocked {
                continue;
            }
            let Some(&head) = w.queue.front() else { continue };
            let seq = self.jobs[head.0 as usize].seq;
            let prio = match self.sc.scheduler.queue {
                QueueKind::Fifo => 0,
                QueueKind::Priority => -(w.priority as i64),
            };
            let key = (prio, seq, i);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(_, _, w)| w)
    }

    /// Lets idle schedulers start decisions (monolithic and shared-state), or asks the allocator
    /// for a round (two-level). Nothing happens without a leading master.
    fn kick(&mut self) {
        if self.masters.leaderless() == self.masters.leader.len() as u64 {
            return;
        }
        match self.sc.scheduler.architecture {
            Architecture::TwoLevel => self.request_allocation(),
            _ => {
                for f in 0..self.fw.len() {
                    self.kick_framework(f);
                }
            }
        }
    }

    fn decision_cost(&self, f: usize, tasks: u64) -> SimDuration {
        let fw = &self.fw[f];
        fw.t_task.checked_mul(tasks).and_then(|c| c.checked_add(fw.t_job)).expect("decision time overflows u64 µs")
    }

    fn kick_framework(&mut self, f: usize) {
        while self.fw[f].deciding.is_none() && self.masters.leader[self.fw_silo[f]].is_some() {
            let Some(w) = self.next_workload(f, false) else { return };
            let head = *self.workloads[w as usize].queue.front().expect("next_workload has a head");
            let cost = self.decision_cost(f, self.jobs[head.0 as usize].pending as u64);
            if self.sc.scheduler.architecture == Architecture::SharedState {
                let picks = self.snapshot_picks(w, head);
                if picks.is_empty() {
                    self.workloads[w as usize].blocked = true;
                    continue;
                }
                if cost.0 == 0 {
                    self.commit(f, w, head, &picks);
                } else {
                    let end = self.queue.schedule(self.now.plus(cost), Event::DecisionDone { framework: f as u32 });
                    self.fw[f].deciding = Some(Decision::Optimistic { workload: w, job: head, picks, end });
                    return;
                }
            } else if cost.0 == 0 {
                self.place_head(w);
            } else {
                let end = self.queue.schedule(self.now.plus(cost), Event::DecisionDone { framework: f as u32 });
                self.fw[f].deciding = Some(Decision::Place { workload: w, end });
                return;
            }
        }
    }

    fn on_decision_done(&mut self, f: u32) {
        let f = f as usize;
        match self.fw[f].deciding.take().expect("DecisionDone while idle") {
            Decision::Place { workload, .. } => self.place_head(workload),
            Decision::Optimistic { workload, job, picks, .. } => {
                // The job may have been shrunk or finished meanwhile (scale-down, abandonment).
                if self.jobs[job.0 as usize].in_queue && self.workloads[workload as usize].queue.front() == Some(&job) {
                    self.commit(f, workload, job, &picks);
                }
            }
            Decision::Offers { batch, .. } => self.answer_offers(f, &batch),
        }
        self.kick();
    }

    /// Places as many pending tasks of workload `w`'s head job as fit; blocks `w` if some do not.
    fn place_head(&mut self, w: u32) {
        let Some(&job) = self.workloads[w as usize].queue.front() else { return };
        while self.jobs[job.0 as usize].pending > 0 {
            match self.select_agent(w, job) {
                Some(agent) => self.start_task(job, agent),
                None => {
                    self.workloads[w as usize].blocked = true;
                    return;
                }
            }
        }
        self.pop_head(w, job);
    }

    fn pop_head(&mut self, w: u32, job: JobId) {
        self.workloads[w as usize].queue.pop_front();
        self.jobs[job.0 as usize].in_queue = false;
        self.retire_job_if_done(job);
    }

    /// Per-agent constraints of workload `w` (job of `shard`, or `NONE`) on agent `a`, resources
    /// and eligibility aside (placement requests carry the eligible ranges): `max_per_agent`, and
    /// replicas of one shard on distinct agents.
    fn admits(&self, w: u32, shard: u32, a: AgentId) -> bool {
        let ws = &self.workloads[w as usize];
        let below_max = match (&ws.per_agent, ws.max_per_agent) {
            (Some(counts), Some(m)) => counts[a.0 as usize] < m,
            _ => true,
        };
        let apart = shard == NONE
            || !self.shards[shard as usize]
                .replicas
                .clone()
                .any(|r| self.replicas[r as usize].task.is_some_and(|t| self.tasks[t.0 as usize].agent == a));
        below_max && apart
    }

    /// `admits` plus eligibility, for decisions made about one given agent (offers, commits).
    fn admits_on(&self, w: u32, shard: u32, a: AgentId) -> bool {
        self.workloads[w as usize].ranges.iter().any(|r| r.contains(&a.0)) && self.admits(w, shard, a)
    }

    /// Asks the framework's placement policy for an agent for one task of `job`.
    fn select_agent(&mut self, w: u32, job: JobId) -> Option<AgentId> {
        let f = self.fw_of[w as usize] as usize;
        // The policy is taken out for the call so that the constraint check can read the world.
        let mut policy = std::mem::replace(&mut self.fw[f].policy, Box::new(crate::placement::FirstFit));
        let mut order = std::mem::take(&mut self.domain_order);
        let picked = self.select_with(&mut *policy, &mut order, w, job);
        self.fw[f].policy = policy;
        self.domain_order = order;
        picked
    }

    fn select_with(
        &self,
        policy: &mut dyn PlacementPolicy,
        order: &mut Vec<u32>,
        w: u32,
        job: JobId,
    ) -> Option<AgentId> {
        let ws = &self.workloads[w as usize];
        let j = &self.jobs[job.0 as usize];
        let shard = j.shard;
        let admit = |a: AgentId| self.admits(w, shard, a);
        if ws.domains.is_empty() {
            let req = Request { demand: j.demand, dominant: j.dominant, ranges: &ws.ranges, admit: &admit };
            return policy.select(&self.cluster, &req);
        }
        // Spread: try domains with the fewest of this shard's replicas (stores), then of this
        // workload's tasks, first; ties by domain order.
        let shard_replicas = if shard == NONE { 0..0 } else { self.shards[shard as usize].replicas.clone() };
        let in_domain = |d: u32| {
            shard_replicas
                .clone()
                .filter_map(|r| self.replicas[r as usize].task)
                .filter(|t| ws.rack_domain[self.cluster.agent(self.tasks[t.0 as usize].agent).rack.0 as usize] == d)
                .count()
        };
        order.clear();
        order.extend(0..ws.domains.len() as u32);
        order.sort_by_key(|&d| (in_domain(d), ws.domains[d as usize].tasks, d));
        order.iter().find_map(|&d| {
            let req = Request {
                demand: j.demand,
                dominant: j.dominant,
                ranges: &ws.domains[d as usize].ranges,
                admit: &admit,
            };
            policy.select(&self.cluster, &req)
        })
    }

    // ---------------------------------------------------------------- shared state (Omega)

    /// Picks agents for the head job's pending tasks on the current state (the snapshot), with
    /// each agent's version; the state is left as it was.
    fn snapshot_picks(&mut self, w: u32, job: JobId) -> Vec<(AgentId, u64)> {
        let demand = self.jobs[job.0 as usize].demand;
        let mut picks = Vec::new();
        for _ in 0..self.jobs[job.0 as usize].pending {
            let Some(a) = self.select_agent(w, job) else { break };
            picks.push((a, self.cluster.version(a)));
            // Hold the pick so the next task sees it, as the scheduler's private copy would.
            self.cluster.allocate(a, &demand);
            if let Some(c) = &mut self.workloads[w as usize].per_agent {
                c[a.0 as usize] += 1;
            }
        }
        for &(a, _) in &picks {
            self.cluster.release(a, &demand);
            if let Some(c) = &mut self.workloads[w as usize].per_agent {
                c[a.0 as usize] -= 1;
            }
        }
        // Releasing bumped the versions back up: the snapshot is the state before the picks.
        picks.iter().map(|&(a, _)| (a, self.cluster.version(a))).collect()
    }

    /// Commits a shared-state transaction: a pick conflicts if its agent changed at all since the
    /// snapshot (coarse, as with per-agent sequence numbers) or no longer has room for it (fine);
    /// incremental commits the picks without conflicts, gang commits all or nothing.
    fn commit(&mut self, f: usize, w: u32, job: JobId, picks: &[(AgentId, u64)]) {
        let demand = self.jobs[job.0 as usize].demand;
        let shard = self.jobs[job.0 as usize].shard;
        let coarse = self.sc.scheduler.conflict == ConflictMode::Coarse;
        // Coarse conflicts are judged against the snapshot, before this transaction changes anything.
        let stale: Vec<bool> = picks.iter().map(|&(a, v)| coarse && self.cluster.version(a) != v).collect();
        let fits_now = |me: &Self, a: AgentId| me.cluster.agent(a).offered().fits(&demand) && me.admits_on(w, shard, a);
        let mut conflicts = 0u32;
        let mut accepted = Vec::with_capacity(picks.len());
        for (k, &(a, _)) in picks.iter().enumerate() {
            // Fine mode also checks room, cumulatively: earlier picks of this transaction are held.
            if !stale[k] && fits_now(self, a) {
                self.cluster.allocate(a, &demand);
                accepted.push(a);
            } else {
                conflicts += 1;
            }
        }
        for &a in &accepted {
            self.cluster.release(a, &demand);
        }
        let gang = self.sc.scheduler.commit == CommitMode::Gang;
        let committed = if gang && conflicts > 0 { 0 } else { accepted.len() };
        for &a in accepted.iter().take(committed) {
            self.start_task(job, a);
        }
        let fw = &mut self.fw[f];
        if committed > 0 {
            fw.transactions += 1;
        }
        if conflicts > 0 {
            fw.conflicted += 1;
        }
        self.after_attempt(f, w, job);
    }

    /// After a scheduling attempt on `job`: pop it if fully placed; otherwise count the attempt
    /// and abandon the job after `max_attempts`.
    fn after_attempt(&mut self, f: usize, w: u32, job: JobId) {
        if self.jobs[job.0 as usize].pending == 0 {
            if self.workloads[w as usize].queue.front() == Some(&job) {
                self.pop_head(w, job);
            }
            return;
        }
        let j = &mut self.jobs[job.0 as usize];
        j.attempts += 1;
        if j.attempts >= self.sc.scheduler.max_attempts && self.sc.workloads[w as usize].is_batch() {
            let dropped = j.pending;
            j.pending = 0;
            self.pending_tasks -= dropped as u64;
            self.fw[f].jobs_abandoned += 1;
            self.jobs_abandoned += 1;
            if self.workloads[w as usize].queue.front() == Some(&job) {
                self.pop_head(w, job);
            }
        }
    }

    // ---------------------------------------------------------------- two-level (Mesos)

    /// The weighted dominant share of framework `f`.
    fn drf_share(&self, f: usize) -> f64 {
        let fw = &self.fw[f];
        let (a, c) = (fw.allocated.as_array(), self.cluster.capacity().as_array());
        let share = (0..DIMS).map(|d| if c[d] == 0 { 0.0 } else { a[d] as f64 / c[d] as f64 }).fold(0.0, f64::max);
        share / fw.weight
    }

    fn has_pending(&self, f: usize) -> bool {
        self.fw[f].workloads.iter().any(|&w| !self.workloads[w as usize].queue.is_empty())
    }

    /// Schedules an allocation round, at most one per `allocation_interval`, and only while some
    /// framework wants offers: an idle cluster costs nothing.
    fn request_allocation(&mut self) {
        if self.allocation_at.is_some() || self.masters.leaderless() == self.masters.leader.len() as u64 {
            return;
        }
        if !(0..self.fw.len()).any(|f| !self.fw[f].suppressed && self.has_pending(f)) {
            return;
        }
        let at = self.last_allocation.map_or(self.now, |t| t.plus(self.sc.scheduler.allocation_interval).max(self.now));
        self.allocation_at = Some(at);
        self.queue.schedule(at, Event::Allocate);
    }

    /// One allocator round: every agent with free resources is offered, whole, to the framework
    /// with the lowest weighted dominant share that wants offers and has not declined the agent
    /// recently (its reservation's framework only, for reserved agents). Offered resources count
    /// as the framework's until answered, so shares move as the round goes.
    fn on_allocate(&mut self) {
        self.allocation_at = None;
        self.last_allocation = Some(self.now);
        let wanting: Vec<usize> = (0..self.fw.len())
            .filter(|&f| {
                !self.fw[f].suppressed && self.has_pending(f) && self.masters.leader[self.fw_silo[f]].is_some()
            })
            .collect();
        if wanting.is_empty() {
            return;
        }
        let tiny = Resources::new(1, 1, 0);
        let n = self.cluster.len() as u32;
        let mut from = 0;
        while let Some(a) = self.cluster.first_fit(&tiny, from..n) {
            from = a.0 + 1;
            let reserved = self.reserved_for[self.cluster.agent(a).group as usize];
            let now = self.now;
            let pick = wanting
                .iter()
                .copied()
                .filter(|&f| reserved.is_none_or(|r| r as usize == f))
                .filter(|&f| self.fw[f].refused_until.get(a.0 as usize).is_none_or(|&t| t <= now))
                .map(|f| (self.drf_share(f), f))
                .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            let Some((_, f)) = pick else { continue };
            let resources = self.cluster.agent(a).offered();
            self.cluster.allocate(a, &resources);
            self.fw[f].allocated = self.fw[f].allocated.plus(&resources);
            self.locked_cpu += resources.cpu_m;
            let id = self.free_offers.pop().unwrap_or(self.offers.len() as u32);
            let timeout = (self.sc.scheduler.offer_timeout.0 > 0).then(|| {
                self.queue.schedule(now.plus(self.sc.scheduler.offer_timeout), Event::OfferTimeout { offer: id })
            });
            let offer = Offer { framework: f as u32, agent: a, resources, live: true, timeout };
            if id as usize == self.offers.len() {
                self.offers.push(offer);
            } else {
                self.offers[id as usize] = offer;
            }
            self.fw[f].inbox.push(id);
            self.fw[f].offers_made += 1;
        }
        for f in 0..self.fw.len() {
            self.start_offer_decision(f);
        }
    }

    /// An idle framework with offers considers them all: its decision time is that of its next
    /// job's pending tasks, and the offers stay locked meanwhile.
    fn start_offer_decision(&mut self, f: usize) {
        if self.fw[f].deciding.is_some() || self.fw[f].inbox.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.fw[f].inbox);
        let n = self.next_workload(f, true).map_or(0, |w| {
            let head = self.workloads[w as usize].queue[0];
            self.jobs[head.0 as usize].pending as u64
        });
        let cost = self.decision_cost(f, n);
        if cost.0 == 0 {
            self.answer_offers(f, &batch);
        } else {
            let end = self.queue.schedule(self.now.plus(cost), Event::DecisionDone { framework: f as u32 });
            self.fw[f].deciding = Some(Decision::Offers { batch, end });
        }
    }

    /// Returns an offer's locked resources to the cluster.
    fn unlock(&mut self, id: u32) {
        let o = &mut self.offers[id as usize];
        if !o.live {
            return;
        }
        o.live = false;
        let (f, a, r) = (o.framework as usize, o.agent, o.resources);
        if let Some(e) = o.timeout.take() {
            self.queue.cancel(e);
        }
        self.cluster.release(a, &r);
        self.fw[f].allocated = self.fw[f].allocated.minus(&r);
        self.locked_cpu -= r.cpu_m;
    }

    /// The framework answers offers: on each live one it launches what fits of its pending work
    /// (queue order, at most `max_tasks_per_offer`), and declines the offer if it launches
    /// nothing, which filters that agent for `refuse_seconds`.
    fn answer_offers(&mut self, f: usize, batch: &[u32]) {
        for &id in batch {
            if !self.offers[id as usize].live {
                continue; // rescinded meanwhile
            }
            let agent = self.offers[id as usize].agent;
            self.unlock(id);
            let cap = self.fw[f].max_tasks_per_offer.unwrap_or(u32::MAX);
            let mut launched = 0;
            while launched < cap {
                // The framework's next job, in queue order, whose task fits on this agent.
                let mut best: Option<(i64, u64, u32, JobId)> = None;
                for k in 0..self.fw[f].workloads.len() {
                    let w = self.fw[f].workloads[k];
                    let Some(&job) = self.workloads[w as usize].queue.front() else { continue };
                    let j = &self.jobs[job.0 as usize];
                    if j.pending == 0
                        || !self.cluster.agent(agent).offered().fits(&j.demand)
                        || !self.admits_on(w, j.shard, agent)
                    {
                        continue;
                    }
                    let prio = match self.sc.scheduler.queue {
                        QueueKind::Fifo => 0,
                        QueueKind::Priority => -(self.workloads[w as usize].priority as i64),
                    };
                    let key = (prio, j.seq, w, job);
                    if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                        best = Some(key);
                    }
                }
                let Some((_, _, w, job)) = best else { break };
                self.start_task(job, agent);
                launched += 1;
                if self.jobs[job.0 as usize].pending == 0 {
                    self.pop_head(w, job);
                }
            }
            if launched == 0 {
                let fw = &mut self.fw[f];
                fw.offers_declined += 1;
                if fw.refused_until.is_empty() {
                    fw.refused_until = vec![SimTime::ZERO; self.cluster.len()];
                }
                let until = self.now.plus(self.sc.scheduler.refuse_seconds);
                fw.refused_until[agent.0 as usize] = until;
                self.filter_expiries.push(std::cmp::Reverse(until));
                self.wake_for_filters();
            }
        }
        // The batch's offers are answered or were rescinded: their slots can be reused.
        self.free_offers.extend_from_slice(batch);
        // Every head job that still waits after this batch used up one attempt.
        let heads: Vec<(u32, JobId)> = self.fw[f]
            .workloads
            .iter()
            .filter_map(|&w| self.workloads[w as usize].queue.front().map(|&j| (w, j)))
            .collect();
        for (w, job) in heads {
            self.after_attempt(f, w, job);
        }
        if !self.has_pending(f) {
            self.fw[f].suppressed = true;
        }
        self.request_allocation();
        self.start_offer_decision(f);
    }

    /// Keeps one `FilterExpired` event scheduled at the earliest pending filter expiry.
    fn wake_for_filters(&mut self) {
        let Some(&std::cmp::Reverse(next)) = self.filter_expiries.peek() else { return };
        if self.filter_wakeup.is_none_or(|t| next < t) {
            self.filter_wakeup = Some(next);
            self.queue.schedule(next, Event::FilterExpired);
        }
    }

    fn on_filter_expired(&mut self) {
        if self.filter_wakeup != Some(self.now) {
            return; // superseded by an earlier wake-up
        }
        self.filter_wakeup = None;
        while self.filter_expiries.peek().is_some_and(|&std::cmp::Reverse(t)| t <= self.now) {
            self.filter_expiries.pop();
        }
        self.wake_for_filters();
        self.request_allocation();
    }

    fn on_offer_timeout(&mut self, id: u32) {
        if self.offers[id as usize].live {
            let f = self.offers[id as usize].framework as usize;
            self.offers[id as usize].timeout = None;
            self.unlock(id);
            self.fw[f].offers_rescinded += 1;
            self.request_allocation();
        }
    }

    /// Rescinds every live offer of `agent`: the agent failed.
    fn rescind_offers(&mut self, agent: AgentId) {
        self.rescind_offers_where(|o, _| o.agent == agent);
    }

    /// Rescinds every live offer matching `which`.
    fn rescind_offers_where(&mut self, which: impl Fn(&Offer, &Self) -> bool) {
        for id in 0..self.offers.len() as u32 {
            let o = &self.offers[id as usize];
            if o.live && which(o, self) {
                let f = o.framework as usize;
                self.unlock(id);
                self.fw[f].offers_rescinded += 1;
            }
        }
    }

    fn link(&mut self, task: TaskId, agent: AgentId) {
        let head = self.health.tasks_head[agent.0 as usize];
        self.tasks[task.0 as usize].prev = NONE;
        self.tasks[task.0 as usize].next = head;
        if head != NONE {
            self.tasks[head as usize].prev = task.0;
        }
        self.health.tasks_head[agent.0 as usize] = task.0;
    }

    fn unlink(&mut self, task: TaskId) {
        let (prev, next, agent) = {
            let t = &self.tasks[task.0 as usize];
            (t.prev, t.next, t.agent)
        };
        if prev == NONE {
            self.health.tasks_head[agent.0 as usize] = next;
        } else {
            self.tasks[prev as usize].next = next;
        }
        if next != NONE {
            self.tasks[next as usize].prev = prev;
        }
    }

    /// Tasks on `agent`, in list order (most recently started first).
    fn tasks_on(&self, agent: AgentId) -> Vec<TaskId> {
        let mut out = Vec::new();
        let mut t = self.health.tasks_head[agent.0 as usize];
        while t != NONE {
            out.push(TaskId(t));
            t = self.tasks[t as usize].next;
        }
        out
    }

    fn start_task(&mut self, job: JobId, agent: AgentId) {
        let now = self.now;
        let (w, submit, measured, shard, demand, fixed_duration) = {
            let j = &mut self.jobs[job.0 as usize];
            j.pending -= 1;
            j.running += 1;
            (j.workload, j.submit, j.measured, j.shard, j.demand, j.duration)
        };
        let ws = &mut self.workloads[w as usize];
        self.cluster.allocate(agent, &demand);
        if let Some(counts) = &mut ws.per_agent {
            counts[agent.0 as usize] += 1;
        }
        let rack: RackId = self.cluster.agent(agent).rack;
        if let Some(&d) = ws.rack_domain.get(rack.0 as usize) {
            if d != NONE {
                ws.domains[d as usize].tasks += 1;
            }
        }
        self.pending_tasks -= 1;
        self.running_tasks += 1;
        self.tasks_started += 1;
        let f = self.fw_of[w as usize] as usize;
        self.fw[f].allocated = self.fw[f].allocated.plus(&demand);
        let j = &mut self.jobs[job.0 as usize];
        let restart = j.restarts_pending > 0;
        j.restarts_pending -= restart as u32;
        let measured = measured && !restart;
        if measured && !std::mem::replace(&mut j.started_any, true) {
            self.job_first_wait.record(now.since(submit).0);
        }
        if measured && j.pending == 0 {
            self.job_full_wait.record(now.since(submit).0);
        }
        let ws = &mut self.workloads[w as usize];
        if measured {
            let waited = now.since(submit).0;
            self.wait.record(waited);
            ws.wait.record(waited);
        }
        ws.started += 1;
        let record = Task {
            job,
            agent,
            start: now,
            end: None,
            replica: NONE,
            dead: false,
            ready: false,
            demand,
            pull_end: now,
            prev: NONE,
            next: NONE,
        };
        let task = match self.free_tasks.pop() {
            Some(i) => {
                self.tasks[i as usize] = record;
                TaskId(i)
            }
            None => {
                self.tasks.push(record);
                TaskId(self.tasks.len() as u32 - 1)
            }
        };
        self.link(task, agent);
        match &self.sc.workloads[w as usize].kind {
            WorkloadKind::Batch(b) => {
                let d = match fixed_duration {
                    Some(d) => d,
                    None => SimDuration::from_secs_f64(b.duration.sample(&mut self.workloads[w as usize].duration_rng)),
                };
                let id = self.queue.schedule(now.plus(d), Event::TaskEnd { task });
                self.tasks[task.0 as usize].end = Some(id);
            }
            WorkloadKind::Service(s) => {
                // Start = image pull (unless the agent has the image, or is pulling it) + boot.
                let ws = &mut self.workloads[w as usize];
                let svc = ws.service.as_mut().expect("service state");
                svc.replicas.push(task);
                let pull_end = match svc.image {
                    Some(img) => {
                        let ready = &mut self.image_ready[img][agent.0 as usize];
                        if ready.0 == u64::MAX {
                            *ready = now.plus(SimDuration::from_secs_f64(s.pull.sample(&mut ws.duration_rng)));
                        }
                        (*ready).max(now)
                    }
                    None => now.plus(SimDuration::from_secs_f64(s.pull.sample(&mut ws.duration_rng))),
                };
                let boot = SimDuration::from_secs_f64(s.startup.sample(&mut ws.duration_rng));
                let id = self.queue.schedule(pull_end.plus(boot), Event::ReplicaReady { task });
                let t = &mut self.tasks[task.0 as usize];
                t.end = Some(id);
                t.pull_end = pull_end;
            }
            WorkloadKind::Store(_) => {
                let r = self.shards[shard as usize]
                    .replicas
                    .clone()
                    .find(|&r| self.replicas[r as usize].state == ReplicaState::Pending)
                    .expect("a placed store task fills a pending replica");
                self.tasks[task.0 as usize].replica = r;
                self.replicas[r as usize].task = Some(task);
                if self.shards[shard as usize].recreate {
                    self.start_replica_in_place(r, true);
                } else {
                    self.replicas[r as usize].state = ReplicaState::AwaitingSource;
                    self.try_rebuild(r);
                }
            }
        }
    }

    /// A store replica starts serving after its startup delay (`has_data`: it holds the data, new
    /// or on its own disk).
    fn start_replica_in_place(&mut self, r: u32, has_data: bool) {
        let task = self.replicas[r as usize].task.expect("placed replica");
        let shard = self.replicas[r as usize].shard;
        let w = self.shards[shard as usize].workload;
        let WorkloadKind::Store(st) = &self.sc.workloads[w as usize].kind else { unreachable!("store replica") };
        let d = SimDuration::from_secs_f64(st.startup.sample(&mut self.workloads[w as usize].duration_rng));
        let rep = &mut self.replicas[r as usize];
        rep.state = ReplicaState::Starting;
        rep.has_data = has_data;
        let id = self.queue.schedule(self.now.plus(d), Event::ReplicaReady { task });
        self.tasks[task.0 as usize].end = Some(id);
    }

    fn retire_job_if_done(&mut self, job: JobId) {
        let j = &self.jobs[job.0 as usize];
        if j.pending == 0 && j.running == 0 && !j.in_queue {
            if j.measured {
                self.job_response.record(self.now.since(j.submit).0);
            }
            self.jobs_completed += 1;
            self.free_jobs.push(job.0);
        }
    }

    /// Removes a task from its agent, returning its resources (to the agent's bookkeeping even if
    /// the agent is down).
    fn remove_task(&mut self, task: TaskId) {
        let Task { job, agent, end, demand, ready, .. } = self.tasks[task.0 as usize];
        if let Some(e) = end {
            self.queue.cancel(e);
        }
        self.unlink(task);
        self.free_tasks.push(task.0);
        let w = self.jobs[job.0 as usize].workload;
        let ws = &mut self.workloads[w as usize];
        if let Some(svc) = ws.service.as_mut() {
            if let Some(k) = svc.replicas.iter().position(|&t| t == task) {
                svc.replicas.remove(k);
            }
            if ready {
                svc.ready -= 1;
                self.ready_replicas -= 1;
            }
        }
        self.cluster.release(agent, &demand);
        let f = self.fw_of[w as usize] as usize;
        self.fw[f].allocated = self.fw[f].allocated.minus(&demand);
        let ws = &mut self.workloads[w as usize];
        if let Some(counts) = &mut ws.per_agent {
            counts[agent.0 as usize] -= 1;
        }
        let rack = self.cluster.agent(agent).rack;
        if let Some(&d) = ws.rack_domain.get(rack.0 as usize) {
            if d != NONE {
                ws.domains[d as usize].tasks -= 1;
            }
        }
        self.running_tasks -= 1;
        self.jobs[job.0 as usize].running -= 1;
    }

    fn on_task_end(&mut self, task: TaskId) {
        let Task { job, agent, .. } = self.tasks[task.0 as usize];
        self.tasks[task.0 as usize].end = None;
        self.remove_task(task);
        self.tasks_completed += 1;
        self.retire_job_if_done(job);
        self.unblock_on(agent);
        self.kick();
    }

    fn on_replica_ready(&mut self, task: TaskId) {
        let t = &mut self.tasks[task.0 as usize];
        t.end = None;
        let (job, replica) = (t.job, t.replica);
        let w = self.jobs[job.0 as usize].workload;
        if replica == NONE {
            self.tasks[task.0 as usize].ready = true;
            self.ready_replicas += 1;
            let now = self.now;
            let warmup = self.warmup;
            let svc = self.workloads[w as usize].service.as_mut().expect("service replica");
            svc.ready += 1;
            if svc.ready >= svc.target {
                if let Some(since) = svc.degraded_since.take() {
                    if since >= warmup {
                        self.service_recovery.record(now.since(since).0);
                    }
                }
            }
            self.check_capacity(w, Some(task));
        } else {
            self.replica_live(replica);
        }
    }

    /// Resources were freed on `agent`: unblock every workload whose head task now fits there.
    fn unblock_on(&mut self, agent: AgentId) {
        let offered = self.cluster.agent(agent).offered();
        let jobs = &self.jobs;
        for ws in self.workloads.iter_mut().filter(|w| w.blocked) {
            let demand = ws.queue.front().map_or(ws.demand, |j| jobs[j.0 as usize].demand);
            let eligible = ws.ranges.iter().any(|r| r.contains(&agent.0));
            let below_max = match (&ws.per_agent, ws.max_per_agent) {
                (Some(c), Some(m)) => c[agent.0 as usize] < m,
                _ => true,
            };
            if eligible && below_max && offered.fits(&demand) {
                ws.blocked = false;
            }
        }
    }

    // ---------------------------------------------------------------- failures

    fn on_plan(&mut self, index: u32) {
        let e = self.plan[index as usize];
        if let Some(next) = self.plan.get(index as usize + 1) {
            self.queue.schedule(next.time, Event::Plan { index: index + 1 });
        }
        let agents: Vec<AgentId> = match e.target {
            Target::Agent(a) => vec![AgentId(a)],
            Target::Rack(r) => self.cluster.racks()[r as usize].agents.clone().map(AgentId).collect(),
            Target::Zone(z) => self
                .cluster
                .racks()
                .iter()
                .filter(|r| r.zone == z)
                .flat_map(|r| r.agents.clone())
                .map(AgentId)
                .collect(),
            Target::Master(m) => {
                match e.kind {
                    PlanKind::Down | PlanKind::PlannedDown => self.master_down(m),
                    PlanKind::Up => self.master_up(m),
                    PlanKind::Drain => {}
                }
                return;
            }
        };
        if !matches!(e.target, Target::Agent(_)) {
            let what = match e.kind {
                PlanKind::Up => "up",
                _ => "down",
            };
            let target = e.target.display(&self.target_names);
            self.log(&target, what, &format!("{} agents", agents.len()));
        }
        for a in agents {
            match e.kind {
                PlanKind::Down => self.agent_down(a, false),
                PlanKind::PlannedDown => self.agent_down(a, true),
                PlanKind::Up => self.agent_up(a),
                PlanKind::Drain => {
                    self.health.draining[a.0 as usize] = true;
                    self.cluster.set_schedulable(a, false);
                    self.log(&format!("agent:{}", a.0), "drain", "");
                }
            }
        }
        self.kick();
    }

    /// One more down cause for agent `a`; the first one stops its work. `planned` (maintenance)
    /// skips failure detection: the master replaces the work at once.
    fn agent_down(&mut self, a: AgentId, planned: bool) {
        let i = a.0 as usize;
        self.health.down_causes[i] += 1;
        if self.health.down_causes[i] > 1 {
            return;
        }
        self.agents_up -= 1;
        if !planned {
            self.agent_failures += 1;
        }
        self.health.down_since[i] = self.now;
        self.rescind_offers(a);
        self.cluster.set_schedulable(a, false);
        // Rebuilds copying from this agent lose their source; rebuilds into it lose their target.
        let mut resource_less = Vec::new();
        for tid in self.network.touching(a) {
            let r = self.transfer_event[tid.0 as usize].1;
            self.abort_transfer(tid);
            self.replicas[r as usize].transfer = None;
            self.replicas[r as usize].state = ReplicaState::AwaitingSource;
            resource_less.push(r);
        }
        let tasks = self.tasks_on(a);
        for &t in &tasks {
            self.stop_task(t);
        }
        for r in resource_less {
            if self.replicas[r as usize].state == ReplicaState::AwaitingSource {
                self.try_rebuild(r);
            }
        }
        self.log(
            &format!("agent:{}", a.0),
            if planned { "planned-down" } else { "down" },
            &format!("{} tasks", tasks.len()),
        );
        if planned {
            self.declare_lost(a);
        } else {
            let id =
                self.queue.schedule(self.now.plus(self.sc.failures.detection_delay()), Event::AgentLost { agent: a });
            self.health.detection[i] = Some(id);
        }
    }

    /// A task's work stops with its agent (the master does not know yet).
    fn stop_task(&mut self, task: TaskId) {
        let now = self.now;
        let t = &mut self.tasks[task.0 as usize];
        t.dead = true;
        if let Some(e) = t.end.take() {
            self.queue.cancel(e);
        }
        let (job, start, ready, replica) = (t.job, t.start, t.ready, t.replica);
        t.ready = false;
        let w = self.jobs[job.0 as usize].workload;
        match &self.sc.workloads[w as usize].kind {
            WorkloadKind::Batch(_) => {
                if now >= self.warmup {
                    let cpu = self.workloads[w as usize].demand.cpu_m as u128;
                    self.batch_lost_cpu_mus += cpu * now.since(start.max(self.warmup)).0 as u128;
                }
            }
            WorkloadKind::Service(_) => {
                if ready {
                    self.ready_replicas -= 1;
                    let svc = self.workloads[w as usize].service.as_mut().expect("service");
                    svc.ready -= 1;
                    if svc.degraded_since.is_none() {
                        svc.degraded_since = Some(now);
                    }
                }
                self.check_capacity(w, None);
            }
            WorkloadKind::Store(_) => {
                let rep = &mut self.replicas[replica as usize];
                rep.has_data = matches!(rep.state, ReplicaState::Running | ReplicaState::Starting) && rep.has_data;
                rep.state = ReplicaState::Down;
                let shard = rep.shard;
                self.refresh_shard(shard);
            }
        }
    }

    fn on_agent_lost(&mut self, a: AgentId) {
        self.health.detection[a.0 as usize] = None;
        self.declare_lost(a);
        self.kick();
    }

    /// The master learns that agent `a` is gone: its work is replaced.
    fn declare_lost(&mut self, a: AgentId) {
        self.health.declared_lost[a.0 as usize] = true;
        let tasks = self.tasks_on(a);
        self.log(&format!("agent:{}", a.0), "declared-lost", &format!("{} tasks", tasks.len()));
        for t in tasks {
            self.replace_task(t);
        }
    }

    /// Replaces a dead task: batch tasks restart from scratch, service replicas are resubmitted,
    /// store replicas wait `replace_after` for their agent when they hold data.
    fn replace_task(&mut self, task: TaskId) {
        let t = &self.tasks[task.0 as usize];
        debug_assert!(t.dead, "replacing a live task");
        let (job, replica) = (t.job, t.replica);
        let w = self.jobs[job.0 as usize].workload;
        match &self.sc.workloads[w as usize].kind {
            WorkloadKind::Batch(_) => {
                self.remove_task(task);
                let j = &mut self.jobs[job.0 as usize];
                j.pending += 1;
                j.restarts_pending += 1;
                self.pending_tasks += 1;
                if !j.in_queue {
                    j.in_queue = true;
                    self.workloads[w as usize].queue.push_front(job);
                }
                self.workloads[w as usize].blocked = false;
            }
            WorkloadKind::Service(_) => {
                self.remove_task(task);
                self.submit_job(w, 1, NONE, true);
                self.workloads[w as usize].blocked = false;
            }
            WorkloadKind::Store(st) => {
                if self.replicas[replica as usize].has_data {
                    let id = self.queue.schedule(self.now.plus(st.replace_after), Event::ReplaceReplica { replica });
                    self.replicas[replica as usize].timer = Some(id);
                } else {
                    self.abandon_replica(replica);
                }
            }
        }
    }

    fn on_replace_replica(&mut self, r: u32) {
        self.replicas[r as usize].timer = None;
        if self.replicas[r as usize].state == ReplicaState::Down {
            self.abandon_replica(r);
            self.kick();
        }
    }

    /// Gives up on a replica (and its data): its reservation is released and a replacement is
    /// submitted. If no replica of the shard holds data any more, the shard's data is lost.
    fn abandon_replica(&mut self, r: u32) {
        let task = self.replicas[r as usize].task.take().expect("abandoned replica was placed");
        if let Some(e) = self.replicas[r as usize].timer.take() {
            self.queue.cancel(e);
        }
        let agent = self.tasks[task.0 as usize].agent;
        self.remove_task(task);
        let rep = &mut self.replicas[r as usize];
        rep.state = ReplicaState::Pending;
        rep.has_data = false;
        let shard = rep.shard;
        let sh = &self.shards[shard as usize];
        let w = sh.workload;
        let holders = sh.replicas.clone().filter(|&k| self.replicas[k as usize].has_data).count();
        let mut detail = format!("replica {r} of shard {shard}");
        if holders == 0 && !sh.recreate {
            self.data_loss_shards += 1;
            self.shards[shard as usize].recreate = true;
            detail.push_str("; shard data lost");
            let waiting: Vec<u32> = self.shards[shard as usize]
                .replicas
                .clone()
                .filter(|&k| self.replicas[k as usize].state == ReplicaState::AwaitingSource)
                .collect();
            for k in waiting {
                self.start_replica_in_place(k, true);
            }
        }
        self.log(&format!("agent:{}", agent.0), "replica-replaced", &detail);
        self.submit_job(w, 1, shard, true);
        self.workloads[w as usize].blocked = false;
        self.refresh_shard(shard);
    }

    fn agent_up(&mut self, a: AgentId) {
        let i = a.0 as usize;
        if self.health.down_causes[i] == 0 {
            return; // an `up` without a matching `down` (e.g. in a trace) changes nothing
        }
        self.health.down_causes[i] -= 1;
        if self.health.down_causes[i] > 0 {
            return;
        }
        self.agents_up += 1;
        self.health.draining[i] = false;
        self.cluster.set_schedulable(a, true);
        let before_detection = self.health.detection[i].take();
        if let Some(e) = before_detection {
            self.queue.cancel(e);
        }
        self.health.declared_lost[i] = false;
        let tasks = self.tasks_on(a);
        let mut restarted = 0;
        for t in tasks {
            let r = self.tasks[t.0 as usize].replica;
            if r != NONE && self.replicas[r as usize].state == ReplicaState::Down {
                if self.replicas[r as usize].has_data {
                    if let Some(e) = self.replicas[r as usize].timer.take() {
                        self.queue.cancel(e);
                    }
                    self.tasks[t.0 as usize].dead = false;
                    self.start_replica_in_place(r, true);
                    restarted += 1;
                } else {
                    self.abandon_replica(r);
                }
            } else if before_detection.is_some() {
                // Back before being declared lost: the master learns now that its work died.
                self.replace_task(t);
            }
        }
        let down_s = self.now.since(self.health.down_since[i]).as_secs_f64();
        self.log(&format!("agent:{}", a.0), "up", &format!("after {down_s}s; {restarted} replicas restart in place"));
        self.unblock_on(a);
        self.kick();
    }

    // ---------------------------------------------------------------- stores

    /// Recomputes a shard's live count, its under-replicated and unavailable flags, and its
    /// recovery episode.
    fn refresh_shard(&mut self, s: u32) {
        let sh = &self.shards[s as usize];
        let WorkloadKind::Store(st) = &self.sc.workloads[sh.workload as usize].kind else {
            unreachable!("store shard")
        };
        let (r, q) = (st.replication, st.quorum);
        let before = (sh.created && sh.live < r, sh.created && sh.live < q);
        let live =
            sh.replicas.clone().filter(|&k| self.replicas[k as usize].state == ReplicaState::Running).count() as u32;
        let now = self.now;
        let sh = &mut self.shards[s as usize];
        sh.live = live;
        if live == r {
            sh.created = true;
            sh.recreate = false;
            if let Some(since) = sh.degraded_since.take() {
                if since >= self.warmup {
                    self.store_recovery.record(now.since(since).0);
                }
            }
        } else if sh.created && sh.degraded_since.is_none() {
            sh.degraded_since = Some(now);
        }
        let after = (sh.created && live < r, sh.created && live < q);
        self.under_replicated = self.under_replicated + after.0 as u64 - before.0 as u64;
        self.unavailable = self.unavailable + after.1 as u64 - before.1 as u64;
    }

    /// A replica starts serving: it counts as live and may feed waiting rebuilds.
    fn replica_live(&mut self, r: u32) {
        let rep = &mut self.replicas[r as usize];
        rep.state = ReplicaState::Running;
        rep.has_data = true;
        let shard = rep.shard;
        self.refresh_shard(shard);
        let waiting: Vec<u32> = self.shards[shard as usize]
            .replicas
            .clone()
            .filter(|&k| self.replicas[k as usize].state == ReplicaState::AwaitingSource)
            .collect();
        for k in waiting {
            self.try_rebuild(k);
        }
    }

    /// Starts copying a placed replacement replica's data from the live replica whose agent has
    /// the fewest outgoing transfers (ties: lower replica index); waits if none is live.
    fn try_rebuild(&mut self, r: u32) {
        let shard = self.replicas[r as usize].shard;
        if self.shards[shard as usize].recreate {
            self.start_replica_in_place(r, true);
            return;
        }
        let Some(task) = self.replicas[r as usize].task else { return };
        let dst = self.tasks[task.0 as usize].agent;
        if self.health.down_causes[dst.0 as usize] > 0 {
            return;
        }
        let source = self.shards[shard as usize]
            .replicas
            .clone()
            .filter(|&k| self.replicas[k as usize].state == ReplicaState::Running)
            .filter_map(|k| self.replicas[k as usize].task.map(|t| self.tasks[t.0 as usize].agent))
            .min_by_key(|&a| (self.network.outgoing(a), a.0));
        let Some(src) = source else { return };
        let w = self.shards[shard as usize].workload;
        let WorkloadKind::Store(st) = &self.sc.workloads[w as usize].kind else { unreachable!("store") };
        let mut changed = std::mem::take(&mut self.changed);
        let tid = self.network.start(self.now, src, dst, st.data_per_shard, &mut changed);
        if self.transfer_event.len() <= tid.0 as usize {
            self.transfer_event.resize(tid.0 as usize + 1, (None, NONE));
        }
        self.transfer_event[tid.0 as usize] = (None, r);
        self.reschedule_transfers(&changed);
        self.changed = changed;
        let rep = &mut self.replicas[r as usize];
        rep.state = ReplicaState::Rebuilding;
        rep.transfer = Some(tid);
        rep.transfer_start = self.now;
    }

    fn reschedule_transfers(&mut self, changed: &[(TransferId, SimTime)]) {
        for &(tid, at) in changed {
            if let Some(e) = self.transfer_event[tid.0 as usize].0.take() {
                self.queue.cancel(e);
            }
            let id = self.queue.schedule(at, Event::TransferDone { transfer: tid });
            self.transfer_event[tid.0 as usize].0 = Some(id);
        }
    }

    fn abort_transfer(&mut self, tid: TransferId) {
        if let Some(e) = self.transfer_event[tid.0 as usize].0.take() {
            self.queue.cancel(e);
        }
        let mut changed = std::mem::take(&mut self.changed);
        self.network.stop(self.now, tid, &mut changed);
        self.reschedule_transfers(&changed);
        self.changed = changed;
    }

    fn on_transfer_done(&mut self, tid: TransferId) {
        self.transfer_event[tid.0 as usize].0 = None;
        let r = self.transfer_event[tid.0 as usize].1;
        let mut changed = std::mem::take(&mut self.changed);
        self.network.stop(self.now, tid, &mut changed);
        self.reschedule_transfers(&changed);
        self.changed = changed;
        let rep = &mut self.replicas[r as usize];
        rep.transfer = None;
        if rep.transfer_start >= self.warmup {
            self.store_rebuild.record(self.now.since(rep.transfer_start).0);
        }
        self.replica_live(r);
    }

    // ---------------------------------------------------------------- traces, load, autoscaling

    fn on_trace_row(&mut self, index: u32) {
        let row = self.sc.trace_rows[index as usize];
        if let Some(next) = self.sc.trace_rows.get(index as usize + 1) {
            self.queue.schedule(SimTime(next.at.0), Event::TraceRow { index: index + 1 });
        }
        let w = row.workload;
        match row.action {
            TraceAction::Submit { tasks, demand, duration } => {
                let demand = demand.unwrap_or(self.workloads[w as usize].demand);
                self.submit_job_with(w, tasks, NONE, false, demand, duration);
            }
            TraceAction::Scale { replicas } => self.scale_service(w, replicas),
        }
        self.kick();
    }

    fn on_load_step(&mut self, w: u32, index: u32) {
        let WorkloadKind::Service(s) = &self.sc.workloads[w as usize].kind else { unreachable!("load on a service") };
        let rpr = s.rps_per_replica;
        let svc = self.workloads[w as usize].service.as_mut().expect("service state");
        let (_, rps) = svc.steps[index as usize];
        svc.rps = rps;
        svc.needed = replicas_for(rps, rpr);
        if let Some(&(t, _)) = svc.steps.get(index as usize + 1) {
            self.queue.schedule(t, Event::LoadStep { workload: w, index: index + 1 });
        }
        self.check_capacity(w, None);
    }

    /// One HPA evaluation; see `AutoscalerSpec`.
    fn on_autoscale(&mut self, w: u32) {
        let WorkloadKind::Service(s) = &self.sc.workloads[w as usize].kind else { unreachable!("autoscaled service") };
        let a = s.autoscaler.as_ref().expect("autoscaler");
        let next = self.now.plus(a.period);
        if next <= self.horizon {
            self.queue.schedule(next, Event::Autoscale { workload: w });
        }
        let now = self.now;
        let svc = self.workloads[w as usize].service.as_mut().expect("service state");
        let desired = replicas_for(svc.rps, s.rps_per_replica * a.target_utilization).clamp(a.min, a.max);
        svc.recommendations.push_back((now, desired));
        let keep = a.scale_up_window.max(a.scale_down_window);
        while svc.recommendations.front().is_some_and(|&(t, _)| now.since(t) > keep) {
            svc.recommendations.pop_front();
        }
        let within = |window: SimDuration| {
            svc.recommendations.iter().filter(move |&&(t, _)| now.since(t) <= window).map(|&(_, d)| d)
        };
        let up = within(a.scale_up_window).min().unwrap_or(desired);
        let down = within(a.scale_down_window).max().unwrap_or(desired);
        let current = svc.target;
        let new = if up > current {
            up.min(current.saturating_add(a.max_step))
        } else if down < current {
            down
        } else {
            current
        }
        .clamp(a.min, a.max);
        if new != current {
            self.scale_events += 1;
            self.scale_service(w, new);
            self.kick();
        }
    }

    /// Sets a service's replica count: adds a job for new replicas, or removes pending replicas
    /// first, then placed ones, newest and not-yet-ready first.
    fn scale_service(&mut self, w: u32, n: u32) {
        let svc = self.workloads[w as usize].service.as_mut().expect("scaling a service");
        let current = svc.target;
        svc.target = n;
        if n > current {
            self.submit_job(w, n - current, NONE, false);
            return;
        }
        let mut excess = current - n;
        // Pending replicas go first, newest jobs first. A job being decided is shrunk but stays
        // queued: its decision ends by placing what is still pending of it.
        let deciding_head = matches!(
            self.fw[self.fw_of[w as usize] as usize].deciding,
            Some(Decision::Place { workload, .. } | Decision::Optimistic { workload, .. }) if workload == w
        );
        let mut k = self.workloads[w as usize].queue.len();
        while excess > 0 && k > 0 {
            k -= 1;
            let j = self.workloads[w as usize].queue[k];
            let job = &mut self.jobs[j.0 as usize];
            let take = job.pending.min(excess);
            job.pending -= take;
            self.pending_tasks -= take as u64;
            excess -= take;
            if job.pending == 0 && !(deciding_head && k == 0) {
                job.in_queue = false;
                self.workloads[w as usize].queue.remove(k);
            }
        }
        let mut freed = Vec::new();
        while excess > 0 {
            let svc = self.workloads[w as usize].service.as_ref().expect("service");
            let victim =
                svc.replicas.iter().rev().find(|&&t| !self.tasks[t.0 as usize].ready).or(svc.replicas.last()).copied();
            let Some(t) = victim else { break };
            freed.push(self.tasks[t.0 as usize].agent);
            self.remove_task(t);
            excess -= 1;
        }
        for a in freed {
            self.unblock_on(a);
        }
        self.check_capacity(w, None);
    }

    /// Updates a load-driven service's shortfall gauges and its scale-up episode. `closer` is the
    /// replica whose readiness may have ended an episode (its phases are reported).
    fn check_capacity(&mut self, w: u32, closer: Option<TaskId>) {
        let WorkloadKind::Service(s) = &self.sc.workloads[w as usize].kind else { return };
        if s.load.is_none() {
            return;
        }
        let now = self.now;
        let svc = self.workloads[w as usize].service.as_mut().expect("service state");
        let (needed, ready) = (svc.needed, svc.ready);
        svc.shortfall_tw.set(now, needed.saturating_sub(ready) as u64);
        svc.ok_tw.set(now, (ready >= needed) as u64);
        if ready < needed {
            if svc.episode.is_none() {
                svc.episode = Some(now);
            }
            return;
        }
        let Some(start) = svc.episode.take() else { return };
        let latency = now.since(start);
        let (reaction, queueing, pull) = match closer {
            Some(t) => {
                let task = &self.tasks[t.0 as usize];
                let submit = self.jobs[task.job.0 as usize].submit;
                let reaction = submit.since(start);
                let queueing = task.start.since(submit.max(start));
                let pull = task.pull_end.since(task.start.max(start));
                (reaction, queueing, pull)
            }
            None => (latency, SimDuration::ZERO, SimDuration::ZERO),
        };
        let boot = SimDuration(latency.0.saturating_sub(reaction.0 + queueing.0 + pull.0));
        if start >= self.warmup {
            self.scale_latency.record(latency.0);
        }
        use std::fmt::Write;
        let f = |d: SimDuration| d.as_secs_f64();
        let _ = writeln!(
            self.scaling_csv,
            "{},{},{},{},{},{},{},{},{needed}",
            self.sc.workloads[w as usize].name,
            start.as_secs_f64(),
            now.as_secs_f64(),
            f(latency),
            f(reaction),
            f(queueing),
            f(pull),
            f(boot)
        );
    }

    // ---------------------------------------------------------------- masters

    fn master_down(&mut self, m: u32) {
        if m as usize >= self.masters.up.len() {
            self.log(&format!("master:{m}"), "ignored", "no such master in this layout");
            return;
        }
        if !std::mem::replace(&mut self.masters.up[m as usize], false) {
            return;
        }
        let silo = self.masters.silo_of(m);
        let leader = self.masters.leader[silo] == Some(m);
        self.log(&format!("master:{m}"), "down", if leader { "leader" } else { "standby" });
        if leader {
            self.masters.leader[silo] = None;
            // Decisions of the silo's schedulers die with the leader (their jobs stay queued);
            // their offers are rescinded.
            for f in 0..self.fw.len() {
                if self.fw_silo[f] != silo {
                    continue;
                }
                if let Some(d) = self.fw[f].deciding.take() {
                    self.queue.cancel(d.end());
                    if let Decision::Offers { batch, .. } = d {
                        for &id in &batch {
                            self.unlock(id);
                        }
                        self.free_offers.extend(batch);
                    }
                }
            }
            self.rescind_offers_where(|o, me| me.fw_silo[o.framework as usize] == silo);
            self.elect_if_possible(silo);
        }
    }

    fn master_up(&mut self, m: u32) {
        if m as usize >= self.masters.up.len() {
            self.log(&format!("master:{m}"), "ignored", "no such master in this layout");
            return;
        }
        if std::mem::replace(&mut self.masters.up[m as usize], true) {
            return;
        }
        self.log(&format!("master:{m}"), "up", "");
        self.elect_if_possible(self.masters.silo_of(m));
    }

    /// Masters of silo `silo` (all of them when pooled).
    fn silo_masters(&self, silo: usize) -> std::ops::Range<u32> {
        let n = self.masters.per_silo;
        silo as u32 * n..(silo as u32 + 1) * n
    }

    fn elect_if_possible(&mut self, silo: usize) {
        let any_up = self.silo_masters(silo).any(|m| self.masters.up[m as usize]);
        if self.masters.leader[silo].is_none() && self.masters.election[silo].is_none() && any_up {
            let at = self.now.plus(self.sc.failures.masters.leader_election);
            self.masters.election[silo] = Some(self.queue.schedule(at, Event::LeaderElected { silo: silo as u32 }));
        }
    }

    fn on_leader_elected(&mut self, silo: u32) {
        let silo = silo as usize;
        self.masters.election[silo] = None;
        let Some(m) = self.silo_masters(silo).find(|&m| self.masters.up[m as usize]) else { return };
        self.masters.leader[silo] = Some(m);
        self.log(&format!("master:{m}"), "elected-leader", "");
        for w in &mut self.workloads {
            w.blocked = false; // the cluster may have changed while nobody was scheduling
        }
        self.kick();
    }

    // ---------------------------------------------------------------- reporting

    fn on_sample(&mut self) {
        let s = &mut self.series.values;
        s.push(self.now.as_secs_f64());
        for p in self.cluster.pools() {
            let (a, c) = (p.allocated.as_array(), p.capacity.as_array());
            for d in 0..DIMS {
                s.push(if c[d] == 0 { 0.0 } else { a[d] as f64 / c[d] as f64 });
            }
        }
        s.extend([
            self.running_tasks as f64,
            self.pending_tasks as f64,
            self.ready_replicas as f64,
            self.agents_up as f64,
            self.under_replicated as f64,
            self.unavailable as f64,
        ]);
        for (spec, ws) in self.sc.workloads.iter().zip(&self.workloads) {
            if let (WorkloadKind::Service(sv), Some(svc)) = (&spec.kind, &ws.service) {
                if sv.load.is_some() {
                    s.extend([svc.rps, svc.ready as f64]);
                }
            }
        }
        let next = self.now.plus(self.sc.sample_interval);
        if next <= self.horizon {
            self.queue.schedule(next, Event::Sample);
        }
    }

    fn finish(mut self) -> RunResult {
        let end = self.horizon;
        let measured_s = end.since(self.warmup).as_secs_f64();
        let cap = self.cluster.capacity().as_array();
        let mut s = Summary::default();
        s.count("tasks_submitted", self.tasks_submitted);
        s.count("tasks_started", self.tasks_started);
        s.count("tasks_completed", self.tasks_completed);
        s.count("tasks_pending_end", self.pending_tasks);
        s.count("tasks_running_end", self.running_tasks);
        s.count("jobs_submitted", self.jobs_submitted);
        s.count("jobs_completed", self.jobs_completed);
        s.count("wait_samples", self.wait.count());
        s.seconds_family("wait_s", &self.wait);
        let waited = (self.wait.count() > 0).then(|| self.wait.count_nonzero() as f64 / self.wait.count() as f64);
        s.push("wait_nonzero_frac", waited);
        s.seconds_family("job_response_s", &self.job_response);
        s.push("arrival_rate_per_s", Some(self.tasks_submitted_measured as f64 / measured_s));
        for (d, name) in DIM_NAMES.iter().enumerate() {
            let mean = self.alloc_tw[d].mean(end);
            s.push(format!("{name}_alloc_frac_mean"), mean.filter(|_| cap[d] > 0).map(|m| m / cap[d] as f64));
        }
        s.push("pending_tasks_mean", self.pending_tw.mean(end));
        s.count("pending_tasks_max", self.pending_tw.max(end));
        s.push("running_tasks_mean", self.running_tw.mean(end));
        let busy: Vec<f64> = self.fw.iter_mut().map(|f| f.busy_tw.mean(end).unwrap_or(0.0)).collect();
        s.push("scheduler_busy_frac", Some(busy.iter().sum::<f64>() / busy.len() as f64));
        s.seconds_family("job_first_wait_s", &self.job_first_wait);
        s.seconds_family("job_full_wait_s", &self.job_full_wait);
        let sum = |g: &dyn Fn(&FrameworkState) -> u64| self.fw.iter().map(g).sum::<u64>();
        let (tx, conflicted) = (sum(&|f| f.transactions), sum(&|f| f.conflicted));
        s.push("conflict_frac", (tx > 0).then(|| conflicted as f64 / tx as f64));
        s.count("offers_made", sum(&|f| f.offers_made));
        s.count("offers_declined", sum(&|f| f.offers_declined));
        s.count("offers_rescinded", sum(&|f| f.offers_rescinded));
        s.push("locked_cpu_frac", self.locked_tw.mean(end).map(|m| m / cap[0] as f64));
        s.count("jobs_abandoned", self.jobs_abandoned);
        if self.fw.len() > 1 || self.sc.scheduler.architecture != Architecture::Monolithic {
            for (fw, b) in self.fw.iter().zip(&busy) {
                let p = format!("framework.{}.", fw.name);
                s.push(format!("{p}busy_frac"), Some(*b));
                s.push(
                    format!("{p}conflict_frac"),
                    (fw.transactions > 0).then(|| fw.conflicted as f64 / fw.transactions as f64),
                );
                s.count(format!("{p}offers_made"), fw.offers_made);
                s.count(format!("{p}offers_declined"), fw.offers_declined);
                s.count(format!("{p}offers_rescinded"), fw.offers_rescinded);
                s.count(format!("{p}jobs_abandoned"), fw.jobs_abandoned);
            }
        }
        s.count("ready_replicas_end", self.ready_replicas);
        // Failures and recovery.
        let agents = self.cluster.len() as f64;
        s.push("agent_availability_frac", self.agents_up_tw.mean(end).map(|m| m / agents));
        s.count("agent_failures", self.agent_failures);
        s.seconds_family("service_recovery_s", &self.service_recovery);
        s.seconds_family("store_rebuild_s", &self.store_rebuild);
        s.seconds_family("store_recovery_s", &self.store_recovery);
        s.push("under_replicated_shard_s", Some(self.under_tw.integral(end) as f64 / 1e6));
        s.push("unavailable_shard_s", Some(self.unavailable_tw.integral(end) as f64 / 1e6));
        s.count("data_loss_shards", self.data_loss_shards);
        s.push("batch_lost_cpu_s", Some(self.batch_lost_cpu_mus as f64 / 1e9));
        s.push("master_unavailable_s", Some(self.no_leader_tw.integral(end) as f64 / 1e6));
        s.count("masters", self.masters.up.len() as u64);
        // Scaling.
        s.seconds_family("scale_latency_s", &self.scale_latency);
        let (mut shortfall, mut ok_sum, mut driven) = (0u128, 0.0, 0u32);
        for (spec, ws) in self.sc.workloads.iter().zip(self.workloads.iter_mut()) {
            if let (WorkloadKind::Service(sv), Some(svc)) = (&spec.kind, ws.service.as_mut()) {
                if sv.load.is_some() {
                    shortfall += svc.shortfall_tw.integral(end);
                    ok_sum += svc.ok_tw.mean(end).unwrap_or(0.0);
                    driven += 1;
                }
            }
        }
        s.push("capacity_shortfall_replica_s", Some(shortfall as f64 / 1e6));
        s.push("slo_ok_frac", (driven > 0).then(|| ok_sum / driven as f64));
        s.count("scale_events", self.scale_events);
        s.count("agents", self.cluster.len() as u64);
        if let Some(cost) = self.sc.cost_per_month() {
            s.push("cost_per_month", Some(cost));
        }
        s.count("events", self.events);
        s.push("sim_s", Some(end.as_secs_f64()));
        s.push("measured_s", Some(measured_s));
        for (spec, ws) in self.sc.workloads.iter().zip(self.workloads.iter_mut()) {
            let p = format!("workload.{}.", spec.name);
            s.count(format!("{p}tasks_started"), ws.started);
            s.push(format!("{p}wait_s_mean"), ws.wait.mean().map(|us| us / 1e6));
            s.push(format!("{p}wait_s_p99"), ws.wait.quantile(0.99).map(|us| us / 1e6));
            if let Some(svc) =
                ws.service.as_mut().filter(|_| matches!(&spec.kind, WorkloadKind::Service(sv) if sv.load.is_some()))
            {
                s.push(format!("{p}slo_ok_frac"), svc.ok_tw.mean(end));
            }
        }
        RunResult {
            summary: s,
            timeseries: self.series,
            failures_csv: self.failures_csv.into_bytes(),
            scaling_csv: self.scaling_csv.into_bytes(),
        }
    }
}

/// Replicas needed to serve `rps` at `per_replica` requests per second each (0 for no load).
fn replicas_for(rps: f64, per_replica: f64) -> u32 {
    if rps <= 0.0 || per_replica <= 0.0 {
        return 0;
    }
    // The small tolerance keeps exact ratios (1000 / 100) from rounding up to the next integer.
    (rps / per_replica - 1e-9).ceil().clamp(0.0, u32::MAX as f64) as u32
}

/// A service's request-rate steps up to the horizon (empty without a load driver).
fn load_steps(sc: &Scenario, w: &crate::scenario::WorkloadSpec, load: Option<&LoadSpec>) -> Vec<(SimTime, f64)> {
    let horizon = sc.horizon.0;
    match load {
        None => Vec::new(),
        Some(LoadSpec::Steps(steps)) => {
            steps.iter().filter(|(t, _)| t.0 <= horizon).map(|&(t, v)| (SimTime(t.0), v)).collect()
        }
        Some(LoadSpec::Diurnal { peak, trough, period, peak_at, step, noise, spikes }) => {
            let mut rng = stream(sc.seed, &format!("workload/{}/load", w.name));
            // Grid points, plus spike edges so that spikes start and end exactly on time.
            let mut times: Vec<u64> = (0..=horizon / step.0).map(|k| k * step.0).collect();
            for sp in spikes {
                times.push(sp.at.0);
                times.push(sp.at.0.saturating_add(sp.duration.0));
            }
            times.retain(|&t| t <= horizon);
            times.sort_unstable();
            times.dedup();
            let normal = rand_distr::StandardNormal;
            times
                .into_iter()
                .map(|t| {
                    let phase = (t as f64 - peak_at.0 as f64) / period.0 as f64;
                    let base = trough + (peak - trough) * (1.0 + (2.0 * std::f64::consts::PI * phase).cos()) / 2.0;
                    let z: f64 = if *noise > 0.0 { rand_distr::Distribution::sample(&normal, &mut rng) } else { 0.0 };
                    let factor: f64 = spikes
                        .iter()
                        .filter(|sp| sp.at.0 <= t && t < sp.at.0 + sp.duration.0)
                        .map(|sp| sp.factor)
                        .product();
                    (SimTime(t), (base * (1.0 + noise * z)).max(0.0) * factor)
                })
                .collect()
        }
    }
}

/// The schedulers of the scenario's architecture: monolithic has one, holding every workload, with
/// the scheduler's decision model and policy; the others have one per framework.
fn fw_states(sc: &Scenario, warmup: SimTime) -> Vec<FrameworkState> {
    let state = |name: &str, workloads: Vec<u32>, t_job, t_task, weight, policy, max_tasks_per_offer| FrameworkState {
        name: name.to_string(),
        policy: make_policy(policy, stream(sc.seed, &format!("scheduler/{name}/placement"))),
        workloads,
        t_job,
        t_task,
        weight,
        max_tasks_per_offer,
        deciding: None,
        allocated: Resources::ZERO,
        suppressed: false,
        refused_until: Vec::new(),
        inbox: Vec::new(),
        busy_tw: TimeWeighted::new(warmup),
        transactions: 0,
        conflicted: 0,
        offers_made: 0,
        offers_declined: 0,
        offers_rescinded: 0,
        jobs_abandoned: 0,
    };
    let s = &sc.scheduler;
    if s.architecture == Architecture::Monolithic {
        if sc.layout == crate::scenario::Layout::Siloed {
            // Each silo has a monolithic scheduler of its own.
            return sc
                .silos
                .iter()
                .enumerate()
                .map(|(k, silo)| {
                    let mine =
                        (0..sc.workloads.len()).filter(|&w| sc.silo_of(w) == Some(k)).map(|w| w as u32).collect();
                    state(&format!("silo-{}", silo.name), mine, s.t_job, s.t_task, 1.0, s.placement, None)
                })
                .collect();
        }
        let all = (0..sc.workloads.len() as u32).collect();
        // The monolithic scheduler keeps the stream name it always had, so results do not move.
        let mut one = state("monolithic", all, s.t_job, s.t_task, 1.0, s.placement, None);
        one.policy = make_policy(s.placement, stream(sc.seed, "scheduler/placement"));
        return vec![one];
    }
    s.frameworks
        .iter()
        .map(|f| state(&f.name, f.workloads.clone(), f.t_job, f.t_task, f.weight, f.placement, f.max_tasks_per_offer))
        .collect()
}

/// Master set of each scheduler of `fw_states`: its silo when siloed (that of its first workload),
/// else 0.
fn fw_silo(sc: &Scenario) -> Vec<usize> {
    let of = fw_of(sc);
    let n = match sc.scheduler.architecture {
        Architecture::Monolithic if sc.layout == crate::scenario::Layout::Siloed => sc.silos.len(),
        Architecture::Monolithic => 1,
        _ => sc.scheduler.frameworks.len(),
    };
    (0..n).map(|f| of.iter().position(|&x| x as usize == f).and_then(|w| sc.silo_of(w)).unwrap_or(0)).collect()
}

/// Index into `fw_states(sc, ..)` of each workload's scheduler.
fn fw_of(sc: &Scenario) -> Vec<u32> {
    let mut out = vec![0; sc.workloads.len()];
    if sc.scheduler.architecture == Architecture::Monolithic && sc.layout == crate::scenario::Layout::Siloed {
        for (w, f) in out.iter_mut().enumerate() {
            *f = sc.silo_of(w).expect("validated: every team in a silo") as u32;
        }
    } else if sc.scheduler.architecture != Architecture::Monolithic {
        for (k, f) in sc.scheduler.frameworks.iter().enumerate() {
            for &w in &f.workloads {
                out[w as usize] = k as u32;
            }
        }
    }
    out
}

/// Builds the spread domains of a workload over its eligible agent ranges: one per eligible rack
/// (spread = rack) or per zone (spread = zone), plus each rack's domain index.
fn spread_domains(cluster: &Cluster, eligible: &[Range<u32>], spread: Option<SpreadKind>) -> (Vec<Domain>, Vec<u32>) {
    let mut rack_domain = vec![NONE; cluster.racks().len()];
    let Some(kind) = spread.filter(|k| *k != SpreadKind::None) else { return (Vec::new(), Vec::new()) };
    let mut domains: Vec<Domain> = Vec::new();
    let mut zone_domain = vec![NONE; cluster.zones().len()];
    for (ri, rack) in cluster.racks().iter().enumerate() {
        if !eligible.iter().any(|r| r.start <= rack.agents.start && rack.agents.end <= r.end) {
            continue;
        }
        let d = match kind {
            SpreadKind::Rack => {
                domains.push(Domain { ranges: vec![rack.agents.clone()], tasks: 0 });
                domains.len() as u32 - 1
            }
            SpreadKind::Zone => {
                let z = rack.zone as usize;
                if zone_domain[z] == NONE {
                    domains.push(Domain { ranges: Vec::new(), tasks: 0 });
                    zone_domain[z] = domains.len() as u32 - 1;
                }
                let dom = &mut domains[zone_domain[z] as usize];
                match dom.ranges.last_mut() {
                    Some(last) if last.end == rack.agents.start => last.end = rack.agents.end,
                    _ => dom.ranges.push(rack.agents.clone()),
                }
                zone_domain[z]
            }
            SpreadKind::None => unreachable!("filtered above"),
        };
        rack_domain[ri] = d;
    }
    (domains, rack_domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn world_at(sc: &Scenario, t: SimTime) -> World<'_> {
        let mut w = World::new(sc);
        w.start();
        w.advance_to(t, &mut |_| {}).unwrap();
        w
    }

    fn parse(text: &str) -> Scenario {
        Scenario::from_toml_str(text, "t.toml", Path::new(".")).unwrap()
    }

    /// 8 agents of 8 cpus in 4 racks and 2 zones, plus `workloads`.
    fn scenario(workloads: &str) -> Scenario {
        parse(&format!(
            r#"
            name = "t"
            horizon = "1h"
            [cluster]
            masters = 1
            [[cluster.agents]]
            name = "a"
            count = 8
            cpus = 8
            mem = "32GiB"
            racks = 4
            zones = 2
            {workloads}
            "#
        ))
    }

    /// CPUs in use per agent, in millicores.
    fn used_cpu(world: &World) -> Vec<u64> {
        (0..world.cluster.len() as u32)
            .map(|a| {
                let ag = world.cluster.agent(AgentId(a));
                ag.capacity.cpu_m - ag.free.cpu_m
            })
            .collect()
    }

    #[test]
    fn max_per_agent_caps_replicas_on_each_agent() {
        let sc = scenario(
            r#"[[workloads]]
            kind = "service"
            name = "s"
            replicas = 16
            cpus = 1
            mem = "1GiB"
            constraints = { max_per_agent = 2 }"#,
        );
        let w = world_at(&sc, SimTime(1));
        assert_eq!(used_cpu(&w), vec![2000; 8], "first-fit would pack 8 per agent without the cap");
    }

    #[test]
    fn spread_over_racks_and_zones_balances_replicas() {
        for (spread, domains) in [("rack", 4usize), ("zone", 2)] {
            let sc = scenario(&format!(
                r#"[[workloads]]
                kind = "service"
                name = "s"
                replicas = 8
                cpus = 1
                mem = "1GiB"
                constraints = {{ spread = "{spread}" }}"#
            ));
            let w = world_at(&sc, SimTime(1));
            let mut per_domain = vec![0u64; domains];
            for (a, used) in used_cpu(&w).iter().enumerate() {
                let rack = w.cluster.agent(AgentId(a as u32)).rack.0 as usize;
                let d = if spread == "rack" { rack } else { w.cluster.racks()[rack].zone as usize };
                per_domain[d] += used / 1000;
            }
            assert_eq!(per_domain, vec![8 / domains as u64; domains], "spread = {spread}");
        }
    }

    #[test]
    fn attribute_constraints_restrict_groups() {
        let sc = parse(
            r#"
            name = "t"
            horizon = "1h"
            [cluster]
            [[cluster.agents]]
            name = "small"
            count = 2
            cpus = 8
            mem = "32GiB"
            [[cluster.agents]]
            name = "gpu"
            count = 2
            cpus = 8
            mem = "32GiB"
            attributes = { accel = "gpu" }
            [[workloads]]
            kind = "service"
            name = "train"
            replicas = 3
            cpus = 1
            mem = "1GiB"
            constraints = { attributes = [{ name = "accel", equals = "gpu" }] }
            [[workloads]]
            kind = "service"
            name = "web"
            replicas = 3
            cpus = 2
            mem = "1GiB"
            constraints = { attributes = [{ name = "group", not_equals = "gpu" }] }
        "#,
        );
        let w = world_at(&sc, SimTime(1));
        // web (2 cpus each) packs onto the first small agent; train (1 cpu) onto the first gpu agent.
        assert_eq!(used_cpu(&w), vec![6000, 0, 3000, 0]);
    }

    #[test]
    fn blocked_workload_does_not_hold_up_smaller_work() {
        // One 8-cpu agent: "big" has one job of 2 tasks of 6 cpus; "small" needs 1 cpu at 1 s.
        let sc = parse(
            r#"
            name = "t"
            horizon = "1h"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 1
            cpus = 8
            mem = "32GiB"
            [[workloads]]
            kind = "batch"
            name = "big"
            arrival = { process = "interval", every = "1h" }
            tasks_per_job = { dist = "constant", value = 2 }
            duration = { dist = "constant", value = "10m" }
            cpus = 6
            mem = "1GiB"
            [[workloads]]
            kind = "batch"
            name = "small"
            start = "1s"
            arrival = { process = "interval", every = "1h" }
            duration = { dist = "constant", value = "1m" }
            cpus = 1
            mem = "1GiB"
        "#,
        );
        let w = world_at(&sc, SimTime::ZERO.plus(SimDuration::from_secs(2)));
        assert!(w.workloads[0].blocked, "the second big task cannot fit");
        assert_eq!(used_cpu(&w), vec![7000], "6 (big) + 1 (small, started behind the blocked job)");
        // At 600 s the first big task ends and the second starts, having waited exactly 600 s.
        let w = world_at(&sc, SimTime::ZERO.plus(SimDuration::from_secs(600)));
        assert!(!w.workloads[0].blocked);
        assert_eq!(w.workloads[0].wait.max(), Some(600_000_000));
        assert_eq!(used_cpu(&w), vec![6000]);
    }

    #[test]
    fn priority_queue_serves_higher_priority_first() {
        // One 1-cpu agent busy until 100 s; two jobs wait; the later, higher-priority one goes first.
        let base = r#"
            name = "t"
            horizon = "1h"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 1
            cpus = 1
            mem = "4GiB"
            [scheduler]
            queue = "QUEUE"
            [[workloads]]
            kind = "batch"
            name = "hog"
            arrival = { process = "interval", every = "1h" }
            duration = { dist = "constant", value = "100s" }
            cpus = 1
            mem = "1GiB"
            [[workloads]]
            kind = "batch"
            name = "low"
            priority = 1
            start = "1s"
            arrival = { process = "interval", every = "1h" }
            duration = { dist = "constant", value = "100s" }
            cpus = 1
            mem = "1GiB"
            [[workloads]]
            kind = "batch"
            name = "high"
            priority = 5
            start = "2s"
            arrival = { process = "interval", every = "1h" }
            duration = { dist = "constant", value = "100s" }
            cpus = 1
            mem = "1GiB"
        "#;
        let at = SimTime::ZERO.plus(SimDuration::from_secs(101));
        let fifo = parse(&base.replace("QUEUE", "fifo"));
        let w = world_at(&fifo, at);
        assert_eq!((w.workloads[1].started, w.workloads[2].started), (1, 0), "fifo: low came first");
        let prio = parse(&base.replace("QUEUE", "priority"));
        let w = world_at(&prio, at);
        assert_eq!((w.workloads[1].started, w.workloads[2].started), (0, 1), "priority: high goes first");
    }
}
