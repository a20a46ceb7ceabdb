//! Code-shaped tokens: runs of ASCII letters and digits with at most one inner dot,
//! holding at least one digit, that are not part of a date, a time, a ratio, a decimal
//! chain, a hyphenated range or an identifier.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// A unit follows (`250.00 mg/dL`, `36.8 C`): a measurement, not a code.
    pub unit_follows: bool,
    /// Joined to what follows by a hyphen (`99213-25`, `T12-L1`, `12345-6789`).
    pub number_context: bool,
}

const UNITS: &[&str] = &[
    "mg", "mcg", "g", "gm", "gram", "grams", "kg", "ml", "cc", "l", "dl", "mmol", "meq", "mmhg",
    "cm", "mm", "in", "inch", "inches", "unit", "units", "u", "iu", "bpm", "lb", "lbs", "oz", "f",
    "c", "hr", "hrs", "hour", "hours", "day", "days", "week", "weeks", "wk", "month", "months",
    "year", "years", "yr", "yrs", "min", "mins", "minute", "minutes", "sec", "seconds", "times",
    "am", "pm", "percent", "mph", "ng", "pg", "fl", "mosm", "kcal", "cal", "ft", "feet", "m",
    "mcl", "ul", "mgdl", "x",
];

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Tokens whose first byte lies in `text[start..end]`.
pub fn tokens(text: &str, start: usize, end: usize) -> impl Iterator<Item = Token> + '_ {
    let bytes = text.as_bytes();
    let mut i = start;
    std::iter::from_fn(move || {
        while i < end {
            if !is_alnum(bytes[i]) {
                i += 1;
                continue;
            }
            // Every token holds a digit: jump to the next one and back up to the start of
            // its run of letters, digits and inner dots, which is where a byte-by-byte walk
            // would have started the token.
            if !bytes[i].is_ascii_digit() {
                let Some(p) = next_digit(bytes, i, end) else {
                    i = end;
                    continue;
                };
                let mut q = p;
                while q > i
                    && (is_alnum(bytes[q - 1])
                        || bytes[q - 1] == b'.' && q - 1 > i && is_alnum(bytes[q - 2]))
                {
                    q -= 1;
                }
                if q > i && !is_alnum(bytes[q]) {
                    q += 1;
                }
                if q != i {
                    i = q;
                    continue;
                }
            }
            let s = i;
            let mut j = i;
            let mut has_digit = false;
            while j < bytes.len() && is_alnum(bytes[j]) {
                has_digit |= bytes[j].is_ascii_digit();
                j += 1;
            }
            let mut e = j;
            let mut chained = false;
            if j + 1 < bytes.len() && bytes[j] == b'.' && is_alnum(bytes[j + 1]) {
                let mut k = j + 1;
                while k < bytes.len() && is_alnum(bytes[k]) {
                    has_digit |= bytes[k].is_ascii_digit();
                    k += 1;
                }
                e = k;
                // A second inner dot: a version, a date or an abbreviation ("1.2.3", "e.g.x").
                if k + 1 < bytes.len() && bytes[k] == b'.' && is_alnum(bytes[k + 1]) {
                    chained = true;
                    while k < bytes.len()
                        && (is_alnum(bytes[k])
                            || bytes[k] == b'.' && k + 1 < bytes.len() && is_alnum(bytes[k + 1]))
                    {
                        k += 1;
                    }
                    e = k;
                }
            }
            i = e;
            let len = e - s;
            if chained || !has_digit || !(3..=8).contains(&len) {
                continue;
            }
            // A slash joins codes in a list ("N40.0/F32.A/G47.00") as it joins the parts of
            // a date or a ratio elsewhere.
            let listed = || in_slash_list(bytes, s, e);
            if bad_before(bytes, s) && !(bytes[s - 1] == b'/' && listed())
                || bad_after(bytes, e) && !(bytes[e] == b'/' && listed())
            {
                continue;
            }
            let number_context =
                bytes.get(e) == Some(&b'-') && bytes.get(e + 1).is_some_and(|&b| is_alnum(b));
            return Some(Token {
                start: s,
                end: e,
                // A count after a five-character code is how many were done ("99239 times
                // one", "J1100 x 3"), not a unit of a measurement.
                unit_follows: unit_follows(bytes, e) && !(e - s == 5 && count_follows(bytes, e)),
                number_context,
            });
        }
        None
    })
}

/// The first ASCII digit in `bytes[from..end]`, or, when the digit-free stretch runs to
/// `end`, the first digit of a token that starts before `end` and continues past it.
fn next_digit(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    const CHUNK: usize = 32;
    let mut i = from;
    // Whole chunks without a digit are skipped with a check the compiler vectorises.
    while i + CHUNK <= end {
        let chunk = &bytes[i..i + CHUNK];
        let any = chunk
            .iter()
            .fold(false, |acc, &b| acc | (b.wrapping_sub(b'0') < 10));
        if any {
            break;
        }
        i += CHUNK;
    }
    while i < end {
        if bytes[i].is_ascii_digit() {
            return Some(i);
        }
        i += 1;
    }
    // A token starting before `end` may hold its digit after it ("ABC|1" at a line end is
    // not possible, as lines end in a newline, but a range end inside a run is).
    let mut j = end;
    while j < bytes.len() && (is_alnum(bytes[j]) || bytes[j] == b'.') && j < end + 9 {
        if bytes[j].is_ascii_digit() {
            return Some(j);
        }
        j += 1;
    }
    None
}

