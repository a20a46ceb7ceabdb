//! Which code a documented condition is: of the billable codes under the codes that name the
//! phrase, the one whose distinguishing words (laterality, type, with or without a
//! complication, encounter) the sentence supports best, and otherwise the unspecified one.

use super::vocabulary::{Phrase, STOP, Vocabulary};
use super::words;
use crate::codes::CodeSet;
use crate::codes::CodeSets;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// A candidate code for a documented condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub code: String,
    pub title: String,
    /// The note's words that chose this code over its siblings, as the title writes them
    /// ("chills", not the stem "chill").
    pub because: Vec<String>,
}

/// Words that do not tell siblings apart: a code lacking them in the note is no worse.
const DEFAULT: &[&str] = &[
    "side",
    "unspecified",
    "other",
    "specified",
    "without",
    "complication",
    "uncomplicated",
    "initial",
    "encounter",
    "nos",
    "nec",
    "primary",
    "unilateral",
    "site",
    "organism",
    "mention",
    "elsewhere",
    "classified",
    "type",
    "disease",
    "disorder",
    "condition",
    "acute",
    "current",
    "episode",
    "single",
    "closed",
];

/// At most this many billable codes are weighed for one phrase.
const MAX_LEAVES: usize = 3000;

/// How much a title says "nothing more is known": preferred when the note says no more.
fn defaultness(title: &str) -> i32 {
    let t = title.to_ascii_lowercase();
    // "Other pneumonia, unspecified organism" is still an "other" code.
    if t.starts_with("other") || t.contains("other specified") {
        -1
    } else if t.contains("without") || t.contains("uncomplicated") || t.ends_with(" nos") {
        3
    } else if t.contains("unspecified") {
        2
    } else {
        0
    }
}

/// The words a title says are absent: those after "without", to the next comma ("without
/// obstruction or gangrene"). Absence is what a note that does not mention them means.
fn absent_words(title: &str) -> Vec<String> {
    if !title.contains("ithout") {
        return Vec::new();
    }
    let lower = title.to_ascii_lowercase();
    let mut out = Vec::new();
    for (i, _) in lower.match_indices("without ") {
        let clause = lower[i + 8..].split(',').next().unwrap_or("");
        out.extend(content_stems(clause));
    }
    out
}

fn content_stems(text: &str) -> Vec<String> {
    words::phrase(text)
        .into_iter()
        // "tube(s)", "Alzheimer's": a lone letter is no word; a lone digit is a stage or a
        // type ("stage 4").
        .filter(|w| {
            (w.len() > 1 || w.bytes().all(|b| b.is_ascii_digit())) && !STOP.contains(&w.as_str())
        })
        // The words are normal already: stem and pair them only.
        .map(|w| words::canonical(words::stem(&w)).to_string())
        .collect()
}

/// The billable codes a phrase can mean, best first for the words of its sentence.
/// What ranking a phrase's codes needs that does not depend on the note: its billable codes
/// with their distinguishing words, worked out once per phrase.
pub(super) struct Leaves {
    leaves: Vec<Leaf>,
    /// Every word of the leaves' "with" clauses, to tell at once that a condition combines
    /// with none of them.
    with_any: FxHashSet<String>,
}

struct Leaf {
    code: String,
    title: String,
    /// Title words that tell this code from its siblings (stems).
    distinguishing: Vec<String>,
    /// Of those, the ones few siblings share: lacking them in the note counts against it.
    telling: Vec<String>,
    defaultness: i32,
    /// The phrase names this code by its own title or term.
    source: bool,
    /// The stems of what the title combines the condition with ("Type 2 diabetes mellitus
    /// with diabetic neuropathy, unspecified": diabetic, neuropathy).
    with: Vec<String>,
}

