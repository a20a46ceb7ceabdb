//! Charge sheets: CSV or TSV with a header row. Columns are found by the names coders give
//! them; each procedure line links to its diagnoses by pointer (`A`, `AB`, `1,2`), or, with
//! no pointer column, to the diagnoses on its row.

use super::{Parsed, fields};
use crate::codes::CodeSets;
use crate::rules::patient::{Patient, Stated, born_in_field};
use crate::rules::{Finding, Related, Rule, Scope, Severity};
use crate::scan::Mention;

/// What a column holds, from its header name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Procedure,
    Modifier,
    Diagnosis,
    Pointer,
    Date,
    /// The patient's birth date (`dob`, `birth_date`) or age (`age`, `patient_age`).
    BirthDate,
    Age,
    /// The encounter, visit or claim a row bills for (`encounter`, `claim_id`, `visit`):
    /// rows that share it are billed together.
    Visit,
    /// A whole note in each cell (`note`, `note_text`, `transcription`).
    NoteText,
    Other,
}

/// A field of a record: its byte range in the file, quotes excluded.
#[derive(Debug, Clone, Copy)]
struct Field {
    start: usize,
    end: usize,
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn role(name: &str) -> Role {
    let n = normalize(name);
    let has = |s: &str| n.contains(s);
    if has("pointer") || n == "dxptr" || n == "ptr" {
        Role::Pointer
    } else if has("modifier")
        || n == "mod"
        || n == "mods"
        || (n.starts_with("mod") && n[3..].bytes().all(|b| b.is_ascii_digit()))
    {
        Role::Modifier
    } else if n == "dob" || has("birth") {
        Role::BirthDate
    } else if n == "age" || n == "patientage" || n == "ageyears" {
        Role::Age
    } else if has("date") || n == "dos" {
        Role::Date
    } else if has("encounter") || has("claim") || has("visit") {
        Role::Visit
    } else if has("note") || has("transcription") || has("narrative") || n == "text" {
        Role::NoteText
    } else if has("icd") || has("dx") || has("diag") {
        Role::Diagnosis
    } else if has("cpt")
        || has("hcpcs")
        || has("procedure")
        || n == "proc"
        || n == "code"
        || n == "px"
        || n == "servicecode"
        || n == "chargecode"
    {
        Role::Procedure
    } else {
        Role::Other
    }
}

/// Records of a delimited file, quote-aware, with each field's byte range.
fn records(text: &str, delimiter: u8) -> Vec<(usize, Vec<Field>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let record_start = i;
        let mut fields = Vec::new();
        loop {
            let (start, end, next);
            if b.get(i) == Some(&b'"') {
                // Quoted: up to the closing quote not doubled.
                let mut j = i + 1;
                while j < b.len() && !(b[j] == b'"' && b.get(j + 1) != Some(&b'"')) {
                    j += if b[j] == b'"' { 2 } else { 1 };
                }
                start = i + 1;
                end = j.min(b.len());
                let mut k = (j + 1).min(b.len());
                while k < b.len() && b[k] != delimiter && b[k] != b'\n' {
                    k += 1;
                }
                next = k;
            } else {
                let mut j = i;
                while j < b.len() && b[j] != delimiter && b[j] != b'\n' {
                    j += 1;
                }
                start = i;
                end = if j > i && b[j - 1] == b'\r' { j - 1 } else { j };
                next = j;
            }
            fields.push(Field { start, end });
            if next < b.len() && b[next] == delimiter {
                i = next + 1;
                continue;
            }
            i = next + 1;
            break;
        }
        let blank = fields.len() == 1 && text[fields[0].start..fields[0].end].trim().is_empty();
        if !blank {
            out.push((record_start, fields));
        }
    }
    out
}

