//! What each request answers, computed from a document and the core.

use super::convert::{self, Positions};
use super::server::{State, findings};
use crate::codes::{Status, System};
use crate::document::Document;
use crate::ide::Style;
use crate::scan::{Mention, Signal};
use tower_lsp_server::ls_types::*;

/// The document's diagnostics; when a bug keeps dxpx from reading or checking it, one
/// diagnostic that says so in place of silence.
pub fn diagnostics(st: &State, uri: &Uri, doc: &Document) -> Vec<Diagnostic> {
    let checked = match &doc.unread {
        Some(fault) => Err(fault.clone()),
        None => crate::fault::catch(|| findings(st, doc)),
    };
    match checked {
        Ok(findings) => findings
            .iter()
            .map(|f| convert::diagnostic(doc, uri, f, st.encoding))
            .collect(),
        Err(fault) => {
            super::server::log(&format!("checking {} failed: {fault}", uri.as_str()));
            vec![convert::internal_error(&fault, doc.lost)]
        }
    }
}

/// The mention under a byte offset (its code or one of its modifiers).
fn mention_at(doc: &Document, offset: usize) -> Option<&Mention> {
    let ms = &doc.scan.mentions;
    let i = ms.partition_point(|m| m.start <= offset);
    let m = ms.get(i.checked_sub(1)?)?;
    let end = m.modifiers.last().map_or(m.end, |md| md.end);
    (offset <= end).then_some(m)
}

pub fn hover(st: &State, doc: &Document, pos: Position) -> Option<Hover> {
    let offset = doc.lsp_offset(pos, st.encoding);
    let Some(m) = mention_at(doc, offset) else {
        return condition_hover(st, doc, offset);
    };
    let sets = st.scanner.as_ref()?.sets();
    let entry = sets.lookup(&m.code, m.system)?;
    let modifiers: Vec<(String, String)> = m
        .modifiers
        .iter()
        .map(|md| {
            let label = sets.modifier(&md.code).map_or_else(
                || "not a CPT or HCPCS modifier".to_string(),
                |(s, l)| format!("{l} ({})", s.name()),
            );
            (md.code.clone(), label)
        })
        .collect();
    let text = crate::ide::explain(&entry, style(st), &modifiers);
    Some(markup_hover(st, doc, text, m.start, m.end))
}

/// The markup the client asked for.
fn style(st: &State) -> Style {
    if st.markdown {
        Style::Markdown
    } else {
        Style::Plain
    }
}

fn markup_hover(st: &State, doc: &Document, value: String, start: usize, end: usize) -> Hover {
    let kind = if st.markdown {
        MarkupKind::Markdown
    } else {
        MarkupKind::PlainText
    };
    Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range: Some(doc.range(start, end, st.encoding)),
    }
}

/// The hover of a condition the note documents in words.
fn condition_hover(st: &State, doc: &Document, offset: usize) -> Option<Hover> {
    let scopes = crate::rules::scope::encounters(&doc.text, &doc.scan.mentions);
    let conditions = super::server::conditions(st, doc, &scopes)?;
    let c = conditions
        .iter()
        .find(|c| c.start <= offset && offset <= c.end)?;
    let release = st.scanner.as_ref()?.sets().release_of(System::Icd10Cm);
    let text = convert::condition_hover(c, &doc.text[c.start..c.end], &release, st.markdown);
    Some(markup_hover(st, doc, text, c.start, c.end))
}

/// Enough to choose from; the list is marked incomplete, so typing more asks again.
const MAX_ITEMS: usize = 60;

