//! The scanner: every code mention in a text, with its system, status, modifiers and the
//! evidence that made it a code.
//!
//! Code-shaped tokens are found in one pass over the bytes and checked against the code
//! sets by binary search; the labels that give them context (`CPT`, `ICD-10`, `Dx:`) and
//! the labels that rule them out (`MRN`, `Lot #`) are found by an Aho-Corasick automaton.
//! Code-shaped text that is in no code set is still reported (as invalid) when a label
//! says it is meant as a code, because the rules need it.

mod agreement;
mod incremental;
pub mod signals;
mod tokens;

pub use incremental::{Edit, ScanState};
pub use signals::Signal;

use crate::codes::CodeSet;
use crate::codes::normalize::{dot_icd9_dx, dot_icd10cm};
use crate::codes::{CodeSets, Status, System};
use signals::{Found, Signals};
use std::sync::Arc;
use tokens::{Token, tokens};

/// A modifier written after a procedure code (`99213-25`, `64483 LT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modifier {
    pub code: String,
    pub start: usize,
    pub end: usize,
    /// A CPT or HCPCS modifier; an unknown one is kept for the invalid-modifier rule.
    pub valid: bool,
}

/// Why the scanner took a token for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A label near it: `CPT`, `ICD-10`, `Dx`, `code`, …
    Label(&'static str),
    /// A heading above the lines it sits in (`CPT CODE(S):`).
    Heading(&'static str),
    /// Another code on the same line (`Charges: 99214, 93000 | Dx I10`).
    Line,
    /// A valid modifier attached to it.
    Modifier,
    /// Its own shape: a dotted, billable ICD-10-CM code, or a 7-character PCS code.
    Shape,
    /// The words right before it say what its title says ("low back pain (M54.5)"), or name a
    /// procedure before a CPT number in brackets.
    Agrees,
    /// A field of a claim or charge sheet that holds codes.
    Field(String),
}

impl Evidence {
    pub fn describe(&self) -> String {
        match self {
            Evidence::Label(l) => format!("label:{l}"),
            Evidence::Heading(l) => format!("heading:{l}"),
            Evidence::Line => "line".into(),
            Evidence::Modifier => "modifier".into(),
            Evidence::Shape => "shape".into(),
            Evidence::Agrees => "agrees:title".into(),
            Evidence::Field(f) => format!("field:{f}"),
        }
    }
}

/// One code as written in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte range of the code itself: no label, brackets, trailing period or modifier.
    pub start: usize,
    pub end: usize,
    /// Canonical form: dotted ICD codes, upper case.
    pub code: String,
    pub system: System,
    pub status: Status,
    pub modifiers: Vec<Modifier>,
    pub evidence: Evidence,
}

impl Mention {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }
}

/// The scanner; cheap to share. Building it takes the code sets and compiles the labels.
pub struct Scanner {
    sets: Arc<CodeSets>,
    signals: Signals,
}

