//! The code sets: ICD-10-CM, ICD-10-PCS, ICD-9-CM (with the GEMs), HCPCS Level II and the
//! public structure of CPT. Lookup, hierarchy, notes and word search, with no LSP types.

pub mod build;
mod conversions;
mod cpt;
mod data;
mod gems;
mod hcpcs;
pub mod history;
mod icd10cm;
mod icd10pcs;
mod icd9cm;
mod layout;
pub(crate) mod memo;
pub mod normalize;
pub mod payment;
mod search;
pub mod table;

pub use build::Release;

/// The tables compiled into the binary: each one's name and text.
pub fn embedded_tables() -> impl Iterator<Item = (&'static str, &'static str)> {
    data::EMBEDDED.iter().map(|e| (e.name, e.text))
}
pub use conversions::{Replacement, Why};
pub use cpt::{Cpt, CptFileError, CptFileProblem, CptLicensed, CptSection};
pub use data::{TableError, TableProblem};
pub use hcpcs::Hcpcs;
pub use icd9cm::Icd9Cm;
pub use icd10cm::Icd10Cm;
pub use icd10pcs::Icd10Pcs;
pub use search::SearchHit;

use history::{Day, Validity};
use normalize::compact;
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

    /// A lowercase identifier: `icd10cm`, `icd10pcs`, `icd9cm`, `cpt`, `hcpcs`.
    pub fn id(self) -> &'static str {
        match self {
            System::Icd10Cm => "icd10cm",
            System::Icd10Pcs => "icd10pcs",
            System::Icd9Cm => "icd9cm",
            System::Cpt => "cpt",
            System::Hcpcs => "hcpcs",
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
    /// The set the target is a code of.
    pub system: System,
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
    /// When the code was billable or a category, where that changed since ICD-10 began:
    /// "billable until 2026-09-30; a category since 2026-10-01 (FY2027)".
    pub history: String,
    /// What the code was on the day it was judged by, when one was given.
    pub judged: String,
    /// An ICD-10-CM code's MS-DRG severity and MDC under the grouper of the day judged by
    /// (else the newest release's).
    pub severity: Option<payment::Severity>,
    /// Its CMS-HCC V28 categories for that day's payment year.
    pub hccs: Option<payment::Hccs>,
}

impl Entry {
    pub fn system(&self) -> System {
        self.system.unwrap_or(System::Icd10Cm)
    }
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Invalid)
    }
}

/// A code as a listing shows it: (code, title, status).
pub type Listed = (String, String, Status);

/// One code set. Each lives in its own module; the registry ([`CodeSets`]) holds one of each
/// and adds what spans sets (the GEMs, modifiers of either set, word search). A code is passed
/// in its canonical form, as [`CodeSet::read`] gives it (`E11.9`, `0DTJ4ZZ`, `250.00`).
pub trait CodeSet: Send + Sync {
    fn system(&self) -> System;

    /// `written` as this set's canonical code when it has the set's shape, in the set or not.
    /// `key` is `written` without dots, spaces or case; `written` keeps the punctuation a set
    /// may read (ICD-9-CM: `45.13` is a procedure, `451.3` a diagnosis).
    fn read(&self, key: &str, written: &str) -> Option<String>;

    /// Whether a code can be billed in the newest release; `None` when it is in no release
    /// of the set.
    fn status(&self, code: &str) -> Option<Status>;

    /// What a code was on a day of service. Sets with no history answer from [`status`]
    /// (HCPCS and CPT have their own date checks).
    ///
    /// [`status`]: CodeSet::status
    fn on(&self, code: &str, _day: Day) -> Validity {
        match self.status(code) {
            Some(Status::Valid) => Validity::Billable,
            Some(Status::Header) => Validity::Header,
            Some(Status::Retired) | Some(Status::Invalid) | None => Validity::Unknown,
        }
    }

    /// Fills in what the set says about a code: status, titles, hierarchy, notes… A code
    /// in no release keeps `entry.status` unset (the registry makes it `Invalid`).
    fn describe(&self, code: &str, entry: &mut Entry);

    /// Codes starting with `prefix` (canonical form), in code order, at most `limit`.
    fn prefix(&self, prefix: &str, limit: usize) -> Vec<Listed>;

