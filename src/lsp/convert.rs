//! Core values → LSP values. The only place besides the handlers that knows ls_types.

use crate::codes::{Status, System};
use crate::document::{Change, Document, Encoding, LineCol};
use crate::rules::{Finding, Fix, Rule, Severity};
use std::collections::HashMap;
use tower_lsp_server::ls_types::*;

/// A core document's byte offsets as protocol positions and back.
pub trait Positions {
    /// The byte offset of a protocol position, clamped to the document.
    fn lsp_offset(&self, pos: Position, enc: Encoding) -> usize;
    fn lsp_position(&self, offset: usize, enc: Encoding) -> Position;
    fn range(&self, start: usize, end: usize, enc: Encoding) -> Range {
        Range::new(self.lsp_position(start, enc), self.lsp_position(end, enc))
    }
}

impl Positions for Document {
    fn lsp_offset(&self, pos: Position, enc: Encoding) -> usize {
        self.offset(line_col(pos), enc)
    }

    fn lsp_position(&self, offset: usize, enc: Encoding) -> Position {
        let at = self.position(offset, enc);
        Position::new(at.line, at.column)
    }
}

pub fn line_col(pos: Position) -> LineCol {
    LineCol {
        line: pos.line,
        column: pos.character,
    }
}

/// A `didChange` content change as a core one.
pub fn change(c: &TextDocumentContentChangeEvent) -> Change<'_> {
    Change {
        range: c.range.map(|r| (line_col(r.start), line_col(r.end))),
        text: &c.text,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(doc: &Document, uri: &Uri, f: &Finding, enc: Encoding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), doc.range(r.start, r.end, enc)),
            message: r.message.clone(),
        })
        .collect();
    Diagnostic {
        range: doc.range(f.start, f.end, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.id())),
        source: Some("dxpx".into()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (f.rule == Rule::RetiredCode || f.rule == Rule::TerminatedCode)
            .then(|| vec![DiagnosticTag::DEPRECATED]),
        ..Diagnostic::default()
    }
}

/// What the editor shows for a document dxpx could not check because of a bug in dxpx.
pub fn internal_error(fault: &crate::fault::Fault, lost: bool) -> Diagnostic {
    let message = if lost {
        format!(
            "dxpx lost track of this document's text after an {fault}: close and reopen it to \
             check it again. Other documents are still checked."
        )
    } else {
        format!(
            "dxpx could not check this document: {fault}. Other documents are still checked; \
             an edit checks it again."
        )
    };
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::WARNING),
        code: Some(NumberOrString::String("dxpx/internal-error".into())),
        source: Some("dxpx".into()),
        message,
        ..Diagnostic::default()
    }
}

/// A quick fix as a WorkspaceEdit on the document, for the diagnostics it resolves.
pub fn code_action(
    doc: &Document,
    uri: &Uri,
    fix: &Fix,
    resolves: Vec<Diagnostic>,
    enc: Encoding,
) -> CodeActionOrCommand {
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit {
            range: doc.range(e.start, e.end, enc),
            new_text: e.text.clone(),
        })
        .collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title: fix.title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(resolves),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: fix.preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// A code offered by completion, ranked `rank`, replacing `range`.
pub fn completion_item(
    c: &crate::ide::Candidate,
    range: Range,
    rank: usize,
    found: &crate::ide::Completion,
) -> CompletionItem {
    let billable = match c.status {
        Status::Valid | Status::Invalid => "",
        Status::Header => " (header, not billable)",
        Status::Retired => " (terminated)",
    };
    // Items stay small: a prefix such as "S72." lists many, and every byte is serialised.
    let filter = if found.by_words {
        Some(found.typed.clone())
    } else if found.typed.contains('.') || !c.code.contains('.') {
        None
    } else {
        Some(c.code.replace('.', ""))
    };
    let detail = match &c.matched {
        Some(matched) => format!("{} (“{matched}”)", c.title),
        None => format!("{}{billable}", c.title),
    };
    CompletionItem {
        label: c.code.clone(),
        kind: Some(completion_kind(c.status)),
        detail: Some(detail),
        sort_text: Some(format!("{rank:04}")),
        filter_text: filter,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range,
            new_text: c.code.clone(),
        })),
        data: Some(serde_json::json!(c.system.name())),
        ..CompletionItem::default()
    }
}

/// Procedures show as functions, diagnoses as constants.
pub fn symbol_kind(system: System) -> SymbolKind {
    if system.is_procedure() {
        SymbolKind::FUNCTION
    } else {
        SymbolKind::CONSTANT
    }
}

pub fn completion_kind(status: Status) -> CompletionItemKind {
    match status {
        Status::Valid => CompletionItemKind::VALUE,
        Status::Header => CompletionItemKind::FOLDER,
        _ => CompletionItemKind::TEXT,
    }
}

/// Semantic token legend: token types by role, modifiers by system and status.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::TYPE,
            SemanticTokenType::FUNCTION,
            SemanticTokenType::PARAMETER,
        ],
        token_modifiers: [
            SemanticTokenModifier::DEPRECATED,
            SemanticTokenModifier::new("invalid"),
            SemanticTokenModifier::new("header"),
        ]
        .into_iter()
        .chain(System::ALL.map(|s| SemanticTokenModifier::new(s.id())))
        .collect(),
    }
}

pub fn token_type(system: System) -> u32 {
    if system.is_procedure() { 1 } else { 0 }
}

pub fn token_modifiers(system: System, status: Status) -> u32 {
    let status_bit = match status {
        Status::Retired => 1,
        Status::Invalid => 1 << 1,
        Status::Header => 1 << 2,
        Status::Valid => 0,
    };
    // The systems' modifiers follow the three status modifiers, in `System::ALL` order.
    let system_index = System::ALL.iter().position(|s| *s == system).unwrap_or(0);
    status_bit | 1 << (3 + system_index)
}
