//! HCPCS Level II codes and modifiers from the CMS alpha-numeric (ANWEB) file, as the
//! tab-separated export of its 48 columns.

use super::mce::iso_date;
use super::{BuildError, Built, Release, clean, file_name, read_text, sorted};
use crate::codes::history::Day;
use std::path::Path;

pub fn build(
    anweb: &Path,
    groups: Option<&Path>,
    ambulance: Option<&Path>,
    built: &mut Built,
) -> Result<(), BuildError> {
    let text = read_text(anweb)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                BuildError::new(anweb, Some(1), format!("no {name} column in the header"))
            })
    };
    let (code_c, recid_c) = (col("HCPC")?, col("RECID")?);
    let (long_c, short_c) = (col("LONG_DESCRIPTION")?, col("SHORT_DESCRIPTION")?);
    let (add_c, eff_c, term_c) = (col("ADD_DT")?, col("ACT_EFF_DT")?, col("TERM_DT")?);
    let mut codes = Vec::new();
    let mut modifiers = Vec::new();
    let mut newest = String::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |c: usize| f.get(c).copied().unwrap_or("").trim();
        let code = get(code_c);
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(BuildError::new(
                anweb,
                Some(i + 2),
                format!("{code:?} is not a HCPCS code"),
            ));
        }
        let date = |c: usize| iso_date(get(c)).unwrap_or_default();
        let eff = date(eff_c);
        if eff > newest {
            newest = eff.clone();
        }
        let row = format!(
            "{code}\t{}\t{}\t{}\t{eff}\t{}",
            clean(get(short_c)),
            clean(get(long_c)),
            date(add_c),
            date(term_c)
        );
        match get(recid_c) {
            "3" => codes.push(row),
            "7" => modifiers.push(row),
            _ => {}
        }
    }
    if codes.is_empty() {
        return Err(BuildError::new(
            anweb,
            None,
            "no HCPCS codes (RECID 3) found",
        ));
    }
    built.tables.insert("hcpcs", sorted(codes));
    built.tables.insert("hcpcs-modifiers", sorted(modifiers));
    let mut sources = vec![file_name(anweb)];
    if let Some(g) = groups {
        let text = read_text(g)?;
        let rows = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').take(2).collect::<Vec<_>>().join("\t"))
            .collect();
        built.tables.insert("hcpcs-groups", sorted(rows));
        sources.push(format!(
            "{} (letter groups, collector's labels)",
            file_name(g)
        ));
    }
    // The one-letter origins and destinations that make up the ambulance modifiers (RH:
    // residence to hospital): letter, role, label.
    if let Some(a) = ambulance {
        let text = read_text(a)?;
        let mut rows = Vec::new();
        for (i, l) in text.lines().enumerate().skip(1) {
            if l.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 3 || f[0].len() != 1 {
                return Err(BuildError::new(
                    a,
                    Some(i + 1),
                    "expected letter, role, label",
                ));
            }
            rows.push(format!("{}\t{}\t{}", f[0], f[1], clean(f[2])));
        }
        built.tables.insert("hcpcs-ambulance", sorted(rows));
        sources.push(format!(
            "{} (ambulance origins and destinations, collector's labels)",
            file_name(a)
        ));
    }
    let quarter = quarter_name(&file_name(anweb)).unwrap_or_else(|| format!("effective {newest}"));
    // A quarterly file is in force for three months; after that a newer one may hold codes
    // this one does not.
    let quarter_end = Day::parse(&newest)
        .and_then(|d| {
            let (y, m) = if d.month() > 9 {
                (d.year() + 1, d.month() - 9)
            } else {
                (d.year(), d.month() + 3)
            };
            Some(Day::new(y, m, 1)?.pred().to_string())
        })
        .unwrap_or_default();
    built.releases.push(Release {
        set: "HCPCS",
        release: quarter,
        effective_from: newest,
        effective_to: quarter_end,
        sources,
        updates: Vec::new(),
    });
    Ok(())
}

/// `HCPC2025_OCT_ANWEB_v4.xlsx` or `hcpcs-2025-10-anweb.tsv` → "2025 Q4 (October)".
fn quarter_name(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    let year: String = n
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take(4)
        .collect();
    if year.len() != 4 {
        return None;
    }
    let after = &n[n.find(&year)? + 4..];
    let month = [
        ("jan", 1),
        ("apr", 4),
        ("jul", 7),
        ("oct", 10),
        ("-01", 1),
        ("-04", 4),
        ("-07", 7),
        ("-10", 10),
    ]
    .iter()
    .find(|(m, _)| {
        after
            .trim_start_matches('_')
            .starts_with(m.trim_start_matches('-'))
            || after.starts_with(m)
    })
    .map(|m| m.1)?;
    let names = ["January", "April", "July", "October"];
    let q = (month - 1) / 3;
    Some(format!("{year} Q{} ({})", q + 1, names[q]))
}