impl Leaves {
    fn of(sets: &CodeSets, vocab: &Vocabulary, phrase: Phrase<'_>) -> Leaves {
        let mut roots: Vec<&str> = phrase.sources().map(|i| vocab.code(i)).collect();
        let sources: FxHashSet<&str> = roots.iter().copied().collect();
        roots.sort_unstable();
        // Of a root and a category under it that the phrase also names, the category says
        // more ("pelvic pain" is R10.2, not all of R10 "Abdominal and pelvic pain"), unless
        // it is the "Other …" one beside the rest (M54.8 "Other dorsalgia").
        let headers: Vec<&str> = roots
            .iter()
            .copied()
            .filter(|r| sets.icd10cm().status(r) == Some(crate::codes::Status::Header))
            .filter(|r| sets.icd10cm().title(r).is_some_and(|t| defaultness(t) >= 0))
            .collect();
        roots.retain(|r| {
            !headers
                .iter()
                .any(|h| h.len() > r.len() && h.starts_with(*r))
        });
        // A root under another root adds nothing (E11.9 under E11).
        roots.dedup_by(|later, earlier| later.starts_with(*earlier));
        let own: FxHashSet<String> = content_stems(phrase.text).into_iter().collect();
        let mut found: Vec<(&str, &str)> = Vec::new();
        for root in &roots {
            found.extend(
                sets.icd10cm()
                    .billable_under(root)
                    .take(MAX_LEAVES - found.len()),
            );
            if found.len() >= MAX_LEAVES {
                break;
            }
        }
        // A code "without" the very thing the phrase names is not what it means ("nausea"
        // is not "Vomiting without nausea").
        let (found, absent): (Vec<(&str, &str)>, Vec<Vec<String>>) = found
            .into_iter()
            .map(|leaf| (leaf, absent_words(leaf.1)))
            .filter(|(_, absent)| !absent.iter().any(|w| own.contains(w)))
            .unzip();
        let distinguishing: Vec<Vec<String>> = found
            .iter()
            .zip(&absent)
            .map(|((_, title), absent)| {
                let mut d: Vec<String> = content_stems(title)
                    .into_iter()
                    .filter(|w| {
                        !own.contains(w) && !DEFAULT.contains(&w.as_str()) && !absent.contains(w)
                    })
                    .collect();
                d.dedup();
                d
            })
            .collect();
        // A word most siblings share (S93.4's "ligament") is no reason to prefer one.
        let mut share: FxHashMap<&str, usize> = FxHashMap::default();
        for d in &distinguishing {
            for w in d {
                *share.entry(w.as_str()).or_default() += 1;
            }
        }
        let n = found.len();
        let common = |w: &str| n >= 3 && share.get(w).copied().unwrap_or(0) * 10 >= n * 6;
        let telling: Vec<Vec<String>> = distinguishing
            .iter()
            .map(|d| {
                // A missing type or stage number is an unspecified one, not a reason against.
                d.iter()
                    .filter(|w| !common(w) && !w.bytes().all(|b| b.is_ascii_digit()))
                    .cloned()
                    .collect()
            })
            .collect();
        let leaves: Vec<Leaf> = found
            .iter()
            .zip(distinguishing)
            .zip(telling)
            .map(|(((code, title), distinguishing), telling)| Leaf {
                code: code.to_string(),
                title: title.to_string(),
                telling,
                distinguishing,
                defaultness: defaultness(title),
                source: sources.contains(code),
                with: with_clause(title),
            })
            .collect();
        let with_any = leaves.iter().flat_map(|l| l.with.iter().cloned()).collect();
        Leaves { leaves, with_any }
    }
}

/// The stems after a title's "with", to its "without" or end; none where the "with" needs
/// the note to say the link ("with alcohol-induced mood disorder") or qualifies an encounter
/// ("subsequent encounter for fracture with routine healing").
fn with_clause(title: &str) -> Vec<String> {
    // Titles write "with" in lower case; most have none, and are done with at once.
    let Some(at) = title.find(" with ") else {
        return Vec::new();
    };
    let lower = title.to_ascii_lowercase();
    if ["induced", "encounter", "sequela"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Vec::new();
    }
    let clause = &title[at + 6..];
    content_stems(clause.split(" without ").next().unwrap_or(clause))
}

