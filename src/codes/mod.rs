//! The code sets: ICD-10-CM, ICD-10-PCS, ICD-9-CM (with the GEMs), HCPCS Level II and the
//! public structure of CPT. Lookup, hierarchy, notes and word search, with no LSP types.

pub mod build;
mod cpt;
mod data;
pub mod normalize;
mod search;
pub mod table;

pub use build::Release;

/// The tables compiled into the binary, by name (compressed).
pub fn embedded_tables() -> &'static [(&'static str, &'static [u8])] {
    data::EMBEDDED
}
pub use cpt::{CptLicensed, CptSection};
pub use search::SearchHit;

use normalize::{compact, dot_icd9_dx, dot_icd9_proc, dot_icd10cm};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use table::Table;

/// A coding system, named as claims and the scan output name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum System {
    Icd10Cm,
    Icd10Pcs,
    Icd9Cm,
    Cpt,
    Hcpcs,
}

impl System {
    pub const ALL: [System; 5] = [
        System::Icd10Cm,
        System::Icd10Pcs,
        System::Icd9Cm,
        System::Cpt,
        System::Hcpcs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            System::Icd10Cm => "ICD-10-CM",
            System::Icd10Pcs => "ICD-10-PCS",
            System::Icd9Cm => "ICD-9-CM",
            System::Cpt => "CPT",
            System::Hcpcs => "HCPCS",
        }
    }

    pub fn from_name(name: &str) -> Option<System> {
        System::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// Procedures need a supporting diagnosis; diagnoses supply it.
    pub fn is_procedure(self) -> bool {
        matches!(self, System::Icd10Pcs | System::Cpt | System::Hcpcs)
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a code can go on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// In the current set and billable.
    Valid,
    /// In the current set, but a category or subcategory with children.
    Header,
    /// From a set or a release no longer in force (ICD-9-CM; a terminated HCPCS code).
    Retired,
    /// Code-shaped, but in no release.
    Invalid,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Header => "header",
            Status::Retired => "retired",
            Status::Invalid => "invalid",
        }
    }
}

/// An instructional note that applies to a code, and the level it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: String,
    pub text: String,
    pub from: String,
}

/// A GEM target with its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemTarget {
    pub code: String,
    pub title: String,
    pub approximate: bool,
    pub no_map: bool,
    pub combination: bool,
    pub scenario: u8,
    pub choice_list: u8,
}

/// Everything dxpx knows about one code.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub code: String,
    pub system: Option<System>,
    pub release: String,
    pub title: String,
    pub short_title: String,
    pub status: Option<Status>,
    /// Chapter › block › category › …, each as (id, title), outermost first.
    pub hierarchy: Vec<(String, String)>,
    pub children: Vec<(String, String)>,
    pub notes: Vec<Note>,
    /// The 7th characters that complete this code, and the code that defines them.
    pub seventh: Vec<(String, String)>,
    pub seventh_from: String,
    pub gems: Vec<GemTarget>,
    /// Medicare Code Editor flags (manifestation, unacceptable principal diagnosis, …).
    pub edit_flags: Vec<String>,
    /// HCPCS add, effective and termination dates; PCS end date.
    pub added: String,
    pub effective: String,
    pub terminated: String,
    /// Where a title came from when it is not the official long title.
    pub title_note: String,
}

impl Entry {
    pub fn system(&self) -> System {
        self.system.unwrap_or(System::Icd10Cm)
    }
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Invalid)
    }
}

/// Where to find code-set files other than the embedded ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// A folder of official release files, newer than what dxpx ships.
    pub data_dir: Option<PathBuf>,
    /// A licensed CPT file (code and descriptor, CSV or TSV).
    pub cpt_file: Option<PathBuf>,
}

/// The loaded code sets. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct CodeSets {
    icd10cm: Table,
    icd10cm_tree: Table,
    icd10cm_notes: Table,
    icd10cm_7chr: Table,
    icd10pcs: data::LazyTable,
    icd10pcs_axes: data::LazyTable,
    icd9_dx: Table,
    icd9_pcs: data::LazyTable,
    gem_9_10cm: data::LazyTable,
    gem_10cm_9: data::LazyTable,
    gem_9_10pcs: data::LazyTable,
    gem_10pcs_9: data::LazyTable,
    hcpcs: Table,
    hcpcs_modifiers: Table,
    hcpcs_groups: Table,
    cpt_modifiers: Table,
    cpt: cpt::CptStructure,
    cpt_licensed: Option<CptLicensed>,
    releases: Vec<Release>,
    /// What went wrong loading user-supplied files; the embedded data stayed in use.
    pub warnings: Vec<String>,
    search: OnceLock<search::Index>,
    notes_memo: NotesMemo,
}

