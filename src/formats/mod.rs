//! Documents other than free-text notes: charge sheets and claims. Each format is read
//! into mentions (every code at its exact place in the file), scopes (each procedure line
//! with the diagnoses it points to) and problems (where the file breaks).

pub mod csv;
pub mod fhir;
mod fields;
pub mod hl7;
mod json;
pub mod x12;

use crate::rules::{Finding, Rule, Scope, Severity};
use crate::scan::Mention;

/// A charge sheet or claim, read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub mentions: Vec<Mention>,
    pub scopes: Vec<Scope>,
    pub problems: Vec<Finding>,
}

/// A byte range in a document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

/// Splits `text[span]` on an ASCII separator, keeping byte ranges.
pub(crate) fn split(text: &str, span: Span, sep: u8) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = span.start;
    for (i, b) in text.as_bytes()[span.start..span.end].iter().enumerate() {
        if *b == sep {
            out.push(Span {
                start,
                end: span.start + i,
            });
            start = span.start + i + 1;
        }
    }
    out.push(Span {
        start,
        end: span.end,
    });
    out
}

/// A place where a file breaks its format.
pub(crate) fn problem(start: usize, end: usize, message: impl Into<String>) -> Finding {
    Finding {
        rule: Rule::MalformedFile,
        severity: Severity::Warning,
        start,
        end,
        message: message.into(),
        related: Vec::new(),
        fixes: Vec::new(),
    }
}
