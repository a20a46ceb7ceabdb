//! FHIR R4 JSON: Claim and ExplanationOfBenefit (alone or in a Bundle). Diagnoses by their
//! `sequence`, items with `productOrService`, `modifier` and `diagnosisSequence`, and
//! `procedure[]`; code systems by their URIs.

use super::json::{self, Json};
use super::{Parsed, fields};
use crate::codes::{CodeSets, System};
use crate::rules::patient::{self, Patient};
use crate::rules::{Finding, Rule, Scope, Severity};
use crate::scan::Mention;

/// Whether a text is a FHIR resource (JSON with a resourceType near the start).
pub fn looks_like(text: &str) -> bool {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let mut head = t.len().min(4096);
    while !t.is_char_boundary(head) {
        head -= 1;
    }
    t.starts_with('{') && t[..head].contains("\"resourceType\"")
}

fn system_of(uri: &str) -> Option<System> {
    let u = uri.to_ascii_lowercase();
    if u.ends_with("/icd-10-cm") || u.ends_with("/sid/icd-10") {
        Some(System::Icd10Cm)
    } else if u.ends_with("/icd-9-cm") || u.ends_with("/icd-9-cm-diagnosis") {
        Some(System::Icd9Cm)
    } else if u.contains("cms.gov/medicare/coding/icd10") || u.ends_with("/icd-10-pcs") {
        Some(System::Icd10Pcs)
    } else if u.contains("ama-assn.org/go/cpt") || u.ends_with("/cpt") {
        Some(System::Cpt)
    } else if u.contains("hcpcs") {
        Some(System::Hcpcs)
    } else {
        None
    }
}

pub fn parse(sets: &CodeSets, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let root = match json::parse(text) {
        Ok(r) => r,
        Err((at, why)) => {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            parsed.problems.push(Finding {
                rule: Rule::MalformedFile,
                severity: Severity::Warning,
                start: at,
                end,
                message: format!("invalid JSON here: {why}"),
                related: Vec::new(),
                fixes: Vec::new(),
            });
            return parsed;
        }
    };
    // Each resource with the names a reference may give it (a Bundle entry's fullUrl).
    let mut resources: Vec<(&Json, Option<&str>)> = Vec::new();
    if root.get("resourceType").and_then(Json::str) == Some("Bundle") {
        for e in root.get("entry").map(Json::items).unwrap_or(&[]) {
            if let Some(r) = e.get("resource") {
                resources.push((r, e.get("fullUrl").and_then(Json::str)));
            }
        }
    } else {
        resources.push((&root, None));
    }
    let patients: Vec<Known> = resources
        .iter()
        .filter_map(|&(r, full_url)| known_patient(r, full_url, "Patient/"))
        .collect();
    for &(r, _) in &resources {
        if matches!(
            r.get("resourceType").and_then(Json::str),
            Some("Claim" | "ExplanationOfBenefit")
        ) {
            claim(sets, text, r, &patients, &mut parsed);
        }
    }
    // Resources list diagnoses, procedures and items in any order: put the mentions in
    // file order, as the rules expect, and renumber the scopes.
    let mut order: Vec<usize> = (0..parsed.mentions.len()).collect();
    order.sort_by_key(|&i| parsed.mentions[i].start);
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Mention>> = parsed.mentions.drain(..).map(Some).collect();
    parsed.mentions = order.iter().filter_map(|&i| slots[i].take()).collect();
    for scope in &mut parsed.scopes {
        for i in &mut scope.mentions {
            *i = new_index[*i];
        }
        scope.mentions.sort_unstable();
        scope.mentions.dedup();
    }
    parsed
}

