//! The coding rules: each sees the mentions of one scope (an encounter in a note, a claim
//! line with its linked diagnoses) and reports findings with a stable id, a message that
//! names the codes and says what to do, the other codes involved, and quick fixes.

mod claims;
mod codes;
mod mce;
mod notes;
pub mod patient;
mod payment;
mod registry;
pub mod scope;
mod support;
mod suppress;

pub(crate) use notes::note_names;
pub use registry::{Group, NameKind, Rule, UnknownName};
pub use scope::Scope;
pub use support::offer_diagnoses;
pub use suppress::Suppression;

/// A fix that writes a `dxpx-ignore` for `finding` above its line, the reason to be filled.
pub fn suppression_fix(text: &str, finding: &Finding) -> Fix {
    suppress::fix(text, finding)
}

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
    /// Needs no coder's judgment (the same code written with its dot, the one exact GEM
    /// target): "fix all" applies these and no others.
    pub safe: bool,
    /// The code the fix writes, when it writes one: what another fix may offer again (a
    /// documented condition's code, to support a procedure).
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn id(&self) -> String {
        self.rule.id()
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

/// Every rule's findings in a document, as the rules report them: no suppression and no
/// configured severity yet ([`finish`] applies both).
pub fn check(input: &Input) -> Vec<Finding> {
    let mut raw = Vec::new();
    // Each mention's day and the visits are read by several rule files: made once.
    let days = codes::service_days(input);
    let visits = scope::visits(input.scopes);
    codes::check(input, &days, &mut raw);
    codes::undotted(input, &visits, &mut raw);
    support::check(input, &mut raw);
    notes::check(input, &mut raw);
    claims::check(input, &visits, &mut raw);
    payment::check(input, &days, &visits, &mut raw);
    mce::check(input, &days, &visits, &mut raw);
    raw
}

/// A valid ICD-10-CM code: what MS-DRG severity, CMS-HCC and the code editor's flags weigh.
fn is_valid_diagnosis(m: &Mention) -> bool {
    m.system == crate::codes::System::Icd10Cm && m.status == crate::codes::Status::Valid
}

/// Suppressions, then the configured severities (a rule turned off drops its findings; a
/// finding reported below its rule's default keeps that),
/// then `suppression-without-reason` for the comments that give none; sorted by position.
/// The one step every finding goes through, whatever reported it.
pub fn finish(text: &str, config: &Config, raw: Vec<Finding>) -> Vec<Finding> {
    let suppressions = suppress::find(text);
    let mut out: Vec<Finding> = raw
        .into_iter()
        .filter(|f| !suppressions.iter().any(|s| s.covers(text, f)))
        .filter_map(|mut f| {
            let configured = config.severity(f.rule)?;
            // A finding its rule softened (what the data cannot know: a HCPCS code newer than
            // dxpx's file) stays at most as severe as it was reported.
            f.severity = if f.severity > f.rule.default_severity() {
                configured.max(f.severity)
            } else {
                configured
            };
            Some(f)
        })
        .collect();
    if let Some(severity) = config.severity(Rule::SuppressionWithoutReason) {
        for s in suppressions.iter().filter(|s| s.reason.is_none()) {
            out.push(Finding {
                rule: Rule::SuppressionWithoutReason,
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
    if let Some(severity) = config.severity(Rule::SuppressionUnknownRule) {
        for s in &suppressions {
            for name in &s.rules {
                let Err(unknown) = Rule::parse(name) else {
                    continue;
                };
                out.push(Finding {
                    rule: Rule::SuppressionUnknownRule,
                    severity,
                    start: s.start,
                    end: s.end,
                    message: format!(
                        "this dxpx-ignore names {name:?}, which is no dxpx rule, so it silences nothing; did you mean {:?}?",
                        unknown.nearest
                    ),
                    related: Vec::new(),
                    fixes: vec![Fix {
                        title: format!("Name the rule {}", unknown.nearest),
                        edits: s
                            .rule_span(text, name)
                            .map(|(start, end)| Replace {
                                start,
                                end,
                                text: unknown.nearest.to_string(),
                            })
                            .into_iter()
                            .collect(),
                        preferred: true,
                        safe: false,
                        code: None,
                    }],
                });
            }
        }
    }
    // By position, then rule name (the order reports have always had).
    out.sort_by(|a, b| (a.start, a.end, a.rule.name()).cmp(&(b.start, b.end, b.rule.name())));
    out
}
