//! The scanner on small notes written for these tests: what is a code, what is not.

use dxpx::codes::{CodeSets, Status, System};
use dxpx::scan::{Edit, Evidence, ScanState, Scanner};

fn scanner() -> Scanner {
    Scanner::new(CodeSets::embedded())
}

fn codes(text: &str) -> Vec<(String, System, Status)> {
    scanner()
        .scan(text)
        .into_iter()
        .map(|m| (m.code, m.system, m.status))
        .collect()
}

fn found(text: &str) -> Vec<String> {
    scanner().scan(text).into_iter().map(|m| m.code).collect()
}

#[test]
fn codes_in_their_usual_places() {
    assert_eq!(
        found("Assessment: Type 2 diabetes with hyperglycemia (E11.65)."),
        ["E11.65"]
    );
    assert_eq!(found("3. Hypertension - I10."), ["I10"]);
    assert_eq!(found("ICD10 M5450"), ["M54.50"]);
    assert_eq!(found("Dx code: e11.9"), ["E11.9"]);
    assert_eq!(
        found("CPT: 99213-25, 20610-RT\nDx: M17.11"),
        ["99213", "20610", "M17.11"]
    );
    assert_eq!(found("ICD-10-PCS: 0DTJ4ZZ"), ["0DTJ4ZZ"]);
    // Dx beside Px, as a superbill writes them; "px" in prose is no label.
    assert_eq!(found("Dx: E11.9\nPx: 99213"), ["E11.9", "99213"]);
    assert_eq!(found("px 99213 units"), Vec::<&str>::new());
    assert_eq!(
        found("Immunization: 90686, admin G0008 (Z23)"),
        ["90686", "G0008", "Z23"]
    );
}

#[test]
fn modifiers_are_attached_and_left_out_of_the_span() {
    let text = "CPT 99213-25-59 and 64483 LT";
    let ms = scanner().scan(text);
    assert_eq!(&text[ms[0].start..ms[0].end], "99213");
    assert_eq!(
        ms[0]
            .modifiers
            .iter()
            .map(|m| m.code.as_str())
            .collect::<Vec<_>>(),
        ["25", "59"]
    );
    assert_eq!(ms[1].modifiers[0].code, "LT");
}

#[test]
fn statuses() {
    assert_eq!(
        codes("Dx: E11.99"),
        [("E11.99".into(), System::Icd10Cm, Status::Invalid)]
    );
    assert_eq!(
        codes("Dx: E11"),
        [("E11".into(), System::Icd10Cm, Status::Header)]
    );
    assert_eq!(
        codes("ICD-9: 250.00"),
        [("250.00".into(), System::Icd9Cm, Status::Retired)]
    );
}

#[test]
fn code_shaped_text_that_is_not_a_code() {
    let notes = [
        "EXAM:\nT36.0, BP121/85, HR 94, RR16",
        "Vitals: T36.8C, pulse 88",
        "Glucose 250.00 mg/dL this morning.",
        "MRI of L4-L5 and C5-C6 shows T12 compression.",
        "Vitamin B12 and D3 were low.",
        "Pfizer lot EK5730, device model V9002.",
        "He has an ICD placed in 2019.",
        "MRN 12345678, phone 555-123-4567, ZIP 90210.",
        "Seen on 03/04/2021 at 10:30.",
        "P53 immunohistochemical stain is negative.",
        "IV fluids of D10 at a rate of 6 mL an hour.",
        "genetic analysis indicated a T1122 translocation.",
        "Dose 12345 units daily.",
        "Room 21435, bed 2.",
        "Follow-up in 2 weeks; O157 culture pending.",
    ];
    for note in notes {
        assert_eq!(found(note), Vec::<String>::new(), "{note:?}");
    }
}

#[test]
fn an_invalid_code_needs_its_label_right_before_it() {
    assert_eq!(found("Dx: E11.99"), ["E11.99"]);
    assert_eq!(found("Dx: I10, E11.99"), ["I10", "E11.99"]);
    assert_eq!(
        found("Dx: A04.3 Shiga toxin producing E. coli O157 infection"),
        ["A04.3"]
    );
}

#[test]
fn five_digit_numbers_are_cpt_only_with_a_label() {
    assert!(found("Weight loss of 12345 noted.").is_empty());
    assert_eq!(found("Exam code: 93306"), ["93306"]);
    assert_eq!(
        found("CPT CODE(S):\n64483 LT, injection\n76005, guidance\n\nPlan: 12345"),
        ["64483", "76005"]
    );
}

fn evidence(text: &str) -> Vec<(String, String)> {
    scanner()
        .scan(text)
        .into_iter()
        .map(|m| (m.code, m.evidence.describe()))
        .collect()
}

fn pair(code: &str, evidence: &str) -> (String, String) {
    (code.to_string(), evidence.to_string())
}

#[test]
fn a_section_says_what_its_set_apart_numbers_are() {
    assert_eq!(
        evidence("ASSESSMENT:\n1. Low back pain 724.2\n"),
        [pair("724.2", "section:diagnoses")]
    );
    // A heading above blank lines still opens its section.
    assert_eq!(
        evidence("IMPRESSION:\n\n1. Low back pain 724.2\n"),
        [pair("724.2", "section:diagnoses")]
    );
    assert_eq!(
        evidence("OPERATIONS PERFORMED:\n1. Rotator cuff repair, 23412.\n2. Arthroscopy 29826\n"),
        [
            pair("23412", "section:procedures"),
            pair("29826", "section:procedures")
        ]
    );
    assert_eq!(
        evidence("Procedure Performed: Colonoscopy 45378."),
        [pair("45378", "section:procedures")]
    );
}

