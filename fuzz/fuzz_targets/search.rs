//! Any query through word search and workspace symbols (what `dxpx search`, completion by
//! words and `workspace/symbol` run): no panic, at most the limit, every hit a code.
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::lsp::Probe;
use dxpx::scan::Scanner;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

static PROBE: OnceLock<Probe> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let probe = PROBE.get_or_init(|| {
        let sets = CodeSets::embedded();
        sets.search_index();
        Probe::new(Arc::new(Scanner::new(sets)), None)
    });
    let Ok(query) = std::str::from_utf8(data) else { return };
    let sets = CodeSets::embedded();
    let limit = data.first().map_or(1, |b| *b as usize % 60 + 1);
    let hits = sets.search(query, limit);
    assert!(hits.len() <= limit);
    for h in &hits {
        assert!(!h.code.is_empty() && h.score.is_finite());
    }
    probe.workspace_symbols(query);
});
