//! Medical necessity: every procedure needs a diagnosis in its scope (unsupported-procedure),
//! and where the project's support rules pair a procedure with diagnoses, one of those
//! (diagnosis-mismatch).

use super::{Finding, Fix, Input, Related, Replace, Rule, Severity};
use crate::codes::{Status, System};
use crate::config::SupportRule;
use crate::scan::Mention;

pub fn check(input: &Input, out: &mut Vec<Finding>) {
    for scope in input.scopes {
        let in_scope = || scope.mentions.iter().map(|&i| &input.mentions[i]);
        let diagnoses: Vec<&Mention> = in_scope().filter(|m| is_diagnosis(m)).collect();
        for p in in_scope().filter(|m| m.system.is_procedure() && m.status != Status::Invalid) {
            // Only a valid diagnosis supports a claim: invalid, header and retired codes
            // are rejected before medical necessity is even looked at.
            // ICD-9-CM codes were valid for services before 2015-10-01.
            let icd9_era = scope
                .date_of_service
                .as_deref()
                .is_some_and(|d| d < "2015-10-01");
            let valid_dx = diagnoses.iter().any(|d| {
                (d.system == System::Icd10Cm && d.status == Status::Valid)
                    || (icd9_era && d.system == System::Icd9Cm && d.status == Status::Retired)
            });
            if !valid_dx {
                let message = if diagnoses.is_empty() {
                    format!(
                        "{} ({}) has no diagnosis here: payers deny a procedure without one for lack of medical necessity; add the ICD-10-CM code that supports it",
                        p.code,
                        p.system.name()
                    )
                } else {
                    let codes: Vec<&str> = diagnoses.iter().map(|d| d.code.as_str()).collect();
                    format!(
                        "{} ({}) has no valid diagnosis here: {} cannot support it (invalid, not billable or retired); code the diagnosis to a valid ICD-10-CM code",
                        p.code,
                        p.system.name(),
                        codes.join(", ")
                    )
                };
                out.push(Finding {
                    rule: Rule::UnsupportedProcedure,
                    severity: Severity::Error,
                    start: p.start,
                    end: p.end,
                    message,
                    related: diagnoses
                        .iter()
                        .map(|d| Related {
                            start: d.start,
                            end: d.end,
                            message: format!("{} is not a valid diagnosis", d.code),
                        })
                        .collect(),
                    fixes: Vec::new(),
                });
                continue;
            }
            let rules: Vec<&SupportRule> = input
                .config
                .support
                .iter()
                .filter(|r| procedure_matches(r, &p.code))
                .collect();
            if rules.is_empty() {
                continue;
            }
            let valid: Vec<&&Mention> = diagnoses
                .iter()
                .filter(|d| d.system == System::Icd10Cm)
                .collect();
            if valid
                .iter()
                .any(|d| rules.iter().any(|r| diagnosis_matches(r, &d.code)))
            {
                continue;
            }
            // Supporting diagnoses elsewhere in the document (another encounter, another
            // line of the sheet) are offered as the fix.
            let elsewhere: Vec<&Mention> = input
                .mentions
                .iter()
                .filter(|d| {
                    d.system == System::Icd10Cm
                        && rules.iter().any(|r| diagnosis_matches(r, &d.code))
                })
                .collect();
            let mut seen = Vec::new();
            let fixes = elsewhere
                .iter()
                .filter(|d| {
                    let new = !seen.contains(&d.code);
                    seen.push(d.code.clone());
                    new
                })
                .map(|d| Fix {
                    title: format!("Add supporting diagnosis {} after {}", d.code, p.code),
                    edits: vec![Replace {
                        start: last_end(p),
                        end: last_end(p),
                        text: format!(" (Dx {})", d.code),
                    }],
                    preferred: false,
                    safe: false,
                    code: None,
                })
                .collect();
            let names: Vec<String> = rules
                .iter()
                .map(|r| {
                    if r.source.is_empty() {
                        r.name.clone()
                    } else {
                        format!("{} ({})", r.name, r.source)
                    }
                })
                .collect();
            let mut wanted: Vec<String> = Vec::new();
            for d in rules.iter().flat_map(|r| r.diagnoses.iter()) {
                if wanted.len() < 6 && !wanted.contains(d) {
                    wanted.push(d.clone());
                }
            }
            // A code written twice in the encounter is named once.
            let mut has: Vec<&str> = Vec::new();
            for d in &valid {
                if !has.contains(&d.code.as_str()) {
                    has.push(&d.code);
                }
            }
            out.push(Finding {
                rule: Rule::DiagnosisMismatch,
                severity: Severity::Warning,
                start: p.start,
                end: p.end,
                message: format!(
                    "no diagnosis here supports {} under {}: it expects {}, and this encounter has {}",
                    p.code,
                    names.join("; "),
                    wanted.join(", "),
                    has.join(", ")
                ),
                related: valid
                    .iter()
                    .map(|d| Related { start: d.start, end: d.end, message: format!("{} does not support {}", d.code, p.code) })
                    .collect(),
                fixes,
            });
        }
    }
}

