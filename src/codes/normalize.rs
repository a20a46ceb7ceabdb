//! Canonical spellings of codes as people write them (`e119`, `E11.9 `, `250.00`, `45.13`).

/// ICD-10-CM and ICD-10-PCS share a shape; CM takes a dot after the third character.
pub fn dot_icd10cm(code: &str) -> String {
    let code: String = code.chars().filter(|c| *c != '.').collect();
    if code.len() > 3 && code.is_ascii() {
        format!("{}.{}", &code[..3], &code[3..])
    } else {
        code
    }
}

/// ICD-9-CM diagnoses: three digits (four for E codes) before the dot.
pub fn dot_icd9_dx(code: &str) -> String {
    let code: String = code.chars().filter(|c| *c != '.').collect();
    let head = if code.starts_with(['E', 'e']) { 4 } else { 3 };
    if code.len() > head && code.is_ascii() {
        format!("{}.{}", &code[..head], &code[head..])
    } else {
        code
    }
}

/// ICD-9-CM procedures (volume 3): two digits before the dot.
pub fn dot_icd9_proc(code: &str) -> String {
    let code: String = code.chars().filter(|c| *c != '.').collect();
    if code.len() > 2 && code.is_ascii() {
        format!("{}.{}", &code[..2], &code[2..])
    } else {
        code
    }
}

/// Trims, upper-cases and drops dots and inner spaces: the key every spelling shares.
pub fn compact(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_each_system() {
        assert_eq!(dot_icd10cm("E119"), "E11.9");
        assert_eq!(dot_icd10cm("E11"), "E11");
        assert_eq!(dot_icd10cm("S72001A"), "S72.001A");
        assert_eq!(dot_icd9_dx("25000"), "250.00");
        assert_eq!(dot_icd9_dx("E8889"), "E888.9");
        assert_eq!(dot_icd9_dx("V1251"), "V12.51");
        assert_eq!(dot_icd9_proc("4513"), "45.13");
        assert_eq!(compact(" e11.9 "), "E119");
    }
}
