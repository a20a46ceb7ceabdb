//! Completion: the code being typed (by prefix), or the words after a diagnosis label or in
//! a diagnosis column (by word search).

use crate::analysis::Kind;
use crate::codes::{Listed, Status, System};
use crate::document::Document;
use crate::scan::{Scanner, Signal};

/// Enough to choose from; the list is marked incomplete, so typing more asks again.
const MAX_ITEMS: usize = 60;

/// A code offered, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub code: String,
    pub title: String,
    pub status: Status,
    pub system: System,
    /// The inclusion term or synonym that matched, when it is not the title.
    pub matched: Option<String>,
}

/// What completes the text at the cursor: the candidates replace `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub start: usize,
    pub end: usize,
    /// The text being replaced, as typed.
    pub typed: String,
    /// Found by words ("type 2 diab"), not by a code prefix.
    pub by_words: bool,
    pub candidates: Vec<Candidate>,
}

fn candidates(listed: Vec<Listed>, system: System) -> impl Iterator<Item = Candidate> {
    listed
        .into_iter()
        .map(move |(code, title, status)| Candidate {
            code,
            title,
            status,
            system,
            matched: None,
        })
}

/// What completes the text before `offset`. On an empty diagnosis slot (`Dx: `), the codes
/// of the conditions the encounter documents but does not code come first: `documented`
/// gives them (code, the words the note documents it with), when hints are on.
pub fn complete(
    scanner: &Scanner,
    doc: &Document,
    offset: usize,
    documented: impl FnOnce() -> Vec<(String, String)>,
) -> Option<Completion> {
    let sets = scanner.sets();
    let (line_start, _) = doc.line_bounds(offset);
    let before = &doc.text[line_start..offset];
    // The code being typed: letters, digits and dots back from the cursor.
    let typed_len = before
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.')
        .count();
    let typed = &before[before.len() - typed_len..];
    let b = typed.as_bytes();
    let code_like = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1].is_ascii_digit();
    let pcs_like = b.len() >= 3
        && b.iter().all(|c| c.is_ascii_alphanumeric())
        && b[0].is_ascii_digit()
        && b.iter().any(u8::is_ascii_alphabetic);
    if code_like || pcs_like {
        let upper = typed.to_ascii_uppercase();
        let mut found: Vec<Candidate> = Vec::new();
        if code_like {
            let compact: String = upper.chars().filter(|c| *c != '.').collect();
            let dotted = crate::codes::normalize::dot_icd10cm(&compact);
            let prefix = if upper.ends_with('.') && !dotted.contains('.') {
                format!("{dotted}.")
            } else {
                dotted
            };
            // The next level first: "E11." offers E11.0 … E11.A before E11.00.
            found.extend(candidates(
                sets.icd10cm().shallowest(&prefix, MAX_ITEMS),
                System::Icd10Cm,
            ));
            if !upper.contains('.') {
                found.extend(candidates(
                    sets.prefix(System::Hcpcs, &upper, MAX_ITEMS / 4),
                    System::Hcpcs,
                ));
            }
        } else {
            found.extend(candidates(
                sets.prefix(System::Icd10Pcs, &upper, MAX_ITEMS),
                System::Icd10Pcs,
            ));
        }
        found.retain(|c| !c.code.eq_ignore_ascii_case(typed));
        if !found.is_empty() {
            return Some(Completion {
                start: offset - typed_len,
                end: offset,
                typed: typed.to_string(),
                by_words: false,
                candidates: found,
            });
        }
    }
    // Words in a diagnosis column of a charge sheet, or after a diagnosis label in a note
    // ("Dx: type 2 diab") → ranked codes.
    let words_start = if doc.kind == Kind::ChargeSheet {
        let (cell_start, role) = crate::formats::csv::cell_at(&doc.text, offset)?;
        if role != crate::formats::csv::Role::Diagnosis {
            return None;
        }
        cell_start
    } else {
        let found = scanner.signals_in(&doc.text, line_start, offset);
        let label = found
            .iter()
            .rev()
            .find(|f| matches!(f.signal, Signal::Diagnosis | Signal::Icd10Cm))?;
        let after = &doc.text[label.end..offset];
        label.end + after.len() - after.trim_start_matches([':', ' ', '\t', '-']).len()
    };
    let words = &doc.text[words_start..offset];
    if words.trim().is_empty() {
        return empty_slot(scanner, doc, words_start, offset, documented());
    }
    if words.trim().len() < 2 || words.bytes().filter(|b| b.is_ascii_alphabetic()).count() < 2 {
        return None;
    }
    let mut candidates: Vec<Candidate> = sets
        .search(words, 30)
        .into_iter()
        .filter(|h| h.system == System::Icd10Cm)
        .map(|h| Candidate {
            matched: (h.matched != h.title).then_some(h.matched),
            code: h.code,
            title: h.title,
            status: h.status,
            system: h.system,
        })
        .collect();
    // Billable codes are what a diagnosis line takes; a category is only a way down to
    // them, listed after.
    candidates.sort_by_key(|c| c.status != Status::Valid);
    Some(Completion {
        start: words_start,
        end: offset,
        typed: words.to_string(),
        by_words: true,
        candidates,
    })
}

/// An empty diagnosis slot: the documented conditions' codes, then the valid diagnoses the
/// note writes elsewhere (not on this line), each once.
fn empty_slot(
    scanner: &Scanner,
    doc: &Document,
    start: usize,
    offset: usize,
    documented: Vec<(String, String)>,
) -> Option<Completion> {
    let sets = scanner.sets();
    let (line_start, line_end) = doc.line_bounds(offset);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut push = |code: &str, matched: String| {
        if candidates.iter().any(|c| c.code == code) {
            return;
        }
        let Some(entry) = sets.lookup(code, System::Icd10Cm) else {
            return;
        };
        candidates.push(Candidate {
            code: entry.code,
            title: entry.title,
            status: entry.status.unwrap_or(Status::Valid),
            system: System::Icd10Cm,
            matched: Some(matched),
        });
    };
    for (code, words) in documented {
        push(&code, format!("documented: {words}"));
    }
    for m in &doc.scan.mentions {
        let elsewhere = m.start < line_start || m.start > line_end;
        if elsewhere && m.system == System::Icd10Cm && m.status == Status::Valid {
            let line = doc.text[..m.start].matches('\n').count() + 1;
            push(&m.code, format!("written on line {line}"));
        }
    }
    (!candidates.is_empty()).then(|| Completion {
        start,
        end: offset,
        typed: String::new(),
        by_words: true,
        candidates,
    })
}
