//! Whether the words written just before a code say what the code's title says: "Low back
//! pain (M54.5)", "Uterine leiomyoma 218.9", "Colonoscopy (45378)". Clinicians write a code
//! after the words it codes; a number that only looks like a code (a temperature, a weight, a
//! spinal level) does not agree with the title of the code it resembles.

/// Title words that say nothing about which condition a code is.
const GENERIC: &[&str] = &[
    "unspecified",
    "other",
    "specified",
    "disease",
    "disorder",
    "chronic",
    "acute",
    "left",
    "right",
    "bilateral",
    "without",
    "with",
    "mention",
    "complication",
    "condition",
    "syndrome",
    "elsewhere",
    "classified",
    "part",
    "site",
    "type",
    "pain",
    "status",
    "history",
    "encounter",
    "initial",
    "subsequent",
    "sequela",
    "unilateral",
    "primary",
    "secondary",
    "region",
    "multiple",
    "single",
];

/// Words of procedures: a five-digit number in brackets after one of them is a CPT code
/// ("right carpal tunnel release (64721)"), which has no title dxpx may show.
const PROCEDURE_WORDS: &[&str] = &[
    "ectomy",
    "otomy",
    "ostomy",
    "plasty",
    "scopy",
    "pexy",
    "rrhaphy",
    "graphy",
    "centesis",
    "repair",
    "release",
    "excision",
    "incision",
    "injection",
    "biopsy",
    "catheterization",
    "intubat",
    "exploration",
    "anastomosis",
    "fusion",
    "reduction",
    "insertion",
    "removal",
    "implant",
    "drainage",
    "debridement",
    "aspiration",
    "ablation",
    "transplant",
    "resection",
    "fixation",
    "amputation",
    "arthroplasty",
    "block",
    "visit",
    "consultation",
];

/// The words of the clause that ends right before `at`, lower-cased and stemmed: back to a
/// clause boundary (`.` `;` `:` `,` a line break or a table cell), at most eight.
pub fn words_before(text: &str, at: usize) -> Vec<String> {
    let head = &text[..at];
    let head = head.trim_end_matches([' ', '(', '[', '-', '–', ',']);
    let clause_start = head
        .rfind(['.', ';', ':', ',', '\n', '|', '\t', ')', ']'])
        .map_or(0, |i| i + 1);
    let clause = &head[clause_start..];
    let mut words: Vec<String> = clause
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3)
        .map(stem)
        .collect();
    let keep = words.len().saturating_sub(8);
    words.drain(..keep);
    words
}

/// Whether one of `before` names a telling word of `title`.
pub fn agrees(before: &[String], title: &str) -> bool {
    if before.is_empty() {
        return false;
    }
    title
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .map(stem)
        .filter(|w| !GENERIC.contains(&w.as_str()))
        .any(|t| before.iter().any(|b| same(b, &t)))
}

/// Whether the clause names a procedure.
pub fn names_a_procedure(before: &[String]) -> bool {
    before
        .iter()
        .any(|w| PROCEDURE_WORDS.iter().any(|p| w.contains(p)))
}

/// Words of measurements: a number after them is a value ("temperature 103.9", "weight
/// 185.5", "glucose 250.00"), whatever section it is in.
const MEASURE_WORDS: &[&str] = &[
    "temperature",
    "temp",
    "tmax",
    "fever",
    "febrile",
    "weight",
    "weigh",
    "height",
    "glucose",
    "sugar",
    "level",
    "count",
    "pressure",
    "pulse",
    "rate",
    "saturation",
    "value",
    "score",
    "hemoglobin",
    "platelet",
    "bmi",
    "wbc",
    "dose",
    "volume",
    "loss",
    "total",
    "size",
    "length",
    "diameter",
    "width",
    "measured",
    "measuring",
    "sodium",
    "potassium",
    "chloride",
    "cholesterol",
    "ldl",
    "hdl",
    "triglyceride",
    "creatinine",
    "psa",
    "tsh",
    "bun",
];

/// Whether the last words before a number name a measurement.
pub fn names_a_measure(before: &[String]) -> bool {
    before
        .iter()
        .rev()
        .take(2)
        .any(|w| MEASURE_WORDS.contains(&w.as_str()))
}

/// Lower case, without a plural ending.
fn stem(word: &str) -> String {
    let w = word.to_ascii_lowercase();
    if let Some(s) = w.strip_suffix("ies") {
        format!("{s}y")
    } else if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("is") {
        w[..w.len() - 1].to_string()
    } else {
        w
    }
}

/// Two stems are the same word when equal, or when both are long and share their first
/// six letters (hemorrhoid/hemorrhoidal, thrombosis/thrombotic).
fn same(a: &str, b: &str) -> bool {
    a == b || (a.len() >= 6 && b.len() >= 6 && a[..6] == b[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_before_a_code_agree_with_its_title() {
        let text = "Hx: Uterine leiomyoma 218.9, Anemia 285.9";
        let before = words_before(text, text.find("218.9").unwrap());
        assert_eq!(before, ["uterine", "leiomyoma"]);
        assert!(agrees(&before, "Leiomyoma of uterus, unspecified"));
        let anemia = words_before(text, text.find("285.9").unwrap());
        assert!(agrees(&anemia, "Anemia, unspecified"));
        let temp = "Temperature 103.9";
        let before = words_before(temp, temp.find("103.9").unwrap());
        assert!(!agrees(&before, "Pinta, unspecified"));
        assert!(!agrees(&["pain".to_string()], "Low back pain, unspecified"));
        let proc = "Right carpal tunnel release (64721).";
        assert!(names_a_procedure(&words_before(
            proc,
            proc.find("64721").unwrap()
        )));
    }
}
