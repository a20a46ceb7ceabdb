//! Words as the documentation hints see them: ASCII letters and digits, lower case, with
//! roman numerals of disease types written as digits ("type II" is "type 2").

/// A word of a text: its byte range, and whether a sentence ends before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    /// A sentence boundary (`.`, `;`, `!`, `?` or a line break) lies between this word and
    /// the one before.
    pub breaks: bool,
}

/// The words of `text`, in order.
pub fn split(text: &str) -> Vec<Word> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut breaks = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(Word {
                start,
                end: i,
                breaks,
            });
            breaks = false;
            continue;
        }
        // A period between digits is a decimal point or a code ("2.5", "E11.9").
        let decimal = b == b'.'
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if matches!(b, b'.' | b';' | b'!' | b'?' | b'\n' | b'\r') && !decimal {
            breaks = true;
        }
        i += 1;
    }
    out
}

/// The normal form of one word.
pub fn normal(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "ii" => "2".into(),
        "iii" => "3".into(),
        "iv" => "4".into(),
        _ => lower,
    }
}

/// The normal words of a phrase (titles, terms), ignoring punctuation.
pub fn phrase(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(normal)
        .collect()
}

/// The form a word is compared in: its stem, then the one word of an equivalent pair that
/// `data/synonyms.tsv` names (`=renal kidney`, tab-separated: "renal mass" and "mass of kidney" meet).
pub fn key(word: &str) -> String {
    canonical(stem(&normal(word))).to_string()
}

/// The canonical word of a stem (itself unless `data/synonyms.tsv` pairs it with another).
pub fn canonical(word: &str) -> &str {
    let pairs = equivalences();
    pairs
        .binary_search_by(|(from, _)| from.as_str().cmp(word))
        .map_or(word, |i| pairs[i].1.as_str())
}

/// The `=` pairs of `data/synonyms.tsv` as stems, sorted: a few dozen, asked for many words,
/// so a sorted list is searched faster than a hash is computed.
pub fn equivalences() -> &'static [(String, String)] {
    static EQUIVALENT: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    EQUIVALENT.get_or_init(|| {
        let mut pairs: Vec<(String, String)> = super::vocabulary::SYNONYMS
            .lines()
            .filter_map(|l| l.strip_prefix('='))
            .filter_map(|l| l.split_once('\t'))
            .map(|(from, to)| {
                (
                    stem(&normal(from)).to_string(),
                    stem(&normal(to.trim())).to_string(),
                )
            })
            .collect();
        pairs.sort();
        pairs
    })
}

/// A word's stem for comparing a title's words with a note's: plural endings off.
pub fn stem(word: &str) -> &str {
    let latin = ["ss", "us", "is"].iter().any(|e| word.ends_with(e));
    if word.len() > 3 && word.ends_with('s') && !latin {
        &word[..word.len() - 1]
    } else {
        word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_and_sentences_but_not_codes_or_decimals() {
        let text = "Type II DM, E11.9; denies pain.\nDose 2.5 mg";
        let words: Vec<(&str, bool)> = split(text)
            .iter()
            .map(|w| (&text[w.start..w.end], w.breaks))
            .collect();
        assert_eq!(
            words,
            [
                ("Type", true),
                ("II", false),
                ("DM", false),
                ("E11", false),
                ("9", false),
                ("denies", true),
                ("pain", false),
                ("Dose", true),
                ("2", false),
                ("5", false),
                ("mg", false)
            ]
        );
        assert_eq!(
            phrase("Type II diabetes (mellitus)"),
            ["type", "2", "diabetes", "mellitus"]
        );
        assert_eq!(stem("fractures"), "fracture");
        assert_eq!(stem("abscess"), "abscess");
        assert_eq!(stem("mellitus"), "mellitus");
        assert_eq!(stem("arthritis"), "arthritis");
    }
}
