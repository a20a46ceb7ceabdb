//! What counts when a visit is weighed: a secondary CC or MCC that the inpatient claim's
//! principal diagnosis excludes adds no severity (cc-excluded), and of two CMS-HCC V28
//! categories of one hierarchy only the higher counts (hcc-dropped). Both are information: the
//! codes may be right, they only do not weigh.

use super::codes::ServiceDay;
use super::is_valid_diagnosis as is_diagnosis;
use super::scope::Visit;
use super::{Finding, Input, Related, Rule, Severity};
use crate::codes::payment::Level;

pub fn check(input: &Input, days: &[ServiceDay], visits: &[Visit], out: &mut Vec<Finding>) {
    cc_excluded(input, days, out);
    for visit in visits {
        hcc_dropped(input, days, &visit.mentions, out);
    }
}

fn cc_excluded(input: &Input, days: &[super::codes::ServiceDay], out: &mut Vec<Finding>) {
    let payment = input.sets.payment();
    // A diagnosis is in every line scope of its claim: reported once.
    let mut reported: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for scope in input.scopes {
        let Some(p) = scope.principal else { continue };
        let principal = &input.mentions[p];
        if !is_diagnosis(principal) {
            continue;
        }
        for &i in &scope.mentions {
            let m = &input.mentions[i];
            if i == p || !is_diagnosis(m) || reported.contains(&i) {
                continue;
            }
            let day = days[i].day;
            let Some(severity) = payment.severity(&m.code, day) else {
                continue;
            };
            if severity.level == Level::NonCc {
                continue;
            }
            let Some((grouper, group)) = payment.excluded_by(&principal.code, &m.code, day) else {
                continue;
            };
            reported.insert(i);
            out.push(Finding {
                rule: Rule::CcExcluded,
                severity: Severity::Info,
                start: m.start,
                end: m.end,
                message: format!(
                    "{} is an {} but does not count as one here: the principal diagnosis {} excludes it ({grouper} CC exclusions, group {group})",
                    m.code,
                    severity.level.name(),
                    principal.code
                ),
                related: vec![Related {
                    start: principal.start,
                    end: principal.end,
                    message: format!("{}, the principal diagnosis", principal.code),
                }],
                fixes: Vec::new(),
            });
        }
    }
}

fn hcc_dropped(
    input: &Input,
    days: &[super::codes::ServiceDay],
    visit: &[usize],
    out: &mut Vec<Finding>,
) {
    let payment = input.sets.payment();
    // Each diagnosis with its categories (a code can map to two).
    let coded: Vec<(usize, String, String)> = visit
        .iter()
        .filter(|&&i| is_diagnosis(&input.mentions[i]))
        .flat_map(|&i| {
            payment
                .hccs(&input.mentions[i].code, days[i].day)
                .categories
                .into_iter()
                .map(move |c| (i, c.number, c.label))
        })
        .collect();
    let mut reported: Vec<(usize, &str)> = Vec::new();
    for (parent_at, parent, parent_label) in &coded {
        let drops = payment.drops(parent);
        for (i, child, child_label) in &coded {
            if !drops.contains(child) || reported.contains(&(*i, child.as_str())) {
                continue;
            }
            // A code whose own other category is the higher one drops nothing of its own.
            if i == parent_at {
                continue;
            }
            reported.push((*i, child.as_str()));
            let (m, by) = (&input.mentions[*i], &input.mentions[*parent_at]);
            out.push(Finding {
                rule: Rule::HccDropped,
                severity: Severity::Info,
                start: m.start,
                end: m.end,
                message: format!(
                    "{}'s HCC {child} ({child_label}) does not count: {}'s HCC {parent} ({parent_label}) ranks above it in the CMS-HCC V28 hierarchy",
                    m.code, by.code
                ),
                related: vec![Related {
                    start: by.start,
                    end: by.end,
                    message: format!("{}: HCC {parent}", by.code),
                }],
                fixes: Vec::new(),
            });
        }
    }
}
