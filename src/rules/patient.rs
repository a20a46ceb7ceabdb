//! The patient a document states, as far as the code edits need: the birth date, or the age
//! at the visit, with the place it is written. Claims carry it in fields (X12 `DMG`, a FHIR
//! `Patient.birthDate`, HL7 `PID-7`); a note in words (`DOB: 03/02/1950`, `a 72-year-old
//! man`, `Age: 4 months`). Sex is not read: the Medicare Code Editor's sex edits ended with
//! FY2024 (every `male`/`female` flag of MCE v44 closes on 2024-09-30).

use super::scope::parse_date;
use crate::codes::history::Day;
use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stated {
    Born(Day),
    /// Whole years of age at the visit, as a note says it (a 4-month-old is 0).
    Age(u32),
}

/// The patient's age facts and where the document states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patient {
    pub stated: Stated,
    pub start: usize,
    pub end: usize,
}

impl Patient {
    /// Whole years of age on `day`; `None` when the birth date comes after it.
    pub fn age_on(&self, day: Day) -> Option<u32> {
        match self.stated {
            Stated::Age(years) => Some(years),
            Stated::Born(born) => day.years_since(born),
        }
    }

    /// The same statement, `by` bytes further on (from a note's offsets to its file's).
    pub fn moved(self, by: usize) -> Patient {
        Patient {
            start: self.start + by,
            end: self.end + by,
            ..self
        }
    }

    /// "76 on 2026-11-02 (born 1950-03-02)", "72 (as the document states)".
    pub fn describe(&self, day: Day) -> String {
        match (self.stated, self.age_on(day)) {
            (Stated::Born(born), Some(age)) => format!("{age} on {day} (born {born})"),
            (Stated::Born(born), None) => format!("born {born}, after the visit of {day}"),
            (Stated::Age(age), _) => format!("{age} (as the document states)"),
        }
    }
}

/// A birth date in a claim's field: `19500302` (X12 D8, HL7 TS, which may carry a time after
/// the date) or `1950-03-02` (FHIR).
pub fn born_in_field(value: &str, start: usize, end: usize) -> Option<Patient> {
    let v = value.trim();
    let day = Day::parse(v.get(..10).unwrap_or(v)).or_else(|| Day::parse(v.get(..8)?))?;
    Some(Patient {
        stated: Stated::Born(day),
        start,
        end,
    })
}

/// The patient a note states: its first birth date, else its first age said of the patient
/// (not of a son or a sister, not an age at which something happened). `reference` is the day
/// a two-digit birth year is read against (`3/2/50` is 1950 on a 2026 visit).
pub fn in_note(text: &str, reference: Day) -> Option<Patient> {
    birth_date(text, reference).or_else(|| stated_age(text))
}

const BIRTH_LABELS: &[&str] = &["dob", "d.o.b", "date of birth", "birth date", "birthdate"];

fn birth_labels() -> &'static AhoCorasick {
    static LABELS: OnceLock<AhoCorasick> = OnceLock::new();
    LABELS.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(BIRTH_LABELS)
            .expect("fixed patterns")
    })
}

fn birth_date(text: &str, reference: Day) -> Option<Patient> {
    let b = text.as_bytes();
    for hit in birth_labels().find_iter(text) {
        // A label is a word of its own: not the "dob" of "adobe".
        if hit.start() > 0 && b[hit.start() - 1].is_ascii_alphabetic()
            || b.get(hit.end()).is_some_and(u8::is_ascii_alphabetic)
        {
            continue;
        }
        let line_end = memchr::memchr(b'\n', &b[hit.end()..]).map_or(b.len(), |k| hit.end() + k);
        // The date follows the label closely: `DOB: 03/02/1950`, `Date of birth 1950-03-02`.
        let window_end = line_end.min(hit.end() + 24);
        let mut at = hit.end();
        while at < window_end {
            let word_end = b[at..window_end]
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b',' || *c == b';')
                .map_or(window_end, |k| at + k);
            let Some(word) = text.get(at..word_end) else {
                break;
            };
            let trimmed = word.trim_matches(|c: char| !c.is_ascii_digit());
            if let Some(day) = parse_date(trimmed).as_deref().and_then(Day::parse) {
                let two_digit_year = trimmed.len() < 10
                    && trimmed
                        .rsplit(['/', '-', '.'])
                        .next()
                        .is_some_and(|y| y.len() == 2);
                let day = match two_digit_year && day > reference {
                    true => Day::new(day.year() - 100, day.month(), day.day_of_month())?,
                    false => day,
                };
                let lead = word.find(trimmed).unwrap_or(0);
                return Some(Patient {
                    stated: Stated::Born(day),
                    start: hit.start(),
                    end: at + lead + trimmed.len(),
                });
            }
            at = word_end + 1;
        }
    }
    None
}

