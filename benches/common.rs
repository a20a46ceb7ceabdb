//! Shared by the benchmarks: timing, memory, and the generated note corpus.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Resident and peak resident memory of this process, in MiB (Linux).
pub fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

pub fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

pub fn us(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

/// `target/bench-corpus`, where `benches/corpus.sh` writes generated notes.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus")
}

/// Generated notes of `size` bytes: from `benches/corpus.sh` when it has run (the shared
/// generator, for numbers comparable with the peers'), else built here from the examples.
pub fn notes(size: usize) -> String {
    let name = match size {
        1_000_000 => "notes_1MB.txt",
        100_000_000 => "notes_100MB.txt",
        10_000 => "notes_10KB.txt",
        _ => "",
    };
    if let Ok(text) = std::fs::read_to_string(corpus_dir().join(name)) {
        return text;
    }
    eprintln!(
        "(no {name} in target/bench-corpus: run benches/corpus.sh for the shared generator's notes; using the examples repeated)"
    );
    let mut seed = String::new();
    for entry in std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples"))
        .unwrap()
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "note") {
            seed.push_str(&std::fs::read_to_string(entry.path()).unwrap());
            seed.push_str("\nVitals: T 36.8C, BP 128/82, pulse 72, glucose 112 mg/dL. MRI L4-L5. Vitamin B12 normal.\n\n");
        }
    }
    let mut text = String::with_capacity(size + seed.len());
    while text.len() < size {
        text.push_str(&seed);
    }
    let mut cut = size;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text
}
