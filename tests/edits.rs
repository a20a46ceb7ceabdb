//! Edits through the server, in every kind of document: after random one-character edits
//! (multibyte text and CRLF among them) the diagnostics equal those of a fresh open of the
//! same final text, and the server never logs a panic.

mod common;

use common::lsp::Client;
use serde_json::{Value, json};
use std::path::PathBuf;

/// A small random generator (xorshift), seeded per document so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// (line, UTF-16 character) of a byte offset. Lines end as LSP says they do: at `\n`, `\r\n`
/// or a lone `\r` (HL7 ends its segments with one).
fn position(text: &str, at: usize) -> Value {
    let b = text.as_bytes();
    let (mut line, mut line_start) = (0, 0);
    for i in 0..at {
        let ends = b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
        if ends {
            line += 1;
            line_start = i + 1;
        }
    }
    json!({
        "line": line,
        "character": text[line_start..at].encode_utf16().count(),
    })
}

fn boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The diagnostics without what an edit may legitimately reorder.
fn comparable(diagnostics: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{} {} {}", d["code"], d["range"], d["message"]))
        .collect();
    out.sort();
    out
}

const INSERTS: &[&str] = &[
    "1", "A", ".", ",", " ", "\n", "\r\n", "é", "🦴", "|", "*", "~", "\"", "\t", ":", "\n\n",
];

fn edit_and_compare(c: &mut Client, name: &str, language: &str, original: &str, seed: u64) {
    let uri = format!("file:///tmp/dxpx-edits/edited/{name}");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": original}}),
    );
    let mut text = original.to_string();
    let mut rng = Rng(seed | 1);
    for version in 2..42 {
        let at = boundary(&text, rng.below(text.len() + 1));
        let (end, insert) = if rng.below(2) == 0 && at < text.len() {
            let next = text[at..]
                .chars()
                .next()
                .map_or(at, |ch| at + ch.len_utf8());
            (next, "")
        } else {
            (at, INSERTS[rng.below(INSERTS.len())])
        };
        let range = json!({"start": position(&text, at), "end": position(&text, end)});
        text.replace_range(at..end, insert);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": insert}]}),
        );
    }
    let edited = c.diagnostics(&uri, Some(41));
    let fresh_uri = format!("file:///tmp/dxpx-edits/fresh/{name}");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": fresh_uri, "languageId": language, "version": 1, "text": text}}),
    );
    let fresh = c.diagnostics(&fresh_uri, Some(1));
    assert_eq!(
        comparable(&edited),
        comparable(&fresh),
        "{name} (seed {seed}): the edited document differs from a fresh open"
    );
    for u in [uri, fresh_uri] {
        c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    }
}

const CHARGE_SHEET: &str = "date,cpt,dx_pointer,icd10_a,icd10_b\n2026-03-02,99213,A,E11.9,\n2026-03-02,93000,,I10,\n2026-03-03,36415,A,E78.5,Z79.4\n";
const X12: &str = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260302*1200*^*00501*000000001*0*P*:~GS*HC*S*R*20260302*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~CLM*A1*100***11:B:1*Y*A*Y*Y~HI*ABK:E119*ABF:I10~LX*1~SV1*HC:99213*100*UN*1***1:2~DTP*472*D8*20260302~LX*2~SV1*HC:36415*20*UN*1***3~SE*9*0001~GE*1*1~IEA*1*000000001~";
const FHIR: &str = r#"{"resourceType":"Claim","diagnosis":[{"sequence":1,"diagnosisCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"E11.9"}]}}],"item":[{"sequence":1,"diagnosisSequence":[1],"productOrService":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"99213"}]}},{"sequence":2,"diagnosisSequence":[2],"productOrService":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"36415"}]}}]}"#;
const HL7: &str = "MSH|^~\\&|BILLING|HOSP|||20260310||DFT^P03|1|P|2.5\rPID|1||12345\rFT1|1|||20260310|||99213|||||||||||||E11.9\rFT1|2|||20260310|||36415\rDG1|1||I10^Hypertension^I10\r";
const NOTE: &str = "Date of service: 03/02/2026\nAssessment: Type 2 diabetes (E11.9), hypertension I10.\nCPT 99213-25, 36415\n\nDOS: 03/09/2026\nDx: E11.99\nICD-9: 250.00\n";