/// Whether `bytes[s..e]` is a member of a slash-separated list whose every member has the
/// shape of an ICD-10 code: a letter, a digit, then letters, digits and at most one dot
/// after the third. Dates, ratios and spinal levels (`L4/L5`, `T12/L1`) are not such lists.
fn in_slash_list(bytes: &[u8], s: usize, e: usize) -> bool {
    let part = |b: u8| is_alnum(b) || b == b'.' || b == b'/';
    let mut a = s;
    while a > 0 && part(bytes[a - 1]) {
        a -= 1;
    }
    let mut z = e;
    while z < bytes.len() && part(bytes[z]) {
        z += 1;
    }
    let run = &bytes[a..z];
    let run = run.strip_suffix(b".").unwrap_or(run);
    let code_like = |m: &[u8]| {
        let dots = m.iter().filter(|&&b| b == b'.').count();
        (3..=8).contains(&m.len())
            && m[0].is_ascii_alphabetic()
            && m[1].is_ascii_digit()
            && is_alnum(m[2])
            && (dots == 0 && m.len() <= 7 || dots == 1 && m[3] == b'.' && m.len() >= 5)
    };
    run.split(|&b| b == b'/').filter(|m| code_like(m)).count() >= 2
        && run.split(|&b| b == b'/').all(code_like)
}

fn bad_before(bytes: &[u8], s: usize) -> bool {
    if s == 0 {
        return false;
    }
    let p = bytes[s - 1];
    let pp = if s >= 2 { bytes[s - 2] } else { b' ' };
    match p {
        b'/' | b'\\' | b'#' | b'$' | b'@' | b'+' | b'=' | b'_' | b'^' | b'~' | b'&' | b'*' => true,
        b'-' | b'.' | b',' => is_alnum(pp),
        b':' => pp.is_ascii_digit(),
        // Non-ASCII letters glued to the token ("éE11"): part of a word.
        0x80.. => bytes[..s]
            .last()
            .is_some_and(|_| !matches!(p, 0x80..=0xBF) || continuation_is_letter(bytes, s)),
        _ => false,
    }
}

/// Whether the UTF-8 character ending at `s` is a letter (not punctuation such as '(' or '•').
fn continuation_is_letter(bytes: &[u8], s: usize) -> bool {
    let mut b = s - 1;
    while b > 0 && (bytes[b] & 0xC0) == 0x80 {
        b -= 1;
    }
    std::str::from_utf8(&bytes[b..s])
        .ok()
        .and_then(|c| c.chars().next())
        .is_some_and(char::is_alphanumeric)
}

fn bad_after(bytes: &[u8], e: usize) -> bool {
    let Some(&n) = bytes.get(e) else {
        return false;
    };
    let nn = bytes.get(e + 1).copied().unwrap_or(b' ');
    match n {
        b'/' | b'\\' => is_alnum(nn),
        b':' | b',' => nn.is_ascii_digit(),
        b'%' | b'@' | b'_' | b'+' | b'=' | b'#' | b'*' => true,
        // The degree sign (°) and other letters glued on.
        0xC2 if nn == 0xB0 => true,
        0x80.. => std::str::from_utf8(&bytes[e..(e + 4).min(bytes.len())])
            .ok()
            .or_else(|| std::str::from_utf8(&bytes[e..(e + 2).min(bytes.len())]).ok())
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// Whether "times" or "x" follows, as a count does.
fn count_follows(bytes: &[u8], e: usize) -> bool {
    let rest = &bytes[e..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let word_end = rest
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let word = &rest[..word_end];
    word.eq_ignore_ascii_case(b"times") || word.eq_ignore_ascii_case(b"x")
}

pub fn unit_follows(bytes: &[u8], e: usize) -> bool {
    let mut p = e;
    if bytes.get(p) == Some(&b' ') {
        p += 1;
    }
    let s = p;
    while p < bytes.len() && bytes[p].is_ascii_alphabetic() && p - s < 8 {
        p += 1;
    }
    if p == s || bytes.get(p).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return bytes.get(s) == Some(&b'%');
    }
    let word = std::str::from_utf8(&bytes[s..p])
        .unwrap_or("")
        .to_ascii_lowercase();
    UNITS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokens(text, 0, text.len())
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn skips_dates_times_ratios_and_chains() {
        assert_eq!(
            words("on 12/25/2020 at 10:30, BP 160/84"),
            Vec::<&str>::new()
        );
        assert_eq!(words("version 1.2.3 and E11.9."), vec!["E11.9"]);
        assert_eq!(words("Dx (E11.65), I10"), vec!["E11.65", "I10"]);
        assert_eq!(words("Lot #EK5730"), Vec::<&str>::new());
        assert_eq!(
            words("Dx codes: N40.0/F32.A/G47.00. L4/L5, T12/L1, 3/4/2020"),
            vec!["N40.0", "F32.A", "G47.00"]
        );
    }

    #[test]
    fn a_count_after_a_code_is_not_a_unit() {
        let text = "99239 times one, J1100 x 3, 500 times, 12345.6 x";
        let toks: Vec<(&str, bool)> = tokens(text, 0, text.len())
            .map(|t| (&text[t.start..t.end], t.unit_follows))
            .collect();
        assert_eq!(toks[0], ("99239", false));
        assert_eq!(toks[1], ("J1100", false));
        assert_eq!(toks[2], ("500", true), "a dose's count stays a unit");
    }

    #[test]
    fn marks_units_and_hyphens() {
        let t: Vec<Token> = tokens("250.00 mg/dL", 0, 12).collect();
        assert!(t[0].unit_follows);
        let t: Vec<Token> = tokens("99213-25", 0, 8).collect();
        assert!(t[0].number_context);
    }
}
