//! Word search over ICD-10-CM titles and inclusion terms and HCPCS descriptions.
//!
//! Every title or term is a phrase; a query matches a phrase when each query word matches
//! one of its words exactly, as a prefix ("diab"), or with one typo ("diabetis"). Phrases
//! that the query covers more completely rank higher, so "asthma" prefers "Asthma NOS"
//! to "Mild intermittent asthma, uncomplicated".

use super::table::Table;
use super::{CodeSets, Status, System};
use crate::packed::{self, Malformed, Strings, U32s};
use std::borrow::Cow;
use std::collections::HashMap;

/// The index of the embedded code sets, made by `dxpx data build` (`data/search.idx.zst`,
/// decompressed by `build.rs`), read in place.
const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/search.idx"));
/// The packed layout's tag; a change of layout changes it.
const MAGIC: &[u8; 8] = b"DXPXSRC1";
/// The tables the index is made from: when a user's files replace one, it is built again.
pub(crate) const SOURCES: &[&str] = &["icd10cm", "icd10cm-notes", "hcpcs"];

pub(crate) struct Sources<'a> {
    pub icd10cm: &'a Table,
    pub notes: &'a Table,
    pub hcpcs: &'a Table,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub code: String,
    pub system: System,
    pub title: String,
    pub status: Status,
    /// The title or inclusion term that matched.
    pub matched: String,
    pub score: f32,
}

/// Words that carry little meaning in a title, weighed less when measuring coverage.
const LIGHT: &[&str] = &[
    "unspecified",
    "nos",
    "uncomplicated",
    "without",
    "complications",
    "other",
    "specified",
    "site",
];
const STOP: &[&str] = &[
    "of", "the", "and", "or", "in", "to", "for", "by", "a", "an", "with", "as", "on", "due",
];

/// Lay terms and abbreviations, searched as the official words they stand for: the hints'
/// synonyms (`data/synonyms.tsv`) and the search's own (`data/search-terms.tsv`).
const SYNONYMS: &str = include_str!("../../data/synonyms.tsv");
const SEARCH_TERMS: &str = include_str!("../../data/search-terms.tsv");

/// What a term stands for: words of titles, or codes.
#[derive(Debug, Clone, PartialEq)]
enum Meaning {
    Words(String),
    Codes(Vec<String>),
}

/// Each term as its words, with its meanings, from both files.
fn terms() -> Vec<(Vec<String>, Vec<Meaning>)> {
    let mut out: Vec<(Vec<String>, Vec<Meaning>)> = Vec::new();
    let lines = SYNONYMS.lines().chain(SEARCH_TERMS.lines());
    for line in lines.filter(|l| !l.starts_with(['#', '+', '=', '~']) && !l.trim().is_empty()) {
        let mut fields = line.split('\t');
        let term: Vec<String> = tokens(fields.next().unwrap_or_default()).collect();
        let meanings: Vec<Meaning> = fields
            .filter(|f| !f.trim().is_empty())
            .map(|f| {
                let codes: Vec<String> = f.split(' ').map(str::to_string).collect();
                if codes.iter().all(|c| looks_like_a_code(c)) {
                    Meaning::Codes(codes)
                } else {
                    Meaning::Words(f.to_string())
                }
            })
            .collect();
        if term.is_empty() || meanings.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(t, _)| *t == term) {
            Some((_, m)) => m.extend(meanings),
            None => out.push((term, meanings)),
        }
    }
    out
}

/// "E11", "K21.00", "Z00.129": a letter, a digit, and the rest letters, digits or a dot.
fn looks_like_a_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'.')
}

/// What a phrase of a code that is not billable keeps of its score: a category is a way
/// down to its codes, not a code to write.
const HEADER_PENALTY: f32 = 0.85;

/// How far down the hits a category brings its default code.
const DEFAULTS_WITHIN: usize = 8;

/// What a query word adds when it matches a word in parentheses: enough to count as matched.
const NONESSENTIAL: f32 = 0.01;

/// What a search of a term alone scores: as much as a title the query covers whole.
const TERM_SCORE: f32 = 1.0;

