//! ICD-10-PCS, the inpatient procedures: every code of the tables with its title, flags and
//! end date, and the labels of the first three axes (section, body system, operation).

use super::data::LazyTable;
use super::{CodeSet, Entry, Listed, Status, System};

// Columns of the `icd10pcs` table (after the code): MCE flags, end date, title source, title.
const FLAGS: usize = 1;
const ENDED: usize = 2;
const TITLE_SOURCE: usize = 3;
const TITLE: usize = 4;

/// Both tables are loaded on first use: most documents have no PCS code.
pub struct Icd10Pcs {
    codes: LazyTable,
    axes: LazyTable,
}

impl Icd10Pcs {
    pub(super) fn new(codes: LazyTable, axes: LazyTable) -> Icd10Pcs {
        Icd10Pcs { codes, axes }
    }

    pub(super) fn tables(&self) -> [&LazyTable; 2] {
        [&self.codes, &self.axes]
    }

    /// Whether a code is in the tables and has not ended.
    pub fn in_force(&self, code: &str) -> bool {
        self.codes
            .get(code)
            .is_some_and(|r| r.field(ENDED).is_empty())
    }

    /// The codes in force (not ended).
    pub fn len(&self) -> usize {
        self.codes
            .rows()
            .filter(|r| r.field(ENDED).is_empty())
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl CodeSet for Icd10Pcs {
    fn system(&self) -> System {
        System::Icd10Pcs
    }

    fn read(&self, key: &str, _written: &str) -> Option<String> {
        let b = key.as_bytes();
        let shaped = b.len() == 7 && matches!(b[0], b'0'..=b'9' | b'B'..=b'D' | b'F'..=b'H' | b'X');
        shaped.then(|| key.to_string())
    }

    fn status(&self, code: &str) -> Option<Status> {
        self.codes.get(code).map(|r| {
            if r.field(ENDED).is_empty() {
                Status::Valid
            } else {
                Status::Retired
            }
        })
    }

    fn describe(&self, code: &str, e: &mut Entry) {
        // The axes name what the characters mean even when the code is in no table.
        for n in 1..=3 {
            if let Some(axis) = self.axes.get(&code[..n]) {
                e.hierarchy.push((
                    format!("{}: {}", axis.field(1), &code[n - 1..n]),
                    axis.field(2).to_string(),
                ));
            }
        }
        let Some(row) = self.codes.get(code) else {
            return;
        };
        e.terminated = row.field(ENDED).to_string();
        e.status = self.status(code);
        e.edit_flags = row
            .field(FLAGS)
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        e.title = row.field(TITLE).to_string();
        e.short_title = e.title.clone();
        if row.field(TITLE_SOURCE) == "composed" {
            e.title_note =
                "title composed from the table's axis labels (no official title in the sources)"
                    .into();
        }
    }

    fn prefix(&self, prefix: &str, limit: usize) -> Vec<Listed> {
        self.codes
            .prefix_range(prefix)
            .take(limit)
            .map(|i| self.codes.row(i))
            .map(|r| {
                let status = if r.field(ENDED).is_empty() {
                    Status::Valid
                } else {
                    Status::Retired
                };
                (r.key().to_string(), r.field(TITLE).to_string(), status)
            })
            .collect()
    }

    fn codes(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.codes.rows().map(|r| r.key()))
    }

    fn title(&self, code: &str) -> Option<&str> {
        self.codes.get(code).map(|r| r.field(TITLE))
    }
}
