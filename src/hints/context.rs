//! What the words around a condition say about it: negated ("denies chest pain"), past
//! ("history of stroke"), someone else's ("mother has diabetes"), not yet established ("rule
//! out pneumonia"), and the section of the note it is written in.

use super::words::Word;

/// Whether a documented condition is the patient's, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Current,
    Negated,
    History,
    Family,
    Hypothetical,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Negated => "negated",
            Status::History => "history",
            Status::Family => "family",
            Status::Hypothetical => "hypothetical",
        }
    }
}

/// The part of a note a condition is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// Assessment, impression, diagnoses, plan, problem list.
    Diagnoses,
    /// Chief complaint, history of present illness, indications.
    Present,
    /// Examination, findings, procedure, hospital course.
    Findings,
    ReviewOfSystems,
    PastHistory,
    FamilyHistory,
    SocialHistory,
    Medications,
    /// Text under no heading, or one dxpx does not know.
    Other,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Diagnoses => "diagnoses",
            Section::Present => "present-illness",
            Section::Findings => "findings",
            Section::ReviewOfSystems => "review-of-systems",
            Section::PastHistory => "past-history",
            Section::FamilyHistory => "family-history",
            Section::SocialHistory => "social-history",
            Section::Medications => "medications",
            Section::Other => "other",
        }
    }

    /// How much a condition written here says about what the visit was for: diagnoses
    /// and assessment most, a review of systems least.
    pub fn weight(self) -> f32 {
        match self {
            Section::Diagnoses => 1.0,
            Section::Present => 0.8,
            Section::Findings | Section::Other => 0.6,
            Section::PastHistory => 0.5,
            Section::SocialHistory => 0.4,
            Section::Medications => 0.3,
            Section::ReviewOfSystems => 0.2,
            Section::FamilyHistory => 0.1,
        }
    }

    fn from_heading(label: &str) -> Section {
        let l = label.to_ascii_lowercase();
        let has = |w: &str| l.contains(w);
        if has("family") {
            Section::FamilyHistory
        } else if has("past")
            || has("medical history")
            || has("surgical history")
            || l == "pmh"
            || l == "psh"
        {
            Section::PastHistory
        } else if has("social") {
            Section::SocialHistory
        } else if has("review of systems") || l == "ros" {
            Section::ReviewOfSystems
        } else if has("assessment")
            || has("impression")
            || has("diagnos")
            || has("plan")
            || has("problem")
            || l == "a/p"
        {
            Section::Diagnoses
        } else if has("complaint")
            || has("present illness")
            || l == "hpi"
            || has("indication")
            || has("reason")
            || l == "history"
        {
            Section::Present
        } else if has("medication") || has("allerg") {
            Section::Medications
        } else if has("exam")
            || has("finding")
            || has("vital")
            || has("procedure")
            || has("operation")
            || has("course")
            || has("description")
        {
            Section::Findings
        } else {
            Section::Other
        }
    }
}

/// The headings of a note: (byte offset where the section starts, section).
pub fn sections(text: &str) -> Vec<(usize, Section)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if let Some(label) = heading(line) {
            out.push((pos, Section::from_heading(label)));
        }
        pos += line.len();
    }
    out
}

/// The section at `offset`.
pub fn section_at(sections: &[(usize, Section)], offset: usize) -> Section {
    let i = sections.partition_point(|(start, _)| *start <= offset);
    i.checked_sub(1).map_or(Section::Other, |i| sections[i].1)
}

/// The label of a heading line: up to six words before a colon ("PAST MEDICAL HISTORY:
/// hypertension"), or a whole line in capitals ("ASSESSMENT AND PLAN").
fn heading(line: &str) -> Option<&str> {
    let t = line.trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')' || c == ' ');
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.split_whitespace().count() <= 6
            && l.chars()
                .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '/' | '&' | '-' | ','))
    };
    if let Some((label, _)) = t.split_once(':') {
        let label = label.trim();
        if label_ok(label) {
            return Some(label);
        }
    }
    let upper =
        t.chars().any(|c| c.is_ascii_uppercase()) && !t.chars().any(|c| c.is_ascii_lowercase());
    (upper && label_ok(t) && t.len() >= 3).then_some(t)
}

