//! ICD-9-CM v32 (the final release) and the General Equivalence Mappings both ways.

use super::{BuildError, Built, Release, Sources, clean, file_name, read_text, sorted};
use crate::codes::normalize::{dot_icd9_dx, dot_icd9_proc, dot_icd10cm};
use std::collections::BTreeMap;
use std::path::Path;

/// A GEM: its table name, how its file is named, and how to dot each side.
type GemSource = (
    &'static str,
    fn(&str) -> bool,
    fn(&str) -> String,
    fn(&str) -> String,
);

pub(super) fn build(sources: &Sources, built: &mut Built) -> Result<(), BuildError> {
    let mut used = Vec::new();
    for (table, long_pat, short_pat, dot) in [
        (
            "icd9cm-dx",
            "desc_long_dx",
            "desc_short_dx",
            dot_icd9_dx as fn(&str) -> String,
        ),
        ("icd9cm-pcs", "desc_long_sg", "desc_short_sg", dot_icd9_proc),
    ] {
        let Some(long) = sources.find(|n| n.contains(long_pat)) else {
            continue;
        };
        let short = sources.find(|n| n.contains(short_pat));
        let mut rows: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (code, title) in read_titles(long)? {
            rows.entry(dot(&code)).or_default().1 = title;
        }
        if let Some(short) = short {
            for (code, title) in read_titles(short)? {
                rows.entry(dot(&code)).or_default().0 = title;
            }
            used.push(file_name(short));
        }
        used.push(file_name(long));
        let rows = rows
            .into_iter()
            .map(|(code, (short, long))| {
                let short = if short.is_empty() { &long } else { &short };
                format!("{code}\t{short}\t{long}")
            })
            .collect();
        built.tables.insert(table, sorted(rows));
    }
    if !used.is_empty() {
        built.releases.push(Release {
            set: "ICD-9-CM",
            release: "v32 (final; retired for services from 2015-10-01)".into(),
            effective_from: "2014-10-01".into(),
            effective_to: "2015-09-30".into(),
            sources: used,
            updates: Vec::new(),
        });
    }

    let gems: [GemSource; 4] = [
        (
            "gem-icd9-icd10cm",
            |n| n.contains("i9gem") || n.contains("icd9cm-to-icd10cm"),
            dot_icd9_dx,
            dot_icd10cm,
        ),
        (
            "gem-icd10cm-icd9",
            |n| n.contains("i10gem") || n.contains("icd10cm-to-icd9cm"),
            dot_icd10cm,
            dot_icd9_dx,
        ),
        (
            "gem-icd9-icd10pcs",
            |n| n.contains("gem_i9pcs") || n.contains("icd9pcs-to-icd10pcs"),
            dot_icd9_proc,
            as_is,
        ),
        (
            "gem-icd10pcs-icd9",
            |n| n.contains("gem_pcsi9") || n.contains("icd10pcs-to-icd9pcs"),
            as_is,
            dot_icd9_proc,
        ),
    ];
    let mut gem_files = Vec::new();
    for (table, pred, dot_from, dot_to) in gems {
        let Some(path) = sources.find(pred) else {
            continue;
        };
        let rows = read_gem(path)?
            .into_iter()
            .map(|(from, to, flags)| {
                let to = if to == "NoDx" || to == "NoPCS" {
                    to
                } else {
                    dot_to(&to)
                };
                format!("{}\t{to}\t{flags}", dot_from(&from))
            })
            .collect();
        built.tables.insert(table, sorted(rows));
        gem_files.push(file_name(path));
    }
    if !gem_files.is_empty() {
        built.releases.push(Release {
            set: "GEMs",
            release: "General Equivalence Mappings (diagnosis GEMs 2015/2016, procedure GEMs 2018)"
                .into(),
            effective_from: String::new(),
            effective_to: String::new(),
            sources: gem_files,
            updates: Vec::new(),
        });
    }
    Ok(())
}

fn as_is(code: &str) -> String {
    code.to_string()
}

/// `CODE  Title`, one per line.
fn read_titles(path: &Path) -> Result<Vec<(String, String)>, BuildError> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (code, title) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| BuildError::new(path, Some(i + 1), "expected a code and a title"))?;
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                format!("{code:?} is not an ICD-9-CM code"),
            ));
        }
        out.push((code.to_string(), clean(title)));
    }
    Ok(out)
}

/// A GEM in the CMS layout (`from to flags`, white-space separated) or the NBER CSV
/// layout (`"from","to","flags",...` with a header).
fn read_gem(path: &Path) -> Result<Vec<(String, String, String)>, BuildError> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<String> = if line.contains(',') {
            line.split(',')
                .map(|f| f.trim_matches('"').to_string())
                .collect()
        } else {
            line.split_whitespace().map(str::to_string).collect()
        };
        if i == 0 && fields.first().is_some_and(|f| f.starts_with("icd")) {
            continue;
        }
        if fields.len() < 3
            || fields[2].len() != 5
            || !fields[2].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                "expected source code, target code and five flag digits",
            ));
        }
        out.push((fields[0].clone(), fields[1].clone(), fields[2].clone()));
    }
    Ok(out)
}
