//! Scopes: which mentions see each other.
//!
//! A note is one encounter unless it has several dates of service or encounter headings
//! (`Date of service: 03/04/2026`, `DOS:`, `ENCOUNTER 2`, `Visit date:`); then each part,
//! from one such line to the next, is an encounter of its own. A charge sheet or claim gives
//! each procedure line its linked diagnoses.

use super::patient::{self, Patient};
use crate::codes::history::Day;
use crate::scan::Mention;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// Byte range of the scope in the text.
    pub start: usize,
    pub end: usize,
    /// Indices into the document's mentions.
    pub mentions: Vec<usize>,
    /// The date of service, as YYYY-MM-DD, when the scope states one.
    pub date_of_service: Option<String>,
    /// The visit (one claim, one encounter of a charge sheet) this scope is part of, when
    /// several scopes make one: the lines of a claim share it and are billed together.
    /// `None`: the scope is a visit of its own (a note's encounter).
    pub visit: Option<usize>,
    /// Its diagnoses are linked to its procedure by the document (a claim line's pointers, a
    /// charge sheet's row), not only written in the same encounter.
    pub linked: bool,
    /// The principal diagnosis of an inpatient (institutional) claim, which the MS-DRG
    /// grouper's CC exclusions read.
    pub principal: Option<usize>,
    /// The patient's birth date or age, where a claim's fields state it.
    pub patient: Option<Patient>,
    /// The note this encounter is part of (a notes table's cell), as a byte range: where a
    /// note states once what holds for all its encounters, such as the patient's age. Read
    /// only by the rules that need it (see [`Visit::patient`]).
    pub note: Option<(usize, usize)>,
    /// Where a diagnosis for this scope's procedure is written when it has none: a charge
    /// sheet row's first empty diagnosis cell. A note's place is found in its text; a
    /// claim's diagnoses are segments and pointers that no one insertion completes.
    pub diagnosis_slot: Option<usize>,
}

/// What is billed together: a note's encounter, or the scopes of one claim (or of the
/// charge-sheet rows of one encounter), with the range they cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub start: usize,
    pub end: usize,
    /// Every mention of its scopes, in text order, once.
    pub mentions: Vec<usize>,
    /// Written in prose (a note's encounter: a modifier is written `99213-25`), not in a
    /// claim's or a sheet's fields.
    pub prose: bool,
    pub date_of_service: Option<String>,
    pub principal: Option<usize>,
    patient: Option<Patient>,
    note: Option<(usize, usize)>,
}

impl Visit {
    /// The patient: as the claim's fields state them, else as the visit's note says (read
    /// now, as few visits need it: only codes with an age group do).
    pub fn patient(&self, text: &str) -> Option<Patient> {
        self.patient.or_else(|| {
            let (start, end) = self.note?;
            let reference = reference_day(self.date_of_service.as_deref());
            patient::in_note(text.get(start..end)?, reference).map(|p| p.moved(start))
        })
    }
}

/// The visits of a document's scopes, in the order their first scope comes.
pub fn visits(scopes: &[Scope]) -> Vec<Visit> {
    let mut out: Vec<Visit> = Vec::new();
    // A visit id's place in `out`: a year of claims has tens of thousands.
    let mut at: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for scope in scopes {
        match scope.visit.and_then(|v| at.get(&v).copied()) {
            Some(i) => {
                let visit = &mut out[i];
                visit.start = visit.start.min(scope.start);
                visit.end = visit.end.max(scope.end);
                visit.mentions.extend(&scope.mentions);
                visit.date_of_service = visit
                    .date_of_service
                    .take()
                    .or_else(|| scope.date_of_service.clone());
                visit.principal = visit.principal.or(scope.principal);
                visit.patient = visit.patient.or(scope.patient);
                visit.note = visit.note.or(scope.note);
            }
            None => {
                if let Some(v) = scope.visit {
                    at.insert(v, out.len());
                }
                out.push(Visit {
                    start: scope.start,
                    end: scope.end,
                    mentions: scope.mentions.clone(),
                    prose: scope.visit.is_none() && !scope.linked,
                    date_of_service: scope.date_of_service.clone(),
                    principal: scope.principal,
                    patient: scope.patient,
                    note: scope.note,
                });
            }
        }
    }
    for v in &mut out {
        v.mentions.sort_unstable();
        v.mentions.dedup();
    }
    out
}

