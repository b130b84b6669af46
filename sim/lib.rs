//! dcsim: a deterministic discrete-event simulator of master/agent clusters (Mesos / DC/OS style)
//! running microservices, sharded stores and batch jobs, for capacity planning and for comparing
//! scheduling policies and cluster layouts.
//!
//! The front door is [`simulate`] (scenario in, metrics out) and [`run_to_dir`] (the same, plus the
//! result files written atomically). The `dcsim` binary is a thin shell over these.
//!
//! # Layout
//! - `time`: integer simulated time (`SimTime`, `SimDuration`, µs) and human durations.
//! - `units`: human sizes, CPU counts and rates parsed into integers.
//! - `rng`: one seeded ChaCha8 stream per named component.
//! - `engine`: the event queue, ordered by (time, sequence), with cancellation.
//! - `dist`: validated probability distributions.
//! - `resources`: the integer resource vector (millicores, bytes).
//! - `scenario`: the TOML file format (raw layer) and its validation into typed values.
//! - `cluster`: agents, racks, zones, pools, and the free-resource indexes.
//! - `failures`: the failure plan as data, and failure-trace readers (native CSV, FTA).
//! - `network`: store-rebuild transfers sharing agent bandwidth.
//! - `placement`: placement policies (first-fit, best-fit, worst-fit, random).
//! - `sim`: the model, its closed `Event` enum and the event loop.
//! - `traces`: workload trace readers (native CSV, Google 2011) and the native writer.
//! - `metrics`: histograms, time-weighted integrals, the flat `Summary`.
//! - `compare`: side-by-side comparison of two runs, exported as CSV and Markdown.
//! - `sweep`: parameter sweeps (planning, parallel resumable execution, shards, aggregation).
//! - `plan`: capacity planning: the smallest cluster meeting SLOs, by bisection.
//! - `output`: result-file exporters (bytes) and the atomic directory writer.

pub mod cluster;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod failures;
pub mod metrics;
pub mod network;
pub mod output;
pub mod placement;
pub mod plan;
pub mod resources;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod time;
pub mod traces;
pub mod units;

use std::path::{Path, PathBuf};

pub use metrics::Summary;
pub use scenario::{Scenario, ScenarioError};
pub use sim::{Progress, RunError, RunResult};

/// The version written into every `summary.json`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Runs `scenario` to its horizon and returns its metrics and time series. Pure: no I/O.
///
/// ```
/// let text = r#"
///     name = "doc"
///     horizon = "1h"
///     [cluster]
///     [[cluster.agents]]
///     name = "a"
///     count = 4
///     cpus = 8
///     mem = "32GiB"
///     [[workloads]]
///     kind = "batch"
///     name = "jobs"
///     arrival = { process = "poisson", rate = "1/s" }
///     duration = { dist = "exponential", mean = "10s" }
///     cpus = 1
///     mem = "1GiB"
/// "#;
/// let scenario = dcsim::Scenario::from_toml_str(text, "doc.toml", std::path::Path::new(".")).unwrap();
/// let result = dcsim::simulate(&scenario, &mut |_| {}).unwrap();
/// // About 3,600 tasks over the hour, on 32 cpus with about 10 busy: nobody waits.
/// assert!(result.summary.get("tasks_started").unwrap() > 3000.0);
/// assert_eq!(result.summary.get("wait_s_max"), Some(0.0));
/// ```
pub fn simulate(scenario: &Scenario, progress: &mut dyn FnMut(Progress)) -> Result<RunResult, RunError> {
    sim::World::new(scenario).run(progress)
}

/// Everything a failed `run_to_dir` can report, by layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("cannot write results to {path}: {source}")]
    Output { path: PathBuf, source: std::io::Error },
}

/// A finished run: its metrics and wall-clock figures.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub result: RunResult,
    pub stats: output::RunStats,
}

/// Runs two scenarios (in parallel) and compares their summaries. `labels` name the two sides in
/// the files. Returns the rows and the files to write (compare.csv, compare.md and both
/// summaries).
pub fn compare_scenarios(
    a: &Scenario,
    b: &Scenario,
    labels: (&str, &str),
) -> Result<(Vec<compare::Row>, NamedFiles), RunError> {
    let (ra, rb) = rayon::join(|| simulate(a, &mut |_| {}), || simulate(b, &mut |_| {}));
    let (ra, rb) = (ra?, rb?);
    let rows = compare::compare(&ra.summary, &rb.summary);
    let files = vec![
        ("compare.csv".to_string(), compare::compare_csv(labels.0, labels.1, &rows)),
        ("compare.md".to_string(), compare::compare_md(labels.0, labels.1, &rows)),
        (format!("{}.summary.json", labels.0), output::summary_json(&a.name, a.seed, &ra.summary)),
        (format!("{}.summary.json", labels.1), output::summary_json(&b.name, b.seed, &rb.summary)),
    ];
    Ok((rows, files))
}

/// Result files as (name, bytes).
pub type NamedFiles = Vec<(String, Vec<u8>)>;

/// The default results directory of a scenario: `results/<name>`.
pub fn default_out_dir(scenario: &Scenario) -> PathBuf {
    Path::new("results").join(&scenario.name)
}

/// The deterministic result files of a run (everything but `run.json`), as (name, bytes).
pub fn result_files(scenario: &Scenario, result: &RunResult) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("summary.json", output::summary_json(&scenario.name, scenario.seed, &result.summary)),
        ("timeseries.csv", output::timeseries_csv(&result.timeseries)),
        ("scenario.resolved.toml", scenario.to_resolved_toml().into_bytes()),
        ("failures.csv", result.failures_csv.clone()),
        ("scaling.csv", result.scaling_csv.clone()),
    ]
}

/// Runs `scenario` and writes its result directory `out` atomically. Nothing is written if the run
/// fails.
pub fn run_to_dir(scenario: &Scenario, out: &Path, progress: &mut dyn FnMut(Progress)) -> Result<Outcome, Error> {
    let started = std::time::Instant::now();
    let result = simulate(scenario, progress)?;
    let wall_s = started.elapsed().as_secs_f64();
    let events = result.summary.get("events").unwrap_or(0.0) as u64;
    let stats = output::RunStats { wall_s, events, peak_rss_bytes: output::peak_rss_bytes() };
    let mut files = result_files(scenario, &result);
    files.push(("run.json", output::run_json(&stats)));
    output::write_results(out, &files).map_err(|source| Error::Output { path: out.to_path_buf(), source })?;
    Ok(Outcome { result, stats })
}
