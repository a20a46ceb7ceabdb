//! `dxpx scan`: every code mention in files, one JSON object per line (or readable text).

use super::output::{Position, read_document};
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

pub fn scan(scanner: &Scanner, paths: &[std::path::PathBuf], format: Format) -> ExitCode {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for path in paths {
        let text = match read_document(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("dxpx: {e}");
                failed = true;
                continue;
            }
        };
        let mentions = scanner.scan(&text);
        if format == Format::Count {
            let _ = writeln!(out, "{}:{}", path.display(), mentions.len());
            continue;
        }
        let positions = Position::index(&text);
        for m in mentions {
            if format == Format::Json {
                let _ = writeln!(out, "{}", mention_json(path, &text, &positions, &m));
            } else {
                let (line, col) = positions.utf16(&text, m.start);
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
    }
    if failed {
        ExitCode::from(super::EXIT_USAGE)
    } else {
        ExitCode::SUCCESS
    }
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
