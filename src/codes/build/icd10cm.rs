//! ICD-10-CM from the CDC tabular XML: chapters, blocks, categories and codes, the
//! instructional notes at every level, and the 7th-character codes expanded from
//! `sevenChrDef` with X placeholders.

use super::mce::Mce;
use super::{BuildError, Built, Release, clean, file_name, read_text, sorted};
use crate::codes::normalize::{compact, dot_icd10cm};
use roxmltree::{Document, Node};
use std::collections::HashMap;
use std::path::Path;

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

struct Out {
    codes: Vec<String>,
    tree: Vec<String>,
    notes: Vec<String>,
    seventh: Vec<String>,
    order: HashMap<String, (String, String)>,
    mce: HashMap<String, String>,
}

pub fn build(
    tabular: &Path,
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
        codes: Vec::new(),
        tree: Vec::new(),
        notes: Vec::new(),
        seventh: Vec::new(),
        order: match order {
            Some(p) => read_order(p)?,
            None => HashMap::new(),
        },
        mce: mce.map(|m| m.current.clone()).unwrap_or_default(),
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
        for section in chapter.children().filter(|n| n.has_tag_name("section")) {
            let id = section
                .attribute("id")
                .ok_or_else(|| at(tabular, &doc, section, "section without an id"))?;
            let (first, last) = id.split_once('-').unwrap_or((id, id));
            let block = format!("{first}-{last}");
            let desc = child_text(section, "desc").unwrap_or_default();
            out.tree.push(format!(
                "{block}\tblock\t{key}\t{first}\t{last}\t{}",
                clean(&desc)
            ));
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
    let fy: i32 = version.trim().parse().unwrap_or(0);
    let mut sources = vec![file_name(tabular)];
    if let Some(p) = order {
        sources.push(format!("{} (short titles)", file_name(p)));
    }
    if let Some(m) = mce {
        sources.push(format!("{} (edit flags)", file_name(&m.file)));
    }
    built.releases.push(Release {
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
    });
    built.tables.insert("icd10cm", sorted(out.codes));
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
        // knows a code, its valid list says which characters apply.
        let known = table
            .iter()
            .any(|(ch, _)| out.mce.contains_key(&format!("{base}{ch}")));
        for (ch, meaning) in table {
            let key = format!("{base}{ch}");
            if known && !out.mce.contains_key(&key) {
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
    let key = compact(code);
    // An empty short title means "the same as the long one", which is half the codes.
    let short = match out.order.get(&key) {
        Some((short, order_long)) if order_long == long && short != long => short.as_str(),
        _ => "",
    };
    let flags = out.mce.get(&key).map(String::as_str).unwrap_or("");
    out.codes.push(format!(
        "{code}\t{parent}\t{}\t{flags}\t{short}\t{long}",
        u8::from(billable)
    ));
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
