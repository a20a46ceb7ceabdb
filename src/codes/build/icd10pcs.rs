//! ICD-10-PCS from the CMS tables XML, expanded to every code. Titles come from the
//! official long-title files where they hold the code (newest first), else they are
//! composed from the axis labels, and say so.

use super::mce::Mce;
use super::{BuildError, Built, Release, clean, file_name, read_text, sorted};
use crate::codes::history::{History, Role};
use roxmltree::{Document, Node};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One table (first three characters): its labels for each position, by character.
#[derive(Default)]
struct Axes {
    labels: [BTreeMap<char, String>; 7],
}

pub fn build(
    tables: &Path,
    long_titles: Option<&Path>,
    mce: Option<&Mce>,
    built: &mut Built,
) -> Result<(), BuildError> {
    let xml = read_text(tables)?;
    let doc = Document::parse(&xml).map_err(|e| {
        BuildError::new(
            tables,
            Some(e.pos().row as usize),
            format!("invalid XML: {e}"),
        )
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "ICD10PCS.tabular" {
        return Err(BuildError::new(
            tables,
            Some(1),
            "not an ICD-10-PCS tables file (root element is not ICD10PCS.tabular)",
        ));
    }
    let version: i32 = root
        .children()
        .find(|n| n.has_tag_name("version"))
        .and_then(|n| n.text())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);

    let mut titles: HashMap<String, String> = HashMap::new();
    if let Some(path) = long_titles {
        read_long_titles(path, &mut titles)?;
    }
    let mut axes_rows = Vec::new();
    let mut by_table: HashMap<String, Axes> = HashMap::new();
    let mut codes: BTreeMap<String, String> = BTreeMap::new();

    for table in root.children().filter(|n| n.has_tag_name("pcsTable")) {
        let head: Vec<(char, String, String, String)> = table
            .children()
            .filter(|n| n.has_tag_name("axis"))
            .map(|a| axis_single(tables, &doc, a))
            .collect::<Result<_, _>>()?;
        if head.len() != 3 {
            let line = doc.text_pos_at(table.range().start).row as usize;
            return Err(BuildError::new(
                tables,
                Some(line),
                "pcsTable without its three leading axes",
            ));
        }
        let prefix: String = head.iter().map(|h| h.0).collect();
        for (i, (_, title, label, definition)) in head.iter().enumerate() {
            axes_rows.push(format!("{}\t{title}\t{label}\t{definition}", &prefix[..=i]));
        }
        let axes = by_table.entry(prefix.clone()).or_default();
        for (i, h) in head.iter().enumerate() {
            axes.labels[i].insert(h.0, h.2.clone());
        }
        for row in table.children().filter(|n| n.has_tag_name("pcsRow")) {
            let mut positions: Vec<Vec<(char, String)>> = Vec::new();
            for axis in row.children().filter(|n| n.has_tag_name("axis")) {
                let pos: usize = axis
                    .attribute("pos")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
                if !(4..=7).contains(&pos) {
                    continue;
                }
                let labels: Vec<(char, String)> = axis
                    .children()
                    .filter(|n| n.has_tag_name("label"))
                    .filter_map(|l| {
                        let c = l.attribute("code")?.chars().next()?;
                        Some((c, clean(l.text().unwrap_or(""))))
                    })
                    .collect();
                for (c, l) in &labels {
                    axes.labels[pos - 1].insert(*c, l.clone());
                }
                positions.push(labels);
            }
            if positions.len() != 4 {
                let line = doc.text_pos_at(row.range().start).row as usize;
                return Err(BuildError::new(
                    tables,
                    Some(line),
                    "pcsRow without axes 4 to 7",
                ));
            }
            for a in &positions[0] {
                for b in &positions[1] {
                    for c in &positions[2] {
                        for d in &positions[3] {
                            let code = format!("{prefix}{}{}{}{}", a.0, b.0, c.0, d.0);
                            let composed = compose(&head[2].2, &a.1, &b.1, &c.1, &d.1);
                            codes.insert(code, composed);
                        }
                    }
                }
            }
        }
    }
    if codes.is_empty() {
        return Err(BuildError::new(
            tables,
            None,
            "no codes found in the tables file",
        ));
    }
    // Codes the MCE lists as valid that the tables release predates (an April update).
    if let Some(m) = mce {
        // Every code valid at any time since FY2016, so a document from then reads it.
        for code in m.windows.keys() {
            if codes.contains_key(code) || code.len() != 7 {
                continue;
            }
            let title = by_table.get(&code[..3]).and_then(|axes| {
                let label = |i: usize| axes.labels[i].get(&code[i..].chars().next()?).cloned();
                Some(compose(
                    &label(2)?,
                    &label(3)?,
                    &label(4)?,
                    &label(5)?,
                    &label(6)?,
                ))
            });
            codes.insert(code.clone(), title.unwrap_or_default());
        }
    }
    let rows: Vec<String> = codes
        .into_iter()
        .map(|(code, composed)| {
            let flags = mce
                .and_then(|m| m.current.get(&code))
                .map(String::as_str)
                .unwrap_or("");
            // When the code was valid; a code of the tables the list does not know keeps the
            // tables' word for it.
            let history = mce
                .and_then(|m| m.windows.get(&code))
                .map(|w| History(History::of(Role::Billable, w).collect()).encode(Role::Billable))
                .unwrap_or_default();
            let (source, title) = match titles.get(&code) {
                Some(t) => ("official", t.as_str()),
                None => ("composed", composed.as_str()),
            };
            format!("{code}\t{flags}\t{history}\t{source}\t{title}")
        })
        .collect();
    let mut sources = vec![file_name(tables)];
    if let Some(p) = long_titles {
        sources.push(format!("{} (titles)", file_name(p)));
    }
    if let Some(m) = mce {
        sources.push(format!(
            "{} (valid list and edit flags)",
            file_name(&m.file)
        ));
    }
    // The valid list decides the release; older tables still name its codes.
    let (fy, release) = match mce.and_then(|m| m.fiscal_year).map(|fy| fy as i32) {
        Some(fy) if fy > version => (
            fy,
            format!(
                "FY{fy} (valid list from the Medicare Code Editor v{}; titles from the FY{version} tables)",
                fy - 1983
            ),
        ),
        Some(_) => (
            version,
            format!("FY{version} tables, valid list from the Medicare Code Editor"),
        ),
        None => (version, format!("FY{version}")),
    };
    built.releases.push(Release {
        set: "ICD-10-PCS",
        release,
        effective_from: format!("{}-10-01", fy - 1),
        effective_to: format!("{fy}-09-30"),
        sources,
        updates: mce
            .map(|m| m.updates.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
    });
    built.tables.insert("icd10pcs", sorted(rows));
    axes_rows.sort();
    axes_rows.dedup_by(|a, b| a.split('\t').next() == b.split('\t').next());
    built.tables.insert("icd10pcs-axes", sorted(axes_rows));
    Ok(())
}

/// An axis with one label: (character, axis title, label, definition).
fn axis_single(
    file: &Path,
    doc: &Document,
    axis: Node,
) -> Result<(char, String, String, String), BuildError> {
    let child = |tag: &str| {
        axis.children()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.text())
            .map(clean)
            .unwrap_or_default()
    };
    let label = axis.children().find(|n| n.has_tag_name("label"));
    let c = label
        .and_then(|l| l.attribute("code"))
        .and_then(|c| c.chars().next())
        .ok_or_else(|| {
            let line = doc.text_pos_at(axis.range().start).row as usize;
            BuildError::new(file, Some(line), "axis without a labelled value")
        })?;
    let text = label.and_then(|l| l.text()).map(clean).unwrap_or_default();
    Ok((c, child("title"), text, child("definition")))
}

/// A readable title from the axis labels, in the official titles' word order.
fn compose(operation: &str, body: &str, approach: &str, device: &str, qualifier: &str) -> String {
    let mut t = format!("{operation} of {body}");
    if !device.starts_with("No Device") && !device.is_empty() {
        t.push_str(&format!(" with {device}"));
    }
    if !qualifier.starts_with("No Qualifier") && !qualifier.is_empty() {
        t.push_str(&format!(", {qualifier}"));
    }
    if approach.ends_with("Approach") || approach.is_empty() {
        t.push_str(&format!(", {approach}"));
    } else {
        t.push_str(&format!(", {approach} Approach"));
    }
    t.trim_end_matches([',', ' ']).to_string()
}

/// `icd10pcs_codes_YYYY.txt`: a code, white space, the long title.
fn read_long_titles(path: &Path, titles: &mut HashMap<String, String>) -> Result<(), BuildError> {
    let text = read_text(path)?;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (code, title) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| BuildError::new(path, Some(i + 1), "expected a code and a title"))?;
        if code.len() != 7 {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                format!("{code:?} is not a 7-character PCS code"),
            ));
        }
        titles.insert(code.to_string(), clean(title));
    }
    Ok(())
}