pub fn completion(st: &State, doc: &Document, pos: Position) -> Option<CompletionResponse> {
    let offset = doc.lsp_offset(pos, st.encoding);
    let (line_start, _) = doc.line_bounds(offset);
    let before = &doc.text[line_start..offset];
    let sets = st.scanner.as_ref()?.sets();
    // The code being typed: letters, digits and dots back from the cursor.
    let typed_len = before
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.')
        .count();
    let typed = &before[before.len() - typed_len..];
    let b = typed.as_bytes();
    let mut items = Vec::new();
    let range = doc.range(offset - typed_len, offset, st.encoding);
    let code_like = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1].is_ascii_digit();
    if code_like
        || (b.len() >= 3
            && b.iter().all(|c| c.is_ascii_alphanumeric())
            && b[0].is_ascii_digit()
            && b.iter().any(u8::is_ascii_alphabetic))
    {
        let upper = typed.to_ascii_uppercase();
        let mut candidates = Vec::new();
        if code_like {
            let compact: String = upper.chars().filter(|c| *c != '.').collect();
            let dotted = crate::codes::normalize::dot_icd10cm(&compact);
            let prefix = if upper.ends_with('.') && !dotted.contains('.') {
                format!("{dotted}.")
            } else {
                dotted
            };
            // The next level first: "E11." offers E11.0 … E11.A before E11.00.
            let codes = sets.icd10cm().shallowest(&prefix, MAX_ITEMS);
            candidates.extend(codes.into_iter().map(|c| (c, System::Icd10Cm)));
            if upper.len() >= 2 && !upper.contains('.') {
                candidates.extend(
                    sets.prefix(System::Hcpcs, &upper, MAX_ITEMS / 4)
                        .into_iter()
                        .map(|c| (c, System::Hcpcs)),
                );
            }
        } else {
            candidates.extend(
                sets.prefix(System::Icd10Pcs, &upper, MAX_ITEMS)
                    .into_iter()
                    .map(|c| (c, System::Icd10Pcs)),
            );
        }
        for (i, ((code, title, status), system)) in candidates.into_iter().enumerate() {
            if code.eq_ignore_ascii_case(typed) {
                continue;
            }
            items.push(code_item(&code, &title, status, system, range, i, typed));
        }
        if !items.is_empty() {
            return Some(CompletionResponse::List(CompletionList {
                is_incomplete: true,
                items,
            }));
        }
    }
    // Words in a diagnosis column of a charge sheet, or after a diagnosis label in a note
    // ("Dx: type 2 diab") → ranked codes.
    let words_start = if doc.kind == crate::analysis::Kind::ChargeSheet {
        let (cell_start, role) = crate::formats::csv::cell_at(&doc.text, offset)?;
        if role != crate::formats::csv::Role::Diagnosis {
            return None;
        }
        cell_start
    } else {
        let found = st
            .scanner
            .as_ref()?
            .signals_in(&doc.text, line_start, offset);
        let label = found
            .iter()
            .rev()
            .find(|f| matches!(f.signal, Signal::Diagnosis | Signal::Icd10Cm))?;
        label.end + doc.text[label.end..offset].len()
            - doc.text[label.end..offset]
                .trim_start_matches([':', ' ', '\t', '-'])
                .len()
    };
    let words = &doc.text[words_start..offset];
    if words.trim().len() < 2 || words.bytes().filter(|b| b.is_ascii_alphabetic()).count() < 2 {
        return None;
    }
    let range = doc.range(words_start, offset, st.encoding);
    let hits = sets.search(words, 30);
    let items = hits
        .iter()
        .filter(|h| h.system == System::Icd10Cm)
        .enumerate()
        .map(|(i, h)| {
            let mut item = code_item(&h.code, &h.title, h.status, h.system, range, i, words);
            item.filter_text = Some(words.to_string());
            if h.matched != h.title {
                item.detail = Some(format!("{} (“{}”)", h.title, h.matched));
            }
            item
        })
        .collect();
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: true,
        items,
    }))
}

fn code_item(
    code: &str,
    title: &str,
    status: Status,
    system: System,
    range: Range,
    rank: usize,
    typed: &str,
) -> CompletionItem {
    let billable = match status {
        Status::Valid => "",
        Status::Header => " (header, not billable)",
        Status::Retired => " (terminated)",
        Status::Invalid => "",
    };
    // Items stay small: a prefix such as "S72." lists many, and every byte is serialised.
    let filter = if typed.contains('.') || !code.contains('.') {
        None
    } else {
        Some(code.replace('.', ""))
    };
    CompletionItem {
        label: code.to_string(),
        kind: Some(convert::completion_kind(status)),
        detail: Some(format!("{title}{billable}")),
        sort_text: Some(format!("{rank:04}")),
        filter_text: filter,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range,
            new_text: code.to_string(),
        })),
        data: Some(serde_json::json!(system.name())),
        ..CompletionItem::default()
    }
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
) -> Vec<CodeActionOrCommand> {
    let (start, end) = (
        doc.lsp_offset(range.start, st.encoding),
        doc.lsp_offset(range.end, st.encoding),
    );
    findings(st, doc)
        .iter()
        .filter(|f| f.start <= end && f.end >= start)
        .flat_map(|f| {
            let diag = convert::diagnostic(doc, uri, f, st.encoding);
            convert::code_actions(doc, uri, f, &diag, st.encoding)
        })
        .collect()
}

