//! X12 837 claims (professional 837P and institutional 837I, 4010 and 5010): separators
//! from the ISA header; diagnoses from HI, service lines from LX/SV1/SV2 with their
//! pointers (SV107) and modifiers; dates from DTP. Every code keeps its byte range.

use super::{Parsed, Span, fields, problem, split};
use crate::codes::{CodeSets, Status, System};
use crate::rules::patient::{self, Patient};
use crate::rules::{Finding, Related, Rule, Scope, Severity};
use crate::scan::{Evidence, Mention};

/// Whether a text is an X12 interchange.
pub fn looks_like(text: &str) -> bool {
    text.trim_start_matches(['\u{feff}', ' ', '\r', '\n'])
        .starts_with("ISA")
}

struct Segment {
    start: usize,
    end: usize,
    elements: Vec<Span>,
}

/// A service line: its procedure mention, its pointers (`None` on an institutional line,
/// which links to every diagnosis of the claim), its date and its place in the file.
struct Line {
    procedure: usize,
    pointers: Option<Vec<(usize, Span)>>,
    date: Option<String>,
    start: usize,
    end: usize,
}

/// A claim being read: its diagnoses in HI order, dates, and service lines.
#[derive(Default)]
struct Claim {
    diagnoses: Vec<usize>,
    /// ICD procedure codes of HI (837I): supported by the claim's diagnoses, dated by it.
    procedures: Vec<usize>,
    /// The HI principal diagnosis (ABK, BK).
    principal: Option<usize>,
    /// An institutional (837I) claim: CLM05-2 is "A", or its lines are SV2.
    institutional: bool,
    /// Where the claim starts (its CLM) and ends (its last segment so far).
    start: usize,
    end: usize,
    date: Option<String>,
    /// (procedure mention, pointers with their spans or None for "all diagnoses", line date)
    lines: Vec<Line>,
    /// The patient's birth date: the DMG of the subscriber or patient loop before the claim.
    patient: Option<Patient>,
}

