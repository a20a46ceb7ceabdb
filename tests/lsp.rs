//! The language server, driven over stdio with real JSON-RPC.

mod common;

use common::lsp::{Client, position_of};
use serde_json::{Value, json};

const URI: &str = "file:///tmp/dxpx-test/note.txt";

fn started() -> Client {
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), json!({}));
    c
}

fn codes(diags: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn initialize_advertises_the_features_and_exits_cleanly() {
    let mut c = Client::start(&["--stdio"]);
    let result = c.initialize(json!({}), json!({}));
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for feature in [
        "hoverProvider",
        "completionProvider",
        "codeActionProvider",
        "inlayHintProvider",
        "codeLensProvider",
        "semanticTokensProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "documentHighlightProvider",
    ] {
        assert!(!caps[feature].is_null(), "{feature} is advertised");
    }
    assert_eq!(result["serverInfo"]["name"], "dxpx");
    c.shutdown();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let mut c = Client::start(&["lsp"]);
    let result = c.initialize(
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        json!({}),
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let text = "Température élevée 😀 Dx: E11.99\n";
    c.open(URI, text);
    let diags = c.diagnostics(URI, Some(1));
    let at = text.find("E11.99").unwrap();
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 0, "character": at}),
        "byte columns in UTF-8"
    );
    c.shutdown();
}

#[test]
fn hover_explains_each_system() {
    let mut c = started();
    let text = "Dx: E11.9\nCPT 99213-25\nAnnual wellness visit G0438 (Z00.00)\nICD-9: 250.00\n";
    c.open(URI, text);
    let hover = |c: &mut Client, needle: &str| {
        let r = c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": position_of(text, needle)}),
        );
        r["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let h = hover(&mut c, "E11.9");
    assert!(
        h.contains("Type 2 diabetes mellitus without complications"),
        "{h}"
    );
    assert!(h.contains("FY2027"), "the release is named: {h}");
    assert!(h.contains("billable"), "{h}");
    assert!(h.contains("E08-E13"), "the breadcrumb: {h}");
    assert!(h.contains("Excludes1"), "{h}");
    let h = hover(&mut c, "99213");
    assert!(h.contains("E&M office/outpatient"), "the CPT section: {h}");
    assert!(h.contains("-25"), "the modifier: {h}");
    let h = hover(&mut c, "G0438");
    assert!(h.to_lowercase().contains("annual wellness visit"), "{h}");
    assert!(h.contains("effective 2011-01-01"), "HCPCS dates: {h}");
    let h = hover(&mut c, "250.00");
    assert!(h.contains("retired"), "{h}");
    assert!(h.contains("E11.9"), "the GEM target: {h}");
    let none = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 1}}),
    );
    assert!(none.is_null());
    c.shutdown();
}

