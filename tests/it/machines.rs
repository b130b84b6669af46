//! Clusters built from machine traces, and Alibaba workloads (issue #4).

use super::common::{dcsim, root, scratch, stderr};
use dcsim::Scenario;

fn base(cluster: &str, workloads: &str) -> String {
    format!(
        r#"name = "machines"
horizon = "3h"
sample_interval = "10m"
[cluster]
masters = 3
{cluster}
{workloads}
"#
    )
}

const ONE_SERVICE: &str = r#"[[workloads]]
kind = "service"
name = "web"
replicas = 1
cpus = 1
mem = "1GiB"
"#;

/// The real Alibaba machine_meta sample: 4,034 machines, zones from failure_domain_2, racks from
/// the (failure_domain_1, failure_domain_2) pairs; machines that appear late or are not USING are
/// down until they are (numbers computed from the file independently of dcsim).
#[test]
fn alibaba_machine_meta_becomes_agents_with_racks_and_zones() {
    let path = root().join("../shared/traces/alibaba-cluster-trace-v2018/machine_meta.csv");
    let text = base(
        &format!(
            "[[cluster.agent_traces]]\nformat = \"alibaba2018\"\nfile = \"{}\"\nmachine_mem = \"512GiB\"\n",
            path.display()
        ),
        ONE_SERVICE,
    );
    let sc = Scenario::from_toml_str(&text, "ali.toml", root()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.agent_count(), 4034);
    let (racks, zones) = dcsim::scenario::rack_layout(&sc.cluster);
    assert_eq!(zones.len(), 20);
    assert_eq!(racks.len(), 526);
    assert_eq!(sc.cluster.groups.len(), 20);
    assert!(sc.cluster.groups.iter().all(|g| g.capacity.cpu_m == 96_000 && g.capacity.mem_b == 512 << 30));
    let downs = sc.cluster.trace_events.iter().filter(|e| e.event == dcsim::scenario::UpDown::Down).count();
    let ups = sc.cluster.trace_events.len() - downs;
    assert_eq!((downs, ups), (147, 146));
    // The resolved scenario names the trace, not 4,034 agents, and gives back the same cluster.
    let resolved = sc.to_resolved_toml();
    assert!(resolved.len() < 20_000, "resolved scenario should reference the trace");
    assert_eq!(Scenario::from_toml_str(&resolved, "resolved", root()).unwrap(), sc);
}

/// Google machine_events: machines become agents grouped by capacity; a REMOVE takes one down and
/// a later ADD brings it back; a machine added later is down until then.
#[test]
fn google_machine_events_become_agents_and_failures() {
    let file = root().join("tests/data/google-2011/machine_events-synthetic.csv");
    let text = base(
        &format!(
            "[[cluster.agent_traces]]\nformat = \"google2011\"\nfile = \"{}\"\nmachine_cpus = 32\nmachine_mem = \"128GiB\"\nname = \"g\"\n",
            file.display()
        ),
        ONE_SERVICE,
    );
    let sc = Scenario::from_toml_str(&text, "g.toml", root()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.agent_count(), 4);
    let caps: Vec<(String, u32, u64)> =
        sc.cluster.groups.iter().map(|g| (g.name.clone(), g.count, g.capacity.cpu_m)).collect();
    // Capacities: (16 cpu, 0.25 mem) for machine 8; (16 cpu, 0.4993) for 5 and 6; (32, 1.0) for 7.
    assert_eq!(caps, vec![("g-0".into(), 1, 16_000), ("g-1".into(), 2, 16_000), ("g-2".into(), 1, 32_000)]);
    let plan = String::from_utf8(dcsim::failures::plan_csv(&sc, &dcsim::failures::build_plan(&sc))).unwrap();
    // Agent 0 is machine 8 (absent until 1800 s); agent 2 is machine 6.
    assert_eq!(plan, "time_s,target,event\n0,agent:0,down\n600,agent:2,down\n1200,agent:2,up\n1800,agent:0,up\n");
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    // Agent-seconds up over 3 h: 4 agents minus 1800 s (machine 8) minus 600 s (machine 6).
    assert_eq!(s.get("agent_availability_frac"), Some(1.0 - (1800.0 + 600.0) / (4.0 * 10800.0)));
}

/// Alibaba workloads: services per app_du following their container counts, batch tasks with
/// their instances' run times.
#[test]
fn alibaba_workloads_become_services_and_batch_jobs() {
    let data = root().join("tests/data/alibaba-2018");
    let text = base(
        "[[cluster.agents]]\nname = \"m\"\ncount = 10\ncpus = 96\nmem = \"512GiB\"\n",
        &format!(
            r#"[[workloads]]
kind = "batch"
name = "batch"
arrival = {{ process = "trace" }}
duration = {{ dist = "constant", value = "0s" }}
cpus = 1
mem = "1GiB"
[[workload_traces]]
format = "alibaba2018"
container_meta = "{0}/container_meta.csv"
batch_task = "{0}/batch_task.csv"
batch_instance = "{0}/batch_instance.csv"
machine_mem = "512GiB"
"#,
            data.display()
        ),
    );
    let sc = Scenario::from_toml_str(&text, "ali.toml", root()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = sc.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["batch", "app_1", "app_2"]);
    assert_eq!(sc.workloads[1].demand.cpu_m, 4_000, "cpu_request 400 = 4 CPUs");
    assert_eq!(sc.workloads[2].demand.mem_b, (0.0313f64 * (512u64 << 30) as f64).round() as u64);
    let s = dcsim::simulate(&sc, &mut |_| {}).unwrap().summary;
    assert_eq!(s.get("workload.app_1.tasks_started"), Some(5.0), "3 at first, scaled to 5 at 1 h");
    assert_eq!(s.get("workload.app_2.tasks_started"), Some(2.0));
    // M1: 3 instances (300, 400, 590 s); R2_1: a job of 4 tasks of 300 s; M5 has no valid times.
    assert_eq!(s.get("workload.batch.tasks_started"), Some(7.0));
    assert_eq!(s.get("ready_replicas_end"), Some(6.0), "app_1: 5, app_2: 1 after 2 h");
    let resolved = sc.to_resolved_toml();
    assert_eq!(
        Scenario::from_toml_str(&resolved, "resolved", root()).unwrap(),
        sc,
        "generated apps are not written twice"
    );
}

