//! Words that name a condition but not, in context, the patient's: a place ("the cancer
//! center"), a season ("the fall of 2007"), one event ("after a fall"), a test ("stress
//! nuclear study"), a normal exam finding ("well-healed scar"). The list is data,
//! `data/not-conditions.tsv`, each line with its reason.

use super::words::Word;
use std::sync::OnceLock;

const LIST: &str = include_str!("../../data/not-conditions.tsv");

/// The words a column allows next to the phrase.
enum Next {
    Any,
    Listed { words: Vec<String>, number: bool },
}

impl Next {
    fn parse(column: &str) -> Next {
        if column == "*" {
            return Next::Any;
        }
        let words: Vec<String> = column.split('|').map(str::to_string).collect();
        let number = words.iter().any(|w| w == "#");
        Next::Listed { words, number }
    }

    fn allows(&self, word: Option<&str>) -> bool {
        match (self, word) {
            (Next::Any, _) => true,
            (Next::Listed { .. }, None) => false,
            (Next::Listed { words, number }, Some(w)) => {
                (*number && w.bytes().all(|b| b.is_ascii_digit()))
                    || words.iter().any(|x| x.eq_ignore_ascii_case(w))
            }
        }
    }
}

struct Line {
    kind: String,
    before: Next,
    /// The vocabulary phrase, or `None` for any.
    phrase: Option<String>,
    after: Next,
}

struct List {
    lines: Vec<Line>,
    /// Lines that do not have the five columns (a data error; a test keeps it empty).
    #[cfg_attr(not(test), allow(dead_code))]
    malformed: Vec<String>,
}

fn list() -> &'static List {
    static LIST_CELL: OnceLock<List> = OnceLock::new();
    LIST_CELL.get_or_init(|| {
        let mut lines = Vec::new();
        let mut malformed = Vec::new();
        for raw in LIST.lines() {
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let columns: Vec<&str> = raw.split('\t').collect();
            let [kind, before, phrase, after, why] = columns[..] else {
                malformed.push(raw.to_string());
                continue;
            };
            if why.trim().is_empty() {
                malformed.push(raw.to_string());
                continue;
            }
            lines.push(Line {
                kind: kind.to_string(),
                before: Next::parse(before),
                phrase: (phrase != "*").then(|| phrase.to_string()),
                after: Next::parse(after),
            });
        }
        List { lines, malformed }
    })
}

/// The kind of non-condition (`place`, `season`, …) the phrase at words `first..=last` is in
/// its context, if any.
pub fn kind(
    text: &str,
    ws: &[Word],
    first: usize,
    last: usize,
    phrase: &str,
) -> Option<&'static str> {
    let word = |i: usize| &text[ws[i].start..ws[i].end];
    let before = (first > 0 && !ws[first].breaks).then(|| word(first - 1));
    let after = ws
        .get(last + 1)
        .filter(|w| !w.breaks)
        .map(|_| word(last + 1));
    list()
        .lines
        .iter()
        .find(|l| {
            l.phrase.as_deref().is_none_or(|p| p == phrase)
                && l.before.allows(before)
                && l.after.allows(after)
        })
        .map(|l| l.kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hints::words::split;

    #[test]
    fn every_line_has_its_columns_and_reason() {
        assert!(list().malformed.is_empty(), "{:#?}", list().malformed);
        assert!(list().lines.len() >= 5);
    }

    #[test]
    fn reads_the_words_around_a_phrase() {
        let at = |text: &str, phrase: &str, written: &str| {
            let ws = split(text);
            let i = ws
                .iter()
                .position(|w| text[w.start..w.end].eq_ignore_ascii_case(written))
                .unwrap();
            kind(text, &ws, i, i, phrase)
        };
        assert_eq!(
            at("Seen at the cancer center.", "cancer", "cancer"),
            Some("place")
        );
        assert_eq!(at("In the fall of 2007.", "fall", "fall"), Some("season"));
        assert_eq!(at("Injured after a fall.", "fall", "fall"), Some("event"));
        assert_eq!(
            at("A stress nuclear study.", "stress", "stress"),
            Some("test")
        );
        assert_eq!(at("A well-healed scar.", "scar", "scar"), Some("exam"));
        assert_eq!(at("Recurrent falls at home.", "fall", "falls"), None);
        assert_eq!(
            at(
                "Metastatic cancer. Center of the lesion.",
                "cancer",
                "cancer"
            ),
            None
        );
    }
}
