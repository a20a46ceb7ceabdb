//! Every rule, positive and negative, through the language server (the diagnostic, and its
//! quick fix applied to the text) and through the command line.

mod common;

use common::lsp::{Client, apply};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

struct Case {
    rule: &'static str,
    positive: &'static str,
    negative: &'static str,
    /// The text after the first quick fix is applied, when the rule has one.
    fixed: Option<&'static str>,
}

const CONFIG: &str = r#"
[[support]]
name = "HbA1c"
source = "test"
procedures = ["83036"]
diagnoses = ["E08-E13", "R73"]
"#;

const CASES: &[Case] = &[
    Case {
        rule: "undotted-code",
        positive: "Dx: E119\n",
        negative: "Dx: E11.9\n",
        fixed: Some("Dx: E11.9\n"),
    },
    Case {
        rule: "unsupported-procedure",
        positive: "CPT 99213\n",
        negative: "CPT 99213\nDx: I10\n",
        fixed: None,
    },
    Case {
        rule: "diagnosis-mismatch",
        positive: "Date of service: 01/05/2026\nDx: E11.9\nDate of service: 02/05/2026\nOrders: 83036\nDx: J30.2\n",
        negative: "Orders: 83036\nDx: E11.9\n",
        fixed: Some(
            "Date of service: 01/05/2026\nDx: E11.9\nDate of service: 02/05/2026\nOrders: 83036 (Dx E11.9)\nDx: J30.2\n",
        ),
    },
    Case {
        rule: "invalid-code",
        positive: "Dx: E11.99\n",
        negative: "Dx: E11.9\n",
        fixed: Some("Dx: E11.9\n"),
    },
    Case {
        rule: "non-billable-code",
        positive: "Dx: M54.5\n",
        negative: "Dx: M54.50\n",
        fixed: Some("Dx: M54.50\n"),
    },
    Case {
        rule: "missing-seventh-character",
        positive: "Dx: S72.001\n",
        negative: "Dx: S72.001A\n",
        fixed: Some("Dx: S72.001A\n"),
    },
    Case {
        rule: "retired-code",
        positive: "ICD-9: 250.00\n",
        negative: "ICD-10: E11.9\n",
        fixed: Some("ICD-9: E11.9\n"),
    },
    Case {
        rule: "retired-code",
        positive: "Date of service: 11/02/2026\nDx: T52.8X1A\n",
        negative: "Date of service: 05/04/2026\nDx: T52.8X1A\n",
        fixed: Some("Date of service: 11/02/2026\nDx: T52.891A\n"),
    },
    Case {
        rule: "not-yet-valid-code",
        positive: "Date of service: 08/03/2026\nDx: D69.11\n",
        negative: "Date of service: 11/02/2026\nDx: D69.11\n",
        fixed: Some("Date of service: 08/03/2026\nDx: D69.1\n"),
    },
    Case {
        rule: "excludes1-conflict",
        positive: "Dx: E10.9, E11.9\n",
        negative: "Dx: E11.9, I10\n",
        fixed: None,
    },
    Case {
        rule: "manifestation-without-etiology",
        positive: "Dx: D63.1\nDx: N18.4\n",
        negative: "Dx: N18.4\nDx: D63.1\n",
        fixed: None,
    },
    Case {
        rule: "external-cause-alone",
        positive: "Dx: W00.0XXA\n",
        negative: "Dx: S52.501A, W00.0XXA\n",
        fixed: None,
    },
    Case {
        rule: "invalid-modifier",
        positive: "Dx: I10\nCPT 99213-2Z\n",
        negative: "Dx: I10\nCPT 99213-25\n",
        fixed: None,
    },
    Case {
        rule: "terminated-code",
        positive: "Date of service: 02/10/2026\nDx: J44.1\nHCPCS A7011\n",
        negative: "Date of service: 02/10/2026\nDx: J44.1\nHCPCS A7003\n",
        fixed: None,
    },
    Case {
        rule: "suppression-without-reason",
        positive: "# dxpx-ignore: retired-code\nICD-9: 250.00\n",
        negative: "# dxpx-ignore: retired-code reason=\"historic record\"\nICD-9: 250.00\n",
        fixed: None,
    },
    Case {
        rule: "modifier-25-missing",
        positive: "Dx: M17.12\nCPT 99213, 20610-LT\n",
        negative: "Dx: M17.12\nCPT 99213-25, 20610-LT\n",
        fixed: Some("Dx: M17.12\nCPT 99213-25, 20610-LT\n"),
    },
    Case {
        rule: "em-distinct-modifier",
        positive: "Dx: M17.12\nCPT 99213-59, 20610-LT\n",
        negative: "Dx: M17.12\nCPT 99213-25, 20610-59\n",
        fixed: Some("Dx: M17.12\nCPT 99213-25, 20610-LT\n"),
    },
    Case {
        rule: "laterality-mismatch",
        positive: "Dx: M17.12\nCPT 27447-RT\n",
        negative: "Dx: M17.12\nCPT 27447-LT\n",
        fixed: None,
    },
    Case {
        rule: "age-conflict",
        positive: "Date of service: 2026-11-02\nDOB: 03/02/1950\nDx: Z38.00\n",
        negative: "Date of service: 2026-11-02\nDOB: 10/30/2026\nDx: Z38.00\n",
        fixed: None,
    },
];

