//! ICD-10-CM, the diagnoses: the tabular list's codes (with their billable flag, Medicare
//! Code Editor flags and titles), its chapters and blocks, its instructional notes and its
//! 7th-character tables.

use super::history::{Day, History, Role, Validity};
use super::memo::Memo;
use super::normalize::dot_icd10cm;
use super::table::Table;
use super::{CodeSet, Entry, Listed, Note, Status, System, build};
use std::sync::Arc;

// Columns of the `icd10cm` table (after the code): parent, billable ("1"), MCE flags, short
// title, title.
const PARENT: usize = 1;
const BILLABLE: usize = 2;
const FLAGS: usize = 3;
const SHORT_TITLE: usize = 4;
const TITLE: usize = 5;
/// When the code was billable or a header (empty: since ICD-10 began, as it is today).
const HISTORY: usize = 6;
/// Where a code not in the tabular came from (`FY2027 changes`, `MCE`, `deleted in FY2027`).
const ORIGIN: usize = 7;

pub struct Icd10Cm {
    codes: Table,
    /// Chapters and blocks: id, kind, parent, …, title.
    tree: Table,
    /// Instructional notes: id, kind, text.
    notes: Table,
    /// 7th-character definitions: id, character, meaning.
    seventh: Table,
    notes_memo: NotesMemo,
}

