//! Integration tests: one test crate (links once), one module per concern. They drive the public
//! library API or the real `dcsim` binary.

mod architectures;
mod bad_input;
mod common;
mod decision;
mod determinism;
mod failures;
mod google;
mod layouts;
mod machines;
mod planning;
mod queueing;
mod scaling;
mod scenarios;
mod sweeps;
