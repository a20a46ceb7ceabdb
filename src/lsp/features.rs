//! What each request answers, computed from a document and the core.

use super::convert::{self, Positions};
use super::server::{State, findings};
use crate::codes::{Status, System};
use crate::document::Document;
use crate::ide::{self, Style};
use tower_lsp_server::ls_types::*;

/// The document's diagnostics; when a bug keeps dxpx from reading or checking it, one
/// diagnostic that says so in place of silence.
pub fn diagnostics(st: &State, uri: &Uri, doc: &Document) -> Vec<Diagnostic> {
    let checked = match &doc.unread {
        Some(fault) => Err(fault.clone()),
        None => crate::fault::catch(|| findings(st, uri, doc)),
    };
    match checked {
        Ok(findings) => findings
            .iter()
            .map(|f| convert::diagnostic(doc, uri, f, st.encoding))
            .collect(),
        Err(fault) => {
            super::server::log(
                MessageType::ERROR,
                &format!("checking {} failed: {fault}", uri.as_str()),
            );
            vec![convert::internal_error(&fault, doc.lost)]
        }
    }
}

pub fn hover(st: &State, doc: &Document, pos: Position) -> Option<Hover> {
    let offset = doc.lsp_offset(pos, st.encoding);
    let sets = st.scanner.as_ref()?.sets();
    let conditions = || {
        let scopes = crate::rules::scope::encounters(&doc.text, &doc.scan.mentions);
        super::server::conditions(st, doc, &scopes)
    };
    let shown = ide::hover(sets, doc, offset, style(st), conditions)?;
    let kind = if st.markdown {
        MarkupKind::Markdown
    } else {
        MarkupKind::PlainText
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind,
            value: shown.text,
        }),
        range: Some(doc.range(shown.start, shown.end, st.encoding)),
    })
}

/// The markup the client asked for.
fn style(st: &State) -> Style {
    if st.markdown {
        Style::Markdown
    } else {
        Style::Plain
    }
}

pub fn completion(
    st: &State,
    uri: &Uri,
    doc: &Document,
    pos: Position,
) -> Option<CompletionResponse> {
    let offset = doc.lsp_offset(pos, st.encoding);
    let found = ide::complete(st.scanner.as_ref()?, doc, offset, || {
        documented_here(st, uri, doc, offset)
    })?;
    let range = doc.range(found.start, found.end, st.encoding);
    let items = found
        .candidates
        .iter()
        .enumerate()
        .map(|(rank, c)| convert::completion_item(c, range, rank, &found))
        .collect();
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: true,
        items,
    }))
}

/// The conditions documented but not coded in the encounter at `offset`: each hint's first
/// code and the words it was documented with.
fn documented_here(st: &State, uri: &Uri, doc: &Document, offset: usize) -> Vec<(String, String)> {
    let encounters;
    let scopes = match &doc.structure {
        Some(s) => &s.scopes,
        None => {
            encounters = crate::rules::scope::encounters(&doc.text, &doc.scan.mentions);
            &encounters
        }
    };
    let Some(here) = scopes.iter().find(|s| s.start <= offset && offset <= s.end) else {
        return Vec::new();
    };
    findings(st, uri, doc)
        .into_iter()
        .filter(|f| f.rule == crate::rules::Rule::DocumentedNotCoded)
        .filter(|f| here.start <= f.start && f.start <= here.end)
        .filter_map(|f| {
            let code = f.fixes.first()?.code.clone()?;
            Some((code, doc.text[f.start..f.end].to_string()))
        })
        .collect()
}

pub fn resolve(st: &State, mut item: CompletionItem) -> CompletionItem {
    // `data` names the system; the label is the code.
    let Some(system) = item
        .data
        .as_ref()
        .and_then(|d| d.as_str())
        .and_then(System::from_name)
    else {
        return item;
    };
    let code = item.label.clone();
    let code = code.as_str();
    if let Some(entry) = st
        .scanner
        .as_ref()
        .and_then(|s| s.sets().lookup(code, system))
    {
        let kind = if st.markdown {
            MarkupKind::Markdown
        } else {
            MarkupKind::PlainText
        };
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind,
            value: crate::ide::explain(&entry, style(st), &[]),
        }));
    }
    item
}

