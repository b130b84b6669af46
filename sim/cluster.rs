//! The cluster: agents with capacities and free resources, their racks, zones and pools, and the
//! indexes that let placement find a fitting agent without scanning them all.
//!
//! Layout: agents are numbered group by group (`AgentId` 0..n), so an agent group, and each rack
//! inside it, is a contiguous id range. A group of `racks` racks is cut into near-equal contiguous
//! runs named `<group>-r<k>`; zones are shared across groups: rack k of `zones` zones belongs to
//! zone `z<k * zones / racks>`, so zone `z0` holds the first racks of every group.
//!
//! Indexes:
//! - `FreeTree`, a segment tree over agent ids holding the per-dimension maximum of free resources
//!   in each subtree. First-fit asks it for the lowest id in a range whose free resources cover a
//!   demand: it prunes every subtree whose maxima fall short, so a query is O(log n) when fitting
//!   agents are common and never worse than a scan.
//! - `by_free`, per dimension an ordered set of `(free, id)`, kept only when the policy needs it
//!   (best-fit and worst-fit walk it from the tight or the loose end).
//!
//! **Invariant:** `free <= capacity` per agent, and pool `allocated` equals the sum of what its
//! agents have given out. **Invariant:** the cluster knows nothing of tasks, jobs or schedulers; it
//! only hands out and takes back resources.

use crate::resources::{DIMS, Resources};
use crate::scenario::ClusterSpec;
use std::collections::BTreeSet;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PoolId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RackId(pub u32);

#[derive(Clone, Debug)]
pub struct Agent {
    pub group: u32,
    pub rack: RackId,
    pub zone: u32,
    pub pool: PoolId,
    pub capacity: Resources,
    /// Invariant: fits in `capacity`.
    pub free: Resources,
    /// False while the agent is down or draining: indexes then see it as full, so nothing is
    /// placed on it, while `free` keeps its true bookkeeping.
    pub schedulable: bool,
}

impl Agent {
    /// What placement may use: `free`, or nothing when unschedulable.
    #[inline]
    pub fn offered(&self) -> Resources {
        if self.schedulable { self.free } else { Resources::ZERO }
    }
}

#[derive(Clone, Debug)]
pub struct GroupInfo {
    pub name: String,
    pub pool: PoolId,
    pub agents: Range<u32>,
}

#[derive(Clone, Debug)]
pub struct RackInfo {
    pub name: String,
    pub group: u32,
    pub zone: u32,
    pub agents: Range<u32>,
}

#[derive(Clone, Debug)]
pub struct PoolInfo {
    pub name: String,
    pub capacity: Resources,
    /// Invariant: the sum of `capacity - free` over the pool's agents.
    pub allocated: Resources,
}

pub struct Cluster {
    agents: Vec<Agent>,
    groups: Vec<GroupInfo>,
    racks: Vec<RackInfo>,
    zones: Vec<String>,
    pools: Vec<PoolInfo>,
    capacity: Resources,
    allocated: Resources,
    tree: FreeTree,
    by_free: Option<[BTreeSet<(u64, u32)>; DIMS]>,
    /// Per agent, bumped by every change (shared-state's coarse conflict detection).
    versions: Vec<u64>,
}

impl Cluster {
    /// Builds the cluster of `spec`, all agents empty. `sorted_index` keeps the per-dimension
    /// ordered sets that best-fit and worst-fit need.
    pub fn new(spec: &ClusterSpec, sorted_index: bool) -> Cluster {
        let mut agents = Vec::new();
        let mut groups = Vec::new();
        let mut racks = Vec::new();
        let mut pools: Vec<PoolInfo> = Vec::new();
        let (layout, zones) = crate::scenario::rack_layout(spec);
        for (gi, g) in spec.groups.iter().enumerate() {
            let pool = match pools.iter().position(|p| p.name == g.pool) {
                Some(p) => PoolId(p as u32),
                None => {
                    pools.push(PoolInfo {
                        name: g.pool.clone(),
                        capacity: Resources::ZERO,
                        allocated: Resources::ZERO,
                    });
                    PoolId(pools.len() as u32 - 1)
                }
            };
            let start = agents.len() as u32;
            for r in layout.iter().filter(|r| r.group == gi as u32) {
                let rack = RackId(racks.len() as u32);
                racks.push(RackInfo { name: r.name.clone(), group: gi as u32, zone: r.zone, agents: r.agents.clone() });
                for _ in r.agents.clone() {
                    agents.push(Agent {
                        group: gi as u32,
                        rack,
                        zone: r.zone,
                        pool,
                        capacity: g.capacity,
                        free: g.capacity,
                        schedulable: true,
                    });
                }
            }
            let p = &mut pools[pool.0 as usize];
            p.capacity = p.capacity.plus(&g.capacity.times(g.count as u64).expect("pool capacity overflows u64"));
            groups.push(GroupInfo { name: g.name.clone(), pool, agents: start..agents.len() as u32 });
        }
        let capacity = pools.iter().fold(Resources::ZERO, |acc, p| acc.plus(&p.capacity));
        let tree = FreeTree::new(agents.iter().map(|a| a.free.as_array()));
        let by_free = sorted_index.then(|| {
            std::array::from_fn(|d| agents.iter().enumerate().map(|(i, a)| (a.free.as_array()[d], i as u32)).collect())
        });
        let versions = vec![0; agents.len()];
        Cluster { agents, groups, racks, zones, pools, capacity, allocated: Resources::ZERO, tree, by_free, versions }
    }

