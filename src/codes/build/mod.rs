//! The regeneration tool: reads the official release files and writes the compact tables
//! that dxpx embeds. The same code runs at start-up when a user points dxpx at a folder of
//! newer official files, so what ships and what a user loads can never disagree.

mod cpt;
mod hcpcs;
mod icd10cm;
pub use icd10cm::NOTE_KINDS as NOTE_KINDS_ORDER;
mod icd10pcs;
mod icd9;
mod mce;
pub use mce::iso_date;

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
        let mut out = String::from("set\trelease\teffective_from\teffective_to\tsources\n");
        for r in &self.releases {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\n",
                r.set,
                r.release,
                r.effective_from,
                r.effective_to,
                r.sources.join(", ")
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

    /// The Medicare Code Editor list (`kind`: dx-attributes, proc-attributes) of the same
    /// fiscal year as the code-set file `of`, else the newest. Its version is the MS-DRG
    /// grouper's, which counts fiscal years: v43 for FY2026, v44 for FY2027. A newer list
    /// than the tabular would mark the codes of another release valid.
    fn mce_for(&self, of: &Path, kind: &str) -> Option<&Path> {
        let name = of.file_name()?.to_str()?;
        let year = name
            .as_bytes()
            .windows(4)
            .filter_map(|w| std::str::from_utf8(w).ok()?.parse::<u32>().ok())
            .find(|y| (2016..2100).contains(y));
        year.and_then(|fy| {
            let version = format!("mce-v{}", fy - 1983);
            self.find(|n| n.contains(&version) && n.contains(kind))
        })
        .or_else(|| self.find(|n| n.contains("mce") && n.contains(kind)))
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
        let mce_dx = match sources.mce_for(tabular, "dx-attributes") {
            Some(p) => Some(mce::read(p)?),
            None => None,
        };
        let order = sources.find(|n| n.contains("icd10cm") && n.contains("order"));
        icd10cm::build(tabular, order, mce_dx.as_ref(), &mut built)?;
    }
    if let Some(tables) = sources.find(|n| {
        n.contains("pcs") && n.contains("tables") && (n.ends_with(".xml") || n.ends_with(".xml.xz"))
    }) {
        let mce_pcs = match sources.mce_for(tables, "proc-attributes") {
            Some(p) => Some(mce::read(p)?),
            None => None,
        };
        let long = sources.find(|n| {
            n.starts_with("icd10pcs") && n.contains("codes") && !n.contains("enumerated")
        });
        icd10pcs::build(tables, long, mce_pcs.as_ref(), &mut built)?;
    }
    icd9::build(&sources, &mut built)?;
    if let Some(anweb) = sources.find(|n| n.contains("anweb") && n.ends_with(".tsv")) {
        let groups = sources.find(|n| n.contains("hcpcs") && n.contains("letter-groups"));
        hcpcs::build(anweb, groups, &mut built)?;
    }
    if let Some(structure) = sources.find(|n| n.starts_with("cpt-structure")) {
        let modifiers = sources.find(|n| n.starts_with("cpt-modifiers"));
        cpt::build(structure, modifiers, &mut built)?;
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
