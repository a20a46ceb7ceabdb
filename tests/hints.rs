//! Documentation hints through the real paths: `dxpx suggest --json` on notes written here
//! and on real notes from the corpus (scored against the CDI set's gold codes), and the
//! language server's hint diagnostics, code actions and hover.

mod common;

use common::lsp::{Client, apply, position_of};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn suggest(paths: &[&Path]) -> Vec<Value> {
    common::json_lines("suggest", paths)
}

fn codes(c: &Value) -> Vec<&str> {
    c["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect()
}

/// The condition whose text is `written`, at or after byte `from`.
fn condition<'a>(conditions: &'a [Value], written: &str, from: usize) -> &'a Value {
    conditions
        .iter()
        .find(|c| c["text"] == written && c["start"].as_u64().unwrap() as usize >= from)
        .unwrap_or_else(|| panic!("no condition {written:?} after byte {from}: {conditions:#?}"))
}

const VISIT: &str = "\
CHIEF COMPLAINT: Follow-up of diabetes.

HISTORY OF PRESENT ILLNESS: She denies chest pain or shortness of breath. History of stroke in
2019. Her mother has breast cancer. Rule out pneumonia.

PAST MEDICAL HISTORY: Hypertension.

ASSESSMENT AND PLAN:
1. Type 2 diabetes mellitus, uncontrolled with hyperglycemia, E11.9.
2. Osteoarthritis of the right knee.
3. CKD stage 3.
";

