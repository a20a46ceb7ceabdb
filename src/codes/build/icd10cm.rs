//! ICD-10-CM from the CDC tabular XML: chapters, blocks, categories and codes, the
//! instructional notes at every level, and the 7th-character codes expanded from
//! `sevenChrDef` with X placeholders.

use super::mce::Mce;
use super::{BuildError, Built, Release, clean, csv_rows, file_name, read_text, sorted};
use crate::codes::history::{Day, History, Role};
use crate::codes::normalize::{compact, dot_icd10cm};
use roxmltree::{Document, Node};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The note kinds of the tabular list, in the order a coder reads them.
pub const NOTE_KINDS: &[&str] = &[
    "includes",
    "inclusionTerm",
    "notes",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "sevenChrNote",
];

/// One code or category, until the rows are written.
struct Code {
    dotted: String,
    parent: String,
    billable: bool,
    long: String,
    /// The official short title where a change file gives one.
    short: Option<String>,
    /// Where a code not in the tabular came from: `FY2027 changes`, or `MCE` (a code deleted
    /// before the tabular's release, known from the Medicare Code Editor's history).
    origin: String,
}

/// A folder of one release's changes to the tabular (`added.csv`, `deleted.csv`,
/// `revised.csv`, `billable-status-changes.csv`), named `fyYYYY-changes`.
pub struct Changes {
    pub fiscal_year: u32,
    pub folder: PathBuf,
}

struct Out {
    /// By code without its dot, so a category's descendants follow it.
    codes: BTreeMap<String, Code>,
    tree: Vec<String>,
    notes: Vec<String>,
    seventh: Vec<String>,
    order: HashMap<String, (String, String)>,
    mce: HashMap<String, String>,
    /// Codes valid at any time, by the Medicare Code Editor's windows.
    ever_valid: HashSet<String>,
}

