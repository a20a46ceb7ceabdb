//! A bug in dxpx ends one request or one file, never the server or the run: the binary is
//! built with the `fault-injection` feature (`bash .ci/run` passes it), under which a
//! hidden request panics and scanning a text with the marker panics, each with the note's
//! text in the panic message, which must never reach a log.
#![cfg_attr(not(feature = "fault-injection"), allow(dead_code, unused_imports))]

mod common;

use common::lsp::Client;
use dxpx::fault::INJECTED_FAULT_MARKER as MARKER;
use serde_json::{Value, json};

const PATIENT: &str = "Philomena Cardwright-Oyelaran";
const GOOD: &str = "file:///tmp/dxpx-faults/good.note";
const BAD: &str = "file:///tmp/dxpx-faults/bad.note";

fn hover_title(c: &mut Client, uri: &str, line: u32, character: u32) -> String {
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    r["contents"]["value"].as_str().unwrap_or("").to_string()
}

fn change(c: &mut Client, uri: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn assert_private(log: &str) {
    assert!(
        !log.contains("Philomena") && !log.contains("Oyelaran") && !log.contains("Dx:"),
        "note text reached the log: {log}"
    );
}

#[test]
#[cfg_attr(
    not(feature = "fault-injection"),
    ignore = "needs the fault-injection feature: cargo test --features fault-injection"
)]
fn a_panic_in_a_request_is_an_internal_error_and_the_server_goes_on() {
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), json!({}));
    let good = format!("Patient {PATIENT}\nDx: E11.9\nCPT 99213\n");
    c.open(GOOD, &good);
    c.diagnostics(GOOD, Some(1));

    let r = c.request("dxpx/debug/panic", json!({}));
    assert_eq!(r["error"]["code"], -32603, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(message.contains("internal error at src/"), "{message}");
    assert!(!message.contains("Philomena"), "{message}");

    // The state lock the handler held is usable: every feature still answers.
    assert!(hover_title(&mut c, GOOD, 1, 5).contains("Type 2 diabetes"));
    change(&mut c, GOOD, 2, "Dx: E11.99\n");
    assert_eq!(codes(&c.diagnostics(GOOD, Some(2))), ["dxpx/invalid-code"]);

    // The editor's log names the method and the place, as an error.
    let level = c.wait_for_log("dxpx/debug/panic failed: internal error at src/lsp/server.rs");
    assert_eq!(level, 1);
    let log = c.logged();
    c.shutdown();
    assert_private(&log);
}

/// A bug while reading a document after an edit: that document says so in one diagnostic,
/// the others are served, and once the text no longer triggers the bug its diagnostics are
/// exactly those of a fresh open of the same text.
#[test]
#[cfg_attr(
    not(feature = "fault-injection"),
    ignore = "needs the fault-injection feature: cargo test --features fault-injection"
)]
fn a_panic_while_reading_an_edit_resynchronises_that_document_only() {
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), json!({}));
    c.open(GOOD, "Dx: E11.9\nCPT 99213\n");
    c.diagnostics(GOOD, Some(1));
    let before = format!("Patient {PATIENT}\nDx: E11.99\nCPT 36415\n");
    c.open(BAD, &before);
    c.diagnostics(BAD, Some(1));

    // An incremental edit that inserts the marker: the rescan panics, and so does the
    // full re-read after it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": BAD, "version": 2}, "contentChanges": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": format!("{MARKER} ")}]}),
    );
    let d = c.diagnostics(BAD, Some(2));
    assert_eq!(codes(&d), ["dxpx/internal-error"], "{d:?}");
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.contains("could not check this document"),
        "{message}"
    );

    // The other document is still served.
    assert!(hover_title(&mut c, GOOD, 0, 5).contains("Type 2 diabetes"));
    change(&mut c, GOOD, 2, "Dx: 250.00\n");
    assert_eq!(codes(&c.diagnostics(GOOD, Some(2))), ["dxpx/retired-code"]);

    // Removing the marker reads the document again: the same as opening its text afresh.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": BAD, "version": 3}, "contentChanges": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": MARKER.len() + 1}}, "text": ""}]}),
    );
    let edited = c.diagnostics(BAD, Some(3));
    let fresh_uri = "file:///tmp/dxpx-faults/fresh.note";
    c.open(fresh_uri, &before);
    let fresh = c.diagnostics(fresh_uri, Some(1));
    let strip = |d: &[Value]| {
        d.iter()
            .map(|d| (d["code"].clone(), d["range"].clone(), d["message"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&edited), strip(&fresh));
    assert!(codes(&edited).contains(&"dxpx/invalid-code".to_string()));

    assert_eq!(c.wait_for_log("reading it again whole"), 1);
    let log = c.logged();
    c.shutdown();
    assert_private(&log);
}

/// A client that pulls diagnostics gets a report, not an ended server (a panic during a
/// pull used to end the process).
#[test]
#[cfg_attr(
    not(feature = "fault-injection"),
    ignore = "needs the fault-injection feature: cargo test --features fault-injection"
)]
fn pull_diagnostics_of_a_document_that_meets_a_bug() {
    let mut c = Client::start(&["lsp"]);
    c.initialize(
        json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}}),
        json!({}),
    );
    c.open(BAD, &format!("Patient {PATIENT}\n{MARKER}\nDx: E11.9\n"));
    c.open(GOOD, "Dx: E11.99\n");
    let pull = |c: &mut Client, uri: &str| {
        let r = c.call(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        codes(r["items"].as_array().unwrap())
    };
    assert_eq!(pull(&mut c, BAD), ["dxpx/internal-error"]);
    assert_eq!(pull(&mut c, GOOD), ["dxpx/invalid-code"]);
    let stderr = c.stderr.clone();
    c.shutdown();
    assert_private(&stderr.lock().unwrap());
}

/// The command line: the file that meets a bug is named with the stage, the others are
/// checked and reported, and the status is 2.
#[test]
#[cfg_attr(
    not(feature = "fault-injection"),
    ignore = "needs the fault-injection feature: cargo test --features fault-injection"
)]
fn a_file_that_meets_a_bug_is_named_and_the_others_are_checked() {
    let dir = std::env::temp_dir().join(format!("dxpx-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.note"), "Dx: E11.99\n").unwrap();
    std::fs::write(
        dir.join("b.note"),
        format!("Patient {PATIENT}\n{MARKER}\nDx: E11.9\n"),
    )
    .unwrap();
    std::fs::write(dir.join("c.note"), "ICD-9: 250.00\n").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(common::dxpx())
            .args(args)
            .output()
            .unwrap()
    };
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let out = run(&["check", "--format", "json", &path("")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("b.note: internal error at src/") && stderr.contains("reading its codes"),
        "{stderr}"
    );
    assert_private(&stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("dxpx/invalid-code") && stdout.contains("dxpx/retired-code"));
    assert!(!stdout.contains("b.note"), "{stdout}");

    let out = run(&[
        "scan",
        "--json",
        &path("a.note"),
        &path("b.note"),
        &path("c.note"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("E11.99") && stdout.contains("250.00"),
        "{stdout}"
    );
    assert!(!stdout.contains("b.note"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("b.note: internal error at src/"),
        "{stderr}"
    );
    assert_private(&stderr);
    std::fs::remove_dir_all(&dir).ok();
}
