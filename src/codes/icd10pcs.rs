//! ICD-10-PCS, the inpatient procedures: every code of the tables with its title, flags and
//! end date, and the labels of the first three axes (section, body system, operation).

use super::history::{Day, History, Role, Validity};
use super::table::Table;
use super::{CodeSet, Entry, Listed, Status, System};

// Columns of the `icd10pcs` table (after the code): MCE flags, validity windows, title
// source, title.
const FLAGS: usize = 1;
/// When the code was valid (empty: since ICD-10 began, and still).
const HISTORY: usize = 2;
const TITLE_SOURCE: usize = 3;
const TITLE: usize = 4;

/// Both tables are loaded on first use: most documents have no PCS code.
pub struct Icd10Pcs {
    codes: Table,
    axes: Table,
}

impl Icd10Pcs {
    pub(super) fn new(codes: Table, axes: Table) -> Icd10Pcs {
        Icd10Pcs { codes, axes }
    }

    pub(super) fn tables(&self) -> [&Table; 2] {
        [&self.codes, &self.axes]
    }

    /// The Medicare Code Editor flags of a code (`noncovered`, `lcov`, `ncov_z302`, …).
    pub fn edit_flags(&self, code: &str) -> Vec<&str> {
        self.codes
            .get(code)
            .map(|r| r.list(FLAGS))
            .unwrap_or_default()
    }

    /// Whether a code is valid in the newest release.
    pub fn in_force(&self, code: &str) -> bool {
        self.codes.get(code).is_some_and(|r| open(r.field(HISTORY)))
    }

    /// The codes valid in the newest release.
    pub fn len(&self) -> usize {
        self.codes.rows().filter(|r| open(r.field(HISTORY))).count()
    }

    /// The status of a code in any release, by the table alone (no shape check).
    pub fn status_of_code(&self, code: &str) -> Option<Status> {
        self.codes.get(code).map(|r| status_of(r.field(HISTORY)))
    }

    pub fn history(&self, code: &str) -> Option<History> {
        self.codes
            .get(code)
            .map(|r| History::parse(r.field(HISTORY), Role::Billable))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether a history column has a window still open.
fn open(history: &str) -> bool {
    history.is_empty() || history.split(' ').any(|w| w.ends_with('-'))
}

fn status_of(history: &str) -> Status {
    if open(history) {
        Status::Valid
    } else {
        Status::Retired
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
        self.codes.get(code).map(|r| status_of(r.field(HISTORY)))
    }

    fn on(&self, code: &str, day: Day) -> Validity {
        self.history(code).map_or(Validity::Unknown, |h| h.on(day))
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
        e.terminated = self
            .history(code)
            .and_then(|h| h.0.last().and_then(|w| w.to))
            .map(|d| d.to_string())
            .unwrap_or_default();
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
                let status = status_of(r.field(HISTORY));
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