fn rules_of(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            d["code"]
                .as_str()
                .unwrap()
                .trim_start_matches("dxpx/")
                .to_string()
        })
        .collect()
}

fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dxpx-rules-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dxpx.toml"), CONFIG).unwrap();
    dir
}

#[test]
fn each_rule_through_the_language_server() {
    let dir = workspace("lsp");
    let mut c = Client::start(&["lsp"]);
    let root = format!("file://{}", dir.display());
    c.call(
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    for (i, case) in CASES.iter().enumerate() {
        let uri = format!("{root}/case{i}.txt");
        c.open(&uri, case.positive);
        let diags = c.diagnostics(&uri, Some(1));
        let found = diags
            .iter()
            .find(|d| d["code"] == format!("dxpx/{}", case.rule));
        let Some(diag) = found else {
            panic!(
                "{}: no diagnostic in {:?}; got {:?}",
                case.rule,
                case.positive,
                rules_of(&diags)
            )
        };
        if let Some(fixed) = case.fixed {
            let actions = c.call("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}));
            let first = actions
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["diagnostics"][0]["code"] == diag["code"])
                .unwrap_or_else(|| panic!("{}: a quick fix", case.rule));
            let edits = first["edit"]["changes"][&uri].as_array().unwrap();
            assert_eq!(apply(case.positive, edits), fixed, "{}: the fix", case.rule);
        }
        let neg = format!("{root}/neg{i}.txt");
        c.open(&neg, case.negative);
        let diags = c.diagnostics(&neg, Some(1));
        assert!(
            !rules_of(&diags).contains(&case.rule.to_string()),
            "{}: nothing on {:?}, got {:?}",
            case.rule,
            case.negative,
            rules_of(&diags)
        );
    }
    c.shutdown();
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn each_rule_through_the_command_line() {
    let dir = workspace("cli");
    for (i, case) in CASES.iter().enumerate() {
        for (kind, text) in [("pos", case.positive), ("neg", case.negative)] {
            let path = dir.join(format!("{kind}{i}.txt"));
            std::fs::write(&path, text).unwrap();
            let out = Command::new(common::dxpx())
                .args(["check", "--format", "json", "--fail-on", "never"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let rules: Vec<String> = String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .filter(|v| v["kind"] != "visit")
                .map(|v| {
                    v["rule"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("dxpx/")
                        .to_string()
                })
                .collect();
            let has = rules.contains(&case.rule.to_string());
            assert_eq!(has, kind == "pos", "{} on {text:?}: {rules:?}", case.rule);
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn severities_come_from_the_project_file() {
    let dir = workspace("severity");
    std::fs::write(
        dir.join("dxpx.toml"),
        "[rules]\nretired-code = \"hint\"\nunsupported-procedure = \"off\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.txt"), "ICD-9: 250.00\nCPT 99213\n").unwrap();
    let out = Command::new(common::dxpx())
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let findings: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] != "visit")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["severity"], "hint");
    assert_eq!(out.status.code(), Some(0), "a hint does not fail the run");
    std::fs::remove_dir_all(dir).ok();
}

/// On the labelled notes, every expected finding in the gold file is raised (with the
/// example support rules), and nothing on the untouched notes.
#[test]
fn gold_findings_on_the_labelled_notes() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("corpus/labeled");
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/dxpx.toml");
    let out = Command::new(common::dxpx())
        .args(["check", "--format", "json", "--config"])
        .arg(&config)
        .arg(dir.join("notes"))
        .output()
        .unwrap();
    let found: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        // The gold lists what a payer rejects; a hint on how a code is written
        // (undotted-code) is not in it.
        .filter(|v| v["kind"] != "visit" && v["severity"] != "hint")
        .collect();
    let key = |path: &str, rule: &str, start: u64| {
        (
            path.rsplit('/').next().unwrap().to_string(),
            rule.to_string(),
            start,
        )
    };
    let got: std::collections::HashSet<_> = found
        .iter()
        .map(|f| {
            key(
                f["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap().trim_start_matches("dxpx/"),
                f["start"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected = std::collections::HashSet::new();
    for line in std::fs::read_to_string(dir.join("gold.jsonl"))
        .unwrap()
        .lines()
    {
        let g: Value = serde_json::from_str(line).unwrap();
        for f in g["expected_findings"].as_array().unwrap() {
            let rule = match (f["type"].as_str().unwrap(), f["reason"].as_str()) {
                ("unsupported-procedure", Some("diagnosis-mismatch")) => "diagnosis-mismatch",
                (t, _) => t,
            };
            expected.insert(key(
                g["file"].as_str().unwrap(),
                rule,
                f["offset"].as_u64().unwrap(),
            ));
        }
    }
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "expected findings not raised: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "findings the gold does not expect: {extra:?}"
    );
}

/// On the larger labelled set, every expected finding is raised and nothing of those kinds on
/// the untouched notes. The generator judged every code by FY2026, but planted a header line
/// `DOS: 04/08/2010` (a date of service) in 43 notes; dxpx judges a document by its date, so
/// there an ICD-10 code is not yet valid, an ICD-9-CM code is in force, and the gold's
/// `retired-code` / `non-billable-code` for them becomes `not-yet-valid-code` / nothing.
#[test]
fn gold_findings_on_the_larger_labelled_set() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("corpus/labeled-v2");
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/dxpx.toml");
    let out = Command::new(common::dxpx())
        .args([
            "check",
            "--format",
            "json",
            "--as-of",
            "2026-06-01",
            "--config",
        ])
        .arg(&config)
        .arg(dir.join("notes"))
        .output()
        .unwrap();
    type Key = (String, String, u64);
    let got: std::collections::HashSet<Key> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] != "visit")
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            (
                path.rsplit('/').next().unwrap().to_string(),
                f["rule"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("dxpx/")
                    .to_string(),
                f["start"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected: std::collections::HashSet<Key> = std::collections::HashSet::new();
    let mut untouched = Vec::new();
    for line in std::fs::read_to_string(dir.join("gold.jsonl"))
        .unwrap()
        .lines()
    {
        let g: Value = serde_json::from_str(line).unwrap();
        let file = g["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        if !g["modified"].as_bool().unwrap() {
            untouched.push(file.clone());
        }
        let text = std::fs::read_to_string(dir.join(g["file"].as_str().unwrap())).unwrap();
        let before_icd10 = text.split("DOS: ").skip(1).any(|rest| {
            rest.get(6..10)
                .and_then(|y| y.parse::<u32>().ok())
                .is_some_and(|year| year < 2015)
        });
        for f in g["expected_findings"].as_array().unwrap() {
            let rule = match (f["type"].as_str().unwrap(), f["system"].as_str()) {
                ("retired-code", Some("ICD-9-CM")) if before_icd10 => continue,
                ("retired-code" | "non-billable-code", _) if before_icd10 => "not-yet-valid-code",
                (t, _) => t,
            };
            expected.insert((
                file.clone(),
                rule.to_string(),
                f["offset"].as_u64().unwrap(),
            ));
        }
    }
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "expected findings not raised: {missing:?}"
    );
    let kinds = [
        "retired-code",
        "non-billable-code",
        "invalid-code",
        "unsupported-procedure",
        "diagnosis-mismatch",
    ];
    let on_untouched: Vec<_> = got.iter().filter(|k| untouched.contains(&k.0)).collect();
    assert!(
        on_untouched.is_empty(),
        "findings on untouched notes: {on_untouched:?}"
    );
    // Beyond the gold: only the six ICD-9-CM codes an original note wrote after their
    // conditions (see tests/scan_corpus.rs), which are retired.
    let extra: Vec<_> = got
        .difference(&expected)
        .filter(|k| kinds.contains(&k.1.as_str()))
        .collect();
    assert!(
        extra
            .iter()
            .all(|k| k.0 == "mts_1996.txt" && k.1 == "retired-code")
            && extra.len() == 6,
        "findings the gold does not expect: {extra:?}"
    );
}

/// The rules that only charge sheets and claims raise, positive and negative, through the
/// language server and the command line.
#[test]
fn sheet_rules_through_both_paths() {
    let cases = [
        (
            "dangling-pointer",
            "cpt,pointer,dx1,dx2\n99213,AC,I10,E11.9\n",
            "cpt,pointer,dx1,dx2\n99213,AB,I10,E11.9\n",
        ),
        (
            "malformed-file",
            "cpt,dx1,dx2\n99213,I10\n",
            "cpt,dx1,dx2\n99213,I10,\n",
        ),
    ];
    let dir = workspace("sheets");
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), json!({}));
    for (i, (rule, positive, negative)) in cases.iter().enumerate() {
        for (kind, text) in [("pos", positive), ("neg", negative)] {
            let uri = format!("file:///tmp/dxpx-sheet-rules/{kind}{i}.csv");
            c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "csv", "version": 1, "text": text}}));
            let diags = c.diagnostics(&uri, Some(1));
            assert_eq!(
                rules_of(&diags).contains(&rule.to_string()),
                kind == "pos",
                "LSP {rule} on {text:?}: {:?}",
                rules_of(&diags)
            );
            let path = dir.join(format!("{kind}{i}.csv"));
            std::fs::write(&path, text).unwrap();
            let out = Command::new(common::dxpx())
                .args(["check", "--format", "json", "--fail-on", "never"])
                .arg(&path)
                .output()
                .unwrap();
            let has = String::from_utf8(out.stdout)
                .unwrap()
                .contains(&format!("\"dxpx/{rule}\""));
            assert_eq!(has, kind == "pos", "CLI {rule} on {text:?}");
        }
    }
    c.shutdown();
    std::fs::remove_dir_all(dir).ok();
}

