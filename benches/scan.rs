//! The scanner: build time and memory, and throughput on 1 MB and 100 MB of notes.

mod common;

use common::*;
use dxpx::codes::CodeSets;
use dxpx::scan::{Edit, ScanState, Scanner};
use std::time::Duration;

fn main() {
    let sets = CodeSets::embedded();
    let (rss0, _) = rss_mib();
    let (scanner, build) = time(|| Scanner::new(sets.clone()));
    let (rss1, _) = rss_mib();
    println!(
        "scanner: built in {} (+{:.2} MiB resident; the code tables are shared with lookup)",
        ms(build),
        rss1 - rss0
    );

    for size in [1_000_000usize, 100_000_000] {
        let text = notes(size);
        let runs = if size > 10_000_000 { 3 } else { 10 };
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..runs {
            let (m, t) = time(|| scanner.scan(&text));
            count = m.len();
            times.push(t);
        }
        let t = median(times);
        println!(
            "scan: {:.0} MB in {} → {:.0} MB/s, {count} mentions (median of {runs})",
            size as f64 / 1e6,
            ms(t),
            size as f64 / 1e6 / t.as_secs_f64()
        );
    }

    // The rules over a 1 MB note, from its mentions.
    let text = notes(1_000_000);
    let mentions = scanner.scan(&text);
    let config = dxpx::config::Config::default();
    let mut rules = Vec::new();
    let mut findings = 0;
    for _ in 0..10 {
        let ((_, f), t) = time(|| dxpx::analysis::check(&sets, &config, &text, &mentions, None));
        findings = f.len();
        rules.push(t);
    }
    println!(
        "rules: every rule over a 1 MB note ({} mentions, {findings} findings) median {}",
        mentions.len(),
        ms(median(rules))
    );

    // One-character edits in the middle of a 1 MB note, rescanning only what changed.
    let mut text = notes(1_000_000);
    let mut state = ScanState::new(&scanner, &text);
    let mut edits: Vec<Duration> = Vec::new();
    let mut at = text.len() / 2;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    for i in 0..200 {
        let ch = if i % 2 == 0 { "9" } else { "x" };
        text.insert_str(at, ch);
        let (_, t) = time(|| {
            state.apply(
                &scanner,
                &text,
                Edit {
                    old_start: at,
                    old_end: at,
                    new_len: 1,
                },
            )
        });
        edits.push(t);
        at += 1;
    }
    assert_eq!(
        state.mentions,
        scanner.scan(&text),
        "incremental scan equals a full one"
    );
    println!(
        "scan: one-character edit in 1 MB, incremental rescan p50 {} p99 {}",
        us(percentile(&mut edits, 0.5)),
        us(percentile(&mut edits, 0.99))
    );
    let (rss, peak) = rss_mib();
    println!("process: resident {rss:.1} MiB, peak {peak:.1} MiB");
    end_to_end_against_ripgrep();
}

/// `dxpx scan --count` against `rg -F -c -f` over the same 100 MB and the literal codes
/// (dotted and undotted ICD-10-CM, 10,000 five-digit numbers): process start to answer.
fn end_to_end_against_ripgrep() {
    let notes = corpus_dir().join("notes_100MB.txt");
    let patterns = corpus_dir().join("patterns.txt");
    if !notes.exists() || !patterns.exists() {
        println!(
            "end to end: skipped (run benches/corpus.sh to generate the 100 MB corpus and its patterns)"
        );
        return;
    }
    let rg = std::env::var_os("RG")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "rg".into());
    let run = |cmd: &mut std::process::Command| {
        let t = std::time::Instant::now();
        let out = cmd.output();
        (out.is_ok_and(|o| o.status.success()), t.elapsed())
    };
    let mut dxpx_times = Vec::new();
    let mut rg_times = Vec::new();
    for _ in 0..3 {
        let (ok, t) = run(std::process::Command::new(env!("CARGO_BIN_EXE_dxpx"))
            .args(["scan", "--count"])
            .arg(&notes));
        assert!(ok, "dxpx scan runs");
        dxpx_times.push(t);
        let (ok, t) = run(std::process::Command::new(&rg)
            .args(["-F", "-c", "-f"])
            .arg(&patterns)
            .arg(&notes));
        if ok {
            rg_times.push(t);
        }
    }
    let d = median(dxpx_times);
    println!(
        "end to end: dxpx scan --count, 100 MB: {} → {:.0} MB/s",
        ms(d),
        100.0 / d.as_secs_f64()
    );
    if rg_times.is_empty() {
        println!(
            "end to end: ripgrep not found (install ripgrep 15 with `cargo install ripgrep`, or set RG=path)"
        );
    } else {
        let r = median(rg_times);
        println!(
            "end to end: rg -F -c -f (same notes, same literal codes): {} → {:.0} MB/s",
            ms(r),
            100.0 / r.as_secs_f64()
        );
    }
}
