//! Whatever an editor or a file throws at the server, it answers properly or ignores with a
//! log line, keeps serving the other documents, and never writes note text to its log.

mod common;

use common::lsp::Client;
use serde_json::json;

const URI: &str = "file:///tmp/dxpx-adversarial/a.txt";

fn started() -> Client {
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), json!({}));
    c.open(URI, "Dx: E11.9\nCPT 99213\n");
    c.diagnostics(URI, Some(1));
    c
}

/// The server still answers: a hover on E11.9 in the first document.
fn still_serving(c: &mut Client) {
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 5}}),
    );
    assert!(
        r["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Type 2 diabetes")
    );
}

#[test]
fn malformed_frames_get_errors_and_the_session_goes_on() {
    let mut c = started();
    c.send_raw(b"Content-Length: 11\r\n\r\n{\"jsonrpc\":");
    let e = c.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], serde_json::Value::Null);
    c.send_raw(b"Content-Length: 9\r\n\r\n[1, 2, 3]");
    c.wait_for(|m| m["error"]["code"] == -32600);
    c.send_raw(b"this is not a header at all\r\n\r\n");
    c.send_raw(b"Content-Type: text/plain\r\n\r\n");
    still_serving(&mut c);
    // Content-Length shorter than the body: the rest is garbage until the next header.
    let body = r#"{"jsonrpc":"2.0","id":77,"method":"textDocument/hover","params":{}}"#;
    c.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 5).as_bytes());
    still_serving(&mut c);
    assert!(c.is_running());
    c.shutdown();
}

#[test]
fn unknown_methods_unopened_documents_and_positions_past_the_end() {
    let mut c = started();
    let r = c.request("dxpx/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    c.notify("$/noSuchNotification", json!({}));
    let r = c.call("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere.txt"}, "position": {"line": 0, "character": 0}}));
    assert!(r.is_null());
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 9999, "character": 9999}}),
    );
    assert!(r.is_null());
    let r = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 9999}}),
    );
    assert!(r.is_null() || r["items"].is_array());
    // An edit whose range runs past the end is clamped to it.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"range": {"start": {"line": 50, "character": 0}, "end": {"line": 60, "character": 3}}, "text": "\nICD-9: 250.00"}]}));
    let d = c.diagnostics(URI, Some(2));
    assert!(d.iter().any(|d| d["code"] == "dxpx/retired-code"), "{d:?}");
    still_serving(&mut c);
    c.shutdown();
}

#[test]
fn a_version_that_goes_backwards_is_ignored() {
    let mut c = started();
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 5}, "contentChanges": [{"text": "Dx: E11.99\n"}]}));
    c.diagnostics(URI, Some(5));
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": "CPT 99213\n"}]}));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 6}, "contentChanges": []}),
    );
    let d = c.diagnostics(URI, Some(6));
    assert_eq!(
        d[0]["code"], "dxpx/invalid-code",
        "the stale edit was not applied"
    );
    // Logged to the editor's log as a warning, not to stderr (which editors file as errors).
    assert_eq!(c.wait_for_log("back to 3"), 2);
    assert!(!c.stderr.lock().unwrap().contains("back to 3"));
    c.shutdown();
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut c = started();
    c.call("shutdown", serde_json::Value::Null);
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 5}}),
    );
    assert_eq!(r["error"]["code"], -32600);
    c.notify("exit", serde_json::Value::Null);
}

#[test]
fn a_fifty_megabyte_note_with_nul_bytes_and_long_lines() {
    let mut c = started();
    let mut big = String::with_capacity(50 << 20);
    let unit = "Assessment: hypertension (I10). CPT 99213-25. Temperature 38.5 °C, lot EK5730. ";
    while big.len() < (50 << 20) - 200 {
        big.push_str(unit);
        if big.len() % 7 == 0 {
            big.push('\n');
        }
    }
    big.push_str("\0\0 Dx: E11.99 \0\n");
    let uri = "file:///tmp/dxpx-adversarial/big.txt";
    c.open(uri, &big);
    let d = c.diagnostics(uri, Some(1));
    assert!(
        d.iter().any(|d| d["code"] == "dxpx/invalid-code"),
        "the code after the NUL bytes is checked"
    );
    still_serving(&mut c);
    c.shutdown();
}

