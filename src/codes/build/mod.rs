//! The regeneration tool: reads the official release files and writes the compact tables
//! that dxpx embeds. The same code runs at start-up when a user points dxpx at a folder of
//! newer official files, so what ships and what a user loads can never disagree.

mod conversions;
mod cpt;
mod hcpcs;
mod icd10cm;
pub use icd10cm::NOTE_KINDS as NOTE_KINDS_ORDER;
mod icd10pcs;
mod icd9;
mod mce;
pub use mce::iso_date;
mod payment;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A problem with one input file: which file, which line when known, and what is wrong.
#[derive(Debug)]
pub struct BuildError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for BuildError {}

impl BuildError {
    pub fn new(file: &Path, line: Option<usize>, message: impl Into<String>) -> BuildError {
        BuildError {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

/// One code set's release, as recorded in `data/manifest.tsv` and named in every hover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub set: &'static str,
    pub release: String,
    pub effective_from: String,
    pub effective_to: String,
    pub sources: Vec<String>,
    /// The days a release of this set began (each October 1, and the April and January
    /// updates), as far back as the history goes; empty when the sources have no history.
    pub updates: Vec<String>,
}

/// The tables built from one folder: file name → rows, plus the releases they came from.
#[derive(Debug, Default)]
pub struct Built {
    pub tables: BTreeMap<&'static str, String>,
    pub releases: Vec<Release>,
}

impl Built {
    /// `manifest.tsv`: one row per code set.
    pub fn manifest(&self) -> String {
        let mut out =
            String::from("set\trelease\teffective_from\teffective_to\tsources\tupdates\n");
        for r in &self.releases {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                r.set,
                r.release,
                r.effective_from,
                r.effective_to,
                r.sources.join(", "),
                r.updates.join(" ")
            ));
        }
        out
    }
}

/// The source files found in a folder, by role.
#[derive(Debug, Default)]
struct Sources {
    files: Vec<PathBuf>,
}

impl Sources {
    fn scan(dir: &Path) -> Result<Sources, BuildError> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d)
                .map_err(|e| BuildError::new(&d, None, format!("cannot read folder: {e}")))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        Ok(Sources { files })
    }

    /// The Medicare Code Editor list (`kind`: dx-attributes, proc-attributes) of fiscal year
    /// `fy`, else the newest. Its version is the MS-DRG grouper's, which counts fiscal years:
    /// v43 for FY2026, v44 for FY2027. A newer list than the release would mark the codes of
    /// another release valid.
    fn mce_for(&self, fy: Option<u32>, kind: &str) -> Option<&Path> {
        fy.and_then(|fy| {
            let version = format!("mce-v{}", fy - 1983);
            self.find(|n| n.contains(&version) && n.contains(kind))
        })
        .or_else(|| self.find(|n| n.contains("mce") && n.contains(kind)))
    }

    /// The folders of release changes (`fy2027-changes/added.csv`…), oldest first.
    fn changes(&self) -> Vec<icd10cm::Changes> {
        let mut out: Vec<icd10cm::Changes> = self
            .files
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n == "added.csv"))
            .filter_map(|p| {
                let folder = p.parent()?;
                let name = folder.file_name()?.to_str()?.to_ascii_lowercase();
                let fy = name
                    .strip_prefix("fy")?
                    .strip_suffix("-changes")?
                    .parse()
                    .ok()?;
                Some(icd10cm::Changes {
                    fiscal_year: fy,
                    folder: folder.to_path_buf(),
                })
            })
            .collect();
        out.sort_by_key(|c| c.fiscal_year);
        out
    }

    /// The newest-named file whose lower-cased name satisfies `pred`.
    fn find(&self, pred: impl Fn(&str) -> bool) -> Option<&Path> {
        self.files
            .iter()
            .rfind(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| pred(&n.to_ascii_lowercase()))
            })
            .map(PathBuf::as_path)
    }
}

/// Reads a source file, decompressing `.xz`, and decoding Latin-1 where UTF-8 fails
/// (the CMS ICD-9-CM files are Latin-1).
pub(crate) fn read_text(path: &Path) -> Result<String, BuildError> {
    let raw = std::fs::read(path).map_err(|e| BuildError::new(path, None, e.to_string()))?;
    let bytes = if path.extension().is_some_and(|e| e == "xz") {
        let mut out = Vec::new();
        liblzma::read::XzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| BuildError::new(path, None, format!("not a valid .xz file: {e}")))?;
        out
    } else {
        raw
    };
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    })
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Sorts rows bytewise by their first field (stable, so repeated keys keep file order).
pub(crate) fn sorted(mut rows: Vec<String>) -> String {
    rows.sort_by(|a, b| key_of(a).cmp(key_of(b)));
    let mut out = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum());
    for r in rows {
        out.push_str(&r);
        out.push('\n');
    }
    out
}

fn key_of(row: &str) -> &str {
    row.split('\t').next().unwrap_or("")
}

/// The data rows of a CSV file with a header row, as fields (quotes read), each with its line
/// number; a row with fewer than `columns` fields is an error naming the line.
pub(crate) fn csv_rows(
    path: &Path,
    columns: usize,
) -> Result<Vec<(usize, Vec<String>)>, BuildError> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().expect("one field").push('"');
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(String::new()),
                c => fields.last_mut().expect("one field").push(c),
            }
        }
        if fields.len() < columns {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                format!(
                    "expected {columns} comma-separated fields, found {}",
                    fields.len()
                ),
            ));
        }
        out.push((i + 1, fields));
    }
    Ok(out)
}