/// The codes of a CodeableConcept whose system dxpx knows, as mentions.
fn codings(
    sets: &CodeSets,
    text: &str,
    concept: Option<&Json>,
    field: &str,
    out: &mut Vec<Mention>,
) -> Vec<usize> {
    let mut ids = Vec::new();
    for c in concept
        .and_then(|c| c.get("coding"))
        .map(Json::items)
        .unwrap_or(&[])
    {
        let uri = c.get("system").and_then(Json::str).unwrap_or("");
        let Some(mut system) = system_of(uri) else {
            continue;
        };
        let Some(Json::String(code, start, end)) = c.get("code") else {
            continue;
        };
        // `sid/icd-10` names ICD-10 without saying which: a procedure code of ICD-10-PCS is
        // one by its shape (BQ0HZZZ), and never an ICD-10-CM code with a dot put in.
        let key = crate::codes::normalize::compact(code);
        if uri.to_ascii_lowercase().ends_with("/sid/icd-10")
            && !code.contains('.')
            && sets.icd10pcs().status_of_code(&key).is_some()
        {
            system = System::Icd10Pcs;
        }
        // One diagnosis coded twice (icd-10-cm and icd-10 codings of the same code) is one
        // code, reported once.
        let same_code = |i: &usize| {
            crate::codes::normalize::compact(&out[*i].code) == key && out[*i].system == system
        };
        if ids.iter().any(same_code) {
            continue;
        }
        let m = match system {
            System::Icd10Cm | System::Icd9Cm => {
                fields::coded_diagnosis(sets, system, code, *start, *end, field)
            }
            // Without escapes (codes have none) the string's contents are the file's bytes.
            _ => match fields::procedure(sets, text, *start, *end, field) {
                Some(m) => m,
                None => continue,
            },
        };
        ids.push(out.len());
        out.push(m);
    }
    ids
}

/// A Patient resource's birth date, with the references that name it.
struct Known {
    names: Vec<String>,
    patient: Patient,
}

fn known_patient(r: &Json, full_url: Option<&str>, prefix: &str) -> Option<Known> {
    if r.get("resourceType").and_then(Json::str) != Some("Patient") {
        return None;
    }
    let Some(Json::String(born, start, end)) = r.get("birthDate") else {
        return None;
    };
    let mut names: Vec<String> = full_url.map(str::to_string).into_iter().collect();
    if let Some(id) = r.get("id").and_then(Json::str) {
        names.push(format!("{prefix}{id}"));
    }
    Some(Known {
        names,
        patient: patient::born_in_field(born, *start, *end)?,
    })
}

/// The claim's patient: the one its `patient.reference` names (in the Bundle, or contained
/// in the claim), else the Bundle's only Patient.
fn claim_patient(r: &Json, bundle: &[Known]) -> Option<Patient> {
    let contained: Vec<Known> = r
        .get("contained")
        .map(Json::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|c| known_patient(c, None, "#"))
        .collect();
    let reference = r
        .get("patient")
        .and_then(|p| p.get("reference"))
        .and_then(Json::str);
    let named = reference.and_then(|name| {
        contained.iter().chain(bundle).find(|k| {
            k.names
                .iter()
                .any(|n| n == name || name.ends_with(&format!("/{n}")))
        })
    });
    named
        .or_else(|| {
            (contained.len() + bundle.len() == 1)
                .then(|| contained.first().or(bundle.first()))
                .flatten()
        })
        .map(|k| k.patient)
}