/// The billable code a category stands for when nothing more is said: down one level at a
/// time, the child that says so most ("Unspecified asthma, uncomplicated" over "Mild
/// intermittent asthma, uncomplicated"; none that adds "with"; then the shortest title), until
/// a billable one ("E11" →
/// E11.9, "J45" → J45.909, "S72" → S72.90XA). `None` when no child says nothing more.
fn default_below(sets: &CodeSets, header: &str) -> Option<(String, String)> {
    let markers = |title: &str| {
        let t = title.to_ascii_lowercase();
        // "Unspecified asthma with (acute) exacerbation" says more; "without" does not.
        if t.split([' ', ',']).any(|w| w == "with") {
            return 0;
        }
        [
            "unspecified",
            "uncomplicated",
            "without complications",
            " nos",
        ]
        .iter()
        .map(|m| t.matches(*m).count())
        .sum::<usize>()
    };
    let mut at = header.to_string();
    for _ in 0..5 {
        let prefix = if at.len() == 3 {
            format!("{at}.")
        } else {
            at.clone()
        };
        let children = sets.icd10cm().shallowest(&prefix, 64);
        let depth = children
            .iter()
            .map(|c| c.0.len())
            .filter(|&l| l > at.len())
            .min()?;
        let (code, title, status) = children
            .into_iter()
            .filter(|c| c.0.len() == depth && markers(&c.1) > 0)
            // Equally unspecified: the shorter title says less ("Acute myocardial
            // infarction, unspecified" over "STEMI myocardial infarction of unspecified site").
            .min_by_key(|c| (std::cmp::Reverse(markers(&c.1)), c.1.len(), c.0.clone()))?;
        if status == Status::Valid {
            return Some((code, title));
        }
        at = code;
    }
    None
}

/// Each phrase is a code's title or one of its terms: its system (1 for HCPCS, else
/// ICD-10-CM), its row in that system's table, and its row in the notes table (u32::MAX for
/// the title).
pub struct Index {
    systems: Cow<'static, [u8]>,
    rows: U32s,
    notes: U32s,
    /// The weight of each phrase's words (coverage denominator), as f32 bits.
    weight: U32s,
    /// 1 where a phrase's code is billable (headers and terminated codes rank lower).
    billable: Cow<'static, [u8]>,
    /// Every word of the phrases, sorted, so that a prefix is a range of them.
    words: Strings,
    /// Word i's phrases are `postings[posting_ends[i - 1]..posting_ends[i]]`, sorted.
    postings: U32s,
    posting_ends: U32s,
    terms: Vec<(Vec<String>, Vec<Meaning>)>,
    /// Whether it came from `dxpx data build` (else it was built from the tables now).
    pub prebuilt: bool,
}

fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    let word_char = |c: char| {
        c.is_ascii_alphanumeric()
            || (!c.is_ascii() && (c.is_alphanumeric() || is_combining_mark(c)))
    };
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find(word_char)?;
            let len = rest[start..]
                .find(|c: char| !word_char(c))
                .unwrap_or(rest.len() - start);
            let w = &rest[start..start + len];
            rest = &rest[start + len..];
            let w = if w.is_ascii() {
                w.to_ascii_lowercase()
            } else {
                w.to_lowercase()
                    .chars()
                    .filter(|c| !is_combining_mark(*c))
                    .map(without_accent)
                    .collect::<String>()
            };
            if w.is_empty() {
                continue;
            }
            return Some(match w.as_str() {
                "ii" => "2".to_string(),
                "iii" => "3".to_string(),
                _ => w,
            });
        }
    })
}

/// A title's or term's words, each with whether it is inside parentheses: ICD-10-CM encloses
/// nonessential modifiers there ("Hypertension (arterial) (benign)").
fn phrase_tokens(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '(')))
    {
        if c == '(' || c == ')' {
            out.extend(tokens(&text[from..i]).map(|t| (t, depth > 0)));
            from = i + c.len_utf8();
            depth = if c == '(' {
                depth + 1
            } else {
                depth.saturating_sub(1)
            };
        }
    }
    out
}