pub fn build(
    tabular: &Path,
    changes: &[Changes],
    order: Option<&Path>,
    mce: Option<&Mce>,
    built: &mut Built,
) -> Result<(), BuildError> {
    let xml = read_text(tabular)?;
    let doc = Document::parse(&xml).map_err(|e| {
        BuildError::new(
            tabular,
            Some(e.pos().row as usize),
            format!("invalid XML: {e}"),
        )
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "ICD10CM.tabular" {
        return Err(BuildError::new(
            tabular,
            Some(1),
            "not an ICD-10-CM tabular file (root element is not ICD10CM.tabular)",
        ));
    }
    let version = child_text(root, "version").unwrap_or_default();
    let mut out = Out {
        codes: BTreeMap::new(),
        tree: Vec::new(),
        notes: Vec::new(),
        seventh: Vec::new(),
        order: match order {
            Some(p) => read_order(p)?,
            None => HashMap::new(),
        },
        mce: mce.map(|m| m.current.clone()).unwrap_or_default(),
        ever_valid: mce
            .map(|m| m.windows.keys().cloned().collect())
            .unwrap_or_default(),
    };
    for chapter in root.children().filter(|n| n.has_tag_name("chapter")) {
        let number: u32 = child_text(chapter, "name")
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| at(tabular, &doc, chapter, "chapter without a number"))?;
        let key = format!("{number:02}");
        let desc = child_text(chapter, "desc").unwrap_or_default();
        let (first, last) = range_in(&desc).unwrap_or_default();
        out.tree.push(format!(
            "{key}\tchapter\t\t{first}\t{last}\t{}",
            clean(&desc)
        ));
        collect_notes(chapter, &key, &mut out.notes);
        // Blocks nest by their ranges (C00-C96 › C00-C75 › C00-C14): the tabular lists the
        // outer ones first, with no codes of their own.
        let mut open: Vec<(String, String, String)> = Vec::new();
        for section in chapter.children().filter(|n| n.has_tag_name("section")) {
            let id = section
                .attribute("id")
                .ok_or_else(|| at(tabular, &doc, section, "section without an id"))?;
            let (first, last) = id.split_once('-').unwrap_or((id, id));
            let block = format!("{first}-{last}");
            while open
                .last()
                .is_some_and(|(_, f, l)| !(f.as_str() <= first && last <= l.as_str()))
            {
                open.pop();
            }
            let parent = open.last().map_or(key.as_str(), |(b, _, _)| b.as_str());
            let desc = child_text(section, "desc").unwrap_or_default();
            out.tree.push(format!(
                "{block}\tblock\t{parent}\t{first}\t{last}\t{}",
                clean(&desc)
            ));
            open.push((block.clone(), first.to_string(), last.to_string()));
            collect_notes(section, &block, &mut out.notes);
            for diag in section.children().filter(|n| n.has_tag_name("diag")) {
                walk_diag(tabular, &doc, diag, &block, None, &mut out)?;
            }
        }
    }
    if out.codes.is_empty() {
        return Err(BuildError::new(
            tabular,
            None,
            "no codes found in the tabular file",
        ));
    }
    let april = file_name(tabular).to_ascii_lowercase().contains("april");
    let fy: u32 = version.trim().parse().unwrap_or(0);
    let mut sources = vec![file_name(tabular)];
    let applied: Vec<&Changes> = changes.iter().filter(|c| c.fiscal_year > fy).collect();
    for c in &applied {
        apply_changes(c, &mut out)?;
        sources.push(format!(
            "{} (codes added, deleted and revised)",
            file_name(&c.folder)
        ));
    }
    if let Some(p) = order {
        sources.push(format!("{} (short titles)", file_name(p)));
    }
    let mut updates = Vec::new();
    if let Some(m) = mce {
        sources.push(format!(
            "{} (validity windows and edit flags)",
            file_name(&m.file)
        ));
        add_history_only_codes(m, &mut out);
        updates = m.updates.iter().map(Day::to_string).collect();
    }
    let release = match applied.last() {
        Some(c) => Release {
            set: "ICD-10-CM",
            release: format!("FY{}", c.fiscal_year),
            effective_from: format!("{}-10-01", c.fiscal_year - 1),
            effective_to: format!("{}-09-30", c.fiscal_year),
            sources,
            updates,
        },
        None => Release {
            set: "ICD-10-CM",
            release: if april {
                format!("FY{fy} (April 1, {fy} update)")
            } else {
                format!("FY{fy}")
            },
            effective_from: if april {
                format!("{fy}-04-01")
            } else {
                format!("{}-10-01", fy - 1)
            },
            effective_to: format!("{fy}-09-30"),
            sources,
            updates,
        },
    };
    if let (Some(m), Some(start)) = (mce, Day::parse(&release.effective_from)) {
        // The Medicare Code Editor's list is the authority on what is valid: a code the
        // tabular expands (an S06 7th character that applied until FY2017) is billable only
        // where the list says it is valid on the release's first day.
        for (key, code) in out.codes.iter_mut() {
            if let Some(spans) = m.windows.get(key) {
                let spans = History(History::of(Role::Billable, spans).collect());
                code.billable = spans.on(start) == crate::codes::history::Validity::Billable;
            }
        }
    }
    built.releases.push(release);
    let rows = rows(&out, mce);
    built.tables.insert("icd10cm", sorted(rows));
    built.tables.insert("icd10cm-tree", sorted(out.tree));
    built.tables.insert("icd10cm-notes", sorted(out.notes));
    built.tables.insert("icd10cm-7chr", sorted(out.seventh));
    Ok(())
}

/// The 7th-character table that applies to a code: its own, or its nearest ancestor's.
type Seventh<'a> = Option<Vec<(String, String)>>;

fn walk_diag(
    file: &Path,
    doc: &Document,
    diag: Node,
    parent: &str,
    inherited: Option<&Seventh>,
    out: &mut Out,
) -> Result<(), BuildError> {
    let name = child_text(diag, "name")
        .map(|n| n.trim().to_string())
        .ok_or_else(|| at(file, doc, diag, "diag without a name"))?;
    let desc = clean(&child_text(diag, "desc").unwrap_or_default());
    collect_notes(diag, &name, &mut out.notes);

    let own: Seventh = diag
        .children()
        .find(|n| n.has_tag_name("sevenChrDef"))
        .map(|def| {
            def.children()
                .filter(|n| n.has_tag_name("extension"))
                .filter_map(|e| Some((e.attribute("char")?.to_string(), clean(&text_of(e)))))
                .collect()
        });
    if let Some(table) = &own {
        for (ch, meaning) in table {
            out.seventh.push(format!("{name}\t{ch}\t{meaning}"));
        }
    }
    let seventh: Option<&Seventh> = if own.is_some() { Some(&own) } else { inherited };

    let children: Vec<Node> = diag.children().filter(|n| n.has_tag_name("diag")).collect();
    let expands = children.is_empty()
        && seventh.is_some_and(|s| s.as_ref().is_some_and(|t| !t.is_empty()))
        && compact(&name).len() < 7;
    let billable = children.is_empty() && !expands;
    push_code(out, &name, parent, billable, &desc);

    if expands {
        let table = seventh
            .and_then(|s| s.as_ref())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut base = compact(&name);
        while base.len() < 6 {
            base.push('X');
        }
        // Some 7th characters do not apply to some codes, said only in a prose note (S06
        // codes with 6th character 7 or 8 take A alone). Where the Medicare Code Editor
        // knows a code, its windows say which characters ever applied.
        let known = table
            .iter()
            .any(|(ch, _)| out.ever_valid.contains(&format!("{base}{ch}")));
        for (ch, meaning) in table {
            let key = format!("{base}{ch}");
            if known && !out.ever_valid.contains(&key) {
                continue;
            }
            push_code(
                out,
                &dot_icd10cm(&key),
                &name,
                true,
                &format!("{desc}, {meaning}"),
            );
        }
    }
    for child in children {
        walk_diag(file, doc, child, &name, seventh, out)?;
    }
    Ok(())
}

fn push_code(out: &mut Out, code: &str, parent: &str, billable: bool, long: &str) {
    out.codes.insert(
        compact(code),
        Code {
            dotted: code.to_string(),
            parent: parent.to_string(),
            billable,
            long: long.to_string(),
            short: None,
            origin: String::new(),
        },
    );
}

/// Applies one release's change files to the codes read from an older tabular.
fn apply_changes(changes: &Changes, out: &mut Out) -> Result<(), BuildError> {
    let origin = format!("FY{} changes", changes.fiscal_year);
    let file = |name: &str| changes.folder.join(name);
    let truth = |v: &str| v.eq_ignore_ascii_case("true") || v == "1";
    for (line, f) in csv_rows(&file("added.csv"), 6)? {
        let key = compact(&f[0]);
        let billable = truth(&f[2]);
        out.codes.insert(
            key.clone(),
            Code {
                dotted: dot_icd10cm(&key),
                parent: String::new(),
                billable,
                long: clean(&f[5]),
                short: Some(clean(&f[4])),
                origin: origin.clone(),
            },
        );
        if key.len() < 3 {
            return Err(BuildError::new(
                &file("added.csv"),
                Some(line),
                "a code has at least three characters",
            ));
        }
    }
    for (_, f) in csv_rows(&file("revised.csv"), 7)? {
        if let Some(c) = out.codes.get_mut(&compact(&f[0])) {
            c.long = clean(&f[4]);
            c.short = Some(clean(&f[6]));
        }
    }
    for (_, f) in csv_rows(&file("billable-status-changes.csv"), 4)? {
        if let Some(c) = out.codes.get_mut(&compact(&f[0])) {
            c.billable = truth(&f[3]);
        }
    }
    // A deleted code keeps its row, with the title it had, so a document dated before its
    // deletion still reads it; the Medicare Code Editor's windows say until when.
    for (_, f) in csv_rows(&file("deleted.csv"), 6)? {
        if let Some(c) = out.codes.get_mut(&compact(&f[0])) {
            c.billable = false;
            c.origin = format!("deleted in FY{}", changes.fiscal_year);
        }
    }
    attach_parents(out);
    Ok(())
}

/// Codes with no parent yet (added by a change file or known only from the Medicare Code
/// Editor) hang under their longest prefix in the set; a new category under the block that
/// would hold it.
fn attach_parents(out: &mut Out) {
    let orphans: Vec<String> = out
        .codes
        .iter()
        .filter(|(_, c)| c.parent.is_empty())
        .map(|(k, _)| k.clone())
        .collect();
    for key in orphans {
        let mut parent = (3..key.len())
            .rev()
            .map(|n| &key[..n])
            .find(|p| out.codes.contains_key(*p))
            .map(|p| out.codes[p].dotted.clone());
        if parent.is_none() {
            parent = block_for(&out.tree, &key[..3]);
        }
        if let (Some(p), Some(c)) = (parent, out.codes.get_mut(&key)) {
            c.parent = p;
        }
    }
}

/// The block whose range holds a category, else the nearest block that starts before it
/// with the same letter (a new category such as J4B after the FY2026 block J40-J4A).
fn block_for(tree: &[String], category: &str) -> Option<String> {
    let blocks = tree.iter().filter_map(|row| {
        let f: Vec<&str> = row.split('\t').collect();
        (f.get(1) == Some(&"block")).then(|| (f[0], f[3], f[4]))
    });
    // The innermost block that holds it (blocks nest), else the nearest before it.
    let mut holding: Option<(&str, &str)> = None;
    let mut before: Option<(&str, &str)> = None;
    for (id, first, last) in blocks {
        if first <= category && category <= last {
            if holding.is_none_or(|(_, f)| first >= f) {
                holding = Some((id, first));
            }
            continue;
        }
        let same_letter = first.as_bytes().first() == category.as_bytes().first();
        if same_letter && first <= category && before.is_none_or(|(_, f)| first > f) {
            before = Some((id, first));
        }
    }
    holding.or(before).map(|(id, _)| id.to_string())
}

/// Codes the Medicare Code Editor knows from an earlier release that the tabular no longer
/// lists: a row each, so a document from that time reads them (titles from the order file,
/// when it still has them).
fn add_history_only_codes(mce: &Mce, out: &mut Out) {
    for code in mce.windows.keys() {
        if out.codes.contains_key(code) || code.len() < 3 {
            continue;
        }
        let long = out
            .order
            .get(code)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        out.codes.insert(
            code.clone(),
            Code {
                dotted: dot_icd10cm(code),
                parent: String::new(),
                billable: false,
                long,
                short: None,
                origin: "MCE".to_string(),
            },
        );
    }
    attach_parents(out);
}

/// The table rows: code, parent, billable, MCE flags, short title, title, history, origin.
fn rows(out: &Out, mce: Option<&Mce>) -> Vec<String> {
    let keys: Vec<&String> = out.codes.keys().collect();
    let mut rows = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let c = &out.codes[*key];
        // An empty short title means "the same as the long one", which is half the codes.
        let short = match (&c.short, out.order.get(*key)) {
            (Some(s), _) if *s != c.long => s.as_str(),
            (None, Some((short, order_long))) if *order_long == c.long && *short != c.long => {
                short.as_str()
            }
            _ => "",
        };
        let flags = out.mce.get(*key).map(String::as_str).unwrap_or("");
        let history = mce
            .map(|m| {
                // A category is a header while any code below it is valid.
                let below: Vec<(Day, Option<Day>)> = keys[i + 1..]
                    .iter()
                    .take_while(|k| k.starts_with(key.as_str()))
                    .filter_map(|k| m.windows.get(*k))
                    .flatten()
                    .copied()
                    .collect();
                let own = m.windows.get(*key).cloned().unwrap_or_default();
                let mut windows: Vec<_> = History::of(Role::Billable, &own)
                    .chain(History::of(Role::Header, &History::merge(below)))
                    .collect();
                windows.sort_by_key(|w| w.from);
                let today = if c.billable {
                    Role::Billable
                } else {
                    Role::Header
                };
                History(windows).encode(today)
            })
            .unwrap_or_default();
        rows.push(format!(
            "{}\t{}\t{}\t{flags}\t{short}\t{}\t{history}\t{}",
            c.dotted,
            c.parent,
            u8::from(c.billable),
            c.long,
            c.origin
        ));
    }
    rows
}