/// Where a visit's lens goes: its first scope, or its first code when that comes sooner (a
/// claim's diagnoses come before its lines).
pub fn visit_start(visit: &Visit, mentions: &[Mention]) -> usize {
    visit
        .mentions
        .first()
        .map_or(visit.start, |&i| mentions[i].start.min(visit.start))
}

const MARKERS: &[&str] = &[
    "date of service",
    "dos",
    "encounter",
    "visit date",
    "date of visit",
    "service date",
];

/// Encounter scopes of a clinical note.
pub fn encounters(text: &str, mentions: &[Mention]) -> Vec<Scope> {
    let mut starts: Vec<(usize, Option<String>)> = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start().as_bytes();
        let marker = MARKERS.iter().find(|m| {
            t.len() > m.len()
                && t[..m.len()].eq_ignore_ascii_case(m.as_bytes())
                && t[m.len()..]
                    .iter()
                    .find(|b| !b.is_ascii_whitespace())
                    .is_some_and(|b| b.is_ascii_digit() || matches!(b, b':' | b'#'))
        });
        if marker.is_some() {
            starts.push((pos, find_date(line)));
        }
        pos += line.len();
    }
    let mut scopes = Vec::new();
    if starts.len() < 2 {
        scopes.push(Scope {
            start: 0,
            end: text.len(),
            mentions: (0..mentions.len()).collect(),
            date_of_service: starts
                .first()
                .and_then(|s| s.1.clone())
                .or_else(|| find_date_of_service(text)),
            note: Some((0, text.len())),
            diagnosis_slot: None,
            ..Scope::default()
        });
        return scopes;
    }
    starts[0].0 = 0;
    for (i, (start, date)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |s| s.0);
        // Mentions are in text order, so each scope's are one run.
        let ids = (mentions.partition_point(|m| m.start < *start)
            ..mentions.partition_point(|m| m.start < end))
            .collect();
        scopes.push(Scope {
            start: *start,
            end,
            mentions: ids,
            date_of_service: date.clone(),
            note: Some((0, text.len())),
            diagnosis_slot: None,
            ..Scope::default()
        });
    }
    scopes
}

/// The day a note's two-digit birth year is read against: its date of service, else today.
fn reference_day(date_of_service: Option<&str>) -> Day {
    date_of_service
        .and_then(Day::parse)
        .unwrap_or_else(Day::today)
}

/// A date of service stated anywhere in the text.
fn find_date_of_service(text: &str) -> Option<String> {
    text.lines()
        .find(|l| {
            let l = l.to_ascii_lowercase();
            MARKERS.iter().any(|m| l.contains(m))
        })
        .and_then(find_date)
}

/// The first date in a line: `03/04/2026`, `3/4/26`, `2026-03-04`.
pub fn find_date(line: &str) -> Option<String> {
    for word in line.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let w = word.trim_matches(|c: char| !c.is_ascii_digit());
        if let Some(d) = parse_date(w) {
            return Some(d);
        }
    }
    None
}

pub fn parse_date(w: &str) -> Option<String> {
    let parts: Vec<&str> = w.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if parts[2].len() == 8 {
        return None;
    } else {
        let y = if parts[2].len() == 2 {
            2000 + n[2]
        } else {
            n[2]
        };
        (y, n[0], n[1])
    };
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("03/04/2026").as_deref(), Some("2026-03-04"));
        assert_eq!(parse_date("2026-03-04").as_deref(), Some("2026-03-04"));
        assert_eq!(parse_date("3/4/26").as_deref(), Some("2026-03-04"));
        assert_eq!(parse_date("160/84/2"), None);
    }

    #[test]
    fn several_dates_of_service_split_a_note() {
        let text = "Date of service: 01/02/2026\nCPT 99213\nDate of service: 01/09/2026\nDx: I10\n";
        let scopes = encounters(text, &[]);
        assert_eq!(scopes.len(), 2);
        assert_eq!(scopes[1].date_of_service.as_deref(), Some("2026-01-09"));
        assert_eq!(encounters("Dx: I10\nCPT 99213\n", &[]).len(), 1);
    }
}