pub fn code_actions(
    st: &State,
    uri: &Uri,
    doc: &Document,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let (start, end) = (
        doc.lsp_offset(range.start, st.encoding),
        doc.lsp_offset(range.end, st.encoding),
    );
    let all = findings(st, uri, doc);
    let wants = |kind: &CodeActionKind| {
        // `only: ["source.fixAll"]` asks for `source.fixAll.dxpx` too: kinds are prefixes.
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut actions: Vec<CodeActionOrCommand> = Vec::new();
    let fix_all = CodeActionKind::new(FIX_ALL);
    if wants(&fix_all)
        && let Some(action) = fix_all_action(st, uri, doc, &all)
    {
        let requested = only.is_some_and(|o| !o.is_empty());
        let here = all
            .iter()
            .any(|f| f.start <= end && f.end >= start && f.fixes.iter().any(|x| x.safe));
        // Asked for by kind (on save), or beside a finding it would fix.
        if requested || here {
            actions.push(action);
        }
    }
    if !wants(&CodeActionKind::QUICKFIX) {
        return actions;
    }
    let mut offered: Vec<&crate::rules::Fix> = Vec::new();
    let mut suppressions: Vec<crate::rules::Fix> = Vec::new();
    for f in all.iter().filter(|f| f.start <= end && f.end >= start) {
        if doc.kind == crate::analysis::Kind::Note
            && f.rule.group() != crate::rules::Group::Suppressions
        {
            let fix = crate::rules::suppression_fix(&doc.text, f);
            if !suppressions.contains(&fix) {
                suppressions.push(fix);
            }
        }
        for fix in &f.fixes {
            if offered.contains(&fix) {
                continue;
            }
            offered.push(fix);
            // One fix that resolves several findings (a diagnosis that supports every
            // procedure of the encounter) is one action naming them all.
            let resolves: Vec<Diagnostic> = all
                .iter()
                .filter(|g| g.fixes.contains(fix))
                .map(|g| convert::diagnostic(doc, uri, g, st.encoding))
                .collect();
            actions.push(convert::code_action(doc, uri, fix, resolves, st.encoding));
        }
    }
    // Silencing comes after every fix: it is the last resort, and it asks for a reason.
    for fix in &suppressions {
        let resolves = all
            .iter()
            .filter(|g| crate::rules::suppression_fix(&doc.text, g) == *fix)
            .map(|g| convert::diagnostic(doc, uri, g, st.encoding))
            .collect();
        actions.push(convert::code_action(doc, uri, fix, resolves, st.encoding));
    }
    actions
}

/// The code action kind of "fix all": what `editor.codeActionsOnSave` names.
pub const FIX_ALL: &str = "source.fixAll.dxpx";

/// Every safe fix of the document as one action (`source.fixAll.dxpx`): the first safe fix
/// of each finding, in order, skipping any whose edits overlap one already taken.
fn fix_all_action(
    st: &State,
    uri: &Uri,
    doc: &Document,
    all: &[crate::rules::Finding],
) -> Option<CodeActionOrCommand> {
    let mut taken: Vec<&crate::rules::Replace> = Vec::new();
    let mut fixed = Vec::new();
    for f in all {
        let Some(fix) = f.fixes.iter().find(|x| x.safe) else {
            continue;
        };
        let overlaps = fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.start < t.end.max(t.start + 1) && t.start < e.end.max(e.start + 1))
        });
        if overlaps {
            continue;
        }
        taken.extend(&fix.edits);
        fixed.push(convert::diagnostic(doc, uri, f, st.encoding));
    }
    if taken.is_empty() {
        return None;
    }
    let edits: Vec<crate::rules::Replace> = taken.into_iter().cloned().collect();
    let fix = crate::rules::Fix {
        title: format!(
            "Fix all safe dxpx problems ({} in this document)",
            fixed.len()
        ),
        edits,
        preferred: false,
        safe: true,
        code: None,
    };
    let CodeActionOrCommand::CodeAction(mut action) =
        convert::code_action(doc, uri, &fix, fixed, st.encoding)
    else {
        return None;
    };
    action.kind = Some(CodeActionKind::new(FIX_ALL));
    Some(CodeActionOrCommand::CodeAction(action))
}

/// Short titles after each code, unless the text already says it.
pub fn inlay_hints(st: &State, doc: &Document, range: Range) -> Vec<InlayHint> {
    let Some(scanner) = st.scanner.as_ref().filter(|_| st.config.inlay_hints) else {
        return Vec::new();
    };
    let (start, end) = (
        doc.lsp_offset(range.start, st.encoding),
        doc.lsp_offset(range.end, st.encoding),
    );
    ide::titles(scanner.sets(), doc, start, end)
        .into_iter()
        .map(|t| InlayHint {
            position: doc.lsp_position(t.at, st.encoding),
            label: InlayHintLabel::String(t.label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(t.tooltip)),
            padding_left: Some(true),
            padding_right: Some(true),
            data: None,
        })
        .collect()
}

