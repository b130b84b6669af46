//! Simulated time: integer microseconds.
//!
//! `SimTime` is an instant since the start of the run, `SimDuration` a span. Both are `u64`
//! microseconds, so 2^64 µs (about 584,000 years) bounds any horizon. Arithmetic is checked: an
//! overflow is a bug in the model, not a rounding error, so it panics with a message. `f64` seconds
//! appear only at the edges (parsing human units, reporting).

use std::fmt;

/// Microseconds per second.
pub const US_PER_S: u64 = 1_000_000;

/// An instant in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }

    /// `self + d`; panics on overflow (a broken model invariant, not bad input: inputs are bounded
    /// by the horizon at validation).
    pub fn plus(self, d: SimDuration) -> SimTime {
        SimTime(self.0.checked_add(d.0).expect("SimTime overflow: time + duration exceeds u64 µs"))
    }

    /// The span from `earlier` to `self`; zero if `earlier` is later (saturating on purpose: callers
    /// clip intervals to windows such as "after warmup").
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub fn from_secs(s: u64) -> SimDuration {
        SimDuration(s.checked_mul(US_PER_S).expect("SimDuration overflow"))
    }

    /// Rounds to the nearest microsecond; negative and NaN inputs become zero (a sampled delay can
    /// never run time backwards), and values past u64 saturate.
    pub fn from_secs_f64(s: f64) -> SimDuration {
        if s.is_nan() || s <= 0.0 {
            return SimDuration::ZERO;
        }
        let us = (s * US_PER_S as f64).round();
        if us >= u64::MAX as f64 { SimDuration(u64::MAX) } else { SimDuration(us as u64) }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }

    pub fn checked_mul(self, k: u64) -> Option<SimDuration> {
        self.0.checked_mul(k).map(SimDuration)
    }

    pub fn checked_add(self, other: SimDuration) -> Option<SimDuration> {
        self.0.checked_add(other.0).map(SimDuration)
    }
}

/// Units accepted in duration strings, largest first, with their length in microseconds.
const DURATION_UNITS: &[(&str, u64)] = &[
    ("d", 86_400 * US_PER_S),
    ("h", 3_600 * US_PER_S),
    ("min", 60 * US_PER_S),
    ("m", 60 * US_PER_S),
    ("s", US_PER_S),
    ("ms", 1_000),
    ("us", 1),
    ("µs", 1),
];

/// Parses a human duration: one or more `<number><unit>` parts, e.g. `"90s"`, `"1.5h"`, `"7d"`,
/// `"1h30m"`, `"250ms"`. Units: d, h, m or min, s, ms, us. The result must be a whole number of
/// microseconds. Returns a description of what was expected on failure.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("a duration with a unit, such as \"90s\", \"5m\", \"1.5h\" or \"7d\"".into());
    }
    let mut rest = s;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_len);
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit = unit.trim();
        if num.is_empty() || unit.is_empty() {
            return Err("a duration with a unit, such as \"90s\", \"5m\", \"1.5h\" or \"7d\"".into());
        }
        let Some(&(_, us_per_unit)) = DURATION_UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(format!("a known duration unit (d, h, m, min, s, ms, us), not \"{unit}\""));
        };
        let us = decimal_times(num, us_per_unit)
            .ok_or_else(|| format!("a whole number of microseconds; \"{num}{unit}\" is not"))?;
        total += us as u128;
        rest = tail.trim_start();
    }
    u64::try_from(total).map(SimDuration).map_err(|_| "a duration below 584,000 years".into())
}

/// `num * scale` for a decimal string `num` (digits, optional fraction, `_` separators), when the
/// product is a whole number; `None` if it is not, or the text is not a plain decimal.
pub(crate) fn decimal_times(num: &str, scale: u64) -> Option<u64> {
    let num: String = num.chars().filter(|&c| c != '_').collect();
    let (int_part, frac_part) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num.as_str(), ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || frac_part.len() > 18
    {
        return None;
    }
    let int_val: u128 = if int_part.is_empty() { 0 } else { int_part.parse().ok()? };
    let frac_digits = frac_part.trim_end_matches('0');
    let denom = 10u128.pow(frac_digits.len() as u32);
    let frac_val: u128 = if frac_digits.is_empty() { 0 } else { frac_digits.parse().ok()? };
    let numer = int_val.checked_mul(denom)?.checked_add(frac_val)?.checked_mul(scale as u128)?;
    if numer % denom != 0 {
        return None;
    }
    u64::try_from(numer / denom).ok()
}

/// Formats a duration in the largest unit that represents it exactly (`"90s"`, `"2h"`, `"250ms"`),
/// so that [`parse_duration`] gives back the same value.
pub fn format_duration(d: SimDuration) -> String {
    if d.0 == 0 {
        return "0s".into();
    }
    for &(unit, us) in DURATION_UNITS {
        if unit == "min" || unit == "µs" {
            continue;
        }
        if d.0 % us == 0 {
            return format!("{}{unit}", d.0 / us);
        }
    }
    unreachable!("every duration is a whole number of microseconds")
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(*self))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}", format_duration(SimDuration(self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_durations() {
        assert_eq!(parse_duration("90s").unwrap(), SimDuration::from_secs(90));
        assert_eq!(parse_duration("1.5h").unwrap(), SimDuration::from_secs(5400));
        assert_eq!(parse_duration("7d").unwrap(), SimDuration::from_secs(7 * 86400));
        assert_eq!(parse_duration("1h30m").unwrap(), SimDuration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), SimDuration(250_000));
        assert_eq!(parse_duration("3us").unwrap(), SimDuration(3));
        assert_eq!(parse_duration("2min").unwrap(), SimDuration::from_secs(120));
        assert_eq!(parse_duration("0s").unwrap(), SimDuration::ZERO);
    }

    #[test]
    fn rejects_bad_durations() {
        for bad in ["", "90", "s", "1.5x", "0.0000001s", "-3s", "1..2s", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn format_round_trips() {
        for us in [0u64, 1, 999, 1_000, 1_500_000, 90_000_000, 3_600_000_000, 86_400_000_000 * 7] {
            let d = SimDuration(us);
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d, "{}", format_duration(d));
        }
        assert_eq!(format_duration(SimDuration::from_secs(5400)), "90m");
    }

    #[test]
    fn negative_and_nan_samples_clamp_to_zero() {
        assert_eq!(SimDuration::from_secs_f64(-1.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(1.0000004), SimDuration(1_000_000));
    }
}
