//! What payers' edits check across a visit's lines: an E/M service billed with a procedure
//! needs modifier 25 (modifier-25-missing), the distinct-procedure modifiers 59 and XE, XP,
//! XS, XU never go on an E/M (em-distinct-modifier), and a procedure's side must be its
//! diagnoses' side (laterality-mismatch).
//!
//! What the data cannot know: a procedure's global period and whether it takes RT/LT are in
//! the Medicare Physician Fee Schedule, which dxpx does not ship. The cues here are the public
//! CPT sections instead: a procedure of the Surgery section (10004–69990) is one that a
//! separately billed E/M must be set apart from, and one whose side a payer checks.

use super::scope::Visit;
use super::{Finding, Fix, Input, Related, Replace, Rule, Severity};
use crate::codes::{CodeSets, Status, System};
use crate::scan::{Evidence, Mention};

pub fn check(input: &Input, visits: &[Visit], out: &mut Vec<Finding>) {
    for visit in visits {
        let lines: Vec<&Mention> = visit
            .mentions
            .iter()
            .map(|&i| &input.mentions[i])
            .filter(|m| m.system.is_procedure())
            .collect();
        modifier_25(input, &lines, visit.prose, out);
    }
    for scope in input.scopes {
        let in_scope: Vec<&Mention> = scope.mentions.iter().map(|&i| &input.mentions[i]).collect();
        laterality(input, &in_scope, scope.linked, out);
    }
}

/// The CPT section of a procedure (its outermost range's name in the public structure).
fn section<'a>(sets: &'a CodeSets, m: &Mention) -> Option<&'a str> {
    if m.system != System::Cpt || m.status != Status::Valid {
        return None;
    }
    sets.cpt().section(&m.code)
}

fn is_em(sets: &CodeSets, m: &Mention) -> bool {
    section(sets, m).is_some_and(|s| s == "Evaluation & Management")
}

/// A procedure of the Surgery section, less the blood draws in its range, which carry no
/// global period (Medicare Physician Fee Schedule indicator XXX) and need no modifier 25
/// beside an E/M: venipuncture 36415, capillary blood 36416, blood from a device or catheter
/// 36591 and 36592, arterial puncture 36600.
fn is_surgery(sets: &CodeSets, m: &Mention) -> bool {
    const NO_GLOBAL: &[&str] = &["36415", "36416", "36591", "36592", "36600"];
    section(sets, m).is_some_and(|s| s == "Surgery") && !NO_GLOBAL.contains(&m.code.as_str())
}

fn has_modifier(m: &Mention, codes: &[&str]) -> bool {
    m.modifiers
        .iter()
        .any(|md| codes.contains(&md.code.as_str()))
}

const DISTINCT: &[&str] = &["59", "XE", "XP", "XS", "XU"];

fn modifier_25(input: &Input, lines: &[&Mention], prose: bool, out: &mut Vec<Finding>) {
    let sets = input.sets;
    let procedure = lines.iter().find(|m| is_surgery(sets, m));
    for em in lines.iter().filter(|m| is_em(sets, m)) {
        let wrong: Vec<&str> = em
            .modifiers
            .iter()
            .map(|md| md.code.as_str())
            .filter(|c| DISTINCT.contains(c))
            .collect();
        if let Some(&first) = wrong.first() {
            let md = em
                .modifiers
                .iter()
                .find(|md| md.code == first)
                .expect("found above");
            let fixes = match procedure {
                Some(_) => vec![Fix {
                    title: format!("Replace -{first} with -25"),
                    edits: vec![Replace {
                        start: md.start,
                        end: md.end,
                        text: "25".into(),
                    }],
                    preferred: true,
                    safe: false,
                    code: None,
                }],
                None => Vec::new(),
            };
            out.push(Finding {
                rule: Rule::EmDistinctModifier,
                severity: Severity::Error,
                start: em.start,
                end: md.end.max(em.end),
                message: format!(
                    "{}-{first}: modifier {first} marks a distinct procedure and never goes on an E/M service (NCCI); a separately identifiable E/M on the day of a procedure takes modifier 25",
                    em.code
                ),
                related: Vec::new(),
                fixes,
            });
            continue;
        }
        let Some(p) = procedure else { continue };
        // 57 (decision for surgery) sets the E/M apart from a major procedure as 25 does.
        if has_modifier(em, &["25", "57"]) {
            continue;
        }
        let at = em
            .modifiers
            .iter()
            .map(|md| md.end)
            .max()
            .unwrap_or(em.end)
            .max(em.end);
        out.push(Finding {
            rule: Rule::Modifier25Missing,
            severity: Severity::Warning,
            start: em.start,
            end: em.end,
            message: format!(
                "{} is billed with the procedure {} in the same visit and has no modifier 25: payers bundle the E/M into the procedure unless 25 says it was significant and separately identifiable",
                em.code, p.code
            ),
            related: vec![Related {
                start: p.start,
                end: p.end,
                message: format!("{} ({}, CPT Surgery section)", p.code, p.system.name()),
            }],
            fixes: (prose && free_text(input.text, at))
                .then(|| Fix {
                    title: format!("Add modifier 25: {}-25", em.code),
                    edits: vec![Replace {
                        start: at,
                        end: at,
                        text: "-25".into(),
                    }],
                    preferred: true,
                    safe: false,
                    code: None,
                })
                .into_iter()
                .collect(),
        });
    }
}

