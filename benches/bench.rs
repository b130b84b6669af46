//! Benchmarks that print figures (events per second, simulated seconds per wall second, peak
//! memory). They assert nothing about wall time: machines differ. Run by hand:
//!     cargo bench
//! Optional argument: a scenario path to benchmark instead of the defaults.

use dcsim::Scenario;
use dcsim::engine::EventQueue;
use dcsim::time::SimTime;
use std::path::Path;
use std::time::Instant;

fn bench_queue() {
    // A hold model: a queue of 100,000 pending events, each pop schedules one event later.
    let n_live = 100_000u64;
    let ops = 5_000_000u64;
    let mut q = EventQueue::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % 1_000_000
    };
    for i in 0..n_live {
        q.schedule(SimTime(next()), i);
    }
    let t = Instant::now();
    for _ in 0..ops {
        let (now, e) = q.pop().expect("queue never drains");
        q.schedule(SimTime(now.0 + next()), e);
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "engine hold model: {ops} pop+schedule pairs with {n_live} pending in {s:.3} s = {:.2} M pairs/s",
        ops as f64 / s / 1e6
    );
}

fn bench_scenario(path: &Path) {
    let sc = match Scenario::from_path(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipping {}: {e}", path.display());
            return;
        }
    };
    let t = Instant::now();
    let r = dcsim::simulate(&sc, &mut |_| {}).expect("benchmark scenario runs");
    let s = t.elapsed().as_secs_f64();
    let events = r.summary.get("events").unwrap_or(0.0);
    println!(
        "{}: {} agents, {} tasks started, {} events in {s:.3} s = {:.2} M events/s, {:.0} simulated s per wall s, cpu_alloc_frac_mean {:.3}",
        sc.name,
        sc.agent_count(),
        r.summary.get("tasks_started").unwrap_or(0.0),
        events,
        events / s / 1e6,
        sc.horizon.as_secs_f64() / s,
        r.summary.get("cpu_alloc_frac_mean").unwrap_or(f64::NAN),
    );
}

/// The same scenario with and without its `[failures]` section, to show what failures cost.
fn bench_failure_cost(path: &Path) {
    let Ok(sc) = Scenario::from_path(path) else { return };
    let mut quiet = sc.clone();
    quiet.failures.agents.clear();
    quiet.failures.racks = None;
    quiet.failures.zones = None;
    quiet.failures.maintenance = None;
    quiet.failures.scheduled.clear();
    quiet.failures.masters.ttf = None;
    quiet.failures.masters.ttr = None;
    for (label, s) in [("without failures", &quiet), ("with failures", &sc)] {
        let t = Instant::now();
        let r = dcsim::simulate(s, &mut |_| {}).expect("benchmark scenario runs");
        let secs = t.elapsed().as_secs_f64();
        let g = |k: &str| r.summary.get(k).unwrap_or(f64::NAN);
        println!(
            "{} {label}: {:.3} s wall, {} events ({:.2} M events/s), {} agent failures, {} tasks started, availability {:.4}",
            sc.name,
            secs,
            g("events"),
            g("events") / secs / 1e6,
            g("agent_failures"),
            g("tasks_started"),
            g("agent_availability_frac"),
        );
    }
}

/// The 10,000-agent benchmark under each scheduler architecture.
fn bench_architectures(path: &Path) {
    let Ok(base) = Scenario::from_path(path) else { return };
    for arch in [
        dcsim::scenario::Architecture::Monolithic,
        dcsim::scenario::Architecture::TwoLevel,
        dcsim::scenario::Architecture::SharedState,
    ] {
        let mut sc = base.clone();
        sc.scheduler.architecture = arch;
        let t = Instant::now();
        let r = dcsim::simulate(&sc, &mut |_| {}).expect("benchmark scenario runs");
        let secs = t.elapsed().as_secs_f64();
        let g = |k: &str| r.summary.get(k).unwrap_or(f64::NAN);
        println!(
            "{} {arch:?}: {secs:.3} s wall, {} events ({:.2} M events/s), wait_s_mean {:.4}, job_full_wait_s_p99 {:.4}, busy {:.4}, offers {}, conflict_frac {:.4}",
            sc.name,
            g("events"),
            g("events") / secs / 1e6,
            g("wait_s_mean"),
            g("job_full_wait_s_p99"),
            g("scheduler_busy_frac"),
            g("offers_made"),
            g("conflict_frac"),
        );
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    bench_queue();
    if args.is_empty() {
        for s in ["mmc", "quickstart", "bench-10k"] {
            bench_scenario(&root.join("scenarios").join(format!("{s}.toml")));
        }
        bench_architectures(&root.join("scenarios/bench-10k.toml"));
        bench_failure_cost(&root.join("scenarios/bench-10k-month.toml"));
    } else {
        for a in &args {
            bench_scenario(Path::new(a));
        }
    }
    if let Some(rss) = dcsim::output::peak_rss_bytes() {
        println!("peak RSS of the benchmark process: {:.1} MB", rss as f64 / 1e6);
    }
}