/// Which of `others` (stems of the encounter's other conditions) a combination code of phrase
/// `index` names after its "with" (ICD-10-CM Official Guidelines I.A.15: "with" links the
/// conditions its titles name): diabetes "with diabetic neuropathy", "with hypoglycemia".
pub fn combined_with(
    sets: &CodeSets,
    vocab: &Vocabulary,
    index: usize,
    others: &[&[String]],
) -> Vec<bool> {
    let leaves = vocab.memo.get(sets, vocab, index);
    others
        .iter()
        .map(|o| {
            !o.is_empty()
                && o.iter().all(|w| leaves.with_any.contains(w))
                && leaves
                    .leaves
                    .iter()
                    .any(|l| !l.with.is_empty() && o.iter().all(|w| l.with.contains(w)))
        })
        .collect()
}

/// Whether `code` is a combination code: its title links its condition "with" another.
pub fn is_combination(sets: &CodeSets, code: &str) -> bool {
    sets.icd10cm()
        .title(code)
        .is_some_and(|t| !with_clause(t).is_empty())
}

/// Whether `title` combines its condition with all of `stems`.
pub fn names_with(title: &str, stems: &[String]) -> bool {
    let with = with_clause(title);
    !stems.is_empty() && stems.iter().all(|w| with.contains(w))
}

/// A stem as a word the title writes ("chill" → "chills"), for what users read: the
/// stem itself when the title has no word of it.
fn as_written(title: &str, stem: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty() && super::words::key(w) == stem)
        .map_or_else(|| stem.to_string(), str::to_lowercase)
}

/// The content stems of a phrase's text or a title, for [`combined_with`].
pub fn stems_of(text: &str) -> Vec<String> {
    content_stems(text)
        .into_iter()
        .filter(|w| !DEFAULT.contains(&w.as_str()))
        .collect()
}

/// Phrases whose codes are worked out, kept while the vocabulary lives.
pub(super) struct Memo {
    phrases: crate::codes::memo::Memo<usize, Arc<Leaves>>,
    personal: std::sync::OnceLock<HistoryPool>,
    family: std::sync::OnceLock<HistoryPool>,
}

impl Memo {
    fn history(&self, sets: &CodeSets, family: bool) -> &HistoryPool {
        let cell = if family { &self.family } else { &self.personal };
        cell.get_or_init(|| history_pool(sets, family))
    }

    fn get(&self, sets: &CodeSets, vocab: &Vocabulary, index: usize) -> Arc<Leaves> {
        self.phrases.get_or_make(index, || {
            Arc::new(Leaves::of(sets, vocab, vocab.phrase(index)))
        })
    }
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            phrases: crate::codes::memo::Memo::new(20_000),
            personal: Default::default(),
            family: Default::default(),
        }
    }
}

/// The personal or family history codes, each with its title's telling words: those few
/// of them share ("personal", "history", "diseases", "system" say nothing about which fits).
struct HistoryPool {
    codes: Vec<(String, String, Vec<String>)>,
    /// The codes each telling word is in, so that a condition's words find their codes
    /// without weighing the rest.
    by_word: FxHashMap<String, Vec<usize>>,
}

fn history_pool(sets: &CodeSets, family: bool) -> HistoryPool {
    let prefixes: &[&str] = if family {
        &["Z80", "Z81", "Z82", "Z83", "Z84"]
    } else {
        &["Z85", "Z86", "Z87"]
    };
    let pool: Vec<(&str, &str, Vec<String>)> = prefixes
        .iter()
        .flat_map(|p| sets.icd10cm().billable_under(p))
        .map(|(c, t)| (c, t, content_stems(t)))
        .collect();
    let mut share: FxHashMap<&str, usize> = FxHashMap::default();
    for (_, _, ws) in &pool {
        for w in ws.iter().collect::<FxHashSet<_>>() {
            *share.entry(w.as_str()).or_default() += 1;
        }
    }
    let telling =
        |w: &str| share.get(w).copied().unwrap_or(0) * 4 < pool.len() && !DEFAULT.contains(&w);
    let codes: Vec<(String, String, Vec<String>)> = pool
        .iter()
        .map(|(c, t, ws)| {
            let told = ws.iter().filter(|w| telling(w)).cloned().collect();
            (c.to_string(), t.to_string(), told)
        })
        .collect();
    let mut by_word: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, (_, _, told)) in codes.iter().enumerate() {
        for w in told {
            let at = by_word.entry(w.clone()).or_default();
            if at.last() != Some(&i) {
                at.push(i);
            }
        }
    }
    HistoryPool { codes, by_word }
}

