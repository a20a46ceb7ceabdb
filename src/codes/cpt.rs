//! CPT: the public section structure, and a licensee's own descriptor file.

use std::collections::HashMap;
use std::path::Path;

/// A section or subsection that contains a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CptSection {
    pub range: String,
    pub name: String,
}

#[derive(Debug, Default)]
pub struct CptStructure {
    ranges: Vec<Range>,
}

#[derive(Debug)]
struct Range {
    kind: String,
    start: String,
    end: String,
    suffix: Option<u8>,
    name: String,
}

impl CptStructure {
    pub fn parse(text: &str) -> CptStructure {
        let ranges = text
            .lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let (kind, start, end, pattern, name) =
                    (*f.first()?, *f.get(2)?, *f.get(3)?, *f.get(4)?, *f.get(5)?);
                // Category II/III/PLA rows give a pattern such as ^\d{4}F$ instead of a range.
                let suffix = pattern
                    .strip_suffix('$')
                    .and_then(|p| p.bytes().last())
                    .filter(|b| b.is_ascii_uppercase());
                Some(Range {
                    kind: kind.to_string(),
                    start: start.to_string(),
                    end: end.to_string(),
                    suffix,
                    name: name.to_string(),
                })
            })
            .collect();
        CptStructure { ranges }
    }

    /// The sections containing `code`, outermost first.
    pub fn sections_of(&self, code: &str) -> Vec<CptSection> {
        let b = code.as_bytes();
        if b.len() != 5 || !b[..4].iter().all(u8::is_ascii_digit) {
            return Vec::new();
        }
        self.ranges
            .iter()
            .filter(|r| match r.suffix {
                Some(s) => {
                    b[4] == s
                        && (r.start.is_empty()
                            || (code >= r.start.as_str() && code <= r.end.as_str()))
                }
                None => {
                    b[4].is_ascii_digit()
                        && r.kind == "cat1"
                        && code >= r.start.as_str()
                        && code <= r.end.as_str()
                }
            })
            .map(|r| CptSection {
                range: if r.start.is_empty() {
                    "".into()
                } else {
                    format!("{}–{}", r.start, r.end)
                },
                name: r.name.clone(),
            })
            .collect()
    }
}

/// A licensee's CPT file: code and descriptor, comma- or tab-separated, header optional.
#[derive(Debug)]
pub struct CptLicensed {
    descriptors: HashMap<String, String>,
}

impl CptLicensed {
    pub fn load(path: &Path) -> Result<CptLicensed, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let mut descriptors = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (code, rest) = line
                .split_once('\t')
                .or_else(|| line.split_once(','))
                .ok_or_else(|| {
                    format!(
                        "{}:{}: expected a code and a descriptor",
                        path.display(),
                        i + 1
                    )
                })?;
            let code = code.trim().trim_matches('"');
            let valid = code.len() == 5 && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid {
                if i == 0 {
                    continue; // a header row
                }
                return Err(format!(
                    "{}:{}: {code:?} is not a CPT code",
                    path.display(),
                    i + 1
                ));
            }
            descriptors.insert(
                code.to_ascii_uppercase(),
                rest.trim().trim_matches('"').to_string(),
            );
        }
        if descriptors.is_empty() {
            return Err(format!("{}: no CPT codes found", path.display()));
        }
        Ok(CptLicensed { descriptors })
    }

    pub fn descriptor(&self, code: &str) -> Option<&str> {
        self.descriptors.get(code).map(String::as_str)
    }

    /// A full licensed file lists every code, so a code missing from it is not CPT.
    pub fn is_complete(&self) -> bool {
        self.descriptors.len() > 5000
    }
}
