//! The Medicare Code Editor's edits: the flags and age groups against the official MCE
//! files, and each edit through the formats that state a patient or a principal diagnosis.

mod common;

use dxpx::analysis::{self, Analysis};
use dxpx::codes::CodeSets;
use dxpx::codes::history::Day;
use dxpx::config::Config;
use dxpx::scan::Scanner;

fn analyze(name: &str, text: &str) -> Analysis {
    let scanner = Scanner::new(CodeSets::embedded());
    analysis::analyze(&scanner, &Config::default(), name, text)
}

/// The codes each finding of `rule` is on, in order.
fn codes_of(a: &Analysis, text: &str, rule: &str) -> Vec<String> {
    a.findings
        .iter()
        .filter(|f| f.id() == format!("dxpx/{rule}"))
        .map(|f| text[f.start..f.end].to_string())
        .collect()
}

fn message_of(a: &Analysis, rule: &str) -> String {
    a.findings
        .iter()
        .find(|f| f.id() == format!("dxpx/{rule}"))
        .map(|f| f.message.clone())
        .unwrap_or_default()
}

/// Issue 19: an 837P with a newborn code on a patient born in 1950; and every other edit of
/// the fixture, through the command line.
#[test]
fn the_claims_fixture_raises_each_edit() {
    let args = common::check_json_args("tests/fixtures/claims/mce-edits.x12");
    let findings = common::run_json_lines(&args);
    let of = |rule: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["rule"] == format!("dxpx/{rule}"))
            .map(|f| f["code"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(of("age-conflict"), ["Z38.00", "O80"], "{findings:#?}");
    let newborn = findings
        .iter()
        .find(|f| f["rule"] == "dxpx/age-conflict")
        .unwrap();
    let message = newborn["message"].as_str().unwrap();
    assert!(
        message.contains("age 0") && message.contains("76 on 2026-11-02 (born 1950-03-02)"),
        "{message}"
    );
    assert_eq!(of("unacceptable-principal"), ["Z51.89"]);
    assert_eq!(of("questionable-admission"), ["I10"]);
    assert_eq!(of("external-cause-principal"), ["W19.XXXA"]);
    assert_eq!(of("non-covered-procedure"), ["0U570ZZ", "00F3XZZ"]);
    assert_eq!(of("limited-coverage-procedure"), ["02YA0Z0"]);
}

#[test]
fn a_professional_claims_first_diagnosis_is_no_principal() {
    // The principal-diagnosis edits are the inpatient MCE's: Z51.89 first on an 837P is not one.
    let text = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *261102*1200*^*00501*000000001*0*P*:~\
GS*HC*S*R*20261102*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~\
CLM*A*100***11:B:1*Y*A*Y*Y~HI*ABK:Z5189*ABF:I10~LX*1~SV1*HC:99213*100*UN*1***1:2~DTP*472*D8*20261102~\
SE*8*0001~GE*1*1~IEA*1*000000001~";
    let a = analyze("p.x12", text);
    assert!(codes_of(&a, text, "unacceptable-principal").is_empty());
    assert!(codes_of(&a, text, "questionable-admission").is_empty());
}

#[test]
fn a_fhir_claim_reads_the_patient_it_names() {
    let text = r#"{"resourceType": "Bundle", "entry": [
 {"fullUrl": "urn:uuid:other", "resource": {"resourceType": "Patient", "id": "p0", "birthDate": "2026-10-30"}},
 {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1950-03-02"}},
 {"resource": {"resourceType": "Claim", "patient": {"reference": "urn:uuid:p1"},
  "billablePeriod": {"start": "2026-11-02"},
  "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z38.00"}]}}],
  "item": [{"sequence": 1, "diagnosisSequence": [1], "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99460"}]}}]}},
 {"resource": {"resourceType": "Claim", "patient": {"reference": "Patient/p0"},
  "billablePeriod": {"start": "2026-11-02"},
  "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z38.00"}]}}],
  "item": [{"sequence": 1, "diagnosisSequence": [1], "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99460"}]}}]}}
]}"#;
    let a = analyze("bundle.json", text);
    // Only the first claim's patient, born 1950, is too old for a liveborn code.
    assert_eq!(codes_of(&a, text, "age-conflict"), ["Z38.00"]);
    let finding = a
        .findings
        .iter()
        .find(|f| f.id() == "dxpx/age-conflict")
        .unwrap();
    assert_eq!(finding.start, text.find("Z38.00").unwrap());
    assert_eq!(
        &text[finding.related[0].start..finding.related[0].end],
        "1950-03-02"
    );
}