/// A code is explained as the release in force on its encounter's date judges it.
#[test]
fn hover_judges_a_code_by_its_encounters_date() {
    let mut c = started();
    let text =
        "Date of service: 08/03/2026\nDx: D69.1\n\nDate of service: 11/02/2026\nDx: D69.1 \n";
    c.open(URI, text);
    let hover_at = |c: &mut Client, at: usize| {
        let line = text[..at].matches('\n').count();
        let character = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
        let r = c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
        );
        r["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let first = hover_at(&mut c, text.find("D69.1").unwrap());
    assert!(first.contains("FY2026 (April 1, 2026 update)"), "{first}");
    assert!(first.contains("`billable`"), "{first}");
    assert!(
        first.contains("a category since 2026-10-01 (FY2027)"),
        "the history: {first}"
    );
    let second = hover_at(&mut c, text.rfind("D69.1").unwrap());
    assert!(second.contains("· FY2027"), "{second}");
    assert!(second.contains("header"), "{second}");
    c.shutdown();
}

#[test]
fn plain_text_hover_when_the_client_prefers_it() {
    let mut c = Client::start(&["lsp"]);
    c.initialize(
        json!({"textDocument": {"hover": {"contentFormat": ["plaintext"]}}}),
        json!({}),
    );
    c.open(URI, "Dx: E11.9\n");
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 6}}),
    );
    assert_eq!(r["contents"]["kind"], "plaintext");
    let hover = r["contents"]["value"].as_str().unwrap();
    assert!(!hover.contains("**"));
    c.shutdown();

    // One renderer: the terminal shows a code as the hover does.
    let out = std::process::Command::new(common::dxpx())
        .args(["lookup", "E11.9"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let looked_up = String::from_utf8(out.stdout).unwrap();
    assert_eq!(looked_up.trim_end(), hover);
    assert!(hover.contains("Type 2 diabetes mellitus without complications"));
    assert!(hover.contains("[billable]"));
}

#[test]
fn completion_by_prefix_and_by_words() {
    let mut c = started();
    let text = "Dx: E11.\nDx: type 2 diab\n";
    c.open(URI, text);
    let r = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 8}}),
    );
    let items = r["items"].as_array().unwrap();
    let e119 = items
        .iter()
        .find(|i| i["label"] == "E11.9")
        .expect("E11.9 completes E11.");
    assert_eq!(
        e119["textEdit"]["range"],
        json!({"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 8}}),
        "replaces exactly what was typed"
    );
    let resolved = c.call("completionItem/resolve", e119.clone());
    assert!(
        resolved["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("Excludes1")
    );
    let r = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 15}}),
    );
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.iter().take(10).any(|l| *l == "E11.9"), "{labels:?}");
    let edit = &r["items"][0]["textEdit"]["range"];
    assert_eq!(edit["start"], json!({"line": 1, "character": 4}));
    c.shutdown();
}

#[test]
fn diagnostics_for_a_procedure_with_no_diagnosis_and_bad_codes() {
    let mut c = started();
    c.open(URI, "Exam code: 93306\nPlan: repeat in a year.\n");
    let diags = c.diagnostics(URI, Some(1));
    assert_eq!(codes(&diags), ["dxpx/unsupported-procedure"]);
    assert_eq!(diags[0]["severity"], 1);
    assert!(diags[0]["message"].as_str().unwrap().contains("93306"));
    let uri2 = "file:///tmp/dxpx-test/other.txt";
    c.open(uri2, "Dx: E11.99\nICD-10: M54.5\nCPT 99213\n");
    let diags = c.diagnostics(uri2, Some(1));
    // Neither diagnosis is valid, so neither supports the visit.
    assert_eq!(
        codes(&diags),
        [
            "dxpx/invalid-code",
            "dxpx/non-billable-code",
            "dxpx/unsupported-procedure"
        ]
    );
    c.shutdown();
}

#[test]
fn a_quick_fix_replaces_the_code() {
    let mut c = started();
    let text = "ICD-9: 250.00\nCPT 99213\n";
    c.open(URI, text);
    let diags = c.diagnostics(URI, Some(1));
    let retired = diags
        .iter()
        .find(|d| d["code"] == "dxpx/retired-code")
        .unwrap()
        .clone();
    let actions = c.call("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": retired["range"], "context": {"diagnostics": [retired]}}));
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("E11.9"))
        .expect("a GEM fix");
    let edit = &fix["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], "E11.9");
    assert_eq!(edit["range"]["start"], json!({"line": 0, "character": 7}));
    c.shutdown();
}

#[test]
fn pull_diagnostics_when_the_client_supports_them() {
    let mut c = Client::start(&["lsp"]);
    let r = c.initialize(
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}},
               "workspace": {"diagnostics": {"refreshSupport": true}}}),
        json!({}),
    );
    assert!(!r["capabilities"]["diagnosticProvider"].is_null());
    c.open(URI, "CPT 99214\n");
    let report = c.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "dxpx/unsupported-procedure");
    c.shutdown();
}

