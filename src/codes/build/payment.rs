//! What payers weigh a diagnosis by: MS-DRG severity (CC, MCC) and major diagnostic category
//! per grouper version, and the CMS-HCC V28 category per payment year, with the hierarchy
//! that drops a category when a higher one of its family is coded.

use super::{BuildError, Built, Release, clean, csv_rows, file_name, read_text, sorted, year_in};
use crate::codes::normalize::dot_icd10cm;
use std::collections::BTreeMap;
use std::path::Path;

/// The MS-DRG files: `dx-severity-mdc-versioned` (`code, version_start, version_end,
/// severity, mdc`; versions are the grouper's × 10, 440 = v44.0 = FY2027) and `mdc-titles`
/// (`mdc, version_start, version_end, title`) → tables `msdrg-severity` (dotted code, first
/// version, last version, CC/MCC/NCC, MDC) and `msdrg-mdc`; with the CC exclusion files, the
/// exclusion tables (see [`build_exclusions`]).
pub fn build_msdrg(
    severity: &Path,
    mdc: Option<&Path>,
    exclusions: Option<(&Path, &Path)>,
    built: &mut Built,
) -> Result<(), BuildError> {
    let mut rows = Vec::new();
    let (mut first, mut last) = (u32::MAX, 0);
    tsv_rows(severity, 5, |line, f| {
        let [code, from, to, level, mdc] = [f[0], f[1], f[2], f[3], f[4]];
        let (Some(from), Some(to)) = (version(from), version(to)) else {
            return Err(BuildError::new(
                severity,
                Some(line),
                "a grouper version is not a number",
            ));
        };
        if !matches!(level, "CC" | "MCC" | "NCC") {
            return Err(BuildError::new(
                severity,
                Some(line),
                format!("severity {level:?} is none of CC, MCC, NCC"),
            ));
        }
        (first, last) = (first.min(from), last.max(to));
        rows.push(format!(
            "{}\t{from}\t{to}\t{level}\t{mdc}",
            dot_icd10cm(code)
        ));
        Ok(())
    })?;
    built.tables.insert("msdrg-severity", sorted(rows));
    let mut sources = vec![format!("{} (severity and MDC)", file_name(severity))];
    if let Some(mdc) = mdc {
        let mut rows = Vec::new();
        tsv_rows(mdc, 4, |_, f| {
            rows.push(format!("{}\t{}\t{}\t{}", f[0], f[1], f[2], clean(f[3])));
            Ok(())
        })?;
        built.tables.insert("msdrg-mdc", sorted(rows));
        sources.push(format!("{} (MDC titles)", file_name(mdc)));
    }
    if let Some((pdx, members)) = exclusions {
        build_exclusions(pdx, members, built)?;
        sources.push(format!("{} (CC exclusion groups)", file_name(pdx)));
        sources.push(format!("{} (their members)", file_name(members)));
    }
    built.releases.push(Release {
        set: "MS-DRG",
        release: format!("v{}–v{}", first / 10, last / 10),
        effective_from: String::new(),
        effective_to: String::new(),
        sources,
        updates: Vec::new(),
    });
    Ok(())
}

/// The CC exclusions: `pdx-to-exclusion-group` (`pdx_code, version_start, version_end,
/// group_id`) and `exclusion-group-members` (`group_id, excluded_sdx_code`) → tables
/// `msdrg-cc-exclusions` (dotted principal, first version, last version, group) and
/// `msdrg-exclusion-groups` (group, the dotted secondary codes it excludes, space-separated).
fn build_exclusions(pdx: &Path, members: &Path, built: &mut Built) -> Result<(), BuildError> {
    let mut rows = Vec::new();
    tsv_rows(pdx, 4, |line, f| {
        if version(f[1]).is_none() || version(f[2]).is_none() {
            return Err(BuildError::new(
                pdx,
                Some(line),
                "a grouper version is not a number",
            ));
        }
        rows.push(format!(
            "{}\t{}\t{}\t{}",
            dot_icd10cm(f[0]),
            f[1].trim(),
            f[2].trim(),
            f[3].trim()
        ));
        Ok(())
    })?;
    built.tables.insert("msdrg-cc-exclusions", sorted(rows));
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    tsv_rows(members, 2, |_, f| {
        groups
            .entry(f[0].trim().to_string())
            .or_default()
            .push(dot_icd10cm(f[1]));
        Ok(())
    })?;
    let rows = groups
        .into_iter()
        .map(|(group, mut codes)| {
            codes.sort();
            codes.dedup();
            format!("{group}\t{}", codes.join(" "))
        })
        .collect();
    built.tables.insert("msdrg-exclusion-groups", sorted(rows));
    Ok(())
}

