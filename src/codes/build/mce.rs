//! Medicare Code Editor attribute tables: one row per code and validity window.

use super::{BuildError, read_text};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct Mce {
    pub file: PathBuf,
    /// Codes valid in the edition's last window, with their edit flags.
    pub current: HashMap<String, String>,
    /// Codes whose last window has closed, with the closing date (YYYY-MM-DD).
    pub ended: HashMap<String, String>,
}

pub fn read(path: &Path) -> Result<Mce, BuildError> {
    let text = read_text(path)?;
    let mut mce = Mce {
        file: path.to_path_buf(),
        ..Mce::default()
    };
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 || f[0].is_empty() {
            return Err(BuildError::new(
                path,
                Some(i + 1),
                "expected code, effective_start, effective_end, attributes",
            ));
        }
        let (code, end) = (f[0], f[2]);
        let flags = f.get(3).copied().unwrap_or("");
        if end.is_empty() {
            mce.ended.remove(code);
            mce.current.insert(code.to_string(), flags.to_string());
        } else if !mce.current.contains_key(code) {
            let date = iso_date(end)
                .ok_or_else(|| BuildError::new(path, Some(i + 1), format!("bad date {end:?}")))?;
            let later = mce.ended.get(code).is_none_or(|d| *d < date);
            if later {
                mce.ended.insert(code.to_string(), date);
            }
        }
    }
    Ok(mce)
}

/// `20260331` → `2026-03-31`.
pub fn iso_date(yyyymmdd: &str) -> Option<String> {
    let d = yyyymmdd.trim();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
}