/// Each encounter gets a lens with its numbers: diagnoses, MCC and CC, the HCCs that count
/// (HCC 226 of I50.9 is dropped by HCC 224), procedures and the unsupported ones.
#[test]
fn a_lens_sums_up_each_encounter() {
    let mut c = started();
    let text = "Date of service: 2026-11-02\nDx: E11.9, I50.23, I50.9, N18.4, J81.0\nCPT 99213, 93000\n\nDate of service: 2026-11-03\nCPT 36415\n";
    c.open(URI, text);
    let lenses = c.call(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": URI}}),
    );
    let titles: Vec<(u64, &str)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (0, "5 Dx · 2 MCC · 1 CC · HCC 38, 213, 224, 327 · 2 Px"),
            (4, "0 Dx · 1 Px · 1 unsupported")
        ]
    );
    c.shutdown();
}

#[test]
fn inlay_hints_symbols_tokens_and_highlights() {
    let mut c = started();
    let text = "ASSESSMENT:\n1. Hypertension (I10).\n2. Type 2 diabetes (E11.9), recheck E11.9.\n\nPLAN:\nCPT 99213\n";
    c.open(URI, text);
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}});
    let hints = c.call(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": URI}, "range": range}),
    );
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"Essential (primary) hypertension"),
        "{labels:?}"
    );
    let symbols = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ASSESSMENT", "PLAN"]);
    assert_eq!(symbols[0]["children"].as_array().unwrap().len(), 3);
    let tokens = c.call(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(data.len(), 4 * 5, "four codes, five numbers each");
    assert_eq!(
        data[0..3],
        [json!(1), json!(17), json!(3)],
        "I10 on line 1, column 17, three long"
    );
    let hl = c.call(
        "textDocument/documentHighlight",
        json!({"textDocument": {"uri": URI}, "position": position_of(text, "E11.9")}),
    );
    assert_eq!(hl.as_array().unwrap().len(), 2);
    let ws = c.call("workspace/symbol", json!({"query": "type 2 diabetes"}));
    assert!(
        ws.as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"].as_str().unwrap().starts_with("E11.9")),
        "{ws}"
    );
    c.shutdown();
}

#[test]
fn a_settings_change_applies_at_once() {
    let mut c = started();
    c.open(URI, "Dx: E11.99\nCPT 99213\n");
    let diags = c.diagnostics(URI, Some(1));
    assert_eq!(diags[0]["severity"], 1);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dxpx": {"rules": {"invalid-code": "hint"}, "inlayHints": false}}}),
    );
    // A publication made before the change was read (the recheck once the hints' index is
    // in) may still be on its way; the re-check under the new settings must follow it.
    let rechecked = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == URI
            && m["params"]["diagnostics"][0]["severity"] == 4
    });
    assert_eq!(rechecked["params"]["version"], 1);
    let pulled = c.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(
        pulled["items"][0]["severity"], 4,
        "re-checked with the new severity"
    );
    let hints = c.call("textDocument/inlayHint", json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}));
    assert_eq!(hints, json!([]));
    c.shutdown();
}

#[test]
fn ranges_in_multibyte_text() {
    let mut c = started();
    let text = "Temp 38.5 °C — é café 😀 Dx: E11.99 ✓\n";
    c.open(URI, text);
    let diags = c.diagnostics(URI, Some(1));
    assert_eq!(diags[0]["range"]["start"], position_of(text, "E11.99"));
    assert_eq!(
        diags[0]["range"]["end"]["character"].as_u64().unwrap()
            - diags[0]["range"]["start"]["character"].as_u64().unwrap(),
        6
    );
    c.shutdown();
}