fn last_end(m: &Mention) -> usize {
    m.modifiers.last().map_or(m.end, |md| md.end)
}

/// A diagnosis for medical necessity: an ICD-10-CM or ICD-9-CM diagnosis code, whatever
/// its own problems (the other rules report those).
fn is_diagnosis(m: &Mention) -> bool {
    match m.system {
        System::Icd10Cm => true,
        System::Icd9Cm => m.code.as_bytes()[0].is_ascii_alphabetic() || m.code.find('.') != Some(2),
        _ => false,
    }
}

pub fn procedure_matches(rule: &SupportRule, code: &str) -> bool {
    rule.procedures.iter().any(|p| match p.split_once('-') {
        Some((a, b)) if a.len() == code.len() => code >= a && code <= b,
        Some(_) => false,
        None => p.eq_ignore_ascii_case(code),
    })
}

pub fn diagnosis_matches(rule: &SupportRule, code: &str) -> bool {
    rule.diagnoses.iter().any(|d| {
        let d = d.trim().to_ascii_uppercase();
        match d.split_once('-') {
            Some((a, b)) => {
                let cat = category(code);
                cat >= category(a) && cat <= category(b)
            }
            None => code.starts_with(d.trim_end_matches(".-").trim_end_matches('-')),
        }
    })
}

/// The first three characters: a diagnosis code's category, or as much of a range's end
/// as a user wrote (any text, from dxpx.toml).
fn category(code: &str) -> &str {
    code.char_indices()
        .nth(3)
        .map_or(code, |(end, _)| &code[..end])
}

/// How many diagnoses a procedure's add-diagnosis fix offers.
const OFFERED: usize = 4;

/// "Add diagnosis …" on every unsupported procedure: one diagnosis written where the visit
/// keeps its codes supports every procedure of it, so each of its unsupported procedures
/// carries the same fix (an editor shows one action for them all). The diagnoses offered
/// are, in order, the conditions the visit documents but does not code (the documentation
/// hints' first candidates, when `raw` has them), then valid diagnoses written in the visit
/// (another row of the same encounter), then elsewhere in the same note. External causes
/// are never offered: they support nothing alone.
pub fn offer_diagnoses(input: &Input, raw: &mut [Finding]) {
    let unsupported: Vec<usize> = (0..raw.len())
        .filter(|&i| raw[i].rule == Rule::UnsupportedProcedure)
        .collect();
    if unsupported.is_empty() {
        return;
    }
    let mention_at = |start: usize| input.mentions.iter().position(|m| m.start == start);
    let scope_of = |mention: usize| {
        input
            .scopes
            .iter()
            .position(|s| s.mentions.contains(&mention))
    };
    // Each finding's scope, grouped by visit: a sheet's rows of one encounter, or one scope.
    let mut groups: Vec<(usize, Vec<(usize, usize)>)> = Vec::new(); // (visit key, [(finding, scope)])
    for &f in &unsupported {
        let Some(scope) = mention_at(raw[f].start).and_then(scope_of) else {
            continue;
        };
        let key = input.scopes[scope]
            .visit
            .map_or(scope, |v| usize::MAX / 2 + v);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((f, scope)),
            None => groups.push((key, vec![(f, scope)])),
        }
    }
    for (_, members) in groups {
        let scopes: Vec<&crate::rules::Scope> = {
            let mut seen: Vec<usize> = members.iter().map(|&(_, s)| s).collect();
            seen.dedup();
            seen.iter().map(|&s| &input.scopes[s]).collect()
        };
        let (start, end) = scopes
            .iter()
            .fold((usize::MAX, 0), |(a, b), s| (a.min(s.start), b.max(s.end)));
        let visit: Vec<usize> = match input.scopes[members[0].1].visit {
            Some(v) => input
                .scopes
                .iter()
                .filter(|s| s.visit == Some(v))
                .flat_map(|s| s.mentions.iter().copied())
                .collect(),
            None => scopes
                .iter()
                .flat_map(|s| s.mentions.iter().copied())
                .collect(),
        };
        let mut offered: Vec<(String, bool)> = Vec::new(); // (code, documented)
        let mut offer = |code: &str, documented: bool| {
            let external = matches!(code.as_bytes().first(), Some(b'V' | b'W' | b'X' | b'Y'));
            if !external && offered.len() < OFFERED && !offered.iter().any(|(c, _)| c == code) {
                offered.push((code.to_string(), documented));
            }
        };
        for hint in raw
            .iter()
            .filter(|h| h.rule == Rule::DocumentedNotCoded && h.start >= start && h.start < end)
        {
            if let Some(code) = hint.fixes.first().and_then(|f| f.code.as_deref()) {
                offer(code, true);
            }
        }
        let valid = |m: &&Mention| m.system == System::Icd10Cm && m.status == Status::Valid;
        for m in visit.iter().map(|&i| &input.mentions[i]).filter(valid) {
            offer(&m.code, false);
        }
        // Elsewhere in the same note (an earlier encounter of the patient); never another
        // row's note or another encounter of a sheet, which may be another patient's.
        if let Some((from, to)) = input.scopes[members[0].1].note {
            for m in input.mentions.iter().filter(valid) {
                if m.start >= from && m.end <= to {
                    offer(&m.code, false);
                }
            }
        }
        let Some(slots) = scopes
            .iter()
            .map(|s| slot(input, s, members.iter().map(|&(f, _)| raw[f].start).min()?))
            .collect::<Option<Vec<Slot>>>()
        else {
            continue;
        };
        let mut procedures: Vec<&str> = Vec::new();
        for &(f, _) in &members {
            let code = &input.text[raw[f].start..raw[f].end];
            if !procedures.contains(&code) {
                procedures.push(code);
            }
        }
        let supports = if procedures.len() > 1 {
            format!(" (supports {})", procedures.join(", "))
        } else {
            String::new()
        };
        let fixes: Vec<Fix> = offered
            .iter()
            .enumerate()
            .map(|(i, (code, documented))| {
                let title = input.sets.icd10cm().title(code).unwrap_or_default();
                Fix {
                    title: format!("Add diagnosis {code} {title}{supports}"),
                    edits: slots
                        .iter()
                        .map(|s| Replace {
                            start: s.at,
                            end: s.at,
                            text: format!("{}{code}{}", s.before, s.after),
                        })
                        .collect(),
                    // The condition the note documents is the one to code; a code written
                    // elsewhere is a coder's choice.
                    preferred: i == 0 && *documented,
                    safe: false,
                    code: Some(code.clone()),
                }
            })
            .collect();
        for &(f, _) in &members {
            raw[f].fixes.extend(fixes.iter().cloned());
        }
    }
}

