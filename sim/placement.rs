//! Placement policies: given a read-only cluster and one task's request, pick an agent.
//!
//! A policy is a pure decision: it never changes the cluster; the scheduler applies the choice. The
//! request carries the eligible agent ranges (from attribute constraints and rack spreading) and an
//! `admit` predicate for per-agent constraints (e.g. at most N replicas per agent).
//!
//! - `first-fit`: the lowest-numbered eligible agent that fits (segment-tree query per range).
//! - `best-fit`: the agent left with the least free of the task's dominant resource (share of the
//!   cluster's total), i.e. the tightest fit; ties by lower id.
//! - `worst-fit`: the agent with the most free of the dominant resource (spreading); ties by higher
//!   id, as the walk goes from the top of the ordered index.
//! - `random`: up to `RANDOM_PROBES` uniform probes over the eligible agents; if none fits (a nearly
//!   full cluster), first-fit starting from a random eligible agent, wrapping around. The fallback
//!   keeps the cost bounded and the decision complete (it finds an agent whenever one fits), at the
//!   price of a bias towards agents after long full runs when the cluster is nearly full.

use crate::cluster::{AgentId, Cluster};
use crate::resources::Resources;
use crate::rng::Stream;
use crate::scenario::PlacementKind;
use rand::RngExt;
use std::ops::Range;

/// Probes before `random` falls back to a wrap-around scan.
pub const RANDOM_PROBES: u32 = 32;

/// One task's placement request.
pub struct Request<'a> {
    pub demand: Resources,
    /// Index of the task's dominant resource dimension, relative to the cluster total.
    pub dominant: usize,
    /// Eligible agent ids, as sorted, disjoint ranges.
    pub ranges: &'a [Range<u32>],
    /// Per-agent constraint check beyond resources and ranges.
    pub admit: &'a dyn Fn(AgentId) -> bool,
}

impl Request<'_> {
    fn in_ranges(&self, a: AgentId) -> bool {
        self.ranges.iter().any(|r| r.contains(&a.0))
    }

    fn accepts(&self, cluster: &Cluster, a: AgentId) -> bool {
        cluster.agent(a).offered().fits(&self.demand) && self.in_ranges(a) && (self.admit)(a)
    }
}

/// A placement decision procedure. `select` must not keep references into the cluster.
pub trait PlacementPolicy {
    fn select(&mut self, cluster: &Cluster, req: &Request) -> Option<AgentId>;
}

/// Builds the policy of `kind`; `rng` is its own stream (only `random` draws from it).
pub fn make_policy(kind: PlacementKind, rng: Stream) -> Box<dyn PlacementPolicy> {
    match kind {
        PlacementKind::FirstFit => Box::new(FirstFit),
        PlacementKind::BestFit => Box::new(BestFit),
        PlacementKind::WorstFit => Box::new(WorstFit),
        PlacementKind::Random => Box::new(RandomFit { rng }),
    }
}

/// True if `kind` needs the cluster's per-dimension ordered index.
pub fn needs_sorted_index(kind: PlacementKind) -> bool {
    matches!(kind, PlacementKind::BestFit | PlacementKind::WorstFit)
}

pub struct FirstFit;

/// First fit within `range`, skipping agents `admit` rejects.
fn first_fit_in(cluster: &Cluster, req: &Request, range: Range<u32>) -> Option<AgentId> {
    let mut from = range.start;
    while let Some(a) = cluster.first_fit(&req.demand, from..range.end) {
        if (req.admit)(a) {
            return Some(a);
        }
        from = a.0 + 1;
    }
    None
}

impl PlacementPolicy for FirstFit {
    fn select(&mut self, cluster: &Cluster, req: &Request) -> Option<AgentId> {
        req.ranges.iter().find_map(|r| first_fit_in(cluster, req, r.clone()))
    }
}

pub struct BestFit;