/// A combining accent (e + U+0301 is é written in two characters): dropped, as the
/// accents of precomposed letters are.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}')
}

/// The letter without its accent, so "Meniere" finds "Ménière" and "Sjogren" "Sjögren"
/// (the accented letters of ICD-10-CM and HCPCS titles; other characters are kept).
fn without_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => c,
    }
}

fn word_weight(w: &str) -> f32 {
    if STOP.contains(&w) {
        0.0
    } else if LIGHT.contains(&w) {
        0.3
    } else {
        1.0
    }
}

impl Index {
    pub(crate) fn build(sets: &CodeSets) -> Index {
        let src = sets.search_sources();
        let mut phrases = Vec::new();
        let mut weight = Vec::new();
        let mut word_ids: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut add = |text: &str,
                       phrase: (System, u32, u32),
                       phrases: &mut Vec<_>,
                       weight: &mut Vec<f32>| {
            let id = phrases.len() as u32;
            phrases.push(phrase);
            let mut w = 0.0;
            let mut seen: Vec<u32> = Vec::new();
            for (tok, nonessential) in phrase_tokens(text) {
                // "Hypertension (arterial) (benign) (essential)": the words in parentheses
                // are nonessential modifiers, so "hypertension" alone covers the term.
                if !nonessential {
                    w += word_weight(&tok);
                }
                let next = word_ids.len() as u32;
                let wid = *word_ids.entry(tok).or_insert(next);
                if wid as usize == postings.len() {
                    postings.push(Vec::new());
                }
                // A posting is the phrase's id and a bit for a nonessential word; a word
                // written both ways in one phrase is essential.
                let posting = id << 1 | u32::from(nonessential);
                if !seen.contains(&wid) {
                    seen.push(wid);
                    postings[wid as usize].push(posting);
                } else if !nonessential && let Some(last) = postings[wid as usize].last_mut() {
                    *last = id << 1;
                }
            }
            weight.push(w.max(0.3));
        };
        for (i, row) in src.icd10cm.rows().enumerate() {
            add(
                row.field(5),
                (System::Icd10Cm, i as u32, u32::MAX),
                &mut phrases,
                &mut weight,
            );
        }
        for (i, row) in src.notes.rows().enumerate() {
            // A code's inclusion terms, and a category's Includes ("diabetes NOS" in E11).
            if !matches!(row.field(1), "inclusionTerm" | "includes") {
                continue;
            }
            if let Some(code) = src.icd10cm.get(row.key()) {
                add(
                    row.field(2),
                    (System::Icd10Cm, code.index as u32, i as u32),
                    &mut phrases,
                    &mut weight,
                );
            }
        }
        for (i, row) in src.hcpcs.rows().enumerate() {
            add(
                row.field(2),
                (System::Hcpcs, i as u32, u32::MAX),
                &mut phrases,
                &mut weight,
            );
        }
        // Sorted vocabulary, so prefixes are a contiguous range.
        let mut words: Vec<(String, u32)> = word_ids.into_iter().collect();
        words.sort();
        let mut flat = Vec::new();
        let mut posting_ends = Vec::with_capacity(words.len());
        for (_, id) in &words {
            flat.extend_from_slice(&postings[*id as usize]);
            posting_ends.push(flat.len() as u32);
        }
        // Read once per code, not once per phrase (a code has a title and its terms).
        let icd10cm_billable: Vec<bool> = src.icd10cm.rows().map(|r| r.field(2) == "1").collect();
        let hcpcs_billable: Vec<bool> = src.hcpcs.rows().map(|r| r.field(5).is_empty()).collect();
        let billable = phrases
            .iter()
            .map(|&(system, row, _)| {
                u8::from(match system {
                    System::Icd10Cm => icd10cm_billable[row as usize],
                    _ => hcpcs_billable[row as usize],
                })
            })
            .collect();
        Index {
            systems: phrases
                .iter()
                .map(|p| u8::from(p.0 == System::Hcpcs))
                .collect(),
            rows: phrases.iter().map(|p| p.1).collect(),
            notes: phrases.iter().map(|p| p.2).collect(),
            billable: Cow::Owned(billable),
            weight: weight.iter().map(|w| w.to_bits()).collect(),
            words: Strings::from_iter(words.iter().map(|(w, _)| w.as_str())),
            postings: flat.into_iter().collect(),
            posting_ends: posting_ends.into_iter().collect(),
            terms: terms(),
            prebuilt: false,
        }
    }

