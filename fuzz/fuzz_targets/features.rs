//! Any document of any kind, and any position in it, through every editor feature as the
//! server runs it: diagnostics, hover, completion (the line before the cursor), resolve,
//! highlights, code actions, inlay hints, semantic tokens and symbols. No panic.
//!
//! Input: one byte for the kind and encoding, four for the position, then the text.
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::lsp::Probe;
use dxpx::scan::Scanner;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, Mutex, OnceLock};

static PROBE: OnceLock<Mutex<Probe>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let Ok(text) = std::str::from_utf8(&data[5..]) else { return };
    let probe = PROBE.get_or_init(|| {
        let sets = CodeSets::embedded();
        Mutex::new(Probe::new(Arc::new(Scanner::new(sets)), None))
    });
    let mut probe = probe.lock().unwrap_or_else(|p| p.into_inner());
    let (name, language) = Probe::KINDS[data[0] as usize % Probe::KINDS.len()];
    probe.utf8(data[0] & 0x80 != 0);
    probe.open(name, language, text.to_string());
    let line = u16::from_le_bytes([data[1], data[2]]) as u32 % 64;
    let character = u16::from_le_bytes([data[3], data[4]]) as u32;
    probe.everything_at(line, character);
    // The end of that line, where completion usually runs.
    probe.everything_at(line, u32::MAX);
});
