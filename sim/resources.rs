//! A resource vector: CPU in millicores, memory and disk in bytes.
//!
//! Integers throughout, so that allocating and freeing the same request always returns an agent to
//! exactly its previous state (no floating-point drift over millions of tasks).

use serde::Serialize;

/// The resource dimensions, in the fixed order used by indexes and reports.
pub const DIMS: usize = 3;
/// Report names of the dimensions, in `DIMS` order.
pub const DIM_NAMES: [&str; DIMS] = ["cpu", "mem", "disk"];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Resources {
    /// CPU in millicores (1000 = one CPU).
    pub cpu_m: u64,
    /// Memory in bytes.
    pub mem_b: u64,
    /// Disk in bytes.
    pub disk_b: u64,
}

impl Resources {
    pub const ZERO: Resources = Resources { cpu_m: 0, mem_b: 0, disk_b: 0 };

    pub fn new(cpu_m: u64, mem_b: u64, disk_b: u64) -> Resources {
        Resources { cpu_m, mem_b, disk_b }
    }

    pub fn as_array(&self) -> [u64; DIMS] {
        [self.cpu_m, self.mem_b, self.disk_b]
    }

    /// True if `demand` fits in `self` in every dimension.
    #[inline]
    pub fn fits(&self, demand: &Resources) -> bool {
        demand.cpu_m <= self.cpu_m && demand.mem_b <= self.mem_b && demand.disk_b <= self.disk_b
    }

    /// `self - other`; panics if `other` does not fit (allocating more than is free is a bug).
    #[inline]
    pub fn minus(&self, other: &Resources) -> Resources {
        assert!(self.fits(other), "resource underflow: {other:?} taken from {self:?}");
        Resources {
            cpu_m: self.cpu_m - other.cpu_m,
            mem_b: self.mem_b - other.mem_b,
            disk_b: self.disk_b - other.disk_b,
        }
    }

    #[inline]
    pub fn plus(&self, other: &Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m.checked_add(other.cpu_m).expect("cpu overflow"),
            mem_b: self.mem_b.checked_add(other.mem_b).expect("mem overflow"),
            disk_b: self.disk_b.checked_add(other.disk_b).expect("disk overflow"),
        }
    }

    /// `self * k`, or `None` on overflow.
    pub fn times(&self, k: u64) -> Option<Resources> {
        Some(Resources {
            cpu_m: self.cpu_m.checked_mul(k)?,
            mem_b: self.mem_b.checked_mul(k)?,
            disk_b: self.disk_b.checked_mul(k)?,
        })
    }

    /// The dimension in which `self` is the largest share of `total` (DRF's dominant resource);
    /// ties go to the earlier dimension in `DIMS` order.
    pub fn dominant_dim(&self, total: &Resources) -> usize {
        let d = self.as_array();
        let t = total.as_array();
        let mut best = 0;
        let mut best_share = -1.0;
        for i in 0..DIMS {
            let share = if t[i] == 0 { 0.0 } else { d[i] as f64 / t[i] as f64 };
            if share > best_share {
                best = i;
                best_share = share;
            }
        }
        best
    }
}