type Trigger = (&'static [&'static str], Status);

/// Words before a condition that change its status; the nearest wins, and of those ending at
/// the same word the longest ("no history of" before "history of").
const BEFORE: &[Trigger] = &[
    (&["no"], Status::Negated),
    (&["not"], Status::Negated),
    (&["denies"], Status::Negated),
    (&["denied"], Status::Negated),
    (&["deny"], Status::Negated),
    (&["denying"], Status::Negated),
    (&["without"], Status::Negated),
    (&["never"], Status::Negated),
    (&["negative", "for"], Status::Negated),
    (&["free", "of"], Status::Negated),
    (&["absence", "of"], Status::Negated),
    (&["rules", "out"], Status::Negated),
    (&["ruled", "out"], Status::Negated),
    (&["no", "history", "of"], Status::Negated),
    (&["no", "evidence", "of"], Status::Negated),
    (&["family", "history"], Status::Family),
    (&["family", "history", "of"], Status::Family),
    (&["family", "medical", "history"], Status::Family),
    (&["familial", "medical", "history"], Status::Family),
    (&["familial", "history"], Status::Family),
    (&["fh"], Status::Family),
    (&["mother"], Status::Family),
    (&["father"], Status::Family),
    (&["brother"], Status::Family),
    (&["sister"], Status::Family),
    (&["siblings"], Status::Family),
    (&["maternal"], Status::Family),
    (&["paternal"], Status::Family),
    (&["grandmother"], Status::Family),
    (&["grandfather"], Status::Family),
    (&["aunt"], Status::Family),
    (&["uncle"], Status::Family),
    (&["mom"], Status::Family),
    (&["dad"], Status::Family),
    (&["parents"], Status::Family),
    (&["history", "of"], Status::History),
    (&["hx", "of"], Status::History),
    (&["h", "o"], Status::History),
    (&["s", "p"], Status::History),
    (&["status", "post"], Status::History),
    (&["previous"], Status::History),
    (&["previously"], Status::History),
    (&["prior"], Status::History),
    (&["past"], Status::History),
    (&["remote"], Status::History),
    (&["former"], Status::History),
    (&["childhood"], Status::History),
    (&["rule", "out"], Status::Hypothetical),
    (&["r", "o"], Status::Hypothetical),
    (&["evaluate", "for"], Status::Hypothetical),
    (&["evaluation", "for"], Status::Hypothetical),
    (&["assess", "for"], Status::Hypothetical),
    (&["to", "exclude"], Status::Hypothetical),
    (&["cannot", "exclude"], Status::Hypothetical),
    (&["concern", "for"], Status::Hypothetical),
    (&["concerning", "for"], Status::Hypothetical),
    (&["possible"], Status::Hypothetical),
    (&["possibly"], Status::Hypothetical),
    (&["probable"], Status::Hypothetical),
    (&["probably"], Status::Hypothetical),
    (&["suspected"], Status::Hypothetical),
    (&["suspect"], Status::Hypothetical),
    (&["suspicion", "of"], Status::Hypothetical),
    (&["question", "of"], Status::Hypothetical),
    (&["questionable"], Status::Hypothetical),
    (&["risk", "of"], Status::Hypothetical),
    (&["risk", "for"], Status::Hypothetical),
    (&["if"], Status::Hypothetical),
    (&["screening", "for"], Status::Hypothetical),
    (&["likely"], Status::Hypothetical),
    (&["versus"], Status::Hypothetical),
    (&["vs"], Status::Hypothetical),
    (&["differential"], Status::Hypothetical),
    (&["prevent"], Status::Hypothetical),
    (&["prevention", "of"], Status::Hypothetical),
    (&["may", "have"], Status::Hypothetical),
    // A patient's risk factors are conditions the patient has ("risk factors including
    // diabetes"); the longer trigger wins where it ends.
    (&["risk", "factors"], Status::Current),
    (&["risk", "factor"], Status::Current),
    // Consent text: "the risks include bleeding, infection, stroke".
    (&["risk"], Status::Hypothetical),
    (&["risks"], Status::Hypothetical),
    // A condition the patient has now ends a history's reach: "a history of lung cancer and
    // acute hemoptysis with associated chest pain"; "risks including current smoking,
    // diabetes".
    (&["and", "acute"], Status::Current),
    (&["and", "new"], Status::Current),
    (&["current"], Status::Current),
    (&["currently"], Status::Current),
    (&["ongoing"], Status::Current),
    (&["complications", "include"], Status::Hypothetical),
    (&["complications", "including"], Status::Hypothetical),
    (&["side", "effects"], Status::Hypothetical),
];

