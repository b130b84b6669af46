//! Shared helpers: paths, scratch directories, running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(name: &str) -> PathBuf {
    root().join("scenarios").join(format!("{name}.toml"))
}

/// A fresh, empty scratch directory under the target dir, unique per call.
pub fn scratch(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the `dcsim` binary with `args` in `cwd`.
pub fn dcsim(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dcsim")).current_dir(cwd).args(args).output().expect("run dcsim")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scenario from TOML text (relative paths against the current directory); panics with the
/// validation message on bad input, since tests write valid scenarios unless they say otherwise.
pub fn scenario_text(text: &str) -> dcsim::Scenario {
    dcsim::Scenario::from_toml_str(text, "test.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario and returns its summary.
pub fn summary_of(sc: &dcsim::Scenario) -> dcsim::Summary {
    dcsim::simulate(sc, &mut |_| {}).unwrap().summary
}
