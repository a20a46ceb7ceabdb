//! The tables embedded in the binary, and the loading of replacements from disk.

use super::build::{self, BuildError, Release};
use super::table::Table;
use std::collections::BTreeMap;
use std::path::Path;

/// A table compiled into the binary: its text, row starts and keys, as `build.rs`
/// decompressed and indexed them from `data/`.
pub struct Embedded {
    pub name: &'static str,
    pub text: &'static str,
    rows: &'static [u8],
    keys: &'static [u8],
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(Embedded {
            name: $name,
            text: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".tsv")),
            rows: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".rows")),
            keys: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".keys")),
        }),*]
    };
}

/// Every table dxpx ships, by name.
pub const EMBEDDED: &[Embedded] = embedded![
    "icd10cm",
    "icd10cm-tree",
    "icd10cm-notes",
    "icd10cm-7chr",
    "icd10cm-conversions",
    "icd10pcs",
    "icd10pcs-conversions",
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
    "hcpcs-ambulance",
    "cpt-structure",
    "cpt-modifiers",
    "msdrg-severity",
    "msdrg-mdc",
    "msdrg-cc-exclusions",
    "msdrg-exclusion-groups",
    "hcc",
    "hcc-labels",
    "mce-ages",
];

pub const EMBEDDED_MANIFEST: &str = include_str!("../../data/manifest.tsv");

/// A code-set table that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub table: String,
    pub problem: TableProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableProblem {
    /// Not in the binary: a broken build.
    Missing,
    /// Its index does not fit its text: a broken build.
    Unreadable(String),
    /// A row out of code order (the lookups bisect), at this line.
    OutOfOrder { line: usize },
    /// More rows than a table indexes.
    TooLarge,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let table = &self.table;
        match &self.problem {
            TableProblem::Missing => write!(f, "table {table} missing"),
            TableProblem::Unreadable(e) => write!(f, "embedded table {table}: {e}"),
            TableProblem::OutOfOrder { line } => {
                write!(f, "table {table}: row {line} is out of order")
            }
            TableProblem::TooLarge => write!(f, "table {table} is too large"),
        }
    }
}

impl std::error::Error for TableError {}

fn table_error(table: &str, problem: TableProblem) -> TableError {
    TableError {
        table: table.to_string(),
        problem,
    }
}

fn embedded(name: &str) -> Result<&'static Embedded, TableError> {
    EMBEDDED
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| table_error(name, TableProblem::Missing))
}

/// One embedded table's text.
pub fn embedded_text(name: &str) -> Result<&'static str, TableError> {
    embedded(name).map(|e| e.text)
}

/// One embedded table, read in place. Its index was built with the binary and is checked by
/// the tests, so a failure here is a broken build, reported as an error.
pub fn embedded_table(name: &str) -> Result<Table, TableError> {
    let e = embedded(name)?;
    Table::embedded(e.text, e.rows, e.keys).ok_or_else(|| {
        table_error(
            name,
            TableProblem::Unreadable("its row index does not fit its text".into()),
        )
    })
}

/// Checks and indexes a user's table.
pub fn index(name: &str, text: String) -> Result<Table, TableError> {
    Table::new(text).map_err(|e| table_error(name, TableProblem::OutOfOrder { line: e.line }))
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
                "MS-DRG" => "MS-DRG",
                "CMS-HCC" => "CMS-HCC",
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
                updates: f
                    .get(5)
                    .map(|s| s.split_whitespace().map(str::to_string).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The start-up check of an embedded table looks only at its sizes (checking every row
    /// would page in the whole text); this is the whole check, on every build.
    #[test]
    fn embedded_tables_are_indexed_as_they_are_read() {
        for e in EMBEDDED.iter().filter(|e| e.name != "cpt-structure") {
            let table = embedded_table(e.name).unwrap();
            assert!(table.is_indexed_correctly(), "{}", e.name);
            assert!(table.heap_bytes() == 0, "{} is read in place", e.name);
        }
    }
}
