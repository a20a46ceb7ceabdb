//! A visit at a glance, as a coder reads a claim: "4 Dx · 1 MCC · 2 CC · HCC 38, 224 · 2 Px ·
//! 1 unsupported". The editor shows it above each encounter or claim (a code lens), `dxpx
//! check` in its report; the numbers are the rules' (CC exclusions and HCC hierarchies
//! applied), for the date of service.

use crate::codes::history::Day;
use crate::codes::payment::Level;
use crate::codes::{CodeSets, Status, System};
use crate::rules::scope::{Visit, visit_start, visits};
use crate::rules::{Finding, Rule, Scope};
use crate::scan::Mention;
use std::collections::HashSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitSummary {
    /// Byte range of the encounter or claim.
    pub start: usize,
    pub end: usize,
    pub date_of_service: Option<String>,
    /// Distinct valid ICD-10-CM codes.
    pub diagnoses: usize,
    /// Secondary diagnoses that count as MCC or CC (the principal's own severity and the
    /// ones it excludes do not).
    pub mcc: usize,
    pub cc: usize,
    /// CMS-HCC V28 categories that count (a hierarchy's lower ones dropped), in number order.
    pub hccs: Vec<String>,
    /// Distinct procedure codes.
    pub procedures: usize,
    /// Procedures with no diagnosis that supports them.
    pub unsupported: usize,
}

impl fmt::Display for VisitSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = vec![format!("{} Dx", self.diagnoses)];
        if self.mcc > 0 {
            parts.push(format!("{} MCC", self.mcc));
        }
        if self.cc > 0 {
            parts.push(format!("{} CC", self.cc));
        }
        if !self.hccs.is_empty() {
            parts.push(format!("HCC {}", self.hccs.join(", ")));
        }
        parts.push(format!("{} Px", self.procedures));
        if self.unsupported > 0 {
            parts.push(format!("{} unsupported", self.unsupported));
        }
        f.write_str(&parts.join(" · "))
    }
}

/// Each visit's summary. `fallback` is the day for a visit that states none (the as-of date,
/// else today); `findings` are the document's, finished.
pub fn summarize(
    sets: &CodeSets,
    mentions: &[Mention],
    scopes: &[Scope],
    findings: &[Finding],
    fallback: Day,
) -> Vec<VisitSummary> {
    // Where the rules this summary reads reported, once: a long note has many findings.
    let at: HashSet<(usize, Rule)> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule,
                Rule::CcExcluded | Rule::UnsupportedProcedure | Rule::DiagnosisMismatch
            )
        })
        .map(|f| (f.start, f.rule))
        .collect();
    visits(scopes)
        .into_iter()
        .map(|v| summary(sets, mentions, &at, fallback, &v))
        .collect()
}

fn summary(
    sets: &CodeSets,
    mentions: &[Mention],
    at: &HashSet<(usize, Rule)>,
    fallback: Day,
    visit: &Visit,
) -> VisitSummary {
    let day = visit
        .date_of_service
        .as_deref()
        .and_then(Day::parse)
        .unwrap_or(fallback);
    let reported = |rules: &[Rule], m: &Mention| rules.iter().any(|&r| at.contains(&(m.start, r)));
    let in_visit: Vec<&Mention> = visit.mentions.iter().map(|&i| &mentions[i]).collect();
    let mut diagnoses: Vec<&Mention> = in_visit
        .iter()
        .copied()
        .filter(|m| m.system == System::Icd10Cm && m.status == Status::Valid)
        .collect();
    diagnoses.sort_by(|a, b| a.code.cmp(&b.code));
    diagnoses.dedup_by(|a, b| a.code == b.code);
    let principal = visit.principal.map(|p| mentions[p].code.as_str());
    let payment = sets.payment();
    let (mut mcc, mut cc) = (0, 0);
    let mut hccs: Vec<String> = Vec::new();
    for d in &diagnoses {
        let counts = Some(d.code.as_str()) != principal && !reported(&[Rule::CcExcluded], d);
        match payment.severity(&d.code, day).map(|s| s.level) {
            Some(Level::Mcc) if counts => mcc += 1,
            Some(Level::Cc) if counts => cc += 1,
            _ => {}
        }
        hccs.extend(
            payment
                .hccs(&d.code, day)
                .categories
                .into_iter()
                .map(|c| c.number),
        );
    }
    let dropped: Vec<String> = hccs.iter().flat_map(|h| payment.drops(h)).collect();
    hccs.retain(|h| !dropped.contains(h));
    hccs.sort_by_key(|h| (h.len(), h.clone()));
    hccs.dedup();
    let mut procedures: Vec<&Mention> = in_visit
        .iter()
        .copied()
        .filter(|m| m.system.is_procedure())
        .collect();
    let unsupported = procedures
        .iter()
        .filter(|m| reported(&[Rule::UnsupportedProcedure, Rule::DiagnosisMismatch], m))
        .count();
    procedures.sort_by(|a, b| a.code.cmp(&b.code));
    procedures.dedup_by(|a, b| a.code == b.code);
    VisitSummary {
        start: visit_start(visit, mentions),
        end: visit.end,
        date_of_service: visit.date_of_service.clone(),
        diagnoses: diagnoses.len(),
        mcc,
        cc,
        hccs,
        procedures: procedures.len(),
        unsupported,
    }
}