/// A test's result, read as the negation of what it tests: "HIV titers were negative", "HIV
/// testing was unremarkable" (no HIV).
const RESULTS: &[&[&str]] = &[
    &["negative"],
    &["unremarkable"],
    &["within", "normal", "limits"],
    &["not", "detected"],
    &["nonreactive"],
    &["non", "reactive"],
];

/// Words that may stand between a condition and its test's result.
const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "tested",
    "titer",
    "titers",
    "screen",
    "screening",
    "antibody",
    "antibodies",
    "antigen",
    "serology",
    "serologies",
    "pcr",
    "culture",
    "cultures",
    "study",
    "studies",
    "panel",
    "result",
    "results",
    "status",
    "was",
    "were",
    "is",
    "are",
    "came",
    "back",
    "also",
    "all",
    "both",
    "again",
];

/// How far after a condition its test's result may be: a list ending in it ("HIV, hepatitis B
/// and hepatitis C were negative").
const REACH_RESULT: usize = 8;

/// Words after a condition that change its status ("pneumonia was ruled out").
const AFTER: &[Trigger] = &[
    (&["ruled", "out"], Status::Negated),
    (&["was", "ruled", "out"], Status::Negated),
    (&["not", "seen"], Status::Negated),
    (&["absent"], Status::Negated),
    (&["unlikely"], Status::Negated),
    (&["resolved"], Status::History),
    (&["is", "suspected"], Status::Hypothetical),
    (&["suspected"], Status::Hypothetical),
    (&["cannot", "be", "excluded"], Status::Hypothetical),
    (&["is", "possible"], Status::Hypothetical),
];

/// Words that end a trigger's reach ("no fever but has cough").
const TERMINATORS: &[&str] = &[
    "but",
    "however",
    "although",
    "though",
    "except",
    "which",
    "who",
    "presents",
    "presented",
    "reports",
    "complains",
];

/// A negative result of the condition's test after it in the sentence: right after it but
/// for test words ("HIV titers were negative"), or closing a list the condition is in, as a
/// plural verb says ("HIV, hepatitis B and hepatitis C were negative").
fn test_result(text: &str, ws: &[Word], last: usize) -> Option<String> {
    let is = |i: usize, w: &str| text[ws[i].start..ws[i].end].eq_ignore_ascii_case(w);
    let mut only_test_words = true;
    let mut listed = false;
    let mut at = last + 1;
    while at < ws.len() && at - last <= REACH_RESULT && !ws[at].breaks {
        if let Some(r) = RESULTS
            .iter()
            .find(|r| at + r.len() <= ws.len() && r.iter().enumerate().all(|(k, w)| is(at + k, w)))
        {
            let plural = at > last + 1 && (is(at - 1, "were") || is(at - 1, "are"));
            return (only_test_words || listed && plural).then(|| r.join(" "));
        }
        if TERMINATORS.iter().any(|t| is(at, t)) {
            return None;
        }
        let gap = &text[ws[at - 1].end..ws[at].start];
        listed |= gap.contains(',') || is(at, "and") || is(at, "or");
        only_test_words &= TEST_WORDS.iter().any(|t| is(at, t));
        at += 1;
    }
    None
}

