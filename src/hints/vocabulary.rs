//! The phrases that name conditions, from the official ICD-10-CM titles and inclusion terms
//! and the synonym list in `data/synonyms.tsv`, compiled into one Aho-Corasick automaton.
//!
//! The matching runs over words, not letters: every known word has a two-byte id, a note is
//! encoded as the ids of its words (unknown words and sentence ends get id 0, which no
//! phrase contains), and a path of the phrase trie from a word of the note is a phrase
//! written there, whatever the case, spacing or punctuation between its words.
//!
//! Building it from the titles takes half a second and fifty megabytes, so `dxpx data
//! build` does it once and the binary embeds the result (`data/vocabulary.idx.zst`,
//! decompressed by `build.rs`), which is read in place: loading it costs nothing, and only
//! the pages a note's words lead to are read. It is built at run time only from a user's
//! newer code-set files.

use super::words;
use crate::codes::CodeSet;
use crate::codes::CodeSets;
use crate::packed::{self, Malformed, Strings, U16s, U32s};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// The synonyms and abbreviations dxpx reads as condition phrases.
pub const SYNONYMS: &str = include_str!("../../data/synonyms.tsv");

/// The prebuilt vocabulary of the embedded code sets, made by `dxpx data build`.
const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/vocabulary.idx"));
/// The packed layout's tag; a change of layout changes it.
const MAGIC: &[u8; 8] = b"DXPXVOC1";

/// Word ids are two bytes; 0 is "no phrase word here".
const MAX_WORDS: usize = u16::MAX as usize;
/// Longer titles are never written word for word in a note.
const MAX_PHRASE_WORDS: usize = 7;

/// Words that do not start or end a phrase.
pub(super) const STOP: &[&str] = &[
    "of",
    "the",
    "and",
    "or",
    "with",
    "without",
    "in",
    "on",
    "to",
    "due",
    "by",
    "a",
    "an",
    "for",
    "as",
    "at",
    "from",
    "not",
    "other",
    "specified",
    "elsewhere",
    "classified",
    "than",
    "but",
    "which",
    "that",
    "its",
    "into",
    "following",
    "after",
    "during",
    "involving",
    "use",
    "related",
];

/// Words too general to name a condition on their own.
const GENERIC: &[&str] = &[
    "disease",
    "diseases",
    "disorder",
    "disorders",
    "condition",
    "conditions",
    "syndrome",
    "injury",
    "injuries",
    "abnormal",
    "abnormality",
    "findings",
    "finding",
    "history",
    "status",
    "problem",
    "problems",
    "complication",
    "complications",
    "care",
    "encounter",
    "examination",
    "screening",
    "procedure",
    "procedures",
    "left",
    "right",
    "acute",
    "chronic",
    "unspecified",
    "site",
    "part",
    "region",
    "stage",
    "primary",
    "secondary",
    "effects",
    "effect",
    "contact",
    "exposure",
    "observation",
    "person",
    "other",
    "type",
    "unknown",
    "pressure",
    "mass",
    "lesion",
    "lesions",
    "infection",
    "deformity",
    "pain",
    "failure",
    "change",
    "changes",
    "reaction",
    "insufficiency",
    "level",
    "use",
    "test",
    "tests",
    "result",
    "results",
    "presence",
    "absence",
    "dependence",
    "counseling",
    "anomaly",
    "anomalies",
    "tear",
    "mellitus",
    "growth",
    "body",
    "foreign",
    "defect",
    "defects",
    "cyst",
    "obstruction",
    "stenosis",
    "hemorrhage",
    "degeneration",
    "dysfunction",
    "displacement",
    "disruption",
    "loss",
    "malformation",
    "overdose",
    "poisoning",
    "contusion",
    "wound",
    "burn",
    "corrosion",
    "underdosing",
    "sprain",
    "strain",
    "dislocation",
    "fracture",
    "neoplasm",
    "malignant",
    "benign",
    "carcinoma",
    "tumor",
    "ulcer",
    "edema",
    "inflammation",
    "hypertrophy",
    "atrophy",
    "spasm",
    "fever",
    "rash",
    "cough",
    "newborn",
    "illness",
    "death",
    "sick",
    "unwell",
    "complaint",
    "symptom",
    "symptoms",
    "sign",
    "signs",
];

