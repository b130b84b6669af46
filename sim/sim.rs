//! The model and its event loop: workloads submit jobs, the scheduler places their tasks on the
//! cluster, tasks run and end, and statistics are gathered.
//!
//! **Model** (issue 2: one monolithic scheduler, no failures):
//! - A *service* submits one job of `replicas` tasks at time zero; replicas never end. A replica
//!   is *ready* after its startup delay. A service holds its replica count: lost replicas are
//!   resubmitted (used by failure handling).
//! - A *batch* workload submits jobs from its arrival process between `start` and `stop`; each job
//!   has `tasks_per_job` tasks with a sampled duration each.
//! - Pending jobs wait in one queue per workload (first come, first served within a workload). The
//!   scheduler takes the head job of the best unblocked workload (by submission order under `fifo`;
//!   by priority, then submission, under `priority`), spends its decision time
//!   `t_job + t_task * pending tasks` busy (Omega, Schwarzkopf et al. 2013), then places the job's
//!   tasks on the cluster as it is at the end of the decision. Tasks that fit nowhere stay pending
//!   and the workload is *blocked*: it is not tried again until resources are freed on an agent where
//!   its head task would fit, so retries are driven by events, never by polling, and a blocked
//!   workload never holds up others (backfilling across workloads).
//! - Statistics cover work submitted after `warmup` and time after `warmup`.
//!
//! **Invariant:** every decision is a function of the event order and the component streams:
//! no wall clock, no hash-map iteration, no ambient randomness.

use crate::cluster::{AgentId, Cluster, RackId};
use crate::engine::{EventId, EventQueue};
use crate::metrics::{Histogram, Summary, TimeWeighted};
use crate::placement::{PlacementPolicy, Request, make_policy, needs_sorted_index};
use crate::resources::{DIM_NAMES, DIMS, Resources};
use crate::rng::{Stream, stream};
use crate::scenario::{Arrival, MAX_TASKS_PER_JOB, QueueKind, Scenario, SpreadKind, WorkloadKind};
use crate::time::{SimDuration, SimTime};
use std::collections::VecDeque;
use std::ops::Range;

/// The closed set of things that happen. Each variant's handler lives on `World`.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// Workload `w` submits work: a batch job, or a service's replica set.
    JobArrival { workload: u32 },
    /// A batch task finishes.
    TaskEnd { task: TaskId },
    /// A service replica finished starting up.
    ReplicaReady { task: TaskId },
    /// The scheduler finished its current decision.
    DecisionDone,
    /// Time to record a `timeseries.csv` row.
    Sample,
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
}

struct Task {
    job: JobId,
    agent: AgentId,
    /// The task's end event, if it has one (batch tasks).
    end: Option<EventId>,
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
    /// Tasks of this workload per agent, kept when `max_per_agent` or spreading needs it.
    per_agent: Option<Vec<u32>>,
    max_per_agent: Option<u32>,
    /// Spread domains, and each rack's domain (u32::MAX: not eligible).
    domains: Vec<Domain>,
    rack_domain: Vec<u32>,
    arrival_rng: Stream,
    size_rng: Stream,
    duration_rng: Stream,
    // Statistics.
    started: u64,
    wait: Histogram,
}

struct Scheduler {
    policy: Box<dyn PlacementPolicy>,
    queue_kind: QueueKind,
    t_job: SimDuration,
    t_task: SimDuration,
    /// The workload whose head job is being decided, if busy.
    deciding: Option<u32>,
    /// Scratch buffer for spread ordering (kept to avoid allocating per placement).
    domain_order: Vec<u32>,
}

