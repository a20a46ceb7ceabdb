//! A document open in an editor: its text (a rope for positions, a string for scanning),
//! version, and mentions kept up to date edit by edit. Positions are lines and columns in
//! the encoding the client chose; `lsp/` converts them to and from the protocol's.

use crate::analysis::{self, Kind, Structure};
use crate::fault::Fault;
use crate::scan::{Edit, ScanState, Scanner};
use ropey::Rope;

/// What a column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the protocol's default).
    Utf16,
}

/// A zero-based line and a column in some [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// One change of an editor's text: `text` replaces `range`, or the whole text when there
/// is no range.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub range: Option<(LineCol, LineCol)>,
    pub text: &'a str,
}

pub struct Document {
    pub version: i32,
    pub kind: Kind,
    name: String,
    language_id: String,
    /// Scopes and file problems of a charge sheet or claim; `None` for a note.
    pub structure: Option<Structure>,
    pub text: String,
    rope: Rope,
    pub scan: ScanState,
    /// The conditions the documentation hints found in this version, once asked for.
    pub conditions: std::sync::OnceLock<Vec<crate::hints::Condition>>,
    /// Set when a bug stopped dxpx from reading this text (see [`Document::recover`]).
    pub unread: Option<Fault>,
    /// Set when a bug struck while an edit was being applied: the text may no longer be
    /// the client's, so edits are ignored until the document is opened again.
    pub lost: bool,
}

impl Document {
    /// A document not read yet: [`Document::recover`] reads it (the server does so once its
    /// code sets are loaded).
    pub fn new(text: String, version: i32, name: &str, language_id: &str) -> Document {
        let rope = Rope::from_str(&text);
        Document {
            version,
            kind: Kind::detect(name, Some(language_id), &text),
            name: name.to_string(),
            language_id: language_id.to_string(),
            structure: None,
            text,
            rope,
            scan: ScanState::default(),
            conditions: std::sync::OnceLock::new(),
            unread: None,
            lost: false,
        }
    }

    /// A document read with `scanner` from the start.
    pub fn open(
        scanner: &Scanner,
        text: String,
        version: i32,
        name: &str,
        language_id: &str,
    ) -> Document {
        let mut doc = Document::new(text, version, name, language_id);
        doc.recover(scanner);
        doc
    }

    /// Applies one change from `didChange` to the text. Positions past the end are
    /// clamped, so a confused client cannot make the server panic. The mentions are
    /// brought up to date by [`Document::reread`] after it.
    pub fn edit_text(&mut self, change: Change<'_>, enc: Encoding) -> Edit {
        self.conditions = std::sync::OnceLock::new();
        let (start, end) = match change.range {
            None => (0, self.text.len()),
            Some((from, to)) => {
                let start = self.offset(from, enc);
                (start, self.offset(to, enc).max(start))
            }
        };
        let edit = Edit {
            old_start: start,
            old_end: end,
            new_len: change.text.len(),
        };
        self.text.replace_range(start..end, change.text);
        if change.range.is_none() {
            self.rope = Rope::from_str(&self.text);
        } else {
            let (cs, ce) = (self.rope.byte_to_char(start), self.rope.byte_to_char(end));
            self.rope.remove(cs..ce);
            self.rope.insert(cs, change.text);
        }
        edit
    }

    /// Brings the mentions up to date after [`Document::edit_text`]: a note is rescanned
    /// around the edit; a charge sheet or claim (small, and whose structure any edit can
    /// change) is read again whole, as is a document whose kind the edit changed.
    pub fn reread(&mut self, scanner: &Scanner, edit: Edit) {
        let kind = Kind::detect(&self.name, Some(&self.language_id), &self.text);
        let whole = edit.old_start == 0 && edit.new_len == self.text.len();
        if kind == Kind::Note && self.kind == Kind::Note && !whole && self.unread.is_none() {
            self.scan.apply(scanner, &self.text, edit);
        } else {
            self.rescan(scanner);
        }
    }

    /// Reads the document from scratch (on open, and after the code sets changed).
    pub fn rescan(&mut self, scanner: &Scanner) {
        self.conditions = std::sync::OnceLock::new();
        self.kind = Kind::detect(&self.name, Some(&self.language_id), &self.text);
        let (mentions, structure) = analysis::read(scanner, self.kind, &self.text);
        self.scan = ScanState { mentions };
        self.structure = structure;
        self.unread = None;
    }