pub fn parse(sets: &CodeSets, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let lead = text.len() - text.trim_start_matches(['\u{feff}', ' ', '\r', '\n']).len();
    let b = text.as_bytes();
    if b.len() < lead + 106 || !text[lead..].starts_with("ISA") {
        parsed.problems.push(problem(
            lead,
            text.len(),
            "an X12 interchange starts with a 106-character ISA segment; this one is cut short",
        ));
        return parsed;
    }
    let element = b[lead + 3];
    // ISA has 16 elements; the one after the 16th separator is the component separator,
    // and the next byte ends the segment.
    let mut seps = 0;
    let mut i = lead;
    while i < b.len() && seps < 16 {
        if b[i] == element {
            seps += 1;
        }
        i += 1;
    }
    if seps < 16 || i + 1 >= b.len() {
        parsed.problems.push(problem(
            lead,
            floor_boundary(text, lead + 106),
            "the ISA segment is incomplete: cannot tell the separators",
        ));
        return parsed;
    }
    let mut component = b[i];
    let terminator = b[i + 1];
    // Separators are ASCII; anything else would split inside characters.
    if ![element, component, terminator]
        .iter()
        .all(|c| c.is_ascii() && !c.is_ascii_alphanumeric())
    {
        parsed.problems.push(problem(
            lead,
            lead + 3,
            "the ISA segment does not give ASCII separators",
        ));
        return parsed;
    }
    if !text.is_char_boundary(i) || !text.is_char_boundary(i + 2) {
        parsed.problems.push(problem(
            lead,
            lead + 3,
            "the ISA separators are not single characters",
        ));
        return parsed;
    }

    // Segments, with the line breaks some senders put after the terminator skipped.
    let mut segments = Vec::new();
    let mut s = lead;
    while s < b.len() {
        while s < b.len() && matches!(b[s], b'\r' | b'\n' | b' ') {
            s += 1;
        }
        if s >= b.len() {
            break;
        }
        let e = memchr::memchr(terminator, &b[s..]).map_or(b.len(), |k| s + k);
        if e == b.len() && !text[s..].trim().is_empty() {
            // A last segment with no terminator: a truncated file, unless it is IEA.
            if !text[s..].starts_with("IEA") {
                parsed.problems.push(problem(
                    s,
                    e,
                    "the file ends inside this segment (no segment terminator): it looks truncated",
                ));
            }
        }
        let elements = split(text, Span { start: s, end: e }, element);
        segments.push(Segment {
            start: s,
            end: e,
            elements,
        });
        s = e + 1;
    }

    let mut claims: Vec<Claim> = Vec::new();
    // The last DMG read: the patient of the claims that follow, until a new subscriber.
    let mut patient: Option<Patient> = None;
    let mut icd9_claim = false;
    let mut in_lines = false;
    let mut trailer = (false, false);
    for seg in &segments {
        let id = &text[seg.elements[0].start..seg.elements[0].end];
        let el = |n: usize| seg.elements.get(n).copied().filter(|sp| sp.end > sp.start);
        if let Some(claim) = claims.last_mut()
            && !matches!(id, "CLM" | "SE" | "GE" | "IEA" | "HL")
        {
            claim.end = seg.end;
        }
        match id {
            "CLM" => {
                // CLM05 is facility code : qualifier (A institutional, B professional) : frequency.
                let institutional = el(5).is_some_and(|c| {
                    split(text, c, component)
                        .get(1)
                        .is_some_and(|q| &text[q.start..q.end] == "A")
                });
                claims.push(Claim {
                    start: seg.start,
                    institutional,
                    patient,
                    ..Claim::default()
                });
                in_lines = false;
                icd9_claim = false;
            }
            "HI" if !in_lines => {
                let Some(claim) = claims.last_mut() else {
                    parsed.problems.push(problem(
                        seg.start,
                        seg.end,
                        "HI (diagnoses) outside a claim (no CLM before it)",
                    ));
                    continue;
                };
                for sp in seg.elements.iter().skip(1).filter(|sp| sp.end > sp.start) {
                    if let Some(used) = other_separator(text, *sp, component) {
                        parsed
                            .problems
                            .push(separator_problem(*sp, component, used));
                        component = used;
                    }
                    let parts = split(text, *sp, component);
                    let (Some(q), Some(code)) = (parts.first(), parts.get(1)) else {
                        continue;
                    };
                    let qualifier = &text[q.start..q.end];
                    if let Some(m) = hi_code(sets, text, qualifier, *code) {
                        // Pointers count diagnoses only; HI also carries procedure codes on 837I.
                        let is_dx = !matches!(qualifier, "BR" | "BQ" | "BBR" | "BBQ");
                        if m.system == System::Icd9Cm {
                            icd9_claim = true;
                        }
                        let idx = parsed.mentions.len();
                        parsed.mentions.push(m);
                        if matches!(qualifier, "ABK" | "BK") {
                            claim.principal = Some(idx);
                        }
                        if is_dx {
                            claim.diagnoses.push(idx);
                        } else {
                            claim.procedures.push(idx);
                        }
                    // Occurrence, value, condition and treatment codes, and the DRG (DR), are
                    // not diagnoses: not read, and not a problem.
                    } else if !matches!(qualifier, "BH" | "BE" | "BG" | "BI" | "TC" | "DR")
                        && code.end > code.start
                    {
                        parsed.problems.push(problem(
                            q.start,
                            q.end,
                            format!(
                                "unknown HI qualifier {qualifier:?}: the code after it is not read"
                            ),
                        ));
                    }
                }
            }
            "LX" => in_lines = true,
            // HL03: 20 billing provider, 22 subscriber, 23 patient (a dependent, whose DMG
            // follows). A new provider or subscriber is a new patient.
            "HL" if el(3).is_some_and(|c| matches!(&text[c.start..c.end], "20" | "22")) => {
                patient = None;
            }
            // DMG01 D8, DMG02 the birth date CCYYMMDD.
            "DMG" => {
                if let Some(born) = el(2) {
                    patient =
                        patient::born_in_field(&text[born.start..born.end], born.start, born.end);
                }
            }
            "SV1" | "SV2" => {
                let Some(claim) = claims.last_mut() else {
                    parsed.problems.push(problem(
                        seg.start,
                        seg.end,
                        format!("{id} (service line) outside a claim"),
                    ));
                    continue;
                };
                let composite = if id == "SV1" { el(1) } else { el(2) };
                let Some(composite) = composite else { continue };
                if let Some(used) = other_separator(text, composite, component) {
                    parsed
                        .problems
                        .push(separator_problem(composite, component, used));
                    component = used;
                }
                let parts = split(text, composite, component);
                let Some(code) = parts.get(1) else { continue };
                let Some(mut m) = fields::procedure(sets, text, code.start, code.end, id) else {
                    continue;
                };
                for md in parts.iter().skip(2).take(4).filter(|p| p.end > p.start) {
                    m.modifiers
                        .push(fields::modifier(sets, text, md.start, md.end));
                }
                let idx = parsed.mentions.len();
                parsed.mentions.push(m);
                claim.institutional |= id == "SV2";
                let pointers = if id == "SV1" {
                    el(7).map(|p| {
                        split(text, p, component)
                            .into_iter()
                            .filter_map(|d| {
                                text[d.start..d.end]
                                    .trim()
                                    .parse::<usize>()
                                    .ok()
                                    .map(|n| (n, d))
                            })
                            .collect()
                    })
                } else {
                    None
                };
                claim.lines.push(Line {
                    procedure: idx,
                    pointers,
                    date: None,
                    start: seg.start,
                    end: seg.end,
                });
            }
            "DTP" => {
                let qualifier = el(1).map(|q| &text[q.start..q.end]).unwrap_or("");
                let value = el(3).map(|v| &text[v.start..v.end]).unwrap_or("");
                let date = value.get(..8).and_then(crate::codes::build::iso_date);
                if let Some(claim) = claims.last_mut() {
                    match (qualifier, in_lines) {
                        ("472", true) => {
                            if let Some(line) = claim.lines.last_mut() {
                                line.date = date;
                            }
                        }
                        ("472" | "434" | "435" | "431" | "454" | "096", false) => {
                            claim.date = claim.date.clone().or(date)
                        }
                        _ => {}
                    }
                }
            }
            "SE" => trailer.0 = true,
            "IEA" => trailer.1 = true,
            _ => {}
        }
    }
    let _ = icd9_claim;
    if !trailer.0 || !trailer.1 {
        parsed.problems.push(problem(
            text.char_indices()
                .next_back()
                .map_or(lead, |(i, _)| i.max(lead)),
            text.len(),
            format!(
                "the interchange has no {} trailer: it looks truncated",
                if trailer.0 { "IEA" } else { "SE" }
            ),
        ));
    }

    // Scopes: each service line with the diagnoses its pointers name (all of the claim's
    // for an institutional line, which has none); the HI procedures with all of them.
    for claim in &claims {
        let visit = Some(parsed.scopes.len());
        let principal = claim.principal.filter(|_| claim.institutional);
        if !claim.procedures.is_empty() {
            let mut ids: Vec<usize> = claim.procedures.clone();
            ids.extend(&claim.diagnoses);
            ids.sort_unstable();
            parsed.scopes.push(Scope {
                start: claim.start,
                end: claim.end.max(claim.start),
                mentions: ids,
                date_of_service: claim.date.clone(),
                visit,
                linked: false,
                principal,
                patient: claim.patient,
                note: None,
                diagnosis_slot: None,
            });
        }
        for Line {
            procedure: proc_idx,
            pointers,
            date,
            start,
            end,
        } in &claim.lines
        {
            let mut ids = vec![*proc_idx];
            match pointers {
                None => ids.extend(claim.diagnoses.iter().copied()),
                Some(ps) => {
                    for (n, span) in ps {
                        match claim.diagnoses.get(n.wrapping_sub(1)) {
                            Some(&d) => ids.push(d),
                            None => {
                                let p = &parsed.mentions[*proc_idx];
                                parsed.problems.push(Finding {
                                    rule: Rule::DanglingPointer,
                                    severity: Severity::Error,
                                    start: span.start,
                                    end: span.end,
                                    message: format!("diagnosis pointer {n} on the line of {} points past the claim's {} diagnoses", p.code, claim.diagnoses.len()),
                                    related: vec![Related { start: p.start, end: p.end, message: "the service line".into() }],
                                    fixes: Vec::new(),
                                });
                            }
                        }
                    }
                }
            }
            ids.sort_unstable();
            ids.dedup();
            parsed.scopes.push(Scope {
                start: *start,
                end: *end,
                mentions: ids,
                date_of_service: date.clone().or_else(|| claim.date.clone()),
                visit,
                linked: pointers.is_some(),
                principal,
                patient: claim.patient,
                note: None,
                diagnosis_slot: None,
            });
        }
    }
    // Mentions were pushed in file order; keep the invariant explicit for the rules.
    debug_assert!(parsed.mentions.windows(2).all(|w| w[0].start <= w[1].start));
    parsed
}

