//! The words that tell a reader a code follows (`CPT`, `ICD-10`, `Dx:`), and the labels
//! that tell them a number is something else (`MRN`, `Lot #`, `phone`), found in one pass
//! by an Aho-Corasick automaton.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// What a label says about the codes near it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    Icd10Cm,
    Icd10Pcs,
    Icd9,
    Cpt,
    Hcpcs,
    /// A diagnosis label (`Dx`, `diagnosis code`, `ICD code`): ICD-10-CM or ICD-9-CM.
    Diagnosis,
    /// A generic code label (`code`, `coding`, `charges`, `orders`).
    Code,
    /// The number that follows is an identifier, a quantity or a device, not a code.
    NotACode,
}

/// (pattern, meaning). Matching is ASCII case-insensitive and word-bounded.
const SIGNALS: &[(&str, Signal)] = &[
    ("ICD-10-CM", Signal::Icd10Cm),
    ("ICD-10", Signal::Icd10Cm),
    ("ICD10", Signal::Icd10Cm),
    ("ICD 10", Signal::Icd10Cm),
    ("ICD10CM", Signal::Icd10Cm),
    ("ICD-10-PCS", Signal::Icd10Pcs),
    ("ICD10PCS", Signal::Icd10Pcs),
    ("PCS", Signal::Icd10Pcs),
    ("ICD-9-CM", Signal::Icd9),
    ("ICD-9", Signal::Icd9),
    ("ICD9", Signal::Icd9),
    ("ICD 9", Signal::Icd9),
    ("ICD9CM", Signal::Icd9),
    ("CPT", Signal::Cpt),
    ("CPT4", Signal::Cpt),
    ("CPT-4", Signal::Cpt),
    ("CPT®", Signal::Cpt),
    ("E/M", Signal::Cpt),
    ("E&M", Signal::Cpt),
    ("HCPCS", Signal::Hcpcs),
    ("Dx", Signal::Diagnosis),
    ("Dxs", Signal::Diagnosis),
    ("ICD", Signal::Diagnosis),
    ("diagnosis code", Signal::Diagnosis),
    ("diagnosis codes", Signal::Diagnosis),
    ("diagnoses codes", Signal::Diagnosis),
    ("diagnostic code", Signal::Diagnosis),
    // Plain labels, only as labels (a colon after them): "Diagnosis: R05", "DIAGNOSES:".
    ("diagnosis", Signal::Diagnosis),
    ("diagnoses", Signal::Diagnosis),
    ("procedure", Signal::Code),
    ("procedures", Signal::Code),
    // The procedure beside `Dx` on a superbill or a coder's note: "Px: 99213".
    ("Px", Signal::Code),
    ("code", Signal::Code),
    ("codes", Signal::Code),
    ("code(s)", Signal::Code),
    ("coding", Signal::Code),
    ("coded", Signal::Code),
    ("charges", Signal::Code),
    ("charge", Signal::Code),
    ("billing", Signal::Code),
    ("billed", Signal::Code),
    ("orders", Signal::Code),
    // The fields of the claim forms: CMS-1500 box 21 (diagnoses) and 24D (procedures and
    // modifiers); UB-04 form locators 67 (diagnoses), 74 (procedures) and 44 (HCPCS).
    ("Box 21", Signal::Diagnosis),
    ("Item 21", Signal::Diagnosis),
    ("Box 24D", Signal::Cpt),
    ("Box 24 D", Signal::Cpt),
    ("Item 24D", Signal::Cpt),
    ("24D", Signal::Cpt),
    ("FL 67", Signal::Diagnosis),
    ("FL67", Signal::Diagnosis),
    ("FL 74", Signal::Icd10Pcs),
    ("FL74", Signal::Icd10Pcs),
    ("FL 44", Signal::Cpt),
    ("FL44", Signal::Cpt),
    ("MRN", Signal::NotACode),
    ("medical record", Signal::NotACode),
    ("record number", Signal::NotACode),
    ("account", Signal::NotACode),
    ("acct", Signal::NotACode),
    ("phone", Signal::NotACode),
    ("tel", Signal::NotACode),
    ("fax", Signal::NotACode),
    ("pager", Signal::NotACode),
    ("zip", Signal::NotACode),
    ("lot", Signal::NotACode),
    ("serial", Signal::NotACode),
    ("model", Signal::NotACode),
    ("room", Signal::NotACode),
    ("bed", Signal::NotACode),
    ("ext", Signal::NotACode),
    ("NPI", Signal::NotACode),
    ("DEA", Signal::NotACode),
    ("SSN", Signal::NotACode),
    ("policy", Signal::NotACode),
    ("member", Signal::NotACode),
    ("claim number", Signal::NotACode),
    ("invoice", Signal::NotACode),
    ("catalog", Signal::NotACode),
    ("ref", Signal::NotACode),
    ("part number", Signal::NotACode),
];