#[test]
fn hl7_pid_7_and_a_charge_sheets_birth_date_column() {
    let hl7 = "MSH|^~\\&|A|B|C|D|202611021200||DFT^P03|1|P|2.5\rPID|1||123||DOE^JOHN||19500302|M\rDG1|1|I10|Z38.00^Single liveborn^I10\rFT1|1|||20261102||CG|||||||||||||||||||99460\r";
    let a = analyze("charges.hl7", hl7);
    assert_eq!(
        codes_of(&a, hl7, "age-conflict"),
        ["Z38.00"],
        "{:?}",
        a.findings
    );

    let csv = "date,dob,cpt,icd10\n2026-11-02,03/02/1950,99460,Z38.00\n2026-11-02,10/30/2026,99460,Z38.00\n";
    let a = analyze("sheet.csv", csv);
    let found = codes_of(&a, csv, "age-conflict");
    assert_eq!(found.len(), 1, "{:?}", a.findings);
    assert!(message_of(&a, "age-conflict").contains("born 1950-03-02"));
}

#[test]
fn a_notes_patient_and_the_age_groups_by_date() {
    // A pediatric well-child code for an adult, by the note's DOB line.
    let note = "Date of service: 2026-11-09\nDOB: 04/12/1981\nAnnual physical.\nDx: Z00.129\n";
    let a = analyze("a.note", note);
    assert_eq!(codes_of(&a, note, "age-conflict"), ["Z00.129"]);
    // A stated age; a relative's age is not the patient's.
    let note = "A 45-year-old woman, here with her 5-year-old son. Delivered.\nDx: O80\n";
    assert!(codes_of(&analyze("b.note", note), note, "age-conflict").is_empty());
    let note = "Her 5-year-old son is well. A 70-year-old woman.\nDx: O80\n";
    assert_eq!(
        codes_of(&analyze("c.note", note), note, "age-conflict"),
        ["O80"]
    );
    // Maternity was 12–55 until 2019-09-30 and is 9–64 since (MCE age ranges).
    let on = |date: &str| format!("Date of service: {date}\nDOB: 1959-06-01\nDx: O80\n");
    let before = on("2019-09-01");
    assert_eq!(
        codes_of(&analyze("d.note", &before), &before, "age-conflict"),
        ["O80"]
    );
    let after = on("2019-10-01");
    assert!(codes_of(&analyze("e.note", &after), &after, "age-conflict").is_empty());
    // The age groups as dxpx reads them.
    let payment = CodeSets::embedded();
    let payment = payment.payment();
    let day = |s: &str| Day::parse(s).unwrap();
    assert_eq!(
        payment.age_group("maternity", day("2019-09-30")),
        Some((12, 55))
    );
    assert_eq!(
        payment.age_group("maternity", day("2026-11-02")),
        Some((9, 64))
    );
    assert_eq!(
        payment.age_group("newborn", day("2026-11-02")),
        Some((0, 0))
    );
    assert_eq!(
        payment.age_group("adult", day("2026-11-02")),
        Some((15, 124))
    );
}

/// The flags dxpx applies are MCE v44's for every code valid on 2026-10-01, and its age
/// groups the MCE age-ranges file's.
#[test]
fn flags_and_age_groups_are_the_official_mce_files() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mce = shared.join("sources/coverage/mce");
    let sets = CodeSets::embedded();
    let (cm, pcs) = (sets.icd10cm(), sets.icd10pcs());
    let edits = [
        "newborn",
        "pediatric",
        "maternity",
        "adult",
        "unacceptable",
        "ecodepdx",
        "qadm",
        "manifestation",
    ];
    let mut checked = std::collections::BTreeMap::new();
    let dx = common::read_xz(&mce.join("mce-v44-icd10cm-dx-attributes.tsv.xz"));
    for line in dx.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if !f[2].is_empty() {
            continue;
        }
        let code = dxpx::codes::normalize::dot_icd10cm(f[0]);
        let ours = cm.edit_flags(&code);
        for flag in f
            .get(3)
            .unwrap_or(&"")
            .split(',')
            .filter(|x| edits.contains(x))
        {
            assert!(
                ours.contains(&flag),
                "{code}: MCE v44 says {flag}, dxpx {ours:?}"
            );
            *checked.entry(flag.to_string()).or_insert(0) += 1;
        }
    }
    // The counts of codes in force with each flag (PROVENANCE: 42 newborn, 2,543 maternity…,
    // v43.1; v44 adds FY2027's codes).
    assert!(
        checked["newborn"] >= 42 && checked["maternity"] >= 2543,
        "{checked:?}"
    );
    let px = common::read_xz(&mce.join("mce-v44-icd10pcs-proc-attributes.tsv.xz"));
    let mut noncovered = 0;
    for line in px.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f[2].is_empty()
            && f.get(3)
                .is_some_and(|a| a.split(',').any(|x| x == "noncovered"))
        {
            assert!(pcs.edit_flags(f[0]).contains(&"noncovered"), "{}", f[0]);
            noncovered += 1;
        }
    }
    assert!(noncovered > 90, "{noncovered}");
    let ages = std::fs::read_to_string(mce.join("mce-v43.1-age-ranges.tsv")).unwrap();
    for line in ages.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let from = Day::parse(f[3]).unwrap();
        let range = (f[1].parse().unwrap(), f[2].parse().unwrap());
        assert_eq!(
            sets.payment().age_group(&f[0].to_ascii_lowercase(), from),
            Some(range),
            "{line}"
        );
    }
}
