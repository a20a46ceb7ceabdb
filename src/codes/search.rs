//! Word search over ICD-10-CM titles and inclusion terms and HCPCS descriptions.
//!
//! Every title or term is a phrase; a query matches a phrase when each query word matches
//! one of its words exactly, as a prefix ("diab"), or with one typo ("diabetis"). Phrases
//! that the query covers more completely rank higher, so "asthma" prefers "Asthma NOS"
//! to "Mild intermittent asthma, uncomplicated".

use super::table::Table;
use super::{CodeSets, Status, System};
use std::collections::HashMap;

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

pub struct Index {
    /// (system, row in that system's table, row in the notes table or u32::MAX for the title)
    phrases: Vec<(System, u32, u32)>,
    /// The weight of each phrase's words (coverage denominator).
    weight: Vec<f32>,
    words: Vec<String>,
    postings: Vec<Vec<u32>>,
}

fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.as_str() {
                "ii" => "2".to_string(),
                "iii" => "3".to_string(),
                _ => w,
            }
        })
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
            for tok in tokens(text) {
                w += word_weight(&tok);
                let next = word_ids.len() as u32;
                let wid = *word_ids.entry(tok).or_insert(next);
                if wid as usize == postings.len() {
                    postings.push(Vec::new());
                }
                if !seen.contains(&wid) {
                    seen.push(wid);
                    postings[wid as usize].push(id);
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
            if row.field(1) != "inclusionTerm" {
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
        let postings_sorted = words
            .iter()
            .map(|(_, id)| std::mem::take(&mut postings[*id as usize]))
            .collect();
        Index {
            phrases,
            weight,
            words: words.into_iter().map(|(w, _)| w).collect(),
            postings: postings_sorted,
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.phrases.capacity() * 12
            + self.weight.capacity() * 4
            + self.words.iter().map(|w| w.capacity() + 24).sum::<usize>()
            + self
                .postings
                .iter()
                .map(|p| p.capacity() * 4 + 24)
                .sum::<usize>()
    }

    /// Vocabulary words matching one query word, with how well they match.
    fn matches(&self, q: &str, last: bool) -> Vec<(usize, f32)> {
        let mut out = Vec::new();
        let start = self.words.partition_point(|w| w.as_str() < q);
        if self.words.get(start).is_some_and(|w| w == q) {
            out.push((start, 1.0));
        }
        let prefix_ok = q.chars().count() >= 3 || (last && !q.is_empty());
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
            for (i, w) in self.words.iter().enumerate() {
                if within_one_edit(q, w)
                    || (last && w.len() > q.len() && within_one_edit(q, &w[..q.len().min(w.len())]))
                {
                    out.push((i, 0.6));
                }
            }
        }
        out
    }

    pub(crate) fn search(&self, sets: &CodeSets, query: &str, limit: usize) -> Vec<SearchHit> {
        let src = sets.search_sources();
        let query: Vec<String> = tokens(query)
            .filter(|t| !STOP.contains(&t.as_str()))
            .collect();
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
                let total = m.iter().map(|(w, _)| self.postings[*w].len()).sum();
                (m, total)
            })
            .collect();
        words.sort_by_key(|w| w.1);
        let quality = |w: usize, q: f32| q * word_weight(&self.words[w]).max(0.3);
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for &(w, q) in &words[0].0 {
            for &p in &self.postings[w] {
                let e = scores.entry(p).or_insert(0.0);
                *e = e.max(quality(w, q));
            }
        }
        for (matched, _) in &words[1..] {
            scores.retain(|p, sum| {
                let best = matched
                    .iter()
                    .filter(|(w, _)| self.postings[*w].binary_search(p).is_ok())
                    .map(|&(w, q)| quality(w, q))
                    .fold(0.0, f32::max);
                *sum += best;
                best > 0.0
            });
        }
        let mut by_code: HashMap<(System, u32), (f32, u32)> = HashMap::new();
        for (p, sum) in scores {
            let (system, row, note) = self.phrases[p as usize];
            let mut score = sum / self.weight[p as usize].max(sum);
            let billable = match system {
                System::Icd10Cm => src.icd10cm.row(row as usize).field(2) == "1",
                _ => src.hcpcs.row(row as usize).field(5).is_empty(),
            };
            if !billable {
                score *= 0.85;
            }
            let e = by_code.entry((system, row)).or_insert((0.0, note));
            if score > e.0 {
                *e = (score, note);
            }
        }
        let mut hits: Vec<SearchHit> = by_code
            .into_iter()
            .map(|((system, row), (score, note))| {
                let (code, title, status) = match system {
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
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((a.status == Status::Retired).cmp(&(b.status == Status::Retired)))
                .then(a.code.len().cmp(&b.code.len()))
                .then(a.code.cmp(&b.code))
        });
        hits.truncate(limit);
        hits
    }
}

/// True when `a` and `b` differ by at most one insertion, deletion or substitution.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

#[cfg(test)]
mod tests {
    use super::within_one_edit;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("diabetis", "diabetes"));
        assert!(within_one_edit("asthma", "astma"));
        assert!(!within_one_edit("asthma", "stoma"));
    }
}
