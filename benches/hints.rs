//! Documentation hints: building the phrase automaton (time, memory) and reading notes with
//! it (`dxpx suggest` end to end over the 300 MTSamples notes, and the core per note).

mod common;

use common::*;
use dxpx::codes::CodeSets;
use dxpx::hints::{self, Vocabulary};
use dxpx::scan::Scanner;
use std::path::PathBuf;
use std::time::Duration;

fn main() {
    let sets = CodeSets::embedded();
    let scanner = Scanner::new(sets.clone());
    let (rss0, _) = rss_mib();
    let (vocab, first) = time(|| Vocabulary::build(&sets));
    let (rss1, _) = rss_mib();
    let builds: Vec<Duration> = (0..3)
        .map(|_| time(|| Vocabulary::build(&sets)).1)
        .collect();
    println!(
        "hints: phrase trie of {} phrases built in {} (first; median of 3 {}), +{:.1} MiB resident, {:.1} MiB heap",
        vocab.len(),
        ms(first),
        ms(median(builds)),
        rss1 - rss0,
        vocab.heap_bytes() as f64 / 1048576.0
    );

    let (loaded, load) = time(|| Vocabulary::embedded().expect("data/vocabulary.idx.zst"));
    println!(
        "hints: the prebuilt phrase index loaded in {} ({:.1} MiB heap)",
        ms(load),
        loaded.heap_bytes() as f64 / 1048576.0
    );

    let shared = std::env::var_os("DXPX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = shared.join("corpus/mtsamples/dev_subset_300/notes");
    if !dir.is_dir() {
        println!(
            "hints: skipped the MTSamples notes ({} is absent)",
            dir.display()
        );
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    // The notes are scanned once; hints are timed alone. The first pass works out each
    // phrase's codes as it meets them (the memo starts empty, as in a fresh server); later
    // passes read them from the memo. A single pass swings by a third on a shared machine,
    // so the warm figure is the median of five.
    let inputs: Vec<_> = texts
        .iter()
        .map(|text| {
            let mentions = scanner.scan(text);
            let scopes = dxpx::rules::scope::encounters(text, &mentions);
            (text, mentions, scopes)
        })
        .collect();
    let pass = |per_note: &mut Vec<Duration>| {
        let mut found = 0;
        for (text, mentions, scopes) in &inputs {
            let (cs, t) = time(|| hints::conditions(&vocab, &sets, text, mentions, scopes));
            found += cs.len();
            per_note.push(t);
        }
        found
    };
    let mut per_note = Vec::new();
    let found = pass(&mut per_note);
    let first: Duration = per_note.iter().sum();
    let mut warm_notes = Vec::new();
    let warm = median(
        (0..5)
            .map(|_| {
                let start = warm_notes.len();
                pass(&mut warm_notes);
                warm_notes[start..].iter().sum()
            })
            .collect(),
    );
    println!(
        "hints: core over {} notes ({:.2} MB): {found} conditions; first pass {} → {:.0} notes/s, per note p50 {} p99 {}; warm (median of 5) {} → {:.0} notes/s, {:.1} MB/s, per note p50 {} p99 {}",
        texts.len(),
        bytes as f64 / 1e6,
        ms(first),
        texts.len() as f64 / first.as_secs_f64(),
        ms(percentile(&mut per_note, 0.5)),
        ms(percentile(&mut per_note, 0.99)),
        ms(warm),
        texts.len() as f64 / warm.as_secs_f64(),
        bytes as f64 / 1e6 / warm.as_secs_f64(),
        ms(percentile(&mut warm_notes, 0.5)),
        ms(percentile(&mut warm_notes, 0.99))
    );
    let runs: Vec<Duration> = (0..3)
        .map(|_| {
            let (out, t) = time(|| {
                std::process::Command::new(env!("CARGO_BIN_EXE_dxpx"))
                    .args(["suggest", "--json"])
                    .args(&files)
                    .output()
                    .unwrap()
            });
            assert!(out.status.success());
            t
        })
        .collect();
    let t = median(runs);
    println!(
        "hints: `dxpx suggest --json` over the {} notes, automaton build included: {} → {:.0} notes/s, {:.1} MB/s (median of 3)",
        files.len(),
        ms(t),
        files.len() as f64 / t.as_secs_f64(),
        bytes as f64 / 1e6 / t.as_secs_f64()
    );
}