fn collect_notes(node: Node, key: &str, notes: &mut Vec<String>) {
    for kind in NOTE_KINDS {
        for group in node.children().filter(|n| n.has_tag_name(*kind)) {
            for note in group.children().filter(|n| n.has_tag_name("note")) {
                let text = clean(&text_of(note));
                if !text.is_empty() {
                    notes.push(format!("{key}\t{kind}\t{text}"));
                }
            }
        }
    }
}

fn child_text(node: Node, tag: &str) -> Option<String> {
    node.children().find(|n| n.has_tag_name(tag)).map(text_of)
}

fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// `Certain infectious and parasitic diseases (A00-B99)` → (A00, B99).
fn range_in(desc: &str) -> Option<(String, String)> {
    let open = desc.rfind('(')?;
    let inner = desc[open + 1..].trim_end_matches(')');
    let (a, b) = inner.split_once('-')?;
    Some((a.trim().to_string(), b.trim().to_string()))
}

fn at(file: &Path, doc: &Document, node: Node, message: &str) -> BuildError {
    let line = doc.text_pos_at(node.range().start).row as usize;
    BuildError::new(file, Some(line), message)
}

/// The order file, official fixed-width layout or tab-separated with a header:
/// code → (short title, long title).
fn read_order(path: &Path) -> Result<HashMap<String, (String, String)>, BuildError> {
    let text = read_text(path)?;
    let mut map = HashMap::new();
    let tabbed = text.lines().next().is_some_and(|l| l.contains('\t'));
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || (tabbed && i == 0) {
            continue;
        }
        let (code, short, long) = if tabbed {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 5 {
                return Err(BuildError::new(
                    path,
                    Some(i + 1),
                    "expected 5 tab-separated fields",
                ));
            }
            (f[1], f[3], f[4])
        } else {
            // 00001 A00     0 Cholera (short, 60 wide) Cholera (long)
            if line.len() < 77 || !line.is_char_boundary(16) || !line.is_char_boundary(77) {
                return Err(BuildError::new(
                    path,
                    Some(i + 1),
                    "line too short for the order-file layout",
                ));
            }
            (&line[6..13], &line[16..76], &line[77..])
        };
        map.insert(code.trim().to_string(), (clean(short), clean(long)));
    }
    Ok(map)
}
