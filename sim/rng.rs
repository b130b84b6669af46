//! Seeded random streams, one per component.
//!
//! A run has one root seed. Every component that draws random numbers owns a stream derived from
//! `(root seed, stable component name)`, e.g. `"workload/etl/arrival"`, so adding a component or
//! drawing more numbers in one never shifts another's draws (common random numbers across policy
//! comparisons). The generator is pinned to `ChaCha8Rng`, whose output is specified and portable;
//! `StdRng` may change between rand versions. The key derivation (FNV-1a over the name, then
//! SplitMix64 to fill the 32-byte key) is part of the reproducibility contract: changing it changes
//! every result file, so treat it like a file-format change.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The pinned generator type of every stream.
pub type Stream = ChaCha8Rng;

/// 64-bit FNV-1a: a stable, dependency-free hash of component names.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64 step (Steele, Lea, Flood 2014): spreads a 64-bit state into well-mixed outputs.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream of component `name` under root `seed`.
pub fn stream(seed: u64, name: &str) -> Stream {
    let mut state = seed ^ fnv1a64(name.as_bytes()).rotate_left(17);
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a1: u64 = stream(7, "workload/a").random();
        let a2: u64 = stream(7, "workload/a").random();
        let b: u64 = stream(7, "workload/b").random();
        let a_other_seed: u64 = stream(8, "workload/a").random();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, a_other_seed);
    }

    /// Guards the derivation itself: if this value changes, every published result changes.
    #[test]
    fn derivation_is_pinned() {
        let v: u64 = stream(42, "pinned").random();
        assert_eq!(v, 9914776194101561045, "pinned first draw of stream(42, \"pinned\")");
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c, "FNV-1a reference value");
    }
}
