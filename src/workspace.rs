//! The documents of a folder, as `dxpx check` and the editor's workspace check read them:
//! the files with the extensions of notes, sheets and claims (and text files with none),
//! honouring `.gitignore` and the configuration's include and exclude globs.

use crate::config::Config;
use std::path::{Path, PathBuf};

/// File names dxpx reads when it walks a folder (a file named on its own is always read).
pub const EXTENSIONS: &[&str] = &[
    "txt", "note", "notes", "md", "markdown", "text", "csv", "tsv", "837", "837i", "837p", "x12",
    "edi", "json", "hl7",
];

/// What a walk found: the documents, in order, and the entries it could not read.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    pub problems: Vec<String>,
}

/// Each path that is a file, and the documents under each folder. A folder with no document
/// is an error (a mistyped path would otherwise check nothing and pass).
pub fn documents(paths: &[PathBuf], config: &Config) -> Result<Found, String> {
    let mut out = Found::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if !meta.is_dir() {
            out.files.push(path.clone());
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(path);
        for glob in &config.include {
            overrides
                .add(glob)
                .map_err(|e| format!("include glob {glob:?}: {e}"))?;
        }
        for glob in &config.exclude {
            overrides
                .add(&format!("!{glob}"))
                .map_err(|e| format!("exclude glob {glob:?}: {e}"))?;
        }
        let overrides = overrides.build().map_err(|e| e.to_string())?;
        let walker = ignore::WalkBuilder::new(path)
            .overrides(overrides)
            .require_git(false)
            .build();
        let mut found = Vec::new();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.problems.push(e.to_string());
                    continue;
                }
            };
            let p = entry.path();
            // A file without an extension (exports often have none) is read when its first
            // bytes are text; one with another extension (.png, .pdf) is not a document.
            let wanted = !config.include.is_empty()
                || match p.extension().and_then(|e| e.to_str()) {
                    Some(e) => EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()),
                    None => starts_as_text(p),
                };
            if entry
                .file_type()
                .is_some_and(|t| t.is_file() || t.is_symlink())
                && wanted
            {
                found.push(p.to_path_buf());
            }
        }
        if found.is_empty() {
            return Err(format!(
                "{}: no documents in this folder (dxpx reads .{}, and text files without an extension)",
                path.display(),
                EXTENSIONS.join(", .")
            ));
        }
        found.sort();
        out.files.extend(found);
    }
    Ok(out)
}

/// Whether a file's first 8 KiB are text: UTF-8 (a character cut at the end aside) with no
/// NUL byte.
fn starts_as_text(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8192];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let head = &head[..n];
    n > 0
        && !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none() && n == 8192,
        }
}