/// The fiscal year a file name states (`…tabular-2026-April-1.xml`, `…tables-2026.xml`).
pub(crate) fn year_in(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    name.as_bytes()
        .windows(4)
        .filter_map(|w| std::str::from_utf8(w).ok()?.parse::<u32>().ok())
        .find(|y| (2016..2100).contains(y))
}

/// Tabs and newlines would break the row format; titles never need them.
pub(crate) fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Builds every table whose sources are present in `dir`. A set whose files are missing
/// is left out (a user's folder of newer files may hold only one set); a set whose file
/// is malformed is an error naming the file and line.
pub fn build_from(dir: &Path) -> Result<Built, BuildError> {
    let sources = Sources::scan(dir)?;
    let mut built = Built::default();

    let tabular = sources.find(|n| {
        (n.starts_with("icd10cm") || n.starts_with("icd10c-") || n.starts_with("icd10c_"))
            && n.contains("tabular")
            && (n.ends_with(".xml") || n.ends_with(".xml.xz"))
    });
    if let Some(tabular) = tabular {
        // The release built is the tabular's, brought forward by any newer change files; its
        // Medicare Code Editor list is that year's.
        let changes = sources.changes();
        let fy = year_in(tabular)
            .into_iter()
            .chain(changes.iter().map(|c| c.fiscal_year))
            .max();
        let mce_dx = match sources.mce_for(fy, "dx-attributes") {
            Some(p) => Some(mce::read(p)?),
            None => None,
        };
        let order = sources.find(|n| n.contains("icd10cm") && n.contains("order"));
        icd10cm::build(tabular, &changes, order, mce_dx.as_ref(), &mut built)?;
        if let Some(ages) = sources.find(|n| n.contains("mce") && n.contains("age-ranges")) {
            payment::build_mce_ages(ages, &mut built)?;
        }
    }
    if let Some(tables) = sources.find(|n| {
        n.contains("pcs") && n.contains("tables") && (n.ends_with(".xml") || n.ends_with(".xml.xz"))
    }) {
        // The valid list decides which codes are in force; the tables only give titles, so
        // the newest list is used (FY2027's new codes are named from the FY2026 axes).
        let mce_pcs = match sources.mce_for(None, "proc-attributes") {
            Some(p) => Some(mce::read(p)?),
            None => None,
        };
        let long = sources.find(|n| {
            n.starts_with("icd10pcs") && n.contains("codes") && !n.contains("enumerated")
        });
        icd10pcs::build(tables, long, mce_pcs.as_ref(), &mut built)?;
    }
    for (prefix, table, dotted) in [
        ("icd10cm", "icd10cm-conversions", true),
        ("icd10pcs", "icd10pcs-conversions", false),
    ] {
        if let Some(p) = sources.find(|n| n.starts_with(prefix) && n.contains("conversion")) {
            conversions::build(p, table, dotted, &mut built)?;
        }
    }
    icd9::build(&sources, &mut built)?;
    if let Some(anweb) = sources.find(|n| n.contains("anweb") && n.ends_with(".tsv")) {
        let groups = sources.find(|n| n.contains("hcpcs") && n.contains("letter-groups"));
        let ambulance = sources.find(|n| n.contains("ambulance") && n.ends_with(".tsv"));
        hcpcs::build(anweb, groups, ambulance, &mut built)?;
    }
    if let Some(structure) = sources.find(|n| n.starts_with("cpt-structure")) {
        let modifiers = sources.find(|n| n.starts_with("cpt-modifiers"));
        cpt::build(structure, modifiers, &mut built)?;
    }
    if let Some(severity) = sources.find(|n| n.starts_with("msdrg") && n.contains("severity")) {
        let mdc = sources.find(|n| n.starts_with("msdrg") && n.contains("mdc-titles"));
        let pdx = sources.find(|n| n.starts_with("msdrg") && n.contains("pdx-to-exclusion"));
        let members =
            sources.find(|n| n.starts_with("msdrg") && n.contains("exclusion-group-members"));
        payment::build_msdrg(severity, mdc, pdx.zip(members), &mut built)?;
    }
    let hcc_maps: Vec<&Path> = sources
        .files
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_ascii_lowercase().starts_with("ra_dx_to_cc_py"))
        })
        .map(PathBuf::as_path)
        .collect();
    if !hcc_maps.is_empty() {
        let labels = sources.find(|n| n.starts_with("ra_labels"));
        let hierarchies = sources.find(|n| n.starts_with("ra_hierarchies"));
        payment::build_hcc(&hcc_maps, labels, hierarchies, &mut built)?;
    }
    if built.tables.is_empty() {
        return Err(BuildError::new(
            dir,
            None,
            "no official code-set files found here (see data/README.md for the file names dxpx reads)",
        ));
    }
    Ok(built)
}

/// Writes the tables compressed, plus the manifest, into `out`.
pub fn write_to(built: &Built, out: &Path) -> Result<Vec<PathBuf>, BuildError> {
    std::fs::create_dir_all(out).map_err(|e| BuildError::new(out, None, e.to_string()))?;
    let mut written = Vec::new();
    for (name, text) in &built.tables {
        let path = out.join(format!("{name}.tsv.zst"));
        let bytes = zstd::bulk::compress(text.as_bytes(), 19)
            .map_err(|e| BuildError::new(&path, None, e.to_string()))?;
        std::fs::write(&path, bytes).map_err(|e| BuildError::new(&path, None, e.to_string()))?;
        written.push(path);
    }
    let path = out.join("manifest.tsv");
    std::fs::write(&path, built.manifest())
        .map_err(|e| BuildError::new(&path, None, e.to_string()))?;
    written.push(path);
    Ok(written)
}