impl PlacementPolicy for BestFit {
    fn select(&mut self, cluster: &Cluster, req: &Request) -> Option<AgentId> {
        let need = req.demand.as_array()[req.dominant];
        cluster.by_free_ascending(req.dominant, need).find(|&a| req.accepts(cluster, a))
    }
}

pub struct WorstFit;

impl PlacementPolicy for WorstFit {
    fn select(&mut self, cluster: &Cluster, req: &Request) -> Option<AgentId> {
        let need = req.demand.as_array()[req.dominant];
        cluster
            .by_free_descending(req.dominant)
            .take_while(|&a| cluster.agent(a).offered().as_array()[req.dominant] >= need)
            .find(|&a| req.accepts(cluster, a))
    }
}

pub struct RandomFit {
    rng: Stream,
}

impl PlacementPolicy for RandomFit {
    fn select(&mut self, cluster: &Cluster, req: &Request) -> Option<AgentId> {
        let total: u64 = req.ranges.iter().map(|r| (r.end - r.start) as u64).sum();
        if total == 0 {
            return None;
        }
        let nth = |mut k: u64| -> u32 {
            for r in req.ranges {
                let len = (r.end - r.start) as u64;
                if k < len {
                    return r.start + k as u32;
                }
                k -= len;
            }
            unreachable!("k < total")
        };
        for _ in 0..RANDOM_PROBES {
            let a = AgentId(nth(self.rng.random_range(0..total)));
            if req.accepts(cluster, a) {
                return Some(a);
            }
        }
        // Wrap-around first fit from a random eligible agent.
        let start = nth(self.rng.random_range(0..total));
        let pos = req.ranges.iter().position(|r| r.contains(&start)).expect("start is eligible");
        let head = std::iter::once(start..req.ranges[pos].end);
        let after = req.ranges[pos + 1..].iter().cloned();
        let before = req.ranges[..pos].iter().cloned();
        let tail = std::iter::once(req.ranges[pos].start..start);
        head.chain(after).chain(before).chain(tail).find_map(|r| first_fit_in(cluster, req, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use std::path::Path;

    fn cluster(sorted: bool) -> Cluster {
        let text = r#"
            name = "t"
            horizon = "1h"
            [cluster]
            [[cluster.agents]]
            name = "a"
            count = 4
            cpus = 4
            mem = "8GiB"
            [[workloads]]
            kind = "service"
            name = "s"
            replicas = 1
            cpus = 1
            mem = "1GiB"
        "#;
        let s = Scenario::from_toml_str(text, "t.toml", Path::new(".")).unwrap();
        Cluster::new(&s.cluster, sorted)
    }

    fn pick(p: &mut dyn PlacementPolicy, c: &Cluster, cpu: u64) -> Option<u32> {
        let demand = Resources::new(cpu, 1 << 30, 0);
        #[allow(clippy::single_range_in_vec_init)] // one eligible range: the whole cluster
        let ranges = [0..c.len() as u32];
        let admit = |_| true;
        p.select(c, &Request { demand, dominant: 0, ranges: &ranges, admit: &admit }).map(|a| a.0)
    }

    #[test]
    fn policies_pick_their_agent() {
        let mut c = cluster(true);
        // Free cpus after this: [3, 1, 4, 2] (in cores).
        for (a, used) in [(0u32, 1000u64), (1, 3000), (3, 2000)] {
            c.allocate(AgentId(a), &Resources::new(used, 0, 0));
        }
        assert_eq!(pick(&mut FirstFit, &c, 2000), Some(0));
        assert_eq!(pick(&mut BestFit, &c, 2000), Some(3), "tightest: 2 free");
        assert_eq!(pick(&mut WorstFit, &c, 2000), Some(2), "loosest: 4 free");
        assert_eq!(pick(&mut FirstFit, &c, 5000), None);
        let mut r = RandomFit { rng: crate::rng::stream(1, "t") };
        for _ in 0..50 {
            let a = pick(&mut r, &c, 3000).unwrap();
            assert!(a == 0 || a == 2, "only agents 0 and 2 have 3 cpus free, got {a}");
        }
    }
}
