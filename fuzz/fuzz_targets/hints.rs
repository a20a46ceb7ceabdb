//! Any text through the documentation hints: no panic, every condition's range falls on
//! character boundaries inside the text, every condition has candidates, and every hint's
//! fix inserts at a boundary.
#![no_main]

use dxpx::codes::CodeSets;
use dxpx::hints::{self, Vocabulary};
use dxpx::scan::Scanner;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static READY: OnceLock<(Scanner, Vocabulary)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (scanner, vocab) = READY.get_or_init(|| {
        let sets = CodeSets::embedded();
        (Scanner::new(sets.clone()), Vocabulary::for_sets(&sets))
    });
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mentions = scanner.scan(text);
    let scopes = dxpx::rules::scope::encounters(text, &mentions);
    let conditions = hints::conditions(vocab, scanner.sets(), text, &mentions, &scopes);
    for c in &conditions {
        assert!(c.start < c.end && c.end <= text.len());
        assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
        assert!(!c.codes.is_empty());
    }
    let day = dxpx::codes::history::Day::ICD10;
    for f in hints::findings(scanner.sets(), day, &conditions, text, &mentions, &scopes) {
        assert!(f.start <= f.end && f.end <= text.len() && text.is_char_boundary(f.start));
        for fix in &f.fixes {
            for e in &fix.edits {
                assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
            }
        }
    }
});
