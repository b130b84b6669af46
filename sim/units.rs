//! Human units at the edges: sizes (`"64GiB"`), CPUs (`1.5` or `"1.5"`), rates (`"2/s"`).
//!
//! Everything parses into integers: CPUs into millicores, sizes into bytes, so that resource
//! arithmetic inside the model is exact and the same on every machine. Each parser returns a short
//! description of what was expected, which the scenario layer wraps with the file and field.

use crate::time::{SimDuration, decimal_times, parse_duration};

/// Millicores per CPU: the resolution of CPU requests (as in Kubernetes and Mesos, 0.001 CPU).
pub const MILLI_PER_CPU: u64 = 1_000;

const SIZE_UNITS: &[(&str, u64)] = &[
    ("TiB", 1 << 40),
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("TB", 1_000_000_000_000),
    ("GB", 1_000_000_000),
    ("MB", 1_000_000),
    ("KB", 1_000),
    ("kB", 1_000),
    ("B", 1),
];

/// Parses a size with a unit: `"64GiB"`, `"1.5TiB"`, `"500MB"`, `"0B"`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let expected = || "a size with a unit, such as \"64GiB\", \"512MiB\" or \"2TB\"".to_string();
    let split = s.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(expected)?;
    let (num, unit) = s.split_at(split);
    let Some(&(_, scale)) = SIZE_UNITS.iter().find(|(u, _)| *u == unit.trim()) else {
        return Err(format!("a size unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB), not \"{}\"", unit.trim()));
    };
    decimal_times(num.trim(), scale).ok_or_else(|| {
        if num.trim().starts_with('-') { expected() } else { format!("a whole number of bytes; \"{s}\" is not") }
    })
}

/// Formats bytes in the largest binary unit that represents them exactly.
pub fn format_bytes(b: u64) -> String {
    for &(unit, scale) in &SIZE_UNITS[..4] {
        if b != 0 && b % scale == 0 {
            return format!("{}{unit}", b / scale);
        }
    }
    format!("{b}B")
}

/// Parses a CPU count written as a number or a numeric string (`2`, `1.5`, `"0.25"`) into
/// millicores. Finer than 0.001 CPU is rejected rather than rounded.
pub fn parse_cpus_text(text: &str) -> Result<u64, String> {
    decimal_times(text.trim(), MILLI_PER_CPU)
        .ok_or_else(|| format!("a CPU count in steps of 0.001, such as 2 or \"1.5\"; found \"{text}\""))
}

/// Formats millicores as a decimal CPU count string (`"1.5"`, `"16"`).
pub fn format_cpus(milli: u64) -> String {
    let (whole, frac) = (milli / MILLI_PER_CPU, milli % MILLI_PER_CPU);
    if frac == 0 { whole.to_string() } else { format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0')) }
}

/// Parses a rate: `"2/s"`, `"120/min"`, `"0.5/h"` or `"1/250ms"`, into events per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let expected = || format!("a rate such as \"2/s\", \"120/min\" or \"1/250ms\"; found \"{text}\"");
    let (num, per) = text.split_once('/').ok_or_else(expected)?;
    let count: f64 = num.trim().parse().map_err(|_| expected())?;
    let per = per.trim();
    // "2/s" means per one second: allow the count before the unit to be omitted.
    let per = if per.starts_with(|c: char| c.is_ascii_digit()) { per.to_string() } else { format!("1{per}") };
    let span: SimDuration = parse_duration(&per).map_err(|_| expected())?;
    if !(count.is_finite() && count > 0.0) || span.0 == 0 {
        return Err(format!("a positive rate; found \"{text}\""));
    }
    Ok(count / span.as_secs_f64())
}

