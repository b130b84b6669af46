//! Probability distributions for delays, durations and counts.
//!
//! A `Dist` is validated (every parameter finite and in range) and holds its values in base units:
//! seconds for time-valued distributions, plain numbers for counts. `lognormal` is parameterised by
//! the mean and standard deviation of the value itself (what a planner measures), converted to the
//! underlying normal's mu and sigma here. `pareto` takes `scale` (the minimum value) and `shape`
//! (alpha); `weibull` takes `scale` (lambda) and `shape` (k). Samples of time-valued distributions
//! that come out negative (a `normal` far in its tail) are clamped to zero by the caller, since a
//! delay cannot run time backwards; this is stated in docs/scenario.md.

use crate::rng::Stream;
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto, Weibull};
use std::sync::Arc;

/// What the values of a distribution measure; decides how the resolved scenario prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistUnit {
    /// Seconds, printed as human durations.
    Seconds,
    /// Dimensionless counts.
    Count,
}

/// A validated distribution; see the module comment for parameter conventions.
#[derive(Clone, Debug)]
pub struct Dist {
    pub unit: DistUnit,
    pub shape: DistShape,
    sampler: Sampler,
}

impl PartialEq for Dist {
    fn eq(&self, other: &Self) -> bool {
        self.unit == other.unit && self.shape == other.shape
    }
}

