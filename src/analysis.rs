//! One document, analysed: its kind, mentions, scopes and findings. The language server
//! and the command line both go through here.

use crate::codes::CodeSets;
use crate::config::Config;
use crate::formats::{self, Parsed};
use crate::rules::{self, Finding, Scope};
use crate::scan::{Mention, Scanner};

/// What kind of document a text is, from its language id, file name and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A clinical note: free text, plain or Markdown.
    Note,
    /// A charge sheet: CSV or TSV with a header row.
    ChargeSheet,
    /// An X12 837 claim (professional or institutional).
    X12,
    /// A FHIR R4 Claim or ExplanationOfBenefit (or a Bundle of them), JSON.
    Fhir,
    /// HL7 v2 messages (DFT charges, ADT diagnoses).
    Hl7,
    /// A CSV or TSV whose rows each hold a note (a `note`, `text` or `transcription`
    /// column): every row is a note and an encounter of its own.
    NotesTable,
}

impl Kind {
    pub fn detect(name: &str, language_id: Option<&str>, text: &str) -> Kind {
        let lower = name.to_ascii_lowercase();
        // An interchange announces itself: it starts with an ISA segment.
        if formats::x12::looks_like(text) {
            return Kind::X12;
        }
        if formats::hl7::looks_like(text) {
            return Kind::Hl7;
        }
        let json = lower.ends_with(".json") || language_id == Some("json");
        if json && formats::fhir::looks_like(text) {
            return Kind::Fhir;
        }
        let tabular = lower.ends_with(".csv")
            || lower.ends_with(".tsv")
            || matches!(language_id, Some("csv" | "tsv" | "chargesheet"));
        // A table is a charge sheet unless its rows hold notes; one that names no column
        // dxpx reads is still a table, and says so, rather than a note.
        if !tabular {
            Kind::Note
        } else if formats::csv::holds_notes(text) {
            Kind::NotesTable
        } else {
            Kind::ChargeSheet
        }
    }
}

/// A document's mentions and the structure its format gives them.
#[derive(Debug, Default)]
pub struct Structure {
    pub scopes: Vec<Scope>,
    /// Problems of the file itself (a ragged row, a dangling pointer).
    pub problems: Vec<Finding>,
}

/// Mentions and structure of a document of `kind`.
pub fn read(scanner: &Scanner, kind: Kind, text: &str) -> (Vec<Mention>, Option<Structure>) {
    let parsed = match kind {
        Kind::Note => return (scanner.scan(text), None),
        Kind::ChargeSheet => formats::csv::parse(scanner.sets(), text),
        Kind::X12 => formats::x12::parse(scanner.sets(), text),
        Kind::Fhir => formats::fhir::parse(scanner.sets(), text),
        Kind::Hl7 => formats::hl7::parse(scanner.sets(), text),
        Kind::NotesTable => formats::csv::parse_notes(scanner, text),
    };
    let Parsed {
        mentions,
        scopes,
        problems,
    } = parsed;
    (mentions, Some(Structure { scopes, problems }))
}

/// Scopes and findings for mentions already found in `text`: the rules, the format's own
/// problems and (when given) the documentation hints, through one finishing step.
pub fn check(
    sets: &CodeSets,
    config: &Config,
    text: &str,
    mentions: &[Mention],
    structure: Option<&Structure>,
) -> (Vec<Scope>, Vec<Finding>) {
    check_with_hints(sets, config, text, mentions, structure, |_| Vec::new())
}

/// [`check`], with the documentation hints that `hints` finds for the document's scopes.
pub fn check_with_hints(
    sets: &CodeSets,
    config: &Config,
    text: &str,
    mentions: &[Mention],
    structure: Option<&Structure>,
    hints: impl FnOnce(&[Scope]) -> Vec<Finding>,
) -> (Vec<Scope>, Vec<Finding>) {
    let scopes = match structure {
        Some(s) => s.scopes.clone(),
        None => rules::scope::encounters(text, mentions),
    };
    let input = rules::Input {
        text,
        mentions,
        scopes: &scopes,
        sets,
        config,
    };
    let mut raw = rules::check(&input);
    if let Some(s) = structure {
        raw.extend(s.problems.iter().cloned());
    }
    raw.extend(hints(&scopes));
    // After the hints: the conditions they find are the first diagnoses offered.
    rules::offer_diagnoses(&input, &mut raw);
    (scopes, rules::finish(text, config, raw))
}

/// Everything about a document, from scratch.
pub struct Analysis {
    pub kind: Kind,
    pub mentions: Vec<Mention>,
    pub scopes: Vec<Scope>,
    pub findings: Vec<Finding>,
}

pub fn analyze(scanner: &Scanner, config: &Config, name: &str, text: &str) -> Analysis {
    let kind = Kind::detect(name, None, text);
    let (mentions, structure) = read(scanner, kind, text);
    let (scopes, findings) = check(scanner.sets(), config, text, &mentions, structure.as_ref());
    Analysis {
        kind,
        mentions,
        scopes,
        findings,
    }
}
