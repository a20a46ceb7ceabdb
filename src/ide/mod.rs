//! What the editor features and the command line show, computed from the core with byte
//! offsets and plain strings: no protocol types. `lsp/` converts these to LSP, `cli/` prints
//! them.

mod complete;
pub mod explain;

pub use complete::{Candidate, Completion, complete};
pub use explain::{Style, explain, explain_condition};

use crate::codes::history::Day;
use crate::codes::{CodeSets, Status, System};
use crate::document::Document;
use crate::hints::Condition;
use crate::scan::Mention;

/// Text shown over a span of the document (a hover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// The mention under a byte offset (its code or one of its modifiers).
pub fn mention_at(doc: &Document, offset: usize) -> Option<&Mention> {
    let ms = &doc.scan.mentions;
    let i = ms.partition_point(|m| m.start <= offset);
    let m = ms.get(i.checked_sub(1)?)?;
    let end = m.modifiers.last().map_or(m.end, |md| md.end);
    (offset <= end).then_some(m)
}

/// The hover at `offset`: the code there, explained with its modifiers, or else the
/// condition the note documents there in words (from `conditions`, when hints are on).
pub fn hover<'a>(
    sets: &CodeSets,
    doc: &'a Document,
    offset: usize,
    style: Style,
    conditions: impl FnOnce() -> Option<&'a [Condition]>,
) -> Option<Shown> {
    let Some(m) = mention_at(doc, offset) else {
        let conditions = conditions()?;
        let c = conditions
            .iter()
            .find(|c| c.start <= offset && offset <= c.end)?;
        let release = sets.release_of(System::Icd10Cm);
        return Some(Shown {
            text: explain_condition(c, &doc.text[c.start..c.end], &release, style),
            start: c.start,
            end: c.end,
        });
    };
    let mut entry = sets.lookup(&m.code, m.system)?;
    // A code is explained as the release in force on its encounter's date judges it.
    if let Some(day) = date_of_service(doc, m.start) {
        sets.judge(&mut entry, day, "the date of service");
    }
    let modifiers: Vec<(String, String)> = m
        .modifiers
        .iter()
        .map(|md| {
            let label = sets.modifier(&md.code).map_or_else(
                || "not a CPT or HCPCS modifier".to_string(),
                |(s, l)| format!("{l} ({})", s.name()),
            );
            (md.code.clone(), label)
        })
        .collect();
    Some(Shown {
        text: explain(&entry, style, &modifiers),
        start: m.start,
        end: m.end,
    })
}

/// The date of service of the encounter or claim that holds `offset`, when it states one.
pub fn date_of_service(doc: &Document, offset: usize) -> Option<Day> {
    let noted;
    let scopes = match &doc.structure {
        Some(s) => &s.scopes,
        None => {
            noted = crate::rules::scope::encounters(&doc.text, &doc.scan.mentions);
            &noted
        }
    };
    scopes
        .iter()
        .find(|s| s.start <= offset && offset <= s.end)
        .and_then(|s| Day::parse(s.date_of_service.as_deref()?))
}

/// Every occurrence of the code under `offset`, as byte ranges.
pub fn occurrences(doc: &Document, offset: usize) -> Vec<(usize, usize)> {
    let Some(m) = mention_at(doc, offset) else {
        return Vec::new();
    };
    doc.scan
        .mentions
        .iter()
        .filter(|o| o.code == m.code && o.system == m.system)
        .map(|o| (o.start, o.end))
        .collect()
}

/// A code's short title shown after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    /// Where it goes: after the code and its modifiers.
    pub at: usize,
    pub label: String,
    /// The code and its full title.
    pub tooltip: String,
}

/// Short titles after the codes that start in `start..=end`, unless the text after the
/// code already says it.
pub fn titles(sets: &CodeSets, doc: &Document, start: usize, end: usize) -> Vec<Title> {
    let first = doc.scan.mentions.partition_point(|m| m.start < start);
    doc.scan.mentions[first..]
        .iter()
        .take_while(|m| m.start <= end)
        .filter_map(|m| {
            let entry = sets.lookup(&m.code, m.system)?;
            let title = if entry.short_title.is_empty() {
                entry.title.clone()
            } else {
                entry.short_title.clone()
            };
            if title.is_empty() || m.status == Status::Invalid {
                return None;
            }
            let after = m.modifiers.last().map_or(m.end, |md| md.end);
            let (_, line_end) = doc.line_bounds(after);
            let rest = doc.text[after..line_end].to_lowercase();
            let head: String = title.to_lowercase().chars().take(16).collect();
            if rest.contains(&head) {
                return None;
            }
            let label = if title.chars().count() > 48 {
                format!("{}…", title.chars().take(47).collect::<String>())
            } else {
                title
            };
            Some(Title {
                at: after,
                label,
                tooltip: format!("{} {}", entry.code, entry.title),
            })
        })
        .collect()
}

/// A section of a note: a heading such as `ASSESSMENT:` and the codes under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// Where the heading's name ends (before its colon).
    pub name_end: usize,
    /// Indices into the document's mentions.
    pub codes: Vec<usize>,
}

/// The note's outline: the codes before the first heading, then each section.
pub fn outline(doc: &Document) -> (Vec<usize>, Vec<Section>) {
    let mut sections: Vec<Section> = Vec::new();
    let mut pos = 0;
    for line in doc.text.split_inclusive('\n') {
        let t = line.trim();
        let heading = t.len() >= 3
            && t.len() <= 60
            && t.ends_with(':')
            && t.chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| c.is_uppercase())
            && t.chars().any(char::is_alphabetic);
        if heading {
            if let Some(last) = sections.last_mut() {
                last.end = pos;
            }
            sections.push(Section {
                name: t.trim_end_matches(':').to_string(),
                start: pos,
                end: doc.text.len(),
                name_end: pos + line.find(':').unwrap_or(0),
                codes: Vec::new(),
            });
        }
        pos += line.len();
    }
    let mut before = Vec::new();
    for (i, m) in doc.scan.mentions.iter().enumerate() {
        match sections
            .iter_mut()
            .find(|s| m.start >= s.start && m.start < s.end)
        {
            Some(s) => s.codes.push(i),
            None => before.push(i),
        }
    }
    (before, sections)
}
