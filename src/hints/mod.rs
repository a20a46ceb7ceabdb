//! Documentation hints: conditions a note documents in words, the codes they would be coded
//! with, whether the note codes them already, and codes the note supports more specifically.
//!
//! A phrase automaton over the official vocabulary finds the conditions
//! ([`vocabulary`]); the words around each say whether it is the patient's, now
//! ([`context`]); its sentence chooses among the codes the phrase can mean ([`rank`]).

mod context;
mod not_conditions;
mod rank;
mod vocabulary;
mod words;

pub use context::{Section, Status};
pub use rank::Candidate;
pub use vocabulary::{Origin, Vocabulary};

use crate::codes::history::Day;
use crate::codes::{CodeSets, System};
use crate::rules::{Finding, Fix, Related, Replace, Rule, Scope, Severity};
use crate::scan::Mention;

/// Candidates kept per condition.
const CANDIDATES: usize = 5;
/// How many candidates a user is shown for a condition, in the editor and by `dxpx suggest`
/// (without `--all`): a documentation specialist reads the first one or two.
pub const SHOWN: usize = 3;

/// A condition written in a note.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Byte range of the phrase in the note.
    pub start: usize,
    pub end: usize,
    /// The vocabulary phrase it matched (normal words), and where that phrase comes from.
    pub phrase: String,
    pub origin: Origin,
    pub status: Status,
    /// The words that set a status other than current ("denies", "history of").
    pub trigger: Option<String>,
    pub section: Section,
    /// Ranked candidates, best first: for a history, the personal or family history codes.
    pub codes: Vec<Candidate>,
    /// A code of the same category as a candidate is already written in the condition's scope.
    pub coded: bool,
}

/// Every condition `vocab` finds in `text`, with its status, section and candidates.
/// `mentions` and `scopes` are the document's codes and encounters, for `coded`.
pub fn conditions(
    vocab: &Vocabulary,
    sets: &CodeSets,
    text: &str,
    mentions: &[Mention],
    scopes: &[Scope],
) -> Vec<Condition> {
    let ws = words::split(text);
    let sections = context::sections(text);
    let mut out = Vec::new();
    let found_all = vocab.find(text, &ws);
    let scope_at = ScopeAt::new(scopes);
    let codes_at = CodesAt::new(mentions);
    // The ICD-10-CM categories written in each scope, for `coded`.
    let mut categories: Vec<rustc_hash::FxHashSet<&str>> = vec![Default::default(); scopes.len()];
    for (scope, set) in scopes.iter().zip(&mut categories) {
        for &i in &scope.mentions {
            let m = &mentions[i];
            if m.system == System::Icd10Cm
                && let Some(category) = m.code.get(..3)
            {
                set.insert(category);
            }
        }
    }
    let mut taken = vec![false; ws.len()];
    for f in &found_all {
        taken[f.first..=f.last].iter_mut().for_each(|t| *t = true);
    }
    for mut found in found_all {
        if let Some(sited) = with_its_site(vocab, text, &ws, &found, &taken) {
            found.phrase = sited;
        }
        let phrase = vocab.phrase(found.phrase);
        if not_conditions::kind(text, &ws, found.first, found.last, phrase.text).is_some() {
            continue;
        }
        let start = ws[found.first].start;
        let end = ws[found.last].end;
        // A phrase inside a code-shaped token is no phrase ("E11" never is, but be sure).
        if codes_at.overlaps(start, end) {
            continue;
        }
        let section = context::section_at(&sections, start);
        let context::Reading {
            mut status,
            mut trigger,
            listed_in_history,
        } = context::status(text, &ws, found.first, found.last, section);
        let sentence = rank::sentence_stems(vocab, text, &ws, found.first, found.last, &taken);
        let mut codes = rank::candidates(sets, vocab, found.phrase, &sentence, CANDIDATES);
        if codes.is_empty() {
            continue;
        }
        if matches!(status, Status::History | Status::Family) {
            let stems: Vec<String> = phrase.text.split(' ').map(str::to_string).collect();
            let (names_it, history) = rank::history_codes(
                sets,
                vocab,
                status == Status::Family,
                &stems,
                &sentence,
                &codes[0].code,
                CANDIDATES,
            );
            // "A significant history of chronic renal insufficiency": a chronic condition
            // the note gives a history of is one the patient still has.
            let said_chronic =
                |i: usize| text[ws[i].start..ws[i].end].eq_ignore_ascii_case("chronic");
            let chronic = status == Status::History
                && (phrase.text.split(' ').any(|w| w == "chronic")
                    || found.first > 0 && said_chronic(found.first - 1)
                    || sets
                        .icd10cm()
                        .title(&codes[0].code)
                        .is_some_and(|t| t.starts_with("Chronic")));
            if chronic || listed_in_history && !names_it {
                // Hypertension under past medical history: no "history of" code exists
                // because it is not over.
                status = Status::Current;
                trigger = None;
            } else if !history.is_empty() {
                codes = history;
            }
        }
        let coded = scope_at.index(start).is_some_and(|scope| {
            codes.iter().any(|c| {
                c.code
                    .get(..3)
                    .is_some_and(|k| categories[scope].contains(k))
            })
        });
        out.push(Found {
            first: found.first,
            phrase: found.phrase,
            sentence,
            condition: Condition {
                start,
                end,
                phrase: phrase.text.to_string(),
                origin: phrase.origin,
                status,
                trigger,
                section,
                codes,
                coded,
            },
        });
    }
    combine(sets, vocab, &scope_at, &mut out);
    let out: Vec<(usize, Condition)> = out.into_iter().map(|f| (f.first, f.condition)).collect();
    absorb_details(&ws, text, out)
}

