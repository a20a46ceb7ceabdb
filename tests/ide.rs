//! The editor features in process, through the core document and byte offsets (the server
//! converts these to the protocol; tests/lsp.rs checks that part over JSON-RPC).

use dxpx::codes::{CodeSets, Status, System};
use dxpx::document::Document;
use dxpx::ide::{self, Style};
use dxpx::scan::Scanner;

fn open(scanner: &Scanner, name: &str, text: &str) -> Document {
    Document::open(scanner, text.to_string(), 1, name, "")
}

fn at(text: &str, needle: &str) -> usize {
    text.find(needle).unwrap()
}

#[test]
fn completion_by_prefix_replaces_what_was_typed_next_level_first() {
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "Dx: E11.\n";
    let doc = open(&scanner, "a.note", text);
    let end = at(text, "\n");
    let c = ide::complete(&scanner, &doc, end, Vec::new).unwrap();
    assert_eq!((c.start, c.end, c.typed.as_str()), (4, end, "E11."));
    assert!(!c.by_words);
    let codes: Vec<&str> = c.candidates.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes[0], "E11.0", "{codes:?}");
    let e119 = c.candidates.iter().find(|c| c.code == "E11.9").unwrap();
    assert_eq!((e119.status, e119.system), (Status::Valid, System::Icd10Cm));
    assert!(
        codes.iter().position(|c| *c == "E11.9") < codes.iter().position(|c| *c == "E11.00"),
        "E11.9 (one level down) before E11.00: {codes:?}"
    );
}

#[test]
fn completion_by_words_after_a_diagnosis_label() {
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "Dx: type 2 diab";
    let doc = open(&scanner, "a.note", text);
    let c = ide::complete(&scanner, &doc, text.len(), Vec::new).unwrap();
    assert!(c.by_words);
    assert_eq!(&text[c.start..c.end], "type 2 diab");
    let codes: Vec<&str> = c.candidates.iter().map(|c| c.code.as_str()).collect();
    // The code that says no more than was typed first; billable codes before any category.
    assert_eq!(codes[0], "E11.9", "{codes:?}");
    let first_header = c.candidates.iter().position(|c| c.status != Status::Valid);
    let last_billable = c.candidates.iter().rposition(|c| c.status == Status::Valid);
    assert!(
        first_header.is_none_or(|h| last_billable < Some(h)),
        "{codes:?}"
    );
    // No label, no words: nothing to offer.
    let plain = open(&scanner, "b.note", "went for a walk");
    assert_eq!(ide::complete(&scanner, &plain, 15, Vec::new), None);
}

#[test]
fn hover_explains_the_code_under_the_cursor_and_its_modifier() {
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "Dx: E11.9\nCPT 99213-25\n";
    let doc = open(&scanner, "a.note", text);
    let none = || None;
    let shown = ide::hover(scanner.sets(), &doc, at(text, "11.9"), Style::Plain, none).unwrap();
    assert_eq!(&text[shown.start..shown.end], "E11.9");
    assert!(
        shown.text.starts_with("E11.9 · ICD-10-CM · "),
        "{}",
        shown.text
    );
    let cpt = ide::hover(scanner.sets(), &doc, at(text, "-25"), Style::Markdown, none).unwrap();
    assert_eq!(&text[cpt.start..cpt.end], "99213");
    assert!(cpt.text.contains("Modifier **-25**"), "{}", cpt.text);
    assert_eq!(
        ide::hover(scanner.sets(), &doc, 1, Style::Plain, none),
        None
    );
}

#[test]
fn occurrences_outline_and_titles() {
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "Dx: I10\nASSESSMENT:\nI10 and E11.9 diabetes\nPLAN:\nCPT 99213\n";
    let doc = open(&scanner, "a.note", text);
    let same = ide::occurrences(&doc, at(text, "I10"));
    assert_eq!(same.len(), 2);
    assert!(same.iter().all(|&(s, e)| &text[s..e] == "I10"));

    let (before, sections) = ide::outline(&doc);
    assert_eq!(before.len(), 1);
    let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ASSESSMENT", "PLAN"]);
    assert_eq!(sections[0].codes.len(), 2);
    assert_eq!(&text[sections[0].start..sections[0].name_end], "ASSESSMENT");

    let titles = ide::titles(scanner.sets(), &doc, 0, text.len());
    let i10 = titles.iter().find(|t| t.at == at(text, "I10") + 3).unwrap();
    assert!(i10.tooltip.starts_with("I10 "), "{i10:?}");
    // The text after E11.9 does not say its title, so it gets one; "diabetes" alone is
    // not the title's first words.
    assert!(titles.iter().any(|t| t.tooltip.starts_with("E11.9 ")));
}

/// An empty diagnosis slot offers what the encounter documents but does not code, then the
/// note's own codes written elsewhere; a slot with nothing to offer offers nothing.
#[test]
fn completion_on_an_empty_diagnosis_slot() {
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "Assessment: I10.\nDx: \n";
    let doc = open(&scanner, "a.note", text);
    let slot = at(text, "Dx: ") + 4;
    let documented = || {
        vec![(
            "M17.11".to_string(),
            "Osteoarthritis of the right knee".to_string(),
        )]
    };
    let c = ide::complete(&scanner, &doc, slot, documented).unwrap();
    let offered: Vec<(&str, &str)> = c
        .candidates
        .iter()
        .map(|c| (c.code.as_str(), c.matched.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        offered,
        [
            ("M17.11", "documented: Osteoarthritis of the right knee"),
            ("I10", "written on line 1")
        ]
    );
    assert_eq!((c.start, c.end), (slot, slot));
    let bare = open(&scanner, "b.note", "Dx: ");
    assert_eq!(ide::complete(&scanner, &bare, 4, Vec::new), None);
}