/// A negating word right before another trigger ("denies" in "denies history of").
fn negation_before(text: &str, ws: &[Word], at: usize, first: usize) -> Option<String> {
    let is = |i: usize, w: &str| text[ws[i].start..ws[i].end].eq_ignore_ascii_case(w);
    let mut end = at;
    while end > 0 && first - end < REACH_BEFORE && !ws[end].breaks {
        let w = end - 1;
        if let Some((t, _)) = BEFORE
            .iter()
            .find(|(t, s)| *s == Status::Negated && t.len() == 1 && is(w, t[0]))
        {
            return Some(t[0].to_string());
        }
        if TERMINATORS.iter().any(|t| is(w, t)) {
            return None;
        }
        end -= 1;
    }
    None
}

/// How many words a trigger reaches over: a list after "denies" is long.
const REACH_BEFORE: usize = 12;
const REACH_AFTER: usize = 4;

/// "Past medical history of hypertension" lists a chronic condition the patient still has;
/// "history of stroke" one that is over. These make a history only of a condition ICD-10-CM
/// has a personal-history code for (the caller decides).
const PAST_MEDICAL_HISTORY: &[&[&str]] = &[
    &["past", "medical", "history", "of"],
    &["past", "medical", "history"],
    &["medical", "history", "of"],
    &["medical", "history"],
    &["past", "history", "of"],
    &["pmh"],
    &["pmhx"],
];

/// How sure a status is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub status: Status,
    /// The words that set a status other than current.
    pub trigger: Option<String>,
    /// A history only because the note lists it under past medical history.
    pub listed_in_history: bool,
}

/// The status of the condition at words `first..=last`.
pub fn status(text: &str, ws: &[Word], first: usize, last: usize, section: Section) -> Reading {
    let (status, trigger) = trigger_status(text, ws, first, last, section);
    let listed_in_history = status == Status::History
        && trigger
            .as_deref()
            .is_none_or(|t| PAST_MEDICAL_HISTORY.iter().any(|p| p.join(" ") == t));
    Reading {
        status,
        trigger,
        listed_in_history,
    }
}

