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
mod structure;
mod tokens;

pub use incremental::{Edit, ScanState};
pub use signals::Signal;

use crate::codes::CodeSet;
use crate::codes::normalize::{dot_icd9_dx, dot_icd10cm};
use crate::codes::{CodeSets, Status, System};
use signals::{Found, Signals};
use std::sync::Arc;
use structure::{Kind, Table};
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
    /// The header of the table column it sits in (`| CPT | Mod | ICD-10-CM |`).
    Column(&'static str),
    /// The kind of section it sits in: a dotted number under `PREOPERATIVE DIAGNOSIS:`, a
    /// five-digit number set apart under `OPERATIONS PERFORMED:`.
    Section(&'static str),
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
            Evidence::Column(l) => format!("column:{l}"),
            Evidence::Section(k) => format!("section:{k}"),
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

/// Why a code-shaped token was not taken for a code (`dxpx scan --explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A label right before it says it is something else: `MRN`, `Lot`, `phone`, `room`.
    RuledOut(&'static str),
    /// A unit follows it or a measurement's word precedes it (`250.00 mg/dL`, `temp 103.9`).
    Measurement,
    /// Joined by a hyphen to what follows, as ranges, phone numbers and levels are (`T12-L1`).
    Joined,
    /// In lower case, and no label says it is a code.
    LowerCase,
    /// Beside words that are no codes, or among spinal levels (`G10, P7`, `C56, C67`).
    AmongNonCodes,
    /// A bare shape under a heading of medications, labs, vitals or examination.
    InMeasures,
    /// A code of this system by its shape, but nothing here says it is meant as one: it
    /// needs a label, a heading, a table column or the words it codes before it.
    NeedsEvidence(System),
    /// In no release of any code set, and no label right before it says it is a code.
    NoSuchCode,
}

impl Reason {
    pub fn describe(&self) -> String {
        match self {
            Reason::RuledOut(label) => format!("ruled out by the label {label:?} before it"),
            Reason::Measurement => {
                "a measurement: a unit or a measured quantity goes with it".into()
            }
            Reason::Joined => {
                "joined by a hyphen to what follows (a range, a number, a level)".into()
            }
            Reason::LowerCase => "in lower case with no label".into(),
            Reason::AmongNonCodes => {
                "in a list of things that are not codes (levels, counts)".into()
            }
            Reason::InMeasures => {
                "under a heading of medications, labs, vitals or examination".into()
            }
            Reason::NeedsEvidence(system) => format!(
                "has the shape of {} but no label, heading, column or words before it say it is a code",
                system.name()
            ),
            Reason::NoSuchCode => {
                "in no code set, and no label right before it says it is a code".into()
            }
        }
    }
}

/// A code-shaped token the scanner did not take for a code, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub start: usize,
    pub end: usize,
    pub reason: Reason,
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
/// How many lines a section such as `ASSESSMENT:` covers, at most, until a blank line ends it.
const SECTION_REACH: usize = 40;
/// How many rows a table with a code column may have.
const TABLE_REACH: usize = 100;

/// Where a label stands with respect to the token it gives a context.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    /// On the token's line.
    Line,
    /// A heading above the token's line.
    Heading,
    /// The header of the token's table column.
    Column,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Context {
    None,
    Line,
    /// A label: what it signals, its text, where it stands, and where it ends.
    Signal(Signal, &'static str, Place, usize),
    /// Only the kind of section the token is in.
    Section(Kind),
}

/// What the lines above a line say about it: the label heading it, the section it is in,
/// the table it is a row of.
#[derive(Debug, Default)]
struct Layout {
    /// A label-only line above (`CPT CODE(S):`) and how many lines ago.
    heading: Option<(Found, usize)>,
    section: Option<Section>,
    table: Option<Table>,
}

/// Where a scanned line's mentions go, and its rejected tokens when they are asked for.
type Sink<'a> = (&'a mut Vec<Mention>, Option<&'a mut Vec<Rejected>>);

/// What one line is scanned in: the label heading over it, the table it is a row of, the
/// kind of section it is in and where in it the section's text begins.
#[derive(Clone, Copy)]
struct Above<'a> {
    heading: Option<Found>,
    table: Option<&'a Table>,
    section: Option<Kind>,
    body: usize,
}

#[derive(Debug, Clone, Copy)]
struct Section {
    kind: Kind,
    /// Lines since the heading.
    lines: usize,
    /// Whether a line of text followed the heading: the next blank line ends the section.
    content: bool,
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

    /// Every mention in `text`, and every code-shaped token that is not one with the reason,
    /// for a user who wonders why a number was or was not read as a code.
    pub fn explain(&self, text: &str) -> (Vec<Mention>, Vec<Rejected>) {
        let mut rejected = Vec::new();
        let mentions = self.read_lines(text, 0, text.len(), Some(&mut rejected));
        // The scan's reasons are what it could tell cheaply; a measurement's word before
        // a token (as in "temperature 103.9") is looked for only here.
        // So is whether a number in no other set is an ICD-9-CM code.
        for r in &mut rejected {
            if matches!(r.reason, Reason::NeedsEvidence(_) | Reason::NoSuchCode)
                && agreement::names_a_measure(&agreement::words_before(text, r.start))
            {
                r.reason = Reason::Measurement;
            } else if r.reason == Reason::NoSuchCode
                && self
                    .sets
                    .icd9cm()
                    .has_diagnosis(&dot_icd9_dx(&text[r.start..r.end].to_ascii_uppercase()))
            {
                r.reason = Reason::NeedsEvidence(System::Icd9Cm);
            }
        }
        (mentions, rejected)
    }

    /// Mentions whose lines lie in `text[start..end]`; `start` and `end` must be line
    /// boundaries. Headings, sections and tables in the lines before `start` are honoured.
    pub fn scan_range(&self, text: &str, start: usize, end: usize) -> Vec<Mention> {
        crate::fault::inject(text.get(start..end).unwrap_or(text));
        self.read_lines(text, start, end, None)
    }

    /// The mentions of the lines in `text[start..end]` (line boundaries), in the layout the
    /// lines above leave; with `rejected`, the tokens not taken too.
    fn read_lines(
        &self,
        text: &str,
        start: usize,
        end: usize,
        mut rejected: Option<&mut Vec<Rejected>>,
    ) -> Vec<Mention> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut line_start = start;
        let mut layout = self.layout_before(text, start);
        while line_start < end {
            let line_end =
                memchr::memchr(b'\n', &bytes[line_start..end]).map_or(end, |i| line_start + i);
            let sink = (&mut out, rejected.as_deref_mut());
            self.advance(text, line_start, line_end, &mut layout, Some(sink));
            line_start = line_end + 1;
        }
        out
    }

    /// The layout in force at `pos` (a line start), read from the lines above, as a scan from
    /// the top of the text would have left it.
    fn layout_before(&self, text: &str, pos: usize) -> Layout {
        let reach = HEADING_REACH.max(SECTION_REACH).max(TABLE_REACH);
        let lines = lines_above(text, pos).take(reach + 1).collect::<Vec<_>>();
        // Replaying the lines above from the farthest gives exactly the state a full scan
        // has; a line farther up than every reach cannot matter.
        let mut layout = Layout::default();
        for &(s, e) in lines.iter().rev() {
            self.advance(text, s, e, &mut layout, None);
        }
        layout
    }

    /// A line that is only a label (`CPT4 CODE(S):`, `ICD-10 codes:`) heads the lines below.
    fn heading_of(&self, text: &str, start: usize, end: usize) -> Option<Found> {
        if end - start > 80 {
            return None;
        }
        // Such a line ends in its colon (and maybe spaces or brackets): most lines can be
        // passed over without looking for labels in them.
        let line = &text.as_bytes()[start..end];
        let colon = memchr::memrchr(b':', line)?;
        if line[colon + 1..].iter().any(u8::is_ascii_alphanumeric) {
            return None;
        }
        let mut found = self.signals.find(text, start, end);
        // "PROCEDURE:" alone opens a section (see `structure`), not a label heading: what is
        // under it is often prose, where a number needs more than the heading to be a code.
        found.retain(|f| !f.is_plain_word());
        let last = found.iter().rfind(|f| f.signal != Signal::NotACode)?;
        let rest = &text[last.end..end];
        let label_only = rest.bytes().all(|b| !b.is_ascii_alphanumeric()) && rest.contains(':')
            || rest.trim().is_empty() && text[start..end].trim_end().ends_with(':');
        // The most specific label on the line names the heading ("CPT4 CODE(S):" is CPT).
        label_only.then(|| signals::most_specific(&found)).flatten()
    }

    /// Moves `layout` past the line `text[start..end]`. With `mentions`, the line's codes
    /// are found on the way, in the layout the line itself sets up (a heading's own text
    /// after its colon is in its section; a table's header row is not a row).
    fn advance(
        &self,
        text: &str,
        start: usize,
        end: usize,
        layout: &mut Layout,
        sink: Option<Sink>,
    ) {
        let line = &text[start..end];
        if line.trim().is_empty() {
            layout.heading = None;
            layout.table = None;
            if layout.section.is_some_and(|s| s.content) {
                layout.section = None;
            }
            return;
        }
        let heading = structure::heading(line);
        let mut body = start;
        match heading {
            Some(h) => {
                body = start + h.body;
                layout.section = h.kind.map(|kind| Section {
                    kind,
                    lines: 0,
                    content: !line[h.body..].trim().is_empty(),
                });
            }
            None => {
                if let Some(s) = &mut layout.section {
                    s.lines += 1;
                    s.content = true;
                }
                if layout.section.is_some_and(|s| s.lines > SECTION_REACH) {
                    layout.section = None;
                }
            }
        }
        let row = layout.table.as_ref().is_some_and(|t| t.continues(line));
        if !row {
            layout.table = may_be_table(line)
                .then(|| Table::header(&self.signals, line))
                .flatten();
        }
        if let Some((out, rejected)) = sink {
            let above = Above {
                heading: layout.heading.map(|h| h.0),
                table: if row { layout.table.as_ref() } else { None },
                section: layout.section.map(|s| s.kind),
                body,
            };
            self.scan_line(text, start, end, &above, out, rejected);
        }
        if let Some(h) = self.heading_of(text, start, end) {
            layout.heading = Some((h, 0));
        } else if let Some(h) = &mut layout.heading {
            h.1 += 1;
            if h.1 >= HEADING_REACH {
                layout.heading = None;
            }
        }
    }

    fn scan_line(
        &self,
        text: &str,
        start: usize,
        end: usize,
        above: &Above,
        out: &mut Vec<Mention>,
        mut rejected: Option<&mut Vec<Rejected>>,
    ) {
        let line = &text[start..end];
        let Above {
            heading,
            table,
            section,
            body,
        } = *above;
        // Three digits are an ICD-9-CM code only right after its label ("ICD-9-CM: 496"); on
        // other lines they are doses and counts, not worth looking for labels.
        let mut icd_line = None;
        let toks: Vec<Token> = tokens(text, start, end)
            .filter(|t| {
                let b = &text.as_bytes()[t.start..t.end];
                code_shaped(b)
                    || self.category_led(b)
                    || b.len() == 3
                        && b.iter().all(u8::is_ascii_digit)
                        && *icd_line.get_or_insert_with(|| {
                            heading.is_some_and(|h| h.signal == Signal::Icd9)
                                || table.is_some()
                                || line
                                    .as_bytes()
                                    .windows(3)
                                    .any(|w| w.eq_ignore_ascii_case(b"icd"))
                        })
            })
            .collect();
        if toks.is_empty() {
            return;
        }
        let found = self.signals.find(text, start, end);
        let first = out.len();
        // Two passes: codes that stand by their shape first, so that the rest of the line
        // can lean on them ("Charges: 99214, 93000 | Dx I10").
        let mut pending = Vec::new();
        for tok in &toks {
            let column = table.and_then(|t| {
                let (signal, label) = (*t.columns.get(t.column_at(line, tok.start - start))?)?;
                Some(Context::Signal(signal, label, Place::Column, start))
            });
            let ctx = match column {
                Some(c) => Ok(c),
                None => self
                    .context(tok, &found, heading)
                    .map(|c| match (c, section) {
                        (Context::None, Some(kind)) if tok.start >= body => Context::Section(kind),
                        _ => c,
                    }),
            };
            // A label such as MRN rules the token out (no context at all).
            match ctx.and_then(|ctx| self.classify(text, tok, ctx)) {
                Ok(mut m) => {
                    if let (Some(t), Some(Context::Signal(..))) = (table, column) {
                        self.column_modifiers(t, text, start, end, &mut m);
                    }
                    out.push(m)
                }
                Err(reason @ Reason::RuledOut(_)) => reject(&mut rejected, tok, reason),
                Err(reason) => pending.push((*tok, reason)),
            }
        }
        let leaning = out.len() > first;
        for (tok, reason) in pending {
            // A code on the line is evidence for the rest of it.
            match leaning.then(|| self.classify(text, &tok, Context::Line)) {
                Some(Ok(m)) => out.push(m),
                Some(Err(_)) | None => reject(&mut rejected, &tok, reason),
            }
        }
        if leaning {
            out[first..].sort_by_key(|m| m.start);
        }
    }

    /// A procedure code in a table with a modifier column takes the modifiers of its row.
    fn column_modifiers(
        &self,
        table: &Table,
        text: &str,
        start: usize,
        end: usize,
        m: &mut Mention,
    ) {
        let (Some(column), true) = (
            table.modifiers,
            matches!(m.system, System::Cpt | System::Hcpcs) && m.modifiers.is_empty(),
        ) else {
            return;
        };
        let line = &text[start..end];
        let Some((s, e)) = table.cell(line, column) else {
            return;
        };
        for word in line[s..e].split([' ', ',']).filter(|w| !w.is_empty()) {
            let at = start + s + (word.as_ptr() as usize - line[s..e].as_ptr() as usize);
            if word.len() == 2 && word.bytes().all(|b| b.is_ascii_alphanumeric()) {
                m.modifiers.push(Modifier {
                    valid: self.sets.modifier(word).is_some(),
                    code: word.to_ascii_uppercase(),
                    start: at,
                    end: at + 2,
                });
            }
        }
    }

    /// The strongest context a token has, or the label that rules it out.
    fn context(
        &self,
        tok: &Token,
        found: &[Found],
        heading: Option<Found>,
    ) -> Result<Context, Reason> {
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
                    return Err(Reason::RuledOut(f.label()));
                }
                continue;
            }
            // Labels before the code count most; a specific label beats a generic one.
            let before = f.end <= tok.start;
            let generic = usize::from(f.signal.is_generic());
            let dist_eff = dist + if before { 0 } else { LABEL_REACH } + generic * 2 * LABEL_REACH;
            if dist_eff < best_dist {
                best_dist = dist_eff;
                best = Context::Signal(f.signal, f.label(), Place::Line, f.end);
            }
        }
        if best == Context::None
            && let Some(h) = heading
        {
            best = Context::Signal(h.signal, h.label(), Place::Heading, h.end);
        }
        Ok(best)
    }

    /// Decides whether a token is a code in its context, and which.
    fn classify(&self, text: &str, tok: &Token, ctx: Context) -> Result<Mention, Reason> {
        let raw = &text[tok.start..tok.end];
        let upper = raw.to_ascii_uppercase();
        // A section alone is weaker than a label: it admits only what is set apart as a
        // code is, in the section that holds its kind.
        let has_ctx = !matches!(ctx, Context::None | Context::Section(_));
        let signal = match ctx {
            Context::Signal(s, ..) => Some(s),
            _ => None,
        };
        let section = match ctx {
            Context::Section(kind) => Some(kind),
            _ => None,
        };
        let evidence = match ctx {
            Context::Signal(_, label, Place::Line, _) => Evidence::Label(label),
            Context::Signal(_, label, Place::Heading, _) => Evidence::Heading(label),
            Context::Signal(_, label, Place::Column, _) => Evidence::Column(label),
            Context::Section(kind) => Evidence::Section(kind.name()),
            Context::Line => Evidence::Line,
            Context::None => Evidence::Shape,
        };
        let section_dx = section.is_some_and(Kind::holds_diagnoses);
        let section_px = section.is_some_and(Kind::holds_procedures);
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
            return Err(Reason::LowerCase);
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
        // Under a diagnoses heading, a dotted number that is no measurement is a code.
        let sectioned9 =
            icd9_shape && section_dx && !tok.unit_follows && !agreement::names_a_measure(&before());
        if icd9_shape
            && (matches!(signal, Some(Signal::Icd9 | Signal::Diagnosis))
                || (signal == Some(Signal::Code) && b[0].is_ascii_digit())
                || agreed9
                || sectioned9)
        {
            let evidence = if agreed9 {
                Evidence::Agrees
            } else {
                evidence.clone()
            };
            if tok.unit_follows {
                return Err(Reason::Measurement);
            }
            let dotted = dot_icd9_dx(&upper);
            if self.sets.icd9cm().has_diagnosis(&dotted) {
                return Ok(mention(dotted, System::Icd9Cm, Status::Retired, evidence));
            }
            if self.sets.icd9cm().is_diagnosis_header(&dotted) {
                return Ok(mention(dotted, System::Icd9Cm, Status::Header, evidence));
            }
            if signal == Some(Signal::Icd9) && b[0].is_ascii_digit() {
                return Ok(mention(dotted, System::Icd9Cm, Status::Invalid, evidence));
            }
            if b[0].is_ascii_digit() {
                return Err(Reason::NoSuchCode);
            }
        }

        // A three-digit ICD-9-CM code right after its label, or in its column: "ICD-9-CM: 496
        // copd, 414.01".
        if dot.is_none() && b.len() == 3 && digits(b) {
            let from = match ctx {
                Context::Signal(Signal::Icd9, _, Place::Line, end) => Some(end),
                Context::Signal(Signal::Icd9, ..) => {
                    Some(text[..tok.start].rfind('\n').map_or(0, |i| i + 1))
                }
                _ => None,
            };
            let right_after = from.is_some_and(|f| {
                f <= tok.start && !text[f..tok.start].bytes().any(|c| c.is_ascii_alphabetic())
            });
            if tok.unit_follows {
                return Err(Reason::Measurement);
            }
            if !right_after {
                return Err(Reason::NeedsEvidence(System::Icd9Cm));
            }
            let icd9 = self.sets.icd9cm();
            let status = if icd9.has_diagnosis(&upper) {
                Status::Retired
            } else if icd9.is_diagnosis_header(&upper) {
                Status::Header
            } else {
                Status::Invalid
            };
            return Ok(mention(upper, System::Icd9Cm, status, evidence));
        }

        // CPT: five digits, or four and F/T/U/M; never on its own shape.
        let cpt_shape = dot.is_none()
            && b.len() == 5
            && digits(&b[..4])
            && (b[4].is_ascii_digit() || matches!(b[4], b'F' | b'T' | b'U' | b'M'));
        if cpt_shape {
            // On a claim form's procedure field a modifier may follow after a space, digits
            // and all ("Box 24D: 99212 25").
            let modifiers = self.modifiers(text, tok, procedure_label);
            let modified = modifiers.iter().any(|m| m.valid);
            // Looked up once, and only when something asks (most five-digit numbers are not
            // codes and go no further).
            let known = std::cell::OnceCell::new();
            let known = || *known.get_or_init(|| self.sets.cpt().sections(&upper).is_some());
            // "Colonoscopy (45378)": a number in brackets right after a procedure's words.
            let bracketed = text[..tok.start].ends_with(['(', '[']);
            let named = !has_ctx && bracketed && known() && agreement::names_a_procedure(&before());
            // "1. Rotator cuff repair, 23412." under a procedures heading.
            let sectioned = section_px
                && known()
                && set_apart(text, tok)
                && !agreement::names_a_measure(&before());
            let allowed = procedure_label
                || ctx == Context::Line
                || (has_ctx && modified)
                || (signal == Some(Signal::Diagnosis) && !tok.unit_follows)
                || named
                || sectioned;
            let icd9_context = signal == Some(Signal::Icd9);
            let hyphenated = tok.number_context && modifiers.is_empty();
            if (allowed || modified) && !icd9_context && !tok.unit_follows && !hyphenated {
                let status = if known() {
                    Status::Valid
                } else {
                    Status::Invalid
                };
                let evidence = if has_ctx || sectioned && !named {
                    evidence
                } else if named {
                    Evidence::Agrees
                } else {
                    Evidence::Modifier
                };
                let mut m = mention(upper, System::Cpt, status, evidence);
                m.modifiers = modifiers;
                return Ok(m);
            }
            return Err(if tok.unit_follows {
                Reason::Measurement
            } else if hyphenated {
                Reason::Joined
            } else {
                Reason::NeedsEvidence(System::Cpt)
            });
        }
        // The system whose code this token is, if it is one, for the reason it is not taken.
        let mut known_as = None;

        // ICD-10-PCS: seven characters, no dot.
        // A code of any release is found (a deleted one only where a label says it is a
        // procedure), and the rules judge it by the date of service.
        let pcs = (dot.is_none() && b.len() == 7 && !lower)
            .then(|| self.sets.icd10pcs().status_of_code(&upper))
            .flatten();
        if let Some(status) = pcs {
            known_as = Some(System::Icd10Pcs);
            let mixed = b.iter().filter(|c| c.is_ascii_digit()).count() >= 2
                && b.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2;
            let cm = self.sets.icd10cm().status(&dot_icd10cm(&upper));
            let found = match status {
                Status::Valid => mixed || has_ctx,
                _ => signal == Some(Signal::Icd10Pcs),
            };
            if cm.is_none() && found {
                let evidence = if has_ctx { evidence } else { Evidence::Shape };
                return Ok(mention(upper, System::Icd10Pcs, status, evidence));
            }
        }
        if signal == Some(Signal::Icd10Pcs)
            && dot.is_none()
            && b.len() == 7
            && pcs.is_none()
            && b[0].is_ascii_digit()
        {
            return Ok(mention(upper, System::Icd10Pcs, Status::Invalid, evidence));
        }

        // HCPCS Level II: a letter A–V and four digits.
        let hcpcs_shape =
            dot.is_none() && b.len() == 5 && (b'A'..=b'V').contains(&b[0]) && digits(&b[1..]);
        if hcpcs_shape && !lower {
            let modifiers = self.modifiers(text, tok, procedure_label);
            if let Some(status) = self.sets.hcpcs().status(&upper) {
                known_as = Some(System::Hcpcs);
                let specific_dx = matches!(signal, Some(Signal::Icd10Cm | Signal::Diagnosis));
                let cm_valid = self.sets.icd10cm().status(&dot_icd10cm(&upper)).is_some();
                let sectioned = section_px && set_apart(text, tok);
                if (has_ctx || sectioned || modifiers.iter().any(|m| m.valid))
                    && !(specific_dx && cm_valid)
                {
                    let evidence = if !has_ctx && !sectioned {
                        Evidence::Modifier
                    } else {
                        evidence
                    };
                    let mut m = mention(upper, System::Hcpcs, status, evidence);
                    m.modifiers = modifiers;
                    return Ok(m);
                }
            } else if signal == Some(Signal::Hcpcs) {
                return Ok(mention(upper, System::Hcpcs, Status::Invalid, evidence));
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
        let needs_evidence = |known_as: Option<System>| {
            Err(if tok.unit_follows {
                Reason::Measurement
            } else if tok.number_context {
                Reason::Joined
            } else {
                known_as.map_or(Reason::NoSuchCode, Reason::NeedsEvidence)
            })
        };
        if !cm_shape || tok.number_context {
            return needs_evidence(known_as);
        }
        let dotted = dot_icd10cm(&upper);
        match self.sets.icd10cm().status(&dotted) {
            // A deleted code was a code: found as a valid one is, and judged by the date.
            Some(status @ (Status::Valid | Status::Retired)) => {
                // A bare three-character code stands on its own only when set off as a
                // code is ("(I10)", "- I10.") or under a diagnoses heading, and not among
                // spinal levels or obstetric counts ("C56, C67", "G10, P7"); "P53 stain" is a
                // protein, "B12" under medications a vitamin.
                let bare = dot.is_none() && b.len() == 3;
                let by_shape = !lower
                    && (dot.is_some()
                        || bare
                            && (set_off(text, tok) || section_dx)
                            && section != Some(Kind::Measures)
                            && !structure::among_non_codes(text, tok.start, tok.end, |w| {
                                self.is_icd10cm(w)
                            }));
                if by_shape || has_ctx {
                    // A bare code not set off stands by its section (`evidence` says which).
                    let by_section = bare && section_dx && !set_off(text, tok);
                    let evidence = if has_ctx || by_section {
                        evidence
                    } else {
                        Evidence::Shape
                    };
                    return Ok(mention(dotted, System::Icd10Cm, status, evidence));
                }
                Err(if lower {
                    Reason::LowerCase
                } else if section == Some(Kind::Measures) {
                    Reason::InMeasures
                } else if bare
                    && structure::among_non_codes(text, tok.start, tok.end, |w| self.is_icd10cm(w))
                {
                    Reason::AmongNonCodes
                } else {
                    Reason::NeedsEvidence(System::Icd10Cm)
                })
            }
            Some(status) => {
                let agreed = !has_ctx
                    && self
                        .sets
                        .icd10cm()
                        .title(&dotted)
                        .is_some_and(|t| agreement::agrees(&before(), t));
                let evidence = if agreed { Evidence::Agrees } else { evidence };
                let dotted_here = dot.is_some() && (ctx == Context::Line || section_dx);
                if diagnosis_label || dotted_here || agreed {
                    Ok(mention(dotted, System::Icd10Cm, status, evidence))
                } else {
                    needs_evidence(Some(System::Icd10Cm))
                }
            }
            None => {
                // Code-shaped but in no release: reported only where a label says it is a
                // diagnosis code, and only with a digit where ICD-10-CM has one.
                let plausible =
                    b[1].is_ascii_digit() && (dot.is_some() || b.len() <= 4) && !tok.unit_follows;
                // The label must be right before it, or before a list of codes it ends: a
                // word between ("Dx: A04.3 ... E. coli O157") means the text moved on.
                let labelled = match ctx {
                    Context::Signal(Signal::Icd10Cm | Signal::Diagnosis, _, Place::Line, end) => {
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
                if (labelled || agreed)
                    && plausible
                    && !self.sets.icd9cm().has_diagnosis(&dot_icd9_dx(&upper))
                {
                    Ok(mention(dotted, System::Icd10Cm, Status::Invalid, evidence))
                } else {
                    needs_evidence(known_as)
                }
            }
        }
    }

    /// Modifiers right after a procedure code: `-25`, `-RT`, ` LT`, `-25-59`.
    /// `spaced_digits`: the code is in a procedure field, where a numeric modifier may
    /// follow after a space ("Box 24D: 99212 25"); elsewhere "99213 25 minutes" is a count.
    fn modifiers(&self, text: &str, tok: &Token, spaced_digits: bool) -> Vec<Modifier> {
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
            let numeric = m.bytes().all(|c| c.is_ascii_digit());
            if sep == Some(b' ')
                && (m.bytes().any(|c| c.is_ascii_lowercase())
                    || numeric && (!spaced_digits || tokens::unit_follows(bytes, e)))
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
    /// Whether `word` is an ICD-10-CM code of some release, written with or without its dot.
    fn is_icd10cm(&self, word: &str) -> bool {
        self.sets
            .icd10cm()
            .status(&dot_icd10cm(&word.to_ascii_uppercase()))
            .is_some()
    }

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

fn reject(rejected: &mut Option<&mut Vec<Rejected>>, tok: &Token, reason: Reason) {
    if let Some(r) = rejected {
        r.push(Rejected {
            start: tok.start,
            end: tok.end,
            reason,
        });
    }
}

/// The lines above `pos` (a line start), nearest first, as byte ranges without their '\n'.
fn lines_above(text: &str, pos: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut end = pos;
    std::iter::from_fn(move || {
        if end == 0 {
            return None;
        }
        let line_end = end - 1;
        let line_start = memchr::memrchr(b'\n', &bytes[..line_end]).map_or(0, |i| i + 1);
        end = line_start;
        Some((line_start, line_end))
    })
}

/// Whether a line could be a table's header row: cells between pipes, or tabs.
fn may_be_table(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut pipes = 0;
    for i in memchr::memchr2_iter(b'\t', b'|', bytes) {
        pipes += 1;
        if bytes[i] == b'\t' || pipes == 2 {
            return true;
        }
    }
    false
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

/// Whether a token is set apart as a listed code is: as `set_off` says, after a comma, or
/// first on its line or list item ("1. 23412 Rotator cuff repair").
fn set_apart(text: &str, tok: &Token) -> bool {
    let head = &text[..tok.start];
    let line = &head[head.rfind('\n').map_or(0, |i| i + 1)..];
    let item = line.trim_start_matches(|c: char| c.is_ascii_digit() || " .)-•*\t".contains(c));
    set_off(text, tok) || item.is_empty() || line.trim_end().ends_with(',')
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
