//! One document, analysed: its kind, mentions, scopes and findings. The language server
//! and the command line both go through here.

use crate::codes::CodeSets;
use crate::config::Config;
use crate::rules::{self, Finding, Scope};
use crate::scan::{Mention, Scanner};

/// What kind of document a text is, from its language id, file name and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Note,
}

impl Kind {
    pub fn detect(_name: &str, _language_id: Option<&str>, _text: &str) -> Kind {
        Kind::Note
    }
}

/// Scopes and findings for mentions already found in `text`.
pub fn check(
    sets: &CodeSets,
    config: &Config,
    text: &str,
    mentions: &[Mention],
) -> (Vec<Scope>, Vec<Finding>) {
    let scopes = rules::scope::encounters(text, mentions);
    let findings = rules::check(&rules::Input {
        text,
        mentions,
        scopes: &scopes,
        sets,
        config,
    });
    (scopes, findings)
}

/// Everything about a document, from scratch.
pub struct Analysis {
    pub mentions: Vec<Mention>,
    pub scopes: Vec<Scope>,
    pub findings: Vec<Finding>,
}

pub fn analyze(scanner: &Scanner, config: &Config, text: &str) -> Analysis {
    let mentions = scanner.scan(text);
    let (scopes, findings) = check(scanner.sets(), config, text, &mentions);
    Analysis {
        mentions,
        scopes,
        findings,
    }
}
