//! What an independent comparison of dxpx with other libraries and real test files found
//! wrong (issue 16), each as a test through the real path: the code sets, `analyze`, or the
//! command line.

mod common;

use dxpx::codes::history::{Day, Validity};
use dxpx::codes::{CodeSet, CodeSets, Status, System};
use dxpx::config::Config;
use dxpx::rules::Finding;
use serde_json::Value;

/// A document checked as the command line checks it, with `config`.
fn analyze(name: &str, text: &str, config: &Config) -> Vec<Finding> {
    let scanner = dxpx::scan::Scanner::new(CodeSets::embedded());
    let kind = dxpx::analysis::Kind::detect(name, None, text);
    let (mentions, structure) = dxpx::analysis::read(&scanner, kind, text);
    dxpx::analysis::check(scanner.sets(), config, text, &mentions, structure.as_ref()).1
}

fn mentions(name: &str, text: &str) -> Vec<dxpx::scan::Mention> {
    let scanner = dxpx::scan::Scanner::new(CodeSets::embedded());
    let kind = dxpx::analysis::Kind::detect(name, None, text);
    dxpx::analysis::read(&scanner, kind, text).0
}

/// The first finding of a rule.
fn first<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.rule.name() == rule)
        .unwrap_or_else(|| panic!("no {rule} in {findings:?}"))
}

fn rules_of(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.rule.name().to_string()).collect()
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

#[test]
fn qa0_codes_are_found_by_scan_and_lookup() {
    let sets = CodeSets::embedded();
    let e = sets.lookup("QA0.0101", System::Icd10Cm).unwrap();
    assert_eq!(e.status(), Status::Valid);
    assert!(
        sets.lookup_any("qa00101")
            .iter()
            .any(|e| e.code == "QA0.0101")
    );
    let found = mentions(
        "n.note",
        "Dx: QA0.0101\nThe child has QA0.0101 and F64.A.\n",
    );
    let found: Vec<&str> = found.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(found, ["QA0.0101", "QA0.0101", "F64.A"]);
    // Every QA0 code of the release is found where a label names it.
    let qa0: Vec<String> = sets
        .icd10cm()
        .billable_under("QA0")
        .map(|(c, _)| c.to_string())
        .collect();
    assert!(qa0.len() >= 10, "{qa0:?}");
    let note = format!("Dx: {}\n", qa0.join(", "));
    assert_eq!(mentions("n.note", &note).len(), qa0.len());
}

#[test]
fn icd9_categories_are_headers_and_a_diagnosis_is_never_a_procedure() {
    let sets = CodeSets::embedded();
    for code in ["250", "854.0", "823.2", "493.9"] {
        let e = sets.lookup(code, System::Icd9Cm).unwrap();
        assert_eq!(e.status(), Status::Header, "{code}");
        assert!(!e.children.is_empty(), "{code} lists its codes");
        assert!(
            sets.lookup_any(code)
                .iter()
                .all(|e| e.code != "49.39" && e.code != "82.32"),
            "{code} is never a procedure"
        );
    }
    let a = analyze(
        "n.note",
        "Date of service: 03/02/2014\nDx (ICD-9): 823.2\n",
        &Config::default(),
    );
    assert_eq!(rules_of(&a), ["non-billable-code"]);
    assert!(a[0].message.contains("823.20"), "{}", a[0].message);
    assert_eq!(a[0].fixes.len(), 3);
}

#[test]
fn ambulance_modifiers_are_read_and_level_two_pairs_keep_their_reading() {
    let sets = CodeSets::embedded();
    let (system, label) = sets.modifier("RH").unwrap();
    assert_eq!(system, System::Hcpcs);
    assert!(
        label.contains("residence") && label.contains("hospital"),
        "{label}"
    );
    let (_, gg) = sets.modifier("GG").unwrap();
    assert!(
        !gg.contains("ambulance"),
        "GG is a Level II modifier first: {gg}"
    );
    assert!(sets.modifier("XH").is_none(), "X is a destination only");
    let a = analyze(
        "n.note",
        "Dx: S72.001A\nHCPCS: A0427-RH, A0425-SH\n",
        &Config::default(),
    );
    assert!(!rules_of(&a).contains(&"invalid-modifier".to_string()));
}

