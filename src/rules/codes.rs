//! Rules about one code at a time: invalid, non-billable, missing 7th character, retired,
//! terminated, invalid modifier.

use super::{Finding, Fix, Input, Replace, Rule, Severity};
use crate::codes::CodeSet;
use crate::codes::normalize::compact;
use crate::codes::{CodeSets, Status, System};
use crate::scan::Mention;

/// The first date of service coded in ICD-10 in the United States.
const ICD10_START: &str = "2015-10-01";

/// How many quick fixes a finding offers at most; more would bury the right one.
const MAX_FIXES: usize = 8;

pub fn check(input: &Input, out: &mut Vec<Finding>) {
    let sets = input.sets;
    // ICD-9-CM was the code set for services before 2015-10-01: a claim or encounter that
    // states such a date is not using a retired code.
    let mut before_icd10 = vec![false; input.mentions.len()];
    for scope in input.scopes {
        if scope
            .date_of_service
            .as_deref()
            .is_some_and(|d| d < ICD10_START)
        {
            for &i in &scope.mentions {
                before_icd10[i] = true;
            }
        }
    }
    for (i, m) in input.mentions.iter().enumerate() {
        if m.system == System::Icd9Cm && before_icd10[i] {
            continue;
        }
        let written = m.text(input.text);
        match (m.system, m.status) {
            (_, Status::Invalid) => out.push(invalid(sets, m, written)),
            (System::Icd10Cm, Status::Header) => out.push(header(sets, m)),
            (System::Icd9Cm, Status::Retired) => out.push(retired_icd9(sets, m)),
            (System::Icd10Pcs, Status::Retired) => out.push(finding(
                Rule::RetiredCode,
                m,
                format!(
                    "{} was deleted from ICD-10-PCS; choose a current code",
                    m.code
                ),
                Vec::new(),
            )),
            _ => {}
        }
        for md in m.modifiers.iter().filter(|md| !md.valid) {
            out.push(Finding {
                rule: Rule::InvalidModifier,
                severity: Severity::Error,
                start: md.start,
                end: md.end,
                message: format!(
                    "-{} is neither a CPT nor a HCPCS Level II modifier on {}",
                    md.code, m.code
                ),
                related: Vec::new(),
                fixes: Vec::new(),
            });
        }
    }
    for scope in input.scopes {
        for &i in &scope.mentions {
            let m = &input.mentions[i];
            if m.system != System::Hcpcs {
                continue;
            }
            let Some(term) = sets.hcpcs().terminated(&m.code) else {
                continue;
            };
            let message = match &scope.date_of_service {
                Some(dos) if dos.as_str() >= term => format!(
                    "{} was terminated on {term}, before the date of service {dos}",
                    m.code
                ),
                Some(_) => continue,
                None => format!(
                    "{} was terminated on {term}; check it against the date of service",
                    m.code
                ),
            };
            out.push(finding(Rule::TerminatedCode, m, message, Vec::new()));
        }
    }
}

fn finding(rule: Rule, m: &Mention, message: String, fixes: Vec<Fix>) -> Finding {
    Finding {
        rule,
        severity: Severity::Error,
        start: m.start,
        end: m.end,
        message,
        related: Vec::new(),
        fixes,
    }
}

fn replace_with(m: &Mention, code: &str, title: &str, preferred: bool) -> Fix {
    let label = if title.is_empty() {
        format!("Replace with {code}")
    } else {
        format!("Replace with {code} {title}")
    };
    Fix {
        title: label,
        edits: vec![Replace {
            start: m.start,
            end: m.end,
            text: code.to_string(),
        }],
        preferred,
    }
}

fn invalid(sets: &CodeSets, m: &Mention, written: &str) -> Finding {
    let mut fixes = Vec::new();
    if m.system == System::Icd10Cm {
        // The nearest code is the longest existing prefix; if it is a header, its
        // billable codes that share the most with what was written.
        let key = compact(written);
        let mut prefix = key.as_str();
        while prefix.len() > 3 {
            // Claims carry any text in a code field: step back a character, not a byte.
            let last = prefix.chars().next_back().map_or(1, char::len_utf8);
            prefix = &prefix[..prefix.len() - last];
            let dotted = crate::codes::normalize::dot_icd10cm(prefix);
            match sets.icd10cm().status(&dotted) {
                Some(Status::Valid) => {
                    let title = sets
                        .lookup(&dotted, System::Icd10Cm)
                        .map(|e| e.title)
                        .unwrap_or_default();
                    fixes.push(replace_with(m, &dotted, &title, true));
                    break;
                }
                Some(_) => {
                    for (code, title) in billable_below(sets, &dotted).into_iter().take(MAX_FIXES) {
                        fixes.push(replace_with(m, &code, &title, false));
                    }
                    break;
                }
                None => {}
            }
        }
    }
    let what = match m.system {
        System::Cpt => "is not in any CPT section",
        System::Hcpcs => "is not a HCPCS Level II code",
        _ => "is not a code",
    };
    let message = format!(
        "{} {what} in {}{}",
        m.code,
        m.system.name(),
        if fixes.is_empty() {
            ""
        } else {
            "; did you mean one of the suggested codes?"
        }
    );
    finding(Rule::InvalidCode, m, message, fixes)
}

