//! HL7 v2 messages (DFT^P03 charges, ADT with diagnoses): DG1-3 diagnoses, FT1-25
//! procedures (or a CPT or HCPCS code in FT1-7, the transaction code, where FT1-25 is empty)
//! with their FT1-19 diagnoses and FT1-26 modifiers, PR1-3 procedures. Separators
//! come from MSH; segments end at a carriage return or line break.

use super::{Parsed, Span, fields, problem, split};
use crate::codes::{CodeSets, System};
use crate::rules::Scope;
use crate::rules::patient::{self, Patient};
use crate::scan::Mention;

/// Whether a text is an HL7 v2 message.
pub fn looks_like(text: &str) -> bool {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\r', '\n']);
    t.starts_with("MSH") && t.len() > 8
}

/// Segment spans: at CR or LF, and (for exports that lost them) at a space followed by a
/// segment id and the field separator.
fn segments(text: &str, field: u8) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let boundary = matches!(b[i], b'\r' | b'\n')
            || (b[i] == b' '
                && i + 4 < b.len()
                && b[i + 1].is_ascii_uppercase()
                && b[i + 2].is_ascii_alphanumeric()
                && b[i + 3].is_ascii_alphanumeric()
                && b[i + 4] == field);
        if boundary {
            if i > start {
                out.push(Span { start, end: i });
            }
            start = i + 1;
        }
        i += 1;
    }
    if b.len() > start {
        out.push(Span {
            start,
            end: b.len(),
        });
    }
    out
}

/// A charge or procedure line: its procedure mention, its own diagnoses when FT1-19 lists
/// them, its date, and its segment.
struct Line {
    procedure: usize,
    own: Option<Vec<usize>>,
    date: Option<String>,
    segment: Span,
}

#[derive(Default)]
struct Message {
    diagnoses: Vec<usize>,
    lines: Vec<Line>,
    /// PID-7, the patient's date of birth.
    patient: Option<Patient>,
}