/// Whether `-25` written at `at`, after a code in prose, reads as its modifier: not when a
/// character that joins it to more follows (`99213:`, `99213.5`).
fn free_text(text: &str, at: usize) -> bool {
    let next = text.as_bytes().get(at).copied();
    !next.is_some_and(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b':' | b'*' | b'|' | b'^' | b'.' | b'-')
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Right,
    Left,
    Bilateral,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Right => "right",
            Side::Left => "left",
            Side::Bilateral => "bilateral",
        }
    }

    fn modifier(self) -> &'static str {
        match self {
            Side::Right => "RT",
            Side::Left => "LT",
            Side::Bilateral => "50",
        }
    }
}

/// The side an ICD-10-CM title names ("Unilateral primary osteoarthritis, left knee"). A
/// side of an unpaired organ ("right heart failure", "left ventricular failure") is no side.
fn side_of(title: &str) -> Option<Side> {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let unpaired = |i: usize| {
        words.get(i + 1).is_some_and(|w| {
            matches!(
                w.as_str(),
                "heart" | "ventricular" | "ventricle" | "atrial" | "atrium" | "bundle" | "main"
            )
        })
    };
    let mut sides = words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w.as_str() {
            "right" if !unpaired(i) => Some(Side::Right),
            "left" if !unpaired(i) => Some(Side::Left),
            "bilateral" => Some(Side::Bilateral),
            _ => None,
        });
    let first = sides.next()?;
    // "Right and left" or a title naming two sides is no one side.
    sides.all(|s| s == first).then_some(first)
}

fn written_side(m: &Mention) -> Option<Side> {
    if has_modifier(m, &["RT"]) {
        Some(Side::Right)
    } else if has_modifier(m, &["LT"]) {
        Some(Side::Left)
    } else if has_modifier(m, &["50"]) {
        Some(Side::Bilateral)
    } else {
        None
    }
}

/// `linked`: the scope's diagnoses are its procedure's by the document's links (a claim
/// line), so a missing side can be asked for; in a note's encounter, a lateral diagnosis may
/// be another part's (a right knee beside a shoulder repair).
fn laterality(input: &Input, in_scope: &[&Mention], linked: bool, out: &mut Vec<Finding>) {
    let sets = input.sets;
    let lateral: Vec<(&Mention, Side)> = in_scope
        .iter()
        .filter(|d| d.system == System::Icd10Cm && d.status == Status::Valid)
        .filter_map(|d| Some((*d, side_of(sets.icd10cm().title(&d.code)?)?)))
        .collect();
    if lateral.is_empty() {
        return;
    }
    // The procedure's finding, with the diagnoses that name `side`.
    let finding = |p: &Mention, message: String, side: Side| Finding {
        rule: Rule::LateralityMismatch,
        severity: Severity::Warning,
        start: p.start,
        end: p.end,
        message,
        related: lateral
            .iter()
            .filter(|(_, s)| *s == side)
            .map(|(d, s)| Related {
                start: d.start,
                end: d.end,
                message: format!("{} names the {} side", d.code, s.name()),
            })
            .collect(),
        fixes: Vec::new(),
    };
    for p in in_scope.iter().filter(|m| is_surgery(sets, m)) {
        match written_side(p) {
            Some(side @ (Side::Right | Side::Left)) => {
                // Wrong only when no linked diagnosis names its side or both sides.
                if lateral
                    .iter()
                    .any(|(_, s)| *s == side || *s == Side::Bilateral)
                {
                    continue;
                }
                let other = if side == Side::Right {
                    Side::Left
                } else {
                    Side::Right
                };
                let mut codes: Vec<&str> = lateral.iter().map(|(d, _)| d.code.as_str()).collect();
                codes.dedup();
                let message = format!(
                    "{}-{} is on the {} side, but its diagnoses ({}) name the {} side: payers deny a procedure whose side no diagnosis supports; correct the modifier or the diagnosis",
                    p.code,
                    side.modifier(),
                    side.name(),
                    codes.join(", "),
                    other.name()
                );
                out.push(finding(p, message, other));
            }
            Some(Side::Bilateral) => {}
            None if !linked => {}
            None => {
                let first = lateral[0].1;
                if !lateral.iter().all(|(_, s)| *s == first) {
                    continue;
                }
                let message = format!(
                    "{} has no side modifier, and its diagnoses name the {} side: add -{} so the claim says which side was treated",
                    p.code,
                    first.name(),
                    first.modifier()
                );
                let mut f = finding(p, message, first);
                // An X12 service line's modifiers follow the code in its composite, after the
                // separator before the code (`HC:27447` → `HC:27447:LT`). A sheet's or a FHIR
                // item's go in a field the line may not have: there the message says what to
                // add, and no fix writes it.
                let composite =
                    matches!(&p.evidence, Evidence::Field(f) if f == "SV1" || f == "SV2");
                let separator = p.start.checked_sub(1).map(|i| input.text.as_bytes()[i]);
                if let Some(sep) = separator.filter(|c| composite && c.is_ascii_punctuation()) {
                    f.fixes.push(Fix {
                        title: format!("Add modifier {}", first.modifier()),
                        edits: vec![Replace {
                            start: p.end,
                            end: p.end,
                            text: format!("{}{}", sep as char, first.modifier()),
                        }],
                        preferred: true,
                        safe: false,
                        code: None,
                    });
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_names_one_side_of_a_paired_part() {
        assert_eq!(
            side_of("Unilateral primary osteoarthritis, left knee"),
            Some(Side::Left)
        );
        assert_eq!(
            side_of("Bilateral primary osteoarthritis of knee"),
            Some(Side::Bilateral)
        );
        assert_eq!(side_of("Right heart failure, unspecified"), None);
        assert_eq!(side_of("Essential (primary) hypertension"), None);
    }
}
