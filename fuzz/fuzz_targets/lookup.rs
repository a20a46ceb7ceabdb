//! Any text as a code through every lookup: each system, any system, the hover and
//! `dxpx/lookup` renderings, and `dxpx lookup`'s text and JSON.
#![no_main]

use dxpx::codes::{CodeSets, System};
use dxpx::lsp::Probe;
use dxpx::scan::Scanner;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

static PROBE: OnceLock<Probe> = OnceLock::new();

const SYSTEMS: [System; 5] = [
    System::Icd10Cm,
    System::Icd10Pcs,
    System::Icd9Cm,
    System::Cpt,
    System::Hcpcs,
];

fuzz_target!(|data: &[u8]| {
    let probe = PROBE.get_or_init(|| {
        let sets = CodeSets::embedded();
        Probe::new(Arc::new(Scanner::new(sets)), None)
    });
    let Ok(code) = std::str::from_utf8(data) else { return };
    let sets = CodeSets::embedded();
    for system in SYSTEMS {
        if let Some(e) = sets.lookup(code, system) {
            assert_eq!(e.system(), system);
            for style in [dxpx::ide::Style::Markdown, dxpx::ide::Style::Plain] {
                let _ = dxpx::ide::explain(&e, style, &[]);
            }
            let _ = dxpx::cli::entry_json(code, &e);
        }
    }
    for e in sets.lookup_any(code) {
        assert!(!e.code.is_empty());
    }
    let _ = sets.icd10cm().shallowest(code, 60);
    for system in SYSTEMS {
        let _ = sets.prefix(system, code, 20);
    }
    let _ = probe.lookup(code);
});
