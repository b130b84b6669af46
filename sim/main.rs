//! The `dcsim` command line: parses arguments, calls the library, maps errors to exit codes
//! (0 success, 1 a failed run, 2 bad input or usage).

use anyhow::Context;
use clap::{Parser, Subcommand};
use dcsim::{Error, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;

/// Deterministic discrete-event simulator of master/agent clusters (Mesos / DC/OS style).
///
/// Replays services, sharded stores and batch jobs against a simulated cluster and measures
/// utilisation, waiting and recovery. The same scenario and seed always give the same result files.
#[derive(Parser)]
#[command(name = "dcsim", version, about, long_about = None, after_help = "Scenario reference: docs/scenario.md")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its results (summary.json, timeseries.csv, failures.csv,
    /// scenario.resolved.toml, run.json).
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Root seed, overriding the scenario's `seed` (0 to 2^63-1).
        #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
        seed: Option<u64>,
        /// Results directory [default: results/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar and no summary table.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run two scenarios, or one scenario in two layouts, and compare them side by side
    /// (compare.csv, compare.md).
    Compare {
        /// One scenario (with --layouts) or two.
        #[arg(required = true, num_args = 1..=2)]
        scenarios: Vec<PathBuf>,
        /// Two layouts to compare one scenario in, e.g. siloed,pooled.
        #[arg(long, value_delimiter = ',')]
        layouts: Vec<String>,
        /// Root seed for both runs, overriding the scenarios'.
        #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
        seed: Option<u64>,
        /// Output directory [default: results/<name>-compare].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run a scenario's [sweep]: every point of its axes with several seeds, in parallel;
    /// resumable (finished runs are kept and skipped); shardable across machines.
    Sweep {
        /// Scenario file with a [sweep] section.
        scenario: PathBuf,
        /// Worker threads [default: all cores]. Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Run only shard I of N ("I/N"), or give N alone to take I from JOB_COMPLETION_INDEX
        /// (Kubernetes Indexed Jobs) or SLURM_ARRAY_TASK_ID (Slurm job arrays).
        #[arg(long)]
        shard: Option<String>,
        /// Output directory [default: results/<name>-sweep, or ...-sweep-shard-I-of-N].
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Find the smallest cluster meeting every SLO at p90 across seeds, pooled and (if the scenario
    /// has silos) siloed, by bisection; report the saving (plan.csv, plan.md).
    Plan {
        scenario: PathBuf,
        /// An SLO on a summary metric, e.g. "wait_s_p99<=30" or "data_loss_shards==0"; repeatable.
        #[arg(long = "slo", required = true)]
        slos: Vec<String>,
        /// Seeds per probed size.
        #[arg(long, default_value_t = 11)]
        seeds: u32,
        /// Scale this agent group only [default: all groups in proportion].
        #[arg(long)]
        group: Option<String>,
        /// Output directory [default: results/<name>-plan].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Merge sweep shard directories into what one machine would have written.
    Merge {
        /// Shard output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a scenario's failure plan (CSV: time_s,target,event) without running it.
    Failures {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Root seed, overriding the scenario's `seed`.
        #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
        seed: Option<u64>,
    },
    /// Convert a public cluster trace into dcsim's native workload trace (trace.csv), so it can be
    /// inspected, edited and replayed with `workload_traces = [{ format = "native", file = ... }]`.
    Import {
        #[command(subcommand)]
        format: ImportFormat,
    },
    /// Check scenario files without running them; prints one line per file.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportFormat {
    /// Google clusterdata-2011-2 task_events (and job_events), gzip or plain.
    Google2011 {
        /// task_events file(s), in time order.
        #[arg(long = "task-events", required = true)]
        task_events: Vec<PathBuf>,
        /// job_events file(s): their events are counted.
        #[arg(long = "job-events")]
        job_events: Vec<PathBuf>,
        /// CPUs of the largest machine, to which the trace's requests are normalised.
        #[arg(long = "machine-cpus")]
        machine_cpus: String,
        /// Memory of the largest machine, e.g. 128GiB.
        #[arg(long = "machine-mem")]
        machine_mem: String,
        /// Workload name for production tasks (priority 9 to 11).
        #[arg(long = "prod-workload", default_value = "prod")]
        prod_workload: String,
        /// Workload name for the other tasks.
        #[arg(long = "batch-workload", default_value = "batch")]
        batch_workload: String,
        /// Output directory (trace.csv and counts.json).
        #[arg(long)]
        out: PathBuf,
    },
    /// Alibaba cluster-trace-v2018 container_meta, batch_task and batch_instance (each optional).
    Alibaba2018 {
        #[arg(long = "container-meta")]
        container_meta: Option<PathBuf>,
        #[arg(long = "batch-task")]
        batch_task: Option<PathBuf>,
        #[arg(long = "batch-instance")]
        batch_instance: Option<PathBuf>,
        /// Memory of a machine with mem_size 100, e.g. 512GiB.
        #[arg(long = "machine-mem")]
        machine_mem: String,
        /// Workload name for batch tasks.
        #[arg(long = "batch-workload", default_value = "batch")]
        batch_workload: String,
        /// Output directory (trace.csv and workloads.toml with the apps as services).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Run { scenario, seed, out, quiet } => run(scenario, seed, out, quiet),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Failures { scenario, seed } => failures(&scenario, seed),
        Command::Import { format } => import(format),
        Command::Sweep { scenario, threads, shard, out, quiet } => {
            sweep(&scenario, threads, shard.as_deref(), out, quiet)
        }
        Command::Merge { dirs, out } => merge(&dirs, &out),
        Command::Plan { scenario, slos, seeds, group, out } => plan(&scenario, &slos, seeds, group, out),
        Command::Compare { scenarios, layouts, seed, out } => compare(&scenarios, &layouts, seed, out),
    }
}

/// Loads a scenario and applies a `--seed` override; on bad input prints the error and gives the
/// exit code to return.
fn load(path: &std::path::Path, seed: Option<u64>) -> Result<Scenario, ExitCode> {
    let mut scenario = Scenario::from_path(path).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    Ok(scenario)
}

fn compare(paths: &[PathBuf], layouts: &[String], seed: Option<u64>, out: Option<PathBuf>) -> ExitCode {
    let usage = |msg: &str| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    };
    let (a, b, labels) = match (paths.len(), layouts.len()) {
        (1, 2) => {
            let parse = |l: &str| match l {
                "siloed" => Some(dcsim::scenario::Layout::Siloed),
                "pooled" => Some(dcsim::scenario::Layout::Pooled),
                _ => None,
            };
            let (Some(la), Some(lb)) = (parse(&layouts[0]), parse(&layouts[1])) else {
                return usage(&format!("--layouts takes two of siloed, pooled; found {}", layouts.join(",")));
            };
            let base = match load(&paths[0], seed) {
                Ok(s) => s,
                Err(code) => return code,
            };
            if base.silos.is_empty() && (la == dcsim::scenario::Layout::Siloed || lb == dcsim::scenario::Layout::Siloed)
            {
                return usage(&format!("{}: a siloed layout needs [[silos]] in the scenario", paths[0].display()));
            }
            let (mut a, mut b) = (base.clone(), base);
            a.layout = la;
            b.layout = lb;
            (a, b, (layouts[0].clone(), layouts[1].clone()))
        }
        (2, 0) => {
            let (a, b) = match (load(&paths[0], seed), load(&paths[1], seed)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(code), _) | (_, Err(code)) => return code,
            };
            let labels =
                if a.name == b.name { ("a".to_string(), "b".to_string()) } else { (a.name.clone(), b.name.clone()) };
            (a, b, labels)
        }
        _ => return usage("compare takes one scenario with --layouts A,B, or two scenarios"),
    };
    let out = out.unwrap_or_else(|| std::path::Path::new("results").join(format!("{}-compare", a.name)));
    eprintln!("dcsim {}: comparing {} and {} (seeds {}, {})", dcsim::VERSION, labels.0, labels.1, a.seed, b.seed);
    let (_, files) = match dcsim::compare_scenarios(&a, &b, (&labels.0, &labels.1)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = dcsim::output::write_results(&out, &files) {
        eprintln!("error: cannot write results to {}: {e}", out.display());
        return ExitCode::from(1);
    }
    print!("{}", String::from_utf8_lossy(&files[1].1));
    println!("results: {}", out.display());
    ExitCode::SUCCESS
}

/// Parses `--shard`: "I/N", or "N" with I from the environment. Errors are usage errors.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = match text.split_once('/') {
        Some((i, n)) => (i.trim().to_string(), n.trim().to_string()),
        None => {
            let i = std::env::var("JOB_COMPLETION_INDEX")
                .or_else(|_| std::env::var("SLURM_ARRAY_TASK_ID"))
                .map_err(|_| format!("--shard {text}: give I/N, or set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID"))?;
            (i, text.trim().to_string())
        }
    };
    let n: usize = n
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("--shard: shard count \"{n}\" must be a whole number above 0"))?;
    let i: usize = i.parse().map_err(|_| format!("--shard: shard index \"{i}\" is not a whole number"))?;
    if i >= n {
        return Err(format!("--shard: shard index {i} is out of range 0..{n}"));
    }
    Ok((i, n))
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn sweep(
    path: &std::path::Path,
    threads: Option<usize>,
    shard: Option<&str>,
    out: Option<PathBuf>,
    quiet: bool,
) -> ExitCode {
    let shard = match shard.map(parse_shard).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let plan = match dcsim::sweep::plan(path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (index, count) = shard.unwrap_or((0, 1));
    let out = out.unwrap_or_else(|| {
        let name = if shard.is_some() {
            format!("{}-sweep-shard-{index}-of-{count}", plan.name)
        } else {
            format!("{}-sweep", plan.name)
        };
        std::path::Path::new("results").join(name)
    });
    let runs = dcsim::sweep::shard_runs(&plan, index, count);
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if !quiet {
        eprintln!(
            "dcsim {}: sweep {} ({} points x {} seeds = {} runs; this shard {} runs) on {threads} threads",
            dcsim::VERSION,
            plan.name,
            plan.runs.len() / plan.seeds as usize,
            plan.seeds,
            plan.runs.len(),
            runs.len()
        );
    }
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(runs.len() as u64), ProgressDrawTarget::stderr())
    };
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} runs  eta {eta}").expect("static template"));
    let result = dcsim::sweep::execute(&plan, &runs, &out, threads, &|| bar.inc(1));
    bar.finish_and_clear();
    if let Err(e) = result {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    if let Err(e) = write_file(&out.join("sweep.json"), &dcsim::sweep::manifest_json(&plan)) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    if shard.is_none() {
        if let Err(code) = write_aggregate(&plan.axes.iter().map(|a| a.0.clone()).collect::<Vec<_>>(), &out) {
            return code;
        }
        println!("results: {} (runs.csv, points.csv)", out.display());
    } else {
        println!(
            "shard {index} of {count}: {} runs in {} (combine the shards with dcsim merge)",
            runs.len(),
            out.display()
        );
    }
    ExitCode::SUCCESS
}

fn write_aggregate(axes: &[String], dir: &std::path::Path) -> Result<(), ExitCode> {
    let runs = dcsim::sweep::read_runs(dir).map_err(|e| {
        eprintln!("error: reading {}: {e}", dir.display());
        ExitCode::from(1)
    })?;
    let (runs_csv, points_csv) = dcsim::sweep::aggregate(axes, &runs).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })?;
    for (name, bytes) in [("runs.csv", runs_csv), ("points.csv", points_csv)] {
        write_file(&dir.join(name), &bytes).map_err(|e| {
            eprintln!("error: cannot write {}: {e}", dir.join(name).display());
            ExitCode::from(1)
        })?;
    }
    Ok(())
}