/// A condition as found, with what ranking its codes again needs.
struct Found {
    first: usize,
    phrase: usize,
    sentence: rustc_hash::FxHashSet<String>,
    condition: Condition,
}

/// Combination codes across an encounter: a condition whose codes combine it "with" another
/// condition the encounter documents is ranked again with that condition's words (type 2
/// diabetes and neuropathy: E11.40; and diabetic chronic kidney disease, E11.22, for end-stage
/// renal disease). A condition the combination code names by its words ("hypoglycemia" in
/// E11.649) is no condition of its own, unless the code's "use additional code" note asks for
/// it (N18.6 beside E11.22); a candidate an Excludes1 note forbids with another condition's
/// first code is dropped (E16.2 beside E11.649).
fn combine(sets: &CodeSets, vocab: &Vocabulary, scope_at: &ScopeAt<'_>, found: &mut Vec<Found>) {
    let current = |f: &Found| f.condition.status == Status::Current;
    let scope: Vec<Option<usize>> = found
        .iter()
        .map(|f| scope_at.index(f.condition.start))
        .collect();
    fn category(f: &Found) -> &str {
        f.condition.codes[0].code.get(..3).unwrap_or_default()
    }
    // Each condition's words: its phrase's, and its first code's category title's.
    let words: Vec<[Vec<String>; 2]> = found
        .iter()
        .map(|f| {
            if !current(f) {
                return Default::default();
            }
            // "Chronic kidney disease (CKD)": what is in parentheses is no word of a combination.
            let title = sets.icd10cm().title(category(f)).unwrap_or_default();
            let title = title.split('(').next().unwrap_or(title);
            [rank::stems_of(&f.condition.phrase), rank::stems_of(title)]
        })
        .collect();
    let mut absorbed = vec![false; found.len()];
    for a in 0..found.len() {
        if !current(&found[a]) {
            continue;
        }
        // Another mention of the same condition combines with nothing. The conditions are
        // in text order: those within reach are the encounter's in any note, and keep a
        // document of thousands with no encounter marker from comparing every pair.
        let near = a.saturating_sub(COMBINE_REACH)..found.len().min(a + COMBINE_REACH + 1);
        let others: Vec<usize> = near
            .filter(|&b| b != a && current(&found[b]) && scope[b] == scope[a])
            .filter(|&b| category(&found[b]) != category(&found[a]))
            .collect();
        let phrases: Vec<&[String]> = others.iter().map(|&b| &words[b][0][..]).collect();
        let categories: Vec<&[String]> = others.iter().map(|&b| &words[b][1][..]).collect();
        let by_phrase = rank::combined_with(sets, vocab, found[a].phrase, &phrases);
        let by_category = rank::combined_with(sets, vocab, found[a].phrase, &categories);
        // One combination code per condition it combines with, nearest first: diabetes with
        // neuropathy and with chronic kidney disease is E11.40 and E11.22, both coded.
        let mut links: Vec<(usize, usize, &[String])> = Vec::new();
        for (k, &b) in others.iter().enumerate() {
            let distance = found[b].first.abs_diff(found[a].first);
            if by_phrase[k] {
                links.push((distance, b, phrases[k]));
            } else if by_category[k] {
                links.push((distance, b, categories[k]));
            }
        }
        if links.is_empty() {
            continue;
        }
        links.sort_by_key(|l| l.0);
        let mut codes: Vec<Candidate> = Vec::new();
        for (_, b, stems) in links {
            let mut sentence = found[a].sentence.clone();
            sentence.extend(stems.iter().cloned());
            let Some(top) = rank::candidates(sets, vocab, found[a].phrase, &sentence, 1).pop()
            else {
                continue;
            };
            if !rank::names_with(&top.title, stems) {
                continue;
            }
            let companion = found[b].condition.codes.first().is_some_and(|c| {
                crate::rules::note_names(sets, &top.code, "useAdditionalCode", &c.code)
            });
            if !companion && rank::names_with(&top.title, &words[b][0]) {
                absorbed[b] = true;
            }
            if !codes.iter().any(|c| c.code == top.code) {
                codes.push(top);
            }
        }
        if codes.is_empty() {
            continue;
        }
        for c in std::mem::take(&mut found[a].condition.codes) {
            if codes.len() < CANDIDATES && !codes.iter().any(|x| x.code == c.code) {
                codes.push(c);
            }
        }
        found[a].condition.codes = codes;
    }
    // Excludes1, against the combination codes first of the encounter's other current
    // conditions: "diabetes with hypoglycemia (E11.649)" in E16.2's. Two codes that exclude
    // each other (N18.9 and N19) are the coder's choice, which the Excludes1 rule reports.
    let mut firsts: rustc_hash::FxHashMap<Option<usize>, Vec<String>> = Default::default();
    for i in (0..found.len()).filter(|&i| current(&found[i]) && !absorbed[i]) {
        let code = &found[i].condition.codes[0].code;
        if rank::is_combination(sets, code) {
            firsts.entry(scope[i]).or_default().push(code.clone());
        }
    }
    for (f, at) in found.iter_mut().zip(&scope) {
        let Some(firsts) = firsts.get(at) else {
            continue;
        };
        if f.condition.status != Status::Current {
            continue;
        }
        f.condition.codes.retain(|c| {
            !firsts.iter().any(|other| {
                *other != c.code
                    && crate::rules::note_names(sets, &c.code, "excludes1", other)
                    && !crate::rules::note_names(sets, other, "excludes1", &c.code)
            })
        });
    }
    let mut keep = absorbed.iter().map(|gone| !gone);
    found.retain(|f| keep.next().unwrap_or(true) && !f.condition.codes.is_empty());
}