/// A distinctive patient name in a note never reaches the log, even at trace level, nor
/// an error message of the command line.
#[test]
fn note_text_never_reaches_a_log() {
    let name = "Zebulon Quibbleworth";
    let text = format!("Patient {name} seen today.\nDx: E11.99\nCPT 99213-2Z\n");
    let mut c = common::lsp::Client::start_with_env(&["lsp"], &[("RUST_LOG", "trace")]);
    c.initialize(json!({}), json!({}));
    c.open(URI, &text);
    c.diagnostics(URI, Some(1));
    let garbage = format!("{{\"garbage {name}\"");
    c.send_raw(format!("Content-Length: {}\r\n\r\n{garbage}", garbage.len()).as_bytes());
    c.wait_for(|m| m["error"]["code"] == -32700);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 1}, "contentChanges": [{"text": name}]}),
    );
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///unopened.txt", "version": 2}, "contentChanges": [{"text": name}]}));
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 6}}),
    );
    assert!(r["contents"]["value"].as_str().unwrap().contains("E11.99"));
    c.wait_for_log("which is not open");
    let read = c.logged();
    let stderr = c.stderr.clone();
    c.shutdown();
    let log = format!("{read}\n{}", stderr.lock().unwrap());
    assert!(!log.is_empty(), "the server logged the oddities");
    assert!(
        !log.contains("Zebulon") && !log.contains("Quibbleworth"),
        "note text in the log: {log}"
    );

    let dir = std::env::temp_dir().join(format!("dxpx-privacy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("note.txt"), &text).unwrap();
    let mut bad = text.clone().into_bytes();
    bad.push(0xff);
    std::fs::write(dir.join("bad.txt"), bad).unwrap();
    std::fs::write(dir.join("nul.txt"), format!("{name}\0")).unwrap();
    for format in ["text", "json", "sarif"] {
        let out = std::process::Command::new(common::dxpx())
            .args(["check", "--format", format])
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("Zebulon"), "{stderr}");
        assert!(
            stderr.contains("bad.txt") && stderr.contains("nul.txt"),
            "unreadable files are named: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// dxpx makes no network connections: no HTTP client, TLS or socket crate is built in
/// (httparse parses the LSP headers; tokio has no `net` feature).
#[test]
fn no_network_crates_in_the_dependency_tree() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--manifest-path",
        ])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    for name in [
        "hyper",
        "reqwest",
        "ureq",
        "curl",
        "rustls",
        "openssl",
        "native-tls",
        "socket2",
        "mio",
        "h2",
    ] {
        assert!(
            !tree.lines().any(|l| l.split(' ').next() == Some(name)),
            "{name} is in the dependency tree"
        );
    }
}

/// The command line on a folder with a broken symlink, invalid UTF-8 and a binary file: a
/// clear message for each, the good file still checked, and no usage-error status.
#[test]
fn broken_files_are_named_and_the_rest_is_checked() {
    let dir = std::env::temp_dir().join(format!("dxpx-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.note"), "Dx: E11.99\n").unwrap();
    std::fs::write(dir.join("latin1.note"), b"caf\xe9 Dx: E11.9\n").unwrap();
    std::fs::write(dir.join("binary.note"), b"\x00\x01\x02ELF").unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere.note"), dir.join("dangling.note")).unwrap();
    let out = std::process::Command::new(common::dxpx())
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the good file's finding decides the status, not the broken files"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in [
        "latin1.note: not valid UTF-8",
        "binary.note: binary file",
        "dangling.note",
    ] {
        assert!(stderr.contains(name), "{name} in {stderr}");
    }
    assert!(stderr.contains("3 files skipped"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("dxpx/invalid-code"),
        "good.note was checked"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Misspelt and accented words where the server searches by words (completion after a
/// label, `workspace/symbol`): each answers, and the server goes on. A misspelling used to
/// slice a title inside an accented letter and end the server.
#[test]
fn misspelt_words_in_completion_and_workspace_symbols() {
    let mut c = started();
    let uri = "file:///tmp/dxpx-adversarial/misspelt.note";
    let words = [
        "pneumonai",
        "asthmaa",
        "diaetes",
        "fracturess",
        "boutonnie",
        "Ménièr",
        "肺炎",
        "🦴🦴",
    ];
    let text: String = words.iter().map(|w| format!("Dx: {w}\n")).collect();
    c.open(uri, &text);
    for (line, word) in words.iter().enumerate() {
        let character = format!("Dx: {word}").encode_utf16().count();
        let r = c.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        assert!(r.is_null() || r["items"].is_array(), "{word}: {r}");
        let r = c.call("workspace/symbol", json!({"query": word}));
        assert!(r.is_array(), "{word}: {r}");
    }
    let r = c.call("workspace/symbol", json!({"query": "asthmaa"}));
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"].as_str().unwrap_or("").starts_with("J45")),
        "asthmaa finds asthma: {r}"
    );
    still_serving(&mut c);
    assert!(c.is_running());
    c.shutdown();
}
