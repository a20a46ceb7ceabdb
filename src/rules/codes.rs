//! Rules about one code at a time: invalid, non-billable, missing 7th character, retired,
//! terminated, invalid modifier.

use super::scope::Visit;
use super::{Finding, Fix, Input, Replace, Rule, Severity};
use crate::codes::CodeSet;
use crate::codes::history::{Day, Validity};
use crate::codes::normalize::compact;
use crate::codes::{CodeSets, Status, System};
use crate::scan::Mention;

/// How many quick fixes a finding offers at most; more would bury the right one.
const MAX_FIXES: usize = 8;

/// The day a mention is judged by, and where that day came from.
#[derive(Debug, Clone, Copy)]
pub(super) struct ServiceDay {
    pub(super) day: Day,
    source: DaySource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DaySource {
    /// The document's date of service (its encounter's, or its claim's).
    Document,
    /// `--as-of`, `[data] as-of` or the `asOf` setting.
    AsOf,
    Today,
}

impl ServiceDay {
    /// "the date of service 2026-08-01", "the as-of date 2026-08-01", "today, 2026-12-01".
    fn phrase(self) -> String {
        match self.source {
            DaySource::Document => format!("the date of service {}", self.day),
            DaySource::AsOf => format!("the as-of date {}", self.day),
            DaySource::Today => format!("today, {}", self.day),
        }
    }
}

/// Each mention's day: its scope's date of service, else the configured as-of date, else
/// today.
pub(super) fn service_days(input: &Input) -> Vec<ServiceDay> {
    let fallback = match input.config.as_of {
        Some(day) => ServiceDay {
            day,
            source: DaySource::AsOf,
        },
        None => ServiceDay {
            day: Day::today(),
            source: DaySource::Today,
        },
    };
    let mut days = vec![fallback; input.mentions.len()];
    for scope in input.scopes {
        let Some(day) = scope.date_of_service.as_deref().and_then(Day::parse) else {
            continue;
        };
        for &i in &scope.mentions {
            days[i] = ServiceDay {
                day,
                source: DaySource::Document,
            };
        }
    }
    days
}

pub fn check(input: &Input, days: &[ServiceDay], out: &mut Vec<Finding>) {
    let sets = input.sets;
    for (i, m) in input.mentions.iter().enumerate() {
        let on = days[i];
        // ICD-9-CM was the code set for services before 2015-10-01.
        let icd9_era = on.day < Day::ICD10;
        let written = m.text(input.text);
        match (m.system, m.status) {
            (System::Icd9Cm, _) if icd9_era && m.status != Status::Header => {}
            (_, Status::Invalid) => out.push(invalid(sets, m, written, on)),
            (System::Icd10Cm | System::Icd10Pcs, _) => out.extend(dated(sets, m, on)),
            (System::Icd9Cm, Status::Header) if icd9_era => out.push(icd9_header(sets, m)),
            (System::Icd9Cm, Status::Retired | Status::Header) => {
                out.push(retired_icd9(sets, m, on))
            }
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

/// An ICD-10-CM code a note writes without its dot (`E119`): the scanner reads it, and a
/// reader may not. Claims and charge sheets write codes without dots by their standard, so
/// only prose visits are looked at. The fix is the same code with its dot: safe to apply
/// unread.
pub fn undotted(input: &Input, visits: &[Visit], out: &mut Vec<Finding>) {
    for &i in visits.iter().filter(|v| v.prose).flat_map(|v| &v.mentions) {
        let m = &input.mentions[i];
        let written = m.text(input.text);
        if m.system != System::Icd10Cm
            || m.status == Status::Invalid
            || written.contains('.')
            || !m.code.contains('.')
        {
            continue;
        }
        out.push(Finding {
            rule: Rule::UndottedCode,
            severity: Severity::Hint,
            start: m.start,
            end: m.end,
            message: format!(
                "{written} is written without its dot: ICD-10-CM writes it {}",
                m.code
            ),
            related: Vec::new(),
            fixes: vec![Fix {
                title: format!("Write {}", m.code),
                edits: vec![Replace {
                    start: m.start,
                    end: m.end,
                    text: m.code.clone(),
                }],
                preferred: true,
                safe: true,
                code: Some(m.code.clone()),
            }],
        });
    }
}

/// An ICD-10 code judged by the release in force on its day: a header, not yet valid, or
/// deleted by then.
fn dated(sets: &CodeSets, m: &Mention, on: ServiceDay) -> Option<Finding> {
    let system = m.system;
    match sets.on(system, &m.code, on.day) {
        Validity::Billable => None,
        Validity::Header => Some(header(sets, m, on)),
        Validity::NotYet(from) => Some(not_yet_valid(sets, m, on, from)),
        Validity::Ended(last) => {
            let deleted = last.succ();
            let fixes: Vec<Fix> = sets
                .replacements(system, &m.code, on.day)
                .iter()
                .take(MAX_FIXES)
                .map(|r| {
                    let mut fix = replace_with(m, &r.code, &r.title, false);
                    fix.title.push_str(&format!(" ({})", r.why.describe()));
                    fix
                })
                .collect();
            let choose = match fixes.len() {
                0 => "choose a code of that release",
                _ => "choose one of the codes offered",
            };
            Some(finding(
                Rule::RetiredCode,
                m,
                format!(
                    "{} was deleted on {deleted} ({}), before {}: {choose}",
                    m.code,
                    sets.release_on(system, deleted),
                    on.phrase(),
                ),
                fixes,
            ))
        }
        Validity::Unknown => None,
    }
}

/// A code that became valid after the day it is judged by. The fix is what was billed
/// before: the nearest code above it that was billable then (D69.1 for D69.11 before
/// FY2027).
fn not_yet_valid(sets: &CodeSets, m: &Mention, on: ServiceDay, from: Day) -> Finding {
    let system = m.system;
    if from == Day::ICD10 && on.day < Day::ICD10 {
        return finding(
            Rule::NotYetValidCode,
            m,
            format!(
                "{} is an ICD-10 code, and ICD-10 began on 2015-10-01: {} is coded in ICD-9-CM",
                m.code,
                on.phrase()
            ),
            Vec::new(),
        );
    }
    // The nearest code above it that was billable then, else the billable codes then of the
    // nearest category above it.
    let key = compact(&m.code);
    let mut earlier: Vec<(String, bool)> = Vec::new();
    for n in (3..key.len()).rev() {
        let code = match system {
            System::Icd10Cm => crate::codes::normalize::dot_icd10cm(&key[..n]),
            _ => key[..n].to_string(),
        };
        match sets.on(system, &code, on.day) {
            Validity::Billable => earlier.push((code, true)),
            Validity::Header => earlier.extend(
                sets.billable_below(system, &code, on.day)
                    .into_iter()
                    .map(|(c, _)| (c, false)),
            ),
            _ => continue,
        }
        break;
    }
    let fixes = earlier
        .iter()
        .take(MAX_FIXES)
        .map(|(code, preferred)| {
            let title = sets.set(system).title(code).unwrap_or("");
            replace_with(m, code, title, *preferred)
        })
        .collect();
    finding(
        Rule::NotYetValidCode,
        m,
        format!(
            "{} became valid on {from} ({}), after {} ({})",
            m.code,
            sets.release_on(system, from),
            on.phrase(),
            sets.release_on(system, on.day),
        ),
        fixes,
    )
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
        safe: false,
        code: Some(code.to_string()),
    }
}

fn invalid(sets: &CodeSets, m: &Mention, written: &str, on: ServiceDay) -> Finding {
    let level_two_shape = {
        let b = m.code.as_bytes();
        b.len() == 5 && (b'A'..=b'V').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit)
    };
    if m.system == System::Hcpcs
        && level_two_shape
        && let Some(release) = sets.releases().iter().find(|r| r.set == "HCPCS")
        && Day::parse(&release.effective_to).is_some_and(|end| end < on.day)
    {
        // dxpx's HCPCS file is one quarter's: a code added since is not an error.
        let mut f = finding(
            Rule::InvalidCode,
            m,
            format!(
                "{} is not in HCPCS {}; {} is later, and a newer release may have it",
                m.code,
                release.release,
                on.phrase()
            ),
            Vec::new(),
        );
        f.severity = Severity::Info;
        return f;
    }
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
    if m.system == System::Cpt
        && !sets.cpt().has_licensed_file()
        && let Some((before, after)) = sets.cpt().between(&m.code)
    {
        // A number between the public ranges may be a code dxpx's ranges do not show (they
        // move a little each year): said, softly, with the ranges around it.
        let mut f = finding(
            Rule::InvalidCode,
            m,
            format!(
                "{} is in none of the CPT ranges dxpx ships (it falls between {before} and {after}); the licensed CPT file, when configured, decides",
                m.code
            ),
            Vec::new(),
        );
        f.severity = Severity::Warning;
        return f;
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

/// Billable codes under an ICD-10-CM header today, in code order.
fn billable_below(sets: &CodeSets, code: &str) -> Vec<(String, String)> {
    sets.billable_below(System::Icd10Cm, code, Day::today())
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

fn header(sets: &CodeSets, m: &Mention, on: ServiceDay) -> Finding {
    let entry = sets.lookup(&m.code, System::Icd10Cm);
    let seventh = entry
        .as_ref()
        .map(|e| e.seventh.clone())
        .unwrap_or_default();
    let below = sets.billable_below(System::Icd10Cm, &m.code, on.day);
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
                (sets.on(System::Icd10Cm, &code, on.day) == Validity::Billable).then(|| Fix {
                    title: format!("Add 7th character {ch}: {code} ({meaning})"),
                    edits: vec![Replace {
                        start: m.start,
                        end: m.end,
                        text: code.clone(),
                    }],
                    preferred: false,
                    safe: false,
                    code: Some(code),
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
    // A code that was billable until the release in force made it a category says so.
    let became = sets
        .icd10cm()
        .history(&m.code)
        .and_then(|h| h.since(on.day))
        .filter(|(_, before)| *before == Some(crate::codes::history::Role::Billable))
        .map(|(from, _)| {
            format!(
                " since {from} ({}; billable until {})",
                sets.release_on(System::Icd10Cm, from),
                from.pred()
            )
        })
        .unwrap_or_default();
    finding(
        Rule::NonBillableCode,
        m,
        format!(
            "{} is a category{became}, not a billable code: choose a more specific code below it{range}",
            m.code
        ),
        fixes,
    )
}

/// An ICD-9-CM category or subcategory on a claim of the ICD-9 era: it needs more digits.
fn icd9_header(sets: &CodeSets, m: &Mention) -> Finding {
    let below = sets
        .lookup(&m.code, System::Icd9Cm)
        .map(|e| e.children)
        .unwrap_or_default();
    let range = match (below.first(), below.last()) {
        (Some(first), Some(last)) if below.len() > 1 => format!(" ({}–{})", first.0, last.0),
        _ => String::new(),
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
            "{} is an ICD-9-CM category, not a billable code: it needs more digits{range}",
            m.code
        ),
        fixes,
    )
}

fn retired_icd9(sets: &CodeSets, m: &Mention, on: ServiceDay) -> Finding {
    let entry = sets.lookup(&m.code, System::Icd9Cm);
    let gems = entry.map(|e| e.gems).unwrap_or_default();
    let mapped: Vec<_> = gems.iter().filter(|g| !g.no_map).collect();
    // The GEMs are of 2015-2018: a target since deleted or made a category is offered as
    // what took its place on the day, and says so.
    let mut offered: Vec<(String, String, String)> = Vec::new();
    for g in &mapped {
        let how = if g.approximate {
            "approximate GEM match"
        } else {
            "GEM"
        };
        let system = g.system;
        if sets.on(system, &g.code, on.day) == Validity::Billable {
            offered.push((g.code.clone(), g.title.clone(), how.to_string()));
            continue;
        }
        for r in sets.replacements(system, &g.code, on.day) {
            let why = format!("{how} {}; {}", g.code, r.why.describe());
            offered.push((r.code, r.title, why));
        }
    }
    let mut seen = Vec::new();
    offered.retain(|(c, _, _)| {
        let new = !seen.contains(c);
        seen.push(c.clone());
        new
    });
    let single = offered.len() == 1;
    // The one target of a GEM that maps the code exactly (not approximately, and still
    // billable on the day) is the conversion itself: no judgment is left to make.
    let exact =
        single && mapped.len() == 1 && !mapped[0].approximate && offered[0].0 == mapped[0].code;
    let fixes: Vec<Fix> = offered
        .iter()
        .take(MAX_FIXES)
        .map(|(code, title, how)| {
            let mut fix = replace_with(m, code, title, single);
            fix.title.push_str(&format!(" ({how})"));
            fix.safe = exact;
            fix
        })
        .collect();
    let targets: Vec<&str> = offered.iter().map(|(c, _, _)| c.as_str()).take(4).collect();
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
