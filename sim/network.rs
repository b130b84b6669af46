//! Data transfers between agents (store rebuilds) and how they share bandwidth.
//!
//! Each agent has a network bandwidth B in each direction (full duplex). Transfers leaving an agent
//! share its outbound B equally; transfers entering share its inbound B equally. A transfer runs at
//! the smaller of its two shares: `min(B_src / n_out(src), B_dst / n_in(dst))`. This is the
//! equal-share bottleneck model (simpler than max-min fairness, which would hand bandwidth unused by
//! a bottlenecked flow to the others; it is exact for one transfer alone and for transfers that
//! share one end). Rates change only when a transfer starts or stops at one of its two agents, so
//! `Network` reports exactly the transfers whose finish time moved; the world reschedules those.
//!
//! **Invariant:** `Network` knows nothing of events, stores or shards; it keeps bytes and rates.

use crate::cluster::AgentId;
use crate::time::{SimDuration, SimTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TransferId(pub u32);

#[derive(Clone, Debug)]
struct Transfer {
    src: AgentId,
    dst: AgentId,
    /// Bytes still to copy as of `last`.
    remaining: f64,
    /// Bytes per microsecond since `last`.
    rate: f64,
    last: SimTime,
    active: bool,
}

pub struct Network {
    /// Bytes per microsecond, per agent and direction.
    bandwidth: Vec<f64>,
    n_out: Vec<u32>,
    n_in: Vec<u32>,
    transfers: Vec<Transfer>,
    free: Vec<u32>,
    /// Ids of active transfers, in start order (kept small: concurrent rebuilds).
    active: Vec<u32>,
}

impl Network {
    /// `bandwidth_bytes_per_s[a]` is agent a's bandwidth per direction.
    pub fn new(bandwidth_bytes_per_s: impl Iterator<Item = u64>) -> Network {
        let bandwidth: Vec<f64> = bandwidth_bytes_per_s.map(|b| b as f64 / 1e6).collect();
        let n = bandwidth.len();
        Network {
            bandwidth,
            n_out: vec![0; n],
            n_in: vec![0; n],
            transfers: Vec::new(),
            free: Vec::new(),
            active: Vec::new(),
        }
    }

    fn rate_of(&self, t: &Transfer) -> f64 {
        let out = self.bandwidth[t.src.0 as usize] / self.n_out[t.src.0 as usize].max(1) as f64;
        let inn = self.bandwidth[t.dst.0 as usize] / self.n_in[t.dst.0 as usize].max(1) as f64;
        out.min(inn)
    }

    /// Starts copying `bytes` from `src` to `dst` at `now`. Returns the new transfer and fills
    /// `changed` with every active transfer (the new one included) whose finish time moved.
    pub fn start(
        &mut self,
        now: SimTime,
        src: AgentId,
        dst: AgentId,
        bytes: u64,
        changed: &mut Vec<(TransferId, SimTime)>,
    ) -> TransferId {
        self.settle(now, src, dst);
        let t = Transfer { src, dst, remaining: bytes as f64, rate: 0.0, last: now, active: true };
        let id = match self.free.pop() {
            Some(i) => {
                self.transfers[i as usize] = t;
                i
            }
            None => {
                self.transfers.push(t);
                self.transfers.len() as u32 - 1
            }
        };
        self.active.push(id);
        self.n_out[src.0 as usize] += 1;
        self.n_in[dst.0 as usize] += 1;
        self.rerate(now, src, dst, changed);
        TransferId(id)
    }

    /// Stops a transfer (finished or aborted) at `now`; fills `changed` like `start`.
    pub fn stop(&mut self, now: SimTime, id: TransferId, changed: &mut Vec<(TransferId, SimTime)>) {
        let t = &self.transfers[id.0 as usize];
        assert!(t.active, "stopping an inactive transfer");
        let (src, dst) = (t.src, t.dst);
        self.settle(now, src, dst);
        self.transfers[id.0 as usize].active = false;
        self.active.retain(|&i| i != id.0);
        self.free.push(id.0);
        self.n_out[src.0 as usize] -= 1;
        self.n_in[dst.0 as usize] -= 1;
        self.rerate(now, src, dst, changed);
    }

    /// Active transfers touching `agent`, in start order.
    pub fn touching(&self, agent: AgentId) -> Vec<TransferId> {
        self.active
            .iter()
            .filter(|&&i| {
                let t = &self.transfers[i as usize];
                t.src == agent || t.dst == agent
            })
            .map(|&i| TransferId(i))
            .collect()
    }

    /// Number of transfers leaving `agent`.
    pub fn outgoing(&self, agent: AgentId) -> u32 {
        self.n_out[agent.0 as usize]
    }

    /// Brings `remaining` up to `now` for transfers touching `a` or `b` (their rates are about to change).
    fn settle(&mut self, now: SimTime, a: AgentId, b: AgentId) {
        for &i in &self.active {
            let t = &mut self.transfers[i as usize];
            if t.src == a || t.dst == a || t.src == b || t.dst == b {
                let dt = now.since(t.last).0 as f64;
                t.remaining = (t.remaining - t.rate * dt).max(0.0);
                t.last = now;
            }
        }
    }

    fn rerate(&mut self, now: SimTime, a: AgentId, b: AgentId, changed: &mut Vec<(TransferId, SimTime)>) {
        changed.clear();
        for k in 0..self.active.len() {
            let i = self.active[k];
            let t = &self.transfers[i as usize];
            if !(t.src == a || t.dst == a || t.src == b || t.dst == b) {
                continue;
            }
            let rate = self.rate_of(t);
            let t = &mut self.transfers[i as usize];
            t.rate = rate;
            t.last = now;
            // Finish time, rounded up to the next microsecond so no byte is left uncopied.
            let us = (t.remaining / rate).ceil();
            changed.push((TransferId(i), now.plus(SimDuration(us as u64))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_transfer_alone_takes_size_over_bandwidth() {
        let mut n = Network::new([1_000_000u64, 1_000_000].into_iter()); // 1 MB/s
        let mut ch = Vec::new();
        let id = n.start(SimTime(0), AgentId(0), AgentId(1), 5_000_000, &mut ch);
        assert_eq!(ch, vec![(id, SimTime(5_000_000))]);
    }

    #[test]
    fn shared_source_halves_rates_and_restores_them() {
        let mut n = Network::new([1_000_000u64; 3].into_iter());
        let mut ch = Vec::new();
        let a = n.start(SimTime(0), AgentId(0), AgentId(1), 4_000_000, &mut ch);
        // At 1 s, 3 MB left; a second transfer from the same source halves both rates.
        let b = n.start(SimTime(1_000_000), AgentId(0), AgentId(2), 1_000_000, &mut ch);
        assert_eq!(ch, vec![(a, SimTime(7_000_000)), (b, SimTime(3_000_000))]);
        // b finishes at 3 s; a has 2 MB left and gets the full rate back: done at 5 s.
        n.stop(SimTime(3_000_000), b, &mut ch);
        assert_eq!(ch, vec![(a, SimTime(5_000_000))]);
    }
}