/// Words a phrase is matched through: "osteoarthritis of the right knee" is the title's
/// "osteoarthritis of knee". Laterality still chooses among the codes (see `rank`).
pub(super) const TRANSPARENT: &[&str] = &[
    "the",
    "a",
    "an",
    "his",
    "her",
    "their",
    "right",
    "left",
    "bilateral",
    "both",
    // The possessive: "Alzheimer's disease" is written "Alzheimer disease" too.
    "s",
    // "Upper respiratory tract infection" is the title's "upper respiratory infection";
    // "urinary tract infection" is matched as "urinary infection" on both sides.
    "tract",
];

/// Words after a title's comma that leave its head naming the condition.
const QUALIFIERS: &[&str] = &[
    "unspecified",
    "initial",
    "subsequent",
    "encounter",
    "sequela",
    "right",
    "left",
    "bilateral",
    "unilateral",
    "nos",
    "nec",
    "organism",
    "site",
    "side",
    "sites",
    "type",
    "uncomplicated",
    "not",
    "elsewhere",
    "classified",
    "with",
    "without",
    "complications",
    "complication",
    "mention",
    "other",
    "specified",
    "multiple",
    "single",
    "episode",
    "of",
    "and",
    "or",
    "for",
    "unknown",
    "cause",
    "origin",
    "part",
];

/// A phrase's codes (indices into `Vocabulary::codes`) and where it came from.
type Sourced = (Vec<u32>, Origin);

/// Where a phrase came from, for the hover's "why".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Title,
    InclusionTerm,
    Synonym,
}

/// One phrase of the vocabulary, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub struct Phrase<'a> {
    /// The phrase in normal words, as written in the vocabulary.
    pub text: &'a str,
    pub origin: Origin,
    sources: &'a U32s,
    range: (usize, usize),
}

impl Phrase<'_> {
    /// The codes whose title or terms give this phrase (indices for [`Vocabulary::code`]).
    pub fn sources(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.sources.range(self.range.0..self.range.1)
    }
}

/// Every word a phrase uses (and its equivalents), sorted, each with its id.
#[derive(Debug, Default)]
struct WordIds {
    words: Strings,
    ids: U16s,
}

impl WordIds {
    fn new(map: &FxHashMap<String, u16>) -> WordIds {
        let mut sorted: Vec<(&String, &u16)> = map.iter().collect();
        sorted.sort();
        WordIds {
            words: sorted.iter().map(|(w, _)| w.as_str()).collect(),
            ids: sorted.iter().map(|(_, id)| **id).collect(),
        }
    }

    fn get(&self, word: &str) -> Option<u16> {
        let i = self.words.partition_point(|w| w < word);
        (self.words.get(i) == word && i < self.words.len()).then(|| self.ids.at(i))
    }

    fn len(&self) -> usize {
        self.words.len()
    }
}

pub struct Vocabulary {
    ids: WordIds,
    trie: Trie,
    texts: Strings,
    /// Phrase i's codes are `sources[source_ends[i - 1]..source_ends[i]]`.
    sources: U32s,
    source_ends: U32s,
    /// Each phrase's [`Origin`], as its discriminant.
    origins: Cow<'static, [u8]>,
    codes: Strings,
    /// Words of a note that stand for words of titles ("uncontrolled" diabetes is diabetes
    /// "with hyperglycemia"), as stems.
    pub implies: FxHashMap<String, Vec<String>>,
    /// Synonyms whose expansion names no phrase or code (a data error; tests keep it empty).
    pub unresolved: Vec<String>,
    /// How long it took to build or load, and which it was.
    pub build_time: Duration,
    pub prebuilt: bool,
    pub(super) memo: super::rank::Memo,
}

/// A phrase found in a text: words `first..=last` of the text's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub first: usize,
    pub last: usize,
    pub phrase: usize,
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocabulary")
            .field("phrases", &self.len())
            .field("words", &self.ids.len())
            .finish_non_exhaustive()
    }
}

/// Codes that never document a condition of their own (external causes: V00–Y99) and the
/// 7th-character expansions, whose phrases are their parents'.
fn phrase_source(code: &str, title: &str) -> bool {
    if code.starts_with(['V', 'W', 'X', 'Y']) {
        return false;
    }
    let seventh = code.len() == 8 && code.as_bytes()[7].is_ascii_alphabetic();
    !(seventh
        && title
            .rsplit(',')
            .next()
            .is_some_and(|t| t.contains("encounter") || t.contains("sequela")))
}