fn plan(
    path: &std::path::Path,
    slo_texts: &[String],
    seeds: u32,
    group: Option<String>,
    out: Option<PathBuf>,
) -> ExitCode {
    use dcsim::plan::{Doc, PlanError, Sizing, parse_slo};
    let mut slos = Vec::new();
    for t in slo_texts {
        match parse_slo(t) {
            Ok(s) => slos.push(s),
            Err(e) => {
                eprintln!("error: --slo: expected {e}");
                return ExitCode::from(2);
            }
        }
    }
    let file = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {file}: cannot read: {e}");
            return ExitCode::from(2);
        }
    };
    let base = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    let sizing = group.map_or(Sizing::Proportional, Sizing::Group);
    eprintln!("dcsim {}: planning {file} with {seeds} seeds per size", dcsim::VERSION);
    let report = |p: &dcsim::plan::Probe| {
        eprintln!("  {} at {} agents: {}", p.part, p.agents, if p.holds { "SLOs hold" } else { "fails" });
    };
    let (pool, silos) =
        match dcsim::plan::plan(&Doc { text: &text, file: &file, base_dir: &base }, &slos, seeds, &sizing, &report) {
            Ok(r) => r,
            Err(e @ (PlanError::Scenario(_) | PlanError::Usage(_))) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
    let name = match dcsim::Scenario::from_toml_str(&text, &file, &base) {
        Ok(s) => s.name,
        Err(_) => "plan".into(),
    };
    let mut md = String::from("| layout | agents | cost per month |\n|---|---:|---:|\n");
    let cost = |c: Option<f64>| c.map_or("–".to_string(), |c| format!("{c:.2}"));
    md.push_str(&format!("| pooled | {} | {} |\n", pool.agents, cost(pool.cost_per_month)));
    if !silos.is_empty() {
        let total: u64 = silos.iter().map(|s| s.agents).sum();
        let total_cost = silos.iter().map(|s| s.cost_per_month).sum::<Option<f64>>();
        for s in &silos {
            md.push_str(&format!("| {} | {} | {} |\n", s.part, s.agents, cost(s.cost_per_month)));
        }
        md.push_str(&format!("| siloed (sum) | {total} | {} |\n", cost(total_cost)));
        let saved = total as i64 - pool.agents as i64;
        md.push_str(&format!(
            "\nPooling saves {saved} agents ({:.1} % of the siloed total)",
            100.0 * saved as f64 / total.max(1) as f64
        ));
        if let (Some(a), Some(b)) = (total_cost, pool.cost_per_month) {
            md.push_str(&format!(" and {:.2} per month", a - b));
        }
        md.push_str(".\n");
    }
    let probes: usize = pool.probes.len() + silos.iter().map(|s| s.probes.len()).sum::<usize>();
    md.push_str(&format!("\n{probes} sizes probed, {} runs ({seeds} seeds each).\n", probes * seeds as usize));
    let parts: Vec<&dcsim::plan::PartPlan> = std::iter::once(&pool).chain(silos.iter()).collect();
    let out = out.unwrap_or_else(|| std::path::Path::new("results").join(format!("{name}-plan")));
    let files = vec![("plan.csv", dcsim::plan::plan_csv(&slos, &parts)), ("plan.md", md.clone().into_bytes())];
    if let Err(e) = dcsim::output::write_results(&out, &files) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    print!("{md}");
    println!("results: {}", out.display());
    ExitCode::SUCCESS
}

