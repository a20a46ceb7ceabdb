//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the checkout (or `$DXPX_SHARED`): the official sources and the
/// third-party corpus. A fresh clone does not have it; tests that need it say so and skip.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("DXPX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("corpus").is_dir() && dir.join("sources").is_dir() {
        Some(dir)
    } else {
        if std::env::var_os("CI").is_some() {
            panic!("CI must have ../shared beside the checkout (or DXPX_SHARED set)");
        }
        let reason = format!(
            "{} is absent (the corpus and official sources live there)",
            dir.display()
        );
        eprintln!("skipped: {reason}");
        skipped(&reason);
        None
    }
}

/// Where the tests that skipped say so, a line each, for `.ci/run` to print at the end: the
/// test harness shows a skipped test's own output only under `--nocapture`.
pub const SKIPPED: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/skipped-tests.txt");

/// Records that the running test skipped, and why.
pub fn skipped(reason: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(SKIPPED);
    if let Ok(mut f) = file {
        let _ = writeln!(f, "{test}: {reason}");
    }
}

/// The built binary.
pub fn dxpx() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dxpx"))
}

/// Reads an `.xz` file from the official sources.
pub fn read_xz(path: &std::path::Path) -> String {
    use std::io::Read;
    let raw = std::fs::read(path).unwrap();
    let mut out = String::new();
    liblzma::read::XzDecoder::new(&raw[..])
        .read_to_string(&mut out)
        .unwrap();
    out
}
pub mod lsp;

/// Runs `dxpx <command> --json PATHS…`, which must succeed, and parses its JSON lines.
pub fn json_lines<P: AsRef<std::ffi::OsStr>>(command: &str, paths: &[P]) -> Vec<serde_json::Value> {
    let mut args: Vec<&std::ffi::OsStr> = vec![command.as_ref(), "--json".as_ref()];
    args.extend(paths.iter().map(AsRef::as_ref));
    run_json_lines(&args)
}

/// Runs `dxpx ARGS…`, which must succeed, and parses its JSON lines, less `dxpx check`'s
/// lines of kind "visit" (each encounter's numbers; [`run_json_visits`] reads those).
pub fn run_json_lines<A: AsRef<std::ffi::OsStr>>(args: &[A]) -> Vec<serde_json::Value> {
    run_json_all(args)
        .into_iter()
        .filter(|v| v["kind"] != "visit")
        .collect()
}

/// `dxpx check --format json --fail-on never` on a file of the checkout.
pub fn check_json_args(relative: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    ["check", "--format", "json", "--fail-on", "never"]
        .iter()
        .map(|a| a.to_string())
        .chain([path.to_string_lossy().to_string()])
        .collect()
}

/// The lines of kind "visit" of `dxpx check --format json ARGS…`.
pub fn run_json_visits<A: AsRef<std::ffi::OsStr>>(args: &[A]) -> Vec<serde_json::Value> {
    run_json_all(args)
        .into_iter()
        .filter(|v| v["kind"] == "visit")
        .collect()
}

fn run_json_all<A: AsRef<std::ffi::OsStr>>(args: &[A]) -> Vec<serde_json::Value> {
    let out = std::process::Command::new(dxpx())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dxpx {:?}: {}",
        args.iter().map(AsRef::as_ref).collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