/// The ways a title or term is written in notes: without its nonessential modifiers (the
/// words in parentheses) or with them, its head before the first comma, without
/// "unspecified", "X of Y" and "X in Y" as "Y X", "A and B" as each, hyphenated words joined or apart.
pub fn variants(text: &str, origin: Origin) -> Vec<Vec<String>> {
    let mut texts = vec![strip_parentheses(text)];
    if text.contains('(') && text.matches('(').count() <= 2 {
        texts.push(text.replace(['(', ')', '[', ']'], " "));
    }
    let mut bases: Vec<String> = Vec::new();
    for t in texts {
        let joined = join_hyphens(&t);
        for form in [t, joined] {
            // The head alone when what follows the comma only qualifies it ("Hypothyroidism,
            // unspecified"), not when it says what the condition is ("Excessive, frequent and
            // irregular menstruation").
            if let Some((head, tail)) = form.split_once(',')
                && words::phrase(tail)
                    .iter()
                    .all(|w| QUALIFIERS.contains(&w.as_str()))
            {
                bases.push(head.to_string());
            }
            bases.push(form);
        }
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    for base in bases {
        let all = words::phrase(&base);
        // "Right aortic arch" is an anomaly; "aortic arch" alone is anatomy.
        if all.first().is_some_and(|w| super::rank::is_side(w)) {
            continue;
        }
        let mut ws: Vec<String> = all
            .into_iter()
            .filter(|w| !matches!(w.as_str(), "unspecified" | "nos" | "nec"))
            .filter(|w| !TRANSPARENT.contains(&w.as_str()))
            .map(|w| words::key(&w))
            .collect();
        while ws.first().is_some_and(|w| w == "other" || w == "specified") {
            ws.remove(0);
        }
        // "Nonrheumatic aortic (valve) stenosis" is what "aortic stenosis" means: the
        // rheumatic one is the code that needs the word.
        let mut forms = Vec::new();
        if ws.len() >= 3 && matches!(ws[0].as_str(), "nonrheumatic" | "nontraumatic") {
            forms.push(ws[1..].to_vec());
        }
        // Notes say "cancer" for "malignant neoplasm" ("breast cancer").
        if ws.len() > 2 && ws[0] == "malignant" && ws[1] == "neoplasm" {
            ws.splice(0..2, ["cancer".to_string()]);
        }
        forms.push(ws.clone());
        if let Some(of) = ws.iter().position(|w| w == "of" || w == "in") {
            let (a, b) = (&ws[..of], &ws[of + 1..]);
            let b: Vec<String> = b.iter().filter(|w| *w != "the").cloned().collect();
            if (1..=2).contains(&a.len()) && (1..=2).contains(&b.len()) {
                forms.push(b.iter().chain(a).cloned().collect());
            }
        }
        if let Some(and) = ws.iter().position(|w| w == "and") {
            let (a, b) = (&ws[..and], &ws[and + 1..]);
            // "Syncope and collapse" is each; inclusion terms are lists ("pins and
            // needles"), not pairs of conditions.
            if a.len() == 1 && b.len() == 1 && origin == Origin::Title {
                forms.push(a.to_vec());
                forms.push(b.to_vec());
            }
            // "Pelvic and perineal pain" is pelvic pain and perineal pain.
            if a.len() == 1 && (2..=3).contains(&b.len()) {
                forms.push([a, &b[1..]].concat());
                forms.push(b.to_vec());
            }
        }
        for f in forms {
            if usable(&f) && !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// The `~` lines of `data/synonyms.tsv`: a word sequence notes write, and the sequence of the
/// titles it stands for, as keys.
fn sequence_equivalences() -> Vec<(Vec<String>, Vec<String>)> {
    SYNONYMS
        .lines()
        .filter_map(|l| l.strip_prefix('~'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(term, means)| (phrase_keys(term), phrase_keys(means.trim())))
        .filter(|(t, m)| !t.is_empty() && !m.is_empty())
        .collect()
}

/// A synonym line's phrase as the vocabulary keys it: stems, the words matched through left out.
fn phrase_keys(text: &str) -> Vec<String> {
    words::phrase(text)
        .iter()
        .filter(|w| !TRANSPARENT.contains(&w.as_str()))
        .map(|w| words::key(w))
        .collect()
}

/// Adds `from`'s codes to a phrase's, each once.
fn merge(into: &mut Vec<u32>, from: impl IntoIterator<Item = u32>) {
    for s in from {
        if !into.contains(&s) {
            into.push(s);
        }
    }
}

fn strip_parentheses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// "gastro-esophageal" as "gastroesophageal".
fn join_hyphens(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let between = c == '-'
            && i > 0
            && b[i - 1].is_ascii_alphabetic()
            && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
        if !between {
            out.push(c);
        }
    }
    out
}

fn usable(ws: &[String]) -> bool {
    let (Some(first), Some(last)) = (ws.first(), ws.last()) else {
        return false;
    };
    if ws.len() > MAX_PHRASE_WORDS
        || STOP.contains(&first.as_str())
        || STOP.contains(&last.as_str())
    {
        return false;
    }
    if ws
        .iter()
        .all(|w| GENERIC.contains(&w.as_str()) || STOP.contains(&w.as_str()) || w.len() < 3)
    {
        return false;
    }
    !(ws.len() == 1 && (first.len() < 4 || first.bytes().any(|b| b.is_ascii_digit())))
}

/// Codes by index, each stored once.
#[derive(Default)]
struct Interned {
    list: Vec<String>,
    index: FxHashMap<String, u32>,
}

impl Interned {
    fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(code.to_string());
        self.index.insert(code.to_string(), i);
        i
    }
}

impl Vocabulary {
    pub fn build(sets: &CodeSets) -> Vocabulary {
        let started = Instant::now();
        let mut codes = Interned::default();
        let mut by_words: FxHashMap<Vec<String>, Sourced> = FxHashMap::default();
        let mut add = |code: &str, text: &str, origin: Origin, by_words: &mut FxHashMap<_, _>| {
            let ci = codes.intern(code);
            for v in variants(text, origin) {
                // An injury code's single word is its site ("Axis" under fractures of C2).
                if v.len() == 1 && code.starts_with(['S', 'T']) {
                    continue;
                }
                let e: &mut Sourced = by_words.entry(v).or_insert((Vec::new(), origin));
                if !e.0.contains(&ci) {
                    e.0.push(ci);
                }
            }
        };
        for (code, title, _) in sets.icd10cm().titles() {
            if phrase_source(code, title) {
                add(code, title, Origin::Title, &mut by_words);
            }
        }
        for (code, term) in sets.icd10cm().inclusion_terms() {
            if phrase_source(code, term) {
                add(code, term, Origin::InclusionTerm, &mut by_words);
            }
        }
        let mut unresolved = Vec::new();
        for (term, means) in sequence_equivalences() {
            let with: Vec<(Vec<String>, Sourced)> = by_words
                .iter()
                .filter_map(|(ws, sourced)| {
                    let at = ws
                        .windows(means.len())
                        .position(|w| w == means.as_slice())?;
                    let replaced = [&ws[..at], &term[..], &ws[at + means.len()..]].concat();
                    Some((replaced, sourced.clone()))
                })
                .collect();
            if with.is_empty() {
                unresolved.push(format!("~{}\t{}", term.join(" "), means.join(" ")));
            }
            for (ws, (sources, origin)) in with {
                merge(
                    &mut by_words.entry(ws).or_insert((Vec::new(), origin)).0,
                    sources,
                );
            }
        }
        // Synonyms take the codes of the phrase they expand to, or the codes they name.
        for line in SYNONYMS.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(term), Some(means)) = (fields.next(), fields.next()) else {
                unresolved.push(line.to_string());
                continue;
            };
            if term.starts_with(['=', '~']) {
                continue; // word and sequence equivalences, read above and by `words::canonical`
            }
            if term.starts_with('+') {
                continue; // words that imply others, read by `implies`
            }
            let sources: Vec<u32> = if means.split(' ').all(|c| sets.icd10cm().status(c).is_some())
            {
                means.split(' ').map(|c| codes.intern(c)).collect()
            } else {
                match by_words.get(&phrase_keys(means)) {
                    Some((s, _)) => s.clone(),
                    None => {
                        unresolved.push(line.to_string());
                        continue;
                    }
                }
            };
            let e = by_words
                .entry(phrase_keys(term))
                .or_insert((Vec::new(), Origin::Synonym));
            e.1 = Origin::Synonym;
            merge(&mut e.0, sources);
        }
        // Ids for the words, most frequent first, so the rare ones are the ones left out
        // should a release ever hold more words than ids.
        let mut freq: FxHashMap<&str, usize> = FxHashMap::default();
        for ws in by_words.keys() {
            for w in ws {
                *freq.entry(w.as_str()).or_default() += 1;
            }
        }
        let mut order: Vec<(&str, usize)> = freq.into_iter().collect();
        order.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut ids: FxHashMap<String, u16> = order
            .iter()
            .take(MAX_WORDS - 1)
            .enumerate()
            .map(|(i, (w, _))| (w.to_string(), (i + 1) as u16))
            .collect();
        // A note's "renal" is the phrases' "kidney": the same id, so `find` needs no
        // second lookup per word.
        for (from, to) in words::equivalences() {
            if let Some(&id) = ids.get(to) {
                ids.insert(from.clone(), id);
            }
        }
        let mut entries: Vec<(Vec<String>, Sourced)> = by_words.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut trie = TrieBuilder::default();
        let mut texts = Vec::with_capacity(entries.len());
        let mut sources = Vec::new();
        let mut source_ends = Vec::with_capacity(entries.len());
        let mut origins = Vec::with_capacity(entries.len());
        for (ws, (codes_of, origin)) in entries {
            let Some(encoded) = ws
                .iter()
                .map(|w| ids.get(w).copied())
                .collect::<Option<Vec<u16>>>()
            else {
                continue;
            };
            trie.insert(&encoded, texts.len() as u32);
            texts.push(ws.join(" "));
            sources.extend(codes_of);
            source_ends.push(sources.len() as u32);
            origins.push(origin);
        }
        Vocabulary {
            trie: trie.finish(ids.values().max().map_or(0, |&m| m as usize + 1)),
            ids: WordIds::new(&ids),
            texts: Strings::from_iter(texts.iter().map(String::as_str)),
            sources: sources.into_iter().collect(),
            source_ends: source_ends.into_iter().collect(),
            origins: Cow::Owned(origins.iter().map(|&o| o as u8).collect()),
            codes: Strings::from_iter(codes.list.iter().map(String::as_str)),
            implies: implies(),
            unresolved,
            build_time: started.elapsed(),
            prebuilt: false,
            memo: Default::default(),
        }
    }

    /// The vocabulary for these code sets: the prebuilt one when they are the embedded
    /// sets' titles, else built from theirs (half a second).
    pub fn for_sets(sets: &CodeSets) -> Vocabulary {
        if sets.replaced(&["icd10cm", "icd10cm-notes"]) {
            return Vocabulary::build(sets);
        }
        Vocabulary::embedded().unwrap_or_else(|e| {
            // Only a broken build gets here: the tests read the embedded index.
            eprintln!("dxpx: the embedded phrase index: {e}; building it");
            Vocabulary::build(sets)
        })
    }

    /// The vocabulary `dxpx data build` made from the embedded code sets.
    pub fn embedded() -> Result<Vocabulary, Malformed> {
        let started = Instant::now();
        // The tests compare it with a fresh build byte for byte; checking every index here
        // would page in all of it.
        let mut v = Vocabulary::read(Cow::Borrowed(EMBEDDED), false)?;
        v.build_time = started.elapsed();
        Ok(v)
    }

    /// The packed form `dxpx data build` writes (see [`crate::packed`]).
    pub fn pack(&self) -> Vec<u8> {
        let mut w = packed::Writer::new(MAGIC);
        self.ids.words.write(&mut w);
        w.u16s(&self.ids.ids.iter().collect::<Vec<u16>>());
        self.codes.write(&mut w);
        self.texts.write(&mut w);
        w.u32s(&self.sources.iter().collect::<Vec<u32>>());
        w.u32s(&self.source_ends.iter().collect::<Vec<u32>>());
        w.bytes(&self.origins);
        self.trie.write(&mut w);
        w.finish()
    }

    /// Reads a packed vocabulary and checks every index in it, so that no lookup reads out
    /// of bounds.
    pub fn unpack(bytes: Vec<u8>) -> Result<Vocabulary, Malformed> {
        Vocabulary::read(Cow::Owned(bytes), true)
    }

    fn read(bytes: Cow<'static, [u8]>, check: bool) -> Result<Vocabulary, Malformed> {
        let started = Instant::now();
        let mut r = packed::Reader::new(bytes, MAGIC)?;
        let ids = WordIds {
            words: r.strings()?,
            ids: r.u16s()?,
        };
        let codes = r.strings()?;
        let texts = r.strings()?;
        let sources = r.u32s()?;
        let source_ends = r.u32s()?;
        let origins = r.bytes()?;
        let trie = Trie::read(&mut r, texts.len(), check)?;
        r.end()?;
        let phrases = texts.len();
        // Sizes only: reading an element of the embedded index would page in its neighbours.
        let sized = ids.words.len() == ids.ids.len()
            && source_ends.len() == phrases
            && origins.len() == phrases;
        let checked = || {
            source_ends
                .last()
                .is_none_or(|e| e as usize <= sources.len())
                && source_ends
                    .iter()
                    .zip(source_ends.iter().skip(1))
                    .all(|(a, b)| a <= b)
                && origins.iter().all(|&o| o <= 2)
                && sources.iter().all(|c| (c as usize) < codes.len())
        };
        if !sized || (check && !checked()) {
            return Err(Malformed("phrase sources".into()));
        }
        Ok(Vocabulary {
            ids,
            trie,
            texts,
            sources,
            source_ends,
            origins,
            codes,
            implies: implies(),
            unresolved: Vec::new(),
            build_time: started.elapsed(),
            prebuilt: true,
            memo: Default::default(),
        })
    }

    /// How many phrases it knows.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn phrase(&self, i: usize) -> Phrase<'_> {
        let start = match i {
            0 => 0,
            _ => self.source_ends.at(i - 1) as usize,
        };
        Phrase {
            text: self.texts.get(i),
            origin: match self.origins[i] {
                0 => Origin::Title,
                1 => Origin::InclusionTerm,
                _ => Origin::Synonym,
            },
            sources: &self.sources,
            range: (start, self.source_ends.at(i) as usize),
        }
    }

    /// The code a phrase source index names.
    pub fn code(&self, i: u32) -> &str {
        self.codes.get(i as usize)
    }

    /// Bytes held by the trie and the tables beside it (approximate).
    pub fn heap_bytes(&self) -> usize {
        let origins = match &self.origins {
            Cow::Owned(v) => v.capacity(),
            Cow::Borrowed(_) => 0,
        };
        self.trie.heap_bytes()
            + self.texts.heap_bytes()
            + self.codes.heap_bytes()
            + self.sources.heap_bytes()
            + self.source_ends.heap_bytes()
            + origins
            + self.ids.words.heap_bytes()
            + self.ids.ids.heap_bytes()
    }

    /// The phrase whose words are exactly `keys` (stems, as [`words::key`] gives them).
    pub fn phrase_of(&self, keys: &[&str]) -> Option<usize> {
        let ids: Vec<u16> = keys
            .iter()
            .map(|k| self.ids.get(k))
            .collect::<Option<_>>()?;
        let (first, rest) = ids.split_first()?;
        let mut node = self.trie.start(*first)?;
        for &id in rest {
            node = self.trie.child(node, id)?;
        }
        self.trie.phrase(node)
    }

    /// The longest phrases written in `text`, none overlapping another, in text order.
    pub fn find(&self, text: &str, ws: &[words::Word]) -> Vec<Found> {
        // Slot i holds the id of word slot_word[i], or 0 for a sentence break.
        let mut slots: Vec<u16> = Vec::with_capacity(ws.len() + 16);
        let mut slot_word: Vec<usize> = Vec::with_capacity(ws.len() + 16);
        let mut scratch = String::new();
        for (i, w) in ws.iter().enumerate() {
            if w.breaks {
                slots.push(0);
                slot_word.push(usize::MAX);
            }
            scratch.clear();
            scratch.push_str(&text[w.start..w.end]);
            scratch.make_ascii_lowercase();
            if TRANSPARENT.contains(&scratch.as_str()) {
                continue;
            }
            let key = match scratch.as_str() {
                "ii" => "2",
                "iii" => "3",
                "iv" => "4",
                // Equivalent words share an id (see `build`).
                s => words::stem(s),
            };
            slots.push(self.ids.get(key).unwrap_or(0));
            slot_word.push(i);
        }
        // Every phrase starting at every word: a walk down the trie as far as the words go.
        let mut found: Vec<Found> = Vec::new();
        for start in 0..slots.len() {
            let Some(mut node) = self.trie.start(slots[start]) else {
                continue;
            };
            let mut end = start;
            loop {
                if let Some(phrase) = self.trie.phrase(node) {
                    found.push(Found {
                        first: slot_word[start],
                        last: slot_word[end],
                        phrase,
                    });
                }
                end += 1;
                match slots.get(end).and_then(|&id| self.trie.child(node, id)) {
                    Some(next) => node = next,
                    None => break,
                }
            }
        }
        found.sort_unstable_by_key(|f| (std::cmp::Reverse(f.last - f.first), f.first));
        let mut taken: Vec<Found> = Vec::new();
        let mut covered = vec![false; ws.len()];
        for f in found {
            if covered[f.first..=f.last].iter().any(|c| *c) {
                continue;
            }
            covered[f.first..=f.last].iter_mut().for_each(|c| *c = true);
            taken.push(f);
        }
        taken.sort_unstable_by_key(|f| f.first);
        taken
    }
}