/// Notes already gathered for a (code, kind).
type NotesMemo = Memo<(String, &'static str), Arc<[Note]>>;

impl Icd10Cm {
    pub(super) fn new(codes: Table, tree: Table, notes: Table, seventh: Table) -> Icd10Cm {
        Icd10Cm {
            codes,
            tree,
            notes,
            seventh,
            notes_memo: Memo::new(50_000),
        }
    }

    pub(super) fn tables(&self) -> [&Table; 4] {
        [&self.codes, &self.tree, &self.notes, &self.seventh]
    }

    /// The codes table and the notes table, for the word index.
    pub(super) fn searchable(&self) -> (&Table, &Table) {
        (&self.codes, &self.notes)
    }

    /// The Medicare Code Editor flags of a code (manifestation, unacceptable principal
    /// diagnosis, …).
    pub fn edit_flags(&self, dotted: &str) -> Vec<&str> {
        self.codes
            .get(dotted)
            .map(|r| r.list(FLAGS))
            .unwrap_or_default()
    }

    /// The instructional notes of `kind` that apply to a code: its own and those of its
    /// ancestors, block and chapter. Remembered, because the rules ask for the same few codes
    /// on every keystroke.
    pub fn notes(&self, dotted: &str, kind: &'static str) -> Arc<[Note]> {
        self.notes_memo.get_or_make((dotted.to_string(), kind), || {
            let mut out = Vec::new();
            let collect = |id: &str, out: &mut Vec<Note>| {
                for n in self.notes.all(id).filter(|n| n.field(1) == kind) {
                    out.push(Note {
                        kind: kind.to_string(),
                        text: n.field(2).to_string(),
                        from: id.to_string(),
                    });
                }
            };
            let mut node = dotted.to_string();
            while let Some(row) = self.codes.get(&node) {
                collect(&node, &mut out);
                node = row.field(PARENT).to_string();
            }
            while let Some(tree) = self.tree.get(&node) {
                collect(&node, &mut out);
                node = tree.field(2).to_string();
            }
            out.into()
        })
    }

    /// The children of a category or subcategory, as (code, title).
    pub fn children(&self, dotted: &str) -> Vec<(String, String)> {
        let prefix = if dotted.len() == 3 {
            format!("{dotted}.")
        } else {
            dotted.to_string()
        };
        self.codes
            .prefix_range(&prefix)
            .map(|i| self.codes.row(i))
            .filter(|r| r.field(PARENT) == dotted)
            .map(|r| (r.key().to_string(), r.field(TITLE).to_string()))
            .collect()
    }

    /// Codes under `prefix`, shallowest first (`E11.` gives E11.0 … E11.A before E11.00), at
    /// most `limit`; titles are read only for the codes returned.
    pub fn shallowest(&self, prefix: &str, limit: usize) -> Vec<Listed> {
        let mut by_depth: Vec<(usize, usize)> = self
            .codes
            .prefix_range(prefix)
            .map(|i| (self.codes.row(i).key().len(), i))
            .collect();
        if by_depth.len() > limit {
            by_depth.select_nth_unstable(limit);
            by_depth.truncate(limit);
        }
        by_depth.sort_unstable();
        by_depth
            .into_iter()
            .map(|(_, i)| listed(self.codes.row(i)))
            .collect()
    }

    /// Every category and code, in code order: (code, title, billable).
    pub fn titles(&self) -> impl Iterator<Item = (&str, &str, bool)> + '_ {
        self.codes
            .rows()
            .map(|r| (r.key(), r.field(TITLE), r.field(BILLABLE) == "1"))
    }

    /// The code's ancestors, nearest first: its subcategories and category (by code), then
    /// its block ("I60-I69") and chapter ("09"), each with its title.
    pub fn ancestors(&self, dotted: &str) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        let mut id = self.codes.get(dotted).map(|r| r.field(PARENT));
        while let Some(p) = id.and_then(|i| self.codes.get(i)) {
            out.push((p.key(), p.field(TITLE)));
            id = Some(p.field(PARENT));
        }
        while let Some(node) = id.and_then(|i| self.tree.get(i)) {
            out.push((node.key(), node.field(5)));
            id = Some(node.field(2));
        }
        out
    }

    /// The title of a category or code.
    pub fn title(&self, dotted: &str) -> Option<&str> {
        self.codes.get(dotted).map(|r| r.field(TITLE))
    }

    /// The inclusion terms written at each category or code (the tabular list's
    /// `inclusionTerm` and `includes` notes), as (code, term).
    pub fn inclusion_terms(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.notes
            .rows()
            .filter(|r| matches!(r.field(1), "inclusionTerm" | "includes"))
            .filter(|r| self.codes.get(r.key()).is_some())
            .map(|r| (r.key(), r.field(2)))
    }

    /// The billable codes at or under `dotted` (7th-character codes included), as (code,
    /// title).
    pub fn billable_under(&self, dotted: &str) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.codes
            .prefix_range(dotted)
            .map(|i| self.codes.row(i))
            .filter(|r| r.field(BILLABLE) == "1")
            .map(|r| (r.key(), r.field(TITLE)))
    }

    /// A code's windows: when it was billable, when a header.
    pub fn history(&self, dotted: &str) -> Option<History> {
        self.codes.get(dotted).map(history)
    }

    /// What a code was on a day: billable, a header, not yet valid or no longer valid.
    pub fn on(&self, dotted: &str, day: Day) -> Validity {
        self.codes
            .get(dotted)
            .map_or(Validity::Unknown, |r| history(r).on(day))
    }

    /// Where a code not in the tabular came from: `FY2027 changes` (a new code: its notes
    /// are its category's), `deleted in FY2027`, `MCE` (known only from the Medicare Code
    /// Editor's history); empty for a code of the tabular.
    pub fn origin(&self, dotted: &str) -> &str {
        self.codes.get(dotted).map_or("", |r| r.field(ORIGIN))
    }

    /// Whether the first three characters are a category of some release (`QA0`, `J4B`):
    /// the shape of an ICD-10-CM code comes from the data, not a pattern.
    pub fn is_category(&self, key: &str) -> bool {
        key.get(..3).is_some_and(|c| self.codes.get(c).is_some())
    }

    /// The number of billable codes.
    pub fn billable_count(&self) -> usize {
        self.codes
            .rows()
            .filter(|r| r.field(BILLABLE) == "1")
            .count()
    }

    /// Categories, subcategories and codes.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