/// Where and how a diagnosis is inserted: `before` + code + `after` at `at`.
struct Slot {
    at: usize,
    before: String,
    after: String,
}

/// A scope's place for its diagnosis: a charge-sheet row's empty diagnosis cell; in a note,
/// the encounter's diagnosis line (`Dx:`, `Diagnosis:`, `ICD-10:`), else a new `Dx:` line
/// before the line of its first unsupported procedure (`first`).
fn slot(input: &Input, scope: &crate::rules::Scope, first: usize) -> Option<Slot> {
    if let Some(at) = scope.diagnosis_slot {
        return Some(Slot {
            at,
            before: String::new(),
            after: String::new(),
        });
    }
    if scope.linked || scope.visit.is_some() {
        return None;
    }
    let text = input.text;
    let mut at = scope.start;
    for line in text[scope.start..scope.end.min(text.len())].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(colon) = content.find(':')
            && is_diagnosis_label(&content[..colon])
        {
            // After the line's last code ("Dx: E11, M17.11."), else at its end: "Dx:" takes
            // the code, "Diagnosis: knee pain" takes it in parentheses.
            let (label_end, line_end) = (at + colon + 1, at + content.trim_end().len());
            let last_code = input
                .mentions
                .iter()
                .filter(|m| m.start >= label_end && m.end <= line_end)
                .map(|m| m.modifiers.last().map_or(m.end, |md| md.end))
                .max();
            let (at, before, after) = match last_code {
                Some(end) => (end, ", ", ""),
                None if text[label_end..line_end].trim().is_empty()
                    || text[..line_end].ends_with(',') =>
                {
                    (line_end, " ", "")
                }
                None => (line_end, " (", ")"),
            };
            return Some(Slot {
                at,
                before: before.into(),
                after: after.into(),
            });
        }
        at += line.len();
    }
    let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if line.split('\n').next().is_some_and(|l| l.ends_with('\r')) {
        "\r\n"
    } else {
        "\n"
    };
    Some(Slot {
        at: line_start,
        before: format!("{indent}Dx: "),
        after: newline.into(),
    })
}

/// The words before a colon that label a line of diagnosis codes: "Dx", "Diagnosis codes",
/// "ICD-10-CM", "2. Diagnoses".
fn is_diagnosis_label(label: &str) -> bool {
    let label = label
        .trim()
        .trim_start_matches(|c: char| {
            c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '*' | '#' | ' ')
        })
        .to_ascii_lowercase();
    let label = label
        .trim_end_matches("(s)")
        .trim_end_matches(" codes")
        .trim_end_matches(" code")
        .trim();
    matches!(
        label,
        "dx" | "dxs"
            | "diagnosis"
            | "diagnoses"
            | "icd"
            | "icd-10"
            | "icd10"
            | "icd-10-cm"
            | "icd10cm"
    )
}
