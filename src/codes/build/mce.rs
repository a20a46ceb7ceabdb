//! Medicare Code Editor attribute tables: one row per code and validity window.

use super::{BuildError, read_text};
use crate::codes::history::{Day, History};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct Mce {
    pub file: PathBuf,
    /// The fiscal year of the edition, from its version in the file name (v44: FY2027).
    pub fiscal_year: Option<u32>,
    /// Codes valid in the edition's last window, with their edit flags.
    pub current: HashMap<String, String>,
    /// Codes whose last window has closed, with the closing date (YYYY-MM-DD).
    pub ended: HashMap<String, String>,
    /// Every code's validity windows, merged where they touch, oldest first.
    pub windows: HashMap<String, Vec<(Day, Option<Day>)>>,
    /// The days a release began: every window's first day, and the day after every end.
    pub updates: BTreeSet<Day>,
}

pub fn read(path: &Path) -> Result<Mce, BuildError> {
    let text = read_text(path)?;
    let name = super::file_name(path).to_ascii_lowercase();
    let fiscal_year = name
        .split_once("mce-v")
        .and_then(|(_, v)| v.get(..2)?.parse::<u32>().ok())
        .map(|v| v + 1983);
    let mut mce = Mce {
        file: path.to_path_buf(),
        fiscal_year,
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
        let bad_date = |d: &str| BuildError::new(path, Some(i + 1), format!("bad date {d:?}"));
        let from = Day::parse(f[1]).ok_or_else(|| bad_date(f[1]))?;
        let to = match end {
            "" => None,
            d => Some(Day::parse(d).ok_or_else(|| bad_date(d))?),
        };
        mce.updates.insert(from);
        if let Some(t) = to {
            mce.updates.insert(t.succ());
        }
        mce.windows
            .entry(code.to_string())
            .or_default()
            .push((from, to));
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
    for spans in mce.windows.values_mut() {
        *spans = History::merge(std::mem::take(spans));
    }
    Ok(mce)
}

/// `20260331` → `2026-03-31`.
pub fn iso_date(yyyymmdd: &str) -> Option<String> {
    let d = yyyymmdd.trim();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
}