fn written_note(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dxpx-hints-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn suggest_reads_status_and_ranks_codes() {
    let path = written_note("visit.note", VISIT);
    let cs = suggest(&[&path]);
    let status = |written: &str| {
        condition(&cs, written, 0)["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("chest pain"), "negated");
    assert_eq!(status("shortness of breath"), "negated");
    assert_eq!(status("pneumonia"), "hypothetical");
    // A history maps to the personal-history code; a relative's condition to the family one.
    let stroke = condition(&cs, "stroke", 0);
    assert_eq!(stroke["status"], "history");
    assert_eq!(codes(stroke)[0], "Z86.73", "{stroke}");
    let cancer = condition(&cs, "breast cancer", 0);
    assert_eq!(cancer["status"], "family");
    assert_eq!(codes(cancer)[0], "Z80.3", "{cancer}");
    // Hypertension has no history code: listed under past medical history it is current.
    let htn = condition(&cs, "Hypertension", 0);
    assert_eq!(
        (htn["status"].as_str(), codes(htn)[0]),
        (Some("current"), "I10")
    );
    assert_eq!(htn["section"], "past-history");
    // The sentence chooses among codes: uncontrolled (hyperglycemia), laterality, stage.
    let dm = condition(&cs, "Type 2 diabetes mellitus", 0);
    assert_eq!(codes(dm)[0], "E11.65", "{dm}");
    assert_eq!(dm["coded"], true, "E11.9 is in the note: {dm}");
    assert_eq!(dm["section"], "diagnoses");
    let knee = condition(&cs, "Osteoarthritis of the right knee", 0);
    assert_eq!(codes(knee)[0], "M17.11", "{knee}");
    assert_eq!(knee["coded"], false);
    let ckd = condition(&cs, "CKD", 0);
    assert_eq!(codes(ckd)[0], "N18.30", "{ckd}");
    // Every object names its place in the file.
    for c in &cs {
        let (start, end) = (
            c["start"].as_u64().unwrap() as usize,
            c["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&VISIT[start..end], c["text"].as_str().unwrap());
        assert_eq!(c["path"], path.display().to_string());
    }
}

/// How a CDI set's gold codes fared: of `total`, how many have their category among some
/// current condition's candidates (the three `dxpx suggest` shows, as the editor does), the
/// code itself, and the code as a condition's first candidate.
#[derive(Clone, Copy, Default)]
struct Scores {
    total: usize,
    category: usize,
    exact: usize,
    first: usize,
}

impl Scores {
    fn pct(&self, n: usize) -> f64 {
        100.0 * n as f64 / self.total as f64
    }

    fn and(self, other: Scores) -> Scores {
        Scores {
            total: self.total + other.total,
            category: self.category + other.category,
            exact: self.exact + other.exact,
            first: self.first + other.first,
        }
    }
}

fn cdi_scores(set: &str) -> Option<Scores> {
    let dir = common::shared()?.join("corpus").join(set);
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let notes: Vec<Value> = expected
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let paths: Vec<PathBuf> = notes
        .iter()
        .map(|n| dir.join(n["file"].as_str().unwrap()))
        .collect();
    // One run over every note: the word index is built once.
    let all = suggest(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    let mut s = Scores::default();
    let mut missed = Vec::new();
    for (note, path) in notes.iter().zip(&paths) {
        let path = path.display().to_string();
        let usable: Vec<&Value> = all
            .iter()
            .filter(|c| c["path"] == path.as_str())
            .filter(|c| !matches!(c["status"].as_str(), Some("negated" | "hypothetical")))
            .collect();
        let candidates: BTreeSet<&str> = usable.iter().flat_map(|c| codes(c)).collect();
        let gold: BTreeSet<&str> = note["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        for code in gold {
            s.total += 1;
            let cat = candidates.iter().any(|c| c[..3] == code[..3]);
            s.category += cat as usize;
            s.exact += candidates.contains(code) as usize;
            s.first += usable.iter().any(|c| codes(c)[0] == code) as usize;
            if !cat {
                missed.push(format!("{} {code}", note["note_id"]));
            }
        }
    }
    eprintln!(
        "{set}: {} gold codes; category among candidates {} ({:.0}%), exact {} ({:.0}%), exact as a condition's first candidate {} ({:.0}%); categories missed: {missed:?}",
        s.total,
        s.category,
        s.pct(s.category),
        s.exact,
        s.pct(s.exact),
        s.first,
        s.pct(s.first)
    );
    Some(s)
}

/// The CDI set: real notes with their codes removed, and the codes they had. 14 of its 16
/// gold codes can be found, as two have no words in their notes (Z23 from a vaccine's CPT
/// line that was cut, I10 from a line "Mild hypertension at 160/84" that was cut, leaving a
/// stress test's blood pressure); dxpx finds all 14 categories and 13 codes.
#[test]
fn cdi_notes_get_their_gold_codes() {
    let Some(s) = cdi_scores("cdi") else {
        return;
    };
    assert_eq!(s.total, 16);
    assert!(s.category >= 14, "category {}", s.category);
    assert!(s.exact >= 13, "exact {}", s.exact);
}

const CDI_V2_FLOOR: (f64, f64, f64) = (96.0, 89.5, 86.0);

/// The larger CDI set (136 notes of labeled-v2 with their codes removed). These floors hold
/// what dxpx reaches with the three candidates a user is shown (session 7: 96% / 90% / 86%,
/// from 86% / 80% / 79%), so that no change loses it.
#[test]
fn the_larger_cdi_set_gets_its_gold_codes() {
    let Some(s) = cdi_scores("cdi-v2") else {
        return;
    };
    assert_eq!(s.total, 195);
    assert!(
        s.pct(s.category) >= CDI_V2_FLOOR.0,
        "category {:.0}%",
        s.pct(s.category)
    );
    assert!(
        s.pct(s.exact) >= CDI_V2_FLOOR.1,
        "exact {:.0}%",
        s.pct(s.exact)
    );
    assert!(
        s.pct(s.first) >= CDI_V2_FLOOR.2,
        "first {:.0}%",
        s.pct(s.first)
    );
}

/// Issue 18's lines over both CDI sets' 211 gold codes: the category among a current
/// condition's candidates for 92%, the code for 80%, the code first for 65%.
#[test]
fn both_cdi_sets_meet_the_documentation_hint_lines() {
    let (Some(cdi), Some(v2)) = (cdi_scores("cdi"), cdi_scores("cdi-v2")) else {
        return;
    };
    let s = cdi.and(v2);
    assert!(
        s.pct(s.category) >= 92.0,
        "category {:.1}%",
        s.pct(s.category)
    );
    assert!(s.pct(s.exact) >= 80.0, "exact {:.1}%", s.pct(s.exact));
    assert!(s.pct(s.first) >= 65.0, "first {:.1}%", s.pct(s.first));
}

/// Negation, history, family and doubt on sentences of real MTSamples notes, found by a few
/// of their words.
#[test]
fn real_sentences_read_as_a_coder_reads_them() {
    let Some(shared) = common::shared() else {
        return;
    };
    let notes = shared.join("corpus/mtsamples/dev_subset_300/notes");
    let cases: &[(&str, &str, &str)] = &[
        (
            "denies chest pain or shortness of breath",
            "chest pain",
            "negated",
        ),
        (
            "denies chest pain or shortness of breath",
            "shortness of breath",
            "negated",
        ),
        (
            "denies any fevers, chills, or night sweats",
            "night sweats",
            "negated",
        ),
        ("Denies history of seizures, strokes", "strokes", "negated"),
        (
            "history of urethral stricture",
            "urethral stricture",
            "history",
        ),
        ("Rule out ascites", "ascites", "hypothetical"),
        (
            "mother was diagnosed with Alzheimer",
            "Alzheimer disease",
            "family",
        ),
        (
            "no evidence of aortic dissection",
            "aortic dissection",
            "negated",
        ),
    ];
    let files: Vec<PathBuf> = std::fs::read_dir(&notes)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for (words, written, want) in cases {
        let (path, at) = files
            .iter()
            .find_map(|p| {
                let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
                text.find(words).map(|at| (p.clone(), at))
            })
            .unwrap_or_else(|| panic!("no note says {words:?}"));
        let cs = suggest(&[&path]);
        let c = condition(&cs, written, at);
        assert_eq!(c["status"], *want, "{words:?} in {}: {c}", path.display());
    }
}

fn hint_client(options: Value) -> Client {
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), options);
    c
}

/// Waits until the server publishes hints for `uri` (the automaton builds in the background).
fn diagnostics_with_hints(c: &mut Client, uri: &str) -> Vec<Value> {
    for _ in 0..50 {
        let diags = c.diagnostics(uri, None);
        if diags
            .iter()
            .any(|d| d["code"] == "dxpx/documented-not-coded")
        {
            return diags;
        }
    }
    panic!("no documentation hints for {uri}");
}

/// Neovim 0.11 pulls diagnostics but cannot be asked to pull again (no
/// `workspace.diagnostics.refreshSupport`): the hints, ready after the first pull, would wait
/// for the next edit. Such a client gets diagnostics pushed, hints included, with no edit.
#[test]
fn a_client_that_pulls_but_takes_no_refresh_gets_the_hints_pushed() {
    let mut c = Client::start(&["lsp"]);
    let neovim_0_11 = json!({
        "textDocument": {
            "diagnostic": {"dynamicRegistration": false},
            "publishDiagnostics": {"relatedInformation": true, "tagSupport": {"valueSet": [1, 2]}},
            "codeLens": {"dynamicRegistration": false},
            "inlayHint": {"dynamicRegistration": true}
        },
        "workspace": {"inlayHint": {"refreshSupport": true}, "semanticTokens": {"refreshSupport": true}}
    });
    let r = c.initialize(neovim_0_11, json!({}));
    assert!(
        r["capabilities"]["diagnosticProvider"].is_null(),
        "pull offered to a client that cannot re-pull: {r}"
    );
    let uri = "file:///tmp/dxpx-test/neovim.note";
    c.open(uri, VISIT);
    // Only didOpen was sent: what arrives later arrives by push.
    let diags = diagnostics_with_hints(&mut c, uri);
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "dxpx/documented-not-coded")
    );
    // Said in the editor's log at the information level, not on stderr (Neovim files that
    // under [ERROR]).
    assert_eq!(c.wait_for_log("documentation hints ready"), 3);
    assert!(!c.stderr.lock().unwrap().contains("hints ready"));
    c.shutdown();
}

/// The client Neovim 0.11 is: it pulls diagnostics, takes no refresh, and so gets them pushed.
fn neovim_0_11() -> Client {
    let mut c = Client::start(&["lsp"]);
    c.initialize(
        json!({
            "textDocument": {
                "diagnostic": {"dynamicRegistration": false},
                "publishDiagnostics": {"relatedInformation": true},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}}
            }
        }),
        json!({}),
    );
    c
}