    /// The index of these code sets: the prebuilt one unless a user's files replaced the
    /// tables it is made from.
    pub(crate) fn for_sets(sets: &CodeSets) -> Index {
        if sets.replaced(SOURCES) {
            return Index::build(sets);
        }
        // The tests compare it with a fresh build byte for byte and check every index in
        // it; checking them here would page in all of it.
        Index::read(Cow::Borrowed(EMBEDDED), sets, false).unwrap_or_else(|e| {
            // Only a broken build gets here.
            eprintln!("dxpx: the embedded search index: {e}; building it");
            Index::build(sets)
        })
    }

    /// The packed form `dxpx data build` writes (see [`crate::packed`]).
    pub fn pack(&self) -> Vec<u8> {
        let mut w = packed::Writer::new(MAGIC);
        w.bytes(&self.systems);
        w.u32s(&self.rows.iter().collect::<Vec<u32>>());
        w.u32s(&self.notes.iter().collect::<Vec<u32>>());
        w.u32s(&self.weight.iter().collect::<Vec<u32>>());
        w.bytes(&self.billable);
        self.words.write(&mut w);
        w.u32s(&self.postings.iter().collect::<Vec<u32>>());
        w.u32s(&self.posting_ends.iter().collect::<Vec<u32>>());
        w.finish()
    }

    /// Reads a packed index, checking that every row and phrase it names exists in `sets`,
    /// so that a search never reads out of bounds.
    pub fn unpack(bytes: Vec<u8>, sets: &CodeSets) -> Result<Index, Malformed> {
        Index::read(Cow::Owned(bytes), sets, true)
    }

    fn read(bytes: Cow<'static, [u8]>, sets: &CodeSets, check: bool) -> Result<Index, Malformed> {
        let mut r = packed::Reader::new(bytes, MAGIC)?;
        let index = Index {
            systems: r.bytes()?,
            rows: r.u32s()?,
            notes: r.u32s()?,
            weight: r.u32s()?,
            billable: r.bytes()?,
            words: r.strings()?,
            postings: r.u32s()?,
            posting_ends: r.u32s()?,
            terms: terms(),
            prebuilt: true,
        };
        r.end()?;
        let n = index.systems.len();
        let sized = index.rows.len() == n
            && index.notes.len() == n
            && index.weight.len() == n
            && index.billable.len() == n
            && index.posting_ends.len() == index.words.len();
        // Beyond sizes, reading an element of the embedded index would page in its
        // neighbours; the tests check it in full.
        let checked = || {
            let ends = &index.posting_ends;
            if ends
                .last()
                .is_some_and(|e| e as usize != index.postings.len())
            {
                return false;
            }
            let src = sets.search_sources();
            let rows_exist = (0..n).all(|i| {
                let table = if index.systems[i] == 1 {
                    src.hcpcs
                } else {
                    src.icd10cm
                };
                let note = index.notes.at(i);
                (index.rows.at(i) as usize) < table.len()
                    && (note == u32::MAX || (note as usize) < src.notes.len())
            });
            rows_exist
                && ends.iter().zip(ends.iter().skip(1)).all(|(a, b)| a <= b)
                && index.postings.iter().all(|p| ((p >> 1) as usize) < n)
        };
        if !sized || (check && !checked()) {
            return Err(Malformed("search index does not fit the tables".into()));
        }
        Ok(index)
    }

    /// Where in `postings` the phrases word `w` is in are (see `posting_ends`).
    fn postings(&self, w: usize) -> std::ops::Range<usize> {
        let start = match w {
            0 => 0,
            _ => self.posting_ends.at(w - 1) as usize,
        };
        start..self.posting_ends.at(w) as usize
    }