/// The `+` lines of `data/synonyms.tsv`: a note's word and the title words it stands for.
fn implies() -> FxHashMap<String, Vec<String>> {
    SYNONYMS
        .lines()
        .filter_map(|l| l.trim_end().strip_prefix('+'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(word, means)| {
            let stems = words::phrase(means).iter().map(|w| words::key(w)).collect();
            (words::key(word), stems)
        })
        .collect()
}

const NO_PHRASE: u32 = u32::MAX;
const NO_NODE: u32 = u32::MAX;

/// The phrases as a trie over word ids, in flat arrays: node n's children are the edges
/// `first[n]..first[n + 1]`, sorted by word; the root's are also indexed by word (`root`),
/// since every word of a note starts a walk.
#[derive(Debug, Default)]
struct Trie {
    root: U32s,
    first: U32s,
    edge_word: U16s,
    edge_node: U32s,
    phrase: U32s,
}

impl Trie {
    fn start(&self, id: u16) -> Option<u32> {
        match self.root.get(id as usize) {
            Some(n) if n != NO_NODE => Some(n),
            _ => None,
        }
    }

    fn child(&self, node: u32, id: u16) -> Option<u32> {
        let n = node as usize;
        let (mut lo, mut hi) = (self.first.at(n) as usize, self.first.at(n + 1) as usize);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.edge_word.at(mid).cmp(&id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.edge_node.at(mid)),
            }
        }
        None
    }

    fn phrase(&self, node: u32) -> Option<usize> {
        match self.phrase.at(node as usize) {
            NO_PHRASE => None,
            p => Some(p as usize),
        }
    }

    fn write(&self, w: &mut packed::Writer) {
        w.u32s(&self.root.iter().collect::<Vec<u32>>());
        w.u32s(&self.first.iter().collect::<Vec<u32>>());
        w.u16s(&self.edge_word.iter().collect::<Vec<u16>>());
        w.u32s(&self.edge_node.iter().collect::<Vec<u32>>());
        w.u32s(&self.phrase.iter().collect::<Vec<u32>>());
    }

    /// Reads a trie; with `check`, every index in it, so that a walk never reads out of
    /// bounds.
    fn read(r: &mut packed::Reader, phrases: usize, check: bool) -> Result<Trie, Malformed> {
        let t = Trie {
            root: r.u32s()?,
            first: r.u32s()?,
            edge_word: r.u16s()?,
            edge_node: r.u32s()?,
            phrase: r.u32s()?,
        };
        let nodes = t.phrase.len();
        let edges = t.edge_word.len();
        let sized = t.first.len() == nodes + 1 && t.edge_node.len() == edges;
        let checked = || {
            t.first.get(0) == Some(0)
                && t.first.last() == Some(edges as u32)
                && t.first
                    .iter()
                    .zip(t.first.iter().skip(1))
                    .all(|(a, b)| a <= b)
                && t.edge_node.iter().all(|n| (n as usize) < nodes)
                && t.root.iter().all(|n| n == NO_NODE || (n as usize) < nodes)
                && t.phrase
                    .iter()
                    .all(|p| p == NO_PHRASE || (p as usize) < phrases)
        };
        if sized && (!check || checked()) {
            Ok(t)
        } else {
            Err(Malformed("phrase trie".into()))
        }
    }

    fn heap_bytes(&self) -> usize {
        self.root.heap_bytes()
            + self.first.heap_bytes()
            + self.edge_word.heap_bytes()
            + self.edge_node.heap_bytes()
            + self.phrase.heap_bytes()
    }
}