#[test]
fn gem_fixes_offer_only_codes_billable_on_the_day() {
    let sets = CodeSets::embedded();
    let a = analyze(
        "n.note",
        "Date of service: 2026-11-02\nICD-9: 998.59\n",
        &Config::default(),
    );
    let f = first(&a, "retired-code");
    let offered: Vec<&str> = f.fixes.iter().map(|x| x.edits[0].text.as_str()).collect();
    assert!(
        offered.contains(&"T81.40XA"),
        "T81.4XXA became T81.40XA-T81.49XA: {offered:?}"
    );
    assert!(!offered.contains(&"T81.4XXA"));
    for code in &offered {
        assert_eq!(
            sets.on(System::Icd10Cm, code, day("2026-11-02")),
            Validity::Billable,
            "{code}"
        );
    }
    assert!(
        f.fixes.iter().any(|x| x.title.contains("conversion table")),
        "and says why"
    );

    // Over every forward GEM target: what is offered for the day is billable then.
    let today = day("2026-11-02");
    let (mut stale, mut unresolved) = (0, 0);
    for code in sets.icd9cm().codes().take(20_000) {
        let Some(e) = sets.lookup(code, System::Icd9Cm) else {
            continue;
        };
        for g in e
            .gems
            .iter()
            .filter(|g| !g.no_map && g.system == System::Icd10Cm)
        {
            if sets.on(System::Icd10Cm, &g.code, today) == Validity::Billable {
                continue;
            }
            stale += 1;
            let r = sets.replacements(System::Icd10Cm, &g.code, today);
            if r.is_empty() {
                unresolved += 1;
            }
            for x in r {
                assert_eq!(sets.on(System::Icd10Cm, &x.code, today), Validity::Billable);
            }
        }
    }
    assert!(
        stale > 100,
        "the GEMs predate FY2019: {stale} stale targets"
    );
    assert!(
        unresolved * 20 < stale,
        "{unresolved} of {stale} stale targets have no replacement"
    );
}

#[test]
fn the_hierarchy_nests_blocks_and_names_a_single_category_block_by_it() {
    let sets = CodeSets::embedded();
    let e = sets.lookup("C01", System::Icd10Cm).unwrap();
    let ids: Vec<&str> = e.hierarchy.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["Chapter 2", "C00-C96", "C00-C75", "C00-C14"]);
    let e = sets.lookup("B20", System::Icd10Cm).unwrap();
    assert!(
        e.hierarchy.iter().all(|(id, _)| id != "B20-B20"),
        "{:?}",
        e.hierarchy
    );
}

#[test]
fn fhir_codings_are_read_once_by_what_they_are_and_as_written() {
    let claim = |codings: &str| {
        format!(
            r#"{{"resourceType": "Claim", "billablePeriod": {{"start": "2026-11-02"}},
  "diagnosis": [{{"sequence": 1, "diagnosisCodeableConcept": {{"coding": [{codings}]}}}}],
  "item": [{{"sequence": 1, "diagnosisSequence": [1],
    "productOrService": {{"coding": [{{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}}]}}}}]}}"#
        )
    };
    let twice = claim(
        r#"{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "A37"},
           {"system": "http://hl7.org/fhir/sid/icd-10", "code": "A37"}"#,
    );
    let a37: Vec<_> = mentions("c.json", &twice)
        .into_iter()
        .filter(|m| m.code == "A37")
        .collect();
    let a = analyze("c.json", &twice, &Config::default());
    assert_eq!(a37.len(), 1, "one diagnosis coded twice is one code");
    let headers: Vec<&str> = a
        .iter()
        .filter(|f| f.rule.name() == "non-billable-code")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(headers.len(), 1, "reported once: {headers:?}");

    let pcs = claim(r#"{"system": "http://hl7.org/fhir/sid/icd-10", "code": "BQ0HZZZ"}"#);
    let found = mentions("c.json", &pcs);
    let m = found.iter().find(|m| m.code.contains("BQ0")).unwrap();
    assert_eq!((m.system, m.code.as_str()), (System::Icd10Pcs, "BQ0HZZZ"));

    for written in ["ADMITCD", "123457"] {
        let system = if written.starts_with('1') {
            "icd-9-cm"
        } else {
            "icd-10-cm"
        };
        let text = claim(&format!(
            r#"{{"system": "http://hl7.org/fhir/sid/{system}", "code": "{written}"}}"#
        ));
        let a = analyze("c.json", &text, &Config::default());
        let f = first(&a, "invalid-code");
        assert!(
            f.message.starts_with(written),
            "no dot put in: {}",
            f.message
        );
    }
}

#[test]
fn what_the_data_cannot_know_is_said_softly() {
    let sets = CodeSets::embedded();
    // HCPCS: the 2025-Q4 file cannot know a code added in 2026.
    let a = analyze(
        "n.note",
        "Date of service: 2026-11-02\nDx: I10\nHCPCS: J9998\n",
        &Config::default(),
    );
    let f = first(&a, "invalid-code");
    assert_eq!(f.severity, dxpx::rules::Severity::Info);
    assert!(
        f.message.contains("2025 Q4") && f.message.contains("newer release"),
        "{}",
        f.message
    );
    // Before the file's quarter ended, the same code is an error.
    let a = analyze(
        "n.note",
        "Date of service: 2025-11-02\nDx: I10\nHCPCS: J9998\n",
        &Config::default(),
    );
    let f = first(&a, "invalid-code");
    assert_eq!(f.severity, dxpx::rules::Severity::Error);

    // CPT: a number in a range is not plainly valid, a gap between ranges is not "in no
    // section", and a Category III number past the table is unverified.
    let e = sets.lookup("12345", System::Cpt).unwrap();
    let shown = dxpx::ide::explain(&e, dxpx::ide::Style::Plain, &[]);
    assert!(
        shown.contains("licensed CPT file") && !shown.contains("[CPT code]"),
        "{shown}"
    );
    let a = analyze("n.note", "Dx: I10\nCPT: 99201\n", &Config::default());
    let f = first(&a, "invalid-code");
    assert!(
        !f.message.contains("not in any CPT section")
            && f.message.contains("Evaluation & Management"),
        "{}",
        f.message
    );
    let e = sets.lookup("1000T", System::Cpt).unwrap();
    assert!(e.title.contains("unverified"), "{}", e.title);
}

