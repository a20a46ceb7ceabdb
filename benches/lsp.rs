//! The language server over stdio, as an editor drives it: start-up, first diagnostics,
//! hover and completion latency, edits in a 1 MB note, and memory.

mod common;

#[path = "../tests/common/lsp.rs"]
mod lsp_client;

/// The built binary, for the shared test client.
fn dxpx() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_dxpx"))
}

use common::*;
use lsp_client::Client;
use serde_json::json;
use std::time::{Duration, Instant};

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// (line, UTF-16 column) of byte offsets, for the positions of requests.
fn position(text: &str, at: usize) -> serde_json::Value {
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": text[start..at].encode_utf16().count()})
}

struct Run {
    initialize: Duration,
    first_diagnostics_10k_from_spawn: Duration,
    open_10k: Duration,
    open_1m: Duration,
    hover: Vec<Duration>,
    completion: Vec<Duration>,
    edit: Vec<Duration>,
    edit_small: Vec<Duration>,
    peak: f64,
}

fn run(small: &str, large: &str) -> Run {
    let spawn = Instant::now();
    let mut c = Client::start(&["lsp"]);
    c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let initialize = spawn.elapsed();
    c.notify("initialized", json!({}));
    let initialized = Instant::now();
    let t = Instant::now();
    c.open("file:///bench/notes_10KB.txt", small);
    c.diagnostics("file:///bench/notes_10KB.txt", Some(1));
    let open_10k = t.elapsed();
    let first_diagnostics_10k_from_spawn = spawn.elapsed();
    let uri = "file:///bench/notes_1MB.txt";
    let t = Instant::now();
    c.open(uri, large);
    c.diagnostics(uri, Some(1));
    let open_1m = t.elapsed();

    // Requests at codes spread through the document.
    let scanner = dxpx::scan::Scanner::new(dxpx::codes::CodeSets::embedded());
    let mentions = scanner.scan(large);
    let step = (mentions.len() / 200).max(1);
    let targets: Vec<usize> = mentions
        .iter()
        .step_by(step)
        .take(200)
        .map(|m| m.start + 1)
        .collect();
    let mut hover = Vec::new();
    for &at in &targets {
        let t = Instant::now();
        c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(large, at)}),
        );
        hover.push(t.elapsed());
    }
    let mut completion = Vec::new();
    for m in mentions
        .iter()
        .filter(|m| m.system == dxpx::codes::System::Icd10Cm)
        .step_by(step)
        .take(200)
    {
        let t = Instant::now();
        c.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position(large, m.start + 4)}),
        );
        completion.push(t.elapsed());
    }
    // One character typed at a time in the middle, each to its diagnostics.
    let mut at = large.len() / 2;
    while !large.is_char_boundary(at) {
        at += 1;
    }
    let mut edit = Vec::new();
    let mut pos = position(large, at);
    for version in 2..52 {
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": pos, "end": pos}, "text": "x"}]}),
        );
        c.diagnostics(uri, Some(version));
        edit.push(t.elapsed());
        pos["character"] = json!(pos["character"].as_u64().unwrap() + 1);
    }
    // The 10 KB note once the documentation hints' automaton is built (in the background):
    // its hints arrive with a recheck; then edits there pay for the hints too.
    let small_uri = "file:///bench/notes_10KB.txt";
    wait_for_hints(&mut c, small_uri, initialized);
    let mut edit_small = Vec::new();
    let mut mid = small.len() / 2;
    while !small.is_char_boundary(mid) {
        mid += 1;
    }
    let mut pos = position(small, mid);
    for version in 2..102 {
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": small_uri, "version": version}, "contentChanges": [{"range": {"start": pos, "end": pos}, "text": "x"}]}),
        );
        c.diagnostics(small_uri, Some(version));
        edit_small.push(t.elapsed());
        pos["character"] = json!(pos["character"].as_u64().unwrap() + 1);
    }
    let peak = peak_rss_mib(c.pid());
    c.shutdown();
    Run {
        initialize,
        first_diagnostics_10k_from_spawn,
        open_10k,
        open_1m,
        hover,
        completion,
        edit,
        edit_small,
        peak,
    }
}

/// When the 10 KB note's documentation hints arrive, from `initialized`; `None` past 20 s.
fn wait_for_hints(c: &mut Client, uri: &str, initialized: Instant) -> Option<Duration> {
    while initialized.elapsed() < Duration::from_secs(20) {
        let diags = c.diagnostics(uri, None);
        if diags
            .iter()
            .any(|d| d["code"] == "dxpx/documented-not-coded")
        {
            return Some(initialized.elapsed());
        }
    }
    None
}