/// The simulated world: cluster, workloads, scheduler, statistics.
pub struct World<'s> {
    sc: &'s Scenario,
    now: SimTime,
    horizon: SimTime,
    warmup: SimTime,
    queue: EventQueue<Event>,
    cluster: Cluster,
    workloads: Vec<WorkloadState>,
    sched: Scheduler,
    jobs: Vec<Job>,
    free_jobs: Vec<u32>,
    tasks: Vec<Task>,
    free_tasks: Vec<u32>,
    next_job_seq: u64,
    events: u64,
    // Gauges and counters.
    pending_tasks: u64,
    running_tasks: u64,
    ready_replicas: u64,
    tasks_submitted: u64,
    tasks_submitted_measured: u64,
    tasks_started: u64,
    tasks_completed: u64,
    jobs_submitted: u64,
    jobs_completed: u64,
    pending_tw: TimeWeighted,
    running_tw: TimeWeighted,
    busy_tw: TimeWeighted,
    alloc_tw: [TimeWeighted; DIMS],
    wait: Histogram,
    job_response: Histogram,
    series: TimeSeries,
}

impl<'s> World<'s> {
    pub fn new(sc: &'s Scenario) -> World<'s> {
        let cluster = Cluster::new(&sc.cluster, needs_sorted_index(sc.scheduler.placement));
        let total = cluster.capacity();
        let warmup = SimTime(sc.warmup.0);
        let mut workloads = Vec::with_capacity(sc.workloads.len());
        for w in &sc.workloads {
            let ranges: Vec<Range<u32>> = sc
                .cluster
                .groups
                .iter()
                .zip(cluster.groups())
                .filter(|(spec, _)| w.constraints.admits_group(spec))
                .map(|(_, g)| g.agents.clone())
                .collect();
            let (domains, rack_domain) = spread_domains(&cluster, &ranges, w.constraints.spread);
            let needs_counts = w.constraints.max_per_agent.is_some();
            let name = &w.name;
            workloads.push(WorkloadState {
                demand: w.demand,
                dominant: w.demand.dominant_dim(&total),
                priority: w.priority,
                ranges,
                queue: VecDeque::new(),
                blocked: false,
                per_agent: needs_counts.then(|| vec![0; cluster.len()]),
                max_per_agent: w.constraints.max_per_agent,
                domains,
                rack_domain,
                arrival_rng: stream(sc.seed, &format!("workload/{name}/arrival")),
                size_rng: stream(sc.seed, &format!("workload/{name}/tasks_per_job")),
                duration_rng: stream(sc.seed, &format!("workload/{name}/duration")),
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
        columns.extend(["running_tasks", "pending_tasks", "ready_replicas"].map(String::from));
        World {
            sc,
            now: SimTime::ZERO,
            horizon: SimTime(sc.horizon.0),
            warmup,
            queue: EventQueue::new(),
            cluster,
            workloads,
            sched: Scheduler {
                policy: make_policy(sc.scheduler.placement, stream(sc.seed, "scheduler/placement")),
                queue_kind: sc.scheduler.queue,
                t_job: sc.scheduler.t_job,
                t_task: sc.scheduler.t_task,
                deciding: None,
                domain_order: Vec::new(),
            },
            jobs: Vec::new(),
            free_jobs: Vec::new(),
            tasks: Vec::new(),
            free_tasks: Vec::new(),
            next_job_seq: 0,
            events: 0,
            pending_tasks: 0,
            running_tasks: 0,
            ready_replicas: 0,
            tasks_submitted: 0,
            tasks_submitted_measured: 0,
            tasks_started: 0,
            tasks_completed: 0,
            jobs_submitted: 0,
            jobs_completed: 0,
            pending_tw: TimeWeighted::new(warmup),
            running_tw: TimeWeighted::new(warmup),
            busy_tw: TimeWeighted::new(warmup),
            alloc_tw: std::array::from_fn(|_| TimeWeighted::new(warmup)),
            wait: Histogram::default(),
            job_response: Histogram::default(),
            series: TimeSeries { columns, values: Vec::new() },
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

    /// Schedules the first event of every workload and the first sample.
    fn start(&mut self) {
        for (i, w) in self.sc.workloads.iter().enumerate() {
            let first = match &w.kind {
                WorkloadKind::Service(_) => Some(SimTime::ZERO),
                WorkloadKind::Batch(b) => {
                    let start = SimTime(b.start.0);
                    match b.arrival {
                        Arrival::Interval { .. } => Some(start),
                        Arrival::Poisson { .. } => self.next_arrival(i as u32, start),
                    }
                }
            };
            if let Some(t) = first {
                self.queue.schedule(t, Event::JobArrival { workload: i as u32 });
            }
        }
        let interval = self.sc.sample_interval;
        self.queue.schedule(SimTime::ZERO.plus(interval), Event::Sample);
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
                Event::ReplicaReady { task: _ } => self.ready_replicas += 1,
                Event::DecisionDone => self.on_decision_done(),
                Event::Sample => self.on_sample(),
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
        self.busy_tw.set(now, self.sched.deciding.is_some() as u64);
        let a = self.cluster.allocated().as_array();
        for (tw, v) in self.alloc_tw.iter_mut().zip(a) {
            tw.set(now, v);
        }
    }

    /// The next arrival of batch workload `w` after `after`, if before its stop time.
    fn next_arrival(&mut self, w: u32, after: SimTime) -> Option<SimTime> {
        let WorkloadKind::Batch(b) = &self.sc.workloads[w as usize].kind else {
            return None;
        };
        let gap = match b.arrival {
            Arrival::Poisson { rate_per_s } => {
                let u: f64 = rand::RngExt::random(&mut self.workloads[w as usize].arrival_rng);
                // Inverse transform; 1-u is in (0, 1], so the log is finite.
                SimDuration::from_secs_f64(-(1.0 - u).ln() / rate_per_s)
            }
            Arrival::Interval { every } => every,
        };
        let t = after.0.checked_add(gap.0).map(SimTime)?;
        (t.0 < b.stop.0).then_some(t)
    }

    fn on_job_arrival(&mut self, w: u32) {
        let now = self.now;
        let tasks = match &self.sc.workloads[w as usize].kind {
            WorkloadKind::Service(s) => s.replicas,
            WorkloadKind::Batch(b) => {
                let x = b.tasks_per_job.sample(&mut self.workloads[w as usize].size_rng);
                x.round().clamp(1.0, MAX_TASKS_PER_JOB as f64) as u32
            }
        };
        self.submit_job(w, tasks);
        if let Some(next) = self.next_arrival(w, now) {
            self.queue.schedule(next, Event::JobArrival { workload: w });
        }
        self.kick();
    }

    fn submit_job(&mut self, w: u32, tasks: u32) {
        let measured = self.now >= self.warmup;
        let job = Job { workload: w, submit: self.now, seq: self.next_job_seq, pending: tasks, running: 0, measured };
        self.next_job_seq += 1;
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
        self.workloads[w as usize].queue.push_back(id);
        self.pending_tasks += tasks as u64;
        self.tasks_submitted += tasks as u64;
        self.jobs_submitted += 1;
        if measured {
            self.tasks_submitted_measured += tasks as u64;
        }
    }

    /// The unblocked workload whose head job comes first in queue order.
    fn next_workload(&self) -> Option<u32> {
        let mut best: Option<(i64, u64, u32)> = None;
        for (i, w) in self.workloads.iter().enumerate() {
            if w.blocked {
                continue;
            }
            let Some(&head) = w.queue.front() else {
                continue;
            };
            let seq = self.jobs[head.0 as usize].seq;
            let prio = match self.sched.queue_kind {
                QueueKind::Fifo => 0,
                QueueKind::Priority => -(w.priority as i64),
            };
            let key = (prio, seq, i as u32);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(_, _, w)| w)
    }

    /// Starts decisions while the scheduler is idle and some workload has work it may place.
    fn kick(&mut self) {
        while self.sched.deciding.is_none() {
            let Some(w) = self.next_workload() else {
                return;
            };
            let head = *self.workloads[w as usize].queue.front().expect("next_workload has a head");
            let n = self.jobs[head.0 as usize].pending as u64;
            let cost = self
                .sched
                .t_task
                .checked_mul(n)
                .and_then(|c| c.checked_add(self.sched.t_job))
                .expect("decision time overflows u64 µs");
            if cost.0 == 0 {
                self.place_head(w);
            } else {
                self.sched.deciding = Some(w);
                self.queue.schedule(self.now.plus(cost), Event::DecisionDone);
                return;
            }
        }
    }

    fn on_decision_done(&mut self) {
        let w = self.sched.deciding.take().expect("DecisionDone while idle");
        self.place_head(w);
        self.kick();
    }

    /// Places as many pending tasks of workload `w`'s head job as fit; blocks `w` if some do not.
    fn place_head(&mut self, w: u32) {
        let Some(&job) = self.workloads[w as usize].queue.front() else {
            return;
        };
        while self.jobs[job.0 as usize].pending > 0 {
            match self.select_agent(w) {
                Some(agent) => self.start_task(job, agent),
                None => {
                    self.workloads[w as usize].blocked = true;
                    return;
                }
            }
        }
        self.workloads[w as usize].queue.pop_front();
    }

    /// Asks the placement policy for an agent for one task of `w`, honouring its constraints.
    fn select_agent(&mut self, w: u32) -> Option<AgentId> {
        let ws = &self.workloads[w as usize];
        let per_agent = ws.per_agent.as_deref();
        let max = ws.max_per_agent;
        let admit = |a: AgentId| match (per_agent, max) {
            (Some(counts), Some(m)) => counts[a.0 as usize] < m,
            _ => true,
        };
        if ws.domains.is_empty() {
            let req = Request { demand: ws.demand, dominant: ws.dominant, ranges: &ws.ranges, admit: &admit };
            return self.sched.policy.select(&self.cluster, &req);
        }
        // Spread: try domains with the fewest of this workload's tasks first (ties by domain order).
        let order = &mut self.sched.domain_order;
        order.clear();
        order.extend(0..ws.domains.len() as u32);
        order.sort_by_key(|&d| (ws.domains[d as usize].tasks, d));
        for &d in order.iter() {
            let req = Request {
                demand: ws.demand,
                dominant: ws.dominant,
                ranges: &ws.domains[d as usize].ranges,
                admit: &admit,
            };
            if let Some(a) = self.sched.policy.select(&self.cluster, &req) {
                return Some(a);
            }
        }
        None
    }

    fn start_task(&mut self, job: JobId, agent: AgentId) {
        let now = self.now;
        let (w, submit, measured) = {
            let j = &mut self.jobs[job.0 as usize];
            j.pending -= 1;
            j.running += 1;
            (j.workload, j.submit, j.measured)
        };
        let ws = &mut self.workloads[w as usize];
        self.cluster.allocate(agent, &ws.demand);
        if let Some(counts) = &mut ws.per_agent {
            counts[agent.0 as usize] += 1;
        }
        let rack: RackId = self.cluster.agent(agent).rack;
        if let Some(&d) = ws.rack_domain.get(rack.0 as usize) {
            if d != u32::MAX {
                ws.domains[d as usize].tasks += 1;
            }
        }
        self.pending_tasks -= 1;
        self.running_tasks += 1;
        self.tasks_started += 1;
        if measured {
            let waited = now.since(submit).0;
            self.wait.record(waited);
            ws.wait.record(waited);
        }
        ws.started += 1;
        let task = match self.free_tasks.pop() {
            Some(i) => {
                self.tasks[i as usize] = Task { job, agent, end: None };
                TaskId(i)
            }
            None => {
                self.tasks.push(Task { job, agent, end: None });
                TaskId(self.tasks.len() as u32 - 1)
            }
        };
        match &self.sc.workloads[w as usize].kind {
            WorkloadKind::Batch(b) => {
                let d = SimDuration::from_secs_f64(b.duration.sample(&mut self.workloads[w as usize].duration_rng));
                let id = self.queue.schedule(now.plus(d), Event::TaskEnd { task });
                self.tasks[task.0 as usize].end = Some(id);
            }
            WorkloadKind::Service(s) => {
                let d = SimDuration::from_secs_f64(s.startup.sample(&mut self.workloads[w as usize].duration_rng));
                self.queue.schedule(now.plus(d), Event::ReplicaReady { task });
            }
        }
    }

    fn on_task_end(&mut self, task: TaskId) {
        let Task { job, agent, .. } = self.tasks[task.0 as usize];
        self.free_tasks.push(task.0);
        let w = self.jobs[job.0 as usize].workload;
        let ws = &mut self.workloads[w as usize];
        self.cluster.release(agent, &ws.demand);
        if let Some(counts) = &mut ws.per_agent {
            counts[agent.0 as usize] -= 1;
        }
        let rack = self.cluster.agent(agent).rack;
        if let Some(&d) = ws.rack_domain.get(rack.0 as usize) {
            if d != u32::MAX {
                ws.domains[d as usize].tasks -= 1;
            }
        }
        self.running_tasks -= 1;
        self.tasks_completed += 1;
        let j = &mut self.jobs[job.0 as usize];
        j.running -= 1;
        if j.pending == 0 && j.running == 0 {
            if j.measured {
                self.job_response.record(self.now.since(j.submit).0);
            }
            self.jobs_completed += 1;
            self.free_jobs.push(job.0);
        }
        self.unblock_on(agent);
        self.kick();
    }

    /// Resources were freed on `agent`: unblock every workload whose head task now fits there.
    fn unblock_on(&mut self, agent: AgentId) {
        let free = self.cluster.agent(agent).free;
        for ws in self.workloads.iter_mut().filter(|w| w.blocked) {
            let eligible = ws.ranges.iter().any(|r| r.contains(&agent.0));
            let below_max = match (&ws.per_agent, ws.max_per_agent) {
                (Some(c), Some(m)) => c[agent.0 as usize] < m,
                _ => true,
            };
            if eligible && below_max && free.fits(&ws.demand) {
                ws.blocked = false;
            }
        }
    }

    fn on_sample(&mut self) {
        let s = &mut self.series.values;
        s.push(self.now.as_secs_f64());
        for p in self.cluster.pools() {
            let (a, c) = (p.allocated.as_array(), p.capacity.as_array());
            for d in 0..DIMS {
                s.push(if c[d] == 0 { 0.0 } else { a[d] as f64 / c[d] as f64 });
            }
        }
        s.extend([self.running_tasks as f64, self.pending_tasks as f64, self.ready_replicas as f64]);
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
        s.push("scheduler_busy_frac", self.busy_tw.mean(end));
        s.count("ready_replicas_end", self.ready_replicas);
        s.count("agents", self.cluster.len() as u64);
        s.count("events", self.events);
        s.push("sim_s", Some(end.as_secs_f64()));
        s.push("measured_s", Some(measured_s));
        for (spec, ws) in self.sc.workloads.iter().zip(&self.workloads) {
            let p = format!("workload.{}.", spec.name);
            s.count(format!("{p}tasks_started"), ws.started);
            s.push(format!("{p}wait_s_mean"), ws.wait.mean().map(|us| us / 1e6));
            s.push(format!("{p}wait_s_p99"), ws.wait.quantile(0.99).map(|us| us / 1e6));
        }
        RunResult { summary: s, timeseries: self.series }
    }
}

/// Builds the spread domains of a workload over its eligible agent ranges: one per eligible rack
/// (spread = rack) or per zone (spread = zone), plus each rack's domain index.
fn spread_domains(cluster: &Cluster, eligible: &[Range<u32>], spread: Option<SpreadKind>) -> (Vec<Domain>, Vec<u32>) {
    let mut rack_domain = vec![u32::MAX; cluster.racks().len()];
    let Some(kind) = spread.filter(|k| *k != SpreadKind::None) else {
        return (Vec::new(), Vec::new());
    };
    let mut domains: Vec<Domain> = Vec::new();
    let mut zone_domain = vec![u32::MAX; cluster.zones().len()];
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
                if zone_domain[z] == u32::MAX {
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