/// How many words before a one-word condition its site may stand: "prostate biopsy with
/// Gleason 6 cancer".
const SITE_REACH: usize = 4;

/// A one-word condition with its site written a few words before it, as the phrase that
/// names both ("cancer" after "prostate biopsy" is prostate cancer, not C80.1): the nearest
/// word, or a word it implies (`+gleason prostate`), that makes a phrase with it, within the
/// sentence and the same list item.
fn with_its_site(
    vocab: &Vocabulary,
    text: &str,
    ws: &[words::Word],
    found: &vocabulary::Found,
    taken: &[bool],
) -> Option<usize> {
    if found.first != found.last {
        return None;
    }
    let head = words::key(&text[ws[found.first].start..ws[found.first].end]);
    let mut at = found.first;
    while at > 0 && found.first - at < SITE_REACH && !ws[at].breaks {
        if text[ws[at - 1].end..ws[at].start].contains([',', ':']) {
            return None;
        }
        at -= 1;
        if taken[at] {
            return None;
        }
        let word = words::key(&text[ws[at].start..ws[at].end]);
        let implied = vocab.implies.get(&word).into_iter().flatten();
        for site in std::iter::once(&word).chain(implied) {
            if let Some(p) = vocab.phrase_of(&[site, &head]) {
                return Some(p);
            }
        }
    }
    None
}

/// Drops a condition that only details another in its sentence: "hyperglycemia" in "type 2
/// diabetes with hyperglycemia" is why E11.65 was chosen, not a second condition.
fn absorb_details(
    ws: &[words::Word],
    text: &str,
    found: Vec<(usize, Condition)>,
) -> Vec<Condition> {
    // A word's sentence is the number of sentence starts up to it; conditions are compared
    // with the others of their sentence only.
    let starts: Vec<usize> = (0..ws.len()).filter(|&i| ws[i].breaks).collect();
    let sentence: Vec<usize> = found
        .iter()
        .map(|(w, _)| starts.partition_point(|&s| s <= *w))
        .collect();
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| sentence[i]);
    let mut keep = vec![true; found.len()];
    for group in order.chunk_by(|&a, &b| sentence[a] == sentence[b]) {
        for &i in group {
            let c = &found[i].1;
            let own: Vec<String> = words::phrase(&text[c.start..c.end])
                .iter()
                .map(|x| words::key(x))
                .collect();
            keep[i] = !group.iter().any(|&j| {
                j != i
                    && found[j].1.codes.first().is_some_and(|top| {
                        !top.because.is_empty()
                            && own
                                .iter()
                                .all(|x| top.because.iter().any(|b| words::key(b) == *x))
                    })
            });
        }
    }
    found
        .into_iter()
        .zip(keep)
        .filter_map(|((_, c), k)| k.then_some(c))
        .collect()
}

