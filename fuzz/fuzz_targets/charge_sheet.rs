//! Any text read as a charge sheet: no panic, every code and finding on character
//! boundaries, every scope naming mentions that exist.
#![no_main]

use dxpx::codes::CodeSets;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let sets = CodeSets::embedded();
    let parsed = dxpx::formats::csv::parse(&sets, text);
    for m in &parsed.mentions {
        assert!(m.start < m.end && m.end <= text.len());
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        for md in &m.modifiers {
            assert!(text.is_char_boundary(md.start) && text.is_char_boundary(md.end));
        }
    }
    for s in &parsed.scopes {
        assert!(s.mentions.iter().all(|&i| i < parsed.mentions.len()));
    }
    for p in &parsed.problems {
        assert!(p.end <= text.len() && text.is_char_boundary(p.start) && text.is_char_boundary(p.end));
    }
});
