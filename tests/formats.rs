//! Charge sheets: every code at its exact place, every procedure linked to the right
//! diagnoses, every expected finding raised (and nothing else).

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

/// The JSON lines of `dxpx scan` or `dxpx check` (less check's lines of kind "visit": the visits'
/// numbers are lines of their own).
fn lines(out: std::process::Output) -> Vec<Value> {
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] != "visit")
        .collect()
}

#[test]
fn charge_sheets_match_their_gold() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("corpus/charges");
    let gold: Vec<Value> = std::fs::read_to_string(dir.join("charges_gold.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sheets: BTreeSet<String> = gold
        .iter()
        .map(|g| g["sheet"].as_str().unwrap().to_string())
        .collect();
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/dxpx.toml");
    for sheet in sheets {
        let path = dir.join(&sheet);
        let mentions = common::json_lines("scan", &[&path]);
        let by_offset: BTreeMap<u64, &Value> = mentions
            .iter()
            .map(|m| (m["start"].as_u64().unwrap(), m))
            .collect();
        let expected: Vec<&Value> = gold
            .iter()
            .filter(|g| g["sheet"] == sheet.as_str())
            .collect();
        assert_eq!(
            mentions.len(),
            expected.len(),
            "{sheet}: one mention per gold code, no more: {mentions:#?}"
        );
        for g in &expected {
            let at = g["offset"].as_u64().unwrap();
            let m = by_offset
                .get(&at)
                .unwrap_or_else(|| panic!("{sheet}: {} at {at} not found", g["text"]));
            assert_eq!(
                m["end"].as_u64().unwrap() - at,
                g["length"].as_u64().unwrap(),
                "{sheet}: span of {}",
                g["text"]
            );
            assert_eq!(m["system"], g["system"], "{sheet}: system of {}", g["text"]);
            let status = match m["status"].as_str().unwrap() {
                "header" => "non-billable",
                s => s,
            };
            assert_eq!(
                status,
                g["status"].as_str().unwrap(),
                "{sheet}: status of {}",
                g["text"]
            );
            if g["role"] == "procedure" {
                let linked: BTreeSet<String> = m["linked"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect();
                let want: BTreeSet<String> = g["linked_dx"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| dxpx::codes::normalize::compact(c.as_str().unwrap()))
                    .collect();
                let linked: BTreeSet<String> = linked
                    .iter()
                    .map(|c| dxpx::codes::normalize::compact(c))
                    .collect();
                assert_eq!(
                    linked, want,
                    "{sheet}: diagnoses linked to {} on row {}",
                    g["text"], g["row"]
                );
            }
        }
        let findings = lines(
            Command::new(common::dxpx())
                .args(["check", "--format", "json", "--config"])
                .arg(&config)
                .arg(&path)
                .output()
                .unwrap(),
        );
        let got: BTreeSet<(u64, String)> = findings
            .iter()
            .map(|f| {
                (
                    f["start"].as_u64().unwrap(),
                    f["rule"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("dxpx/")
                        .to_string(),
                )
            })
            .collect();
        let mut want = BTreeSet::new();
        for g in &expected {
            for f in g["expected_findings"].as_array().unwrap() {
                let rule = match f.as_str().unwrap() {
                    "unsupported-procedure:diagnosis-mismatch" => "diagnosis-mismatch",
                    r => r.split(':').next().unwrap(),
                };
                want.insert((g["offset"].as_u64().unwrap(), rule.to_string()));
            }
        }
        assert_eq!(got, want, "{sheet}: findings");
    }
}

/// Sheets written for this test: glued modifiers, mixed formats, a dangling pointer, a
/// ragged row, and a quoted field.
#[test]
fn messy_sheets() {
    let dir = std::env::temp_dir().join(format!("dxpx-sheets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sheet = dir.join("sheet.csv");
    std::fs::write(
        &sheet,
        "DOS,Procedure,Dx 1,Dx 2,Pointer\n03/02/2026,99213-25,E119,\"I10\",AB\n03/02/2026,93000-2Z,I10,,C\n03/03/2026,36415,dx pending\n",
    )
    .unwrap();
    let mentions = common::json_lines("scan", &[&sheet]);
    let codes: Vec<&str> = mentions
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["99213", "E11.9", "I10", "93000", "I10", "36415"]);
    assert_eq!(mentions[0]["modifiers"], serde_json::json!(["25"]));
    assert_eq!(mentions[0]["linked"], serde_json::json!(["E11.9", "I10"]));
    let findings = lines(
        Command::new(common::dxpx())
            .args(["check", "--format", "json"])
            .arg(&sheet)
            .output()
            .unwrap(),
    );
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"dxpx/invalid-modifier"), "{rules:?}");
    assert!(
        rules.contains(&"dxpx/dangling-pointer"),
        "pointer C names an empty field: {rules:?}"
    );
    assert!(
        rules.contains(&"dxpx/malformed-file"),
        "the last row is short: {rules:?}"
    );
    assert_eq!(
        rules
            .iter()
            .filter(|r| **r == "dxpx/unsupported-procedure")
            .count(),
        2,
        "93000 (dangling pointer) and 36415 (dx pending): {rules:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// X12 837 claims: codes at their places, pointers resolved, ICD-9-CM accepted for services
/// before 2015-10-01 and retired after, and a truncated file reported where it breaks.
#[test]
fn x12_claims() {
    let Some(shared) = common::shared() else {
        return;
    };
    let file = shared.join(
        "corpus/x12/linuxforhealth-x12/837_004010X098A1/dependent-commercial-insurance-02.837",
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let mentions = common::json_lines("scan", &[&file]);
    let hi = text.find("HI*BK:81602").unwrap();
    assert_eq!(
        mentions[0]["start"].as_u64().unwrap() as usize,
        hi + "HI*BK:".len()
    );
    assert_eq!(mentions[0]["code"], "816.02");
    let last = mentions.iter().find(|m| m["code"] == "99283").unwrap();
    assert_eq!(
        last["linked"],
        serde_json::json!(["816.02", "354"]),
        "SV107 1:2"
    );
    let a4570 = mentions.iter().find(|m| m["code"] == "A4570").unwrap();
    assert_eq!(a4570["linked"], serde_json::json!(["816.02"]));
    let findings = lines(
        Command::new(common::dxpx())
            .args(["check", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap(),
    );
    assert!(
        findings.iter().all(|f| f["rule"] != "dxpx/retired-code"),
        "1997 services may use ICD-9-CM: {findings:?}"
    );

    let dir = std::env::temp_dir().join(format!("dxpx-x12-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let late = text
        .replace("19970212", "20260212")
        .replace("19970226", "20260226");
    let cut = &late[..late.find("LX*3").unwrap()];
    std::fs::write(dir.join("late.837"), cut).unwrap();
    let findings = lines(
        Command::new(common::dxpx())
            .args(["check", "--format", "json"])
            .arg(dir.join("late.837"))
            .output()
            .unwrap(),
    );
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"dxpx/retired-code"),
        "ICD-9-CM on a 2026 service: {rules:?}"
    );
    assert!(
        rules.contains(&"dxpx/malformed-file"),
        "the truncated interchange: {rules:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn span_text(text: &str, m: &Value) -> String {
    text[m["start"].as_u64().unwrap() as usize..m["end"].as_u64().unwrap() as usize].to_string()
}

/// FHIR R4: diagnoses by sequence, items linked by diagnosisSequence, procedures, ranges
/// exact; invalid JSON is reported where it breaks.
#[test]
fn fhir_claims() {
    let Some(shared) = common::shared() else {
        return;
    };
    let file = shared.join("corpus/fhir/cms-bfd-idr-v3-eob/ExplanationOfBenefit-Carrier.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let mentions = common::json_lines("scan", &[&file]);
    assert!(
        mentions.iter().all(|m| span_text(&text, m).replace('.', "")
            == m["code"].as_str().unwrap().replace('.', "")),
        "ranges hold the codes"
    );
    let e99213 = mentions.iter().find(|m| m["code"] == "99213").unwrap();
    assert_eq!(
        e99213["linked"],
        serde_json::json!(["M48.062"]),
        "item.diagnosisSequence [1]"
    );
    let modified = mentions.iter().find(|m| m["code"] == "99453").unwrap();
    assert_eq!(modified["modifiers"], serde_json::json!(["A2"]));
    let out = Command::new(common::dxpx())
        .args(["scan", "--json"])
        .arg(shared.join("corpus/fhir/cms-bfd-idr-v3-eob/ExplanationOfBenefit-Outpatient.json"))
        .output()
        .unwrap();
    assert!(
        lines(out)
            .iter()
            .any(|m| m["system"] == "ICD-10-PCS" && m["code"] == "0SG30AJ")
    );

    let dir = std::env::temp_dir().join(format!("dxpx-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = &text[..text.len() / 2];
    std::fs::write(dir.join("broken.json"), broken).unwrap();
    let findings = lines(
        Command::new(common::dxpx())
            .args(["check", "--format", "json"])
            .arg(dir.join("broken.json"))
            .output()
            .unwrap(),
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "dxpx/malformed-file");
    assert!(
        findings[0]["start"].as_u64().unwrap() as usize >= broken.len() - 2,
        "at the place it breaks"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// HL7 v2: DG1 diagnoses, FT1 procedures with FT1-19 diagnoses and FT1-26 modifiers, PR1.
#[test]
fn hl7_messages() {
    let segment = |fields: &[(usize, &str)], id: &str| {
        let n = fields.iter().map(|f| f.0).max().unwrap();
        let mut v = vec![String::new(); n + 1];
        v[0] = id.to_string();
        for (i, f) in fields {
            v[*i] = f.to_string();
        }
        v.join("|")
    };
    let msg = [
        "MSH|^~\\&|BILLING|HOSP|||20260310||DFT^P03|1|P|2.5".to_string(),
        segment(&[(1, "1"), (3, "E11.9^Type 2 diabetes^I10")], "DG1"),
        segment(&[(1, "2"), (3, "I10^Hypertension^I10")], "DG1"),
        segment(
            &[
                (1, "1"),
                (4, "20260310"),
                (19, "E11.9^^I10"),
                (25, "99213^Office visit^C4"),
                (26, "25"),
            ],
            "FT1",
        ),
        segment(&[(1, "2"), (4, "20260310"), (25, "83036^HbA1c^C4")], "FT1"),
        segment(
            &[(1, "1"), (3, "0DTJ4ZZ^Resection^I10P"), (5, "20260310")],
            "PR1",
        ),
        // The CPT code in FT1-7, the transaction code, as many interfaces send it; a
        // chargemaster number there is no code; a coding system of its own is not CPT's.
        segment(
            &[(1, "3"), (4, "20260310"), (7, "36415^Venipuncture^CPT")],
            "FT1",
        ),
        segment(
            &[(1, "4"), (4, "20260310"), (7, "4000123^Room charge")],
            "FT1",
        ),
        segment(&[(1, "5"), (4, "20260310"), (7, "85025^CBC^LOCAL")], "FT1"),
        segment(&[(1, "6"), (4, "20260310"), (7, "99999")], "FT1"),
    ]
    .join("\r");
    let dir = std::env::temp_dir().join(format!("dxpx-hl7-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dft.hl7");
    std::fs::write(&file, &msg).unwrap();
    let mentions = common::json_lines("scan", &[&file]);
    let find = |code: &str| mentions.iter().find(|m| m["code"] == code).unwrap().clone();
    assert!(
        mentions
            .iter()
            .all(|m| span_text(&msg, m) == m["text"].as_str().unwrap())
    );
    let visit = find("99213");
    assert_eq!(visit["linked"], serde_json::json!(["E11.9"]), "FT1-19");
    assert_eq!(visit["modifiers"], serde_json::json!(["25"]), "FT1-26");
    assert_eq!(
        find("83036")["linked"],
        serde_json::json!(["E11.9", "I10"]),
        "no FT1-19: the message's DG1s"
    );
    assert_eq!(find("0DTJ4ZZ")["system"], "ICD-10-PCS");
    assert_eq!(find("36415")["evidence"], "field:FT1-7");
    for absent in ["4000123", "85025", "99999"] {
        assert!(
            !mentions.iter().any(|m| m["code"] == absent),
            "{absent}: {mentions:?}"
        );
    }
    // Segments end at a carriage return: positions are by segment, as LSP counts lines.
    assert_eq!(find("36415")["line"], 6, "the 7th segment");
    std::fs::write(
        &file,
        msg.replace("99213^Office visit", "9921X^Office visit"),
    )
    .unwrap();
    let out = std::process::Command::new(common::dxpx())
        .args(["check", "--fail-on", "never"])
        .arg(&file)
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    let first = report.lines().next().unwrap_or_default();
    assert!(
        first.contains("dft.hl7:4:") && first.contains("invalid-code"),
        "{report}"
    );
    assert!(
        report
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("  4 | FT1|1|")),
        "one segment shown, not the glued file: {report}"
    );
    std::fs::remove_dir_all(&dir).ok();

    let Some(shared) = common::shared() else {
        return;
    };
    let adt = shared.join("corpus/hl7v2/node-hl7-complete/adt-example.hl7");
    let text = std::fs::read_to_string(&adt).unwrap();
    let found = common::json_lines("scan", &[&adt]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["code"], "715.96");
    assert_eq!(span_text(&text, &found[0]), "71596");
}

/// A claim's code field holds any text: an invalid code with a non-ASCII letter is reported,
/// and the search for its nearest code steps back by characters (found by the fuzzer).
#[test]
fn an_invalid_code_with_a_non_ascii_letter_in_a_claim() {
    let scanner = dxpx::scan::Scanner::new(dxpx::codes::CodeSets::embedded());
    let text = "MSH|^~\\&|B|H|||20260310||DFT^P03|1|P|2.5\rDG1|1||E_1\u{1a1}^B|H|\r";
    let a = dxpx::analysis::analyze(
        &scanner,
        &dxpx::config::Config::default(),
        "claim.hl7",
        text,
    );
    let invalid: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.rule == dxpx::rules::Rule::InvalidCode)
        .map(|f| &text[f.start..f.end])
        .collect();
    assert_eq!(invalid, ["E_1\u{1a1}"], "{:?}", a.findings);
}

fn analyze(name: &str, text: &str) -> dxpx::analysis::Analysis {
    let scanner = dxpx::scan::Scanner::new(dxpx::codes::CodeSets::embedded());
    dxpx::analysis::analyze(&scanner, &dxpx::config::Config::default(), name, text)
}

/// A table whose rows hold notes: each row is a note and an encounter of its own, so a
/// diagnosis in one patient's note never supports another's procedure, and every code is
/// found at its place in the file (inside quoted, multi-line cells too).
#[test]
fn a_csv_of_notes_reads_each_row_as_its_own_note() {
    let text = "id,specialty,transcription\n\
        1,Endocrinology,\"ASSESSMENT: Type 2 diabetes, E11.9.\nPLAN: office visit \"\"follow-up\"\", CPT 99213.\"\n\
        2,Lab,\"Venipuncture, CPT 36415.\nICD-9: 250.00\"\n";
    let a = analyze("notes.csv", text);
    assert_eq!(a.kind, dxpx::analysis::Kind::NotesTable);
    let found: Vec<&str> = a.mentions.iter().map(|m| &text[m.start..m.end]).collect();
    assert_eq!(found, ["E11.9", "99213", "36415", "250.00"]);
    let rules: Vec<(String, &str)> = a
        .findings
        .iter()
        .map(|f| (f.rule.id(), &text[f.start..f.end]))
        .collect();
    assert!(
        rules.contains(&("dxpx/unsupported-procedure".into(), "36415")),
        "row 2's procedure has no diagnosis of its own: {rules:?}"
    );
    assert!(
        !rules
            .iter()
            .any(|(r, t)| r == "dxpx/unsupported-procedure" && *t == "99213"),
        "row 1's procedure is supported by row 1's diagnosis: {rules:?}"
    );
    assert!(rules.contains(&("dxpx/retired-code".into(), "250.00")));
}

/// A table whose header names no column dxpx reads (or that has no header row) says so at
/// line 1 instead of reporting nothing.
#[test]
fn a_csv_with_no_column_dxpx_reads_says_so() {
    for text in [
        "patient,visit,comment\nA,1,fine\n",
        "99213,E11.9\n36415,I10\n",
    ] {
        let a = analyze("sheet.csv", text);
        assert_eq!(a.kind, dxpx::analysis::Kind::ChargeSheet);
        assert_eq!(a.findings.len(), 1, "{:?}", a.findings);
        let f = &a.findings[0];
        assert_eq!(f.rule, dxpx::rules::Rule::MalformedFile);
        assert_eq!(f.start, 0);
        assert!(
            f.message.contains("names no column dxpx reads") && f.message.contains("dx_pointer"),
            "{}",
            f.message
        );
    }
}

/// A claim line with no side where its diagnoses name one: the fix writes the modifier into
/// the service line's composite, and the claim then reads clean.
#[test]
fn the_side_modifier_fix_writes_into_the_x12_composite() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/claims/claim-edits.x12");
    let text = std::fs::read_to_string(path).unwrap();
    let a = analyze("claim-edits.x12", &text);
    let missing = a
        .findings
        .iter()
        .find(|f| f.id() == "dxpx/laterality-mismatch" && f.message.contains("no side modifier"))
        .expect("20610 without a side");
    let edit = &missing.fixes[0].edits[0];
    let mut fixed = text.clone();
    fixed.replace_range(edit.start..edit.end, &edit.text);
    assert!(fixed.contains("SV1*HC:20610:LT*200"), "{fixed}");
    let after = analyze("claim-edits.x12", &fixed);
    assert!(
        !after
            .findings
            .iter()
            .any(|f| f.message.contains("20610 has no side modifier")),
        "{:?}",
        after.findings
    );
}

/// A charge-sheet row billed with no diagnosis: the fix writes a diagnosis of its encounter
/// into the row's empty diagnosis cell, one edit per such row of the encounter, and the
/// sheet then reads clean. Another encounter's diagnosis (maybe another patient's) is not
/// offered.
#[test]
fn the_add_diagnosis_fix_fills_the_sheets_empty_cells() {
    let text = "encounter,cpt,dx1,dx2\n\
        A,99213,M17.11,\n\
        A,20610,,\n\
        A,J3301,,\n\
        B,36415,E11.9,\n";
    let a = analyze("sheet.csv", text);
    let unsupported: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.rule == dxpx::rules::Rule::UnsupportedProcedure)
        .collect();
    assert_eq!(unsupported.len(), 2, "{:?}", a.findings);
    let fix = &unsupported[0].fixes[0];
    assert_eq!(fix, &unsupported[1].fixes[0], "one fix for the encounter");
    assert!(
        fix.title.starts_with("Add diagnosis M17.11")
            && fix.title.ends_with("(supports 20610, J3301)"),
        "{}",
        fix.title
    );
    assert!(
        !unsupported[0]
            .fixes
            .iter()
            .any(|f| f.code.as_deref() == Some("E11.9")),
        "{:?}",
        unsupported[0].fixes
    );
    let mut fixed = text.to_string();
    for e in fix.edits.iter().rev() {
        fixed.replace_range(e.start..e.end, &e.text);
    }
    assert!(
        fixed.contains("A,20610,M17.11,\nA,J3301,M17.11,\n"),
        "{fixed}"
    );
    let after = analyze("sheet.csv", &fixed);
    assert!(
        !after
            .findings
            .iter()
            .any(|f| f.rule == dxpx::rules::Rule::UnsupportedProcedure),
        "{:?}",
        after.findings
    );
}