/// What a code weighs on a day, when it weighs anything: "MCC, HCC 224" (MS-DRG severity as a
/// secondary diagnosis, CMS-HCC V28 categories); `None` for a non-CC with no HCC.
fn weight(sets: &CodeSets, code: &str, day: Day) -> Option<String> {
    let payment = sets.payment();
    let mut parts: Vec<String> = payment
        .severity(code, day)
        .filter(|s| s.level != crate::codes::payment::Level::NonCc)
        .map(|s| s.level.name().to_string())
        .into_iter()
        .collect();
    parts.extend(
        payment
            .hccs(code, day)
            .categories
            .into_iter()
            .map(|c| format!("HCC {} {}", c.number, c.label)),
    );
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn same_category(a: &str, b: &str) -> bool {
    a.len() >= 3 && b.len() >= 3 && a[..3] == b[..3]
}

/// How many conditions before and after one are looked at for a combination code.
const COMBINE_REACH: usize = 100;

/// The scope an offset is in: the first whose range holds it (an empty scope holds its start).
/// Bisected where the scopes are in order and apart, as a note's encounters are, so that a
/// document's conditions find theirs in logarithmic time however many encounters it has.
struct ScopeAt<'a> {
    scopes: &'a [Scope],
    ordered: bool,
}

impl<'a> ScopeAt<'a> {
    fn new(scopes: &'a [Scope]) -> ScopeAt<'a> {
        let end = |s: &Scope| s.end.max(s.start + 1);
        ScopeAt {
            scopes,
            ordered: scopes.windows(2).all(|w| end(&w[0]) <= w[1].start),
        }
    }

    fn index(&self, offset: usize) -> Option<usize> {
        let holds = |s: &Scope| s.start <= offset && offset < s.end.max(s.start + 1);
        if !self.ordered {
            return self.scopes.iter().position(holds);
        }
        let i = self
            .scopes
            .partition_point(|s| s.start <= offset)
            .checked_sub(1)?;
        holds(&self.scopes[i]).then_some(i)
    }

    fn get(&self, offset: usize) -> Option<&'a Scope> {
        self.index(offset).map(|i| &self.scopes[i])
    }
}

/// Whether a range overlaps a code written in the text: the codes' ranges by start, with the
/// furthest end reached so far, so a question is one bisection.
struct CodesAt {
    starts: Vec<usize>,
    furthest: Vec<usize>,
}

impl CodesAt {
    fn new(mentions: &[Mention]) -> CodesAt {
        let mut spans: Vec<(usize, usize)> = mentions.iter().map(|m| (m.start, m.end)).collect();
        spans.sort_unstable();
        let mut furthest = Vec::with_capacity(spans.len());
        let mut reach = 0;
        for &(_, end) in &spans {
            reach = reach.max(end);
            furthest.push(reach);
        }
        CodesAt {
            starts: spans.into_iter().map(|s| s.0).collect(),
            furthest,
        }
    }

    fn overlaps(&self, start: usize, end: usize) -> bool {
        let before = self.starts.partition_point(|&s| s < end);
        before > 0 && self.furthest[before - 1] > start
    }
}

/// Sections whose conditions are worth a hint: a review of systems or a medication list
/// names many things nobody codes.
fn worth_a_hint(c: &Condition) -> bool {
    c.status == Status::Current && c.section.weight() >= 0.5
}