/// The billable codes phrase `index` can mean, best first for the words of its sentence.
pub fn candidates(
    sets: &CodeSets,
    vocab: &Vocabulary,
    index: usize,
    sentence: &FxHashSet<String>,
    limit: usize,
) -> Vec<Candidate> {
    let leaves = vocab.memo.get(sets, vocab, index);
    let mut scored: Vec<(usize, usize, &Leaf)> = leaves
        .leaves
        .iter()
        .map(|leaf| {
            let supported = leaf
                .distinguishing
                .iter()
                .filter(|w| sentence.contains(*w))
                .count();
            // A code the phrase names by its own title or term needs no more words, but for
            // its side, which phrases are matched through.
            let unsupported = if leaf.source {
                leaf.distinguishing
                    .iter()
                    .filter(|w| is_side(w))
                    .filter(|w| !sentence.contains(*w))
                    .count()
            } else {
                leaf.telling
                    .iter()
                    .filter(|w| !sentence.contains(*w))
                    .count()
            };
            (supported, unsupported, leaf)
        })
        .collect();
    let best_first = |a: &(usize, usize, &Leaf), b: &(usize, usize, &Leaf)| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(b.2.source.cmp(&a.2.source))
            .then(b.2.defaultness.cmp(&a.2.defaultness))
            .then(a.2.code.len().cmp(&b.2.code.len()))
            .then(a.2.code.cmp(&b.2.code))
    };
    // Only the first few are wanted, of up to thousands.
    if limit == 0 {
        return Vec::new();
    }
    if scored.len() > limit {
        scored.select_nth_unstable_by(limit - 1, best_first);
        scored.truncate(limit);
    }
    scored.sort_by(best_first);
    scored
        .into_iter()
        .map(|(_, _, leaf)| Candidate {
            code: leaf.code.clone(),
            title: leaf.title.clone(),
            because: leaf
                .distinguishing
                .iter()
                .filter(|w| sentence.contains(*w))
                .map(|w| as_written(&leaf.title, w))
                .collect(),
        })
        .collect()
}

/// The personal (Z85–Z87) or family (Z80–Z84) history codes for a condition: those whose
/// titles share the most words with the phrase and the condition's category (counted twice),
/// or else with its block and chapter ("urinary system"), best first; and whether the best
/// names the condition itself (Z86.73 for a stroke) rather than only its body system.
pub fn history_codes(
    sets: &CodeSets,
    vocab: &Vocabulary,
    family: bool,
    phrase: &[String],
    sentence: &FxHashSet<String>,
    code: &str,
    limit: usize,
) -> (bool, Vec<Candidate>) {
    let pool = vocab.memo.history(sets, family);
    let mut specific: FxHashSet<String> = phrase.iter().cloned().collect();
    // What the condition is, not where: "urinary incontinence" is no "disease of urinary
    // system", "heart failure" no "malformation of heart".
    let mut heads: FxHashSet<String> = phrase.last().into_iter().cloned().collect();
    let category = code.get(..3).unwrap_or(code);
    for c in [code, category] {
        if let Some(h) = sets.icd10cm().title(c).and_then(head) {
            heads.insert(h);
        }
    }
    // The sentence names the site ("mother has breast cancer").
    let mut general: FxHashSet<String> = sentence.clone();
    if let Some(title) = sets.icd10cm().title(code) {
        specific.extend(content_stems(title));
    }
    // The nearest block only: the blocks that hold it (C00-C75 holds C50-C50) are too broad
    // to say which history fits.
    let mut blocks = 0;
    for (id, title) in sets.icd10cm().ancestors(code) {
        if id.contains('-') {
            blocks += 1;
            if blocks > 1 {
                continue;
            }
        }
        let category = id.len() == 3 && !id.contains('-') && !id.starts_with('0');
        let target = if category || id.contains('.') {
            &mut specific
        } else {
            &mut general
        };
        target.extend(content_stems(title));
    }
    // A history of a neoplasm is coded in its own categories (Z85, Z86.0-, Z80), and only a
    // neoplasm's history is: "history of chronic renal insufficiency" is no history of kidney
    // cancer.
    let neoplasm = code.starts_with('C') || code.starts_with('D') && code[1..3] < *"50";
    let of_neoplasm = |c: &str| ["Z85", "Z80", "Z86.0"].iter().any(|p| c.starts_with(p));
    // Only the codes that share a word with the condition can score.
    let mut sharing: Vec<usize> = specific
        .iter()
        .chain(&general)
        .filter_map(|w| pool.by_word.get(w))
        .flatten()
        .copied()
        .collect();
    sharing.sort_unstable();
    sharing.dedup();
    let mut scored: Vec<(usize, usize, bool, &str, &str)> = sharing
        .into_iter()
        .map(|i| &pool.codes[i])
        .filter(|(c, _, _)| of_neoplasm(c) == neoplasm)
        .map(|(c, t, ws)| (c.as_str(), t.as_str(), ws))
        .filter_map(|(c, t, telling_words)| {
            let score: usize = telling_words
                .iter()
                .map(|w| {
                    if specific.contains(w) {
                        2
                    } else if general.contains(w) {
                        1
                    } else {
                        0
                    }
                })
                .sum();
            let extra = telling_words
                .iter()
                .filter(|w| !specific.contains(*w) && !general.contains(*w))
                .count();
            let names_it = telling_words.iter().any(|w| heads.contains(w));
            (score > 0).then_some((score, extra, names_it, c, t))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.3.cmp(b.3)));
    let best = scored.first().map_or(0, |s| s.0);
    let names_it = scored.first().is_some_and(|s| s.2);
    let codes = scored
        .into_iter()
        .filter(|s| s.0 == best)
        .take(limit)
        .map(|(_, _, _, code, title)| Candidate {
            code: code.to_string(),
            title: title.to_string(),
            because: Vec::new(),
        })
        .collect();
    (names_it, codes)
}