    /// Word `w`'s posting of phrase `p`, if it has one (postings are sorted by phrase).
    fn posting_of(&self, w: usize, p: u32) -> Option<u32> {
        let r = self.postings(w);
        let (mut lo, mut hi) = (r.start, r.end);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let posting = self.postings.at(mid);
            match (posting >> 1).cmp(&p) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(posting),
            }
        }
        None
    }

    fn phrases(&self) -> usize {
        self.systems.len()
    }

    /// Bytes on the heap: none for the embedded index.
    pub fn heap_bytes(&self) -> usize {
        let owned = |c: &Cow<'_, [u8]>| match c {
            Cow::Owned(v) => v.capacity(),
            Cow::Borrowed(_) => 0,
        };
        owned(&self.systems)
            + owned(&self.billable)
            + self.rows.heap_bytes()
            + self.notes.heap_bytes()
            + self.weight.heap_bytes()
            + self.words.heap_bytes()
            + self.postings.heap_bytes()
            + self.posting_ends.heap_bytes()
    }

    /// Vocabulary words matching one query word, with how well they match.
    fn matches(&self, q: &str, last: bool) -> Vec<(usize, f32)> {
        let mut out = Vec::new();
        let start = self.words.partition_point(|w| w < q);
        if start < self.words.len() && self.words.get(start) == q {
            out.push((start, 1.0));
        }
        let prefix_ok = q.chars().count() >= 3 || (last && q.chars().count() >= 2);
        if prefix_ok {
            for (i, w) in self.words.iter().enumerate().skip(start) {
                if !w.starts_with(q) {
                    break;
                }
                if w != q {
                    out.push((i, 0.8));
                }
            }
        }
        if out.is_empty() && q.chars().count() >= 5 {
            let q_bytes = q.as_bytes();
            let q: Vec<char> = q.chars().collect();
            let mut w_chars = Vec::new();
            for (i, w) in self.words.iter().enumerate() {
                // One edit changes the length by one character at most, and a character is
                // one to four bytes: most words are ruled out before they are decoded.
                if w.len() + 1 < q.len() || (!last && w.len() > 4 * (q.len() + 1)) {
                    continue;
                }
                // One edit leaves the first two characters in place, or changes one of
                // them (q[1] = w[1] or q[0] = w[0]), or shifts them by one (q[0] = w[1]
                // or q[1] = w[0]): a test on two characters rules out most words.
                let mut head = w.chars();
                let (w0, w1) = (head.next(), head.next());
                let (q0, q1) = (Some(q[0]), Some(q[1]));
                if q0 != w0 && q1 != w1 && q0 != w1 && q1 != w0 {
                    continue;
                }
                let near = if q.len() == q_bytes.len() && w.is_ascii() {
                    let w = w.as_bytes();
                    within_one_edit(q_bytes, w) || (last && prefix_within_one_edit(q_bytes, w))
                } else {
                    w_chars.clear();
                    w_chars.extend(w.chars());
                    within_one_edit(&q, &w_chars) || (last && prefix_within_one_edit(&q, &w_chars))
                };
                if near {
                    out.push((i, 0.6));
                }
            }
        }
        out
    }

    /// Codes whose titles or terms the query's words match, best first: the query as typed,
    /// and with a lay term or abbreviation in it read as the words it stands for ("heart
    /// attack", "CHF", "flu shot"). A category that matches brings the billable code it stands
    /// for when nothing more is said (E11 → E11.9) just before it.
    pub(crate) fn search(&self, sets: &CodeSets, query: &str, limit: usize) -> Vec<SearchHit> {
        let mut hits = self.search_words(sets, query, limit);
        let words: Vec<String> = tokens(query).collect();
        for (term, meanings) in &self.terms {
            let Some(at) = (0..words.len().saturating_sub(term.len() - 1))
                .find(|&i| words[i..i + term.len()] == term[..])
            else {
                continue;
            };
            let written = term.join(" ");
            for meaning in meanings {
                match meaning {
                    Meaning::Codes(codes) if term.len() == words.len() => {
                        for code in codes {
                            let Some(e) = sets.lookup(code, System::Icd10Cm) else {
                                continue;
                            };
                            let Some(status) = e.status else { continue };
                            let score = if status == Status::Valid {
                                2.0 * TERM_SCORE
                            } else {
                                2.0 * TERM_SCORE * HEADER_PENALTY
                            };
                            hits.push(SearchHit {
                                code: e.code,
                                system: System::Icd10Cm,
                                matched: format!("{written}: {}", e.title),
                                title: e.title,
                                status,
                                score,
                            });
                        }
                    }
                    Meaning::Codes(_) => {}
                    Meaning::Words(phrase) => {
                        let mut read = words[..at].to_vec();
                        read.push(phrase.clone());
                        read.extend_from_slice(&words[at + term.len()..]);
                        for mut h in self.search_words(sets, &read.join(" "), limit) {
                            h.matched = format!("{written}: {}", h.matched);
                            // A query that is the term alone ("MI") means the term, not
                            // the titles its letters begin (Microcephaly).
                            if term.len() == words.len() {
                                h.score += TERM_SCORE;
                            }
                            hits.push(h);
                        }
                    }
                }
            }
        }
        // A category brings its default code, at the category's score before the penalty
        // for not being billable: for the first few categories only, as a default is a
        // walk over the codes below (thousands under S72) and a query lists 50 hits.
        let order = |a: &SearchHit, b: &SearchHit| {
            b.score
                .total_cmp(&a.score)
                .then((a.status == Status::Retired).cmp(&(b.status == Status::Retired)))
                .then(a.code.len().cmp(&b.code.len()))
                .then(a.code.cmp(&b.code))
        };
        hits.sort_by(order);
        let mut defaults = Vec::new();
        for h in hits
            .iter()
            .take(DEFAULTS_WITHIN)
            .filter(|h| h.system == System::Icd10Cm && h.status == Status::Header)
        {
            if let Some((code, title)) = default_below(sets, &h.code) {
                defaults.push(SearchHit {
                    code,
                    system: System::Icd10Cm,
                    title,
                    status: Status::Valid,
                    matched: h.matched.clone(),
                    score: h.score / HEADER_PENALTY,
                });
            }
        }
        hits.extend(defaults);
        // Best first; each code once, at its best.
        hits.sort_by(order);
        let mut seen: Vec<(System, String)> = Vec::new();
        hits.retain(|h| {
            let key = (h.system, h.code.clone());
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        hits.truncate(limit);
        hits
    }

    fn search_words(&self, sets: &CodeSets, query: &str, limit: usize) -> Vec<SearchHit> {
        let src = sets.search_sources();
        let mut words_of_query: Vec<String> = Vec::new();
        for t in tokens(query) {
            // A word said twice narrows nothing.
            if !STOP.contains(&t.as_str()) && !words_of_query.contains(&t) {
                words_of_query.push(t);
            }
        }
        let query = words_of_query;
        if query.is_empty() {
            return Vec::new();
        }
        // Every query word must match a word of the phrase. Start from the query word with
        // the fewest phrases and keep only the phrases each other word also matches
        // (postings are sorted, so membership is a binary search).
        let mut words: Vec<(Vec<(usize, f32)>, usize)> = query
            .iter()
            .enumerate()
            .map(|(qi, q)| {
                let m = self.matches(q, qi + 1 == query.len());
                let total = m.iter().map(|(w, _)| self.postings(*w).len()).sum();
                (m, total)
            })
            .collect();
        words.sort_by_key(|w| w.1);
        // A word in parentheses matches, and adds next to nothing: "congestive heart
        // failure" is more of "Congestive heart failure NOS" than of "Systolic (congestive)
        // heart failure".
        let quality = |w: usize, q: f32, posting: u32| {
            if posting & 1 == 1 {
                NONESSENTIAL
            } else {
                q * word_weight(self.words.get(w)).max(0.3)
            }
        };
        // Dense scores (0 = not matched): a common word ("fracture") matches tens of
        // thousands of phrases, too many for a hash map per query.
        let mut scores = vec![0f32; self.phrases()];
        let mut matched_phrases: Vec<u32> = Vec::new();
        for &(w, q) in &words[0].0 {
            for posting in self.postings.range(self.postings(w)) {
                let p = posting >> 1;
                let score = &mut scores[p as usize];
                if *score == 0.0 {
                    matched_phrases.push(p);
                }
                *score = score.max(quality(w, q, posting));
            }
        }
        let mut word_best = Vec::new();
        for (matched, total) in &words[1..] {
            // A word that matches few vocabulary words is looked up in their postings; one
            // that matches many ("st", a prefix) marks its phrases first.
            if matched.len() <= 4 {
                matched_phrases.retain(|&p| {
                    let best = matched
                        .iter()
                        .filter_map(|&(w, q)| Some(quality(w, q, self.posting_of(w, p)?)))
                        .fold(0.0, f32::max);
                    scores[p as usize] += best;
                    best > 0.0
                });
                continue;
            }
            if word_best.is_empty() {
                word_best = vec![0f32; self.phrases()];
            }
            let mut marked = Vec::with_capacity(*total);
            for &(w, q) in matched {
                for posting in self.postings.range(self.postings(w)) {
                    let p = posting >> 1;
                    let best = &mut word_best[p as usize];
                    if *best == 0.0 {
                        marked.push(p);
                    }
                    *best = best.max(quality(w, q, posting));
                }
            }
            matched_phrases.retain(|&p| {
                let best = word_best[p as usize];
                scores[p as usize] += best;
                best > 0.0
            });
            for p in marked {
                word_best[p as usize] = 0.0;
            }
        }
        // The best phrase of each code: slots are ICD-10-CM rows, then HCPCS rows.
        let icd10cm_rows = src.icd10cm.len();
        let mut by_code = vec![(0f32, 0u32); icd10cm_rows + src.hcpcs.len()];
        let mut matched_codes: Vec<u32> = Vec::new();
        for p in matched_phrases {
            let i = p as usize;
            let (row, note) = (self.rows.at(i), self.notes.at(i));
            let sum = scores[i];
            let mut score = sum / f32::from_bits(self.weight.at(i)).max(sum);
            if self.billable[i] != 1 {
                score *= HEADER_PENALTY;
            }
            let slot = match self.systems[i] {
                1 => icd10cm_rows as u32 + row,
                _ => row,
            };
            let best = &mut by_code[slot as usize];
            if best.0 == 0.0 {
                matched_codes.push(slot);
            }
            if score > best.0 {
                *best = (score, note);
            }
        }
        // Only codes scoring at least the limit-th best can be among the hits.
        if matched_codes.len() > limit && limit > 0 {
            let (_, nth, _) = matched_codes.select_nth_unstable_by(limit - 1, |a, b| {
                by_code[*b as usize].0.total_cmp(&by_code[*a as usize].0)
            });
            let threshold = by_code[*nth as usize].0;
            matched_codes.retain(|s| by_code[*s as usize].0 >= threshold);
        }
        let by_code = matched_codes.into_iter().map(|slot| {
            let (score, note) = by_code[slot as usize];
            let (system, row) = match slot.checked_sub(icd10cm_rows as u32) {
                Some(row) => (System::Hcpcs, row),
                None => (System::Icd10Cm, slot),
            };
            ((system, row), (score, note))
        });
        // Rank on borrowed keys and build only the hits that are kept: a common word
        // ("accident") matches thousands of codes.
        let key = |system: System, row: u32| match system {
            System::Icd10Cm => {
                let r = src.icd10cm.row(row as usize);
                let status = if r.field(2) == "1" {
                    Status::Valid
                } else {
                    Status::Header
                };
                (r.key(), r.field(5), status)
            }
            _ => {
                let r = src.hcpcs.row(row as usize);
                let status = if r.field(5).is_empty() {
                    Status::Valid
                } else {
                    Status::Retired
                };
                (r.key(), r.field(2), status)
            }
        };
        let mut ranked: Vec<(f32, System, u32, u32, &str, Status)> = by_code
            .into_iter()
            .map(|((system, row), (score, note))| {
                let (code, _, status) = key(system, row);
                (score, system, row, note, code, status)
            })
            .collect();
        let order = |a: &(f32, System, u32, u32, &str, Status),
                     b: &(f32, System, u32, u32, &str, Status)| {
            b.0.total_cmp(&a.0)
                .then((a.5 == Status::Retired).cmp(&(b.5 == Status::Retired)))
                .then(a.4.len().cmp(&b.4.len()))
                .then(a.4.cmp(b.4))
        };
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, order);
        }
        ranked.truncate(limit);
        ranked.sort_by(order);
        ranked
            .into_iter()
            .map(|(score, system, row, note, code, status)| {
                let (_, title, _) = key(system, row);
                let matched = if note == u32::MAX {
                    title
                } else {
                    src.notes.row(note as usize).field(2)
                };
                SearchHit {
                    code: code.to_string(),
                    system,
                    title: title.to_string(),
                    status,
                    matched: matched.to_string(),
                    score,
                }
            })
            .collect()
    }
}

