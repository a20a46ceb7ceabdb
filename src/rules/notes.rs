//! Rules from the tabular list's instructional notes: Excludes1 pairs, manifestations
//! without their etiology, external causes standing alone.

use super::{Finding, Input, Related, Rule, Severity};
use crate::codes::{CodeSets, Status, System};
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
    // Each distinct code once, in order of first appearance; a note is read per code, not
    // per mention, and its references are matched against the sorted distinct codes.
    let mut first: Vec<&Mention> = Vec::new();
    for m in dx {
        if !first.iter().any(|f| f.code == m.code) {
            first.push(m);
        }
    }
    let mut sorted: Vec<&Mention> = first.clone();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let mut reported: Vec<(&str, &str)> = Vec::new();
    for a in &first {
        for note in input.sets.icd10cm().notes(&a.code, "excludes1").iter() {
            for r in references(&note.text) {
                for b in r.candidates(&sorted) {
                    let pair = if a.code < b.code {
                        (a.code.as_str(), b.code.as_str())
                    } else {
                        (b.code.as_str(), a.code.as_str())
                    };
                    if b.code == a.code || reported.contains(&pair) {
                        continue;
                    }
                    reported.push(pair);
                    // Reported at the later of the two, pointing at the earlier.
                    let (earlier, later) = if a.start < b.start { (*a, b) } else { (b, *a) };
                    out.push(Finding {
                        rule: Rule::Excludes1Conflict,
                        severity: Severity::Warning,
                        start: later.start,
                        end: later.end,
                        message: format!(
                            "{} and {} are not coded together: an Excludes1 note at {} says “{}”; keep the one the documentation supports",
                            a.code, b.code, note.from, note.text
                        ),
                        related: vec![Related { start: earlier.start, end: earlier.end, message: format!("{} is here", earlier.code) }],
                        fixes: Vec::new(),
                    });
                }
            }
        }
    }
}

fn manifestation(input: &Input, dx: &[&Mention], out: &mut Vec<Finding>) {
    for (i, m) in dx.iter().enumerate() {
        if !input
            .sets
            .icd10cm()
            .edit_flags(&m.code)
            .contains(&"manifestation")
        {
            continue;
        }
        let etiology_before = dx[..i].iter().any(|d| {
            !input
                .sets
                .icd10cm()
                .edit_flags(&d.code)
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
            rule: Rule::ManifestationWithoutEtiology,
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
            rule: Rule::ExternalCauseAlone,
            severity: Severity::Warning,
            start: m.start,
            end: m.end,
            message: format!("{} is an external-cause code: it says how an injury happened and never stands alone; add the code for the injury or condition", m.code),
            related: Vec::new(),
            fixes: Vec::new(),
        });
    }
}

/// Whether an instructional note of `kind` on `code`, its category, block or chapter names
/// `other`: E16.2's Excludes1 names E11.649, E11.22's "use additional code" N18.6.
pub(crate) fn note_names(sets: &CodeSets, code: &str, kind: &'static str, other: &str) -> bool {
    sets.icd10cm()
        .notes(code, kind)
        .iter()
        .any(|n| references(&n.text).iter().any(|r| r.matches(other)))
}

/// A code or range named in a note: `(E10.-)`, `(J09.X3, J10.2)`, `(P70-P74)`.
#[derive(Debug, PartialEq)]
enum Reference {
    Prefix(String),
    Range(String, String),
}

impl Reference {
    /// The codes in `sorted` (by code) that this reference names.
    fn candidates<'a>(&self, sorted: &[&'a Mention]) -> impl Iterator<Item = &'a Mention> {
        let (lo, hi) = match self {
            Reference::Prefix(p) => (p.clone(), format!("{p}\u{10FFFF}")),
            Reference::Range(a, b) => (a.clone(), format!("{b}\u{10FFFF}")),
        };
        let start = sorted.partition_point(|m| m.code.as_str() < lo.as_str());
        let end = sorted.partition_point(|m| m.code.as_str() < hi.as_str());
        sorted[start..end.max(start)]
            .iter()
            .copied()
            .filter(|m| self.matches(&m.code))
    }

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