const KNEE_VISIT: &str = "\
Date of service: 2026-11-02
Osteoarthritis of the right knee, worse with stairs; injected today.
CPT: 99213-25, 20610-RT
";

/// One missing diagnosis is two errors here (the office visit and the injection): the hint
/// knows the condition, and one action, offered on either procedure, writes it where the
/// note keeps its codes and resolves both.
#[test]
fn one_action_adds_the_documented_diagnosis_for_every_procedure_of_the_encounter() {
    let mut c = neovim_0_11();
    let uri = "file:///tmp/dxpx-test/knee.note";
    c.open(uri, KNEE_VISIT);
    let diags = diagnostics_with_hints(&mut c, uri);
    let unsupported: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "dxpx/unsupported-procedure")
        .collect();
    assert_eq!(unsupported.len(), 2, "{diags:#?}");
    let injection = unsupported
        .iter()
        .find(|d| d["range"]["start"] == position_of(KNEE_VISIT, "20610"))
        .unwrap();
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": injection["range"], "context": {"diagnostics": [injection]}}),
    );
    let actions = actions.as_array().unwrap();
    let add: Vec<&Value> = actions
        .iter()
        .filter(|a| a["title"].as_str().unwrap().starts_with("Add diagnosis"))
        .collect();
    let first = add
        .first()
        .unwrap_or_else(|| panic!("no add-diagnosis fix: {actions:#?}"));
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .starts_with("Add diagnosis M17.11")
            && first["title"]
                .as_str()
                .unwrap()
                .ends_with("(supports 99213, 20610)"),
        "the documented condition first, for both procedures: {first}"
    );
    assert_eq!(first["isPreferred"], true);
    assert_eq!(first["diagnostics"].as_array().unwrap().len(), 2, "{first}");
    // The last resort, last: a suppression that asks for its reason.
    let last = actions.last().unwrap();
    assert_eq!(
        last["title"],
        "Suppress unsupported-procedure here, with a reason"
    );
    let fixed = apply(
        KNEE_VISIT,
        first["edit"]["changes"][uri].as_array().unwrap(),
    );
    assert!(
        fixed.contains("\nDx: M17.11\nCPT: 99213-25, 20610-RT\n"),
        "{fixed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let after = c.diagnostics(uri, Some(2));
    assert!(
        !after
            .iter()
            .any(|d| d["code"] == "dxpx/unsupported-procedure"),
        "every procedure of the encounter is supported: {after:#?}"
    );
    assert!(
        !after
            .iter()
            .any(|d| d["code"] == "dxpx/documented-not-coded"),
        "and the condition is coded: {after:#?}"
    );
    c.shutdown();
}