/// True when `a` and `b` differ by at most one insertion, deletion or substitution of a
/// character, or by two neighbouring characters swapped ("fracutre").
fn within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[common..], &b[common..]);
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            a.len() <= 1
                || a[1..] == b[1..]
                || (a.len() >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..])
        }
        std::cmp::Ordering::Less => a == &b[1..],
        std::cmp::Ordering::Greater => &a[1..] == b,
    }
}

/// True when the start of `word` is within one edit of `query` (the word being typed:
/// "diabtes" for "diabetes…").
fn prefix_within_one_edit<T: PartialEq>(query: &[T], word: &[T]) -> bool {
    (query.len().saturating_sub(1)..=query.len() + 1)
        .filter(|&n| n < word.len())
        .any(|n| within_one_edit(query, &word[..n]))
}

#[cfg(test)]
mod tests {
    use super::{prefix_within_one_edit, within_one_edit};

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn one_edit() {
        let edit = |a: &str, b: &str| within_one_edit(&chars(a), &chars(b));
        assert!(edit("diabetis", "diabetes"));
        assert!(edit("asthma", "astma"));
        assert!(edit("fracutre", "fracture"));
        assert!(edit("boutonniere", "boutonnière"));
        assert!(edit("menire", "ménire"));
        assert!(!edit("asthma", "stoma"));
        assert!(!edit("abcd", "dcba"));
    }