    pub fn len(&self) -> usize {
        self.agents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    pub fn agent(&self, id: AgentId) -> &Agent {
        &self.agents[id.0 as usize]
    }

    pub fn groups(&self) -> &[GroupInfo] {
        &self.groups
    }

    pub fn racks(&self) -> &[RackInfo] {
        &self.racks
    }

    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    pub fn pools(&self) -> &[PoolInfo] {
        &self.pools
    }

    /// Total capacity of all agents.
    pub fn capacity(&self) -> Resources {
        self.capacity
    }

    /// Resources currently handed out.
    pub fn allocated(&self) -> Resources {
        self.allocated
    }

    /// Takes `demand` from agent `id`. Panics if it does not fit (the caller checked).
    pub fn allocate(&mut self, id: AgentId, demand: &Resources) {
        let a = &mut self.agents[id.0 as usize];
        let old = a.offered();
        a.free = a.free.minus(demand);
        let pool = a.pool;
        self.after_change(id, old);
        let p = &mut self.pools[pool.0 as usize];
        p.allocated = p.allocated.plus(demand);
        self.allocated = self.allocated.plus(demand);
    }

    /// Returns `demand` to agent `id`.
    pub fn release(&mut self, id: AgentId, demand: &Resources) {
        let a = &mut self.agents[id.0 as usize];
        let old = a.offered();
        a.free = a.free.plus(demand);
        assert!(a.capacity.fits(&a.free), "agent {} freed beyond capacity", id.0);
        let pool = a.pool;
        self.after_change(id, old);
        let p = &mut self.pools[pool.0 as usize];
        p.allocated = p.allocated.minus(demand);
        self.allocated = self.allocated.minus(demand);
    }

    /// Marks an agent (un)schedulable; see `Agent::schedulable`.
    pub fn set_schedulable(&mut self, id: AgentId, schedulable: bool) {
        let a = &mut self.agents[id.0 as usize];
        if a.schedulable == schedulable {
            return;
        }
        let old = a.offered();
        a.schedulable = schedulable;
        self.after_change(id, old);
    }

    /// Updates the indexes after agent `id`'s offered resources changed from `old`.
    fn after_change(&mut self, id: AgentId, old: Resources) {
        self.versions[id.0 as usize] += 1;
        let new = self.agents[id.0 as usize].offered();
        self.tree.set(id.0 as usize, new.as_array());
        if let Some(sets) = &mut self.by_free {
            let (o, n) = (old.as_array(), new.as_array());
            for d in 0..DIMS {
                if o[d] != n[d] {
                    sets[d].remove(&(o[d], id.0));
                    sets[d].insert((n[d], id.0));
                }
            }
        }
    }

    /// How many times agent `id` changed (allocations, releases, availability).
    pub fn version(&self, id: AgentId) -> u64 {
        self.versions[id.0 as usize]
    }

    /// The lowest agent id in `range` whose free resources cover `demand`.
    #[inline]
    pub fn first_fit(&self, demand: &Resources, range: Range<u32>) -> Option<AgentId> {
        self.tree.first_fit(demand.as_array(), range.start as usize, range.end as usize).map(|i| AgentId(i as u32))
    }

    /// Agents ordered by free amount of dimension `dim`, from `at_least` upward (tightest first).
    /// Panics if the cluster was built without the sorted index (a policy/cluster mismatch).
    pub fn by_free_ascending(&self, dim: usize, at_least: u64) -> impl Iterator<Item = AgentId> + '_ {
        let sets = self.by_free.as_ref().expect("best-fit needs Cluster::new(.., sorted_index = true)");
        sets[dim].range((at_least, 0)..).map(|&(_, i)| AgentId(i))
    }