/// Completion on an empty `Dx: ` of an encounter offers the condition it documents first.
#[test]
fn completion_on_an_empty_dx_offers_the_documented_condition_first() {
    let mut c = neovim_0_11();
    let uri = "file:///tmp/dxpx-test/empty-dx.note";
    let text = format!("{KNEE_VISIT}Dx: ");
    c.open(uri, &text);
    diagnostics_with_hints(&mut c, uri);
    let list = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 4}}),
    );
    let first = &list["items"][0];
    assert_eq!(first["label"], "M17.11", "{list}");
    assert!(
        first["detail"]
            .as_str()
            .unwrap()
            .contains("documented: Osteoarthritis of the right knee"),
        "{first}"
    );
    c.shutdown();
}

/// "Fix all" applies only what needs no judgment: the dot of an undotted code and the one
/// exact GEM target, never a choice among candidates.
#[test]
fn fix_all_applies_the_safe_fixes_only() {
    let mut c = neovim_0_11();
    let uri = "file:///tmp/dxpx-test/fix-all.note";
    let text = "Dx: E119, I10\nICD-9: 530.81, 401.9\nDx: E11.99\n";
    c.open(uri, text);
    c.diagnostics(uri, Some(1));
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.dxpx");
    let fixed = apply(text, actions[0]["edit"]["changes"][uri].as_array().unwrap());
    // 401.9's GEM to I10 is approximate, and E11.99 has candidates: both are choices.
    assert_eq!(fixed, "Dx: E11.9, I10\nICD-9: K21.9, 401.9\nDx: E11.99\n");
    c.shutdown();
}

