//! What took a code's place: the CMS conversion tables, the billable codes below a code that
//! became a header, and, where the tables say nothing (FY2027's deletions), the codes whose
//! titles read like the deleted one.

use super::history::{Day, Validity};
use super::normalize::compact;
use super::table::Table;
use super::{CodeSets, System};

/// Both tables are loaded on first use: only a deleted code or a GEM target asks.
pub struct Conversions {
    icd10cm: Table,
    icd10pcs: Table,
}

/// A code offered in place of one that is not billable on a day, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub code: String,
    pub title: String,
    pub why: Why,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The CMS conversion table: this code replaced it from that day.
    Converted(Day),
    /// A billable code below it, now that it (or the code that replaced it) is a header.
    Below(String),
    /// No table names a replacement; this billable code's title shares the most words.
    SameWords,
}

impl Why {
    /// How a quick fix or a hover says where the replacement comes from.
    pub fn describe(&self) -> String {
        match self {
            Why::Converted(day) => format!("replaced on {day}, conversion table"),
            Why::Below(of) => format!("a billable code below {of}"),
            Why::SameWords => "nearest title; no conversion is published".to_string(),
        }
    }
}

impl Conversions {
    pub(super) fn new(icd10cm: Table, icd10pcs: Table) -> Conversions {
        Conversions { icd10cm, icd10pcs }
    }

    pub(super) fn tables(&self) -> [&Table; 2] {
        [&self.icd10cm, &self.icd10pcs]
    }

    /// The codes that replaced `code`, with the day they did.
    pub fn successors(&self, system: System, code: &str) -> Vec<(String, Day)> {
        let table = match system {
            System::Icd10Cm => &self.icd10cm,
            System::Icd10Pcs => &self.icd10pcs,
            _ => return Vec::new(),
        };
        table
            .all(code)
            .filter_map(|r| Some((r.field(1).to_string(), Day::parse(r.field(2))?)))
            .collect()
    }
}

/// How many codes a replacement list holds at most; more would bury the right one.
const MAX: usize = 8;

impl CodeSets {
    /// What to write instead of `code`, which is not billable on `day`: the codes the
    /// conversion tables say replaced it (followed while they too were replaced), the
    /// billable codes below a header, else the billable codes whose titles read most like it.
    pub fn replacements(&self, system: System, code: &str, day: Day) -> Vec<Replacement> {
        let mut out: Vec<Replacement> = Vec::new();
        let push = |out: &mut Vec<Replacement>, code: String, why: Why| {
            if out.len() < MAX && !out.iter().any(|r| r.code == code) {
                let title = self.set(system).title(&code).unwrap_or("").to_string();
                out.push(Replacement { code, title, why });
            }
        };
        if self.on(system, code, day) == Validity::Header {
            for (c, _) in self.billable_below(system, code, day) {
                push(&mut out, c, Why::Below(code.to_string()));
            }
            return out;
        }
        let mut frontier = vec![code.to_string()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for c in &frontier {
                for (successor, from) in self.conversions.successors(system, c) {
                    match self.on(system, &successor, day) {
                        Validity::Billable => push(&mut out, successor, Why::Converted(from)),
                        Validity::Header => {
                            for (b, _) in self.billable_below(system, &successor, day) {
                                push(&mut out, b, Why::Below(successor.clone()));
                            }
                        }
                        _ => next.push(successor),
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        if out.is_empty() && system == System::Icd10Cm {
            for c in self.same_words(code, day) {
                push(&mut out, c, Why::SameWords);
            }
        }
        out
    }

    /// Billable codes on `day` at or below a code of `system`, in code order, with titles.
    pub fn billable_below(&self, system: System, code: &str, day: Day) -> Vec<(String, String)> {
        let prefix = if system == System::Icd10Cm && code.len() == 3 {
            format!("{code}.")
        } else {
            code.to_string()
        };
        self.prefix(system, &prefix, 5000)
            .into_iter()
            .filter(|(c, _, _)| c != code && self.on(system, c, day) == Validity::Billable)
            .map(|(c, t, _)| (c, t))
            .collect()
    }

    /// Billable ICD-10-CM codes whose titles read most like `code`'s, with its 7th character
    /// when it has one (an initial encounter stays one). The whole title first, then without
    /// what the 7th character and the parentheses add ("Sprain of sternoclavicular (joint)
    /// (ligament), initial encounter" reads "Sprain of sternoclavicular": S43.6-).
    fn same_words(&self, code: &str, day: Day) -> Vec<String> {
        const WANTED: usize = 3;
        let Some(title) = self.icd10cm().title(code).filter(|t| !t.is_empty()) else {
            return Vec::new();
        };
        let key = compact(code);
        let seventh = (key.len() == 7).then(|| key.as_bytes()[6]);
        let keeps_seventh =
            |c: &str| seventh.is_none_or(|s| compact(c).as_bytes().get(6) == Some(&s));
        let mut core = title.to_string();
        if seventh.is_some()
            && let Some(comma) = core.rfind(',')
        {
            core.truncate(comma);
        }
        while let (Some(open), Some(close)) = (core.find('('), core.find(')')) {
            if close < open {
                break;
            }
            core.replace_range(open..=close, "");
        }
        let core = core.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out: Vec<String> = Vec::new();
        for query in [title, core.as_str()] {
            for hit in self.search(query, 40) {
                if out.len() >= WANTED {
                    return out;
                }
                if hit.system != System::Icd10Cm || hit.code == code {
                    continue;
                }
                let found: Vec<String> = match self.on(System::Icd10Cm, &hit.code, day) {
                    Validity::Billable if keeps_seventh(&hit.code) => vec![hit.code],
                    Validity::Header => self
                        .billable_below(System::Icd10Cm, &hit.code, day)
                        .into_iter()
                        .map(|(c, _)| c)
                        .filter(|c| keeps_seventh(c))
                        .collect(),
                    _ => Vec::new(),
                };
                for c in found {
                    if out.len() < WANTED && !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
        }
        out
    }
}