impl Signal {
    /// A label that says only "a code" or "a diagnosis": a code system's name is more specific.
    pub fn is_generic(self) -> bool {
        matches!(self, Signal::Code | Signal::Diagnosis)
    }
}

/// The most specific of the code labels found ("CPT4 CODE(S)" is CPT, not "code"): the first
/// that names a system, else the first generic one.
pub fn most_specific(found: &[Found]) -> Option<Found> {
    found
        .iter()
        .filter(|f| f.signal != Signal::NotACode)
        .min_by_key(|f| f.signal.is_generic())
        .copied()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub signal: Signal,
    pub pattern: usize,
}

impl Found {
    pub fn label(&self) -> &'static str {
        SIGNALS[self.pattern].0
    }

    /// A word of prose used as a label (`Diagnosis:`, `Procedures:`): on a line of its own it
    /// is a heading of a section, which is weaker evidence than a code system's name.
    pub fn is_plain_word(&self) -> bool {
        matches!(
            self.label(),
            "diagnosis" | "diagnoses" | "procedure" | "procedures"
        )
    }
}

pub struct Signals {
    automaton: AhoCorasick,
}

impl Signals {
    pub fn new() -> Signals {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(SIGNALS.iter().map(|(p, _)| p))
            .expect("the signal patterns are fixed and valid");
        Signals { automaton }
    }

    /// Every signal in `text[range]`, word-bounded, in order.
    pub fn find(&self, text: &str, start: usize, end: usize) -> Vec<Found> {
        let bytes = text.as_bytes();
        self.automaton
            .find_iter(&text[start..end])
            .filter_map(|m| {
                let (s, e) = (start + m.start(), start + m.end());
                let before_ok = s == 0 || !bytes[s - 1].is_ascii_alphanumeric();
                let after_ok = e >= bytes.len() || !bytes[e].is_ascii_alphanumeric();
                let (_, signal) = SIGNALS[m.pattern().as_usize()];
                // `Dx` and `PCS` in capitals only: "dx" and "pcs" are common in prose too.
                let cased = match SIGNALS[m.pattern().as_usize()].0 {
                    "PCS" | "ICD" | "MRN" | "NPI" | "DEA" | "SSN" | "24D" => {
                        &text[s..e] == SIGNALS[m.pattern().as_usize()].0
                    }
                    // Words of prose as often as labels: a label only with its colon.
                    "diagnosis" | "diagnoses" | "procedure" | "procedures" => {
                        text[e..].trim_start_matches(' ').starts_with(':')
                    }
                    // "Px" is a prognosis or a physical exam in prose: a label with its
                    // capital and its colon only.
                    "Px" => {
                        matches!(&text[s..e], "Px" | "PX")
                            && text[e..].trim_start_matches(' ').starts_with(':')
                    }
                    _ => true,
                };
                (before_ok && after_ok && cased).then_some(Found {
                    start: s,
                    end: e,
                    signal,
                    pattern: m.pattern().as_usize(),
                })
            })
            .collect()
    }
}

impl Default for Signals {
    fn default() -> Self {
        Signals::new()
    }
}