/// Short titles after each code, unless the text already says it.
pub fn inlay_hints(st: &State, doc: &Document, range: Range) -> Vec<InlayHint> {
    if !st.config.inlay_hints {
        return Vec::new();
    }
    let (start, end) = (
        doc.lsp_offset(range.start, st.encoding),
        doc.lsp_offset(range.end, st.encoding),
    );
    let Some(scanner) = &st.scanner else {
        return Vec::new();
    };
    let sets = scanner.sets();
    let first = doc.scan.mentions.partition_point(|m| m.start < start);
    doc.scan.mentions[first..]
        .iter()
        .take_while(|m| m.start <= end)
        .filter_map(|m| {
            let entry = sets.lookup(&m.code, m.system)?;
            let title = if entry.short_title.is_empty() {
                entry.title.clone()
            } else {
                entry.short_title.clone()
            };
            if title.is_empty() || m.status == Status::Invalid {
                return None;
            }
            let after = m.modifiers.last().map_or(m.end, |md| md.end);
            let (_, line_end) = doc.line_bounds(after);
            let rest = doc.text[after..line_end].to_lowercase();
            let head: String = title.to_lowercase().chars().take(16).collect();
            if rest.contains(&head) {
                return None;
            }
            let label = if title.chars().count() > 48 {
                format!("{}…", title.chars().take(47).collect::<String>())
            } else {
                title
            };
            Some(InlayHint {
                position: doc.lsp_position(after, st.encoding),
                label: InlayHintLabel::String(label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(format!(
                    "{} {}",
                    entry.code, entry.title
                ))),
                padding_left: Some(true),
                padding_right: Some(true),
                data: None,
            })
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
    let code_symbol = |m: &Mention| DocumentSymbol {
        name: m.code.clone(),
        detail: Some(format!("{} · {}", m.system.name(), m.status.name())),
        kind: if m.system.is_procedure() {
            SymbolKind::FUNCTION
        } else {
            SymbolKind::CONSTANT
        },
        tags: None,
        deprecated: None,
        range: doc.range(m.start, m.end, enc),
        selection_range: doc.range(m.start, m.end, enc),
        children: None,
    };
    let mut sections: Vec<(usize, usize, String)> = Vec::new();
    let mut pos = 0;
    for line in doc.text.split_inclusive('\n') {
        let t = line.trim();
        let heading = t.len() >= 3
            && t.len() <= 60
            && t.ends_with(':')
            && t.chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| c.is_uppercase())
            && t.chars().any(char::is_alphabetic);
        if heading {
            if let Some(last) = sections.last_mut() {
                last.1 = pos;
            }
            sections.push((pos, doc.text.len(), t.trim_end_matches(':').to_string()));
        }
        pos += line.len();
    }
    let mut out: Vec<DocumentSymbol> = doc
        .scan
        .mentions
        .iter()
        .filter(|m| sections.first().is_none_or(|s| m.start < s.0))
        .map(code_symbol)
        .collect();
    for (start, end, name) in sections {
        let children: Vec<DocumentSymbol> = doc
            .scan
            .mentions
            .iter()
            .filter(|m| m.start >= start && m.start < end)
            .map(code_symbol)
            .collect();
        let range = doc.range(start, end.max(start), enc);
        let name_end = start + doc.text[start..].find(':').unwrap_or(0);
        out.push(DocumentSymbol {
            name,
            detail: Some(format!("{} codes", children.len())),
            kind: SymbolKind::NAMESPACE,
            tags: None,
            deprecated: None,
            range,
            selection_range: doc.range(start, name_end, enc),
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
                    kind: if m.system.is_procedure() {
                        SymbolKind::FUNCTION
                    } else {
                        SymbolKind::CONSTANT
                    },
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
    let Some(m) = mention_at(doc, offset) else {
        return Vec::new();
    };
    doc.scan
        .mentions
        .iter()
        .filter(|o| o.code == m.code && o.system == m.system)
        .map(|o| DocumentHighlight {
            range: doc.range(o.start, o.end, st.encoding),
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
