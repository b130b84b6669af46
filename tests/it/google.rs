//! Google clusterdata-2011 replay (issue #4): the importer against the shard's known counts, the
//! native round trip, and errors naming file and line.

use super::common::{dcsim, root, scenario_path, scratch, stderr};
use dcsim::Scenario;

fn shard(kind: &str) -> String {
    root()
        .join(format!("../shared/traces/google-clusterdata-2011/{kind}/part-00001-of-00500.csv.gz"))
        .display()
        .to_string()
}

/// The importer counts exactly the events the shard holds (numbers from the shard's README).
#[test]
fn importer_counts_every_event_type_of_the_shard() {
    let out = scratch("google-import");
    let o = dcsim(
        root(),
        &[
            "import",
            "google2011",
            "--task-events",
            &shard("task_events"),
            "--job-events",
            &shard("job_events"),
            "--machine-cpus",
            "32",
            "--machine-mem",
            "128GiB",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("counts.json")).unwrap()).unwrap();
    let t = &c["task_events"];
    for (name, n) in
        [("SUBMIT", 25_822), ("SCHEDULE", 26_231), ("EVICT", 2_500), ("FAIL", 501), ("FINISH", 14_551), ("KILL", 8_171)]
    {
        assert_eq!(t[name], n, "task {name}");
    }
    let j = &c["job_events"];
    for (name, n) in [("SUBMIT", 1_053), ("SCHEDULE", 1_059), ("FAIL", 30), ("FINISH", 698), ("KILL", 259)] {
        assert_eq!(j[name], n, "job {name}");
    }
    // One replayed run per SCHEDULE.
    assert_eq!(c["tasks_replayed"], 26_231);
}