pub fn parse(sets: &CodeSets, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let lead = text.len() - text.trim_start_matches(['\u{feff}', ' ', '\r', '\n']).len();
    let b = text.as_bytes();
    if b.len() < lead + 8 || !text[lead..].starts_with("MSH") || !text.is_char_boundary(lead + 8) {
        parsed.problems.push(problem(
            lead,
            text.len(),
            "an HL7 message starts with an MSH segment; this one is cut short",
        ));
        return parsed;
    }
    let field = b[lead + 3];
    let component = b[lead + 4];
    let repetition = b[lead + 5];
    // Separators are ASCII punctuation; anything else would split inside characters.
    if ![field, component, repetition]
        .iter()
        .all(|c| c.is_ascii_punctuation())
    {
        parsed.problems.push(problem(
            lead,
            lead + 3,
            "the MSH segment does not give ASCII separators after MSH",
        ));
        return parsed;
    }
    let mut messages: Vec<Message> = Vec::new();
    for seg in segments(text, field) {
        let fields_: Vec<Span> = split(text, seg, field);
        let id = text[fields_[0].start..fields_[0].end].trim();
        let get = |n: usize| fields_.get(n).copied().filter(|f| f.end > f.start);
        match id {
            "MSH" => messages.push(Message::default()),
            "PID" => {
                let (Some(msg), Some(born)) = (messages.last_mut(), get(7)) else {
                    continue;
                };
                // PID-7 is a timestamp: its first component, the date first.
                let born = split(text, born, component)[0];
                msg.patient =
                    patient::born_in_field(&text[born.start..born.end], born.start, born.end);
            }
            "DG1" => {
                let Some(f) = get(3) else { continue };
                let Some(msg) = messages.last_mut() else {
                    continue;
                };
                let parts = split(text, f, component);
                let code = parts[0];
                let coding = parts
                    .get(2)
                    .map(|s| text[s.start..s.end].trim())
                    .filter(|s| !s.is_empty())
                    .or_else(|| get(2).map(|s| text[s.start..s.end].trim()))
                    .unwrap_or("");
                if let Some(m) = diagnosis(sets, text, code, coding, "DG1-3") {
                    msg.diagnoses.push(parsed.mentions.len());
                    parsed.mentions.push(m);
                }
            }
            "FT1" | "PR1" => {
                let Some(msg) = messages.last_mut() else {
                    continue;
                };
                let (code_field, dx_field, date_field) = if id == "FT1" {
                    (25, Some(19), 4)
                } else {
                    (3, None, 5)
                };
                let mut own = None;
                // FT1-19 comes before FT1-25 in the segment: read it first, in file order.
                if let Some(dx) = dx_field.and_then(get) {
                    let mut ids = Vec::new();
                    for rep in split(text, dx, repetition) {
                        let parts = split(text, rep, component);
                        let coding = parts
                            .get(2)
                            .map(|s| text[s.start..s.end].trim())
                            .unwrap_or("");
                        if let Some(m) = diagnosis(sets, text, parts[0], coding, "FT1-19") {
                            ids.push(parsed.mentions.len());
                            parsed.mentions.push(m);
                        }
                    }
                    own = Some(ids);
                }
                let named = get(code_field).filter(|f| f.end > f.start);
                // Many charge interfaces put the CPT or HCPCS code in FT1-7, the transaction
                // code, and leave FT1-25 empty: read there when its coding system says so, or
                // when it names none and the value is a valid procedure code (a chargemaster
                // number that is not one is left alone).
                let (f, field_name) = match named {
                    Some(f) => (f, if id == "FT1" { "FT1-25" } else { "PR1-3" }),
                    None if id == "FT1" => match get(7).filter(|f| f.end > f.start) {
                        Some(f) => (f, "FT1-7"),
                        None => continue,
                    },
                    None => continue,
                };
                let parts = split(text, f, component);
                let code = parts[0];
                let Some(mut m) = fields::procedure(sets, text, code.start, code.end, field_name)
                else {
                    continue;
                };
                if field_name == "FT1-7" {
                    let coding = parts
                        .get(2)
                        .map(|s| text[s.start..s.end].trim().to_ascii_uppercase())
                        .unwrap_or_default();
                    let procedure_system = matches!(
                        coding.as_str(),
                        "C4" | "C5" | "CPT" | "CPT4" | "CPT-4" | "HCPCS" | "HC" | "HCPT"
                    );
                    let taken = if coding.is_empty() {
                        m.status == crate::codes::Status::Valid
                    } else {
                        procedure_system
                    };
                    if !taken {
                        continue;
                    }
                }
                if id == "FT1"
                    && let Some(mods) = get(26)
                {
                    for rep in split(text, mods, repetition) {
                        let c = split(text, rep, component)[0];
                        if c.end > c.start {
                            m.modifiers
                                .push(fields::modifier(sets, text, c.start, c.end));
                        }
                    }
                }
                let date = get(date_field)
                    .and_then(|d| text[d.start..d.end].get(..8))
                    .and_then(crate::codes::build::iso_date);
                let idx = parsed.mentions.len();
                parsed.mentions.push(m);
                msg.lines.push(Line {
                    procedure: idx,
                    own,
                    date,
                    segment: seg,
                });
            }
            _ => {}
        }
    }
    for msg in &messages {
        // One message is one visit's charges: billed together.
        let visit = Some(parsed.scopes.len());
        for Line {
            procedure: proc_idx,
            own,
            date,
            segment: seg,
        } in &msg.lines
        {
            let mut ids = vec![*proc_idx];
            match own {
                Some(d) if !d.is_empty() => ids.extend(d.iter().copied()),
                _ => ids.extend(msg.diagnoses.iter().copied()),
            }
            ids.sort_unstable();
            ids.dedup();
            parsed.scopes.push(Scope {
                start: seg.start,
                end: seg.end,
                mentions: ids,
                date_of_service: date.clone(),
                visit,
                linked: own.as_ref().is_some_and(|d| !d.is_empty()),
                principal: None,
                patient: msg.patient,
                note: None,
                diagnosis_slot: None,
            });
        }
    }
    parsed
}

/// A diagnosis by its coding system (`I10`, `I9C`, …), or by its shape when none is named.
fn diagnosis(
    sets: &CodeSets,
    text: &str,
    code: Span,
    coding: &str,
    field: &str,
) -> Option<Mention> {
    let raw = text[code.start..code.end].trim();
    if raw.is_empty() {
        return None;
    }
    let start = code.start
        + (text[code.start..code.end].len() - text[code.start..code.end].trim_start().len());
    let end = start + raw.len();
    let c = coding.to_ascii_uppercase();
    let icd9 = c.starts_with("I9")
        || c.starts_with("ICD9")
        || (!c.starts_with("I10") && !c.starts_with("ICD10") && raw.as_bytes()[0].is_ascii_digit());
    let system = if icd9 {
        System::Icd9Cm
    } else {
        System::Icd10Cm
    };
    Some(fields::coded_diagnosis(
        sets, system, raw, start, end, field,
    ))
}

#[cfg(test)]
mod tests {
    /// Found by the fuzzer: a multi-byte character where the separators belong.
    #[test]
    fn non_ascii_separators_are_a_problem_not_a_panic() {
        let sets = crate::codes::CodeSets::embedded();
        let parsed = super::parse(&sets, "MSHĖ^~\\&|A\rDG1ĖĖE11.9\r");
        assert!(parsed.mentions.is_empty());
        assert_eq!(parsed.problems[0].rule, crate::rules::Rule::MalformedFile);
    }
}

#[cfg(test)]
mod not_hl7 {
    /// Found by the fuzzer: text that is not a message at all, with a multi-byte
    /// character where MSH's separators would be.
    #[test]
    fn text_that_does_not_start_with_msh() {
        let sets = crate::codes::CodeSets::embedded();
        let parsed = super::parse(&sets, "ABĖĖĖĖĖĖ");
        assert!(parsed.problems.iter().all(|p| p.end <= 14));
    }
}
