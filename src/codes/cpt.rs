//! CPT: the public section structure, its modifiers (with labels of dxpx's own, never AMA
//! text), and a licensee's own descriptor file.

use super::table::Table;
use super::{CodeSet, Entry, Listed, Status, System};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What dxpx may ship of CPT (ranges and modifier codes), plus what a licensee loads.
pub struct Cpt {
    structure: CptStructure,
    /// Modifier, label.
    modifiers: Table,
    licensed: Option<CptLicensed>,
}

impl Cpt {
    pub(super) fn new(structure: CptStructure, modifiers: Table) -> Cpt {
        Cpt {
            structure,
            modifiers,
            licensed: None,
        }
    }

    pub(super) fn license(&mut self, licensed: CptLicensed) {
        self.licensed = Some(licensed);
    }

    pub(super) fn modifiers_table(&self) -> &Table {
        &self.modifiers
    }

    pub fn has_licensed_file(&self) -> bool {
        self.licensed.is_some()
    }

    /// A code by its shape and section ranges: Category I in a section, II or III; `None`
    /// when a complete licensed file is loaded and does not list it.
    pub fn sections(&self, code: &str) -> Option<Vec<CptSection>> {
        let sections = self.structure.sections_of(code);
        if let Some(l) = &self.licensed
            && l.descriptor(code).is_none()
            && l.is_complete()
        {
            return None;
        }
        (!sections.is_empty()).then_some(sections)
    }

    /// The outermost section's name of a code the public ranges hold (and a complete
    /// licensed file lists), as `sections` would give it first.
    pub fn section<'a>(&'a self, code: &str) -> Option<&'a str> {
        if let Some(l) = &self.licensed
            && l.descriptor(code).is_none()
            && l.is_complete()
        {
            return None;
        }
        self.structure.outermost(code)
    }

    /// The Category I sections a code that is in none falls between (99201: after Medicine
    /// 90281–99199, before Evaluation & Management 99202–99499), as "name range" each.
    pub fn between(&self, code: &str) -> Option<(String, String)> {
        let b = code.as_bytes();
        if b.len() != 5 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sections = || {
            self.structure
                .ranges
                .iter()
                .filter(|r| r.kind == "cat1" && r.level == "section")
        };
        let before = sections()
            .filter(|r| r.end.as_str() < code)
            .max_by(|a, b| a.end.cmp(&b.end))?;
        let after = sections()
            .filter(|r| r.start.as_str() > code)
            .min_by(|a, b| a.start.cmp(&b.start))?;
        let name = |r: &Range| format!("{} {}–{}", r.name, r.start, r.end);
        Some((name(before), name(after)))
    }

    /// The licensee's descriptor.
    pub fn descriptor(&self, code: &str) -> Option<&str> {
        self.licensed.as_ref()?.descriptor(code)
    }
}

impl CodeSet for Cpt {
    fn system(&self) -> System {
        System::Cpt
    }

    fn read(&self, key: &str, _written: &str) -> Option<String> {
        let b = key.as_bytes();
        let shaped = b.len() == 5
            && b[..4].iter().all(u8::is_ascii_digit)
            && (b[4].is_ascii_digit() || matches!(b[4], b'F' | b'T' | b'U' | b'M'));
        shaped.then(|| key.to_string())
    }

    fn status(&self, code: &str) -> Option<Status> {
        self.sections(code).map(|_| Status::Valid)
    }

    fn describe(&self, code: &str, e: &mut Entry) {
        let Some(sections) = self.sections(code) else {
            if !self.has_licensed_file()
                && let Some((before, after)) = self.between(code)
            {
                e.title_note = format!(
                    "between {before} and {after}: in none of the public ranges dxpx ships; the licensed CPT file, when configured, decides"
                );
            }
            return;
        };
        e.status = Some(Status::Valid);
        e.hierarchy = sections
            .iter()
            .map(|s| (s.range.clone(), s.name.clone()))
            .collect();
        e.title = match self.descriptor(code) {
            Some(d) => d.to_string(),
            None => {
                e.title_note =
                    "CPT descriptors are AMA text: configure a licensed CPT file to see them"
                        .into();
                sections.last().map(|s| s.name.clone()).unwrap_or_default()
            }
        };
    }

    /// CPT codes are not listed: only ranges are public.
    fn prefix(&self, _prefix: &str, _limit: usize) -> Vec<Listed> {
        Vec::new()
    }

    fn codes(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(std::iter::empty())
    }

    fn title(&self, code: &str) -> Option<&str> {
        self.descriptor(code)
    }

    fn modifier(&self, m: &str) -> Option<&str> {
        self.modifiers.get(m).map(|r| r.field(1))
    }
}

/// A section or subsection that contains a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CptSection {
    pub range: String,
    pub name: String,
}

#[derive(Debug, Default)]
pub struct CptStructure {
    ranges: Vec<Range>,
}

#[derive(Debug)]
struct Range {
    kind: String,
    /// `section` or `subsection` for Category I.
    level: String,
    start: String,
    end: String,
    suffix: Option<u8>,
    name: String,
}