/// The hints for the conditions of one document: `documented-not-coded` once per scope and
/// condition (the other places it is written are related), and `more-specific-code` on a
/// code whose condition the note describes in more detail.
///
/// Each hint says what the code would weigh (MS-DRG severity, CMS-HCC V28) on its scope's date
/// of service, else `fallback`.
pub fn findings(
    sets: &CodeSets,
    fallback: Day,
    conditions: &[Condition],
    text: &str,
    mentions: &[Mention],
    scopes: &[Scope],
) -> Vec<Finding> {
    let scope_at = ScopeAt::new(scopes);
    let day_at = |offset: usize| {
        scope_at
            .get(offset)
            .and_then(|s| s.date_of_service.as_deref())
            .and_then(Day::parse)
            .unwrap_or(fallback)
    };
    let mut out: Vec<Finding> = Vec::new();
    // The finding of each (scope start, top code).
    let mut seen: rustc_hash::FxHashMap<(usize, &str), usize> = Default::default();
    for c in conditions.iter().filter(|c| worth_a_hint(c) && !c.coded) {
        let top = &c.codes[0];
        let scope = scope_at.get(c.start).map_or(0, |s| s.start);
        if let Some(&i) = seen.get(&(scope, top.code.as_str())) {
            out[i].related.push(Related {
                start: c.start,
                end: c.end,
                message: "also documented here".into(),
            });
            continue;
        }
        let written = &text[c.start..c.end];
        let fixes = c
            .codes
            .iter()
            .take(SHOWN)
            .enumerate()
            .map(|(i, cand)| Fix {
                title: format!("Add {} {}", cand.code, cand.title),
                edits: vec![Replace {
                    start: c.end,
                    end: c.end,
                    text: format!(" ({})", cand.code),
                }],
                preferred: i == 0,
                safe: false,
                code: Some(cand.code.clone()),
            })
            .collect();
        let why = if top.because.is_empty() {
            String::new()
        } else {
            format!(" (the note says {})", top.because.join(", "))
        };
        seen.insert((scope, top.code.as_str()), out.len());
        out.push(Finding {
            rule: Rule::DocumentedNotCoded,
            severity: Severity::Hint,
            start: c.start,
            end: c.end,
            message: format!(
                "\"{written}\" is documented but not coded here: {} {}{why}{}",
                top.code,
                top.title,
                weight(sets, &top.code, day_at(c.start))
                    .map_or(String::new(), |w| format!("; it would count: {w}"))
            ),
            related: Vec::new(),
            fixes,
        });
    }
    // The conditions worth a hint of each scope, in order.
    let mut by_scope: Vec<Vec<&Condition>> = vec![Vec::new(); scopes.len()];
    for c in conditions.iter().filter(|c| worth_a_hint(c)) {
        if let Some(i) = scope_at.index(c.start) {
            by_scope[i].push(c);
        }
    }
    for m in mentions.iter().filter(|m| m.system == System::Icd10Cm) {
        let Some(scope) = scope_at.index(m.start) else {
            continue;
        };
        let better = by_scope[scope].iter().find_map(|&c| {
            let top = &c.codes[0];
            let coded = c.codes.iter().find(|x| x.code == m.code);
            let supported = |x: &Candidate| x.because.len();
            // The phrase is the one code's own title or term ("acute on chronic systolic heart
            // failure") where an unspecified code of its category is written.
            let unspecified = |code: &str| {
                crate::codes::CodeSet::title(sets.icd10cm(), code)
                    .is_some_and(|t| t.to_ascii_lowercase().contains("unspecified"))
            };
            let names_it = c.codes.len() == 1 && unspecified(&m.code) && !unspecified(&top.code);
            (top.code != m.code
                && same_category(&top.code, &m.code)
                && (!top.because.is_empty() || names_it)
                && coded.is_none_or(|x| supported(top) > supported(x)))
            .then_some((c, top))
        });
        if let Some((c, top)) = better {
            // What the specific code adds that the written one lacks: "I50.9 → I50.23: MCC,
            // HCC 224".
            let day = day_at(m.start);
            let gain = weight(sets, &top.code, day)
                .filter(|w| Some(w) != weight(sets, &m.code, day).as_ref())
                .map_or(String::new(), |w| {
                    format!(" ({} → {}: {w})", m.code, top.code)
                });
            out.push(Finding {
                rule: Rule::MoreSpecificCode,
                severity: Severity::Hint,
                start: m.start,
                end: m.end,
                message: format!(
                    "the note documents {}: {} {} is more specific than {}{gain}",
                    if top.because.is_empty() {
                        format!("\"{}\"", &text[c.start..c.end])
                    } else {
                        top.because.join(", ")
                    },
                    top.code,
                    top.title,
                    m.code
                ),
                related: vec![Related {
                    start: c.start,
                    end: c.end,
                    message: format!("documented here: {}", &text[c.start..c.end]),
                }],
                fixes: vec![Fix {
                    title: format!("Replace with {} {}", top.code, top.title),
                    edits: vec![Replace {
                        start: m.start,
                        end: m.end,
                        text: top.code.clone(),
                    }],
                    preferred: true,
                    safe: false,
                    code: Some(top.code.clone()),
                }],
            });
        }
    }
    out.sort_by_key(|f| (f.start, f.end, f.rule));
    out
}
