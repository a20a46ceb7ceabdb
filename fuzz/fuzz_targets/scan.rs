//! Any text: the scanner and the rules never panic, every range falls on character
//! boundaries inside the text, and an edit rescanned incrementally equals a fresh scan.
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::scan::{Edit, ScanState, Scanner};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static SCANNER: OnceLock<Scanner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scanner = SCANNER.get_or_init(|| Scanner::new(CodeSets::embedded()));
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mentions = scanner.scan(text);
    for m in &mentions {
        assert!(m.start < m.end && m.end <= text.len());
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        for md in &m.modifiers {
            assert!(text.is_char_boundary(md.start) && text.is_char_boundary(md.end));
        }
    }
    let config = dxpx::config::Config::default();
    let (_, findings) = dxpx::analysis::check(scanner.sets(), &config, text, &mentions, None);
    for f in &findings {
        assert!(f.start <= f.end && f.end <= text.len() && text.is_char_boundary(f.start));
    }
    // Delete the middle third and compare the incremental result with a fresh scan.
    let (mut a, mut b) = (text.len() / 3, 2 * text.len() / 3);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    let mut state = ScanState { mentions };
    let mut edited = text.to_string();
    edited.replace_range(a..b, "");
    state.apply(scanner, &edited, Edit { old_start: a, old_end: b, new_len: 0 });
    assert_eq!(state.mentions, scanner.scan(&edited));
});
