//! ICD-9-CM, retired for services from 2015-10-01: volume 1 (diagnoses) and volume 3
//! (procedures), each code with its short and long title. Every code is `Retired`.

use super::normalize::{dot_icd9_dx, dot_icd9_proc};
use super::table::Table;
use super::{CodeSet, Entry, Listed, Status, System};

// Columns of both tables (after the code): short title, title.
const SHORT_TITLE: usize = 1;
const TITLE: usize = 2;

pub struct Icd9Cm {
    diagnoses: Table,
    /// Loaded on first use: procedures are rarer in notes than diagnoses.
    procedures: Table,
}

impl Icd9Cm {
    pub(super) fn new(diagnoses: Table, procedures: Table) -> Icd9Cm {
        Icd9Cm {
            diagnoses,
            procedures,
        }
    }

    pub(super) fn diagnoses_table(&self) -> &Table {
        &self.diagnoses
    }

    pub(super) fn procedures_table(&self) -> &Table {
        &self.procedures
    }

    /// Whether a dotted volume 1 code (`250.00`, `V45.1`) is in the final release.
    pub fn has_diagnosis(&self, dotted: &str) -> bool {
        self.diagnoses.get(dotted).is_some()
    }

    /// Whether a dotted volume 1 code is a category or subcategory (`250`, `854.0`): the CMS
    /// files list only the codes, so one with codes below it is one.
    pub fn is_diagnosis_header(&self, dotted: &str) -> bool {
        !self.has_diagnosis(dotted) && !self.diagnoses_below(dotted).is_empty()
    }

    /// The diagnosis codes below a category or code (`250` → 250.00 … 250.93), with titles.
    fn diagnoses_below(&self, dotted: &str) -> Vec<(String, String)> {
        let prefix = if dotted.contains('.') {
            dotted.to_string()
        } else {
            format!("{dotted}.")
        };
        self.diagnoses
            .prefix_range(&prefix)
            .map(|i| self.diagnoses.row(i))
            .filter(|r| r.key() != dotted)
            .map(|r| (r.key().to_string(), r.field(TITLE).to_string()))
            .collect()
    }

    /// Whether a dotted volume 3 code (`45.13`) is in the final release.
    pub fn has_procedure(&self, dotted: &str) -> bool {
        self.procedures.get(dotted).is_some()
    }

    /// A dotted code is a procedure when two digits come before its dot (`45.13`); a
    /// diagnosis has three (`451.3`) or a letter first (`V45.1`, `E880.9`).
    pub fn is_procedure(dotted: &str) -> bool {
        dotted.find('.') == Some(2) || (dotted.len() == 2 && !dotted.contains('.'))
    }
}

impl CodeSet for Icd9Cm {
    fn system(&self) -> System {
        System::Icd9Cm
    }

    /// Diagnoses are tried first; `45.13` (two digits before the dot) is read as a procedure,
    /// and so is an undotted number of two to four digits that is no diagnosis.
    fn read(&self, key: &str, written: &str) -> Option<String> {
        let b = key.as_bytes();
        let numeric = b.iter().all(u8::is_ascii_digit);
        let dx_shape = (3..=5).contains(&b.len())
            && (numeric
                || (b[0] == b'V' && b[1..].iter().all(u8::is_ascii_digit))
                || (b[0] == b'E' && b.len() >= 4 && b[1..].iter().all(u8::is_ascii_digit)));
        let proc_written = written.find('.') == Some(2)
            || (numeric && (2..=4).contains(&b.len()) && !written.contains('.'));
        if dx_shape && !(proc_written && written.contains('.')) {
            let dotted = dot_icd9_dx(key);
            if self.has_diagnosis(&dotted) || self.is_diagnosis_header(&dotted) {
                return Some(dotted);
            }
        }
        // A dot after three digits (`493.9`) is a diagnosis, found or not: never a procedure.
        let dx_written = written.find('.').is_some_and(|i| i != 2);
        if numeric && (2..=4).contains(&b.len()) && !dx_written {
            let dotted = dot_icd9_proc(key);
            if self.has_procedure(&dotted) {
                return Some(dotted);
            }
        }
        dx_shape.then(|| dot_icd9_dx(key))
    }

    fn status(&self, dotted: &str) -> Option<Status> {
        if self.has_diagnosis(dotted) || self.has_procedure(dotted) {
            Some(Status::Retired)
        } else if !Icd9Cm::is_procedure(dotted) && self.is_diagnosis_header(dotted) {
            Some(Status::Header)
        } else {
            None
        }
    }

    fn describe(&self, dotted: &str, e: &mut Entry) {
        if Icd9Cm::is_procedure(dotted) {
            if let Some(row) = self.procedures.get(dotted) {
                e.status = Some(Status::Retired);
                e.title = row.field(TITLE).to_string();
                e.short_title = row.field(SHORT_TITLE).to_string();
                e.hierarchy = vec![("Volume 3".into(), "Procedures".into())];
            }
            return;
        }
        if let Some(row) = self.diagnoses.get(dotted) {
            e.status = Some(Status::Retired);
            e.title = row.field(TITLE).to_string();
            e.short_title = row.field(SHORT_TITLE).to_string();
            e.children = self.diagnoses_below(dotted);
        } else if self.is_diagnosis_header(dotted) {
            e.status = Some(Status::Header);
            e.children = self.diagnoses_below(dotted);
            e.title_note = "an ICD-9-CM category or subcategory: the CMS v32 files title only its codes, which need more digits".into();
        }
    }

    fn prefix(&self, prefix: &str, limit: usize) -> Vec<Listed> {
        self.diagnoses
            .prefix_range(prefix)
            .take(limit)
            .map(|i| self.diagnoses.row(i))
            .map(|r| {
                let title = r.field(TITLE).to_string();
                (r.key().to_string(), title, Status::Retired)
            })
            .collect()
    }

    /// The diagnoses: the scanner looks for those in text; procedures it reads by shape.
    fn codes(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.diagnoses.rows().map(|r| r.key()))
    }

    fn title(&self, dotted: &str) -> Option<&str> {
        let table: &Table = if Icd9Cm::is_procedure(dotted) {
            &self.procedures
        } else {
            &self.diagnoses
        };
        table.get(dotted).map(|r| r.field(TITLE))
    }
}