/// How far (bytes) a label on the same line reaches. Notes have short lines; a megabyte
/// with no line breaks must not give every number in it a label.
const LABEL_REACH: usize = 160;
/// How many lines a heading such as `CPT CODE(S):` covers, at most, until a blank line.
const HEADING_REACH: usize = 24;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Context {
    None,
    Line,
    /// A label: what it signals, its text, whether it heads the lines below, and where it
    /// ends.
    Signal(Signal, &'static str, bool, usize),
}

impl Scanner {
    pub fn new(sets: Arc<CodeSets>) -> Scanner {
        Scanner {
            sets,
            signals: Signals::new(),
        }
    }

    pub fn sets(&self) -> &Arc<CodeSets> {
        &self.sets
    }

    /// The labels in `text[start..end]` (completion reads them: "Dx: type 2 diab").
    pub fn signals_in(&self, text: &str, start: usize, end: usize) -> Vec<signals::Found> {
        self.signals.find(text, start, end)
    }

    /// Every mention in `text`. Large texts are split at line breaks and scanned on every
    /// core; a part starting under a heading sees it, so the result is the same.
    pub fn scan(&self, text: &str) -> Vec<Mention> {
        const PART: usize = 2 << 20;
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        if text.len() < 2 * PART || workers < 2 {
            return self.scan_range(text, 0, text.len());
        }
        let parts = workers.min(text.len() / PART);
        let mut bounds = vec![0];
        for k in 1..parts {
            let at = text.len() * k / parts;
            let cut =
                memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i + 1);
            if cut > *bounds.last().unwrap_or(&0) {
                bounds.push(cut);
            }
        }
        bounds.push(text.len());
        let results: Vec<Vec<Mention>> = std::thread::scope(|s| {
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|w| s.spawn(move || self.scan_range(text, w[0], w[1])))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        results.concat()
    }

    /// Mentions whose lines lie in `text[start..end]`; `start` and `end` must be line
    /// boundaries. Headings in the lines before `start` are honoured.
    pub fn scan_range(&self, text: &str, start: usize, end: usize) -> Vec<Mention> {
        crate::fault::inject(text.get(start..end).unwrap_or(text));
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut line_start = start;
        let mut heading = self.heading_before(text, start);
        while line_start < end {
            let line_end =
                memchr::memchr(b'\n', &bytes[line_start..end]).map_or(end, |i| line_start + i);
            self.scan_line(text, line_start, line_end, &mut heading, &mut out);
            line_start = line_end + 1;
        }
        out
    }

    /// The heading in force at `pos`: the nearest label line above, if no blank line
    /// comes between.
    fn heading_before(&self, text: &str, pos: usize) -> Option<(Found, usize)> {
        let bytes = text.as_bytes();
        let mut end = pos;
        for lines_up in 0..HEADING_REACH {
            if end == 0 {
                return None;
            }
            let line_end = end - 1; // the '\n' before `end`
            let line_start = memchr::memrchr(b'\n', &bytes[..line_end]).map_or(0, |i| i + 1);
            let line = &text[line_start..line_end];
            if line.trim().is_empty() {
                return None;
            }
            if let Some(found) = self.heading_of(text, line_start, line_end) {
                return Some((found, lines_up));
            }
            end = line_start;
        }
        None
    }

    /// A line that is only a label (`CPT4 CODE(S):`, `ICD-10 codes:`) heads the lines below.
    fn heading_of(&self, text: &str, start: usize, end: usize) -> Option<Found> {
        if end - start > 80 {
            return None;
        }
        let found = self.signals.find(text, start, end);
        let last = found.iter().rfind(|f| f.signal != Signal::NotACode)?;
        let rest = &text[last.end..end];
        let label_only = rest.bytes().all(|b| !b.is_ascii_alphanumeric()) && rest.contains(':')
            || rest.trim().is_empty() && text[start..end].trim_end().ends_with(':');
        // The most specific label on the line names the heading ("CPT4 CODE(S):" is CPT).
        let best = found
            .iter()
            .filter(|f| f.signal != Signal::NotACode)
            .min_by_key(|f| matches!(f.signal, Signal::Code | Signal::Diagnosis))
            .copied()?;
        label_only.then_some(best)
    }

    fn scan_line(
        &self,
        text: &str,
        start: usize,
        end: usize,
        heading: &mut Option<(Found, usize)>,
        out: &mut Vec<Mention>,
    ) {
        let line = &text[start..end];
        if line.trim().is_empty() {
            *heading = None;
            return;
        }
        let toks: Vec<Token> = tokens(text, start, end)
            .filter(|t| {
                let b = &text.as_bytes()[t.start..t.end];
                code_shaped(b) || self.category_led(b)
            })
            .collect();
        let found = if toks.is_empty() {
            Vec::new()
        } else {
            self.signals.find(text, start, end)
        };
        let first = out.len();
        // Two passes: codes that stand by their shape first, so that the rest of the line
        // can lean on them ("Charges: 99214, 93000 | Dx I10").
        let mut pending = Vec::new();
        for tok in &toks {
            let ctx = self.context(tok, &found, heading.as_ref().map(|h| h.0));
            // A label such as MRN rules the token out (no context at all).
            if let Some(ctx) = ctx {
                match self.classify(text, tok, ctx) {
                    Some(m) => out.push(m),
                    None => pending.push(*tok),
                }
            }
        }
        if out.len() > first {
            for tok in pending {
                if let Some(m) = self.classify(text, &tok, Context::Line) {
                    out.push(m);
                }
            }
            out[first..].sort_by_key(|m| m.start);
        }
        if let Some(h) = self.heading_of(text, start, end) {
            *heading = Some((h, 0));
        } else if let Some(h) = heading {
            h.1 += 1;
            if h.1 >= HEADING_REACH {
                *heading = None;
            }
        }
    }

    /// The strongest context a token has, or `None` when a label rules it out.
    fn context(&self, tok: &Token, found: &[Found], heading: Option<Found>) -> Option<Context> {
        let mut best = Context::None;
        let mut best_dist = usize::MAX;
        for f in found {
            let dist = if f.end <= tok.start {
                tok.start - f.end
            } else if f.start >= tok.end {
                f.start - tok.end
            } else {
                continue;
            };
            if dist > LABEL_REACH {
                continue;
            }
            if f.signal == Signal::NotACode {
                // "MRN 12345", "Lot # EK5730", "room 21435": the label just before the number.
                if f.end <= tok.start && dist <= 12 {
                    return None;
                }
                continue;
            }
            // Labels before the code count most; a specific label beats a generic one.
            let before = f.end <= tok.start;
            let rank = |s: Signal| {
                if matches!(s, Signal::Code | Signal::Diagnosis) {
                    1
                } else {
                    0
                }
            };
            let dist_eff =
                dist + if before { 0 } else { LABEL_REACH } + rank(f.signal) * 2 * LABEL_REACH;
            if dist_eff < best_dist {
                best_dist = dist_eff;
                best = Context::Signal(f.signal, f.label(), false, f.end);
            }
        }
        if best == Context::None
            && let Some(h) = heading
        {
            best = Context::Signal(h.signal, h.label(), true, h.end);
        }
        Some(best)
    }

    /// Decides whether a token is a code in its context, and which.
    fn classify(&self, text: &str, tok: &Token, ctx: Context) -> Option<Mention> {
        let raw = &text[tok.start..tok.end];
        let upper = raw.to_ascii_uppercase();
        let has_ctx = ctx != Context::None;
        let signal = match ctx {
            Context::Signal(s, ..) => Some(s),
            _ => None,
        };
        let evidence = match ctx {
            Context::Signal(_, label, false, _) => Evidence::Label(label),
            Context::Signal(_, label, true, _) => Evidence::Heading(label),
            Context::Line => Evidence::Line,
            Context::None => Evidence::Shape,
        };
        let lower = raw.bytes().any(|b| b.is_ascii_lowercase());
        let b = upper.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        let dot = raw.find('.');
        let mention = |code: String, system: System, status: Status, evidence: Evidence| Mention {
            start: tok.start,
            end: tok.end,
            code,
            system,
            status,
            modifiers: Vec::new(),
            evidence,
        };
        if lower && !has_ctx {
            return None;
        }
        let procedure_label = matches!(
            signal,
            Some(Signal::Cpt | Signal::Hcpcs | Signal::Icd10Pcs | Signal::Code)
        );
        let diagnosis_label = matches!(
            signal,
            Some(Signal::Icd10Cm | Signal::Diagnosis | Signal::Code | Signal::Icd9)
        );

        // ICD-9-CM: numeric, V or E codes, only where a label or heading says so.
        let icd9_shape = match dot {
            Some(d) => {
                (d == 3 && digits(&b[..3]) && (2..=3).contains(&(b.len() - 3)) && digits(&b[4..]))
                    || (d == 3
                        && b[0] == b'V'
                        && digits(&b[1..3])
                        && digits(&b[4..])
                        && b.len() <= 6)
                    || (d == 4
                        && b[0] == b'E'
                        && digits(&b[1..4])
                        && b.len() == 6
                        && digits(&b[5..]))
            }
            None => false,
        };
        // The words before a code that say what its title says are evidence for any code.
        let before = || agreement::words_before(text, tok.start);
        let icd9_agrees = || {
            let title = self.sets.icd9cm().title(&dot_icd9_dx(&upper));
            !tok.unit_follows && title.is_some_and(|t| agreement::agrees(&before(), t))
        };
        let agreed9 = icd9_shape && !has_ctx && icd9_agrees();
        if icd9_shape
            && (matches!(signal, Some(Signal::Icd9 | Signal::Diagnosis))
                || (signal == Some(Signal::Code) && b[0].is_ascii_digit())
                || agreed9)
        {
            let evidence = if agreed9 {
                Evidence::Agrees
            } else {
                evidence.clone()
            };
            if tok.unit_follows {
                return None;
            }
            let dotted = dot_icd9_dx(&upper);
            if self.sets.icd9cm().has_diagnosis(&dotted) {
                return Some(mention(dotted, System::Icd9Cm, Status::Retired, evidence));
            }
            if self.sets.icd9cm().is_diagnosis_header(&dotted) {
                return Some(mention(dotted, System::Icd9Cm, Status::Header, evidence));
            }
            if signal == Some(Signal::Icd9) && b[0].is_ascii_digit() {
                return Some(mention(dotted, System::Icd9Cm, Status::Invalid, evidence));
            }
            if b[0].is_ascii_digit() {
                return None;
            }
        }

        // CPT: five digits, or four and F/T/U/M; never on its own shape.
        let cpt_shape = dot.is_none()
            && b.len() == 5
            && digits(&b[..4])
            && (b[4].is_ascii_digit() || matches!(b[4], b'F' | b'T' | b'U' | b'M'));
        if cpt_shape {
            let modifiers = self.modifiers(text, tok);
            let modified = modifiers.iter().any(|m| m.valid);
            // "Colonoscopy (45378)": a number in brackets right after a procedure's words.
            let bracketed = text[..tok.start].ends_with(['(', '[']);
            let named = !has_ctx
                && bracketed
                && self.sets.cpt().sections(&upper).is_some()
                && agreement::names_a_procedure(&before());
            let allowed = procedure_label
                || ctx == Context::Line
                || (has_ctx && modified)
                || (signal == Some(Signal::Diagnosis) && !tok.unit_follows)
                || named;
            let icd9_context = signal == Some(Signal::Icd9);
            let hyphenated = tok.number_context && modifiers.is_empty();
            if (allowed || modified) && !icd9_context && !tok.unit_follows && !hyphenated {
                let status = if self.sets.cpt().sections(&upper).is_some() {
                    Status::Valid
                } else {
                    Status::Invalid
                };
                let evidence = match (has_ctx, named) {
                    (true, _) => evidence,
                    (false, true) => Evidence::Agrees,
                    (false, false) => Evidence::Modifier,
                };
                let mut m = mention(upper, System::Cpt, status, evidence);
                m.modifiers = modifiers;
                return Some(m);
            }
            return None;
        }
        if b.is_empty() || !b[0].is_ascii_alphabetic() && !b[0].is_ascii_digit() {
            return None;
        }

        // ICD-10-PCS: seven characters, no dot.
        // A code of any release is found (a deleted one only where a label says it is a
        // procedure), and the rules judge it by the date of service.
        let pcs = (dot.is_none() && b.len() == 7 && !lower)
            .then(|| self.sets.icd10pcs().status_of_code(&upper))
            .flatten();
        if let Some(status) = pcs {
            let mixed = b.iter().filter(|c| c.is_ascii_digit()).count() >= 2
                && b.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2;
            let cm = self.sets.icd10cm().status(&dot_icd10cm(&upper));
            let found = match status {
                Status::Valid => mixed || has_ctx,
                _ => signal == Some(Signal::Icd10Pcs),
            };
            if cm.is_none() && found {
                let evidence = if has_ctx { evidence } else { Evidence::Shape };
                return Some(mention(upper, System::Icd10Pcs, status, evidence));
            }
        }
        if signal == Some(Signal::Icd10Pcs)
            && dot.is_none()
            && b.len() == 7
            && pcs.is_none()
            && b[0].is_ascii_digit()
        {
            return Some(mention(upper, System::Icd10Pcs, Status::Invalid, evidence));
        }

        // HCPCS Level II: a letter A–V and four digits.
        let hcpcs_shape =
            dot.is_none() && b.len() == 5 && (b'A'..=b'V').contains(&b[0]) && digits(&b[1..]);
        if hcpcs_shape && !lower {
            let modifiers = self.modifiers(text, tok);
            if let Some(status) = self.sets.hcpcs().status(&upper) {
                let specific_dx = matches!(signal, Some(Signal::Icd10Cm | Signal::Diagnosis));
                let cm_valid = self.sets.icd10cm().status(&dot_icd10cm(&upper)).is_some();
                if (has_ctx || modifiers.iter().any(|m| m.valid)) && !(specific_dx && cm_valid) {
                    let evidence = if !has_ctx {
                        Evidence::Modifier
                    } else {
                        evidence
                    };
                    let mut m = mention(upper, System::Hcpcs, status, evidence);
                    m.modifiers = modifiers;
                    return Some(m);
                }
            } else if signal == Some(Signal::Hcpcs) {
                return Some(mention(upper, System::Hcpcs, Status::Invalid, evidence));
            }
        }

        // ICD-10-CM: a letter, a digit (or a category's letter: QA0), a character; a dot
        // after the third.
        let cm_shape = b.len() >= 3
            && b.len() <= 8
            && b[0].is_ascii_alphabetic()
            && (b[1].is_ascii_digit() || self.category_led(b))
            && b[2].is_ascii_alphanumeric()
            && match dot {
                Some(d) => d == 3 && b.len() >= 5,
                None => b.len() <= 7,
            };
        if !cm_shape || tok.number_context {
            return None;
        }
        let dotted = dot_icd10cm(&upper);
        match self.sets.icd10cm().status(&dotted) {
            // A deleted code was a code: found as a valid one is, and judged by the date.
            Some(status @ (Status::Valid | Status::Retired)) => {
                // A bare three-character code stands on its own only when set off as a
                // code is ("(I10)", "- I10."); "P53 stain" is a protein.
                let by_shape = !lower && (dot.is_some() || b.len() == 3 && set_off(text, tok));
                if by_shape || has_ctx {
                    let evidence = if has_ctx { evidence } else { Evidence::Shape };
                    return Some(mention(dotted, System::Icd10Cm, status, evidence));
                }
                None
            }
            Some(status) => {
                let agreed = !has_ctx
                    && self
                        .sets
                        .icd10cm()
                        .title(&dotted)
                        .is_some_and(|t| agreement::agrees(&before(), t));
                let evidence = if agreed { Evidence::Agrees } else { evidence };
                (diagnosis_label || ctx == Context::Line && dot.is_some() || agreed)
                    .then(|| mention(dotted, System::Icd10Cm, status, evidence))
            }
            None => {
                // Code-shaped but in no release: reported only where a label says it is a
                // diagnosis code, and only with a digit where ICD-10-CM has one.
                let plausible =
                    b[1].is_ascii_digit() && (dot.is_some() || b.len() <= 4) && !tok.unit_follows;
                // The label must be right before it, or before a list of codes it ends: a
                // word between ("Dx: A04.3 ... E. coli O157") means the text moved on.
                let labelled = match ctx {
                    Context::Signal(Signal::Icd10Cm | Signal::Diagnosis, _, false, end) => {
                        end <= tok.start
                            && !text[end..tok.start].bytes().any(|c| c.is_ascii_lowercase())
                    }
                    _ => false,
                };
                // A look-alike one character past a code agrees with the code it extends
                // ("Peripheral vascular disease (I73.91)": I73.9).
                let agreed = !labelled && dot.is_some() && !tok.unit_follows && {
                    let key = crate::codes::normalize::compact(&upper);
                    let parent = (3..key.len())
                        .rev()
                        .find_map(|n| self.sets.icd10cm().title(&dot_icd10cm(&key[..n])));
                    parent.is_some_and(|t| agreement::agrees(&before(), t))
                };
                let evidence = if agreed { Evidence::Agrees } else { evidence };
                ((labelled || agreed)
                    && plausible
                    && !self.sets.icd9cm().has_diagnosis(&dot_icd9_dx(&upper)))
                .then(|| mention(dotted, System::Icd10Cm, Status::Invalid, evidence))
            }
        }
    }

    /// Modifiers right after a procedure code: `-25`, `-RT`, ` LT`, `-25-59`.
    fn modifiers(&self, text: &str, tok: &Token) -> Vec<Modifier> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut pos = tok.end;
        loop {
            let sep = bytes.get(pos).copied();
            if !matches!(sep, Some(b'-' | b' ')) {
                break;
            }
            let s = pos + 1;
            let e = s + 2;
            if e > bytes.len()
                || !bytes[s..e].iter().all(u8::is_ascii_alphanumeric)
                || bytes.get(e).is_some_and(u8::is_ascii_alphanumeric)
            {
                break;
            }
            let m = &text[s..e];
            // A space-separated modifier must be in capitals (" LT"), so "64483 at" is not one.
            if sep == Some(b' ')
                && (m.bytes().any(|c| c.is_ascii_lowercase())
                    || m.bytes().all(|c| c.is_ascii_digit()))
            {
                break;
            }
            let valid = self.sets.modifier(m).is_some();
            // Only a hyphen attaches an unknown modifier ("99213-2B"); after a space it is
            // just the next word.
            if !valid && sep != Some(b'-') {
                break;
            }
            out.push(Modifier {
                valid,
                code: m.to_ascii_uppercase(),
                start: s,
                end: e,
            });
            pos = e;
        }
        out
    }
}

