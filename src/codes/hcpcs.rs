//! HCPCS Level II: codes A0000–V9999 with their titles and add, effective and termination
//! dates; its two-character modifiers; the labels of its first-letter groups.

use super::table::Table;
use super::{CodeSet, Entry, Listed, Status, System};

// Columns of the `hcpcs` table (after the code): short title, title, added, effective,
// terminated.
const SHORT_TITLE: usize = 1;
const TITLE: usize = 2;
const ADDED: usize = 3;
const EFFECTIVE: usize = 4;
const TERMINATED: usize = 5;

pub struct Hcpcs {
    codes: Table,
    /// Modifier, long label, short label, …
    modifiers: Table,
    /// First letter, label.
    groups: Table,
    /// Ambulance origin and destination letters: letter, role, label.
    ambulance: Table,
}

impl Hcpcs {
    pub(super) fn new(codes: Table, modifiers: Table, groups: Table, ambulance: Table) -> Hcpcs {
        Hcpcs {
            codes,
            modifiers,
            groups,
            ambulance,
        }
    }

    pub(super) fn tables(&self) -> [&Table; 4] {
        [&self.codes, &self.modifiers, &self.groups, &self.ambulance]
    }

    /// An ambulance modifier: an origin letter then a destination letter (`RH`, residence to
    /// hospital; X is a destination only). The pairs that are also Level II modifiers (GG,
    /// ED…) are read as those first, by [`CodeSets::modifier`](super::CodeSets::modifier).
    pub fn ambulance(&self, m: &str) -> Option<String> {
        let mut letters = m.chars();
        let (o, d) = (letters.next()?, letters.next()?);
        if letters.next().is_some() {
            return None;
        }
        let origin = self.ambulance.get(&o.to_string())?;
        let destination = self.ambulance.get(&d.to_string())?;
        if origin.field(1) == "destination_only" {
            return None;
        }
        Some(format!(
            "ambulance: from {} to {} (origin {o}, destination {d})",
            origin.field(2),
            destination.field(2)
        ))
    }

    /// The codes table, for the word index.
    pub(super) fn searchable(&self) -> &Table {
        &self.codes
    }

    /// The termination date (YYYY-MM-DD), when the code has one.
    pub fn terminated(&self, code: &str) -> Option<&str> {
        self.codes
            .get(code)
            .map(|r| r.field(TERMINATED))
            .filter(|d| !d.is_empty())
    }
}

fn status(row: super::table::Row<'_>) -> Status {
    if row.field(TERMINATED).is_empty() {
        Status::Valid
    } else {
        Status::Retired
    }
}

impl CodeSet for Hcpcs {
    fn system(&self) -> System {
        System::Hcpcs
    }

    fn read(&self, key: &str, _written: &str) -> Option<String> {
        let b = key.as_bytes();
        let shaped =
            b.len() == 5 && (b'A'..=b'V').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit);
        shaped.then(|| key.to_string())
    }

    fn status(&self, code: &str) -> Option<Status> {
        self.codes.get(code).map(status)
    }

    fn describe(&self, code: &str, e: &mut Entry) {
        if let Some(g) = self.groups.get(&code[..1]) {
            e.hierarchy
                .push((code[..1].to_string(), g.field(1).to_string()));
        }
        let Some(row) = self.codes.get(code) else {
            return;
        };
        e.short_title = row.field(SHORT_TITLE).to_string();
        e.title = row.field(TITLE).to_string();
        e.added = row.field(ADDED).to_string();
        e.effective = row.field(EFFECTIVE).to_string();
        e.terminated = row.field(TERMINATED).to_string();
        e.status = Some(status(row));
    }

    fn prefix(&self, prefix: &str, limit: usize) -> Vec<Listed> {
        self.codes
            .prefix_range(prefix)
            .take(limit)
            .map(|i| self.codes.row(i))
            .map(|r| (r.key().to_string(), r.field(TITLE).to_string(), status(r)))
            .collect()
    }

    fn codes(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.codes.rows().map(|r| r.key()))
    }

    fn title(&self, code: &str) -> Option<&str> {
        self.codes.get(code).map(|r| r.field(TITLE))
    }

    fn modifier(&self, m: &str) -> Option<&str> {
        self.modifiers.get(m).map(|r| r.field(2))
    }
}