/// A lens above each encounter or claim with its numbers: "4 Dx · 1 MCC · 2 CC · HCC 38, 224
/// · 2 Px · 1 unsupported". It runs no command: it is there to be read.
pub fn code_lenses(st: &State, doc: &Document) -> Vec<CodeLens> {
    let Some(scanner) = st.scanner.as_ref().filter(|_| doc.unread.is_none()) else {
        return Vec::new();
    };
    doc.visits(scanner.sets(), &st.config)
        .into_iter()
        .map(|v| {
            let at = doc.lsp_position(v.start, st.encoding);
            CodeLens {
                range: Range::new(Position::new(at.line, 0), Position::new(at.line, 0)),
                command: Some(Command {
                    title: v.to_string(),
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            }
        })
        .collect()
}

pub fn semantic_tokens(st: &State, doc: &Document) -> SemanticTokens {
    let mut data = Vec::new();
    let (mut last_line, mut last_col) = (0u32, 0u32);
    let mut push = |start: usize, end: usize, ty: u32, mods: u32| {
        let p = doc.lsp_position(start, st.encoding);
        let e = doc.lsp_position(end, st.encoding);
        let delta_line = p.line - last_line;
        let delta_start = if delta_line == 0 {
            p.character - last_col
        } else {
            p.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: e.character - p.character,
            token_type: ty,
            token_modifiers_bitset: mods,
        });
        last_line = p.line;
        last_col = p.character;
    };
    for m in &doc.scan.mentions {
        push(
            m.start,
            m.end,
            convert::token_type(m.system),
            convert::token_modifiers(m.system, m.status),
        );
        for md in &m.modifiers {
            let status = if md.valid {
                Status::Valid
            } else {
                Status::Invalid
            };
            push(
                md.start,
                md.end,
                2,
                convert::token_modifiers(m.system, status),
            );
        }
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

/// The note's sections (headings such as `ASSESSMENT:`) with the codes in each.
#[allow(deprecated)]
pub fn document_symbols(st: &State, doc: &Document) -> Vec<DocumentSymbol> {
    let enc = st.encoding;
    let code_symbol = |&i: &usize| {
        let m = &doc.scan.mentions[i];
        DocumentSymbol {
            name: m.code.clone(),
            detail: Some(format!("{} · {}", m.system.name(), m.status.name())),
            kind: convert::symbol_kind(m.system),
            tags: None,
            deprecated: None,
            range: doc.range(m.start, m.end, enc),
            selection_range: doc.range(m.start, m.end, enc),
            children: None,
        }
    };
    let (before, sections) = ide::outline(doc);
    let mut out: Vec<DocumentSymbol> = before.iter().map(code_symbol).collect();
    for section in sections {
        let children: Vec<DocumentSymbol> = section.codes.iter().map(code_symbol).collect();
        out.push(DocumentSymbol {
            name: section.name,
            detail: Some(format!("{} codes", children.len())),
            kind: SymbolKind::NAMESPACE,
            tags: None,
            deprecated: None,
            range: doc.range(section.start, section.end.max(section.start), enc),
            selection_range: doc.range(section.start, section.name_end, enc),
            children: Some(children),
        });
    }
    out
}

/// Codes by words from anywhere: occurrences in open documents first, then the code sets.
pub fn workspace_symbols(st: &State, query: &str) -> Vec<WorkspaceSymbol> {
    let Some(scanner) = &st.scanner else {
        return Vec::new();
    };
    let sets = scanner.sets();
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let hits = sets.search(q, 50);
    let mut out = Vec::new();
    let q_upper = q.to_ascii_uppercase();
    for (uri, doc) in &st.docs {
        for m in &doc.scan.mentions {
            if m.code.starts_with(&q_upper) || hits.iter().take(10).any(|h| h.code == m.code) {
                out.push(WorkspaceSymbol {
                    name: m.code.clone(),
                    kind: convert::symbol_kind(m.system),
                    tags: None,
                    container_name: Some(m.system.name().to_string()),
                    location: OneOf::Left(Location::new(
                        uri.clone(),
                        doc.range(m.start, m.end, st.encoding),
                    )),
                    data: None,
                });
            }
        }
    }
    for h in hits {
        let uri: Option<Uri> = format!("dxpx:code/{}", h.code).parse().ok();
        if let Some(uri) = uri {
            out.push(WorkspaceSymbol {
                name: format!("{} {}", h.code, h.title),
                kind: SymbolKind::CONSTANT,
                tags: None,
                container_name: Some(h.system.name().to_string()),
                location: OneOf::Right(WorkspaceLocation { uri }),
                data: None,
            });
        }
    }
    out
}

pub fn highlights(st: &State, doc: &Document, pos: Position) -> Vec<DocumentHighlight> {
    let offset = doc.lsp_offset(pos, st.encoding);
    ide::occurrences(doc, offset)
        .into_iter()
        .map(|(start, end)| DocumentHighlight {
            range: doc.range(start, end, st.encoding),
            kind: Some(DocumentHighlightKind::TEXT),
        })
        .collect()
}

/// What `dxpx/lookup` answers: every reading of `code`, rendered as its hover is.
pub fn lookup(sets: &crate::codes::CodeSets, code: &str, markdown: bool) -> Option<String> {
    let entries = sets.lookup_any(code);
    (!entries.is_empty()).then(|| {
        entries
            .iter()
            .map(|e| {
                crate::ide::explain(
                    e,
                    if markdown {
                        Style::Markdown
                    } else {
                        Style::Plain
                    },
                    &[],
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n---\n\n")
    })
}