fn merge(dirs: &[PathBuf], out: &std::path::Path) -> ExitCode {
    let fail = |code: u8, msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(code)
    };
    let mut manifest: Option<Vec<u8>> = None;
    let mut runs: std::collections::BTreeMap<String, Vec<u8>> = std::collections::BTreeMap::new();
    for d in dirs {
        let m = match std::fs::read(d.join("sweep.json")) {
            Ok(m) => m,
            Err(e) => return fail(2, format!("{}: no sweep.json ({e}); is it a sweep output directory?", d.display())),
        };
        if manifest.as_ref().is_some_and(|x| *x != m) {
            return fail(
                2,
                format!("{}: its sweep.json differs from the first directory's: not the same sweep", d.display()),
            );
        }
        manifest = Some(m);
        match dcsim::sweep::read_runs(d) {
            Ok(rs) => {
                for (id, bytes) in rs {
                    if runs.get(&id).is_some_and(|b| *b != bytes) {
                        return fail(1, format!("run {id} differs between shards"));
                    }
                    runs.insert(id, bytes);
                }
            }
            Err(e) => return fail(1, format!("reading {}: {e}", d.display())),
        }
    }
    let manifest = manifest.expect("at least one directory");
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap_or_default();
    let expected = m["runs"].as_u64().unwrap_or(0) as usize;
    if runs.len() != expected {
        return fail(1, format!("{} of {expected} runs found: a shard is missing or unfinished", runs.len()));
    }
    let axes: Vec<String> = m["axes"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["field"].as_str().map(String::from)).collect())
        .unwrap_or_default();
    if let Err(e) = std::fs::create_dir_all(out.join("runs")) {
        return fail(1, format!("cannot create {}: {e}", out.display()));
    }
    for (id, bytes) in &runs {
        if let Err(e) = write_file(&out.join("runs").join(format!("{id}.json")), bytes) {
            return fail(1, format!("cannot write {}: {e}", out.display()));
        }
    }
    if let Err(e) = write_file(&out.join("sweep.json"), &manifest) {
        return fail(1, format!("cannot write {}: {e}", out.display()));
    }
    if let Err(code) = write_aggregate(&axes, out) {
        return code;
    }
    println!("merged {} runs into {}", runs.len(), out.display());
    ExitCode::SUCCESS
}