/// Bad machine or Alibaba rows name the file and the line.
#[test]
fn malformed_machine_and_alibaba_rows_name_file_and_line() {
    let dir = scratch("machines-bad");
    std::fs::write(dir.join("meta.csv"), "m_1,0,1,2,96,100,USING\nm_2,0,1,2,ninety,100,USING\n").unwrap();
    std::fs::write(
        dir.join("a.toml"),
        base(
            "[[cluster.agent_traces]]\nformat = \"alibaba2018\"\nfile = \"meta.csv\"\nmachine_mem = \"512GiB\"\n",
            ONE_SERVICE,
        ),
    )
    .unwrap();
    let o = dcsim(&dir, &["validate", "a.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("meta.csv:2") && stderr(&o).contains("cpu_num"), "{}", stderr(&o));
    std::fs::write(dir.join("ev.csv"), "0,5,0,p,0.5,0.5\n10,5,9,p,,\n").unwrap();
    std::fs::write(
        dir.join("g.toml"),
        base(
            "[[cluster.agent_traces]]\nformat = \"google2011\"\nfile = \"ev.csv\"\nmachine_cpus = 8\nmachine_mem = \"32GiB\"\n",
            ONE_SERVICE,
        ),
    )
    .unwrap();
    let o = dcsim(&dir, &["validate", "g.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ev.csv:2") && stderr(&o).contains("event type"), "{}", stderr(&o));
    std::fs::write(dir.join("bt.csv"), "M1,3,j_1,1,Terminated,100,700,100\n").unwrap();
    std::fs::write(
        dir.join("b.toml"),
        base(
            "[[cluster.agents]]\nname = \"m\"\ncount = 2\ncpus = 96\nmem = \"512GiB\"\n",
            "[[workloads]]\nkind = \"batch\"\nname = \"batch\"\narrival = { process = \"trace\" }\nduration = { dist = \"constant\", value = \"0s\" }\ncpus = 1\nmem = \"1GiB\"\n[[workload_traces]]\nformat = \"alibaba2018\"\nbatch_task = \"bt.csv\"\nmachine_mem = \"512GiB\"\n",
        ),
    )
    .unwrap();
    let o = dcsim(&dir, &["validate", "b.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bt.csv:1") && stderr(&o).contains("9 columns"), "{}", stderr(&o));
}

/// `dcsim import alibaba2018` writes the apps as services and a native trace that replay to the
/// same summary as the direct replay.
#[test]
fn alibaba_import_replays_like_the_direct_replay() {
    let data = root().join("tests/data/alibaba-2018");
    let out = scratch("ali-import");
    let d = |f: &str| data.join(f).display().to_string();
    let o = dcsim(
        root(),
        &[
            "import",
            "alibaba2018",
            "--container-meta",
            &d("container_meta.csv"),
            "--batch-task",
            &d("batch_task.csv"),
            "--batch-instance",
            &d("batch_instance.csv"),
            "--machine-mem",
            "512GiB",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let cluster = "[[cluster.agents]]\nname = \"m\"\ncount = 10\ncpus = 96\nmem = \"512GiB\"\n";
    let batch = "[[workloads]]\nkind = \"batch\"\nname = \"batch\"\narrival = { process = \"trace\" }\nduration = { dist = \"constant\", value = \"0s\" }\ncpus = 1\nmem = \"1GiB\"\n";
    let direct = base(
        cluster,
        &format!(
            "{batch}[[workload_traces]]\nformat = \"alibaba2018\"\ncontainer_meta = \"{}\"\nbatch_task = \"{}\"\nbatch_instance = \"{}\"\nmachine_mem = \"512GiB\"\n",
            d("container_meta.csv"),
            d("batch_task.csv"),
            d("batch_instance.csv")
        ),
    );
    let services = std::fs::read_to_string(out.join("workloads.toml")).unwrap();
    let native = base(
        cluster,
        &format!(
            "{batch}{services}\n[[workload_traces]]\nformat = \"native\"\nfile = \"{}\"\n",
            out.join("trace.csv").display()
        ),
    );
    let a = Scenario::from_toml_str(&direct, "direct.toml", root()).unwrap();
    let b = Scenario::from_toml_str(&native, "native.toml", root()).unwrap_or_else(|e| panic!("{e}\n{native}"));
    assert_eq!(a.trace_rows, b.trace_rows);
    assert_eq!(dcsim::simulate(&a, &mut |_| {}).unwrap().summary, dcsim::simulate(&b, &mut |_| {}).unwrap().summary);
}