/// Words that say an age belongs to someone else: `her 5-year-old son`, `a 3-year-old sister`.
const OTHERS_BEFORE: &[&str] = &["his", "her", "their", "my", "your", "whose", "our"];
const OTHERS_AFTER: &[&str] = &[
    "son",
    "daughter",
    "child",
    "children",
    "kid",
    "kids",
    "brother",
    "sister",
    "sibling",
    "grandson",
    "granddaughter",
    "grandchild",
    "niece",
    "nephew",
    "husband",
    "wife",
    "mother",
    "father",
    "partner",
    "boyfriend",
    "girlfriend",
    "friend",
    "cousin",
    "twin",
    "mom",
    "mum",
    "dad",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "spouse",
];
/// Words before `age N` that make it the age at which something happened.
const AT_AGE: &[&str] = &[
    "at",
    "since",
    "by",
    "from",
    "until",
    "till",
    "before",
    "after",
    "gestational",
    "of",
    "to",
    "bone",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Years,
    Months,
    Weeks,
    Days,
}

impl Unit {
    fn of(word: &str) -> Option<Unit> {
        Some(match word {
            "year" | "years" | "yr" | "yrs" | "y" => Unit::Years,
            "month" | "months" | "mo" | "mos" => Unit::Months,
            "week" | "weeks" | "wk" | "wks" => Unit::Weeks,
            "day" | "days" => Unit::Days,
            _ => return None,
        })
    }

    fn years(self, n: u32) -> u32 {
        match self {
            Unit::Years => n,
            Unit::Months => n / 12,
            Unit::Weeks => n / 52,
            Unit::Days => n / 365,
        }
    }
}

/// The lower-case ASCII words of `text[from..to]`, each with its start, letters, digits and
/// `/` and `.` kept inside a word (`y/o`, `y.o.`).
fn words(text: &str, from: usize, to: usize) -> Vec<(usize, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        while i < to && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'/' | b'.' | b'\'')) {
            i += 1;
        }
        let w = text[s..i].trim_end_matches(['.', '/']).to_ascii_lowercase();
        out.push((s, w));
    }
    out
}

/// The part of a line around a byte, at most `back` bytes before it and `ahead` after, cut
/// at `;`.
fn clause(text: &str, at: usize, back: usize, ahead: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut s = at;
    while s > 0 && at - s < back && !matches!(b[s - 1], b'\n' | b';') {
        s -= 1;
    }
    let mut e = at;
    while e < b.len() && e - at < ahead && !matches!(b[e], b'\n' | b';') {
        e += 1;
    }
    while !text.is_char_boundary(s) {
        s += 1;
    }
    while !text.is_char_boundary(e) {
        e -= 1;
    }
    (s, e)
}

fn stated_age(text: &str) -> Option<Patient> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        // A number of its own: not a part of `E11.9`, `3/4`, `x2` or `1.5`.
        let glued = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b',');
        if i - start > 3 || start > 0 && glued(b[start - 1]) {
            continue;
        }
        // Most numbers are doses, values and dates: the words around a number are read only
        // when an age's unit follows it (`72-year-old`, `72 yo`) or `age` comes before.
        let phrase = age_phrase(b, i);
        if phrase.is_none() && !after_age_word(b, start) {
            continue;
        }
        let Ok(n) = text[start..i].parse::<u32>() else {
            continue;
        };
        let (from, to) = clause(text, start, 60, 40);
        let after = words(text, i, to);
        let before = words(text, from, start);
        if let Some((unit, end)) = phrase {
            let hyphenated = b.get(i) == Some(&b'-');
            let person_next = after
                .iter()
                .filter(|(s, _)| *s >= end)
                .take(3)
                .any(|(_, w)| PERSONS.contains(&w.as_str()));
            // "The procedure is 3 weeks old": a thing's age, unless said of a person.
            if unit != Unit::Years && !hyphenated && !person_next {
                continue;
            }
            let sentence = sentence_start(b, start);
            let own: Vec<(usize, String)> = before
                .iter()
                .filter(|(s, _)| *s >= sentence)
                .cloned()
                .collect();
            if !others_age(&own, &after, end) {
                // "2-year, 10-month-old": the years said first.
                let years = match before.as_slice() {
                    [.., (_, n), (_, y)]
                        if unit != Unit::Years && Unit::of(y) == Some(Unit::Years) =>
                    {
                        n.parse().unwrap_or(0)
                    }
                    _ => unit.years(n),
                };
                if years <= 124 {
                    return Some(Patient {
                        stated: Stated::Age(years),
                        start,
                        end,
                    });
                }
            }
            continue;
        }
        // `Age: 72`, `Patient age 72`, `aged 72`, `Age: 6 months`; not `at age 40` or `around
        // age 50`, the age at which something happened.
        let mut back = before.iter().rev();
        let Some((s, w)) = back.next() else { continue };
        let previous = back.next().map(|(_, w)| w.as_str());
        let label = match w.as_str() {
            "age" => line_starts_before(b, *s) || matches!(previous, Some("patient" | "patient's")),
            "aged" => !previous.is_some_and(|p| AT_AGE.contains(&p)),
            _ => false,
        };
        if label {
            let unit = after
                .first()
                .filter(|(s, _)| text[i..*s].trim().is_empty())
                .and_then(|(_, w)| Unit::of(w));
            let years = unit.unwrap_or(Unit::Years).years(n);
            if years <= 124 {
                return Some(Patient {
                    stated: Stated::Age(years),
                    start: *s,
                    end: i,
                });
            }
        }
    }
    None
}