fn failures(path: &std::path::Path, seed: Option<u64>) -> ExitCode {
    let scenario = match load(path, seed) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plan = dcsim::failures::build_plan(&scenario);
    use std::io::Write;
    match std::io::stdout().write_all(&dcsim::failures::plan_csv(&scenario, &plan)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: writing the plan: {e}");
            ExitCode::from(1)
        }
    }
}

fn import(format: ImportFormat) -> ExitCode {
    let (task_events, job_events, machine_cpus, machine_mem, prod_workload, batch_workload, out) = match format {
        ImportFormat::Google2011 {
            task_events,
            job_events,
            machine_cpus,
            machine_mem,
            prod_workload,
            batch_workload,
            out,
        } => (task_events, job_events, machine_cpus, machine_mem, prod_workload, batch_workload, out),
        ImportFormat::Alibaba2018 { container_meta, batch_task, batch_instance, machine_mem, batch_workload, out } => {
            return import_alibaba(container_meta, batch_task, batch_instance, &machine_mem, &batch_workload, &out);
        }
    };
    let list =
        |ps: &[PathBuf]| ps.iter().map(|p| format!("{:?}", p.display().to_string())).collect::<Vec<_>>().join(", ");
    // The import is a replay source read through the same code as a scenario's.
    let text = format!(
        "name = \"import\"\nhorizon = \"1s\"\n[[cluster.agents]]\nname = \"m\"\ncount = 1\ncpus = \"{machine_cpus}\"\nmem = \"{machine_mem}\"\n\
         [[workloads]]\nkind = \"batch\"\nname = \"{prod_workload}\"\narrival = {{ process = \"trace\" }}\nduration = {{ dist = \"constant\", value = \"0s\" }}\ncpus = \"0.001\"\nmem = \"1MiB\"\n\
         [[workloads]]\nkind = \"batch\"\nname = \"{batch_workload}\"\narrival = {{ process = \"trace\" }}\nduration = {{ dist = \"constant\", value = \"0s\" }}\ncpus = \"0.001\"\nmem = \"1MiB\"\n\
         [[workload_traces]]\nformat = \"google2011\"\ntask_events = [{}]\njob_events = [{}]\nmachine_cpus = \"{machine_cpus}\"\nmachine_mem = \"{machine_mem}\"\nprod_workload = \"{prod_workload}\"\nbatch_workload = \"{batch_workload}\"\n",
        list(&task_events),
        list(&job_events),
    );
    let cwd = std::env::current_dir().unwrap_or_default();
    let scenario = match Scenario::from_toml_str(&text, "dcsim import", &cwd) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let spec = &scenario.workload_traces[0];
    let lookup = |n: &str| scenario.workloads.iter().position(|w| w.name == n).map(|k| k as u32);
    let read = match dcsim::traces::read_workload_trace(spec, &scenario.workloads, &lookup) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let names = dcsim::traces::GOOGLE_EVENTS;
    let counts = |c: &[u64; 9]| -> serde_json::Value {
        names
            .iter()
            .zip(c)
            .map(|(n, v)| (n.to_string(), serde_json::Value::from(*v)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let summary = serde_json::json!({
        "task_events": counts(&read.task_event_counts),
        "job_events": counts(&read.job_event_counts),
        "tasks_replayed": read.rows.len(),
        "tasks_never_scheduled": read.never_scheduled,
        "tasks_running_at_end": read.open_at_end,
    });
    let files = [
        ("trace.csv", dcsim::traces::native_csv(&scenario.trace_rows, &scenario.workloads)),
        ("counts.json", format!("{}\n", serde_json::to_string_pretty(&summary).expect("json")).into_bytes()),
    ];
    if let Err(e) = dcsim::output::write_results(&out, &files) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    println!("{}", serde_json::to_string_pretty(&summary).expect("json"));
    println!(
        "wrote {}/trace.csv: replay it with workload_traces = [{{ format = \"native\", file = \".../trace.csv\" }}]",
        out.display()
    );
    ExitCode::SUCCESS
}

fn import_alibaba(
    container_meta: Option<PathBuf>,
    batch_task: Option<PathBuf>,
    batch_instance: Option<PathBuf>,
    machine_mem: &str,
    batch_workload: &str,
    out: &std::path::Path,
) -> ExitCode {
    let field = |name: &str, p: &Option<PathBuf>| {
        p.as_ref().map_or(String::new(), |p| format!("{name} = {:?}\n", p.display().to_string()))
    };
    let text = format!(
        "name = \"import\"\nhorizon = \"1s\"\n[[cluster.agents]]\nname = \"m\"\ncount = 1000\ncpus = 10000\nmem = \"{machine_mem}\"\n\
         [[workloads]]\nkind = \"batch\"\nname = \"{batch_workload}\"\narrival = {{ process = \"trace\" }}\nduration = {{ dist = \"constant\", value = \"0s\" }}\ncpus = \"0.001\"\nmem = \"1MiB\"\n\
         [[workload_traces]]\nformat = \"alibaba2018\"\nmachine_mem = \"{machine_mem}\"\nbatch_workload = \"{batch_workload}\"\n{}{}{}",
        field("container_meta", &container_meta),
        field("batch_task", &batch_task),
        field("batch_instance", &batch_instance),
    );
    let cwd = std::env::current_dir().unwrap_or_default();
    let scenario = match Scenario::from_toml_str(&text, "dcsim import", &cwd) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let services: Vec<_> = scenario.workloads.iter().filter(|w| w.generated).cloned().collect();
    let files = [
        ("trace.csv", dcsim::traces::native_csv(&scenario.trace_rows, &scenario.workloads)),
        ("workloads.toml", dcsim::scenario::workloads_toml(&services).into_bytes()),
    ];
    if let Err(e) = dcsim::output::write_results(out, &files) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    println!(
        "{} services, {} trace rows: wrote {}/trace.csv and workloads.toml (add the services to a scenario, then replay trace.csv as a native workload trace)",
        services.len(),
        scenario.trace_rows.len(),
        out.display(),
    );
    ExitCode::SUCCESS
}

fn validate(paths: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for p in paths {
        match Scenario::from_path(p) {
            Ok(s) => println!(
                "ok: {} ({}: {} agents, {} workloads, horizon {})",
                p.display(),
                s.name,
                s.agent_count(),
                s.workloads.len(),
                s.horizon
            ),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if failed { ExitCode::from(2) } else { ExitCode::SUCCESS }
}

fn run(path: PathBuf, seed: Option<u64>, out: Option<PathBuf>, quiet: bool) -> ExitCode {
    let scenario = match load(&path, seed) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let out = out.unwrap_or_else(|| dcsim::default_out_dir(&scenario));
    if !quiet {
        eprintln!("dcsim {}: running {} with seed {}", dcsim::VERSION, path.display(), scenario.seed);
    }
    let bar = progress_bar(&scenario, quiet);
    let started = std::time::Instant::now();
    let outcome = dcsim::run_to_dir(&scenario, &out, &mut |p| {
        bar.set_position(p.now.as_secs_f64() as u64);
        let wall = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{:.2}M events/s", p.events as f64 / wall / 1e6));
    });
    bar.finish_and_clear();
    match outcome.with_context(|| format!("running {}", path.display())) {
        Ok(o) => {
            if !quiet {
                print_table(&scenario, &o, &out);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            match e.downcast_ref::<Error>() {
                Some(Error::Scenario(_)) => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// A bar over simulated seconds on stderr; hidden with --quiet or when stderr is not a terminal
/// (indicatif's stderr target checks that itself).
fn progress_bar(scenario: &Scenario, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(scenario.horizon.as_secs_f64() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% of simulated time  {msg}  eta {eta}")
            .expect("static template"),
    );
    bar
}

fn print_table(scenario: &Scenario, o: &dcsim::Outcome, out: &std::path::Path) {
    let s = &o.result.summary;
    let rows = [
        "tasks_submitted",
        "tasks_started",
        "tasks_completed",
        "wait_s_mean",
        "wait_s_p50",
        "wait_s_p95",
        "wait_s_p99",
        "wait_s_max",
        "cpu_alloc_frac_mean",
        "mem_alloc_frac_mean",
        "pending_tasks_max",
        "scheduler_busy_frac",
        "events",
        "sim_s",
    ];
    // Headline metrics of the features the scenario uses.
    use dcsim::scenario::{Architecture, WorkloadKind};
    let failures = !scenario.failures.is_empty() || !scenario.cluster.trace_events.is_empty();
    let stores = scenario.workloads.iter().any(|w| matches!(w.kind, WorkloadKind::Store(_)));
    let load = scenario.workloads.iter().any(|w| matches!(&w.kind, WorkloadKind::Service(s) if s.load.is_some()));
    let mut extra: Vec<&str> = Vec::new();
    if failures {
        extra.extend(["agent_availability_frac", "service_recovery_s_p99", "batch_lost_cpu_s", "master_unavailable_s"]);
    }
    if stores {
        extra.extend(["store_recovery_s_p99", "under_replicated_shard_s", "unavailable_shard_s", "data_loss_shards"]);
    }
    if load {
        extra.extend(["scale_latency_s_p99", "capacity_shortfall_replica_s", "slo_ok_frac"]);
    }
    match scenario.scheduler.architecture {
        Architecture::TwoLevel => extra.extend(["offers_made", "offers_declined", "locked_cpu_frac", "jobs_abandoned"]),
        Architecture::SharedState => extra.extend(["conflict_frac", "jobs_abandoned"]),
        Architecture::Monolithic => {}
    }
    if scenario.cost_per_month().is_some() {
        extra.push("cost_per_month");
    }
    println!("{} (seed {}), {} agents", scenario.name, scenario.seed, scenario.agent_count());
    for name in rows.iter().chain(extra.iter()) {
        let v =
            s.get(name).map_or("-".to_string(), |v| if v.fract() == 0.0 { format!("{v}") } else { format!("{v:.4}") });
        println!("  {name:<28} {v:>14}");
    }
    let eps = o.stats.events as f64 / o.stats.wall_s.max(1e-9);
    println!("  {:<28} {:>14}", "wall_s", format!("{:.3}", o.stats.wall_s));
    println!("  {:<28} {:>14}", "events_per_s", format!("{eps:.0}"));
    println!("results: {}", out.display());
}