/// 200 edits back to back end in exactly the diagnostics of a fresh open of the final text.
#[test]
fn two_hundred_edits_match_a_fresh_open() {
    let mut c = started();
    let mut text = String::from("Visit note é 😀\n\nDx: E11.9\nCPT 99213\n");
    c.open(URI, &text);
    let mut seed = 42u64;
    let inserts = [
        "E11.99 ",
        "I10 ",
        "x",
        "😀",
        "\n",
        "CPT 93000 ",
        "Dx: ",
        "é",
        "M54.5 ",
        "\r\n",
    ];
    for version in 2..=201 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let at = chars
            .get((seed >> 33) as usize % (chars.len() + 1))
            .map_or(text.len(), |c| c.0);
        let mut delete: usize = if seed % 3 == 0 {
            text[at..]
                .chars()
                .take(((seed >> 7) % 4) as usize)
                .map(char::len_utf8)
                .sum()
        } else {
            0
        };
        // An editor never puts a position inside a CRLF line break.
        let inside_crlf = |i: usize| {
            i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n')
        };
        let at = if inside_crlf(at) { at - 1 } else { at };
        if inside_crlf(at + delete) {
            delete += 1;
        }
        let insert = inserts[(seed >> 40) as usize % inserts.len()];
        let start = position_of_offset(&text, at);
        let end = position_of_offset(&text, at + delete);
        text.replace_range(at..at + delete, insert);
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"range": {"start": start, "end": end}, "text": insert}]}));
    }
    let after_edits = c.diagnostics(URI, Some(201));
    let fresh = "file:///tmp/dxpx-test/fresh.txt";
    c.open(fresh, &text);
    let fresh_diags = c.diagnostics(fresh, Some(1));
    assert_eq!(after_edits, fresh_diags);
    c.shutdown();
}

/// LSP lines end at \n, \r\n or a lone \r.
fn position_of_offset(text: &str, at: usize) -> Value {
    let bytes = text.as_bytes();
    let (mut line, mut line_start) = (0, 0);
    for i in 0..at {
        let lone_cr = bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if bytes[i] == b'\n' || lone_cr {
            line += 1;
            line_start = i + 1;
        }
    }
    json!({"line": line, "character": text[line_start..at].encode_utf16().count()})
}

/// Charge sheets through the server: diagnostics at their cells, hover, and completion by
/// words in a diagnosis column.
#[test]
fn charge_sheets_are_served() {
    let mut c = started();
    let uri = "file:///tmp/dxpx-test/charges.csv";
    let text = "date,cpt,dx_pointer,icd10_a,icd10_b\n2026-03-02,99213,A,E11.9,\n2026-03-02,93000,,I10,\n2026-03-03,36415,A,type 2 diab\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "csv", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(uri, Some(1));
    let unsupported: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "dxpx/unsupported-procedure")
        .collect();
    assert_eq!(
        unsupported.len(),
        2,
        "93000 has an empty pointer, 36415 no code yet: {diags:?}"
    );
    assert_eq!(unsupported[0]["range"]["start"], position_of(text, "93000"));
    let h = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_of(text, "E11.9")}),
    );
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Type 2 diabetes mellitus without complications")
    );
    let at = text.find("type 2 diab").unwrap() + "type 2 diab".len();
    let line = text[..at].matches('\n').count();
    let character = at - text[..at].rfind('\n').unwrap() - 1;
    let r = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.iter().take(10).any(|l| *l == "E11.9"), "{labels:?}");
    c.shutdown();
}

/// The editor clients' charge-sheet language (VS Code's `chargesheet`, Neovim's filetype) makes a
/// file read as a charge sheet whatever its extension.
#[test]
fn the_chargesheet_language_reads_any_file_as_a_charge_sheet() {
    let mut c = started();
    let uri = "file:///tmp/dxpx-test/march.superbill";
    let text = "date,cpt,dx_pointer,icd10_a\n2026-03-02,99213,A,E11.9\n2026-03-02,93000,,\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "chargesheet", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(uri, Some(1));
    let unsupported: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "dxpx/unsupported-procedure")
        .collect();
    assert_eq!(unsupported.len(), 1, "{diags:?}");
    assert_eq!(unsupported[0]["range"]["start"], position_of(text, "93000"));
    c.shutdown();
}

/// Two workspace folders, each with its own dxpx.toml: a document is judged by its folder's.
fn two_folders(name: &str) -> (std::path::PathBuf, String, String) {
    let base = std::env::temp_dir().join(format!("dxpx-ws-{name}-{}", std::process::id()));
    let (a, b) = (base.join("clinic-a"), base.join("clinic-b"));
    for dir in [&a, &b] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("visit.note"), "Venipuncture, CPT 36415.\n").unwrap();
        std::fs::write(dir.join("clean.note"), "Dx: I10\nCPT 36415\n").unwrap();
    }
    // Clinic A bills its draws under a standing order: the rule is off there only.
    std::fs::write(
        a.join("dxpx.toml"),
        "[rules]\nunsupported-procedure = \"off\"\n",
    )
    .unwrap();
    let uri = |p: &std::path::Path| format!("file://{}", p.display());
    (base.clone(), uri(&a), uri(&b))
}