/// Words that name the patient right after an age: `a 72-year-old man`, `a 9-month-old
/// infant`.
const PERSONS: &[&str] = &[
    "man",
    "woman",
    "male",
    "female",
    "gentleman",
    "lady",
    "boy",
    "girl",
    "patient",
    "infant",
    "baby",
    "child",
    "toddler",
    "adolescent",
    "teenager",
    "newborn",
    "neonate",
    "person",
];

/// Whether an age is someone else's: a possessive or a relative just before it (`her
/// 5-year-old`, `2 sons, ages 5 and 17 years old`), or a relative named after it before any
/// word for the patient (`a 3-year-old sister`, `22-year-old A-positive mom`).
fn others_age(before: &[(usize, String)], after: &[(usize, String)], end: usize) -> bool {
    let relative =
        |w: &str| OTHERS_AFTER.contains(&w) || OTHERS_AFTER.contains(&w.trim_end_matches('s'));
    let before_says = before.iter().rev().take(4).any(|(_, w)| {
        OTHERS_BEFORE.contains(&w.as_str())
            || relative(w)
            || w.ends_with("'s") && !w.starts_with("patient")
    });
    let after_says = after
        .iter()
        .filter(|(s, _)| *s >= end)
        .take(3)
        .take_while(|(_, w)| !PERSONS.contains(&w.as_str()))
        .any(|(_, w)| relative(w));
    before_says || after_says
}

/// Where the sentence holding `at` starts: after a `:`, `)` or a full stop (not the one of
/// `Mr.`, `Dr.`).
fn sentence_start(b: &[u8], at: usize) -> usize {
    let mut k = at;
    while k > 0 {
        match b[k - 1] {
            b':' | b')' | b'\n' => return k,
            b'.' if b.get(k).is_some_and(u8::is_ascii_whitespace) => {
                let word = b[..k - 1]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                if word > 3 || word == 0 {
                    return k;
                }
            }
            _ => {}
        }
        k -= 1;
    }
    0
}

/// Whether only spaces or a field separator (`,`, `|`, `;`, `(`) come between the line's
/// start and `at`: where a label begins.
fn line_starts_before(b: &[u8], at: usize) -> bool {
    let mut k = at;
    while k > 0 && matches!(b[k - 1], b' ' | b'\t') {
        k -= 1;
    }
    k == 0 || matches!(b[k - 1], b'\n' | b'\r' | b',' | b'|' | b';' | b'(')
}

/// Whether `age` or `aged` (with a colon, spaces) comes just before `at`.
fn after_age_word(b: &[u8], at: usize) -> bool {
    let mut k = at;
    while k > 0 && matches!(b[k - 1], b' ' | b':' | b'\t') {
        k -= 1;
    }
    let ends_with =
        |word: &[u8]| k >= word.len() && b[k - word.len()..k].eq_ignore_ascii_case(word);
    k < at && (ends_with(b"age") || ends_with(b"aged"))
}

/// The word of ASCII letters (with `/` and `.` inside, as in `y/o`) at `at`, and its end.
fn word_at(b: &[u8], at: usize) -> (&[u8], usize) {
    let mut e = at;
    while e < b.len() && (b[e].is_ascii_alphabetic() || (e > at && matches!(b[e], b'/' | b'.'))) {
        e += 1;
    }
    let mut w = &b[at..e];
    while let [rest @ .., b'.' | b'/'] = w {
        w = rest;
    }
    (w, at + w.len())
}