/// The distribution family and its parameters, in base units.
#[derive(Clone, Debug, PartialEq)]
pub enum DistShape {
    Constant {
        value: f64,
    },
    Uniform {
        low: f64,
        high: f64,
    },
    Exponential {
        mean: f64,
    },
    Normal {
        mean: f64,
        stddev: f64,
    },
    LogNormal {
        mean: f64,
        stddev: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    Pareto {
        shape: f64,
        scale: f64,
    },
    /// Draws one of `values` uniformly at random (the empirical distribution of a sample).
    Empirical {
        values: Arc<[f64]>,
    },
}

#[derive(Clone, Debug)]
enum Sampler {
    Constant(f64),
    Uniform(f64, f64),
    Exp(Exp<f64>),
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Weibull(Weibull<f64>),
    Pareto(Pareto<f64>),
    Empirical(Arc<[f64]>),
}

impl Dist {
    /// Validates the parameters and builds the sampler. The error says what is wrong in terms of
    /// the parameters as a person wrote them.
    pub fn new(unit: DistUnit, shape: DistShape) -> Result<Dist, String> {
        let finite = |name: &str, v: f64| -> Result<(), String> {
            if v.is_finite() { Ok(()) } else { Err(format!("{name} must be a finite number")) }
        };
        let positive = |name: &str, v: f64| -> Result<(), String> {
            if v.is_finite() && v > 0.0 { Ok(()) } else { Err(format!("{name} must be greater than zero, found {v}")) }
        };
        let non_negative = |name: &str, v: f64| -> Result<(), String> {
            if v.is_finite() && v >= 0.0 { Ok(()) } else { Err(format!("{name} must be zero or more, found {v}")) }
        };
        let sampler = match &shape {
            DistShape::Constant { value } => {
                non_negative("value", *value)?;
                Sampler::Constant(*value)
            }
            DistShape::Uniform { low, high } => {
                non_negative("low", *low)?;
                finite("high", *high)?;
                if high < low {
                    return Err(format!("high ({high}) must not be below low ({low})"));
                }
                Sampler::Uniform(*low, *high)
            }
            DistShape::Exponential { mean } => {
                positive("mean", *mean)?;
                Sampler::Exp(Exp::new(1.0 / mean).map_err(|e| e.to_string())?)
            }
            DistShape::Normal { mean, stddev } => {
                finite("mean", *mean)?;
                non_negative("stddev", *stddev)?;
                Sampler::Normal(Normal::new(*mean, *stddev).map_err(|e| e.to_string())?)
            }
            DistShape::LogNormal { mean, stddev } => {
                positive("mean", *mean)?;
                non_negative("stddev", *stddev)?;
                // For X = exp(N(mu, sigma^2)): E[X] = exp(mu + sigma^2/2), Var[X] = (e^{sigma^2}-1) E[X]^2.
                let sigma2 = (1.0 + (stddev / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                Sampler::LogNormal(LogNormal::new(mu, sigma2.sqrt()).map_err(|e| e.to_string())?)
            }
            DistShape::Weibull { shape: k, scale } => {
                positive("shape", *k)?;
                positive("scale", *scale)?;
                Sampler::Weibull(Weibull::new(*scale, *k).map_err(|e| e.to_string())?)
            }
            DistShape::Pareto { shape: a, scale } => {
                positive("shape", *a)?;
                positive("scale", *scale)?;
                Sampler::Pareto(Pareto::new(*scale, *a).map_err(|e| e.to_string())?)
            }
            DistShape::Empirical { values } => {
                if values.is_empty() {
                    return Err("an empirical distribution needs at least one value".into());
                }
                if let Some(v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                    return Err(format!("empirical values must be finite and zero or more, found {v}"));
                }
                Sampler::Empirical(values.clone())
            }
        };
        Ok(Dist { unit, shape, sampler })
    }

    pub fn constant(unit: DistUnit, value: f64) -> Dist {
        Dist::new(unit, DistShape::Constant { value }).expect("constant distribution with a valid value")
    }

    /// One draw from `rng`. Allocation-free.
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match &self.sampler {
            Sampler::Constant(v) => *v,
            Sampler::Uniform(lo, hi) => lo + (hi - lo) * rng.random::<f64>(),
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Normal(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Pareto(d) => d.sample(rng),
            Sampler::Empirical(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// The distribution's mean, where it exists (Pareto with shape <= 1 has none).
    pub fn mean(&self) -> Option<f64> {
        Some(match &self.shape {
            DistShape::Constant { value } => *value,
            DistShape::Uniform { low, high } => (low + high) / 2.0,
            DistShape::Exponential { mean } | DistShape::Normal { mean, .. } | DistShape::LogNormal { mean, .. } => {
                *mean
            }
            DistShape::Weibull { shape, scale } => scale * gamma(1.0 + 1.0 / shape),
            DistShape::Pareto { shape, scale } => {
                if *shape <= 1.0 {
                    return None;
                }
                shape * scale / (shape - 1.0)
            }
            DistShape::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        })
    }
}

/// Lanczos approximation of the gamma function (g = 7, n = 9), accurate to about 1e-15 for the
/// arguments used here (1 < x < 100); only used for reporting Weibull means.
fn gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn sample_mean(d: &Dist, n: usize) -> f64 {
        let mut rng = stream(1, "dist-test");
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    /// Each family's sample mean lies within 5 standard errors of its analytic mean (n = 200,000;
    /// the standard error is estimated from the analytic variance, so the check fails for a wrong
    /// parameterisation, e.g. lognormal given mu/sigma instead of mean/stddev).
    #[test]
    fn sample_means_match_analytic_means() {
        let n = 200_000;
        let cases = [
            (DistShape::Uniform { low: 2.0, high: 4.0 }, 2.0 / 12.0f64.sqrt()),
            (DistShape::Exponential { mean: 3.0 }, 3.0),
            (DistShape::Normal { mean: 10.0, stddev: 2.0 }, 2.0),
            (DistShape::LogNormal { mean: 5.0, stddev: 2.0 }, 2.0),
            (DistShape::Weibull { shape: 2.0, scale: 1.0 }, (1.0f64 - std::f64::consts::PI / 4.0).sqrt()),
            (DistShape::Pareto { shape: 5.0, scale: 1.0 }, (5.0f64 / (16.0 * 3.0)).sqrt()),
        ];
        for (shape, sd) in cases {
            let d = Dist::new(DistUnit::Count, shape.clone()).unwrap();
            let mean = d.mean().unwrap();
            let got = sample_mean(&d, n);
            let se = sd / (n as f64).sqrt();
            assert!(
                (got - mean).abs() < 5.0 * se,
                "{shape:?}: sample mean {got}, analytic {mean}, 5 se = {}",
                5.0 * se
            );
        }
    }

    #[test]
    fn gamma_reference_values() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-10);
        assert!((gamma(1.5) - std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Dist::new(DistUnit::Seconds, DistShape::Exponential { mean: 0.0 }).is_err());
        assert!(Dist::new(DistUnit::Seconds, DistShape::Uniform { low: 3.0, high: 1.0 }).is_err());
        assert!(Dist::new(DistUnit::Seconds, DistShape::Pareto { shape: -1.0, scale: 1.0 }).is_err());
        assert!(Dist::new(DistUnit::Count, DistShape::Empirical { values: Arc::from(vec![]) }).is_err());
        assert!(Dist::new(DistUnit::Count, DistShape::Constant { value: f64::NAN }).is_err());
    }
}