impl fmt::Debug for CodeSets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeSets")
            .field("releases", &self.releases)
            .finish_non_exhaustive()
    }
}

/// Notes already gathered for a (code, kind).
type NotesMemo = std::sync::Mutex<std::collections::HashMap<(String, &'static str), Arc<[Note]>>>;

static EMBEDDED_SETS: OnceLock<Arc<CodeSets>> = OnceLock::new();

/// Tables loaded on first use (see [`data::LazyTable`]).
const LAZY: &[&str] = &[
    "icd10pcs",
    "icd10pcs-axes",
    "icd9cm-pcs",
    "gem-icd9-icd10cm",
    "gem-icd10cm-icd9",
    "gem-icd9-icd10pcs",
    "gem-icd10pcs-icd9",
];

impl CodeSets {
    /// The code sets compiled into the binary, loaded once per process.
    pub fn embedded() -> Arc<CodeSets> {
        EMBEDDED_SETS
            .get_or_init(|| {
                Arc::new(
                    CodeSets::load(&LoadOptions::default())
                        .expect("the embedded code sets are checked by the test suite"),
                )
            })
            .clone()
    }

    /// Loads the embedded sets, replaced set by set from `options.data_dir` where it holds
    /// official files. A malformed user file becomes a warning and the embedded set stays.
    pub fn load(options: &LoadOptions) -> Result<CodeSets, String> {
        let mut texts: BTreeMap<&'static str, String> = BTreeMap::new();
        let mut releases = data::parse_manifest(data::EMBEDDED_MANIFEST);
        let mut warnings = Vec::new();
        if let Some(dir) = &options.data_dir {
            match data::build_override(dir) {
                Ok((tables, user_releases)) => {
                    for r in user_releases {
                        releases.retain(|e| e.set != r.set);
                        releases.push(r);
                    }
                    texts.extend(tables);
                }
                Err(e) => warnings.push(format!("{e}; using the embedded code sets")),
            }
        }
        // Decompressing and indexing is most of the start-up time: the tables are
        // independent, so they load on every core, largest first.
        let names: Vec<&'static str> = data::EMBEDDED
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| *n != "cpt-structure" && !LAZY.contains(n))
            .collect();
        let mut tables = data::load_all(&names, &mut texts)?;
        let mut table = |name: &'static str| {
            tables
                .remove(name)
                .ok_or_else(|| format!("table {name} missing"))
        };
        let cpt_structure = match texts.remove("cpt-structure") {
            Some(t) => t,
            None => data::embedded_text("cpt-structure")?,
        };
        let mut lazy = |name: &'static str| data::LazyTable::new(name, texts.remove(name));
        let mut sets = CodeSets {
            icd10cm: table("icd10cm")?,
            icd10cm_tree: table("icd10cm-tree")?,
            icd10cm_notes: table("icd10cm-notes")?,
            icd10cm_7chr: table("icd10cm-7chr")?,
            icd10pcs: lazy("icd10pcs"),
            icd10pcs_axes: lazy("icd10pcs-axes"),
            icd9_dx: table("icd9cm-dx")?,
            icd9_pcs: lazy("icd9cm-pcs"),
            gem_9_10cm: lazy("gem-icd9-icd10cm"),
            gem_10cm_9: lazy("gem-icd10cm-icd9"),
            gem_9_10pcs: lazy("gem-icd9-icd10pcs"),
            gem_10pcs_9: lazy("gem-icd10pcs-icd9"),
            hcpcs: table("hcpcs")?,
            hcpcs_modifiers: table("hcpcs-modifiers")?,
            hcpcs_groups: table("hcpcs-groups")?,
            cpt_modifiers: table("cpt-modifiers")?,
            cpt: cpt::CptStructure::parse(&cpt_structure),
            cpt_licensed: None,
            releases,
            warnings,
            search: OnceLock::new(),
            notes_memo: Default::default(),
        };
        if let Some(path) = &options.cpt_file {
            match CptLicensed::load(path) {
                Ok(l) => sets.cpt_licensed = Some(l),
                Err(e) => sets
                    .warnings
                    .push(format!("{e}; CPT descriptors are not shown")),
            }
        }
        Ok(sets)
    }

    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// "FY2026 (April 1, 2026 update)" for a system.
    pub fn release_of(&self, system: System) -> String {
        let set = match system {
            System::Icd10Cm => "ICD-10-CM",
            System::Icd10Pcs => "ICD-10-PCS",
            System::Icd9Cm => "ICD-9-CM",
            System::Cpt => "CPT",
            System::Hcpcs => "HCPCS",
        };
        let mut release = self
            .releases
            .iter()
            .find(|r| r.set == set)
            .map(|r| r.release.clone())
            .unwrap_or_default();
        if system == System::Cpt && self.cpt_licensed.is_some() {
            release.push_str(", licensed descriptors loaded");
        }
        release
    }

    // ----- fast facts, for the scanner and the rules -----

    /// ICD-10-CM status of a dotted code, or `None` when it is not in the set.
    pub fn icd10cm_status(&self, dotted: &str) -> Option<Status> {
        self.icd10cm.get(dotted).map(|r| {
            if r.field(2) == "1" {
                Status::Valid
            } else {
                Status::Header
            }
        })
    }

    pub fn icd10pcs_exists(&self, code: &str) -> bool {
        self.icd10pcs
            .get(code)
            .is_some_and(|r| r.field(2).is_empty())
    }

    pub fn icd9_dx_exists(&self, dotted: &str) -> bool {
        self.icd9_dx.get(dotted).is_some()
    }

    pub fn icd9_proc_exists(&self, dotted: &str) -> bool {
        self.icd9_pcs.get(dotted).is_some()
    }

    /// HCPCS status: valid, retired when terminated, `None` when unknown.
    pub fn hcpcs_status(&self, code: &str) -> Option<Status> {
        self.hcpcs.get(code).map(|r| {
            if r.field(5).is_empty() {
                Status::Valid
            } else {
                Status::Retired
            }
        })
    }

    /// The HCPCS termination date (YYYY-MM-DD), when it has one.
    pub fn hcpcs_terminated(&self, code: &str) -> Option<String> {
        self.hcpcs
            .get(code)
            .map(|r| r.field(5).to_string())
            .filter(|d| !d.is_empty())
    }

    /// A CPT code by its shape and section ranges: Category I in a section, II or III.
    pub fn cpt_section(&self, code: &str) -> Option<Vec<CptSection>> {
        let sections = self.cpt.sections_of(code);
        if let Some(l) = &self.cpt_licensed
            && l.descriptor(code).is_none()
            && l.is_complete()
        {
            return None;
        }
        (!sections.is_empty()).then_some(sections)
    }

    pub fn cpt_descriptor(&self, code: &str) -> Option<&str> {
        self.cpt_licensed.as_ref()?.descriptor(code)
    }

    /// A CPT or HCPCS modifier: its label (CPT labels are dxpx's own, never AMA text).
    pub fn modifier(&self, m: &str) -> Option<(System, String)> {
        let m = m.to_ascii_uppercase();
        if let Some(r) = self.cpt_modifiers.get(&m) {
            return Some((System::Cpt, r.field(1).to_string()));
        }
        self.hcpcs_modifiers
            .get(&m)
            .map(|r| (System::Hcpcs, r.field(2).to_string()))
    }

    /// Manifestation codes must follow their etiology ("code first" notes).
    pub fn icd10cm_edit_flags(&self, dotted: &str) -> Vec<&str> {
        self.icd10cm
            .get(dotted)
            .map(|r| r.field(3).split(',').filter(|f| !f.is_empty()).collect())
            .unwrap_or_default()
    }

    /// The instructional notes of `kind` that apply to an ICD-10-CM code: its own and
    /// those of its ancestors, block and chapter. Remembered, because the rules ask for
    /// the same few codes on every keystroke.
    pub fn icd10cm_notes(&self, dotted: &str, kind: &'static str) -> Arc<[Note]> {
        let key = (dotted.to_string(), kind);
        if let Some(notes) = self
            .notes_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return notes.clone();
        }
        let mut out = Vec::new();
        let collect = |id: &str, out: &mut Vec<Note>| {
            for n in self.icd10cm_notes.all(id).filter(|n| n.field(1) == kind) {
                out.push(Note {
                    kind: kind.to_string(),
                    text: n.field(2).to_string(),
                    from: id.to_string(),
                });
            }
        };
        let mut node = dotted.to_string();
        while let Some(row) = self.icd10cm.get(&node) {
            collect(&node, &mut out);
            node = row.field(1).to_string();
        }
        while let Some(tree) = self.icd10cm_tree.get(&node) {
            collect(&node, &mut out);
            node = tree.field(2).to_string();
        }
        let notes: Arc<[Note]> = out.into();
        let mut memo = self.notes_memo.lock().unwrap_or_else(|p| p.into_inner());
        // A bound on the memo: a document cannot grow it without limit.
        if memo.len() > 50_000 {
            memo.clear();
        }
        memo.insert(key, notes.clone());
        notes
    }

    /// The ICD-10-CM children of a code (or, for "", the chapters' categories are not
    /// listed; use [`CodeSets::prefix`]), as (code, title).
    pub fn icd10cm_children(&self, dotted: &str) -> Vec<(String, String)> {
        let prefix = if dotted.len() == 3 {
            format!("{dotted}.")
        } else {
            dotted.to_string()
        };
        self.icd10cm
            .prefix_range(&prefix)
            .map(|i| self.icd10cm.row(i))
            .filter(|r| r.field(1) == dotted)
            .map(|r| (r.key().to_string(), r.field(5).to_string()))
            .collect()
    }

    /// Codes of `system` whose canonical form starts with `prefix` (for completion).
    pub fn prefix(
        &self,
        system: System,
        prefix: &str,
        limit: usize,
    ) -> Vec<(String, String, Status)> {
        let (table, title_field): (&Table, usize) = match system {
            System::Icd10Cm => (&self.icd10cm, 5),
            System::Icd10Pcs => (&self.icd10pcs, 4),
            System::Icd9Cm => (&self.icd9_dx, 2),
            System::Hcpcs => (&self.hcpcs, 2),
            System::Cpt => return Vec::new(),
        };
        table
            .prefix_range(prefix)
            .take(limit)
            .map(|i| table.row(i))
            .map(|r| {
                let status = match system {
                    System::Icd10Cm if r.field(2) != "1" => Status::Header,
                    System::Icd9Cm => Status::Retired,
                    System::Hcpcs if !r.field(5).is_empty() => Status::Retired,
                    _ => Status::Valid,
                };
                (
                    r.key().to_string(),
                    r.field(title_field).to_string(),
                    status,
                )
            })
            .collect()
    }

    /// ICD-10-CM codes under `prefix`, shallowest first (`E11.` gives E11.0 … E11.A before
    /// E11.00), at most `limit`; titles are read only for the codes returned.
    pub fn icd10cm_shallowest(&self, prefix: &str, limit: usize) -> Vec<(String, String, Status)> {
        let table = &self.icd10cm;
        let mut by_depth: Vec<(usize, usize)> = table
            .prefix_range(prefix)
            .map(|i| (table.row(i).key().len(), i))
            .collect();
        if by_depth.len() > limit {
            by_depth.select_nth_unstable(limit);
            by_depth.truncate(limit);
        }
        by_depth.sort_unstable();
        by_depth
            .into_iter()
            .map(|(_, i)| {
                let r = table.row(i);
                let status = if r.field(2) == "1" {
                    Status::Valid
                } else {
                    Status::Header
                };
                (r.key().to_string(), r.field(5).to_string(), status)
            })
            .collect()
    }

    /// Every ICD-10-CM category and code, in code order: (code, title, billable).
    pub fn icd10cm_titles(&self) -> impl Iterator<Item = (&str, &str, bool)> + '_ {
        self.icd10cm
            .rows()
            .map(|r| (r.key(), r.field(5), r.field(2) == "1"))
    }

    /// The ICD-10-CM code's ancestors, nearest first: its subcategories and category (by
    /// code), then its block ("I60-I69") and chapter ("09"), each with its title.
    pub fn icd10cm_ancestors(&self, dotted: &str) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        let mut id = self.icd10cm.get(dotted).map(|r| r.field(1));
        while let Some(p) = id.and_then(|i| self.icd10cm.get(i)) {
            out.push((p.key(), p.field(5)));
            id = Some(p.field(1));
        }
        while let Some(node) = id.and_then(|i| self.icd10cm_tree.get(i)) {
            out.push((node.key(), node.field(5)));
            id = Some(node.field(2));
        }
        out
    }

    /// The title of an ICD-10-CM category or code.
    pub fn icd10cm_title(&self, dotted: &str) -> Option<&str> {
        self.icd10cm.get(dotted).map(|r| r.field(5))
    }

    /// The inclusion terms written at each ICD-10-CM category or code (the tabular list's
    /// `inclusionTerm` and `includes` notes), as (code, term).
    pub fn icd10cm_inclusion_terms(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.icd10cm_notes
            .rows()
            .filter(|r| matches!(r.field(1), "inclusionTerm" | "includes"))
            .filter(|r| self.icd10cm.get(r.key()).is_some())
            .map(|r| (r.key(), r.field(2)))
    }

    /// The billable ICD-10-CM codes at or under `dotted` (7th-character codes included), as
    /// (code, title).
    pub fn icd10cm_billable_under(&self, dotted: &str) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.icd10cm
            .prefix_range(dotted)
            .map(|i| self.icd10cm.row(i))
            .filter(|r| r.field(2) == "1")
            .map(|r| (r.key(), r.field(5)))
    }

    /// The number of billable ICD-10-CM codes.
    pub fn icd10cm_billable_count(&self) -> usize {
        self.icd10cm.rows().filter(|r| r.field(2) == "1").count()
    }

    pub fn icd10cm_len(&self) -> usize {
        self.icd10cm.len()
    }

    pub fn icd10pcs_len(&self) -> usize {
        self.icd10pcs
            .rows()
            .filter(|r| r.field(2).is_empty())
            .count()
    }

    /// Every code of a table, for the scanner's automaton: (system, canonical code).
    pub fn all_codes(&self, system: System) -> Box<dyn Iterator<Item = &str> + '_> {
        match system {
            System::Icd10Cm => Box::new(self.icd10cm.rows().map(|r| r.key())),
            System::Icd10Pcs => Box::new(self.icd10pcs.rows().map(|r| r.key())),
            System::Icd9Cm => Box::new(self.icd9_dx.rows().map(|r| r.key())),
            System::Hcpcs => Box::new(self.hcpcs.rows().map(|r| r.key())),
            System::Cpt => Box::new(std::iter::empty()),
        }
    }

    // ----- full lookup -----

    /// Every reading of `written` as a code, best first: `e119` is E11.9; `25000` could be
    /// CPT or ICD-9-CM 250.00; `J1885` is HCPCS.
    pub fn lookup_any(&self, written: &str) -> Vec<Entry> {
        let mut out = Vec::new();
        let dotted_icd9 =
            written.contains('.') && written.trim().starts_with(|c: char| c.is_ascii_digit());
        for system in [
            System::Icd10Cm,
            System::Hcpcs,
            System::Cpt,
            System::Icd10Pcs,
            System::Icd9Cm,
        ] {
            if dotted_icd9 && system != System::Icd9Cm {
                continue;
            }
            if let Some(e) = self.lookup(written, system)
                && e.status != Some(Status::Invalid)
            {
                out.push(e);
            }
        }
        if let Some((system, label)) = self.modifier(written.trim()) {
            let mut e = self.entry(written.trim().to_ascii_uppercase(), system);
            e.status = Some(Status::Valid);
            e.title = label;
            e.hierarchy = vec![("modifier".into(), format!("{} modifier", system.name()))];
            if system == System::Cpt {
                e.title_note = "label written by the dxpx data collectors, not AMA text".into();
            }
            out.push(e);
        }
        out
    }

    /// `written` read as a code of `system`; `None` when it cannot be one by its shape.
    /// A code of the right shape that is in no release comes back with `Status::Invalid`.
    pub fn lookup(&self, written: &str, system: System) -> Option<Entry> {
        let key = compact(written);
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match system {
            System::Icd10Cm => self.lookup_icd10cm(&key),
            System::Icd10Pcs => self.lookup_pcs(&key),
            System::Icd9Cm => self.lookup_icd9(&key, written.trim()),
            System::Cpt => self.lookup_cpt(&key),
            System::Hcpcs => self.lookup_hcpcs(&key),
        }
    }

    fn entry(&self, code: String, system: System) -> Entry {
        Entry {
            code,
            system: Some(system),
            release: self.release_of(system),
            ..Entry::default()
        }
    }

    fn lookup_icd10cm(&self, key: &str) -> Option<Entry> {
        let b = key.as_bytes();
        let shaped = (3..=7).contains(&b.len())
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_digit()
            && b[2].is_ascii_alphanumeric();
        if !shaped {
            return None;
        }
        let dotted = dot_icd10cm(key);
        let mut e = self.entry(dotted.clone(), System::Icd10Cm);
        let Some(row) = self.icd10cm.get(&dotted) else {
            e.status = Some(Status::Invalid);
            return Some(e);
        };
        e.status = Some(if row.field(2) == "1" {
            Status::Valid
        } else {
            Status::Header
        });
        e.title = row.field(5).to_string();
        e.short_title = match row.field(4) {
            "" => e.title.clone(),
            short => short.to_string(),
        };
        e.edit_flags = row
            .field(3)
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        e.children = self.icd10cm_children(&dotted);

        // Ancestors: codes by their parent column, then the block and the chapter.
        let mut chain = vec![(dotted.clone(), e.title.clone())];
        let mut parent = row.field(1).to_string();
        while let Some(p) = self.icd10cm.get(&parent) {
            chain.push((parent.clone(), p.field(5).to_string()));
            parent = p.field(1).to_string();
        }
        while let Some(node) = self.icd10cm_tree.get(&parent) {
            let label = if node.field(1) == "chapter" {
                format!("Chapter {}", parent.trim_start_matches('0'))
            } else {
                parent.clone()
            };
            chain.push((label, node.field(5).to_string()));
            for n in self.icd10cm_notes.all(&parent) {
                // Chapter- and block-level notes apply to every code below them.
                e.notes.push(Note {
                    kind: n.field(1).into(),
                    text: n.field(2).into(),
                    from: parent.clone(),
                });
            }
            parent = node.field(2).to_string();
        }
        for (id, _) in chain
            .iter()
            .filter(|(id, _)| self.icd10cm.get(id).is_some())
        {
            for n in self.icd10cm_notes.all(id) {
                let kind = n.field(1);
                // Inclusion terms describe the code they sit under, not its descendants.
                if (kind == "inclusionTerm" || kind == "sevenChrNote") && id != &dotted {
                    continue;
                }
                e.notes.push(Note {
                    kind: kind.into(),
                    text: n.field(2).into(),
                    from: id.clone(),
                });
            }
            if e.seventh.is_empty() {
                let defs: Vec<(String, String)> = self
                    .icd10cm_7chr
                    .all(id)
                    .map(|r| (r.field(1).to_string(), r.field(2).to_string()))
                    .collect();
                if !defs.is_empty() {
                    e.seventh = defs;
                    e.seventh_from = id.clone();
                }
            }
        }
        // Order notes as a coder reads them: nearest level first, by kind.
        e.notes.sort_by_key(|n| {
            let depth = chain
                .iter()
                .position(|(id, _)| *id == n.from)
                .unwrap_or(chain.len());
            let kind = build::NOTE_KINDS_ORDER
                .iter()
                .position(|k| *k == n.kind)
                .unwrap_or(99);
            (kind, depth)
        });
        chain.reverse();
        chain.pop();
        e.hierarchy = chain;
        e.gems = self.gems(&self.gem_10cm_9, &dotted, |c| {
            self.icd9_dx.get(c).map(|r| r.field(2).to_string())
        });
        Some(e)
    }

    fn lookup_pcs(&self, key: &str) -> Option<Entry> {
        let b = key.as_bytes();
        if b.len() != 7 || !matches!(b[0], b'0'..=b'9' | b'B'..=b'D' | b'F'..=b'H' | b'X') {
            return None;
        }
        let mut e = self.entry(key.to_string(), System::Icd10Pcs);
        for n in 1..=3 {
            if let Some(axis) = self.icd10pcs_axes.get(&key[..n]) {
                e.hierarchy.push((
                    format!("{}: {}", axis.field(1), &key[n - 1..n]),
                    axis.field(2).to_string(),
                ));
            }
        }
        let Some(row) = self.icd10pcs.get(key) else {
            e.status = Some(Status::Invalid);
            return Some(e);
        };
        e.terminated = row.field(2).to_string();
        e.status = Some(if e.terminated.is_empty() {
            Status::Valid
        } else {
            Status::Retired
        });
        e.edit_flags = row
            .field(1)
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        e.title = row.field(4).to_string();
        e.short_title = e.title.clone();
        if row.field(3) == "composed" {
            e.title_note =
                "title composed from the table's axis labels (no official title in the sources)"
                    .into();
        }
        e.gems = self.gems(&self.gem_10pcs_9, key, |c| {
            self.icd9_pcs.get(c).map(|r| r.field(2).to_string())
        });
        Some(e)
    }

    fn lookup_icd9(&self, key: &str, written: &str) -> Option<Entry> {
        let b = key.as_bytes();
        let numeric = b.iter().all(u8::is_ascii_digit);
        let dx_shape = (3..=5).contains(&b.len())
            && (numeric
                || (b[0] == b'V' && b[1..].iter().all(u8::is_ascii_digit))
                || (b[0] == b'E' && b.len() >= 4 && b[1..].iter().all(u8::is_ascii_digit)));
        // `45.13` (two digits before the dot) is a procedure; otherwise try diagnoses first.
        let proc_written = written.find('.') == Some(2)
            || (numeric && (2..=4).contains(&b.len()) && !written.contains('.'));
        if dx_shape && !(proc_written && written.contains('.')) {
            let dotted = dot_icd9_dx(key);
            if let Some(row) = self.icd9_dx.get(&dotted) {
                let mut e = self.entry(dotted.clone(), System::Icd9Cm);
                e.status = Some(Status::Retired);
                e.title = row.field(2).to_string();
                e.short_title = row.field(1).to_string();
                e.gems = self.gems(&self.gem_9_10cm, &dotted, |c| {
                    self.icd10cm.get(c).map(|r| r.field(5).to_string())
                });
                e.children = self
                    .icd9_dx
                    .prefix_range(&dotted)
                    .map(|i| self.icd9_dx.row(i))
                    .filter(|r| r.key() != dotted)
                    .map(|r| (r.key().to_string(), r.field(2).to_string()))
                    .collect();
                return Some(e);
            }
        }
        if numeric && (2..=4).contains(&b.len()) {
            let dotted = dot_icd9_proc(key);
            if let Some(row) = self.icd9_pcs.get(&dotted) {
                let mut e = self.entry(dotted.clone(), System::Icd9Cm);
                e.status = Some(Status::Retired);
                e.title = row.field(2).to_string();
                e.short_title = row.field(1).to_string();
                e.hierarchy = vec![("Volume 3".into(), "Procedures".into())];
                e.gems = self.gems(&self.gem_9_10pcs, &dotted, |c| {
                    self.icd10pcs.get(c).map(|r| r.field(4).to_string())
                });
                return Some(e);
            }
        }
        if dx_shape {
            let mut e = self.entry(dot_icd9_dx(key), System::Icd9Cm);
            e.status = Some(Status::Invalid);
            return Some(e);
        }
        None
    }

    fn lookup_cpt(&self, key: &str) -> Option<Entry> {
        let b = key.as_bytes();
        let shaped = b.len() == 5
            && b[..4].iter().all(u8::is_ascii_digit)
            && (b[4].is_ascii_digit() || matches!(b[4], b'F' | b'T' | b'U' | b'M'));
        if !shaped {
            return None;
        }
        let mut e = self.entry(key.to_string(), System::Cpt);
        match self.cpt_section(key) {
            Some(sections) => {
                e.status = Some(Status::Valid);
                e.hierarchy = sections
                    .iter()
                    .map(|s| (s.range.clone(), s.name.clone()))
                    .collect();
                e.title = match self.cpt_descriptor(key) {
                    Some(d) => d.to_string(),
                    None => sections.last().map(|s| s.name.clone()).unwrap_or_default(),
                };
                if self.cpt_descriptor(key).is_none() {
                    e.title_note =
                        "CPT descriptors are AMA text: configure a licensed CPT file to see them"
                            .into();
                }
            }
            None => e.status = Some(Status::Invalid),
        }
        Some(e)
    }

    fn lookup_hcpcs(&self, key: &str) -> Option<Entry> {
        let b = key.as_bytes();
        let shaped =
            b.len() == 5 && (b'A'..=b'V').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit);
        if !shaped {
            return None;
        }
        let mut e = self.entry(key.to_string(), System::Hcpcs);
        if let Some(g) = self.hcpcs_groups.get(&key[..1]) {
            e.hierarchy
                .push((key[..1].to_string(), g.field(1).to_string()));
        }
        let Some(row) = self.hcpcs.get(key) else {
            e.status = Some(Status::Invalid);
            return Some(e);
        };
        e.short_title = row.field(1).to_string();
        e.title = row.field(2).to_string();
        e.added = row.field(3).to_string();
        e.effective = row.field(4).to_string();
        e.terminated = row.field(5).to_string();
        e.status = Some(if e.terminated.is_empty() {
            Status::Valid
        } else {
            Status::Retired
        });
        Some(e)
    }

    fn gems(
        &self,
        table: &Table,
        code: &str,
        title: impl Fn(&str) -> Option<String>,
    ) -> Vec<GemTarget> {
        table
            .all(code)
            .map(|r| {
                let flags = r.field(2).as_bytes();
                let digit = |i: usize| flags.get(i).map_or(0, |b| b.saturating_sub(b'0'));
                let target = r.field(1);
                GemTarget {
                    code: target.to_string(),
                    title: title(target).unwrap_or_default(),
                    approximate: digit(0) == 1,
                    no_map: digit(1) == 1,
                    combination: digit(2) == 1,
                    scenario: digit(3),
                    choice_list: digit(4),
                }
            })
            .collect()
    }

    // ----- word search -----

    /// Codes whose titles or inclusion terms match `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_index().search(self, query, limit)
    }

    /// Builds the word index now (it is otherwise built on the first search).
    pub fn search_index(&self) -> &search::Index {
        self.search.get_or_init(|| search::Index::build(self))
    }

    pub(crate) fn search_sources(&self) -> search::Sources<'_> {
        search::Sources {
            icd10cm: &self.icd10cm,
            notes: &self.icd10cm_notes,
            hcpcs: &self.hcpcs,
        }
    }

    /// Bytes held by the tables (the word index is counted separately once built).
    pub fn heap_bytes(&self) -> usize {
        let eager: usize = [
            &self.icd10cm,
            &self.icd10cm_tree,
            &self.icd10cm_notes,
            &self.icd10cm_7chr,
            &self.icd9_dx,
            &self.hcpcs,
            &self.hcpcs_modifiers,
            &self.hcpcs_groups,
            &self.cpt_modifiers,
        ]
        .iter()
        .map(|t| t.heap_bytes())
        .sum();
        let lazy: usize = self
            .lazy_tables()
            .iter()
            .filter_map(|t| t.loaded())
            .map(Table::heap_bytes)
            .sum();
        eager + lazy
    }

    fn lazy_tables(&self) -> [&data::LazyTable; 7] {
        [
            &self.icd10pcs,
            &self.icd10pcs_axes,
            &self.icd9_pcs,
            &self.gem_9_10cm,
            &self.gem_10cm_9,
            &self.gem_9_10pcs,
            &self.gem_10pcs_9,
        ]
    }

    /// Loads the one lazy table every ICD-10-CM hover reads (its ICD-9-CM equivalents), so
    /// the first hover does not pay for it.
    pub fn load_hover_tables(&self) {
        let _: &Table = &self.gem_10cm_9;
    }

    /// Loads the tables that otherwise wait for their first use (for benchmarks, and for
    /// servers that would rather pay at start-up).
    pub fn load_everything(&self) {
        for t in self.lazy_tables() {
            let _: &Table = t;
        }
    }
}