/// A suppression written by the quick fix silences the finding once its reason is written.
#[test]
fn the_suppression_fix_writes_a_comment_that_asks_for_its_reason() {
    let mut c = neovim_0_11();
    let uri = "file:///tmp/dxpx-test/suppress.note";
    let text = "Plan:\n  ICD-9: 250.00\n";
    c.open(uri, text);
    let diags = c.diagnostics(uri, Some(1));
    let retired = diags
        .iter()
        .find(|d| d["code"] == "dxpx/retired-code")
        .unwrap();
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": retired["range"], "context": {"diagnostics": [retired]}}),
    );
    let suppress = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Suppress retired-code")
        })
        .unwrap();
    let fixed = apply(text, suppress["edit"]["changes"][uri].as_array().unwrap());
    assert_eq!(
        fixed,
        "Plan:\n  dxpx-ignore: retired-code reason=\"\"\n  ICD-9: 250.00\n"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let codes: Vec<Value> = c
        .diagnostics(uri, Some(2))
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(
        codes,
        ["dxpx/suppression-without-reason", "dxpx/retired-code"],
        "not silent until it says why"
    );
    let reasoned = fixed.replace("reason=\"\"", "reason=\"historic record\"");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": reasoned}]}),
    );
    assert!(c.diagnostics(uri, Some(3)).is_empty());
    c.shutdown();
}

#[test]
fn the_server_hints_at_conditions_not_coded_and_codes_too_vague() {
    let mut c = hint_client(json!({}));
    let uri = "file:///tmp/dxpx-test/hints.note";
    c.open(uri, VISIT);
    let diags = diagnostics_with_hints(&mut c, uri);
    let at = |rule: &str, text: &str| {
        diags
            .iter()
            .find(|d| d["code"] == rule && d["range"]["start"] == position_of(VISIT, text))
            .unwrap_or_else(|| panic!("no {rule} at {text:?}: {diags:#?}"))
            .clone()
    };
    let knee = at(
        "dxpx/documented-not-coded",
        "Osteoarthritis of the right knee",
    );
    assert_eq!(knee["severity"], 4, "a hint");
    assert!(
        knee["message"].as_str().unwrap().contains("M17.11"),
        "{knee}"
    );
    let vague = at("dxpx/more-specific-code", "E11.9");
    assert!(
        vague["message"].as_str().unwrap().contains("E11.65"),
        "{vague}"
    );
    // Never on what the note says the patient does not have, or did not have now.
    for quiet in ["chest pain", "stroke", "breast cancer", "pneumonia"] {
        assert!(
            !diags
                .iter()
                .any(|d| d["range"]["start"] == position_of(VISIT, quiet)),
            "a hint on {quiet:?}: {diags:#?}"
        );
    }
    // The quick fixes insert the candidates after the phrase; the first is preferred.
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": knee["range"], "context": {"diagnostics": [knee]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Add M17.11")),
        "{titles:?}"
    );
    let add = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Add M17.11"))
        .unwrap();
    assert_eq!(add["isPreferred"], true);
    let edit = &add["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], " (M17.11)");
    // Hover on the phrase: the candidates and why.
    let h = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_of(VISIT, "Osteoarthritis of the right knee")}),
    );
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("M17.11") && text.contains("right") && text.contains("current"),
        "{text}"
    );
    assert!(!text.contains("\n4. "), "at most three candidates: {text}");
    // The setting turns them off.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dxpx": {"documentationHints": false}}}),
    );
    let quiet = c.diagnostics(uri, None);
    let hints = ["dxpx/documented-not-coded", "dxpx/more-specific-code"];
    assert!(
        !quiet
            .iter()
            .any(|d| hints.contains(&d["code"].as_str().unwrap())),
        "{quiet:#?}"
    );
    c.shutdown();
}