    /// Agents ordered by free amount of dimension `dim`, largest first.
    pub fn by_free_descending(&self, dim: usize) -> impl Iterator<Item = AgentId> + '_ {
        let sets = self.by_free.as_ref().expect("worst-fit needs Cluster::new(.., sorted_index = true)");
        sets[dim].iter().rev().map(|&(_, i)| AgentId(i))
    }
}

/// Segment tree of per-dimension maxima of free resources; see the module comment.
struct FreeTree {
    /// Number of leaves, a power of two >= the number of agents; padding leaves are all zero.
    size: usize,
    /// `max[1]` is the root; children of `k` are `2k` and `2k+1`; leaves start at `size`.
    max: Vec<[u64; DIMS]>,
}

impl FreeTree {
    fn new(leaves: impl ExactSizeIterator<Item = [u64; DIMS]>) -> FreeTree {
        let size = leaves.len().next_power_of_two().max(1);
        let mut max = vec![[0u64; DIMS]; 2 * size];
        for (i, v) in leaves.enumerate() {
            max[size + i] = v;
        }
        for k in (1..size).rev() {
            max[k] = Self::merge(&max[2 * k], &max[2 * k + 1]);
        }
        FreeTree { size, max }
    }

    #[inline]
    fn merge(a: &[u64; DIMS], b: &[u64; DIMS]) -> [u64; DIMS] {
        std::array::from_fn(|d| a[d].max(b[d]))
    }

    #[inline]
    fn covers(have: &[u64; DIMS], need: &[u64; DIMS]) -> bool {
        (0..DIMS).all(|d| have[d] >= need[d])
    }

    fn set(&mut self, i: usize, v: [u64; DIMS]) {
        let mut k = self.size + i;
        self.max[k] = v;
        while k > 1 {
            k /= 2;
            let m = Self::merge(&self.max[2 * k], &self.max[2 * k + 1]);
            if m == self.max[k] {
                break; // ancestors are unchanged too
            }
            self.max[k] = m;
        }
    }

    fn first_fit(&self, need: [u64; DIMS], lo: usize, hi: usize) -> Option<usize> {
        if lo >= hi {
            return None;
        }
        self.find(1, 0, self.size, lo, hi, &need)
    }

    fn find(&self, k: usize, nlo: usize, nhi: usize, lo: usize, hi: usize, need: &[u64; DIMS]) -> Option<usize> {
        if nhi <= lo || hi <= nlo || !Self::covers(&self.max[k], need) {
            return None;
        }
        if nhi - nlo == 1 {
            return Some(nlo);
        }
        let mid = (nlo + nhi) / 2;
        self.find(2 * k, nlo, mid, lo, hi, need).or_else(|| self.find(2 * k + 1, mid, nhi, lo, hi, need))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_tree_finds_lowest_fitting_leaf_in_range() {
        let leaves = [[1, 1, 0], [5, 1, 0], [2, 9, 0], [5, 9, 0], [9, 9, 0]];
        let mut t = FreeTree::new(leaves.into_iter());
        assert_eq!(t.first_fit([5, 9, 0], 0, 5), Some(3));
        assert_eq!(t.first_fit([5, 9, 0], 4, 5), Some(4));
        assert_eq!(t.first_fit([10, 1, 0], 0, 5), None);
        assert_eq!(t.first_fit([1, 1, 0], 1, 1), None, "empty range");
        t.set(3, [0, 0, 0]);
        assert_eq!(t.first_fit([5, 9, 0], 0, 5), Some(4));
        // Brute force agreement on every range and a few demands.
        for lo in 0..5 {
            for hi in lo..=5 {
                for need in [[1, 1, 0], [5, 1, 0], [2, 9, 0], [6, 2, 0]] {
                    let brute = (lo..hi).find(|&i| FreeTree::covers(&t.max[t.size + i], &need));
                    assert_eq!(t.first_fit(need, lo, hi), brute, "{lo}..{hi} {need:?}");
                }
            }
        }
    }
}