/// `dcsim import` writes a native trace that replays to the same summary as the direct replay.
#[test]
fn native_import_replays_to_the_same_summary_as_direct_replay() {
    let direct = Scenario::from_path(&scenario_path("google-2011-sample")).unwrap();
    let out = scratch("google-roundtrip");
    let o = dcsim(
        root(),
        &[
            "import",
            "google2011",
            "--task-events",
            &shard("task_events"),
            "--machine-cpus",
            "32",
            "--machine-mem",
            "128GiB",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(scenario_path("google-2011-sample")).unwrap();
    let cut = text.find("[[workload_traces]]").unwrap();
    let native = format!(
        "{}[[workload_traces]]\nformat = \"native\"\nfile = \"{}\"\n",
        &text[..cut],
        out.join("trace.csv").display()
    );
    let native = Scenario::from_toml_str(&native, "native.toml", &root().join("scenarios")).unwrap();
    assert_eq!(direct.trace_rows.len(), 26_231);
    assert_eq!(direct.trace_rows, native.trace_rows, "the native file carries every row exactly");
    let a = dcsim::simulate(&direct, &mut |_| {}).unwrap().summary;
    let b = dcsim::simulate(&native, &mut |_| {}).unwrap().summary;
    assert_eq!(a, b);
    assert_eq!(a.get("tasks_started"), Some(26_231.0));
}

/// The bundled excerpt (CC-BY 4.0, see tests/data/google-2011/ATTRIBUTION.md) replays on its own.
#[test]
fn excerpt_replays_from_the_repository() {
    let text = r#"
        name = "excerpt"
        horizon = "30m"
        [[cluster.agents]]
        name = "m"
        count = 50
        cpus = 16
        mem = "64GiB"
        [[workloads]]
        kind = "batch"
        name = "prod"
        arrival = { process = "trace" }
        duration = { dist = "constant", value = "0s" }
        cpus = 1
        mem = "1GiB"
        [[workloads]]
        kind = "batch"
        name = "batch"
        arrival = { process = "trace" }
        duration = { dist = "constant", value = "0s" }
        cpus = 1
        mem = "1GiB"
        [[workload_traces]]
        format = "google2011"
        task_events = ["data/google-2011/task_events-excerpt.csv.gz"]
        job_events = ["data/google-2011/job_events-excerpt.csv.gz"]
        machine_cpus = 16
        machine_mem = "64GiB"
    "#;
    let sc = Scenario::from_toml_str(text, "excerpt.toml", &root().join("tests")).unwrap();
    assert!(!sc.trace_rows.is_empty());
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    assert!(s.get("tasks_started").unwrap() > 100.0);
}

/// A malformed row is reported with its file and line; times going backwards too; exit code 2.
#[test]
fn malformed_google_rows_name_file_and_line() {
    let dir = scratch("google-bad");
    let good = "5611824441,,6251812952,1761,1306108,4,u,0,2,0.02499,0.07959,0.0003862,1\n";
    let cases = [
        (
            format!("{good}{good}5611824500,,6251812952,1762,1306108,x,u,0,2,0.1,0.1,0.1,1\n"),
            "events.csv:3",
            "event type",
        ),
        (
            format!("{good}5611824500,,6251812952,1762,1306108,1,u,0,2,0.1,7.5,0.1,1\n"),
            "events.csv:2",
            "normalised request",
        ),
        (format!("{good}5611824500,,6251812952\n"), "events.csv:2", "13 columns"),
        (
            format!("{good}5611824000,,6251812952,1762,1306108,1,u,0,2,0.1,0.1,0.1,1\n"),
            "events.csv:2",
            "goes backwards",
        ),
    ];
    for (body, place, what) in cases {
        std::fs::write(dir.join("events.csv"), body).unwrap();
        let scenario = r#"name = "bad"
horizon = "1h"
[[cluster.agents]]
name = "m"
count = 1
cpus = 16
mem = "64GiB"
[[workloads]]
kind = "batch"
name = "prod"
arrival = { process = "trace" }
duration = { dist = "constant", value = "0s" }
cpus = 1
mem = "1GiB"
[[workloads]]
kind = "batch"
name = "batch"
arrival = { process = "trace" }
duration = { dist = "constant", value = "0s" }
cpus = 1
mem = "1GiB"
[[workload_traces]]
format = "google2011"
task_events = ["events.csv"]
machine_cpus = 16
machine_mem = "64GiB"
"#;
        std::fs::write(dir.join("bad.toml"), scenario).unwrap();
        let o = dcsim(&dir, &["run", "bad.toml"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("bad.toml") && err.contains(place) && err.contains(what),
            "expected {place} / {what} in: {err}"
        );
        assert!(!dir.join("results").exists());
    }
}

/// Native workload traces: bad rows (unknown workload, wrong action, time going backwards).
#[test]
fn malformed_native_rows_name_file_and_line() {
    let dir = scratch("native-bad");
    let base = r#"name = "bad"
horizon = "1h"
[[cluster.agents]]
name = "m"
count = 2
cpus = 16
mem = "64GiB"
[[workloads]]
kind = "batch"
name = "jobs"
arrival = { process = "trace" }
duration = { dist = "constant", value = "1m" }
cpus = 1
mem = "1GiB"
[[workloads]]
kind = "service"
name = "web"
replicas = 1
cpus = 1
mem = "1GiB"
[[workload_traces]]
format = "native"
file = "t.csv"
"#;
    std::fs::write(dir.join("bad.toml"), base).unwrap();
    let head = "time,workload,action,value\n";
    for (rows, place, what) in [
        ("10,jobs,submit,3\n5,jobs,submit,1\n", "t.csv:3", "goes backwards"),
        ("10,nobody,submit,3\n", "t.csv:2", "\"nobody\" is not in the scenario"),
        ("10,web,submit,3\n", "t.csv:2", "does not apply"),
        ("10,jobs,launch,3\n", "t.csv:2", "expected submit, scale or kill"),
        ("1h,web,scale,x\n", "t.csv:2", "whole number"),
    ] {
        std::fs::write(dir.join("t.csv"), format!("{head}{rows}")).unwrap();
        let o = dcsim(&dir, &["validate", "bad.toml"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(place) && err.contains(what), "expected {place} / {what} in: {err}");
    }
    // And a good one replays: 3 tasks at 10 s, the service scaled to 4 at 60 s and killed at 30 min.
    std::fs::write(dir.join("t.csv"), format!("{head}10s,jobs,submit,3\n60,web,scale,4\n30m,web,kill,0\n")).unwrap();
    let sc = Scenario::from_path(&dir.join("bad.toml")).unwrap();
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    assert_eq!(s.get("workload.jobs.tasks_started"), Some(3.0));
    assert_eq!(s.get("workload.web.tasks_started"), Some(4.0), "1 at start + 3 added at 60 s");
    assert_eq!(s.get("ready_replicas_end"), Some(0.0), "killed at 30 min");
}