fn trigger_status(
    text: &str,
    ws: &[Word],
    first: usize,
    last: usize,
    section: Section,
) -> (Status, Option<String>) {
    let is = |i: usize, w: &str| text[ws[i].start..ws[i].end].eq_ignore_ascii_case(w);
    // "History of asthma and acute bronchitis": the new item of the list is now.
    if first > 0
        && !ws[first].breaks
        && is(first - 1, "and")
        && (is(first, "acute") || is(first, "new"))
    {
        return (Status::Current, None);
    }
    // Before: from the nearest word back to the sentence start, a colon or a terminator.
    let mut end = first;
    while end > 0 && first - end < REACH_BEFORE {
        if ws[end].breaks || text[ws[end - 1].end..ws[end].start].contains(':') {
            break;
        }
        let w = end - 1;
        let pmh = PAST_MEDICAL_HISTORY.iter().map(|t| (*t, Status::History));
        let hit = BEFORE
            .iter()
            .copied()
            .chain(pmh)
            .filter(|(t, _)| {
                t.len() <= end
                    && t.iter()
                        .enumerate()
                        .all(|(k, tw)| is(end - t.len() + k, tw))
            })
            .max_by_key(|(t, _)| t.len());
        if let Some((t, s)) = hit {
            // "Denies history of seizures", "no family history of cancer": a negation further
            // back still negates.
            if s != Status::Negated
                && let Some(n) = negation_before(text, ws, end - t.len(), first)
            {
                return (Status::Negated, Some(n));
            }
            return (s, (s != Status::Current).then(|| t.join(" ")));
        }
        if TERMINATORS.iter().any(|t| is(w, t)) {
            break;
        }
        end -= 1;
    }
    // After: up to a few words, in the same sentence.
    let mut start = last + 1;
    while start < ws.len() && start - last <= REACH_AFTER && !ws[start].breaks {
        let hit = AFTER
            .iter()
            .filter(|(t, _)| {
                start + t.len() <= ws.len() && t.iter().enumerate().all(|(k, tw)| is(start + k, tw))
            })
            .max_by_key(|(t, _)| t.len());
        if let Some((t, s)) = hit {
            return (*s, Some(t.join(" ")));
        }
        start += 1;
    }
    if let Some(result) = test_result(text, ws, last) {
        return (Status::Negated, Some(result));
    }
    match section {
        Section::FamilyHistory => (Status::Family, None),
        Section::PastHistory => (Status::History, None),
        _ => (Status::Current, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hints::words::split;

    fn status_of(sentence: &str, phrase: &str) -> Status {
        let ws = split(sentence);
        let at = sentence.find(phrase).unwrap();
        let first = ws.iter().position(|w| w.start == at).unwrap();
        let last = ws.iter().rposition(|w| w.end <= at + phrase.len()).unwrap();
        status(sentence, &ws, first, last, Section::Other).status
    }

    #[test]
    fn reads_negation_history_family_and_doubt() {
        assert_eq!(
            status_of(
                "He denies chest pain or shortness of breath.",
                "shortness of breath"
            ),
            Status::Negated
        );
        assert_eq!(
            status_of("No evidence of pneumonia.", "pneumonia"),
            Status::Negated
        );
        assert_eq!(
            status_of("History of stroke in 2019.", "stroke"),
            Status::History
        );
        assert_eq!(
            status_of("No history of stroke.", "stroke"),
            Status::Negated
        );
        assert_eq!(
            status_of(
                "Denies history of seizures, strokes, or diabetes.",
                "diabetes"
            ),
            Status::Negated
        );
        assert_eq!(
            status_of("No family history of colon cancer.", "colon cancer"),
            Status::Negated
        );
        assert_eq!(
            status_of("Family history of diabetes.", "diabetes"),
            Status::Family
        );
        assert_eq!(
            status_of("Mother has breast cancer.", "breast cancer"),
            Status::Family
        );
        assert_eq!(
            status_of("Rule out pneumonia.", "pneumonia"),
            Status::Hypothetical
        );
        assert_eq!(
            status_of("Pneumonia was ruled out.", "Pneumonia"),
            Status::Negated
        );
        assert_eq!(
            status_of("No fever. Has asthma.", "asthma"),
            Status::Current
        );
        assert_eq!(
            status_of("Denies fever but has asthma.", "asthma"),
            Status::Current
        );
        assert_eq!(
            status_of("HISTORY OF PRESENT ILLNESS: asthma flare.", "asthma"),
            Status::Current
        );
        // A test's result after what it tests.
        assert_eq!(
            status_of("HIV titers were negative.", "HIV"),
            Status::Negated
        );
        assert_eq!(
            status_of("HIV testing was unremarkable.", "HIV"),
            Status::Negated
        );
        assert_eq!(
            status_of("HIV, hepatitis B and hepatitis C were negative.", "HIV"),
            Status::Negated
        );
        assert_eq!(
            status_of("Diabetes and the stress test was negative.", "Diabetes"),
            Status::Current
        );
        assert_eq!(
            status_of("Pneumonia, but the culture was negative.", "Pneumonia"),
            Status::Current
        );
        // Risk factors are the patient's; a procedure's risks are not.
        assert_eq!(
            status_of(
                "Risk factors include diabetes and hypertension.",
                "hypertension"
            ),
            Status::Current
        );
        assert_eq!(
            status_of("The risks include bleeding and infection.", "infection"),
            Status::Hypothetical
        );
    }

    #[test]
    fn finds_sections() {
        let text = "CHIEF COMPLAINT: cough\nREVIEW OF SYSTEMS:\nNo fever.\nPAST MEDICAL HISTORY: asthma\nASSESSMENT AND PLAN\n1. Asthma.\n";
        let s = sections(text);
        let kinds: Vec<Section> = s.iter().map(|x| x.1).collect();
        assert_eq!(
            kinds,
            [
                Section::Present,
                Section::ReviewOfSystems,
                Section::PastHistory,
                Section::Diagnoses
            ]
        );
        assert_eq!(
            section_at(&s, text.find("No fever").unwrap()),
            Section::ReviewOfSystems
        );
        assert_eq!(
            section_at(&s, text.find("1. Asthma").unwrap()),
            Section::Diagnoses
        );
    }
}