/// Billable codes under an ICD-10-CM header, in code order.
fn billable_below(sets: &CodeSets, code: &str) -> Vec<(String, String)> {
    let prefix = if code.len() == 3 {
        format!("{code}.")
    } else {
        code.to_string()
    };
    sets.prefix(System::Icd10Cm, &prefix, 5000)
        .into_iter()
        .filter(|(_, _, status)| *status == Status::Valid)
        .map(|(c, t, _)| (c, t))
        .collect()
}

/// What the 7th character means for this code, from the code's own table (an injury's
/// encounters, an eye's laterality…), and the placeholders a short code needs.
fn seventh_message(code: &str, seventh: &[(String, String)]) -> String {
    const SHOWN: usize = 4;
    let meanings: Vec<String> = seventh
        .iter()
        .take(SHOWN)
        .map(|(ch, meaning)| format!("{ch} {meaning}"))
        .collect();
    let more = if seventh.len() > SHOWN { ", …" } else { "" };
    let placeholders = if compact(code).len() < 6 {
        ", with X placeholders to fill six characters"
    } else {
        ""
    };
    format!(
        "{code} needs a 7th character ({}{more}){placeholders}",
        meanings.join(", ")
    )
}

fn header(sets: &CodeSets, m: &Mention) -> Finding {
    let entry = sets.lookup(&m.code, System::Icd10Cm);
    let seventh = entry
        .as_ref()
        .map(|e| e.seventh.clone())
        .unwrap_or_default();
    let below = billable_below(sets, &m.code);
    let needs_seventh = !seventh.is_empty()
        && below.iter().all(|(c, _)| compact(c).len() == 7)
        && compact(&m.code).len() >= 3
        && {
            // Only the codes one 7th character away: S72.001 → S72.001A.
            let base = {
                let mut b = compact(&m.code);
                while b.len() < 6 {
                    b.push('X');
                }
                b
            };
            below.iter().any(|(c, _)| compact(c).starts_with(&base))
        };
    if needs_seventh {
        let mut base = compact(&m.code);
        while base.len() < 6 {
            base.push('X');
        }
        let fixes = seventh
            .iter()
            .filter_map(|(ch, meaning)| {
                let code = crate::codes::normalize::dot_icd10cm(&format!("{base}{ch}"));
                (sets.icd10cm().status(&code) == Some(Status::Valid)).then(|| Fix {
                    title: format!("Add 7th character {ch}: {code} ({meaning})"),
                    edits: vec![Replace {
                        start: m.start,
                        end: m.end,
                        text: code,
                    }],
                    preferred: false,
                })
            })
            .collect();
        return finding(
            Rule::MissingSeventhCharacter,
            m,
            seventh_message(&m.code, &seventh),
            fixes,
        );
    }
    let first = below.first().map(|b| b.0.clone()).unwrap_or_default();
    let last = below.last().map(|b| b.0.clone()).unwrap_or_default();
    let range = if below.len() > 1 {
        format!(" ({} billable codes, {first}–{last})", below.len())
    } else {
        String::new()
    };
    let fixes = below
        .iter()
        .take(MAX_FIXES)
        .map(|(c, t)| replace_with(m, c, t, false))
        .collect();
    finding(
        Rule::NonBillableCode,
        m,
        format!(
            "{} is a category, not a billable code: choose a more specific code below it{range}",
            m.code
        ),
        fixes,
    )
}

fn retired_icd9(sets: &CodeSets, m: &Mention) -> Finding {
    let entry = sets.lookup(&m.code, System::Icd9Cm);
    let gems = entry.map(|e| e.gems).unwrap_or_default();
    let fixes: Vec<Fix> = gems
        .iter()
        .filter(|g| !g.no_map)
        .take(MAX_FIXES)
        .map(|g| {
            let how = if g.approximate {
                " (approximate GEM match)"
            } else {
                " (GEM)"
            };
            Fix {
                title: format!("Replace with {} {}{how}", g.code, g.title),
                edits: vec![Replace {
                    start: m.start,
                    end: m.end,
                    text: g.code.clone(),
                }],
                preferred: gems.len() == 1,
            }
        })
        .collect();
    let targets: Vec<&str> = gems
        .iter()
        .filter(|g| !g.no_map)
        .map(|g| g.code.as_str())
        .take(4)
        .collect();
    let hint = if targets.is_empty() {
        String::from("; the GEMs have no equivalent, so code from the documentation")
    } else {
        format!("; the GEMs map it to {}", targets.join(", "))
    };
    finding(
        Rule::RetiredCode,
        m,
        format!(
            "{} is an ICD-9-CM code, retired for services from 2015-10-01: use ICD-10{hint}",
            m.code
        ),
        fixes,
    )
}