fn report_codes(item: &Value) -> Vec<String> {
    item["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `dxpx/checkWorkspace` (the "Check Workspace" command) turns on workspace pulls: every
/// document of every folder that is not open, each judged by its own folder's dxpx.toml; a
/// second pull with the ids of the first says "unchanged" instead of checking again.
#[test]
fn the_workspace_check_reads_every_folder_with_its_own_configuration() {
    let (base, a, b) = two_folders("pull");
    let mut c = Client::start(&["lsp"]);
    let caps = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    });
    let init = c.call(
        "initialize",
        json!({"processId": null, "capabilities": caps, "workspaceFolders": [{"uri": a, "name": "a"}, {"uri": b, "name": "b"}]}),
    );
    c.notify("initialized", json!({}));
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"],
        true
    );
    let pull = |c: &mut Client, previous: Value| {
        c.call(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(
        pull(&mut c, json!([])).is_empty(),
        "nothing until the user asks"
    );
    // An open document is reported by its own pull, under its folder's configuration.
    let open = format!("{a}/clean.note");
    c.open(&open, "Venipuncture, CPT 36415.\n");
    let own = c.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": open}}),
    );
    assert!(
        report_codes(&own).is_empty(),
        "clinic A turns the rule off: {own}"
    );
    let answer = c.call("dxpx/checkWorkspace", json!({}));
    assert_eq!(answer["folders"], 2);
    let items = pull(&mut c, json!([]));
    let find = |items: &[Value], uri: &str| items.iter().find(|i| i["uri"] == uri).cloned();
    let (a_visit, b_visit) = (format!("{a}/visit.note"), format!("{b}/visit.note"));
    assert_eq!(
        report_codes(&find(&items, &b_visit).unwrap()),
        ["dxpx/unsupported-procedure"]
    );
    assert!(
        report_codes(&find(&items, &a_visit).unwrap()).is_empty(),
        "{items:?}"
    );
    assert!(find(&items, &format!("{b}/clean.note")).is_some());
    assert!(
        find(&items, &open).is_none(),
        "open documents have their own pull"
    );
    let previous: Vec<Value> = items
        .iter()
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    let again = pull(&mut c, json!(previous));
    assert!(again.iter().all(|i| i["kind"] == "unchanged"), "{again:?}");
    std::fs::write(base.join("clinic-b/visit.note"), "Dx: I10\nCPT 36415\n").unwrap();
    let changed = pull(&mut c, json!(previous));
    let b_now = find(&changed, &b_visit).unwrap();
    assert_eq!(b_now["kind"], "full");
    assert!(report_codes(&b_now).is_empty(), "{b_now}");
    c.shutdown();
    std::fs::remove_dir_all(base).ok();
}

/// A client that does not pull (Neovim) gets the workspace check pushed.
#[test]
fn a_client_that_does_not_pull_gets_the_workspace_check_pushed() {
    let (base, a, b) = two_folders("push");
    let mut c = Client::start(&["lsp"]);
    c.call(
        "initialize",
        json!({"processId": null, "capabilities": {}, "workspaceFolders": [{"uri": a, "name": "a"}, {"uri": b, "name": "b"}]}),
    );
    c.notify("initialized", json!({}));
    let answer = c.call("dxpx/checkWorkspace", json!({}));
    assert_eq!(answer["pushed"], 4, "{answer}");
    let b_visit = format!("{b}/visit.note");
    let diags = c.diagnostics(&b_visit, None);
    assert_eq!(codes(&diags), ["dxpx/unsupported-procedure"]);
    c.shutdown();
    std::fs::remove_dir_all(base).ok();
}