/// How far from a phrase a side word is the phrase's: "right axillary lymphadenopathy",
/// "right Tailor's bunion", "cerebral palsy affecting the right side".
const SIDE_REACH_BEFORE: usize = 3;
const SIDE_REACH_AFTER: usize = 4;

pub(super) fn is_side(stem: &str) -> bool {
    matches!(stem, "right" | "left" | "bilateral")
}

/// The word a title names its condition by: the last before what qualifies it ("Cerebral
/// infarction, unspecified", "Malignant neoplasm of prostate").
fn head(title: &str) -> Option<String> {
    let lower = title.to_ascii_lowercase();
    let end = [" of ", ",", " with", " in ", " due to", " (", " and "]
        .iter()
        .filter_map(|s| lower.find(s))
        .min()
        .unwrap_or(lower.len());
    content_stems(&lower[..end]).pop()
}

/// The stems of a sentence's words, for [`candidates`].
/// Words of other conditions in the sentence (`taken`) are theirs: "suicidal ideation" in
/// "suicidal ideation, homicidal ideation" is no reason to choose Homicidal ideations.
pub fn sentence_stems(
    vocab: &Vocabulary,
    text: &str,
    ws: &[words::Word],
    first: usize,
    last: usize,
    taken: &[bool],
) -> FxHashSet<String> {
    let start = (0..=first).rev().find(|&i| ws[i].breaks).unwrap_or(0);
    let end = (last + 1..ws.len())
        .find(|&i| ws[i].breaks)
        .unwrap_or(ws.len());
    // A side belongs to the words it stands by: "diabetes and surgery of the left shoulder"
    // says nothing of a left eye.
    let near = first.saturating_sub(SIDE_REACH_BEFORE)..=last + SIDE_REACH_AFTER;
    let mut stems: FxHashSet<String> = (start..end)
        .filter(|&i| (first..=last).contains(&i) || !taken[i])
        .map(|i| (i, words::key(&text[ws[i].start..ws[i].end])))
        .filter(|(i, w)| !is_side(w) || near.contains(i))
        .map(|(_, w)| w)
        .collect();
    let implied: Vec<String> = stems
        .iter()
        .filter_map(|s| vocab.implies.get(s))
        .flatten()
        .cloned()
        .collect();
    stems.extend(implied);
    stems
}
