//! The structure of a document as a coder reads it: the headings that open its sections
//! (`PREOPERATIVE DIAGNOSIS:`, `ASSESSMENT:`, `OPERATIONS PERFORMED:`, `MEDICATIONS:`) and
//! the tables whose header names a code column (`| CPT | Mod | ICD-10-CM |`).
//!
//! A section says what the numbers in it are likely to be: under a diagnoses heading a
//! dotted number such as `802.35` is an ICD-9-CM code, under a procedures heading a five-digit
//! number set off from the prose is a CPT code, and under a medications, labs or vitals
//! heading a bare code shape (`B12`, `C56`) is not a code unless a label says so.

use super::signals::{Signal, Signals};

/// What a section holds, as far as codes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Diagnoses, assessment, impression, problems, indications.
    Diagnoses,
    /// Procedures or operations performed.
    Procedures,
    /// Codes, billing, charges: either kind.
    Codes,
    /// Medications, labs, vitals, examination, devices: numbers that are not codes.
    Measures,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Diagnoses => "diagnoses",
            Kind::Procedures => "procedures",
            Kind::Codes => "codes",
            Kind::Measures => "measures",
        }
    }

    pub fn holds_diagnoses(self) -> bool {
        matches!(self, Kind::Diagnoses | Kind::Codes)
    }

    pub fn holds_procedures(self) -> bool {
        matches!(self, Kind::Procedures | Kind::Codes)
    }
}

/// A heading line: what its section holds (`None` for a heading such as `HISTORY OF PRESENT
/// ILLNESS:` that says nothing about codes), and where its own text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heading {
    pub kind: Option<Kind>,
    /// Byte offset in the line just past the colon: text after it is the section's first line.
    pub body: usize,
}

/// What a heading's word says about its section. Words of a narrative or a history
/// (`DESCRIPTION OF PROCEDURE:`, `OPERATIVE FINDINGS:`, `PAST SURGICAL HISTORY:`) make its
/// numbers prose whatever else the heading names; otherwise the first word with a kind
/// decides (`INDICATIONS FOR PROCEDURE:` gives the reasons, that is diagnoses).
enum Meaning {
    Narrative,
    Kind(Kind),
}

fn meaning(word: &[u8]) -> Option<Meaning> {
    let mut buf = [0u8; 12];
    if word.len() > buf.len() {
        return None;
    }
    buf[..word.len()].copy_from_slice(word);
    buf.make_ascii_lowercase();
    let lower = &buf[..word.len()];
    Some(match lower {
        b"description" | b"detail" | b"details" | b"technique" | b"note" | b"notes" | b"findings"
        | b"finding" | b"course" | b"summary" | b"narrative" | b"history" | b"complications"
        | b"complication" | b"instructions" => Meaning::Narrative,
        b"diagnosis" | b"diagnoses" | b"dx" | b"assessment" | b"assessments" | b"impression"
        | b"impressions" | b"problem" | b"problems" | b"indication" | b"indications"
        // "Reason for exam:", "Reason for visit:": why, that is a diagnosis.
        | b"reason" => Meaning::Kind(Kind::Diagnoses),
        b"procedure" | b"procedures" | b"operation" | b"operations" | b"surgery" | b"surgeries"
        | b"performed" => Meaning::Kind(Kind::Procedures),
        b"code" | b"codes" | b"coding" | b"billing" | b"charges" => Meaning::Kind(Kind::Codes),
        b"medication" | b"medications" | b"meds" | b"allergies" | b"allergy" | b"lab" | b"labs"
        | b"laboratory" | b"vital" | b"vitals" | b"exam" | b"examination" | b"results" | b"data"
        | b"implant" | b"implants" | b"device" | b"devices" | b"specimen" | b"specimens" | b"blood"
        | b"fluids" => Meaning::Kind(Kind::Measures),
        _ => return None,
    })
}

/// The longest heading, to the colon. Longer text before a colon is a sentence.
const HEADING_LEN: usize = 60;

/// Whether `line` opens a section: words in capitals or title case, at most seven, then a
/// colon (`PREOPERATIVE DIAGNOSIS:`, `Assessment and Plan: …`).
pub fn heading(line: &str) -> Option<Heading> {
    let lead = line.len() - line.trim_start().len();
    // Most lines start otherwise; they are passed over at their first byte.
    if !line.as_bytes().get(lead)?.is_ascii_uppercase() {
        return None;
    }
    // Only the first bytes can hold a heading's colon; a long line is not read to its end.
    let window = &line.as_bytes()[lead..line.len().min(lead + HEADING_LEN + 1)];
    let colon = lead + memchr::memchr(b':', window)?;
    if colon == lead || colon - lead > HEADING_LEN {
        return None;
    }
    let name = &line.as_bytes()[lead..colon];
    if !name[0].is_ascii_uppercase()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" /&()-,'".contains(&b))
    {
        return None;
    }
    let capitals = !name.iter().any(u8::is_ascii_lowercase);
    // Title case: every word but the little ones ("of", "and", "for") capitalised; or a
    // short label in sentence case ("Procedures performed:").
    let (mut count, mut title, mut narrative, mut kind) = (0, true, false, None);
    for word in name
        .split(|b| !b.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
    {
        count += 1;
        title &= word.len() <= 3 || word[0].is_ascii_uppercase();
        match meaning(word) {
            Some(Meaning::Narrative) => narrative = true,
            Some(Meaning::Kind(k)) if kind.is_none() => kind = Some(k),
            _ => {}
        }
    }
    if count == 0 || count > 7 || !capitals && !title && count > 3 {
        return None;
    }
    let kind = if narrative { None } else { kind };
    Some(Heading {
        kind,
        body: colon + 1,
    })
}