#[test]
fn a_note_with_two_encounters_is_judged_by_each_release() {
    let note = "Date of service: 08/14/2026\nDx: D69.1, C78.31\n\nDate of service: 11/16/2026\nDx: D69.1, C78.31, S23.420A\n";
    let a = analyze("n.note", note, &Config::default());
    let on_line = |line: usize| {
        let start = note.lines().take(line).map(|l| l.len() + 1).sum::<usize>();
        let end = start + note.lines().nth(line).unwrap().len();
        a.iter()
            .filter(|f| f.start >= start && f.end <= end)
            .map(|f| format!("{} {}", f.rule.name(), &note[f.start..f.end]))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on_line(1),
        ["not-yet-valid-code C78.31"],
        "FY2026 (April) on 2026-08-14"
    );
    assert_eq!(
        on_line(4),
        ["non-billable-code D69.1", "retired-code S23.420A"],
        "FY2027 on 2026-11-16"
    );
    let deleted = first(&a, "retired-code");
    assert!(
        deleted.message.contains("2026-10-01 (FY2027)"),
        "{}",
        deleted.message
    );
    assert!(
        deleted
            .fixes
            .iter()
            .any(|f| f.edits[0].text.starts_with("S43.6")),
        "the replacement is offered"
    );

    // With no date in the document, the configured as-of date judges.
    let undated = "Dx: D69.1, C78.31\n";
    let config = Config {
        as_of: Some(day("2026-08-01")),
        ..Config::default()
    };
    let a = analyze("n.note", undated, &config);
    assert_eq!(rules_of(&a), ["not-yet-valid-code"]);
    assert!(a[0].message.contains("as-of date 2026-08-01"));
}

#[test]
fn lookup_names_the_release_that_judged_the_code_and_its_history() {
    let out = common::run_json_lines(&["lookup", "D69.1", "--as-of", "2026-08-01", "--json"]);
    let e: &Value = out.iter().find(|e| e["system"] == "ICD-10-CM").unwrap();
    assert_eq!(e["status"], "valid");
    assert_eq!(e["release"], "FY2026 (April 1, 2026 update)");
    assert!(
        e["history"]
            .as_str()
            .unwrap()
            .contains("a category since 2026-10-01 (FY2027)")
    );
    let out = common::run_json_lines(&["lookup", "D69.1", "--json"]);
    assert_eq!(out[0]["status"], "header");
    let out = std::process::Command::new(common::dxpx())
        .args(["lookup", "D69.1", "--as-of", "tomorrow"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
    let version = std::process::Command::new(common::dxpx())
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    for set in [
        "ICD-10-CM: FY2027",
        "ICD-10-PCS: FY2027",
        "ICD-9-CM",
        "HCPCS",
        "CPT",
        "GEMs",
    ] {
        assert!(version.contains(set), "{set}: {version}");
    }
}

#[test]
fn a_code_written_twice_is_named_once_in_a_message() {
    let config = Config {
        support: vec![dxpx::config::SupportRule {
            name: "HbA1c".into(),
            source: "test".into(),
            procedures: vec!["83036".into()],
            diagnoses: vec!["E08-E13".into(), "E08-E13".into(), "R73".into()],
        }],
        ..Config::default()
    };
    let a = analyze("n.note", "Orders: 83036\nDx: J30.2, J30.2\n", &config);
    let f = first(&a, "diagnosis-mismatch");
    assert_eq!(f.message.matches("J30.2").count(), 1, "{}", f.message);
    assert_eq!(f.message.matches("E08-E13").count(), 1, "{}", f.message);
}

#[test]
fn a_deleted_procedure_code_is_found_and_judged_by_the_date() {
    let note = |date: &str| format!("Date of service: {date}\nDx: I21.4\nICD-10-PCS: X2KB317\n");
    let before = analyze("n.note", &note("05/02/2026"), &Config::default());
    assert!(before.is_empty(), "valid until 2026-09-30: {before:?}");
    let after = analyze("n.note", &note("11/02/2026"), &Config::default());
    let f = first(&after, "retired-code");
    assert!(
        f.message
            .contains("X2KB317 was deleted on 2026-10-01 (FY2027)"),
        "{}",
        f.message
    );
}