/// After a number ending at `at`: `-year-old`, ` years old`, ` years of age`, `yo`, ` y/o`,
/// `-month-old`: the unit of the age and where the phrase ends. Read in place: this runs for
/// every number of a note.
fn age_phrase(b: &[u8], at: usize) -> Option<(Unit, usize)> {
    let unit_at = match b.get(at)? {
        b' ' | b'-' => at + 1,
        _ => at,
    };
    let (unit, unit_end) = word_at(b, unit_at);
    if unit.is_empty() || unit.len() > 6 {
        return None;
    }
    let lower = unit.to_ascii_lowercase();
    if matches!(lower.as_slice(), b"yo" | b"y/o" | b"y.o" | b"yrs/o") {
        return Some((Unit::Years, unit_end));
    }
    let unit = Unit::of(std::str::from_utf8(&lower).ok()?)?;
    let next_at = match b.get(unit_end)? {
        b' ' | b'-' => unit_end + 1,
        _ => return None,
    };
    let (next, next_end) = word_at(b, next_at);
    if next.eq_ignore_ascii_case(b"old") {
        return Some((unit, next_end));
    }
    if next.eq_ignore_ascii_case(b"of") && b.get(next_end) == Some(&b' ') {
        let (age, age_end) = word_at(b, next_end + 1);
        if age.eq_ignore_ascii_case(b"age") {
            return Some((unit, age_end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(text: &str) -> Option<u32> {
        let day = Day::new(2026, 11, 2).unwrap();
        in_note(text, day).and_then(|p| p.age_on(day))
    }

    #[test]
    fn a_notes_patient_by_birth_date_or_stated_age() {
        assert_eq!(age("Name: X\nDOB: 03/02/1950\nA 40-year-old man"), Some(76));
        assert_eq!(age("D.O.B. 1950-11-03"), Some(75));
        assert_eq!(age("Date of birth: 11/2/50"), Some(76));
        assert_eq!(
            age("The patient is a 72-year-old woman with COPD."),
            Some(72)
        );
        assert_eq!(age("72 yo M with chest pain"), Some(72));
        assert_eq!(age("This 45 y/o presents"), Some(45));
        assert_eq!(age("He is 58 years of age."), Some(58));
        assert_eq!(age("A 4-month-old infant"), Some(0));
        assert_eq!(age("3 day old male newborn"), Some(0));
        assert_eq!(age("Age: 34"), Some(34));
        assert_eq!(age("Age: 18 months"), Some(1));
    }

    #[test]
    fn ages_of_others_and_ages_at_events_are_not_the_patients() {
        assert_eq!(age("Lives with her 5-year-old son."), None);
        assert_eq!(age("Brought by a 3-year-old sister"), None);
        assert_eq!(age("Diagnosed with diabetes at age 40."), None);
        assert_eq!(age("Gestational age 32 weeks"), None);
        assert_eq!(age("Mother's 30-year-old friend"), None);
        assert_eq!(age("E11.9 x 2 years"), None);
        assert_eq!(age("adobe: 1/2/2020"), None);
        assert_eq!(age("An uncle developed leukemia around age 50."), None);
        assert_eq!(age("the procedure is only 3 weeks old, he says"), None);
        assert_eq!(age("Married with 2 sons, ages 5 and 17 years old."), None);
        assert_eq!(age("delivered to 22-year-old A-positive mom"), None);
        assert_eq!(age("A 45-year-old man whose wife drove him"), Some(45));
        assert_eq!(age("This 2-year, 10-month-old male"), Some(2));
        assert_eq!(age("This 21 month old male presented"), Some(1));
        assert_eq!(age("Name: X, Age: 61"), Some(61));
        assert_eq!(age("A man aged 80"), Some(80));
        assert_eq!(age("(history from boyfriend): This 31 y/o woman"), Some(31));
        assert_eq!(age("Mr. Abc, a 54-year-old married male"), Some(54));
        // The patient's own age comes first; a relative's later is not read.
        assert_eq!(age("A 67-year-old man. His 40-year-old daughter"), Some(67));
    }

    #[test]
    fn a_birth_date_after_the_visit_says_so() {
        let p = born_in_field("20270101", 0, 8).unwrap();
        let day = Day::new(2026, 11, 2).unwrap();
        assert_eq!(p.age_on(day), None);
        assert_eq!(
            born_in_field("1950-03-02", 0, 10).unwrap().age_on(day),
            Some(76)
        );
        assert_eq!(
            born_in_field("195003021200", 0, 12).unwrap().age_on(day),
            Some(76)
        );
        assert!(born_in_field("19501302", 0, 8).is_none());
    }
}
