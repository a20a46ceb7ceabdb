//! CPT structure only: section and subsection ranges, the Category II/III formats and the
//! modifier codes, with labels the collector wrote. No AMA descriptor text exists here.

use super::{BuildError, Built, Release, file_name, read_text};
use std::path::Path;

pub fn build(
    structure: &Path,
    modifiers: Option<&Path>,
    built: &mut Built,
) -> Result<(), BuildError> {
    let text = read_text(structure)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 6 {
            return Err(BuildError::new(
                structure,
                Some(i + 1),
                "expected kind, level, range_start, range_end, pattern, short_name",
            ));
        }
        rows.push(f.iter().take(7).copied().collect::<Vec<_>>().join("\t"));
    }
    // Row order is meaning here (sections before their subsections), so it is kept.
    built.tables.insert("cpt-structure", rows.join("\n") + "\n");
    let mut sources = vec![file_name(structure)];
    if let Some(m) = modifiers {
        let text = read_text(m)?;
        let mut rows: Vec<String> = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').take(3).collect::<Vec<_>>().join("\t"))
            .collect();
        rows.sort();
        built.tables.insert("cpt-modifiers", rows.join("\n") + "\n");
        sources.push(file_name(m));
    }
    built.releases.push(Release {
        set: "CPT",
        release: "section structure only (no AMA descriptors)".into(),
        effective_from: String::new(),
        effective_to: String::new(),
        sources,
        updates: Vec::new(),
    });
    Ok(())
}
