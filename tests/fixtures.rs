//! Snapshot tests through the core document: every file under `tests/fixtures/<rule or
//! format>/` and every example in `examples/` is opened as an editor opens it, checked, and
//! its findings compared with the reviewed snapshot beside it (`<file>.expected`). The same
//! findings must come from the command line's path (`analysis::analyze`) and from typing the
//! document in, edit by edit.
//!
//! After a change that is meant to alter findings, regenerate the snapshots with
//! `DXPX_BLESS=1 cargo test --test fixtures` and review the diff before committing.

use dxpx::analysis;
use dxpx::codes::CodeSets;
use dxpx::config::Config;
use dxpx::document::{Change, Document, Encoding};
use dxpx::rules::Finding;
use dxpx::scan::Scanner;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents of a folder: every file but the snapshots and the project file.
fn documents(dir: &Path) -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.ends_with(".expected") && name != "dxpx.toml" && name != "README.md"
        })
        .collect();
    docs.sort();
    docs
}

/// A folder's `dxpx.toml`, or the defaults.
fn config_of(dir: &Path) -> Config {
    let path = dir.join("dxpx.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::from_toml(&text, &path).unwrap(),
        Err(_) => Config::default(),
    }
}

/// Where a byte offset is, as an editor shows it: line and character, from 1.
fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{line}:{column}")
}

fn render(text: &str, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}-{} {} {}: {}",
            line_col(text, f.start),
            line_col(text, f.end),
            f.severity.name(),
            f.id(),
            f.message
        );
        for r in &f.related {
            let _ = writeln!(
                out,
                "    related {}: {}",
                line_col(text, r.start),
                r.message
            );
        }
        for fix in &f.fixes {
            let _ = writeln!(out, "    fix: {}", fix.title);
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

/// Types the document in one line at a time, each line as a change at the end, then
/// reads it as the server does after each change.
fn typed_in(scanner: &Scanner, name: &str, text: &str) -> Document {
    let mut doc = Document::open(scanner, String::new(), 0, name, "");
    for line in text.split_inclusive('\n') {
        let end = doc.position(doc.text.len(), Encoding::Utf16);
        let change = Change {
            range: Some((end, end)),
            text: line,
        };
        let edit = doc.edit_text(change, Encoding::Utf16);
        doc.reread(scanner, edit);
    }
    doc
}

fn check_folder(dir: &Path, failures: &mut Vec<String>) -> usize {
    let scanner = Scanner::new(CodeSets::embedded());
    let config = config_of(dir);
    let bless = std::env::var_os("DXPX_BLESS").is_some();
    let docs = documents(dir);
    for path in &docs {
        let name = path.to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let doc = Document::open(&scanner, text.clone(), 1, &name, "");
        assert!(doc.unread.is_none(), "{name}: not read: {:?}", doc.unread);
        let findings = doc.check(scanner.sets(), &config, |_| Vec::new());
        let got = render(&text, &findings);

        let cli = analysis::analyze(&scanner, &config, &name, &text);
        if cli.findings != findings {
            failures.push(format!(
                "{name}: the command line's findings differ from the editor's:\n{}",
                render(&text, &cli.findings)
            ));
        }
        let typed = typed_in(&scanner, &name, &text);
        assert_eq!(typed.text, text);
        let typed_findings = typed.check(scanner.sets(), &config, |_| Vec::new());
        if typed_findings != findings {
            failures.push(format!(
                "{name}: typed in line by line, its findings differ:\n{}",
                render(&text, &typed_findings)
            ));
        }

        let snapshot = PathBuf::from(format!("{name}.expected"));
        if bless {
            std::fs::write(&snapshot, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!(
                "{name}: findings differ from {}\n--- expected\n{want}--- got\n{got}",
                snapshot.display()
            )),
            Err(_) => failures.push(format!(
                "{name}: no snapshot {} (DXPX_BLESS=1 writes it); got\n{got}",
                snapshot.display()
            )),
        }
    }
    docs.len()
}

#[test]
fn fixtures_and_examples_match_their_snapshots() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let fixtures = root().join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.push(root().join("examples"));
    for dir in &dirs {
        checked += check_folder(dir, &mut failures);
    }
    assert!(checked >= 20, "only {checked} documents found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_fix_for_a_misspelt_suppression_names_the_rule_and_then_silences() {
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "# dxpx-ignore: retired-cod reason=\"historic list\"\nICD-9 250.00\n";
    let doc = Document::open(&scanner, text.into(), 1, "a.note", "");
    let config = Config::default();
    let findings = doc.check(scanner.sets(), &config, |_| Vec::new());
    let unknown = findings
        .iter()
        .find(|f| f.id() == "dxpx/suppression-unknown-rule")
        .expect("the misspelt rule is reported");
    assert!(
        findings.iter().any(|f| f.id() == "dxpx/retired-code"),
        "nothing silenced"
    );
    let edit = &unknown.fixes[0].edits[0];
    let mut fixed = text.to_string();
    fixed.replace_range(edit.start..edit.end, &edit.text);
    let doc = Document::open(&scanner, fixed, 2, "a.note", "");
    let after = doc.check(scanner.sets(), &config, |_| Vec::new());
    assert!(
        after.is_empty(),
        "{:?}",
        after.iter().map(|f| f.id()).collect::<Vec<_>>()
    );
}

#[test]
fn a_snapshot_notices_a_changed_finding() {
    // The comparison itself: a finding's severity, place and message are all in the text.
    let scanner = Scanner::new(CodeSets::embedded());
    let text = "Dx: E11.99\n";
    let doc = Document::open(&scanner, text.into(), 1, "a.note", "");
    let strict = render(
        text,
        &doc.check(scanner.sets(), &Config::default(), |_| Vec::new()),
    );
    let mut relaxed = Config::default();
    relaxed
        .apply_settings(&serde_json::json!({"dxpx": {"rules": {"invalid-code": "hint"}}}))
        .unwrap();
    let hinted = render(text, &doc.check(scanner.sets(), &relaxed, |_| Vec::new()));
    assert!(
        strict.starts_with("1:5-1:11 error dxpx/invalid-code: "),
        "{strict}"
    );
    assert_ne!(strict, hinted);
}
