//! Statistics: log-linear histograms for percentiles, exact time-weighted integrals, and the flat
//! `Summary` of named metrics.
//!
//! `Histogram` records non-negative integers (microseconds) exactly below 1,024 and in buckets of
//! relative width 1/1,024 above, so percentiles carry a relative error below 0.1% while memory stays
//! bounded whatever the run length (Google-scale runs record tens of millions of waits). Mean and
//! max are exact. `TimeWeighted` integrates an integer quantity over time in `u128`, exactly, from
//! the warmup on.
//!
//! **Invariant:** metric names are stable: they are the public interface of CI checks and sweeps.
//! They end in their unit (`_s`, `_frac`, `_bytes`) or are plain counts.

use crate::time::SimTime;

const SUB_BITS: u32 = 10;
const SUB: u64 = 1 << SUB_BITS;

/// Log-linear histogram of `u64` values; see the module comment.
#[derive(Clone, Debug, Default)]
pub struct Histogram {
    /// Counts per bucket; grows to the highest bucket seen (at most ~56k entries).
    counts: Vec<u64>,
    n: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl Histogram {
    fn index(v: u64) -> usize {
        if v < SUB {
            v as usize
        } else {
            let e = 63 - v.leading_zeros(); // position of the top bit, >= SUB_BITS
            let shift = e - SUB_BITS;
            let mantissa = v >> shift; // in [SUB, 2*SUB)
            ((shift as u64 + 1) * SUB + (mantissa - SUB)) as usize
        }
    }

    /// The smallest value in bucket `i` and the bucket's width.
    fn bucket(i: usize) -> (u64, u64) {
        let i = i as u64;
        if i < SUB {
            (i, 1)
        } else {
            let shift = i / SUB - 1;
            let mantissa = SUB + i % SUB;
            (mantissa << shift, 1 << shift)
        }
    }

    pub fn record(&mut self, v: u64) {
        let i = Self::index(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.min = if self.n == 0 { v } else { self.min.min(v) };
        self.n += 1;
        self.sum += v as u128;
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    pub fn max(&self) -> Option<u64> {
        (self.n > 0).then_some(self.max)
    }

    /// Nearest-rank quantile `q` in [0, 1]: the bucket holding the ceil(q*n)-th smallest value,
    /// reported as its midpoint clamped to the exact minimum and maximum (so exact for values below
    /// 1,024 and whenever the bucket holds the extreme values only).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, width) = Self::bucket(i);
                let mid = lo as f64 + (width - 1) as f64 / 2.0;
                return Some(mid.clamp(self.min as f64, self.max as f64));
            }
        }
        unreachable!("rank <= n")
    }

    /// Number of recorded values greater than zero.
    pub fn count_nonzero(&self) -> u64 {
        self.n - self.counts.first().copied().unwrap_or(0)
    }
}

/// An integer quantity's exact time integral from `from` on (values before `from` are ignored).
#[derive(Clone, Debug)]
pub struct TimeWeighted {
    from: SimTime,
    last: SimTime,
    value: u64,
    /// Sum of value * µs since `from`.
    integral: u128,
    /// Largest value held at or after `from`.
    max: u64,
}

impl TimeWeighted {
    pub fn new(from: SimTime) -> TimeWeighted {
        TimeWeighted { from, last: SimTime::ZERO, value: 0, integral: 0, max: 0 }
    }

    fn advance(&mut self, now: SimTime) {
        let start = self.last.max(self.from);
        if now > start {
            self.integral += self.value as u128 * now.since(start).0 as u128;
        }
        if now >= self.from {
            // The current value was held up to `now`, which is inside the window.
            self.max = self.max.max(self.value);
        }
        self.last = now;
    }

    /// The quantity changes to `v` at `now` (non-decreasing `now`).
    #[inline]
    pub fn set(&mut self, now: SimTime, v: u64) {
        self.advance(now);
        self.value = v;
        if now >= self.from {
            self.max = self.max.max(v);
        }
    }

    /// Time average over `[from, end]`; `None` for an empty window.
    pub fn mean(&mut self, end: SimTime) -> Option<f64> {
        self.advance(end);
        let span = end.since(self.from).0;
        (span > 0).then(|| self.integral as f64 / span as f64)
    }

    /// The integral up to `end` (value × µs).
    pub fn integral(&mut self, end: SimTime) -> u128 {
        self.advance(end);
        self.integral
    }

    /// Largest value held at any instant of `[from, end]`.
    pub fn max(&mut self, end: SimTime) -> u64 {
        self.advance(end);
        self.max
    }
}

/// A flat, ordered list of metric name to value; `None` is an undefined metric (e.g. a wait
/// percentile with no waits), written as JSON `null`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub entries: Vec<(String, Option<f64>)>,
}

impl Summary {
    pub fn push(&mut self, name: impl Into<String>, v: Option<f64>) {
        self.entries.push((name.into(), v));
    }

    pub fn count(&mut self, name: impl Into<String>, v: u64) {
        self.push(name, Some(v as f64));
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        self.entries.iter().find(|(n, _)| n == name).and_then(|(_, v)| *v)
    }

    /// Adds the standard percentile family `<prefix>_mean/_p50/_p95/_p99/_max` of a histogram of
    /// microseconds, in seconds.
    pub fn seconds_family(&mut self, prefix: &str, h: &Histogram) {
        let s = |us: f64| us / 1e6;
        self.push(format!("{prefix}_mean"), h.mean().map(s));
        self.push(format!("{prefix}_p50"), h.quantile(0.50).map(s));
        self.push(format!("{prefix}_p95"), h.quantile(0.95).map(s));
        self.push(format!("{prefix}_p99"), h.quantile(0.99).map(s));
        self.push(format!("{prefix}_max"), h.max().map(|m| s(m as f64)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_exact_below_1024_and_within_0_1_percent_above() {
        let mut h = Histogram::default();
        for v in 0..1000u64 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(499.0));
        assert_eq!(h.quantile(1.0), Some(999.0));
        assert_eq!(h.quantile(0.0), Some(0.0));
        assert_eq!(h.mean(), Some(499.5));
        for v in [1024u64, 1025, 5_000, 123_456_789, u64::MAX / 3] {
            let i = Histogram::index(v);
            let (lo, w) = Histogram::bucket(i);
            assert!(lo <= v && v < lo + w, "{v} outside bucket {lo}+{w}");
            assert!((w as f64) / (lo as f64) <= 1.0 / 1024.0 + 1e-12);
        }
        let mut big = Histogram::default();
        big.record(1_000_000_007);
        let q = big.quantile(0.5).unwrap();
        assert!((q - 1_000_000_007.0).abs() / 1e9 < 1e-3);
        assert!(q <= 1_000_000_007.0);
        assert_eq!(big.count_nonzero(), 1);
    }

    #[test]
    fn time_weighted_ignores_warmup() {
        let mut t = TimeWeighted::new(SimTime(10));
        t.set(SimTime(0), 100); // before warmup: ignored
        t.set(SimTime(15), 2); // 100 held over [10, 15]
        t.set(SimTime(20), 4); // 2 over [15, 20]
        let mean = t.mean(SimTime(30)).unwrap(); // 4 over [20, 30]
        assert_eq!(mean, (100.0 * 5.0 + 2.0 * 5.0 + 4.0 * 10.0) / 20.0);
    }
}