/// A `dxpx-ignore` silences a documentation hint as it does any finding: the hints go
/// through the same finishing step as the rules.
#[test]
fn a_suppression_silences_a_documentation_hint() {
    let mut c = hint_client(json!({}));
    let uri = "file:///tmp/dxpx-test/suppressed-hint.note";
    let text = VISIT.replace(
        "2. Osteoarthritis",
        "dxpx-ignore: documented-not-coded reason=\"coded on the claim\"\n2. Osteoarthritis",
    );
    c.open(uri, &text);
    let diags = diagnostics_with_hints(&mut c, uri);
    let knee = position_of(&text, "Osteoarthritis of the right knee");
    assert!(
        !diags.iter().any(|d| d["range"]["start"] == knee),
        "the suppressed hint is gone: {diags:#?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "dxpx/documented-not-coded"),
        "the others stay"
    );
    c.shutdown();
}

/// `dxpx check --hints` reports the documentation hints the editor shows, at the same
/// places with the same messages; without the flag it reports none.
#[test]
fn check_with_hints_agrees_with_the_editor() {
    let path = written_note("agree.note", VISIT);
    let run = |hints: bool| {
        let mut args = vec!["check", "--format", "json", "--fail-on", "never"];
        if hints {
            args.push("--hints");
        }
        args.push(path.to_str().unwrap());
        common::run_json_lines(&args)
    };
    let key = |rule: &Value, line: &Value, character: &Value, message: &Value| {
        format!("{rule} {line}:{character} {message}")
    };
    let mut cli: Vec<String> = run(true)
        .iter()
        .map(|f| key(&f["rule"], &f["line"], &f["character"], &f["message"]))
        .collect();
    cli.sort();
    assert!(cli.iter().any(|k| k.contains("dxpx/documented-not-coded")));
    assert!(
        !run(false)
            .iter()
            .any(|f| f["rule"] == "dxpx/documented-not-coded")
    );
    let mut c = hint_client(json!({}));
    let uri = "file:///tmp/dxpx-test/agree.note";
    c.open(uri, VISIT);
    let mut editor: Vec<String> = diagnostics_with_hints(&mut c, uri)
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            key(
                &d["code"],
                &start["line"],
                &start["character"],
                &d["message"],
            )
        })
        .collect();
    editor.sort();
    assert_eq!(cli, editor);
    c.shutdown();
}

/// Issue 18's sentences, each read as a documentation specialist reads it.
#[test]
fn results_risk_factors_and_chronic_histories() {
    let text = "HIV titers were negative.\nHIV testing was unremarkable.\nHIV, hepatitis B and hepatitis C were negative.\nRisk factors including diabetes and hyperlipidemia.\nShe also has a significant history of chronic renal insufficiency.\nSevere GI bleed in July.\n";
    let path = written_note("issue18.note", text);
    let cs = suggest(&[&path]);
    let at = |s: &str| text.find(s).unwrap();
    for (written, from) in [
        ("HIV", 0),
        ("HIV", at("HIV testing")),
        ("HIV", at("HIV, hepatitis")),
    ] {
        assert_eq!(
            condition(&cs, written, from)["status"],
            "negated",
            "{written} at {from}"
        );
    }
    let lipids = condition(&cs, "hyperlipidemia", 0);
    assert_eq!(
        lipids["status"], "current",
        "a risk factor is the patient's: {lipids}"
    );
    let ckd = condition(&cs, "chronic renal insufficiency", 0);
    assert_eq!(ckd["status"], "current", "{ckd}");
    assert_eq!(codes(ckd)[0], "N18.9");
    assert!(
        codes(ckd).iter().all(|c| !c.starts_with("Z85")),
        "no history of a kidney cancer: {ckd}"
    );
    assert_eq!(codes(condition(&cs, "GI bleed", 0)), ["K92.2"]);
}