fn claim(sets: &CodeSets, text: &str, r: &Json, patients: &[Known], parsed: &mut Parsed) {
    // One resource is one claim: its scopes are billed together.
    let visit = Some(parsed.scopes.len());
    let patient = claim_patient(r, patients);
    let date = r
        .get("billablePeriod")
        .and_then(|p| p.get("start"))
        .and_then(Json::str)
        .and_then(|d| d.get(..10))
        .map(str::to_string);
    let coded_as = |j: Option<&Json>, code: &str| {
        j.map(Json::items)
            .unwrap_or(&[])
            .iter()
            .chain(j.filter(|j| !matches!(j, Json::Array(..))))
            .flat_map(|c| c.get("coding").map(Json::items).unwrap_or(&[]))
            .any(|c| c.get("code").and_then(Json::str) == Some(code))
    };
    // An institutional claim's principal diagnosis: its diagnosis typed "principal", else
    // its first (which is how an institutional claim lists them).
    let institutional = coded_as(r.get("type"), "institutional");
    let mut principal = None;
    // Diagnoses by sequence.
    let mut by_sequence: Vec<(u64, Vec<usize>)> = Vec::new();
    let mut all_dx = Vec::new();
    for (i, d) in r
        .get("diagnosis")
        .map(Json::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let seq = d
            .get("sequence")
            .and_then(Json::number)
            .map_or(i as u64 + 1, |n| n as u64);
        let ids = codings(
            sets,
            text,
            d.get("diagnosisCodeableConcept"),
            "diagnosis",
            &mut parsed.mentions,
        );
        if institutional && (coded_as(d.get("type"), "principal") || principal.is_none()) {
            principal = ids.first().copied().or(principal);
        }
        all_dx.extend(ids.iter().copied());
        by_sequence.push((seq, ids));
    }
    for p in r.get("procedure").map(Json::items).unwrap_or(&[]) {
        let ids = codings(
            sets,
            text,
            p.get("procedureCodeableConcept"),
            "procedure",
            &mut parsed.mentions,
        );
        for id in ids {
            let mut scope = vec![id];
            scope.extend(all_dx.iter().copied());
            parsed.scopes.push(Scope {
                start: 0,
                end: text.len(),
                mentions: scope,
                date_of_service: date.clone(),
                visit,
                linked: false,
                principal,
                patient,
                note: None,
                diagnosis_slot: None,
            });
        }
    }
    for item in r.get("item").map(Json::items).unwrap_or(&[]) {
        let ids = codings(
            sets,
            text,
            item.get("productOrService"),
            "item.productOrService",
            &mut parsed.mentions,
        );
        let Some(&proc_id) = ids.first() else {
            continue;
        };
        for m in item.get("modifier").map(Json::items).unwrap_or(&[]) {
            for c in m
                .get("coding")
                .map(Json::items)
                .unwrap_or(&[])
                .iter()
                .take(1)
            {
                if let Some(Json::String(_, s, e)) = c.get("code") {
                    let md = fields::modifier(sets, text, *s, *e);
                    parsed.mentions[proc_id].modifiers.push(md);
                }
            }
        }
        let mut scope = vec![proc_id];
        let pointers = item
            .get("diagnosisSequence")
            .or_else(|| item.get("diagnosisLinkId"));
        match pointers {
            Some(Json::Array(seqs)) => {
                for s in seqs {
                    let n = s.number().map_or(0, |n| n as u64);
                    match by_sequence.iter().find(|(q, _)| *q == n) {
                        Some((_, d)) => scope.extend(d.iter().copied()),
                        None => parsed.problems.push(Finding {
                            rule: Rule::DanglingPointer,
                            severity: Severity::Error,
                            start: parsed.mentions[proc_id].start,
                            end: parsed.mentions[proc_id].end,
                            message: format!(
                                "diagnosisSequence {n} names no diagnosis of this claim"
                            ),
                            related: Vec::new(),
                            fixes: Vec::new(),
                        }),
                    }
                }
            }
            // An item with no diagnosisSequence: the claim's diagnoses (as EOBs send them).
            _ => scope.extend(all_dx.iter().copied()),
        }
        let item_date = item
            .get("servicedDate")
            .or_else(|| item.get("servicedPeriod").and_then(|p| p.get("start")))
            .and_then(Json::str)
            .and_then(|d| d.get(..10))
            .map(str::to_string)
            .or_else(|| date.clone());
        parsed.scopes.push(Scope {
            start: 0,
            end: text.len(),
            mentions: scope,
            date_of_service: item_date,
            visit,
            linked: matches!(pointers, Some(Json::Array(_))),
            principal,
            patient,
            note: None,
            diagnosis_slot: None,
        });
    }
}
