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
