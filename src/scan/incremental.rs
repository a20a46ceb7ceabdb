//! Rescanning after an edit: only the lines the edit touched (and their neighbours, which
//! a heading or a code on the same line can affect) are scanned again.

use super::{Mention, Scanner};

/// A text change in byte offsets of the old text: `old_start..old_end` became `new_len`
/// bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    pub old_start: usize,
    pub old_end: usize,
    pub new_len: usize,
}

/// The mentions of one text, kept up to date edit by edit.
#[derive(Debug, Clone, Default)]
pub struct ScanState {
    pub mentions: Vec<Mention>,
}

impl ScanState {
    pub fn new(scanner: &Scanner, text: &str) -> ScanState {
        ScanState {
            mentions: scanner.scan(text),
        }
    }

    /// Updates the mentions for `edit`, which turned the old text into `text`.
    pub fn apply(&mut self, scanner: &Scanner, text: &str, edit: Edit) {
        let bytes = text.as_bytes();
        let delta = edit.new_len as isize - (edit.old_end - edit.old_start) as isize;
        let new_end = (edit.old_start + edit.new_len).min(bytes.len());
        // Mentions never cross a line, and only headings and tables reach past their line
        // (to the next blank line, or past it for a heading with nothing under it yet), so
        // that is the whole region an edit can change.
        let start = line_start(bytes, edit.old_start.min(new_end));
        let end = next_blank_line(bytes, line_end(bytes, new_end));
        let old_end = (end as isize - delta) as usize;

        let first = self.mentions.partition_point(|m| m.start < start);
        let last = self.mentions.partition_point(|m| m.start < old_end);
        let fresh = scanner.scan_range(text, start, end);
        let shifted: Vec<Mention> = self.mentions[last..]
            .iter()
            .cloned()
            .map(|mut m| {
                let shift = |pos: &mut usize| *pos = (*pos as isize + delta) as usize;
                shift(&mut m.start);
                shift(&mut m.end);
                for md in &mut m.modifiers {
                    shift(&mut md.start);
                    shift(&mut md.end);
                }
                m
            })
            .collect();
        self.mentions.truncate(first);
        self.mentions.extend(fresh);
        self.mentions.extend(shifted);
    }
}

fn line_start(bytes: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1)
}

fn line_end(bytes: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i)
}

/// Where the effect of an edit ending at `pos` (a line end) ends. A label heading and a
/// table end at a blank line; a section at the first blank line after its text, so a
/// heading with nothing under it reaches past blank lines. The edit may have made or
/// unmade such a heading (or a line of text under one), and the old text is gone: the
/// paragraph after the next blank lines is scanned too, and so on while a paragraph ends
/// in an empty heading. Without blank lines, the last line anything could reach.
fn next_blank_line(bytes: &[u8], mut pos: usize) -> usize {
    let reach = super::HEADING_REACH
        .max(super::SECTION_REACH)
        .max(super::TABLE_REACH);
    let mut last_text = (line_start(bytes, pos), pos);
    let mut after_blank = false;
    let mut spare_gaps = 1;
    for _ in 0..=2 * reach {
        if pos >= bytes.len() {
            return bytes.len();
        }
        let e = line_end(bytes, pos + 1);
        let blank = bytes[pos + 1..e].iter().all(u8::is_ascii_whitespace);
        if blank && !after_blank && !opens_a_section(&bytes[last_text.0..last_text.1]) {
            if spare_gaps == 0 {
                return e;
            }
            spare_gaps -= 1;
        }
        if !blank {
            last_text = (pos + 1, e);
        }
        after_blank = blank;
        pos = e;
    }
    pos
}

/// Whether a line is a heading with no text after its colon, whose section goes on past
/// the blank lines below it.
fn opens_a_section(line: &[u8]) -> bool {
    let line = String::from_utf8_lossy(line);
    super::structure::heading(&line)
        .is_some_and(|h| h.kind.is_some() && line[h.body..].trim().is_empty())
}