    /// After a bug while reading the document: its text is right, what was read of it is
    /// not. Reads it again from scratch; if that fails too, the document has no mentions
    /// and says why, until an edit or a reload reads it whole again.
    pub fn recover(&mut self, scanner: &Scanner) {
        if let Err(fault) = crate::fault::catch(|| self.rescan(scanner)) {
            self.scan = ScanState::default();
            self.structure = None;
            self.conditions = std::sync::OnceLock::new();
            self.unread = Some(fault);
        }
    }

    /// The findings of this version: the rules, the format's own problems and what `hints`
    /// finds for the document's scopes, through the one finishing step (suppressions,
    /// severities, order) that every adapter shares.
    pub fn check(
        &self,
        sets: &crate::codes::CodeSets,
        config: &crate::config::Config,
        hints: impl FnOnce(&[crate::rules::Scope]) -> Vec<crate::rules::Finding>,
    ) -> Vec<crate::rules::Finding> {
        let (_, findings) = analysis::check_with_hints(
            sets,
            config,
            &self.text,
            &self.scan.mentions,
            self.structure.as_ref(),
            hints,
        );
        findings
    }

    /// Each encounter's or claim's numbers ([`crate::summary`]), for the code lens: the rules
    /// without the documentation hints, which change none of them.
    pub fn visits(
        &self,
        sets: &crate::codes::CodeSets,
        config: &crate::config::Config,
    ) -> Vec<crate::summary::VisitSummary> {
        let (scopes, findings) = analysis::check(
            sets,
            config,
            &self.text,
            &self.scan.mentions,
            self.structure.as_ref(),
        );
        let fallback = config
            .as_of
            .unwrap_or_else(crate::codes::history::Day::today);
        crate::summary::summarize(sets, &self.scan.mentions, &scopes, &findings, fallback)
            .into_iter()
            .filter(|v| v.diagnoses + v.procedures > 0)
            .collect()
    }

    /// After a bug while an edit was applied: the text is dropped rather than kept wrong.
    pub fn lose(&mut self, fault: Fault) {
        self.text.clear();
        self.rope = Rope::new();
        self.scan = ScanState::default();
        self.structure = None;
        self.conditions = std::sync::OnceLock::new();
        self.unread = Some(fault);
        self.lost = true;
    }

    /// The byte offset of a line and column, clamped to the document.
    pub fn offset(&self, pos: LineCol, enc: Encoding) -> usize {
        let lines = self.rope.len_lines();
        let line = pos.line as usize;
        if line >= lines {
            return self.text.len();
        }
        let line_byte = self.rope.line_to_byte(line);
        let line_slice = self.rope.line(line);
        // Columns never reach into the line break.
        let content_len = line_slice.len_bytes() - trailing_break(line_slice);
        let col = pos.column as usize;
        let byte_in_line = match enc {
            Encoding::Utf8 => {
                let mut c = col.min(content_len);
                while c > 0 && !self.text.is_char_boundary(line_byte + c) {
                    c -= 1;
                }
                c
            }
            Encoding::Utf16 => {
                let line_char = self.rope.line_to_char(line);
                let base = self.rope.char_to_utf16_cu(line_char);
                let content_chars = line_slice.len_chars() - trailing_break_chars(line_slice);
                let max = self.rope.char_to_utf16_cu(line_char + content_chars) - base;
                let ch = self.rope.utf16_cu_to_char(base + col.min(max));
                self.rope.char_to_byte(ch) - line_byte
            }
        };
        line_byte + byte_in_line
    }

    /// The line and column of a byte offset.
    pub fn position(&self, offset: usize, enc: Encoding) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.rope.byte_to_line(offset);
        let line_byte = self.rope.line_to_byte(line);
        let character = match enc {
            Encoding::Utf8 => offset - line_byte,
            Encoding::Utf16 => {
                let ch = self.rope.byte_to_char(offset);
                let line_char = self.rope.line_to_char(line);
                self.rope.char_to_utf16_cu(ch) - self.rope.char_to_utf16_cu(line_char)
            }
        };
        LineCol {
            line: line as u32,
            column: character as u32,
        }
    }

    /// The line containing `offset`, as a byte range without its line break.
    pub fn line_bounds(&self, offset: usize) -> (usize, usize) {
        let start = self.text[..offset.min(self.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        (start, end)
    }
}

fn trailing_break(line: ropey::RopeSlice) -> usize {
    let n = line.len_bytes();
    let bytes: Vec<u8> = line.bytes_at(n.saturating_sub(2)).take(2).collect();
    match bytes.as_slice() {
        [b'\r', b'\n'] => 2,
        [_, b'\n'] | [_, b'\r'] | [b'\n'] | [b'\r'] => 1,
        _ => 0,
    }
}

fn trailing_break_chars(line: ropey::RopeSlice) -> usize {
    trailing_break(line) // line breaks are ASCII: one byte, one char
}
