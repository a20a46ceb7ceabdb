//! The tables embedded in the binary, and the loading of replacements from disk.

use super::build::{self, BuildError, Release};
use super::table::Table;
use std::collections::BTreeMap;
use std::path::Path;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../data/", $name, ".tsv.zst")))),*]
    };
}

/// Every table dxpx ships, compressed, by name.
pub const EMBEDDED: &[(&str, &[u8])] = embedded![
    "icd10cm",
    "icd10cm-tree",
    "icd10cm-notes",
    "icd10cm-7chr",
    "icd10pcs",
    "icd10pcs-axes",
    "icd9cm-dx",
    "icd9cm-pcs",
    "gem-icd9-icd10cm",
    "gem-icd10cm-icd9",
    "gem-icd9-icd10pcs",
    "gem-icd10pcs-icd9",
    "hcpcs",
    "hcpcs-modifiers",
    "hcpcs-groups",
    "cpt-structure",
    "cpt-modifiers",
];

pub const EMBEDDED_MANIFEST: &str = include_str!("../../data/manifest.tsv");

/// Decompresses one embedded table. The bytes were written by `dxpx data build` and
/// checked by the tests, so a failure here is a broken build, reported as an error.
pub fn embedded_text(name: &str) -> Result<String, String> {
    let (_, bytes) = EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| format!("no embedded table {name}"))?;
    decompress(bytes).map_err(|e| format!("embedded table {name}: {e}"))
}

pub fn decompress(bytes: &[u8]) -> Result<String, String> {
    let raw = zstd::stream::decode_all(bytes).map_err(|e| e.to_string())?;
    String::from_utf8(raw).map_err(|e| e.to_string())
}

pub fn index(name: &str, text: String) -> Result<Table, String> {
    Table::new(text).map_err(|e| format!("table {name}: row {} is out of order", e.line))
}

pub fn parse_manifest(text: &str) -> Vec<Release> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let set: &'static str = match *f.first()? {
                "ICD-10-CM" => "ICD-10-CM",
                "ICD-10-PCS" => "ICD-10-PCS",
                "ICD-9-CM" => "ICD-9-CM",
                "GEMs" => "GEMs",
                "HCPCS" => "HCPCS",
                "CPT" => "CPT",
                _ => return None,
            };
            Some(Release {
                set,
                release: f.get(1)?.to_string(),
                effective_from: f.get(2).unwrap_or(&"").to_string(),
                effective_to: f.get(3).unwrap_or(&"").to_string(),
                sources: f
                    .get(4)
                    .map(|s| s.split(", ").map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Tables built at run time from a folder of newer official files.
pub fn build_override(
    dir: &Path,
) -> Result<(BTreeMap<&'static str, String>, Vec<Release>), BuildError> {
    let built = build::build_from(dir)?;
    Ok((built.tables, built.releases))
}
