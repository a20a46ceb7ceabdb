//! Any text read as an X12 claim, a FHIR resource and an HL7 message: no panic, every code,
//! link and problem inside the text on character boundaries.
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::formats::Parsed;
use libfuzzer_sys::fuzz_target;

fn check(text: &str, parsed: &Parsed) {
    for m in &parsed.mentions {
        assert!(m.start <= m.end && m.end <= text.len());
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
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let sets = CodeSets::embedded();
    check(text, &dxpx::formats::x12::parse(&sets, text));
    check(text, &dxpx::formats::fhir::parse(&sets, text));
    check(text, &dxpx::formats::hl7::parse(&sets, text));
});
