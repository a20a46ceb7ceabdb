//! The coding rules: each sees the mentions of one scope (an encounter in a note, a claim
//! line with its linked diagnoses) and reports findings with a stable id, a message that
//! names the codes and says what to do, the other codes involved, and quick fixes.

mod codes;
mod notes;
pub mod scope;
mod support;
mod suppress;

pub use scope::Scope;
pub use suppress::Suppression;

/// Every `dxpx-ignore` in a text, for the audit trail.
pub fn suppress_list(text: &str) -> Vec<Suppression> {
    suppress::find(text)
}

use crate::codes::CodeSets;
use crate::config::Config;
use crate::scan::Mention;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "information" | "note" => Some(Severity::Info),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// A rule's name (its id is `dxpx/<name>`), default severity, group and summary.
#[derive(Debug)]
pub struct RuleInfo {
    pub name: &'static str,
    pub severity: Severity,
    pub group: &'static str,
    pub summary: &'static str,
}

pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        name: "unsupported-procedure",
        severity: Severity::Error,
        group: "medical-necessity",
        summary: "a procedure with no diagnosis in its scope",
    },
    RuleInfo {
        name: "diagnosis-mismatch",
        severity: Severity::Warning,
        group: "medical-necessity",
        summary: "no diagnosis in scope supports the procedure under the project's support rules",
    },
    RuleInfo {
        name: "invalid-code",
        severity: Severity::Error,
        group: "validity",
        summary: "code-shaped, but in no code set",
    },
    RuleInfo {
        name: "non-billable-code",
        severity: Severity::Error,
        group: "validity",
        summary: "a category or subcategory that has more specific codes",
    },
    RuleInfo {
        name: "missing-seventh-character",
        severity: Severity::Error,
        group: "validity",
        summary: "an injury, poisoning or other code that needs its 7th character",
    },
    RuleInfo {
        name: "retired-code",
        severity: Severity::Error,
        group: "validity",
        summary: "an ICD-9-CM code (retired 2015-10-01) or a deleted code",
    },
    RuleInfo {
        name: "terminated-code",
        severity: Severity::Warning,
        group: "validity",
        summary: "a HCPCS code terminated before the date of service",
    },
    RuleInfo {
        name: "invalid-modifier",
        severity: Severity::Error,
        group: "validity",
        summary: "a modifier that is neither a CPT nor a HCPCS modifier",
    },
    RuleInfo {
        name: "excludes1-conflict",
        severity: Severity::Warning,
        group: "instructional-notes",
        summary: "two codes that an Excludes1 note forbids together",
    },
    RuleInfo {
        name: "manifestation-without-etiology",
        severity: Severity::Warning,
        group: "instructional-notes",
        summary: "a manifestation code with no etiology code before it",
    },
    RuleInfo {
        name: "external-cause-alone",
        severity: Severity::Warning,
        group: "instructional-notes",
        summary: "external-cause codes (V00–Y99) with no other diagnosis",
    },
    RuleInfo {
        name: "dangling-pointer",
        severity: Severity::Error,
        group: "validity",
        summary: "a diagnosis pointer to a diagnosis that does not exist",
    },
    RuleInfo {
        name: "malformed-file",
        severity: Severity::Warning,
        group: "validity",
        summary: "a charge sheet or claim that breaks its format here (the rest is still checked)",
    },
    RuleInfo {
        name: "suppression-without-reason",
        severity: Severity::Warning,
        group: "suppressions",
        summary: "a dxpx-ignore comment that gives no reason",
    },
    RuleInfo {
        name: "documented-not-coded",
        severity: Severity::Hint,
        group: "documentation",
        summary: "a condition the note documents as current, with no code in its scope (editor only)",
    },
    RuleInfo {
        name: "more-specific-code",
        severity: Severity::Hint,
        group: "documentation",
        summary: "a code whose condition the note describes in more detail than the code says (editor only)",
    },
];

/// Another place involved in a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// A replacement of `text[start..end]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Replace>,
    pub preferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule name; the id shown to users is `dxpx/<rule>`.
    pub rule: &'static str,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn id(&self) -> String {
        format!("dxpx/{}", self.rule)
    }
}

/// What the rules read: the text, its mentions, and its scopes.
pub struct Input<'a> {
    pub text: &'a str,
    pub mentions: &'a [Mention],
    pub scopes: &'a [Scope],
    pub sets: &'a CodeSets,
    pub config: &'a Config,
}

/// Every finding in a document, suppressions applied, sorted by position.
pub fn check(input: &Input) -> Vec<Finding> {
    let mut raw = Vec::new();
    codes::check(input, &mut raw);
    support::check(input, &mut raw);
    notes::check(input, &mut raw);
    let suppressions = suppress::find(input.text);
    let mut out: Vec<Finding> = raw
        .into_iter()
        .filter(|f| !suppressions.iter().any(|s| s.covers(input.text, f)))
        .filter_map(|mut f| {
            f.severity = input.config.severity(f.rule)?;
            Some(f)
        })
        .collect();
    if let Some(severity) = input.config.severity("suppression-without-reason") {
        for s in suppressions.iter().filter(|s| s.reason.is_none()) {
            out.push(Finding {
                rule: "suppression-without-reason",
                severity,
                start: s.start,
                end: s.end,
                message: format!(
                    "this dxpx-ignore gives no reason: write why, as in `dxpx-ignore: {} reason=\"historic record\"`",
                    s.rules.first().map_or("retired-code", String::as_str)
                ),
                related: Vec::new(),
                fixes: Vec::new(),
            });
        }
    }
    out.sort_by_key(|f| (f.start, f.end, f.rule));
    out
}
