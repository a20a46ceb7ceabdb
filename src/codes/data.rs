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
    /// Its bytes do not decompress to UTF-8 text: a broken build.
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

/// Decompresses one embedded table. The bytes were written by `dxpx data build` and
/// checked by the tests, so a failure here is a broken build, reported as an error.
pub fn embedded_text(name: &str) -> Result<String, TableError> {
    let (_, bytes) = EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| table_error(name, TableProblem::Missing))?;
    decompress(bytes).map_err(|e| table_error(name, TableProblem::Unreadable(e)))
}

/// Decompresses a zstd frame of UTF-8 text; the error says why not.
pub fn decompress(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(decompress_bytes(bytes)?).map_err(|e| e.to_string())
}

/// Decompresses a zstd frame; the error says why not.
pub fn decompress_bytes(bytes: &[u8]) -> Result<Vec<u8>, String> {
    // The frames record their size, so the output is allocated once.
    let size = zstd::zstd_safe::get_frame_content_size(bytes)
        .ok()
        .flatten()
        .ok_or("no content size in the zstd frame")?;
    zstd::bulk::decompress(bytes, size as usize).map_err(|e| e.to_string())
}

/// Decompresses (or takes from `texts`, where a user's files replaced them) and indexes the
/// named tables, spread over the available cores.
pub fn load_all(
    names: &[&'static str],
    texts: &mut BTreeMap<&'static str, String>,
) -> Result<BTreeMap<&'static str, Table>, TableError> {
    let mut jobs: Vec<(&'static str, Option<String>, usize)> = names
        .iter()
        .map(|n| {
            let given = texts.remove(n);
            let size = match &given {
                Some(t) => t.len(),
                None => EMBEDDED
                    .iter()
                    .find(|(e, _)| e == n)
                    .map_or(0, |(_, b)| b.len()),
            };
            (*n, given, size)
        })
        .collect();
    // Smallest last, so `pop` hands out the largest first.
    jobs.sort_by_key(|j| j.2);
    let queue = std::sync::Mutex::new(jobs);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
                    let Some((name, given, _)) = job else { break };
                    // A user's files are checked row by row; the embedded tables were
                    // checked when they were built and by the tests.
                    let table = match given {
                        Some(t) => index(name, t),
                        None => embedded_text(name).and_then(|t| {
                            Table::new_unchecked(t)
                                .map_err(|_| table_error(name, TableProblem::TooLarge))
                        }),
                    };
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((name, table));
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|(n, t)| t.map(|t| (n, t)))
        .collect()
}

/// A table decompressed on first use. The GEMs and the PCS tables are most of the data and
/// most documents never need them, so they cost neither start-up time nor memory until a
/// hover or an ICD-9 code asks.
pub struct LazyTable {
    name: &'static str,
    /// A user's replacement, indexed on first use like the embedded one.
    replacement: std::sync::Mutex<Option<String>>,
    cell: std::sync::OnceLock<Table>,
}

impl LazyTable {
    pub fn new(name: &'static str, replacement: Option<String>) -> LazyTable {
        LazyTable {
            name,
            replacement: std::sync::Mutex::new(replacement),
            cell: std::sync::OnceLock::new(),
        }
    }

    pub fn loaded(&self) -> Option<&Table> {
        self.cell.get()
    }
}

impl std::ops::Deref for LazyTable {
    type Target = Table;

    fn deref(&self) -> &Table {
        self.cell.get_or_init(|| {
            let replacement = self
                .replacement
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if let Some(text) = replacement {
                match index(self.name, text) {
                    Ok(t) => return t,
                    Err(e) => eprintln!("dxpx: {e}; using the embedded table"),
                }
            }
            // The embedded tables are checked by the test suite; an empty table is the
            // fallback that keeps the server up should one ever be broken.
            embedded_text(self.name)
                .and_then(|t| {
                    Table::new_unchecked(t)
                        .map_err(|_| table_error(self.name, TableProblem::TooLarge))
                })
                .unwrap_or_default()
        })
    }
}

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
