//! Any document of any kind, edited by a sequence of replacements as `didChange` applies
//! them: no panic, and the diagnostics equal those of opening the final text afresh.
//!
//! Input: one byte for the kind, then the text, then after a NUL byte the edits, each
//! four bytes (start, length, and an index into short insertions).
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::lsp::Probe;
use dxpx::scan::Scanner;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, Mutex, OnceLock};

static PROBES: OnceLock<Mutex<(Probe, Probe)>> = OnceLock::new();

const INSERTS: [&str; 16] = [
    "", "1", "A", ".", ",", " ", "\n", "\r\n", "é", "🦴", "|", "*", "~", "\"", "E11.9", "DOS: 03/02/2026\n",
];

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let Ok(text) = std::str::from_utf8(&rest[..split]) else { return };
    let edits = rest.get(split + 1..).unwrap_or(&[]);
    let probes = PROBES.get_or_init(|| {
        let sets = CodeSets::embedded();
        let scanner = Arc::new(Scanner::new(sets));
        Mutex::new((Probe::new(scanner.clone(), None), Probe::new(scanner, None)))
    });
    let mut probes = probes.lock().unwrap_or_else(|p| p.into_inner());
    let (edited, fresh) = &mut *probes;
    let (name, language) = Probe::KINDS[kind as usize % Probe::KINDS.len()];
    edited.open(name, language, text.to_string());
    for e in edits.chunks_exact(4).take(32) {
        let len = edited.text().len().max(1);
        let start = u16::from_le_bytes([e[0], e[1]]) as usize % (len + 1);
        let end = start + e[2] as usize % 8;
        edited.edit(start, end, INSERTS[e[3] as usize % INSERTS.len()]);
    }
    let final_text = edited.text().to_string();
    fresh.open(name, language, final_text);
    assert_eq!(edited.diagnostics(), fresh.diagnostics());
});
