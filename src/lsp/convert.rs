//! Core values → LSP values. The only place besides the handlers that knows ls_types.

use super::document::{Document, Encoding};
use crate::codes::{Entry, Status, System};
use crate::rules::{Finding, Rule, Severity};
use std::collections::HashMap;
use tower_lsp_server::ls_types::*;

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

/// Quick fixes of `f`, each a WorkspaceEdit on the document.
pub fn code_actions(
    doc: &Document,
    uri: &Uri,
    f: &Finding,
    diag: &Diagnostic,
    enc: Encoding,
) -> Vec<CodeActionOrCommand> {
    f.fixes
        .iter()
        .map(|fix| {
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
                diagnostics: Some(vec![diag.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: fix.preferred.then_some(true),
                ..CodeAction::default()
            })
        })
        .collect()
}

fn badge(e: &Entry) -> &'static str {
    match (e.status(), e.system()) {
        (Status::Valid, System::Cpt) => "CPT code",
        (Status::Valid, _) => "billable",
        (Status::Header, _) => "header — not billable; code to a more specific code",
        (Status::Retired, System::Icd9Cm) => {
            "retired — ICD-9-CM is not valid for services from 2015-10-01"
        }
        (Status::Retired, _) => "retired",
        (Status::Invalid, _) => "invalid — not in this release",
    }
}

const NOTE_TITLES: &[(&str, &str)] = &[
    ("includes", "Includes"),
    ("inclusionTerm", "Inclusion terms"),
    ("notes", "Notes"),
    ("excludes1", "Excludes1 (never coded together)"),
    (
        "excludes2",
        "Excludes2 (not included here; may be coded together)",
    ),
    ("codeFirst", "Code first"),
    ("useAdditionalCode", "Use additional code"),
    ("codeAlso", "Code also"),
    ("sevenChrNote", "7th character"),
];

/// The hover text of a code: markdown, or plain text when the client prefers it.
pub fn hover_text(e: &Entry, markdown: bool, modifiers: &[(String, String)]) -> String {
    let mut s = String::new();
    let b = |t: &str| {
        if markdown {
            format!("**{t}**")
        } else {
            t.to_string()
        }
    };
    s.push_str(&format!(
        "{} · {} · {}\n\n",
        b(&e.code),
        e.system().name(),
        e.release
    ));
    if !e.title.is_empty() {
        s.push_str(&format!("{}\n\n", e.title));
    }
    if !e.title_note.is_empty() {
        s.push_str(&format!(
            "{}\n\n",
            if markdown {
                format!("_{}_", e.title_note)
            } else {
                format!("({})", e.title_note)
            }
        ));
    }
    s.push_str(&format!(
        "{}\n\n",
        if markdown {
            format!("`{}`", badge(e))
        } else {
            format!("[{}]", badge(e))
        }
    ));
    if !e.hierarchy.is_empty() {
        let crumbs: Vec<String> = e
            .hierarchy
            .iter()
            .map(|(id, t)| format!("{id} {t}"))
            .collect();
        s.push_str(&format!("{}\n\n", crumbs.join(" › ")));
    }
    for (md, label) in modifiers {
        s.push_str(&format!("Modifier {}: {label}\n\n", b(&format!("-{md}"))));
    }
    for (kind, title) in NOTE_TITLES {
        let notes: Vec<&crate::codes::Note> = e.notes.iter().filter(|n| n.kind == *kind).collect();
        if notes.is_empty() {
            continue;
        }
        s.push_str(&format!("{}\n", b(title)));
        for n in notes.iter().take(12) {
            let from = if n.from != e.code {
                format!(" ({})", n.from)
            } else {
                String::new()
            };
            s.push_str(&format!("- {}{from}\n", n.text));
        }
        if notes.len() > 12 {
            s.push_str(&format!("- … {} more\n", notes.len() - 12));
        }
        s.push('\n');
    }
    if !e.seventh.is_empty() && e.code.len() < 8 {
        s.push_str(&format!(
            "{} (from {})\n",
            b("7th characters"),
            e.seventh_from
        ));
        for (c, m) in &e.seventh {
            s.push_str(&format!("- {c}: {m}\n"));
        }
        s.push('\n');
    }
    if !e.gems.is_empty() {
        let direction = if e.system() == System::Icd9Cm {
            "ICD-10 equivalents (GEMs)"
        } else {
            "ICD-9-CM equivalents (GEMs)"
        };
        s.push_str(&format!("{}\n", b(direction)));
        for g in e.gems.iter().take(12) {
            let mut flags = Vec::new();
            if g.approximate {
                flags.push("approximate");
            }
            if g.no_map {
                flags.push("no map");
            }
            if g.combination {
                flags.push("combination");
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" ({})", flags.join(", "))
            };
            s.push_str(&format!("- {} {}{flags}\n", g.code, g.title));
        }
        s.push('\n');
    }
    if !e.effective.is_empty() {
        s.push_str(&format!("Added {}, effective {}", e.added, e.effective));
        if !e.terminated.is_empty() {
            s.push_str(&format!(", terminated {}", e.terminated));
        }
        s.push('\n');
    } else if !e.terminated.is_empty() {
        s.push_str(&format!("Deleted from {}\n", e.terminated));
    }
    if !e.edit_flags.is_empty() {
        s.push_str(&format!(
            "Medicare Code Editor: {}\n",
            e.edit_flags.join(", ")
        ));
    }
    s.trim_end().to_string()
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

/// The hover of a condition written in words: its status and section, the candidate codes
/// best first with the words that chose them, and the vocabulary phrase it matched.
pub fn condition_hover(
    c: &crate::hints::Condition,
    written: &str,
    release: &str,
    markdown: bool,
) -> String {
    let b = |t: &str| {
        if markdown {
            format!("**{t}**")
        } else {
            t.to_string()
        }
    };
    let mut s = format!(
        "{} · {} · {} section{}\n\n",
        b(written),
        c.status.name(),
        c.section.name(),
        match &c.trigger {
            Some(t) => format!(" (\"{t}\")"),
            None => String::new(),
        }
    );
    s.push_str(if c.coded {
        "Coded here.\n\n"
    } else {
        "Not coded here. Candidates, best first:\n\n"
    });
    for (i, cand) in c.codes.iter().enumerate() {
        let why = if cand.because.is_empty() {
            String::new()
        } else {
            format!(" — the note says {}", cand.because.join(", "))
        };
        s.push_str(&format!(
            "{}. {} {}{why}\n",
            i + 1,
            b(&cand.code),
            cand.title
        ));
    }
    let origin = match c.origin {
        crate::hints::Origin::Title => "an ICD-10-CM title",
        crate::hints::Origin::InclusionTerm => "an ICD-10-CM inclusion term",
        crate::hints::Origin::Synonym => "dxpx's synonym list",
    };
    s.push_str(&format!(
        "\nMatched \"{}\", from {origin} ({release}).",
        c.phrase
    ));
    s
}
