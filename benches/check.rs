//! `dxpx check` over folders, as teams run it in CI: documents per second and MB/s, on
//! both cores, over the 300 MTSamples notes and over 100 MB of generated notes in 1,000 files.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn folder_bytes(dir: &Path) -> (usize, u64) {
    let mut n = 0;
    let mut bytes = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_file() {
            n += 1;
            bytes += e.metadata().unwrap().len();
        }
    }
    (n, bytes)
}

fn run(label: &str, dir: &Path) {
    let (files, bytes) = folder_bytes(dir);
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..3 {
        let (out, t) = time(|| {
            std::process::Command::new(env!("CARGO_BIN_EXE_dxpx"))
                .args(["check", "--format", "json", "--fail-on", "never"])
                .arg(dir)
                .output()
                .unwrap()
        });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        times.push(t);
    }
    let t = median(times);
    println!(
        "check: {label}: {files} files, {:.1} MB in {} → {:.0} documents/s, {:.1} MB/s (median of 3)",
        bytes as f64 / 1e6,
        ms(t),
        files as f64 / t.as_secs_f64(),
        bytes as f64 / 1e6 / t.as_secs_f64()
    );
}

fn main() {
    let shared = std::env::var_os("DXPX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let mtsamples = shared.join("corpus/mtsamples/dev_subset_300/notes");
    if mtsamples.is_dir() {
        run("300 MTSamples notes", &mtsamples);
    } else {
        println!(
            "check: skipped the MTSamples notes ({} is absent)",
            mtsamples.display()
        );
    }
    let big = corpus_dir().join("notes_100MB.txt");
    if !big.exists() {
        println!("check: skipped the 100 MB corpus (run benches/corpus.sh)");
        return;
    }
    let dir = corpus_dir().join("check-100MB");
    if !dir.join("notes_0999.txt").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let text = std::fs::read_to_string(&big).unwrap();
        let mut start = 0;
        for i in 0..1000 {
            let mut end = if i == 999 {
                text.len()
            } else {
                (text.len() * (i + 1)) / 1000
            };
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let end = text[end..]
                .find('\n')
                .map_or(text.len(), |k| end + k + 1)
                .min(text.len());
            std::fs::write(
                dir.join(format!("notes_{i:04}.txt")),
                &text[start..end.max(start)],
            )
            .unwrap();
            start = end.max(start);
        }
    }
    run("100 MB of generated notes", &dir);
}