/// The component separator a composite element uses when it is not the one the ISA declares:
/// its qualifier (`HC`, `ABK`) followed by another punctuation mark (`HC>99213`).
fn other_separator(text: &str, sp: Span, component: u8) -> Option<u8> {
    let raw = &text.as_bytes()[sp.start..sp.end];
    if raw.contains(&component) {
        return None;
    }
    let qualifier = raw.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let next = *raw.get(qualifier)?;
    ((2..=3).contains(&qualifier) && next.is_ascii_punctuation()).then_some(next)
}

fn separator_problem(at: Span, declared: u8, used: u8) -> Finding {
    problem(
        at.start,
        at.end,
        format!(
            "the ISA declares {:?} as the component separator (ISA16), but the claims use {:?}: read with {:?} from here",
            declared as char, used as char, used as char
        ),
    )
}

/// The last character boundary at or before `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A code from an HI element, by its qualifier.
fn hi_code(sets: &CodeSets, text: &str, qualifier: &str, code: Span) -> Option<Mention> {
    let raw = text[code.start..code.end].trim();
    if raw.is_empty() {
        return None;
    }
    let upper = raw.to_ascii_uppercase();
    let (system, dotted, status) = match qualifier {
        // ICD-10-CM: principal, other, admitting, reason for visit, external cause; and
        // the same for ICD-9-CM.
        "ABK" | "ABF" | "ABJ" | "APR" | "ABN" | "BK" | "BF" | "BJ" | "PR" | "BN" => {
            let system = if qualifier.starts_with('A') {
                System::Icd10Cm
            } else {
                System::Icd9Cm
            };
            let field = format!("HI {qualifier}");
            return Some(fields::coded_diagnosis(
                sets, system, raw, code.start, code.end, &field,
            ));
        }
        // ICD-9-CM procedures (volume 3, 837I 4010).
        "BR" | "BQ" => {
            let dotted = crate::codes::normalize::dot_icd9_proc(&upper);
            let status = if sets.icd9cm().has_procedure(&dotted) {
                Status::Retired
            } else {
                Status::Invalid
            };
            (System::Icd9Cm, dotted, status)
        }
        // ICD-10-PCS procedures (837I).
        "BBR" | "BBQ" => {
            let status = if sets.icd10pcs().in_force(&upper) {
                Status::Valid
            } else {
                Status::Invalid
            };
            (System::Icd10Pcs, upper, status)
        }
        _ => return None,
    };
    Some(Mention {
        start: code.start,
        end: code.end,
        code: dotted,
        system,
        status,
        modifiers: Vec::new(),
        evidence: Evidence::Field(format!("HI {qualifier}")),
    })
}

#[cfg(test)]
mod tests {
    /// Found by the fuzzer: a truncated interchange whose last character is multi-byte.
    #[test]
    fn the_missing_trailer_is_reported_on_a_whole_character() {
        let sets = crate::codes::CodeSets::embedded();
        let mut text = String::from(
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260310*1200*^*00501*000000001*0*T*:~GS*HC~é",
        );
        let parsed = super::parse(&sets, &text);
        for p in &parsed.problems {
            assert!(
                text.is_char_boundary(p.start) && text.is_char_boundary(p.end),
                "{p:?}"
            );
        }
        text.push('~');
    }
}
