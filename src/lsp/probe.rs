//! Every request a client can make about a document, run in process as the handlers run
//! them, without a transport: for the fuzz targets and property tests, which must reach
//! completion, hover, highlights and the rest with any text at any position.

use super::convert::{self, Positions};
use super::features;
use super::server::State;
use crate::document::{Document, Encoding};
use crate::hints::Vocabulary;
use crate::scan::Scanner;
use std::sync::Arc;
use tower_lsp_server::ls_types::*;

pub struct Probe {
    state: State,
    /// The state's scanner (a probe's is loaded from the start).
    scanner: Arc<Scanner>,
    uri: Uri,
}

/// How many answers the features gave (so the work cannot be optimised away).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    pub hover: bool,
    pub completion_items: usize,
    pub highlights: usize,
    pub code_actions: usize,
}

impl Probe {
    /// A file name and language id for each kind of document (what decides a kind), for
    /// the fuzz targets to pick from.
    pub const KINDS: [(&'static str, &'static str); 7] = [
        ("visit.note", "plaintext"),
        ("charges.csv", "csv"),
        ("claim.837", "plaintext"),
        ("claim.fhir.json", "json"),
        ("charges.hl7", "plaintext"),
        ("march.superbill", "chargesheet"),
        ("notes.csv", "csv"),
    ];

    /// A server state over these code sets; with a vocabulary, documentation hints are on.
    pub fn new(scanner: Arc<Scanner>, vocabulary: Option<Vocabulary>) -> Probe {
        Probe {
            state: State::with(scanner.clone(), vocabulary),
            scanner,
            uri: "file:///probe".parse().expect("a valid URI"),
        }
    }

    /// Positions in UTF-8 bytes instead of UTF-16 units (as a client may negotiate).
    pub fn utf8(&mut self, on: bool) {
        self.state.encoding = if on { Encoding::Utf8 } else { Encoding::Utf16 };
    }

    /// Opens `text` as `didOpen` would, under a file name and language id (which decide
    /// its kind), replacing the document opened before.
    pub fn open(&mut self, name: &str, language_id: &str, text: String) {
        let scanner = self.scanner.clone();
        self.uri = format!("file:///probe/{}", sanitize(name))
            .parse()
            .unwrap_or_else(|_| "file:///probe".parse().expect("a valid URI"));
        self.state.docs.clear();
        let doc = Document::open(&scanner, text, 1, self.uri.path().as_str(), language_id);
        self.state.docs.insert(self.uri.clone(), doc);
    }

    /// Replaces `text[start..end]` (byte offsets, moved back to character boundaries)
    /// with `insert`, as one `didChange` with a range would, through the same steps.
    pub fn edit(&mut self, start: usize, end: usize, insert: &str) {
        let encoding = self.state.encoding;
        let scanner = self.scanner.clone();
        let Some(doc) = self.state.docs.get_mut(&self.uri) else {
            return;
        };
        let boundary = |mut at: usize| {
            at = at.min(doc.text.len());
            while !doc.text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (start, end) = (boundary(start), boundary(end));
        let (start, end) = (start.min(end), start.max(end));
        let change = TextDocumentContentChangeEvent {
            range: Some(doc.range(start, end, encoding)),
            range_length: None,
            text: insert.to_string(),
        };
        let edit = doc.edit_text(convert::change(&change), encoding);
        doc.reread(&scanner, edit);
        doc.version += 1;
    }

    /// The document's text as the server holds it.
    pub fn text(&self) -> &str {
        self.state
            .docs
            .get(&self.uri)
            .map_or("", |d| d.text.as_str())
    }

    /// The diagnostics `textDocument/diagnostic` would report, as (code, range, message).
    pub fn diagnostics(&self) -> Vec<(String, Range, String)> {
        let Some(doc) = self.state.docs.get(&self.uri) else {
            return Vec::new();
        };
        let mut out: Vec<(String, Range, String)> =
            features::diagnostics(&self.state, &self.uri, doc)
                .into_iter()
                .map(|d| {
                    let code = match d.code {
                        Some(NumberOrString::String(s)) => s,
                        _ => String::new(),
                    };
                    (code, d.range, d.message)
                })
                .collect();
        out.sort_by(|a, b| {
            (a.1.start.line, a.1.start.character, &a.0, &a.2).cmp(&(
                b.1.start.line,
                b.1.start.character,
                &b.0,
                &b.2,
            ))
        });
        out
    }

    /// Every document feature once, and the position features at `line`:`character`.
    pub fn everything_at(&self, line: u32, character: u32) -> Answers {
        let st = &self.state;
        let Some(doc) = st.docs.get(&self.uri) else {
            return Answers::default();
        };
        let position = Position::new(line, character);
        let whole = Range::new(Position::new(0, 0), Position::new(u32::MAX, 0));
        features::diagnostics(st, &self.uri, doc);
        features::inlay_hints(st, doc, whole);
        features::code_lenses(st, doc);
        features::semantic_tokens(st, doc);
        features::document_symbols(st, doc);
        let hover = features::hover(st, doc, position).is_some();
        let items = match features::completion(st, &self.uri, doc, position) {
            Some(CompletionResponse::Array(items)) => items,
            Some(CompletionResponse::List(list)) => list.items,
            None => Vec::new(),
        };
        for item in items.iter().take(5) {
            features::resolve(st, item.clone());
        }
        let highlights = features::highlights(st, doc, position).len();
        let code_actions = features::code_actions(
            st,
            &self.uri,
            doc,
            Range::new(Position::new(line, 0), position),
            None,
        )
        .len();
        Answers {
            hover,
            completion_items: items.len(),
            highlights,
            code_actions,
        }
    }

    /// `workspace/symbol` for `query`.
    pub fn workspace_symbols(&self, query: &str) -> usize {
        features::workspace_symbols(&self.state, query).len()
    }

    /// `dxpx/lookup` for `code`, in Markdown and in plain text.
    pub fn lookup(&self, code: &str) -> Option<String> {
        let sets = self.scanner.sets();
        let plain = features::lookup(sets, code, false);
        features::lookup(sets, code, true).or(plain)
    }
}

fn sanitize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect()
}
