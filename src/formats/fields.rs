//! Codes in the fields of a claim or charge sheet: the column says what the code is, so
//! no label or shape evidence is needed, and code-shaped text that is in no set is invalid.

use crate::codes::CodeSet;
use crate::codes::normalize::{compact, dot_icd9_dx, dot_icd10cm};
use crate::codes::{CodeSets, Status, System};
use crate::scan::{Evidence, Mention, Modifier};

/// A diagnosis code in a field that names its system (an X12 qualifier, a FHIR system URI,
/// an HL7 coding system): dotted, with its status.
pub fn coded_diagnosis(
    sets: &CodeSets,
    system: System,
    written: &str,
    start: usize,
    end: usize,
    field: &str,
) -> Mention {
    let upper = written.trim().to_ascii_uppercase();
    // A code in the set is written as the set writes it; anything else as it was written,
    // with no dot put in (`ADMITCD` is not `ADM.ITCD`).
    let (dotted, status) = if system == System::Icd9Cm {
        let dotted = dot_icd9_dx(&upper);
        let status = if sets.icd9cm().has_diagnosis(&dotted) {
            Status::Retired
        } else if sets.icd9cm().is_diagnosis_header(&dotted) {
            Status::Header
        } else {
            Status::Invalid
        };
        (dotted, status)
    } else {
        let dotted = dot_icd10cm(&upper);
        let status = sets.icd10cm().status(&dotted).unwrap_or(Status::Invalid);
        (dotted, status)
    };
    let code = match status {
        Status::Invalid => sets
            .set(system)
            .read(&compact(&upper), &upper)
            .unwrap_or(upper),
        _ => dotted,
    };
    Mention {
        start,
        end,
        code,
        system,
        status,
        modifiers: Vec::new(),
        evidence: Evidence::Field(field.to_string()),
    }
}

/// A diagnosis written in a diagnosis field, or `None` when the text is not code-shaped
/// ("dx pending").
pub fn diagnosis(
    sets: &CodeSets,
    text: &str,
    start: usize,
    end: usize,
    field: &str,
) -> Option<Mention> {
    let written = &text[start..end];
    let key = compact(written);
    let b = key.as_bytes();
    if b.len() < 3 || !b.iter().all(u8::is_ascii_alphanumeric) || !b.iter().any(u8::is_ascii_digit)
    {
        return None;
    }
    // ICD-9-CM: digits (250.00), E codes with four characters before the dot (E888.9),
    // and V codes that ICD-10-CM does not have (V12.51).
    let dotted_at = written.find('.');
    let icd9 = b.iter().all(u8::is_ascii_digit)
        || (b[0] == b'E' && dotted_at == Some(4) && b[1..].iter().all(u8::is_ascii_digit))
        || (b[0] == b'V'
            && b[1..].iter().all(u8::is_ascii_digit)
            && sets.icd10cm().status(&dot_icd10cm(&key)).is_none()
            && sets.icd9cm().has_diagnosis(&dot_icd9_dx(&key)));
    if icd9 {
        return Some(coded_diagnosis(
            sets,
            System::Icd9Cm,
            written,
            start,
            end,
            field,
        ));
    }
    if b[0].is_ascii_alphabetic() && b[1].is_ascii_digit() && b.len() <= 7 {
        return Some(coded_diagnosis(
            sets,
            System::Icd10Cm,
            &key,
            start,
            end,
            field,
        ));
    }
    None
}

/// A procedure written in a procedure field, with modifiers glued on (`99213-25`,
/// `20610-RT`) split off; `None` when the text is not code-shaped.
pub fn procedure(
    sets: &CodeSets,
    text: &str,
    start: usize,
    end: usize,
    field: &str,
) -> Option<Mention> {
    let written = &text[start..end];
    let code_len = written.find(['-', ' ']).unwrap_or(written.len());
    let code_end = start + code_len;
    let key = written[..code_len].to_ascii_uppercase();
    let b = key.as_bytes();
    if b.len() < 5 || !b.iter().all(u8::is_ascii_alphanumeric) || !b.iter().any(u8::is_ascii_digit)
    {
        return None;
    }
    let (system, status) = if b.len() == 5 && b[..4].iter().all(u8::is_ascii_digit) {
        let valid = sets.cpt().sections(&key).is_some();
        (
            System::Cpt,
            if valid {
                Status::Valid
            } else {
                Status::Invalid
            },
        )
    } else if b.len() == 5 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit) {
        (
            System::Hcpcs,
            sets.hcpcs().status(&key).unwrap_or(Status::Invalid),
        )
    } else if b.len() == 7 {
        (
            System::Icd10Pcs,
            if sets.icd10pcs().in_force(&key) {
                Status::Valid
            } else {
                Status::Invalid
            },
        )
    } else {
        return None;
    };
    let mut modifiers = Vec::new();
    let mut pos = code_end;
    while pos < end {
        let rest = &text[pos..end];
        let skip = rest.len() - rest.trim_start_matches(['-', ' ']).len();
        let s = pos + skip;
        let e = text[s..end].find(['-', ' ']).map_or(end, |i| s + i);
        if e > s {
            modifiers.push(modifier(sets, text, s, e));
        }
        pos = e.max(s + 1).min(end).max(pos + 1);
    }
    Some(Mention {
        start,
        end: code_end,
        code: key,
        system,
        status,
        modifiers,
        evidence: Evidence::Field(field.to_string()),
    })
}

pub fn modifier(sets: &CodeSets, text: &str, start: usize, end: usize) -> Modifier {
    let code = text[start..end].trim().to_ascii_uppercase();
    let valid = sets.modifier(&code).is_some();
    Modifier {
        code,
        start,
        end,
        valid,
    }
}