    #[test]
    fn one_edit_of_a_prefix() {
        let prefix = |q: &str, w: &str| prefix_within_one_edit(&chars(q), &chars(w));
        assert!(prefix("diabte", "diabetes"));
        assert!(prefix("boutonnie", "boutonnière"));
        assert!(prefix("sjögr", "sjögren"));
        assert!(!prefix("zzzzz", "sjögren"));
    }
}

#[cfg(test)]
mod data_tests {
    use super::*;

    /// What the binary loads is what its tables make: `data/search.idx.zst` is rebuilt with
    /// the tables it indexes.
    #[test]
    fn the_embedded_search_index_is_the_one_the_embedded_tables_make() {
        let sets = CodeSets::embedded();
        let built = Index::build(&sets);
        let bytes = EMBEDDED.to_vec();
        // It is read in place without checking each index; here every index is checked.
        let checked = Index::unpack(bytes.clone(), &sets).expect("data/search.idx.zst reads");
        let embedded = Index::for_sets(&sets);
        assert!(embedded.prebuilt && !built.prebuilt && checked.prebuilt);
        assert!(embedded.heap_bytes() == 0, "read in place");
        assert!(
            built.pack() == bytes,
            "data/search.idx.zst is stale: run `dxpx data build --from ../shared/sources --out data`"
        );
        assert_eq!(
            embedded.search(&sets, "type 2 diab", 5),
            built.search(&sets, "type 2 diab", 5)
        );
        for cut in [0, 8, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                Index::unpack(bytes[..cut].to_vec(), &sets).is_err(),
                "cut at {cut}"
            );
        }
        // A posting naming a phrase past the last is caught when read.
        let mut bad = bytes.clone();
        let n = bad.len();
        // The last section is the posting ends; the one before, the postings.
        let ends = embedded.posting_ends.len() * 4;
        bad[n - ends - 4..n - ends].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Index::unpack(bad, &sets).is_err());
    }
}
