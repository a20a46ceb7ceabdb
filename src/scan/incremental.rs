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
        // Mentions never cross a line, and only a heading reaches past its line (to the
        // next blank line), so that is the whole region an edit can change.
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

/// The end of the first blank line after `pos` (a line end), or of the last line a
/// heading above could reach.
fn next_blank_line(bytes: &[u8], mut pos: usize) -> usize {
    for _ in 0..=super::HEADING_REACH {
        if pos >= bytes.len() {
            return bytes.len();
        }
        let e = line_end(bytes, pos + 1);
        if bytes[pos + 1..e].iter().all(u8::is_ascii_whitespace) {
            return e;
        }
        pos = e;
    }
    pos
}