/// Parses a network bandwidth into bytes per second: bits (`"10Gbps"`, `"100Mbps"`, `"1Tbps"`,
/// decimal prefixes as networks use them) or bytes (`"1.25GB/s"`, `"500MiB/s"`).
pub fn parse_bandwidth(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let expected = || format!("a bandwidth such as \"10Gbps\" or \"1.25GB/s\"; found \"{text}\"");
    let bytes_per_s = if let Some(size) = s.strip_suffix("/s") {
        parse_bytes(size).map_err(|_| expected())?
    } else {
        let (num, scale) =
            [("Tbps", 1_000_000_000_000u64), ("Gbps", 1_000_000_000), ("Mbps", 1_000_000), ("Kbps", 1_000), ("bps", 1)]
                .iter()
                .find_map(|(u, k)| s.strip_suffix(u).map(|n| (n, *k)))
                .ok_or_else(expected)?;
        let bits = decimal_times(num.trim(), scale).ok_or_else(expected)?;
        if bits % 8 != 0 {
            return Err(format!("a bandwidth that is a whole number of bytes per second; found \"{text}\""));
        }
        bits / 8
    };
    if bytes_per_s == 0 {
        return Err(format!("a bandwidth above zero; found \"{text}\""));
    }
    Ok(bytes_per_s)
}

/// Formats bytes per second as the shortest exact `Gbps`/`Mbps`/`Kbps`/`bps` or `B/s` text.
pub fn format_bandwidth(bytes_per_s: u64) -> String {
    let bits = bytes_per_s.saturating_mul(8);
    for (u, k) in [("Tbps", 1_000_000_000_000u64), ("Gbps", 1_000_000_000), ("Mbps", 1_000_000), ("Kbps", 1_000)] {
        if bits % k == 0 && bits >= k {
            return format!("{}{u}", bits / k);
        }
    }
    format!("{}/s", format_bytes(bytes_per_s))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bandwidths() {
        assert_eq!(parse_bandwidth("10Gbps").unwrap(), 1_250_000_000);
        assert_eq!(parse_bandwidth("1.25GB/s").unwrap(), 1_250_000_000);
        assert_eq!(parse_bandwidth("100MiB/s").unwrap(), 100 << 20);
        assert!(parse_bandwidth("0Gbps").is_err());
        assert!(parse_bandwidth("10 furlongs").is_err());
        for b in [1_250_000_000u64, 100 << 20, 12_500_000, 3] {
            assert_eq!(parse_bandwidth(&format_bandwidth(b)).unwrap(), b, "{}", format_bandwidth(b));
        }
    }

    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("64GiB").unwrap(), 64 << 30);
        assert_eq!(parse_bytes("1.5KiB").unwrap(), 1536);
        assert_eq!(parse_bytes("2TB").unwrap(), 2_000_000_000_000);
        assert_eq!(parse_bytes("0B").unwrap(), 0);
        for bad in ["64", "GiB", "-1GiB", "1.3B", "5XB", ""] {
            assert!(parse_bytes(bad).is_err(), "{bad:?}");
        }
        for b in [0, 1, 1536, 64 << 30, 3 << 40, 1_000_000] {
            assert_eq!(parse_bytes(&format_bytes(b)).unwrap(), b);
        }
    }

    #[test]
    fn cpus() {
        assert_eq!(parse_cpus_text("1.5").unwrap(), 1500);
        assert_eq!(parse_cpus_text("16").unwrap(), 16000);
        assert!(parse_cpus_text("0.0001").is_err());
        assert!(parse_cpus_text("-1").is_err());
        assert_eq!(format_cpus(1500), "1.5");
        assert_eq!(format_cpus(16000), "16");
        assert_eq!(format_cpus(250), "0.25");
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("2/s").unwrap(), 2.0);
        assert_eq!(parse_rate("120/min").unwrap(), 2.0);
        assert_eq!(parse_rate("1/250ms").unwrap(), 4.0);
        for bad in ["2", "0/s", "-1/s", "x/s", "2/parsec"] {
            assert!(parse_rate(bad).is_err(), "{bad:?}");
        }
    }
}