fn delimiter_of(first_line: &str) -> u8 {
    [b',', b'\t', b';', b'|']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// The start of the cell holding `offset` and its column's role (for completion).
pub fn cell_at(text: &str, offset: usize) -> Option<(usize, Role)> {
    let first = text.lines().next()?;
    let delimiter = delimiter_of(first);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    if line_start == 0 {
        return None; // the header itself
    }
    let before = &text.as_bytes()[line_start..offset];
    let mut column = 0;
    let mut cell_start = line_start;
    let mut quoted = false;
    for (i, b) in before.iter().enumerate() {
        match *b {
            b'"' => quoted = !quoted,
            d if d == delimiter && !quoted => {
                column += 1;
                cell_start = line_start + i + 1;
            }
            _ => {}
        }
    }
    let header = first.split(delimiter as char).nth(column)?;
    // An opening quote before the cursor is not part of the cell (one after it is not yet).
    let quoted = cell_start < offset && text.as_bytes()[cell_start] == b'"';
    let cell_start = cell_start + usize::from(quoted);
    // A cell holding several codes completes the last one.
    let last = text[cell_start..offset]
        .rfind([';', '|', ','])
        .map_or(cell_start, |i| cell_start + i + 1);
    let last = last + (text[last..offset].len() - text[last..offset].trim_start().len());
    Some((last, role(header.trim_matches('"'))))
}

fn header_roles(text: &str) -> Vec<Role> {
    let first = text.lines().next().unwrap_or("");
    let d = delimiter_of(first) as char;
    first.split(d).map(|c| role(c.trim_matches('"'))).collect()
}

/// Whether a text is a charge sheet: a header row naming a procedure and a diagnosis column.
pub fn looks_like(text: &str) -> bool {
    let roles = header_roles(text);
    roles.contains(&Role::Procedure)
        && (roles.contains(&Role::Diagnosis) || roles.contains(&Role::Pointer))
}

/// Whether a table holds whole notes, one per row: a note-text column, and no procedure
/// column to make it a charge sheet.
pub fn holds_notes(text: &str) -> bool {
    let roles = header_roles(text);
    roles.contains(&Role::NoteText) && !looks_like(text)
}

/// What dxpx reads in a table, said when a header names none of it.
const READABLE_COLUMNS: &str = "procedure codes (CPT, HCPCS, Procedure, Code), diagnosis codes \
(ICD-10, Dx 1…Dx 12, Diagnosis), diagnosis pointers (dx_pointer), modifiers, dates of service, \
or note text (note, text, transcription)";

/// A table of notes: each note-text cell is a note of its own, scanned as one, and each
/// row is its own encounter (or several, when its note has several dates of service), so a
/// procedure is never supported by another row's patient. Positions are the file's.
pub fn parse_notes(scanner: &crate::scan::Scanner, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let delimiter = delimiter_of(text.lines().next().unwrap_or(""));
    let recs = records(text, delimiter);
    let Some((_, header)) = recs.first() else {
        return parsed;
    };
    let roles: Vec<Role> = header
        .iter()
        .map(|f| role(text[f.start..f.end].trim()))
        .collect();
    for (_, fields) in recs.iter().skip(1) {
        for (f, _) in fields
            .iter()
            .zip(&roles)
            .filter(|(_, r)| **r == Role::NoteText)
        {
            let note = &text[f.start..f.end];
            let first = parsed.mentions.len();
            let mentions = scanner.scan(note);
            // Scopes from the note's own offsets, then everything moved to the file's.
            for mut scope in crate::rules::scope::encounters(note, &mentions) {
                scope.start += f.start;
                scope.end += f.start;
                scope.note = scope.note.map(|(s, e)| (s + f.start, e + f.start));
                for i in &mut scope.mentions {
                    *i += first;
                }
                parsed.scopes.push(scope);
            }
            parsed.mentions.extend(mentions.into_iter().map(|mut m| {
                m.start += f.start;
                m.end += f.start;
                for md in &mut m.modifiers {
                    md.start += f.start;
                    md.end += f.start;
                }
                m
            }));
        }
    }
    parsed
}

/// Splits a cell on the separators coders use between codes: `;` `,` `|` `/` and spaces.
fn tokens(text: &str, field: Field) -> Vec<Field> {
    let mut out = Vec::new();
    let mut s = None;
    for (i, c) in text[field.start..field.end].char_indices() {
        let at = field.start + i;
        if matches!(c, ';' | ',' | '|' | '/' | ' ' | '\t') {
            if let Some(st) = s.take() {
                out.push(Field { start: st, end: at });
            }
        } else if s.is_none() {
            s = Some(at);
        }
    }
    if let Some(st) = s {
        out.push(Field {
            start: st,
            end: field.end,
        });
    }
    out
}

fn problem(rule: Rule, start: usize, end: usize, message: String) -> Finding {
    Finding {
        rule,
        severity: Severity::Warning,
        start,
        end,
        message,
        related: Vec::new(),
        fixes: Vec::new(),
    }
}

pub fn parse(sets: &CodeSets, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = delimiter_of(first_line);
    let recs = records(text, delimiter);
    let Some((_, header)) = recs.first() else {
        return parsed;
    };
    let names: Vec<&str> = header.iter().map(|f| text[f.start..f.end].trim()).collect();
    let roles: Vec<Role> = names.iter().map(|n| role(n)).collect();
    let codes = [Role::Procedure, Role::Diagnosis, Role::Pointer];
    if !roles.iter().any(|r| codes.contains(r)) {
        let end = header.last().map_or(0, |f| f.end);
        parsed.problems.push(super::problem(
            0,
            end,
            format!("the first row names no column dxpx reads, so nothing in this table is checked; dxpx reads a header row naming {READABLE_COLUMNS}"),
        ));
        return parsed;
    }
    let has_pointer = roles.contains(&Role::Pointer);
    let procedure_column = roles.iter().position(|r| *r == Role::Procedure);
    // Each distinct value of the visit column, numbered in the order met.
    let mut visits: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (row_start, fields) in recs.iter().skip(1) {
        if fields.len() != header.len() {
            let end = fields.last().map_or(*row_start, |f| f.end);
            parsed.problems.push(problem(
                Rule::MalformedFile,
                *row_start,
                end,
                format!(
                    "this row has {} field{} where the header has {}; the codes in it are still checked",
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" },
                    header.len()
                ),
            ));
        }
        let cell = |c: usize| fields.get(c).copied().filter(|f| f.end > f.start);
        // Diagnoses per diagnosis column, in column order (pointer A is the first).
        let mut per_column: Vec<Vec<usize>> = Vec::new();
        let mut procedure: Option<usize> = None;
        let mut pointer: Option<Field> = None;
        let mut date = None;
        let mut visit = None;
        let mut patient = None;
        // A diagnosis written in the row's first empty diagnosis cell is the line's; with a
        // pointer column it would be linked only once a pointer names it, so no slot.
        let mut slot = None;
        for (c, role) in roles.iter().enumerate() {
            let Some(f) = cell(c) else {
                if *role == Role::Diagnosis {
                    per_column.push(Vec::new());
                    if !has_pointer && slot.is_none() {
                        slot = fields.get(c).map(|f| f.start);
                    }
                }
                continue;
            };
            match role {
                Role::Diagnosis => {
                    let mut found = Vec::new();
                    for t in tokens(text, f) {
                        if let Some(m) = fields::diagnosis(sets, text, t.start, t.end, names[c]) {
                            found.push(parsed.mentions.len());
                            parsed.mentions.push(m);
                        }
                    }
                    per_column.push(found);
                }
                Role::Procedure if Some(c) == procedure_column => {
                    match fields::procedure(sets, text, f.start, f.end, names[c]) {
                        Some(m) => {
                            procedure = Some(parsed.mentions.len());
                            parsed.mentions.push(m);
                        }
                        // A value in a procedure column that is no procedure code is a
                        // line that would be billed with nothing dxpx can check.
                        None if !text[f.start..f.end].trim().is_empty() => {
                            parsed.problems.push(super::problem(
                                f.start,
                                f.end,
                                format!(
                                    "{:?} in column {} is not a procedure code: CPT and HCPCS codes have 5 characters (99213, J1885), ICD-10-PCS 7",
                                    text[f.start..f.end].trim(),
                                    names[c]
                                ),
                            ));
                        }
                        None => {}
                    }
                }
                Role::Modifier => {
                    if let Some(p) = procedure {
                        for t in tokens(text, f) {
                            let md = fields::modifier(sets, text, t.start, t.end);
                            parsed.mentions[p].modifiers.push(md);
                        }
                    }
                }
                Role::Pointer => pointer = Some(f),
                Role::Visit => {
                    let id = text[f.start..f.end].trim();
                    let next = visits.len();
                    visit = Some(*visits.entry(id).or_insert(next));
                }
                Role::Date => {
                    date = date
                        .or_else(|| crate::rules::scope::parse_date(text[f.start..f.end].trim()))
                }
                Role::BirthDate => {
                    let born = crate::rules::scope::parse_date(text[f.start..f.end].trim());
                    patient = born.and_then(|d| born_in_field(&d, f.start, f.end));
                }
                Role::Age => {
                    patient = text[f.start..f.end]
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|years| *years <= 124)
                        .map(|years| Patient {
                            stated: Stated::Age(years),
                            start: f.start,
                            end: f.end,
                        });
                }
                _ => {}
            }
        }
        let Some(p) = procedure else { continue };
        let mut linked = Vec::new();
        if has_pointer {
            if let Some(f) = pointer {
                for (i, at) in pointer_indexes(&text[f.start..f.end]) {
                    match per_column.get(i).filter(|d| !d.is_empty()) {
                        Some(ds) => linked.extend(ds.iter().copied()),
                        None => {
                            let mut finding = problem(
                                Rule::DanglingPointer,
                                f.start + at,
                                f.start + at + 1,
                                format!(
                                    "diagnosis pointer {} points to an empty diagnosis field; {} is not linked to it",
                                    &text[f.start + at..f.start + at + 1],
                                    parsed.mentions[p].code
                                ),
                            );
                            finding.severity = Severity::Error;
                            finding.related.push(Related {
                                start: parsed.mentions[p].start,
                                end: parsed.mentions[p].end,
                                message: "the service line".into(),
                            });
                            parsed.problems.push(finding);
                        }
                    }
                }
            }
        } else {
            linked.extend(per_column.iter().flatten().copied());
        }
        let mut scope_mentions = vec![p];
        scope_mentions.extend(linked);
        scope_mentions.sort_unstable();
        scope_mentions.dedup();
        let end = fields.last().map_or(*row_start, |f| f.end);
        parsed.scopes.push(Scope {
            start: *row_start,
            end,
            mentions: scope_mentions,
            date_of_service: date,
            visit,
            // A row's diagnoses are the line's, by its pointers or by being on it.
            linked: true,
            principal: None,
            patient,
            note: None,
            diagnosis_slot: slot,
        });
    }
    parsed
}