/// A trie being built: children in maps, flattened by [`TrieBuilder::finish`].
#[derive(Default)]
struct TrieBuilder {
    children: Vec<FxHashMap<u16, u32>>,
    phrase: Vec<u32>,
}

impl TrieBuilder {
    fn insert(&mut self, ids: &[u16], phrase: u32) {
        if self.children.is_empty() {
            self.children.push(FxHashMap::default());
            self.phrase.push(NO_PHRASE);
        }
        let mut node = 0usize;
        for &id in ids {
            let next = self.children.len() as u32;
            let child = *self.children[node].entry(id).or_insert(next);
            if child == next {
                self.children.push(FxHashMap::default());
                self.phrase.push(NO_PHRASE);
            }
            node = child as usize;
        }
        // Two phrases with one encoding would be two spellings of one: the first is kept.
        if self.phrase[node] == NO_PHRASE {
            self.phrase[node] = phrase;
        }
    }

    fn finish(self, words: usize) -> Trie {
        let mut root = vec![NO_NODE; words];
        let mut first = Vec::with_capacity(self.children.len() + 1);
        let mut phrase = self.phrase;
        let (mut edge_word, mut edge_node) = (Vec::new(), Vec::new());
        for (n, children) in self.children.iter().enumerate() {
            first.push(edge_word.len() as u32);
            let mut sorted: Vec<(u16, u32)> = children.iter().map(|(&w, &c)| (w, c)).collect();
            sorted.sort_unstable();
            for (w, c) in sorted {
                if n == 0
                    && let Some(slot) = root.get_mut(w as usize)
                {
                    *slot = c;
                }
                edge_word.push(w);
                edge_node.push(c);
            }
        }
        first.push(edge_word.len() as u32);
        if phrase.is_empty() {
            // No phrases: one root node with no children, so every walk stops at once.
            phrase.push(NO_PHRASE);
            first = vec![0, 0];
        }
        Trie {
            root: root.into_iter().collect(),
            first: first.into_iter().collect(),
            edge_word: edge_word.into_iter().collect(),
            edge_node: edge_node.into_iter().collect(),
            phrase: phrase.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        variants(t, Origin::Title)
            .into_iter()
            .map(|v| v.join(" "))
            .collect()
    }

    #[test]
    fn writes_titles_the_ways_notes_do() {
        let v = texts("Essential (primary) hypertension");
        assert!(v.contains(&"essential hypertension".into()), "{v:?}");
        assert!(
            v.contains(&"essential primary hypertension".into()),
            "{v:?}"
        );
        let v = texts("Sprain of ankle");
        assert!(v.contains(&"ankle sprain".into()), "{v:?}");
        let v = texts("Syncope and collapse");
        assert!(v.contains(&"syncope".into()), "{v:?}");
        let v = texts("Gastro-esophageal reflux disease without esophagitis");
        assert!(
            v.contains(&"gastroesophageal reflux disease".into())
                || v.iter().any(|x| x.starts_with("gastroesophageal reflux")),
            "{v:?}"
        );
        let v = texts("Hypothyroidism, unspecified");
        assert!(v.contains(&"hypothyroidism".into()), "{v:?}");
        // Too general alone.
        assert!(texts("Other disorders").is_empty());
        assert!(texts("Pain, unspecified").is_empty());
    }
}

#[cfg(test)]
mod data_tests {
    use super::*;