/// A table whose header row names at least one column of codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub separator: u8,
    /// Per column (counted by separators before it): what its header says it holds.
    pub columns: Vec<Option<(Signal, &'static str)>>,
    /// The column of modifiers (`Mod`, `Modifier`), if any.
    pub modifiers: Option<usize>,
}

impl Table {
    /// A header row: cells split by `|` or tabs, at least one naming a code system or
    /// "code" (`CPT`, `ICD-10-CM`, `Dx1`, `HCPCS code`).
    pub fn header(signals: &Signals, line: &str) -> Option<Table> {
        let separator = if line.bytes().filter(|&b| b == b'|').count() >= 2 {
            b'|'
        } else if line.contains('\t') {
            b'\t'
        } else {
            return None;
        };
        let mut columns = Vec::new();
        let mut modifiers = None;
        for (i, cell) in line.split(separator as char).enumerate() {
            let mut name = cell.trim();
            let lower = name.to_ascii_lowercase();
            if matches!(lower.as_str(), "mod" | "mods" | "modifier" | "modifiers") {
                modifiers = Some(i);
            }
            let mut found = signals.find(name, 0, name.len());
            if found.is_empty() {
                // "Dx1", "Dx 2", "Code #": the number counts columns of one kind.
                name = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '#');
                found = signals.find(name, 0, name.len());
            }
            let best = super::signals::most_specific(&found).map(|f| (f.signal, f.label()));
            // The label must be what the cell is about, not a word in a longer phrase.
            let whole = found.iter().map(|f| f.end - f.start).sum::<usize>() * 2 >= name.len();
            columns.push(best.filter(|_| whole));
        }
        columns.iter().any(Option::is_some).then_some(Table {
            separator,
            columns,
            modifiers,
        })
    }

    /// Whether `line` is a row of this table (it has the separator).
    pub fn continues(&self, line: &str) -> bool {
        line.as_bytes().contains(&self.separator)
    }

    /// The column of the byte at `at` in `line`.
    pub fn column_at(&self, line: &str, at: usize) -> usize {
        line.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == self.separator)
            .count()
    }

    /// The byte range of column `column` in `line`.
    pub fn cell(&self, line: &str, column: usize) -> Option<(usize, usize)> {
        let mut start = 0;
        for (i, cell) in line.split(self.separator as char).enumerate() {
            if i == column {
                return Some((start, start + cell.len()));
            }
            start += cell.len() + 1;
        }
        None
    }
}

/// The words next to `text[start..end]` in a list on its line ("C56, C67 and L45"): the
/// nearest word before and after it with only list separators between.
fn list_neighbours(text: &str, start: usize, end: usize) -> [Option<&str>; 2] {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let separator = |c: char| " ,;/&-".contains(c);
    let joiner = |w: &str| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "and" | "or" | "to" | "through"
        )
    };
    let before = {
        let mut head = text[line_start..start].trim_end_matches(separator);
        // Past the last byte that is no ASCII letter or digit (whatever character it is in).
        let word_at = |h: &str| {
            h.bytes()
                .rposition(|b| !b.is_ascii_alphanumeric())
                .map_or(0, |i| i + 1)
        };
        if joiner(&head[word_at(head)..]) {
            head = head[..word_at(head)].trim_end_matches(separator);
        }
        let w = &head[word_at(head)..];
        (!w.is_empty()).then_some(w)
    };
    let after = {
        let mut tail = text[end..line_end].trim_start_matches(separator);
        let word_end = |t: &str| {
            t.find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(t.len())
        };
        if joiner(&tail[..word_end(tail)]) {
            tail = tail[word_end(tail)..].trim_start_matches(separator);
        }
        let w = &tail[..word_end(tail)];
        (!w.is_empty()).then_some(w)
    };
    [before, after]
}