fn status(row: super::table::Row<'_>) -> Status {
    let closed = |h: &str| !h.is_empty() && h.split(' ').all(|w| !w.ends_with('-'));
    if row.field(BILLABLE) == "1" {
        Status::Valid
    } else if closed(row.field(HISTORY)) {
        // Every window has ended: deleted (S23.420A in FY2027).
        Status::Retired
    } else {
        Status::Header
    }
}

fn history(row: super::table::Row<'_>) -> History {
    let today = if row.field(BILLABLE) == "1" {
        Role::Billable
    } else {
        Role::Header
    };
    History::parse(row.field(HISTORY), today)
}

fn listed(row: super::table::Row<'_>) -> Listed {
    (
        row.key().to_string(),
        row.field(TITLE).to_string(),
        status(row),
    )
}

impl CodeSet for Icd10Cm {
    fn system(&self) -> System {
        System::Icd10Cm
    }

    fn read(&self, key: &str, _written: &str) -> Option<String> {
        let b = key.as_bytes();
        let shaped = (3..=7).contains(&b.len())
            && b[0].is_ascii_uppercase()
            && b[2].is_ascii_alphanumeric()
            && (b[1].is_ascii_digit() || self.is_category(key));
        shaped.then(|| dot_icd10cm(key))
    }

    fn on(&self, dotted: &str, day: Day) -> Validity {
        Icd10Cm::on(self, dotted, day)
    }

    fn status(&self, dotted: &str) -> Option<Status> {
        self.codes.get(dotted).map(status)
    }

    fn describe(&self, dotted: &str, e: &mut Entry) {
        let Some(row) = self.codes.get(dotted) else {
            return;
        };
        e.status = Some(status(row));
        e.title = row.field(TITLE).to_string();
        e.short_title = match row.field(SHORT_TITLE) {
            "" => e.title.clone(),
            short => short.to_string(),
        };
        e.edit_flags = row
            .field(FLAGS)
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        e.children = self.children(dotted);

        // Ancestors: codes by their parent column, then the block and the chapter.
        let mut chain = vec![(dotted.to_string(), e.title.clone())];
        let mut parent = row.field(PARENT).to_string();
        while let Some(p) = self.codes.get(&parent) {
            chain.push((parent.clone(), p.field(TITLE).to_string()));
            parent = p.field(PARENT).to_string();
        }
        while let Some(node) = self.tree.get(&parent) {
            let label = match parent.split_once('-') {
                _ if node.field(1) == "chapter" => {
                    format!("Chapter {}", parent.trim_start_matches('0'))
                }
                // A block of one category (B20) is named by it, not "B20-B20".
                Some((first, last)) if first == last => first.to_string(),
                _ => parent.clone(),
            };
            chain.push((label, node.field(5).to_string()));
            for n in self.notes.all(&parent) {
                // Chapter- and block-level notes apply to every code below them.
                e.notes.push(Note {
                    kind: n.field(1).into(),
                    text: n.field(2).into(),
                    from: parent.clone(),
                });
            }
            parent = node.field(2).to_string();
        }
        for (id, _) in chain.iter().filter(|(id, _)| self.codes.get(id).is_some()) {
            for n in self.notes.all(id) {
                let kind = n.field(1);
                // Inclusion terms describe the code they sit under, not its descendants.
                if (kind == "inclusionTerm" || kind == "sevenChrNote") && id != dotted {
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
                    .seventh
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
    }

    fn prefix(&self, prefix: &str, limit: usize) -> Vec<Listed> {
        self.codes
            .prefix_range(prefix)
            .take(limit)
            .map(|i| listed(self.codes.row(i)))
            .collect()
    }

    fn codes(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.codes.rows().map(|r| r.key()))
    }

    fn title(&self, dotted: &str) -> Option<&str> {
        Icd10Cm::title(self, dotted)
    }
}