    #[test]
    fn every_synonym_names_a_phrase_or_a_code() {
        let vocab = Vocabulary::build(&CodeSets::embedded());
        assert!(
            vocab.unresolved.is_empty(),
            "data/synonyms.tsv: {:#?}",
            vocab.unresolved
        );
        assert!(vocab.len() > 20_000, "{} phrases", vocab.len());
    }

    /// What the binary loads is what its titles make: `data/vocabulary.idx.zst` is rebuilt
    /// with the tables it comes from.
    #[test]
    fn the_embedded_vocabulary_is_the_one_the_embedded_titles_make() {
        let built = Vocabulary::build(&CodeSets::embedded());
        let embedded = Vocabulary::embedded().expect("data/vocabulary.idx.zst reads");
        assert!(embedded.prebuilt && !built.prebuilt);
        assert!(
            built.pack() == embedded.pack(),
            "data/vocabulary.idx.zst is stale: run `dxpx data build --from ../shared/sources --out data`"
        );
        // Packing again gives the same bytes: the index is reproducible.
        assert!(built.pack() == Vocabulary::unpack(built.pack()).unwrap().pack());
        // It is read in place without checking each index; here every index is checked.
        assert!(Vocabulary::unpack(EMBEDDED.to_vec()).is_ok());
        assert!(embedded.heap_bytes() == 0, "read in place");
    }

    #[test]
    fn a_damaged_index_is_an_error_not_a_panic() {
        let bytes = Vocabulary::build(&CodeSets::embedded()).pack();
        for cut in [0, 8, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                Vocabulary::unpack(bytes[..cut].to_vec()).is_err(),
                "cut at {cut}"
            );
        }
        // A trie node naming a phrase past the last (the last section's last number) is
        // caught when read, not when a note walks to it.
        let mut bad = bytes.clone();
        let n = bad.len();
        bad[n - 4..].copy_from_slice(&0xffff_fffe_u32.to_le_bytes());
        assert!(Vocabulary::unpack(bad).is_err());
    }
}