/// Sections (one heading above blank lines), a tab table and a pipe table: what reaches
/// past its own line.
const STRUCTURED: &str = "PREOPERATIVE DIAGNOSIS:\n\nCarpal tunnel syndrome, 354.0.\n\nOPERATIONS PERFORMED:\n1. Carpal tunnel release, 64721.\n\nCPT\tMod\tDx1\n64721\tRT\tG56.01\n20610\t\tM17.11\n\n| CPT | ICD-10-CM |\n| 99213 | I10 |\nASSESSMENT:\nC61\n";

const NOTES_TABLE: &str =
    "id,transcription\n1,\"ASSESSMENT: E11.9.\nCPT 99213\"\n2,\"CPT 36415, ICD-9: 250.00\"\n";

#[test]
fn random_edits_in_every_kind_equal_a_fresh_open() {
    let mut c = Client::start(&["lsp"]);
    c.initialize(json!({}), json!({}));
    let mut documents: Vec<(String, String, String)> = vec![
        ("charges.csv".into(), "csv".into(), CHARGE_SHEET.into()),
        ("claim.837".into(), "plaintext".into(), X12.into()),
        ("claim.fhir.json".into(), "json".into(), FHIR.into()),
        ("charges.hl7".into(), "plaintext".into(), HL7.into()),
        ("visit.note".into(), "plaintext".into(), NOTE.into()),
        (
            "structured.note".into(),
            "plaintext".into(),
            STRUCTURED.into(),
        ),
        ("notes.csv".into(), "csv".into(), NOTES_TABLE.into()),
    ];
    // Real documents of each kind, when the corpus is beside the checkout.
    if let Some(shared) = common::shared() {
        let corpus = shared.join("corpus");
        let picks: &[(&str, &str)] = &[
            ("charges/superbill_cms1500_pointers.csv", "csv"),
            ("charges/daily_charge_log.csv", "csv"),
            ("charges/charge_capture_inline_icd.csv", "csv"),
            (
                "x12/linuxforhealth-x12/837_005010X222A2/demo.example1.837",
                "plaintext",
            ),
            (
                "x12/linuxforhealth-x12/837_005010X223A3/institutional-claim.837i",
                "plaintext",
            ),
            (
                "fhir/hl7-spec-examples-r4-3.6.0/claim-example-professional.json",
                "json",
            ),
            ("fhir/cms-bluebutton-bfd-r4/eobReadCarrier.json", "json"),
        ];
        for (path, language) in picks {
            let path: PathBuf = corpus.join(path);
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            documents.push((name, language.to_string(), text));
        }
        let hl7 = std::fs::read_dir(corpus.join("hl7v2/node-hl7-complete"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("FT1|")));
        if let Some(path) = hl7 {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            documents.push((
                name,
                "plaintext".into(),
                std::fs::read_to_string(path).unwrap(),
            ));
        }
    }
    for (i, (name, language, text)) in documents.iter().enumerate() {
        for seed in [7, 1_000_003] {
            edit_and_compare(&mut c, name, language, text, seed + i as u64);
        }
    }
    let stderr = c.stderr.clone();
    c.shutdown();
    let log = stderr.lock().unwrap().clone();
    assert!(!log.contains("internal error"), "a bug was met: {log}");
}

/// The same property in process, where thousands of edit sequences are cheap: every kind,
/// 150 seeds each, 40 edits a sequence, through the path `didChange` takes.
#[test]
fn many_edit_sequences_in_process_equal_a_fresh_open() {
    use dxpx::lsp::Probe;
    let scanner = std::sync::Arc::new(dxpx::scan::Scanner::new(dxpx::codes::CodeSets::embedded()));
    let mut edited = Probe::new(scanner.clone(), None);
    let mut fresh = Probe::new(scanner, None);
    let documents = [
        ("charges.csv", "csv", CHARGE_SHEET),
        ("claim.837", "plaintext", X12),
        ("claim.fhir.json", "json", FHIR),
        ("charges.hl7", "plaintext", HL7),
        ("visit.note", "plaintext", NOTE),
        ("structured.note", "plaintext", STRUCTURED),
        ("notes.csv", "csv", NOTES_TABLE),
    ];
    for (name, language, text) in documents {
        for seed in 0..150u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            edited.open(name, language, text.to_string());
            for _ in 0..40 {
                let len = edited.text().len();
                let start = rng.below(len + 1);
                let end = start + rng.below(4) * rng.below(2);
                edited.edit(start, end, INSERTS[rng.below(INSERTS.len())]);
            }
            fresh.open(name, language, edited.text().to_string());
            assert_eq!(
                edited.diagnostics(),
                fresh.diagnostics(),
                "{name}, seed {seed}: {:?}",
                edited.text()
            );
        }
    }
}