#[test]
fn a_section_does_not_make_measurements_levels_or_counts_codes() {
    let notes = [
        // A blank line after the section's text ends it.
        "ASSESSMENT:\nStable.\n\nLow back pain 724.2",
        "ASSESSMENT:\nTemperature 103.9, weight 185.5, fever to 102.4.",
        "IMPRESSION:\nHyperlipidemia, cholesterol 210.2, LDL 130.5; hyponatremia, sodium 128.4.",
        "PROCEDURE:\nHeparin 20000 units was given; 12345 was the case number? No.",
        "DESCRIPTION OF PROCEDURE:\nThe 23412 was noted.",
        "MEDICATIONS:\nB12, D3, K2.",
        "PHYSICAL EXAMINATION:\nTender at L45, L5S1.",
        "ASSESSMENT:\nDegenerative changes at C45, C56, C67.",
        "ASSESSMENT:\nShe is G10, P7 at 32 weeks.",
        "Code status: full.\nTemp 103.9",
        "He has an ICD, model DRRS, 12345.",
        "ICD-9 codes were reviewed for 325 patients.",
    ];
    for note in notes {
        assert_eq!(found(note), Vec::<String>::new(), "{note:?}");
    }
}

#[test]
fn a_table_column_says_what_its_cells_are() {
    let text =
        "| CPT | Mod | ICD-10-CM | Units |\n|-----|-----|-----|-----|\n| 99254 | 25 | C61 | 1 |\n";
    let ms = scanner().scan(text);
    assert_eq!(
        evidence(text),
        [pair("99254", "column:CPT"), pair("C61", "column:ICD-10-CM")]
    );
    assert_eq!(ms[0].modifiers.len(), 1);
    assert_eq!(
        &text[ms[0].modifiers[0].start..ms[0].modifiers[0].end],
        "25"
    );
    assert_eq!(
        evidence("CPT\tMod\tDx1\tDx2\tUnits\n99232\t\tJ90\t\t1\n\n99232\t\t1\n"),
        [pair("99232", "column:CPT"), pair("J90", "column:Dx")]
    );
}

#[test]
fn claim_fields_slash_lists_and_three_digit_icd9_codes() {
    let ms = scanner().scan("Box 24D: 99212 25   24E: A");
    assert_eq!(
        (ms[0].code.as_str(), ms[0].modifiers[0].code.as_str()),
        ("99212", "25")
    );
    assert!(
        scanner().scan("CPT 99213 25 minutes")[0]
            .modifiers
            .is_empty()
    );
    assert_eq!(
        found("Dx codes: N40.0/F32.A/G47.00"),
        ["N40.0", "F32.A", "G47.00"]
    );
    assert_eq!(
        codes("Prior records, ICD-9-CM: 496 copd, 414.01 coronary"),
        [
            ("496".into(), System::Icd9Cm, Status::Retired),
            ("414.01".into(), System::Icd9Cm, Status::Retired)
        ]
    );
}

#[test]
fn evidence_names_the_label() {
    let ms = scanner().scan("CPT 99214");
    assert_eq!(ms[0].evidence, Evidence::Label("CPT"));
    assert_eq!(
        scanner().scan("Dx (E11.65)")[0].evidence,
        Evidence::Label("Dx")
    );
    assert_eq!(
        scanner().scan("Hypothyroidism (E03.9).")[0].evidence,
        Evidence::Shape
    );
}

#[test]
fn ranges_fall_on_character_boundaries_in_multibyte_text() {
    let text = "Température 38.5 °C — diagnostic: é E11.9 😀 (I10)";
    let ms = scanner().scan(text);
    assert_eq!(
        ms.iter().map(|m| &text[m.start..m.end]).collect::<Vec<_>>(),
        ["E11.9", "I10"]
    );
}

/// Edits applied one by one leave the same mentions as a fresh scan of the final text.
#[test]
fn incremental_rescans_match_a_fresh_scan() {
    let scanner = scanner();
    let mut text = String::from("CPT CODE(S):\n99213\n\nDx: E11.9\nPlan: follow up\n");
    let mut state = ScanState::new(&scanner, &text);
    let edits: &[(&str, &str)] = &[
        ("E11.9", "E11.65"),
        ("CPT CODE(S):", "Notes:"),
        ("Notes:", "CPT:"),
        ("\n\n", "\n"),
        ("Plan: follow up", "Plan: 93000 ECG"),
        ("Dx: ", ""),
        ("99213", "99213-25 (I10)"),
    ];
    let mut seed = 7u64;
    for round in 0..40 {
        let (from, to) = edits[round % edits.len()];
        let Some(at) = text.find(from) else { continue };
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (from, to) = if seed % 3 == 0 {
            (from, to)
        } else {
            (from, from)
        };
        let edit = Edit {
            old_start: at,
            old_end: at + from.len(),
            new_len: to.len(),
        };
        text.replace_range(at..at + from.len(), to);
        state.apply(&scanner, &text, edit);
        assert_eq!(
            state.mentions,
            scanner.scan(&text),
            "after edit {round} the text is {text:?}"
        );
    }
}

/// A large text is scanned in parts on every core; the parts see headings above them, so
/// the result equals one pass.
#[test]
fn parallel_scan_of_a_large_text_equals_one_pass() {
    let scanner = scanner();
    let unit = "CPT CODE(S):\n64483 LT, injection\n76005, guidance\n\nDx: E11.9, I10 (I10)\nVitals T36.8C, MRN 12345678, glucose 250.00 mg/dL\n";
    let mut text = String::new();
    while text.len() < 6 << 20 {
        text.push_str(unit);
    }
    let parts = scanner.scan(&text);
    let one = scanner.scan_range(&text, 0, text.len());
    assert_eq!(parts.len(), one.len());
    assert!(parts == one);
}