/// Where the add-diagnosis fix writes in a note: on the encounter's diagnosis line (after
/// its last code, or after an empty label), else on a new `Dx:` line above the procedure.
/// Applied, it leaves no procedure of the encounter unsupported.
#[test]
fn the_add_diagnosis_fix_writes_where_the_note_keeps_its_codes() {
    let scanner = dxpx::scan::Scanner::new(dxpx::codes::CodeSets::embedded());
    let config = dxpx::config::Config::default();
    let earlier = "Date of service: 03/02/2026\nDx: I10\nDate of service: 03/09/2026\n";
    for (later, fixed) in [
        ("Dx:\nCPT 36415\n", "Dx: I10\nCPT 36415\n"),
        ("Dx: E11.\nCPT 36415\n", "Dx: E11, I10.\nCPT 36415\n"),
        (
            "Diagnosis: hypertension follow-up\nCPT 36415\n",
            "Diagnosis: hypertension follow-up (I10)\nCPT 36415\n",
        ),
        (
            "  Blood draw.\n  CPT 36415, 85025\n",
            "  Blood draw.\n  Dx: I10\n  CPT 36415, 85025\n",
        ),
    ] {
        let text = format!("{earlier}{later}");
        let a = dxpx::analysis::analyze(&scanner, &config, "a.note", &text);
        let unsupported: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.rule == dxpx::rules::Rule::UnsupportedProcedure)
            .collect();
        let fix = unsupported
            .first()
            .and_then(|f| f.fixes.first())
            .unwrap_or_else(|| panic!("a fix for {later:?}: {:?}", a.findings));
        assert!(
            unsupported.iter().all(|f| f.fixes.first() == Some(fix)),
            "one fix for all"
        );
        let mut after = text.clone();
        for e in fix.edits.iter().rev() {
            after.replace_range(e.start..e.end, &e.text);
        }
        assert_eq!(after, format!("{earlier}{fixed}"));
        let again = dxpx::analysis::analyze(&scanner, &config, "a.note", &after);
        assert!(
            !again
                .findings
                .iter()
                .any(|f| f.rule == dxpx::rules::Rule::UnsupportedProcedure),
            "{after:?}: {:?}",
            again.findings
        );
    }
}
