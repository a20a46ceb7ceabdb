//! `dxpx scan`: every code mention in files, one JSON object per line (or readable text).

use super::output::{Position, each_document};
use crate::scan::{Mention, Scanner};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Count,
}

/// With `explain`, a note's rejected code-shaped tokens follow its mentions, each with the
/// reason (claims and sheets are read by their fields, not by the scanner's cues).
pub fn scan(
    scanner: &Scanner,
    paths: &[std::path::PathBuf],
    format: Format,
    explain: bool,
) -> ExitCode {
    each_document(paths, |out, path, text| {
        let kind = crate::analysis::Kind::detect(&path.to_string_lossy(), None, text);
        let (mentions, rejected) = if explain && kind == crate::analysis::Kind::Note {
            let (m, r) = scanner.explain(text);
            ((m, None), r)
        } else {
            (crate::analysis::read(scanner, kind, text), Vec::new())
        };
        let (mentions, structure) = mentions;
        if format == Format::Count {
            let _ = writeln!(out, "{}:{}", path.display(), mentions.len());
            return;
        }
        let positions = Position::index(text);
        for (i, m) in mentions.iter().enumerate() {
            if format == Format::Json {
                let mut v = mention_json(path, text, &positions, m);
                // On a charge sheet or claim, a procedure names the diagnoses it points to.
                if let Some(structure) = &structure
                    && m.system.is_procedure()
                {
                    let linked: Vec<&str> = structure
                        .scopes
                        .iter()
                        .filter(|s| s.mentions.contains(&i))
                        .flat_map(|s| s.mentions.iter().map(|&j| &mentions[j]))
                        .filter(|d| !d.system.is_procedure())
                        .map(|d| d.code.as_str())
                        .collect();
                    v["linked"] = serde_json::json!(linked);
                }
                let _ = writeln!(out, "{v}");
            } else {
                let (line, col) = positions.utf16(text, m.start);
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {} {} {} ({})",
                    path.display(),
                    line + 1,
                    col + 1,
                    m.system.name(),
                    m.code,
                    m.status.name(),
                    m.evidence.describe()
                );
            }
        }
        for r in &rejected {
            let (line, col) = positions.utf16(text, r.start);
            let token = &text[r.start..r.end];
            if format == Format::Json {
                let v = json!({
                    "path": path.display().to_string(),
                    "start": r.start,
                    "end": r.end,
                    "line": line,
                    "character": col,
                    "text": token,
                    "rejected": r.reason.describe(),
                });
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {token} is not taken for a code: {}",
                    path.display(),
                    line + 1,
                    col + 1,
                    r.reason.describe()
                );
            }
        }
    })
}

pub fn mention_json(
    path: &Path,
    text: &str,
    positions: &Position,
    m: &Mention,
) -> serde_json::Value {
    let (line, character) = positions.utf16(text, m.start);
    json!({
        "path": path.display().to_string(),
        "start": m.start,
        "end": m.end,
        "line": line,
        "character": character,
        "text": m.text(text),
        "code": m.code,
        "system": m.system.name(),
        "status": m.status.name(),
        "modifiers": m.modifiers.iter().map(|md| md.code.clone()).collect::<Vec<_>>(),
        "evidence": m.evidence.describe(),
    })
}
