//! The CMS conversion tables: which code replaced which, release by release. Stored by the
//! earlier code, so a deleted code finds what took its place.

use super::{BuildError, Built, file_name, read_text, sorted};
use crate::codes::normalize::dot_icd10cm;
use std::path::Path;

/// `current_code, effective_date, previous_code, note` → `previous, current, effective`.
/// Rows the source itself marks broken (`malformed_in_source`, `empty_previous`) are left
/// out; `dotted` writes ICD-10-CM codes with their dot.
pub fn build(
    path: &Path,
    table: &'static str,
    dotted: bool,
    built: &mut Built,
) -> Result<(), BuildError> {
    let text = read_text(path)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                "expected current_code, effective_date, previous_code, note",
            ));
        }
        let (current, date, previous) = (f[0].trim(), f[1].trim(), f[2].trim());
        let broken = f.get(3).is_some_and(|n| !n.trim().is_empty());
        let plain = |c: &str| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric());
        if broken || !plain(current) || !plain(previous) {
            continue;
        }
        let (current, previous) = if dotted {
            (dot_icd10cm(current), dot_icd10cm(previous))
        } else {
            (current.to_string(), previous.to_string())
        };
        rows.push(format!("{previous}\t{current}\t{date}"));
    }
    built.tables.insert(table, sorted(rows));
    if let Some(r) = built.releases.iter_mut().find(|r| {
        (table == "icd10cm-conversions" && r.set == "ICD-10-CM")
            || (table == "icd10pcs-conversions" && r.set == "ICD-10-PCS")
    }) {
        r.sources.push(format!("{} (conversions)", file_name(path)));
    }
    Ok(())
}