    /// Every code the scanner should find in free text.
    fn codes(&self) -> Box<dyn Iterator<Item = &str> + '_>;

    /// The official title, when the set has one dxpx may show.
    fn title(&self, code: &str) -> Option<&str>;

    /// A two-character modifier of this set, with its label.
    fn modifier(&self, _modifier: &str) -> Option<&str> {
        None
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

/// The loaded code sets: one of each, and what spans them. Cheap to share behind an `Arc`;
/// every method takes `&self`.
pub struct CodeSets {
    icd10cm: Icd10Cm,
    icd10pcs: Icd10Pcs,
    icd9cm: Icd9Cm,
    cpt: Cpt,
    hcpcs: Hcpcs,
    gems: gems::Gems,
    conversions: conversions::Conversions,
    payment: payment::Payment,
    releases: Vec<Release>,
    /// What went wrong loading user-supplied files; the embedded data stayed in use.
    pub warnings: Vec<String>,
    /// The tables a user's files replaced: indexes prebuilt from the embedded ones do not fit.
    replaced: Vec<&'static str>,
    search: OnceLock<search::Index>,
}

impl fmt::Debug for CodeSets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeSets")
            .field("releases", &self.releases)
            .finish_non_exhaustive()
    }
}

static EMBEDDED_SETS: OnceLock<Arc<CodeSets>> = OnceLock::new();

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
    pub fn load(options: &LoadOptions) -> Result<CodeSets, TableError> {
        let mut warnings = Vec::new();
        let built = match &options.data_dir {
            Some(dir) => data::build_override(dir).unwrap_or_else(|e| {
                warnings.push(format!("{e}; using the embedded code sets"));
                Default::default()
            }),
            None => Default::default(),
        };
        let mut sets = CodeSets::with_tables(built, warnings)?;
        if let Some(path) = &options.cpt_file {
            match CptLicensed::load(path) {
                Ok(l) => sets.cpt.license(l),
                Err(e) => sets
                    .warnings
                    .push(format!("{e}; CPT descriptors are not shown")),
            }
        }
        Ok(sets)
    }

    /// The code sets of tables `dxpx data build` made (the embedded ones fill any gap), for
    /// the indexes it derives from them.
    pub fn from_built(built: &build::Built) -> Result<CodeSets, TableError> {
        CodeSets::with_tables((built.tables.clone(), built.releases.clone()), Vec::new())
    }

    /// The embedded tables, each replaced by one of `texts` of the same name.
    fn with_tables(
        (mut texts, user_releases): (BTreeMap<&'static str, String>, Vec<Release>),
        warnings: Vec<String>,
    ) -> Result<CodeSets, TableError> {
        let mut releases = data::parse_manifest(data::EMBEDDED_MANIFEST);
        for r in user_releases {
            releases.retain(|e| e.set != r.set);
            releases.push(r);
        }
        let replaced: Vec<&'static str> = texts.keys().copied().collect();
        let cpt_structure = match texts.remove("cpt-structure") {
            Some(text) => cpt::CptStructure::parse(&text),
            None => cpt::CptStructure::parse(data::embedded_text("cpt-structure")?),
        };
        // An embedded table is read in place (no work); a user's is checked and indexed.
        let mut table = |name: &'static str| match texts.remove(name) {
            Some(text) => data::index(name, text),
            None => data::embedded_table(name),
        };
        Ok(CodeSets {
            icd10cm: Icd10Cm::new(
                table("icd10cm")?,
                table("icd10cm-tree")?,
                table("icd10cm-notes")?,
                table("icd10cm-7chr")?,
            ),
            icd10pcs: Icd10Pcs::new(table("icd10pcs")?, table("icd10pcs-axes")?),
            icd9cm: Icd9Cm::new(table("icd9cm-dx")?, table("icd9cm-pcs")?),
            cpt: Cpt::new(cpt_structure, table("cpt-modifiers")?),
            hcpcs: Hcpcs::new(
                table("hcpcs")?,
                table("hcpcs-modifiers")?,
                table("hcpcs-groups")?,
                table("hcpcs-ambulance")?,
            ),
            gems: gems::Gems::new(
                table("gem-icd9-icd10cm")?,
                table("gem-icd10cm-icd9")?,
                table("gem-icd9-icd10pcs")?,
                table("gem-icd10pcs-icd9")?,
            ),
            conversions: conversions::Conversions::new(
                table("icd10cm-conversions")?,
                table("icd10pcs-conversions")?,
            ),
            payment: payment::Payment::new([
                table("msdrg-severity")?,
                table("msdrg-mdc")?,
                table("msdrg-cc-exclusions")?,
                table("msdrg-exclusion-groups")?,
                table("hcc")?,
                table("hcc-labels")?,
                table("mce-ages")?,
            ]),
            releases,
            warnings,
            replaced,
            search: OnceLock::new(),
        })
    }

    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// Whether a user's files replaced any of these tables.
    pub fn replaced(&self, tables: &[&str]) -> bool {
        self.replaced.iter().any(|t| tables.contains(t))
    }

    /// "FY2026 (April 1, 2026 update)" for a system.
    pub fn release_of(&self, system: System) -> String {
        let mut release = self
            .releases
            .iter()
            .find(|r| r.set == system.name())
            .map(|r| r.release.clone())
            .unwrap_or_default();
        if system == System::Cpt && self.cpt.has_licensed_file() {
            release.push_str(", licensed descriptors loaded");
        }
        release
    }

    // ----- the sets -----

    /// The set of a system.
    pub fn set(&self, system: System) -> &dyn CodeSet {
        match system {
            System::Icd10Cm => &self.icd10cm,
            System::Icd10Pcs => &self.icd10pcs,
            System::Icd9Cm => &self.icd9cm,
            System::Cpt => &self.cpt,
            System::Hcpcs => &self.hcpcs,
        }
    }

    pub fn icd10cm(&self) -> &Icd10Cm {
        &self.icd10cm
    }

    pub fn icd10pcs(&self) -> &Icd10Pcs {
        &self.icd10pcs
    }

    pub fn icd9cm(&self) -> &Icd9Cm {
        &self.icd9cm
    }

    pub fn cpt(&self) -> &Cpt {
        &self.cpt
    }

    pub fn hcpcs(&self) -> &Hcpcs {
        &self.hcpcs
    }

    /// The status of a canonical code of `system`; `None` when it is in no release.
    pub fn status(&self, system: System, code: &str) -> Option<Status> {
        self.set(system).status(code)
    }

    /// What a code of `system` was on a day of service.
    pub fn on(&self, system: System, code: &str, day: Day) -> Validity {
        self.set(system).on(code, day)
    }

    /// The release of `system` in force on a day: `FY2026 (April 1, 2026 update)`. Sets with
    /// one release name it whatever the day.
    pub fn release_on(&self, system: System, day: Day) -> String {
        let Some(r) = self.releases.iter().find(|r| r.set == system.name()) else {
            return String::new();
        };
        if r.updates.is_empty() {
            return self.release_of(system);
        }
        let newest = Day::parse(&r.effective_to).filter(|&to| to < day);
        let updates: Vec<Day> = r.updates.iter().filter_map(|u| Day::parse(u)).collect();
        match newest {
            // A day past the newest release dxpx has is judged by that release, and says so.
            Some(to) => format!("{}, the newest dxpx has", history::release_on(to, &updates)),
            None => history::release_on(day, &updates),
        }
    }

    /// A CPT or HCPCS modifier and its label (CPT labels are dxpx's own, never AMA text).
    pub fn modifier(&self, m: &str) -> Option<(System, String)> {
        let m = m.to_ascii_uppercase();
        [System::Cpt, System::Hcpcs]
            .into_iter()
            .find_map(|s| Some((s, self.set(s).modifier(&m)?.to_string())))
            .or_else(|| Some((System::Hcpcs, self.hcpcs.ambulance(&m)?)))
    }

    /// Codes of `system` whose canonical form starts with `prefix` (for completion).
    pub fn prefix(&self, system: System, prefix: &str, limit: usize) -> Vec<Listed> {
        self.set(system).prefix(prefix, limit)
    }

    // ----- full lookup -----

    /// Every reading of `written` as a code, best first: `e119` is E11.9; `25000` could be
    /// CPT or ICD-9-CM 250.00; `J1885` is HCPCS.
    pub fn lookup_any(&self, written: &str) -> Vec<Entry> {
        let mut out = Vec::new();
        // Only the ICD diagnosis sets write a dot (and ICD-9-CM procedures): `A01.00` is
        // never HCPCS A0100, and `250.00` is no ICD-10-CM code.
        let dotted = written.contains('.');
        let dotted_icd9 = dotted && written.trim().starts_with(|c: char| c.is_ascii_digit());
        for system in [
            System::Icd10Cm,
            System::Hcpcs,
            System::Cpt,
            System::Icd10Pcs,
            System::Icd9Cm,
        ] {
            if (dotted_icd9 && system != System::Icd9Cm)
                || (dotted && !matches!(system, System::Icd10Cm | System::Icd9Cm))
            {
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
        let set = self.set(system);
        let code = set.read(&key, written.trim())?;
        let mut e = self.entry(code.clone(), system);
        set.describe(&code, &mut e);
        match e.status {
            Some(_) => e.gems = self.gems.targets(system, &code, |s| self.set(s)),
            None => e.status = Some(Status::Invalid),
        }
        let history = match system {
            System::Icd10Cm => self.icd10cm.history(&code),
            System::Icd10Pcs => self.icd10pcs.history(&code),
            _ => None,
        };
        if let Some(h) = history {
            e.history = self.describe_history(system, &h);
        }
        if system == System::Icd10Cm {
            e.title_note = match self.icd10cm.origin(&code) {
                o if o.ends_with(" changes") => format!(
                    "new in {}: no tabular of that release was available, so the instructional notes shown are its category's, from the {} tabular",
                    o.trim_end_matches(" changes"),
                    self.icd10cm_tabular_release()
                ),
                "MCE" if e.title.is_empty() => {
                    "no title: the data dxpx has names only the codes of FY2025 and later".into()
                }
                "MCE" => "deleted before FY2026: title from the FY2025 order file".into(),
                _ => e.title_note,
            };
            if let Some(day) = self.newest_release_day(system) {
                self.weigh(&mut e, day);
            }
        }
        Some(e)
    }

    /// The first day of the newest release of a set, which a lookup without a date reads.
    fn newest_release_day(&self, system: System) -> Option<Day> {
        let r = self.releases.iter().find(|r| r.set == system.name())?;
        Day::parse(&r.effective_from)
    }

    /// What payers weigh a diagnosis by: MS-DRG severity and CMS-HCC V28 categories.
    pub fn payment(&self) -> &payment::Payment {
        &self.payment
    }

    /// Fills an ICD-10-CM entry's MS-DRG severity and HCCs for a day of service.
    fn weigh(&self, e: &mut Entry, day: Day) {
        e.severity = self.payment.severity(&e.code, day);
        let mut hccs = self.payment.hccs(&e.code, day);
        hccs.code_is_newer =
            hccs.categories.is_empty() && self.icd10cm.origin(&e.code).ends_with(" changes");
        // A code the grouper does not know (a category, an invalid code) has no HCC to name.
        e.hccs = (e.severity.is_some() || !hccs.categories.is_empty()).then_some(hccs);
    }

    /// The tabular the ICD-10-CM notes come from, as the manifest names its source file.
    fn icd10cm_tabular_release(&self) -> String {
        self.releases
            .iter()
            .find(|r| r.set == "ICD-10-CM")
            .and_then(|r| r.sources.first())
            .and_then(|s| {
                let year = build::year_in(std::path::Path::new(s))?;
                let april = s.to_ascii_lowercase().contains("april");
                Some(if april {
                    format!("FY{year} (April 1, {year} update)")
                } else {
                    format!("FY{year}")
                })
            })
            .unwrap_or_else(|| "older".to_string())
    }

    /// A code's windows as a coder reads them: "billable until 2026-09-30; a category since
    /// 2026-10-01 (FY2027)". Empty for a code unchanged since ICD-10 began.
    pub fn describe_history(&self, system: System, h: &history::History) -> String {
        if let [w] = h.0.as_slice()
            && w.from == Day::ICD10
            && w.to.is_none()
        {
            return String::new();
        }
        let role = |r: history::Role| match r {
            history::Role::Billable => "billable",
            history::Role::Header => "a category",
        };
        let mut parts: Vec<String> =
            h.0.iter()
                .map(|w| {
                    let role = role(w.role);
                    let since = (w.from != Day::ICD10)
                        .then(|| format!("{} ({})", w.from, self.release_on(system, w.from)));
                    match (since, w.to) {
                        (None, Some(to)) => format!("{role} until {to}"),
                        (None, None) => format!("{role} since ICD-10 began"),
                        (Some(since), None) => format!("{role} since {since}"),
                        (Some(since), Some(to)) => format!("{role} from {since} until {to}"),
                    }
                })
                .collect();
        let ends: Option<Vec<Day>> = h.0.iter().map(|w| w.to).collect();
        if let Some(last) = ends.and_then(|e| e.into_iter().max()) {
            let gone = last.succ();
            parts.push(format!(
                "deleted {gone} ({})",
                self.release_on(system, gone)
            ));
        }
        parts.join("; ")
    }

    /// Judges a looked-up code by a day (its document's date of service, `--as-of`): its
    /// status then, the release in force, and a line that says both. `what` names the day
    /// ("the date of service").
    pub fn judge(&self, e: &mut Entry, day: Day, what: &str) {
        let system = e.system();
        if !matches!(system, System::Icd10Cm | System::Icd10Pcs) || e.status() == Status::Invalid {
            return;
        }
        e.release = self.release_on(system, day);
        let (status, verdict) = match self.on(system, &e.code, day) {
            Validity::Billable => (Status::Valid, "billable".to_string()),
            Validity::Header => (Status::Header, "a category, not billable".to_string()),
            Validity::NotYet(from) => (
                Status::Invalid,
                format!(
                    "not valid yet: valid from {from} ({})",
                    self.release_on(system, from)
                ),
            ),
            Validity::Ended(last) => (
                Status::Retired,
                format!(
                    "deleted: valid until {last}; {} dropped it",
                    self.release_on(system, last.succ())
                ),
            ),
            Validity::Unknown => return,
        };
        e.status = Some(status);
        e.judged = format!("On {day}, {what} ({}): {verdict}", e.release);
        if system == System::Icd10Cm {
            self.weigh(e, day);
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

    // ----- word search -----

    /// Codes whose titles or inclusion terms match `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_index().search(self, query, limit)
    }

    /// Builds the word index now (it is otherwise built on the first search).
    pub fn search_index(&self) -> &search::Index {
        self.search.get_or_init(|| search::Index::for_sets(self))
    }

    pub(crate) fn search_sources(&self) -> search::Sources<'_> {
        let (icd10cm, notes) = self.icd10cm.searchable();
        search::Sources {
            icd10cm,
            notes,
            hcpcs: self.hcpcs.searchable(),
        }
    }

    /// Bytes the tables hold on the heap: only a user's tables (the embedded ones are read
    /// in place); the word index is counted separately once built.
    pub fn heap_bytes(&self) -> usize {
        self.icd10cm
            .tables()
            .into_iter()
            .chain(self.hcpcs.tables())
            .chain([self.icd9cm.diagnoses_table(), self.cpt.modifiers_table()])
            .chain(self.other_tables())
            .map(Table::heap_bytes)
            .sum()
    }

    fn other_tables(&self) -> [&Table; 16] {
        let [pcs, axes] = self.icd10pcs.tables();
        let [a, b, c, d] = self.gems.tables();
        let [cm_conversions, pcs_conversions] = self.conversions.tables();
        let [severity, mdc, exclusions, groups, hcc, hcc_labels, ages] = self.payment.tables();
        [
            ages,
            severity,
            mdc,
            exclusions,
            groups,
            hcc,
            hcc_labels,
            pcs,
            axes,
            self.icd9cm.procedures_table(),
            a,
            b,
            c,
            d,
            cm_conversions,
            pcs_conversions,
        ]
    }
}

/// The word index built from these sets' tables now, not loaded: what `dxpx data build` packs.
pub fn search_index_built(sets: &CodeSets) -> search::Index {
    search::Index::build(sets)
}