/// `AB`, `A,B`, `1 2`, `1,3` → diagnosis column indexes, each with its offset in the cell.
fn pointer_indexes(cell: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = cell.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() {
            out.push(((c.to_ascii_uppercase() - b'A') as usize, i));
            i += 1;
        } else if c.is_ascii_digit() {
            let s = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let n: usize = cell[s..i].parse().unwrap_or(0);
            out.push((n.saturating_sub(1), s));
        } else {
            i += 1;
        }
    }
    out
}

/// The mention indexes of a procedure line's scope, for tests and the LSP.
pub fn linked_codes(parsed: &Parsed, procedure: &Mention) -> Vec<String> {
    parsed
        .scopes
        .iter()
        .find(|s| {
            s.mentions
                .iter()
                .any(|&i| parsed.mentions[i].start == procedure.start)
        })
        .map(|s| {
            s.mentions
                .iter()
                .map(|&i| &parsed.mentions[i])
                .filter(|m| !m.system.is_procedure())
                .map(|m| m.code.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_quotes_and_crlf() {
        let text = "a,\"b,c\",d\r\n1,\"x\"\"y\",3\r\n";
        let r = records(text, b',');
        assert_eq!(r.len(), 2);
        assert_eq!(&text[r[0].1[1].start..r[0].1[1].end], "b,c");
        assert_eq!(&text[r[1].1[2].start..r[1].1[2].end], "3");
    }

    /// Completion right before a quoted cell (found by the features fuzz target).
    #[test]
    fn the_cell_at_a_cursor_before_an_opening_quote() {
        let text = "cpt,dx\n99213,\"E11.9\"\n";
        let before_quote = text.find('"').unwrap();
        assert_eq!(
            cell_at(text, before_quote),
            Some((before_quote, Role::Diagnosis))
        );
        assert_eq!(
            cell_at(text, before_quote + 4),
            Some((before_quote + 1, Role::Diagnosis))
        );
    }

    #[test]
    fn pointers() {
        assert_eq!(
            pointer_indexes("AB")
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(
            pointer_indexes("1,3")
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            [0, 2]
        );
    }
}