impl CptStructure {
    pub fn parse(text: &str) -> CptStructure {
        let ranges = text
            .lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let (kind, start, end, pattern, name) =
                    (*f.first()?, *f.get(2)?, *f.get(3)?, *f.get(4)?, *f.get(5)?);
                // Category II/III/PLA rows give a pattern such as ^\d{4}F$ instead of a range.
                let suffix = pattern
                    .strip_suffix('$')
                    .and_then(|p| p.bytes().last())
                    .filter(|b| b.is_ascii_uppercase());
                Some(Range {
                    kind: kind.to_string(),
                    level: f.get(1).unwrap_or(&"").to_string(),
                    start: start.to_string(),
                    end: end.to_string(),
                    suffix,
                    name: name.to_string(),
                })
            })
            .collect();
        CptStructure { ranges }
    }

    /// The ranges containing `code` (a code of the right shape), outermost first.
    fn containing<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Range> {
        let last = code.as_bytes()[4];
        self.ranges.iter().filter(move |r| match r.suffix {
            Some(s) => {
                last == s
                    && (r.start.is_empty() || (code >= r.start.as_str() && code <= r.end.as_str()))
            }
            None => {
                last.is_ascii_digit()
                    && r.kind == "cat1"
                    && code >= r.start.as_str()
                    && code <= r.end.as_str()
            }
        })
    }

    /// The name of the outermost range a code of the structure's ranges is in, with no
    /// allocation (the payer edits ask it of every procedure).
    pub fn outermost<'a>(&'a self, code: &str) -> Option<&'a str> {
        let b = code.as_bytes();
        if b.len() != 5 || !b[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.containing(code).next().map(|r| r.name.as_str())
    }

    /// The sections containing `code`, outermost first.
    pub fn sections_of(&self, code: &str) -> Vec<CptSection> {
        let b = code.as_bytes();
        if b.len() != 5 || !b[..4].iter().all(u8::is_ascii_digit) {
            return Vec::new();
        }
        // A Category III, PLA or MAAA number past the table's range (1000T) has the format
        // and grows every release: named, with the range it is beyond, as unverified.
        let beyond = self.ranges.iter().find(|r| {
            r.suffix == Some(b[4])
                && !r.start.is_empty()
                && !(code >= r.start.as_str() && code <= r.end.as_str())
        });
        if let Some(r) = beyond {
            return vec![CptSection {
                range: String::new(),
                name: format!(
                    "{} format, beyond the {}–{} the structure table lists: unverified",
                    r.name, r.start, r.end
                ),
            }];
        }
        self.containing(code)
            .map(|r| CptSection {
                range: if r.start.is_empty() {
                    "".into()
                } else {
                    format!("{}–{}", r.start, r.end)
                },
                name: r.name.clone(),
            })
            .collect()
    }
}

/// A licensee's CPT file: code and descriptor, comma- or tab-separated, header optional.
#[derive(Debug)]
pub struct CptLicensed {
    descriptors: HashMap<String, String>,
}

/// A licensed CPT file dxpx cannot use, and where.
#[derive(Debug)]
pub struct CptFileError {
    pub path: PathBuf,
    pub problem: CptFileProblem,
}

#[derive(Debug)]
pub enum CptFileProblem {
    Io(std::io::Error),
    /// A line with no separator between code and descriptor.
    NoDescriptor {
        line: usize,
    },
    /// A first column that is not a five-character code.
    NotACode {
        line: usize,
        written: String,
    },
    /// No code in the whole file.
    Empty,
}

impl std::fmt::Display for CptFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        match &self.problem {
            CptFileProblem::Io(e) => write!(f, "{path}: {e}"),
            CptFileProblem::NoDescriptor { line } => {
                write!(f, "{path}:{line}: expected a code and a descriptor")
            }
            CptFileProblem::NotACode { line, written } => {
                write!(f, "{path}:{line}: {written:?} is not a CPT code")
            }
            CptFileProblem::Empty => write!(f, "{path}: no CPT codes found"),
        }
    }
}

impl std::error::Error for CptFileError {}

impl CptLicensed {
    pub fn load(path: &Path) -> Result<CptLicensed, CptFileError> {
        let error = |problem| CptFileError {
            path: path.to_path_buf(),
            problem,
        };
        let bytes = std::fs::read(path).map_err(|e| error(CptFileProblem::Io(e)))?;
        let text = String::from_utf8_lossy(&bytes);
        let mut descriptors = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (code, rest) = line
                .split_once('\t')
                .or_else(|| line.split_once(','))
                .ok_or_else(|| error(CptFileProblem::NoDescriptor { line: i + 1 }))?;
            let code = code.trim().trim_matches('"');
            let valid = code.len() == 5 && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid {
                if i == 0 {
                    continue; // a header row
                }
                return Err(error(CptFileProblem::NotACode {
                    line: i + 1,
                    written: code.to_string(),
                }));
            }
            descriptors.insert(
                code.to_ascii_uppercase(),
                rest.trim().trim_matches('"').to_string(),
            );
        }
        if descriptors.is_empty() {
            return Err(error(CptFileProblem::Empty));
        }
        Ok(CptLicensed { descriptors })
    }

    pub fn descriptor(&self, code: &str) -> Option<&str> {
        self.descriptors.get(code).map(String::as_str)
    }

    /// A full licensed file lists every code, so a code missing from it is not CPT.
    pub fn is_complete(&self) -> bool {
        self.descriptors.len() > 5000
    }
}
