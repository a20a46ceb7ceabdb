//! Rules from the tabular list's instructional notes: Excludes1 pairs, manifestations
//! without their etiology, external causes standing alone.

use super::{Finding, Input, Related, Severity};
use crate::codes::{Status, System};
use crate::scan::Mention;

pub fn check(input: &Input, out: &mut Vec<Finding>) {
    for scope in input.scopes {
        let dx: Vec<&Mention> = scope
            .mentions
            .iter()
            .map(|&i| &input.mentions[i])
            .filter(|m| m.system == System::Icd10Cm && m.status != Status::Invalid)
            .collect();
        excludes1(input, &dx, out);
        manifestation(input, &dx, out);
        external_cause(&dx, out);
    }
}

fn excludes1(input: &Input, dx: &[&Mention], out: &mut Vec<Finding>) {
    for (i, a) in dx.iter().enumerate() {
        let Some(entry) = input.sets.lookup(&a.code, System::Icd10Cm) else {
            continue;
        };
        for note in entry.notes.iter().filter(|n| n.kind == "excludes1") {
            let refs = references(&note.text);
            for b in dx.iter().skip(i + 1).chain(dx.iter().take(i)) {
                if b.code == a.code || !refs.iter().any(|r| r.matches(&b.code)) {
                    continue;
                }
                // Report each pair once, at the later of the two.
                let (first, second) = if a.start < b.start { (a, b) } else { (b, a) };
                if out.iter().any(|f| {
                    f.rule == "excludes1-conflict"
                        && f.start == second.start
                        && f.related.iter().any(|r| r.start == first.start)
                }) {
                    continue;
                }
                out.push(Finding {
                    rule: "excludes1-conflict",
                    severity: Severity::Warning,
                    start: second.start,
                    end: second.end,
                    message: format!(
                        "{} and {} are not coded together: an Excludes1 note at {} says “{}”; keep the one the documentation supports",
                        a.code, b.code, note.from, note.text
                    ),
                    related: vec![Related { start: first.start, end: first.end, message: format!("{} is here", first.code) }],
                    fixes: Vec::new(),
                });
            }
        }
    }
}

fn manifestation(input: &Input, dx: &[&Mention], out: &mut Vec<Finding>) {
    for (i, m) in dx.iter().enumerate() {
        if !input
            .sets
            .icd10cm_edit_flags(&m.code)
            .contains(&"manifestation")
        {
            continue;
        }
        let etiology_before = dx[..i].iter().any(|d| {
            !input
                .sets
                .icd10cm_edit_flags(&d.code)
                .contains(&"manifestation")
        });
        if etiology_before {
            continue;
        }
        let code_first = input
            .sets
            .lookup(&m.code, System::Icd10Cm)
            .map(|e| {
                e.notes
                    .into_iter()
                    .filter(|n| n.kind == "codeFirst")
                    .map(|n| n.text)
                    .take(3)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let hint = if code_first.is_empty() {
            String::new()
        } else {
            format!(" (code first: {})", code_first.join("; "))
        };
        out.push(Finding {
            rule: "manifestation-without-etiology",
            severity: Severity::Warning,
            start: m.start,
            end: m.end,
            message: format!(
                "{} is a manifestation code: code the underlying condition first{hint}",
                m.code
            ),
            related: Vec::new(),
            fixes: Vec::new(),
        });
    }
}

fn external_cause(dx: &[&Mention], out: &mut Vec<Finding>) {
    let external = |m: &&&Mention| matches!(m.code.as_bytes()[0], b'V' | b'W' | b'X' | b'Y');
    if dx.is_empty() || !dx.iter().all(|m| external(&m)) {
        return;
    }
    for m in dx {
        out.push(Finding {
            rule: "external-cause-alone",
            severity: Severity::Warning,
            start: m.start,
            end: m.end,
            message: format!("{} is an external-cause code: it says how an injury happened and never stands alone; add the code for the injury or condition", m.code),
            related: Vec::new(),
            fixes: Vec::new(),
        });
    }
}

/// A code or range named in a note: `(E10.-)`, `(J09.X3, J10.2)`, `(P70-P74)`.
#[derive(Debug, PartialEq)]
enum Reference {
    Prefix(String),
    Range(String, String),
}

impl Reference {
    fn matches(&self, code: &str) -> bool {
        match self {
            Reference::Prefix(p) => code.starts_with(p.as_str()),
            Reference::Range(a, b) => {
                let cat = &code[..code.len().min(3)];
                cat >= a.as_str() && cat <= b.as_str()
            }
        }
    }
}

fn references(note: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut rest = note;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        for part in rest[open + 1..open + close].split(',') {
            let part = part.trim();
            let shaped = |s: &str| {
                let b = s.as_bytes();
                b.len() >= 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit()
            };
            if let Some((a, b)) = part.split_once('-').filter(|(a, b)| shaped(a) && shaped(b)) {
                out.push(Reference::Range(a[..3].to_string(), b[..3].to_string()));
            } else {
                let code = part.trim_end_matches('-').trim_end_matches('.');
                if shaped(code) {
                    out.push(Reference::Prefix(code.to_string()));
                }
            }
        }
        rest = &rest[open + close..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_notes() {
        assert_eq!(
            references("type 1 diabetes mellitus (E10.-)"),
            vec![Reference::Prefix("E10".into())]
        );
        assert_eq!(
            references("influenza (J09.X3, J10.2) and newborn (P70-P74)"),
            vec![
                Reference::Prefix("J09.X3".into()),
                Reference::Prefix("J10.2".into()),
                Reference::Range("P70".into(), "P74".into())
            ]
        );
        assert!(Reference::Range("P70".into(), "P74".into()).matches("P72.1"));
    }
}