/// The editor and `dxpx suggest` show three candidates a condition; `--all` shows up to five.
#[test]
fn three_candidates_are_shown_and_all_on_request() {
    let path = written_note("candidates.note", "Assessment: type 2 diabetes mellitus.\n");
    let shown = suggest(&[&path]);
    let all_flag: Vec<Value> = {
        let out = std::process::Command::new(common::dxpx())
            .args(["suggest", "--json", "--all"])
            .arg(&path)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let diabetes = |cs: &[Value]| codes(condition(cs, "type 2 diabetes mellitus", 0)).len();
    assert_eq!(diabetes(&shown), 3);
    assert_eq!(
        diabetes(&all_flag),
        5,
        "E11 has many codes; --all shows five"
    );
}

/// Issue 18's examples, each its own note (one encounter), read as a documentation
/// specialist reads them: the status, the first candidates, and what is no condition.
#[test]
fn the_issues_examples_read_as_a_specialist_reads_them() {
    let examples: &[(&str, &str)] = &[
        (
            "family",
            "Familial medical history is significant for diabetes.\n",
        ),
        (
            "neuropathy",
            "He is a type 2 diabetic with significant neuropathy.\n",
        ),
        (
            "renal",
            "She is an insulin-dependent type 2 diabetic with end-stage renal failure on hemodialysis.\n",
        ),
        (
            "hypoglycemia",
            "Assessment: type 2 diabetes with an episode of hypoglycemia.\n",
        ),
        ("nodes", "There is right axillary lymphadenopathy.\n"),
        (
            "palsy",
            "He has spastic right hemiparetic cerebral palsy.\n",
        ),
        ("prostate", "Prostate biopsy with Gleason 6 cancer.\n"),
        (
            "shoulder",
            "PAST MEDICAL HISTORY: Diabetes and surgery of the left shoulder.\n",
        ),
        ("place", "She was seen at the cancer center last week.\n"),
        ("season", "In the fall of 2007 she moved to Texas.\n"),
        ("event", "She hurt her wrist after a fall.\n"),
        ("test", "A stress nuclear study was done.\n"),
        ("scar", "The abdomen shows a well healed scar.\n"),
        (
            "spine",
            "MRI shows cervical stenosis and a lumbar disc herniation.\n",
        ),
        ("words-inside", "There is stenosis of the cervical spine.\n"),
        ("ulnar", "He has left ulnar nerve entrapment.\n"),
        (
            "scope",
            "She has a known history of lung cancer and acute hemoptysis with associated chest pain.\n",
        ),
        ("stage", "CKD stage IV.\n"),
        ("knee", "Degenerative joint disease of the right knee.\n"),
        ("goal", "Weight loss will help her knees.\n"),
        ("lost", "She reports a 20-pound weight loss since June.\n"),
    ];
    let paths: Vec<PathBuf> = examples
        .iter()
        .map(|(name, text)| written_note(&format!("example-{name}.note"), text))
        .collect();
    let all = suggest(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    let of = |name: &str| -> Vec<Value> {
        let i = examples.iter().position(|(n, _)| *n == name).unwrap();
        let path = paths[i].display().to_string();
        all.iter()
            .filter(|c| c["path"] == path.as_str())
            .cloned()
            .collect()
    };
    let first = |name: &str, written: &str| -> String {
        let cs = of(name);
        codes(condition(&cs, written, 0))[0].to_string()
    };
    let written = |name: &str| -> Vec<String> {
        of(name)
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_lowercase())
            .collect()
    };

    assert_eq!(condition(&of("family"), "diabetes", 0)["status"], "family");
    // Combination codes, with the "use additional code" companions kept as their own.
    assert_eq!(first("neuropathy", "diabetic"), "E11.40");
    assert!(
        !written("neuropathy").contains(&"neuropathy".to_string()),
        "{:?}",
        of("neuropathy")
    );
    assert_eq!(first("renal", "diabetic"), "E11.22");
    assert_eq!(first("renal", "end-stage renal failure"), "N18.6");
    assert_eq!(first("renal", "on hemodialysis"), "Z99.2");
    assert!(of("renal").iter().all(|c| !codes(c).contains(&"N19")));
    assert_eq!(first("hypoglycemia", "type 2 diabetes"), "E11.649");
    assert!(
        of("hypoglycemia")
            .iter()
            .all(|c| !codes(c).iter().any(|x| x.starts_with("E16"))),
        "E16.2's Excludes1 forbids it beside E11.649: {:?}",
        of("hypoglycemia")
    );
    // Sites and sides from the phrase and the words beside it.
    assert_eq!(first("nodes", "lymphadenopathy"), "R59.0");
    assert_eq!(first("palsy", "cerebral palsy"), "G80.2");
    assert_eq!(first("prostate", "cancer"), "C61");
    let shoulder = of("shoulder");
    let diabetes = condition(&shoulder, "Diabetes", 0);
    assert_eq!(codes(diabetes)[0], "E11.9", "{diabetes}");
    // Words that are no condition here.
    for name in ["place", "season", "event", "test", "scar", "goal"] {
        assert!(of(name).is_empty(), "{name}: {:?}", of(name));
    }
    assert_eq!(first("lost", "weight loss"), "R63.4");
    // Vocabulary a coder would not miss.
    assert_eq!(first("spine", "cervical stenosis"), "M48.02");
    assert!(first("spine", "disc herniation").starts_with("M51.2"));
    assert_eq!(
        first("words-inside", "stenosis of the cervical spine"),
        "M48.02"
    );
    assert_eq!(first("ulnar", "ulnar nerve entrapment"), "G56.22");
    let scope = of("scope");
    assert_eq!(condition(&scope, "lung cancer", 0)["status"], "history");
    let pain = condition(&scope, "chest pain", 0);
    assert_eq!(
        (pain["status"].as_str(), codes(pain)[0]),
        (Some("current"), "R07.9")
    );
    assert_eq!(first("stage", "CKD"), "N18.4");
    assert_eq!(
        first("knee", "Degenerative joint disease of the right knee"),
        "M17.11"
    );

    // The hint's quick fix inserts the combination code.
    let i = examples
        .iter()
        .position(|(n, _)| *n == "hypoglycemia")
        .unwrap();
    let findings = check_with_hints(&paths[i]);
    let hint = findings
        .iter()
        .find(|f| f["rule"] == "dxpx/documented-not-coded")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        hint["fixes"][0]
            .as_str()
            .unwrap()
            .starts_with("Add E11.649"),
        "{hint}"
    );
}