/// A fresh server with one 10 KB note open at once: how long its hints take.
fn first_hints(small: &str) -> Option<Duration> {
    let mut c = Client::start(&["lsp"]);
    c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    let initialized = Instant::now();
    let uri = "file:///bench/notes_10KB.txt";
    c.open(uri, small);
    let ready = wait_for_hints(&mut c, uri, initialized);
    c.shutdown();
    ready
}

fn rss_mib_of(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resident memory across 10,000 edits and 1,000 open/close cycles: it must stay flat.
fn memory_over_time(small: &str) {
    let mut c = Client::start(&["lsp"]);
    c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    let uri = "file:///bench/long-session.txt";
    c.open(uri, small);
    c.diagnostics(uri, Some(1));
    let start = rss_mib_of(c.pid());
    let pos = position(small, small.len() / 2);
    let mut samples = Vec::new();
    for version in 2..=10_001 {
        // Type and delete in turn, so the text stays the same size.
        let (range, text) = if version % 2 == 0 {
            (json!({"start": pos, "end": pos}), "9")
        } else {
            let mut end = pos.clone();
            end["character"] = json!(pos["character"].as_u64().unwrap() + 1);
            (json!({"start": pos, "end": end}), "")
        };
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": text}]}));
        if version % 2000 == 1 {
            c.diagnostics(uri, Some(version));
            samples.push(rss_mib_of(c.pid()));
        }
    }
    // The loop waited for version 10,001's diagnostics: every edit has been applied.
    let after_edits = rss_mib_of(c.pid());
    for i in 0..1000 {
        let u = format!("file:///bench/cycle{}.txt", i % 7);
        c.open(&u, small);
        c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    }
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    let _ = r;
    let after_cycles = rss_mib_of(c.pid());
    println!(
        "lsp: resident memory {start:.1} MiB after opening a 10 KB note; {} during 10,000 edits; {after_edits:.1} MiB after them; {after_cycles:.1} MiB after 1,000 open/close cycles",
        samples
            .iter()
            .map(|s| format!("{s:.1}"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    c.shutdown();
}

fn main() {
    let small = notes(10_000);
    let large = notes(1_000_000);
    let runs: Vec<Run> = (0..3).map(|_| run(&small, &large)).collect();
    let med = |f: &dyn Fn(&Run) -> Duration| median(runs.iter().map(f).collect());
    let pooled = |f: &dyn Fn(&Run) -> &Vec<Duration>| {
        let mut all: Vec<Duration> = runs.iter().flat_map(|r| f(r).iter().copied()).collect();
        (percentile(&mut all, 0.5), percentile(&mut all, 0.99))
    };
    println!(
        "lsp: spawn → initialize response {} (median of 3)",
        ms(med(&|r| r.initialize))
    );
    println!(
        "lsp: spawn → first diagnostics of a 10 KB note {}",
        ms(med(&|r| r.first_diagnostics_10k_from_spawn))
    );
    println!(
        "lsp: didOpen → first diagnostics: 10 KB {}, 1 MB {}",
        ms(med(&|r| r.open_10k)),
        ms(med(&|r| r.open_1m))
    );
    let (p50, p99) = pooled(&|r| &r.hover);
    println!("lsp: hover (1 MB note) p50 {} p99 {}", ms(p50), ms(p99));
    let (p50, p99) = pooled(&|r| &r.completion);
    println!(
        "lsp: completion (1 MB note) p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    let (p50, p99) = pooled(&|r| &r.edit);
    println!(
        "lsp: one-character edit in a 1 MB note → its diagnostics p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    match (0..3)
        .map(|_| first_hints(&small))
        .collect::<Option<Vec<_>>>()
    {
        Some(ready) => println!(
            "lsp: documentation hints of a 10 KB note opened at once published {} after `initialized` (median of 3 fresh servers)",
            ms(median(ready))
        ),
        None => println!("lsp: documentation hints: none published within 20 s"),
    }
    let (p50, p99) = pooled(&|r| &r.edit_small);
    println!(
        "lsp: one-character edit in a 10 KB note, documentation hints on → its diagnostics p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    let peak = runs.iter().map(|r| r.peak).fold(0.0, f64::max);
    println!("lsp: peak resident memory {peak:.1} MiB");
    memory_over_time(&small);
}