impl Scanner {
    /// Whether a token starts with an ICD-10-CM category whose second character is a letter
    /// (`QA0.0101`): such shapes come from the data, not from a pattern.
    fn category_led(&self, b: &[u8]) -> bool {
        b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1].is_ascii_alphabetic()
            && b[2].is_ascii_alphanumeric()
            && std::str::from_utf8(&b[..3])
                .is_ok_and(|c| self.sets.icd10cm().is_category(&c.to_ascii_uppercase()))
    }
}

/// Whether a token has the shape of a code of some system; most numbers in a note (doses,
/// years, vitals) do not, and the labels need not be looked for on their lines.
fn code_shaped(b: &[u8]) -> bool {
    let digit = |c: u8| c.is_ascii_digit();
    let alpha = |c: u8| c.is_ascii_alphabetic();
    let dot = b.iter().position(|&c| c == b'.');
    match dot {
        // ICD-10-CM (E11.65), ICD-9-CM (250.00, V12.51, E888.9), procedures (45.13).
        Some(d) => {
            (d == 3 && alpha(b[0]) && digit(b[1]))
                || (d == 3 && digit(b[0]))
                || (d == 4 && b[0].eq_ignore_ascii_case(&b'E'))
        }
        None => match b.len() {
            5 => b[..4].iter().all(|&c| digit(c)) || (alpha(b[0]) && digit(b[1])),
            3 | 4 | 6 => alpha(b[0]) && digit(b[1]),
            7 => b.iter().all(|c| c.is_ascii_alphanumeric()),
            _ => false,
        },
    }
}

/// Whether a token is set apart from prose: in brackets, after a dash or colon, or last
/// in its clause.
fn set_off(text: &str, tok: &Token) -> bool {
    let before = text[..tok.start].trim_end_matches(' ');
    let after = text[tok.end..].trim_start_matches(' ');
    let opened = before.ends_with(['(', '[', '-', ':', '–']);
    let closed = after.is_empty() || after.starts_with([')', ']', '\n', '\r', ';']) || {
        let rest = after.trim_start_matches(['.', ',']);
        after.len() != rest.len() && (rest.is_empty() || rest.starts_with([' ', '\n', '\r']))
    };
    opened || closed
}