/// The CMS-HCC files: one `ra_dx_to_cc_PY<year>` map per payment year (`diagnosis_code, cc,
/// model_name`), the labels (`cc, label, model_domain, model_version, …`) and the
/// hierarchies (`cc_parent, cc_child, model_domain, model_version, …`). Only the V28
/// payment model is kept → tables `hcc` (dotted code, payment year, HCC) and `hcc-labels`
/// (HCC, label, the HCCs it drops).
pub fn build_hcc(
    maps: &[&Path],
    labels: Option<&Path>,
    hierarchies: Option<&Path>,
    built: &mut Built,
) -> Result<(), BuildError> {
    let mut rows = Vec::new();
    let mut years = Vec::new();
    for map in maps {
        let Some(year) = year_in(map) else {
            return Err(BuildError::new(
                map,
                None,
                "no payment year in the file name",
            ));
        };
        years.push(year);
        for (_, f) in csv_rows(map, 3)? {
            if f[2].trim() == MODEL {
                rows.push(format!(
                    "{}\t{year}\t{}",
                    dot_icd10cm(f[0].trim()),
                    f[1].trim()
                ));
            }
        }
    }
    built.tables.insert("hcc", sorted(rows));
    let mut sources: Vec<String> = maps.iter().map(|m| file_name(m)).collect();
    let mut drops: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(h) = hierarchies {
        for (_, f) in csv_rows(h, 4)? {
            if f[2].trim() == "CMS-HCC" && f[3].trim() == "V28" {
                drops
                    .entry(f[0].trim().to_string())
                    .or_default()
                    .push(f[1].trim().to_string());
            }
        }
        sources.push(format!("{} (hierarchies)", file_name(h)));
    }
    if let Some(labels) = labels {
        let mut rows = Vec::new();
        for (_, f) in csv_rows(labels, 4)? {
            if f[2].trim() != "CMS-HCC" || f[3].trim() != "V28" {
                continue;
            }
            let hcc = f[0].trim().trim_start_matches("HCC").to_string();
            let children = drops.get(&hcc).map(|c| c.join(" ")).unwrap_or_default();
            rows.push(format!("{hcc}\t{}\t{children}", clean(&f[1])));
        }
        built.tables.insert("hcc-labels", sorted(rows));
        sources.push(format!("{} (labels)", file_name(labels)));
    }
    years.sort_unstable();
    let years: Vec<String> = years.iter().map(u32::to_string).collect();
    built.releases.push(Release {
        set: "CMS-HCC",
        release: format!("V28, payment years {}", years.join(" and ")),
        effective_from: String::new(),
        effective_to: String::new(),
        sources,
        updates: Vec::new(),
    });
    Ok(())
}

/// The Medicare Code Editor's age groups (`age_group, min_age, max_age, effective_start,
/// effective_end`) → table `mce-ages` (the group as the code flags name it: `newborn`,
/// `pediatric`, `maternity`, `adult`; youngest and oldest age in years; first and last day,
/// ISO, the last empty while in force). The file's name joins the ICD-10-CM release's
/// sources, whose edit flags it gives ages to.
pub fn build_mce_ages(path: &Path, built: &mut Built) -> Result<(), BuildError> {
    let mut rows = Vec::new();
    tsv_rows(path, 4, |line, f| {
        let (Some(min), Some(max)) = (version(f[1]), version(f[2])) else {
            return Err(BuildError::new(path, Some(line), "an age is not a number"));
        };
        let day = |d: &str| -> Result<String, BuildError> {
            match d.trim() {
                "" => Ok(String::new()),
                d => super::iso_date(d)
                    .ok_or_else(|| BuildError::new(path, Some(line), format!("bad date {d:?}"))),
            }
        };
        rows.push(format!(
            "{}\t{min}\t{max}\t{}\t{}",
            f[0].trim().to_ascii_lowercase(),
            day(f[3])?,
            day(f.get(4).copied().unwrap_or(""))?
        ));
        Ok(())
    })?;
    built.tables.insert("mce-ages", sorted(rows));
    if let Some(cm) = built.releases.iter_mut().find(|r| r.set == "ICD-10-CM") {
        cm.sources
            .push(format!("{} (MCE age groups)", file_name(path)));
    }
    Ok(())
}

/// The CMS-HCC payment model dxpx shows (V24, the ESRD models and RxHCC are in the same
/// files, for other programs).
const MODEL: &str = "CMS-HCC Model V28";

fn version(field: &str) -> Option<u32> {
    field.trim().parse().ok()
}

/// Hands each data row of a tab-separated file with a header row to `each`, with its line
/// number; a row with fewer than `columns` fields is an error naming the line.
fn tsv_rows(
    path: &Path,
    columns: usize,
    mut each: impl FnMut(usize, &[&str]) -> Result<(), BuildError>,
) -> Result<(), BuildError> {
    let text = read_text(path)?;
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if f.len() < columns {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                format!("expected {columns} tab-separated fields, found {}", f.len()),
            ));
        }
        each(i + 1, &f)?;
    }
    Ok(())
}