/// Whether a word reads as a spinal level or a run of them: `C5`, `T12`, `C56` (C5–C6),
/// `L5S1`.
fn spinal_level(word: &str) -> bool {
    let b = word.as_bytes();
    let region = |c: u8| matches!(c.to_ascii_uppercase(), b'C' | b'T' | b'L' | b'S');
    let digits = |s: &[u8]| !s.is_empty() && s.len() <= 2 && s.iter().all(u8::is_ascii_digit);
    if b.len() < 2 || !region(b[0]) {
        return false;
    }
    let rest = &b[1..];
    // Two levels joined: "L5S1", "C7T1", "T12L1".
    if let Some(i) = rest.iter().position(|c| c.is_ascii_alphabetic()) {
        return digits(&rest[..i]) && region(rest[i]) && digits(&rest[i + 1..]);
    }
    let thoracic = b[0].eq_ignore_ascii_case(&b'T');
    match *rest {
        [d] => d.is_ascii_digit(),
        // Two adjacent levels ("C56": C5–C6), or a thoracic level past nine (T10–T12).
        [a, d] if digits(rest) => d.wrapping_sub(a) == 1 || thoracic && a == b'1' && d <= b'2',
        _ => false,
    }
}

/// Whether a bare code shape stands in a list that is not of codes: beside a letter-and-digit
/// word that is no code (`G10, P7`; `L45, L5S1`), or as one of a run of spinal levels
/// (`C45, C56, C67`). A label above such a list still makes it codes.
pub fn among_non_codes(
    text: &str,
    start: usize,
    end: usize,
    is_code: impl Fn(&str) -> bool,
) -> bool {
    let word = &text[start..end];
    list_neighbours(text, start, end)
        .into_iter()
        .flatten()
        .any(|n| {
            let shaped = n.len() <= 5
                && n.starts_with(|c: char| c.is_ascii_alphabetic())
                && n.bytes().any(|c| c.is_ascii_digit());
            shaped && (!is_code(n) || spinal_level(word) && spinal_level(n))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<Option<Kind>> {
        heading(line).map(|h| h.kind)
    }

    #[test]
    fn headings_say_what_their_sections_hold() {
        assert_eq!(kind("PREOPERATIVE DIAGNOSIS:"), Some(Some(Kind::Diagnoses)));
        assert_eq!(kind("PRE-OP DIAGNOSES:"), Some(Some(Kind::Diagnoses)));
        assert_eq!(kind("ASSESSMENT AND PLAN:"), Some(Some(Kind::Diagnoses)));
        assert_eq!(kind("Impression: COPD"), Some(Some(Kind::Diagnoses)));
        assert_eq!(kind("OPERATIONS PERFORMED:"), Some(Some(Kind::Procedures)));
        assert_eq!(
            kind("INDICATIONS FOR PROCEDURE:"),
            Some(Some(Kind::Diagnoses))
        );
        assert_eq!(kind("DESCRIPTION OF PROCEDURE:"), Some(None));
        assert_eq!(kind("Reason for exam: C61"), Some(Some(Kind::Diagnoses)));
        assert_eq!(kind("PAST SURGICAL HISTORY:"), Some(None));
        assert_eq!(kind("MEDICATIONS:"), Some(Some(Kind::Measures)));
        assert_eq!(kind("Vital Signs: BP 120/80"), Some(Some(Kind::Measures)));
        assert_eq!(
            kind("Procedures performed: 64721"),
            Some(Some(Kind::Procedures))
        );
        assert_eq!(kind("The patient then states: she is fine"), None);
        assert_eq!(kind("at 10:30"), None);
    }

    #[test]
    fn a_table_header_names_its_code_columns() {
        let signals = Signals::new();
        let t = Table::header(&signals, "| CPT | Mod | ICD-10-CM | Units |").unwrap();
        assert_eq!(t.columns[1].map(|c| c.0), Some(Signal::Cpt));
        assert_eq!(t.columns[3].map(|c| c.0), Some(Signal::Icd10Cm));
        assert_eq!(t.columns[4], None);
        assert_eq!(t.modifiers, Some(2));
        let t = Table::header(&signals, "CPT\tMod\tDx1\tDx2\tUnits").unwrap();
        assert_eq!(t.columns[2].map(|c| c.0), Some(Signal::Diagnosis));
        assert_eq!(t.column_at("99232\t\tJ90\t\t1", 7), 2);
        assert!(Table::header(&signals, "| Drug | Dose | Route |").is_none());
        assert!(Table::header(&signals, "| Date | Code status discussed |").is_none());
    }

    #[test]
    fn lists_of_levels_and_counts_are_not_codes() {
        let is_code = |w: &str| ["C45", "C56", "C67", "G10", "L45", "I10", "E119"].contains(&w);
        let at = |text: &str, w: &str| {
            let s = text.find(w).unwrap();
            among_non_codes(text, s, s + w.len(), is_code)
        };
        assert!(at("levels C45, C56, C67 were", "C56"));
        assert!(at("at L45, L5S1.", "L45"));
        assert!(at("She is G10, P7.", "G10"));
        assert!(at("C56 and C67", "C67"));
        assert!(!at("Dx I10, E119", "I10"));
        assert!(!at("ovarian cancer (C56)", "C56"));
        assert!(!at("I10 for 3 days", "I10"));
    }
}