/// `dxpx check --hints --format json` on one file: its findings.
fn check_with_hints(path: &Path) -> Vec<Value> {
    common::run_json_lines(&[
        "check",
        "--hints",
        "--format",
        "json",
        "--fail-on",
        "never",
        path.to_str().unwrap(),
    ])
}

/// A hint says what the code would weigh: "I50.9 → I50.23: MCC, HCC 224" where the note's own
/// words are the specific code's title, and the CC and HCC of a documented but uncoded
/// condition.
#[test]
fn hints_carry_the_codes_weight() {
    let path = written_note(
        "weight.note",
        "Date of service: 2026-11-02\nAssessment: acute on chronic systolic heart failure. Chronic kidney disease stage 4.\nDx: I50.9\n",
    );
    let findings = check_with_hints(&path);
    let message = |rule: &str| -> String {
        findings
            .iter()
            .find(|f| f["rule"] == rule)
            .map(|f| f["message"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {rule}: {findings:#?}"))
    };
    assert!(
        message("dxpx/more-specific-code")
            .ends_with("(I50.9 → I50.23: MCC, HCC 224 Acute on Chronic Heart Failure)"),
        "{findings:#?}"
    );
    assert!(
        message("dxpx/documented-not-coded").ends_with(
            "N18.4 Chronic kidney disease, stage 4 (severe); it would count: CC, HCC 327 Chronic Kidney Disease, Severe (Stage 4)"
        ),
        "{findings:#?}"
    );
}
