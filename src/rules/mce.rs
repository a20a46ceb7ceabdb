//! The Medicare Code Editor's edits, from its flags on every ICD-10-CM and ICD-10-PCS code
//! (MCE v44 for FY2027, with the age groups of its tables):
//! - age-conflict: a newborn, pediatric, maternity or adult code for a patient whose age on
//!   the date of service is outside the group's ages (any document that states the patient);
//! - on an inpatient claim's principal diagnosis: unacceptable-principal, external-cause-
//!   principal and questionable-admission (a manifestation as principal is
//!   manifestation-without-etiology's);
//! - non-covered-procedure and limited-coverage-procedure for ICD-10-PCS codes.
//!
//! The flags are those of the newest edition dxpx has; the age groups are the ones in force
//! on the date of service.

use super::codes::ServiceDay;
use super::is_valid_diagnosis as is_diagnosis;
use super::patient::Patient;
use super::scope::Visit;
use super::{Finding, Input, Related, Rule, Severity};
use crate::codes::{Status, System};

/// The age groups, as the ICD-10-CM flags name them, with the words a message uses.
const AGE_GROUPS: &[(&str, &str)] = &[
    ("newborn", "a newborn code"),
    ("pediatric", "a pediatric code"),
    ("maternity", "a maternity code"),
    ("adult", "an adult code"),
];

/// Conditional non-coverage: the procedure is not covered when a diagnosis with the same
/// flag is coded with it (ncov6: autologous bone-marrow transplant with acute leukemia not in
/// remission; ncov_z302: sterilization with Z30.2 Encounter for sterilization).
const PAIRED_NONCOVERAGE: &[&str] = &["ncov6", "ncov7", "ncov_z302"];
const LIMITED_COVERAGE: &[&str] = &["lcov", "lcov_artheartxpa", "lcov_artheartxpb", "kidneyxp"];

pub fn check(input: &Input, days: &[ServiceDay], visits: &[Visit], out: &mut Vec<Finding>) {
    for visit in visits {
        age_conflicts(input, days, visit, out);
        if let Some(p) = visit.principal {
            principal(input, visit, p, out);
        }
        coverage(input, visit, out);
    }
}

fn age_conflicts(input: &Input, days: &[ServiceDay], visit: &Visit, out: &mut Vec<Finding>) {
    let cm = input.sets.icd10cm();
    // Read when the first code with an age group asks for it.
    let mut patient: Option<Option<Patient>> = None;
    for &i in &visit.mentions {
        let m = &input.mentions[i];
        if !is_diagnosis(m) {
            continue;
        }
        let flags = cm.edit_flags(&m.code);
        let day = days[i].day;
        for &(group, words) in AGE_GROUPS.iter().filter(|(g, _)| flags.contains(g)) {
            let Some(patient) = patient.get_or_insert_with(|| visit.patient(input.text)) else {
                continue;
            };
            let (Some(age), Some((youngest, oldest))) = (
                patient.age_on(day),
                input.sets.payment().age_group(group, day),
            ) else {
                continue;
            };
            if (youngest..=oldest).contains(&age) {
                continue;
            }
            let ages = if youngest == oldest {
                format!("age {youngest}")
            } else {
                format!("ages {youngest}–{oldest}")
            };
            out.push(Finding {
                rule: Rule::AgeConflict,
                severity: Severity::Warning,
                start: m.start,
                end: m.end,
                message: format!(
                    "{} is {words} (Medicare Code Editor: {ages}), but the patient is {}",
                    m.code,
                    patient.describe(day)
                ),
                related: vec![Related {
                    start: patient.start,
                    end: patient.end,
                    message: "the patient's age, as the document states it".into(),
                }],
                fixes: Vec::new(),
            });
        }
    }
}

fn principal(input: &Input, visit: &Visit, p: usize, out: &mut Vec<Finding>) {
    let m = &input.mentions[p];
    if !is_diagnosis(m) {
        return;
    }
    let flags = input.sets.icd10cm().edit_flags(&m.code);
    let mut report = |rule: Rule, message: String| {
        out.push(Finding {
            rule,
            severity: rule.default_severity(),
            start: m.start,
            end: m.end,
            message,
            related: Vec::new(),
            fixes: Vec::new(),
        });
    };
    if flags.contains(&"unacceptable") {
        report(
            Rule::UnacceptablePrincipal,
            format!(
                "{} is unacceptable as the principal diagnosis of an inpatient claim (Medicare Code Editor): put the condition chiefly responsible for the admission first",
                m.code
            ),
        );
    }
    // With no other diagnosis, external-cause-alone already says what is missing.
    let others = visit.mentions.iter().any(|&i| {
        let d = &input.mentions[i];
        i != p
            && is_diagnosis(d)
            && !input
                .sets
                .icd10cm()
                .edit_flags(&d.code)
                .contains(&"ecodepdx")
    });
    if flags.contains(&"ecodepdx") && others {
        report(
            Rule::ExternalCausePrincipal,
            format!(
                "{} is an external cause, which is never the principal diagnosis (Medicare Code Editor): put the injury or condition first, and the external cause after it",
                m.code
            ),
        );
    }
    if flags.contains(&"qadm") {
        report(
            Rule::QuestionableAdmission,
            format!(
                "{} as the principal diagnosis is a questionable admission (Medicare Code Editor): this condition alone seldom needs an inpatient stay; the claim goes to review unless the record shows why it did",
                m.code
            ),
        );
    }
}

fn coverage(input: &Input, visit: &Visit, out: &mut Vec<Finding>) {
    let (pcs, cm) = (input.sets.icd10pcs(), input.sets.icd10cm());
    let procedures = visit
        .mentions
        .iter()
        .map(|&i| &input.mentions[i])
        .filter(|m| m.system == System::Icd10Pcs && m.status == Status::Valid);
    for m in procedures {
        let flags = pcs.edit_flags(&m.code);
        let paired = flags.iter().find_map(|flag| {
            if !PAIRED_NONCOVERAGE.contains(flag) {
                return None;
            }
            visit
                .mentions
                .iter()
                .map(|&i| &input.mentions[i])
                .find(|d| is_diagnosis(d) && cm.edit_flags(&d.code).contains(flag))
        });
        let finding = |rule: Rule, message: String, related: Vec<Related>| Finding {
            rule,
            severity: rule.default_severity(),
            start: m.start,
            end: m.end,
            message,
            related,
            fixes: Vec::new(),
        };
        if flags.contains(&"noncovered") {
            out.push(finding(
                Rule::NonCoveredProcedure,
                format!(
                    "{} is a procedure Medicare does not cover (Medicare Code Editor): the stay is paid without it, or the claim is denied",
                    m.code
                ),
                Vec::new(),
            ));
        } else if let Some(d) = paired {
            out.push(finding(
                Rule::NonCoveredProcedure,
                format!(
                    "{} is not covered by Medicare when {} is coded with it (Medicare Code Editor)",
                    m.code, d.code
                ),
                vec![Related {
                    start: d.start,
                    end: d.end,
                    message: format!("{}, the diagnosis that makes it non-covered", d.code),
                }],
            ));
        }
        if flags.iter().any(|f| LIMITED_COVERAGE.contains(f)) {
            out.push(finding(
                Rule::LimitedCoverageProcedure,
                format!(
                    "{} is covered by Medicare only under the conditions of its national coverage determination (Medicare Code Editor: limited coverage): the record must show they are met",
                    m.code
                ),
                Vec::new(),
            ));
        }
    }
}
