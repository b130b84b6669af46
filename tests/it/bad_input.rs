//! Bad input gets a clear error, never a panic: the message names the file and the line/column or
//! field path, says what was found and what was expected; the exit code is 2; no results directory
//! is left behind.

use super::common::{dcsim, scratch, stderr};

const GOOD: &str = r#"name = "bad"
horizon = "1h"
[cluster]
[[cluster.agents]]
name = "a"
count = 4
cpus = 8
mem = "32GiB"
[[workloads]]
kind = "service"
name = "web"
replicas = 2
cpus = 1
mem = "2GiB"
"#;

/// Writes `text` as a scenario, runs it, and checks the failure: exit 2, every `needle` in stderr,
/// no panic, no results.
fn rejects(text: &str, needles: &[&str]) {
    let dir = scratch("bad-input");
    let file = dir.join("bad.toml");
    std::fs::write(&file, text).unwrap();
    for cmd in ["run", "validate"] {
        let o = dcsim(&dir, &[cmd, "bad.toml"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: exit code, stderr: {err}");
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{cmd} panicked: {err}");
        assert!(err.contains("bad.toml"), "{cmd}: message must name the file: {err}");
        for n in needles {
            assert!(err.contains(n), "{cmd}: expected {n:?} in: {err}");
        }
    }
    assert!(!dir.join("results").exists(), "a results directory was left behind");
}

#[test]
fn the_good_base_scenario_is_accepted() {
    // Guards the tests below: each breaks exactly one thing of a scenario that works.
    let dir = scratch("bad-input-base");
    std::fs::write(dir.join("ok.toml"), GOOD).unwrap();
    let o = dcsim(&dir, &["validate", "ok.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn unknown_field_names_line_and_column() {
    rejects(
        &GOOD.replace("replicas = 2", "replicas = 2\nreplica_count = 3"),
        &["line 13", "column 1", "unknown field `replica_count`"],
    );
}

#[test]
fn wrong_type_names_line() {
    rejects(&GOOD.replace("count = 4", "count = \"four\""), &["line 6", "count"]);
}

#[test]
fn bad_unit_names_field_found_and_expected() {
    rejects(
        &GOOD.replace("mem = \"32GiB\"", "mem = \"32 gigs\""),
        &["cluster.agents[0].mem", "\"32 gigs\"", "size unit"],
    );
    rejects(&GOOD.replace("horizon = \"1h\"", "horizon = \"60\""), &["horizon", "\"60\"", "duration with a unit"]);
}

#[test]
fn zero_or_negative_resources_are_rejected() {
    rejects(&GOOD.replace("cpus = 1\n", "cpus = 0\n"), &["workloads[0].cpus", "more than zero CPUs"]);
    rejects(&GOOD.replace("cpus = 1\n", "cpus = -2\n"), &["workloads[0].cpus", "-2", "positive CPU count"]);
    rejects(&GOOD.replace("mem = \"2GiB\"", "mem = \"0B\""), &["workloads[0].mem", "more than zero memory"]);
}

#[test]
fn a_replica_that_fits_on_no_agent_is_rejected() {
    rejects(&GOOD.replace("cpus = 1\n", "cpus = 12\n"), &["workloads[0]", "12 cpus", "largest has 8 cpus"]);
    rejects(
        &GOOD.replace("replicas = 2", "replicas = 5\nconstraints = { max_per_agent = 1 }"),
        &["workloads[0].replicas", "at most 4 replicas"],
    );
}

#[test]
fn missing_files_are_named() {
    let dir = scratch("bad-input-missing");
    let o = dcsim(&dir, &["run", "nowhere.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nowhere.toml") && stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let with_csv = GOOD.replace(
        "mem = \"2GiB\"",
        "mem = \"2GiB\"\nstartup = { dist = \"empirical\", file = \"missing.csv\", column = \"s\" }",
    );
    rejects(&with_csv, &["workloads[0].startup.file", "missing.csv"]);
}

#[test]
fn usage_errors_exit_2() {
    let dir = scratch("usage");
    assert_eq!(dcsim(&dir, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(dcsim(&dir, &["run"]).status.code(), Some(2));
    assert_eq!(dcsim(&dir, &["run", "x.toml", "--seed", "-1"]).status.code(), Some(2));
    let help = dcsim(&dir, &["run", "--help"]);
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).contains("--seed"));
}

#[test]
fn overload_fails_the_run_with_exit_1_and_no_results() {
    let text = GOOD.replace(
        "[[workloads]]",
        "[limits]\nmax_pending_tasks = 1000\n[[workloads]]\nkind = \"batch\"\nname = \"flood\"\narrival = { process = \"poisson\", rate = \"100/s\" }\nduration = { dist = \"constant\", value = \"1h\" }\ncpus = 1\nmem = \"1GiB\"\n[[workloads]]",
    );
    let dir = scratch("overload");
    std::fs::write(dir.join("o.toml"), text).unwrap();
    let o = dcsim(&dir, &["run", "o.toml", "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("max_pending_tasks"), "{}", stderr(&o));
    assert!(!dir.join("results").exists());
}

const STORE: &str = r#"name = "bad-store"
horizon = "1h"
[cluster]
[[cluster.agents]]
name = "a"
count = 4
cpus = 8
mem = "32GiB"
[[workloads]]
kind = "store"
name = "db"
shards = 4
replication = 3
data_per_shard = "10GiB"
cpus = 1
mem = "1GiB"
"#;

#[test]
fn the_good_store_scenario_is_accepted() {
    let dir = scratch("bad-store-base");
    std::fs::write(dir.join("ok.toml"), STORE).unwrap();
    let o = dcsim(&dir, &["validate", "ok.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn replication_larger_than_the_agents_that_can_hold_it() {
    rejects(
        &STORE.replace("replication = 3", "replication = 5"),
        &["workloads[0].replication", "found 5", "at most 4"],
    );
}

#[test]
fn a_quorum_that_can_never_be_met() {
    rejects(
        &STORE.replace("replication = 3", "replication = 3\nquorum = 4"),
        &["workloads[0].quorum", "found 4", "can never be met"],
    );
    rejects(
        &STORE.replace("replication = 3", "replication = 3\nquorum = \"most\""),
        &["workloads[0].quorum", "\"most\""],
    );
}

#[test]
fn a_failure_trace_row_that_does_not_parse_names_file_and_line() {
    let dir = scratch("bad-trace");
    std::fs::write(dir.join("fails.csv"), "time,target,event\n10s,agent:1,down\n20s,agent:1,sideways\n").unwrap();
    std::fs::write(
        dir.join("bad.toml"),
        format!("{STORE}[failures]\ntraces = [{{ format = \"native\", file = \"fails.csv\" }}]\n"),
    )
    .unwrap();
    let o = dcsim(&dir, &["run", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("bad.toml") && err.contains("fails.csv:3") && err.contains("\"sideways\""), "{err}");
    assert!(!dir.join("results").exists());
    // An FTA trace with a malformed row.
    std::fs::write(dir.join("t.tab"), "header\n1 0 20 3 n20 0 1000 2000 8000\n2 0 20 3 n20 zero 2000 2600 8000\n")
        .unwrap();
    std::fs::write(
        dir.join("fta.toml"),
        format!("{STORE}[failures]\ntraces = [{{ format = \"fta\", file = \"t.tab\" }}]\n"),
    )
    .unwrap();
    let o = dcsim(&dir, &["validate", "fta.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("t.tab:3") && stderr(&o).contains("event_type"), "{}", stderr(&o));
}

#[test]
fn an_unknown_failure_target() {
    let base = format!("{STORE}[failures]\n");
    rejects(
        &format!("{base}scheduled = [{{ at = \"1m\", target = \"agent:99\", event = \"down\" }}]\n"),
        &["failures.scheduled[0].target", "agent index below 4"],
    );
    rejects(
        &format!("{base}scheduled = [{{ at = \"1m\", target = \"rack:nowhere\", event = \"down\" }}]\n"),
        &["failures.scheduled[0].target", "a known rack"],
    );
    rejects(
        &format!("{base}scheduled = [{{ at = \"1m\", target = \"switch:3\", event = \"down\" }}]\n"),
        &["target kind"],
    );
    let dir = scratch("bad-target-trace");
    std::fs::write(dir.join("f.csv"), "time,target,event\n5,master:7,down\n").unwrap();
    std::fs::write(dir.join("bad.toml"), format!("{base}traces = [{{ format = \"native\", file = \"f.csv\" }}]\n"))
        .unwrap();
    let o = dcsim(&dir, &["validate", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("f.csv:2") && stderr(&o).contains("master index below 3"), "{}", stderr(&o));
}
