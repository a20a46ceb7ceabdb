//! A code explained: the one text that the hover, the `dxpx/lookup` request and
//! `dxpx lookup` show, in Markdown or in plain text.

use crate::codes::{Entry, GemTarget, Note, Status, System};
use std::fmt::Write;

/// How the text is marked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Markdown,
    Plain,
}

impl Style {
    fn bold(self, t: &str) -> String {
        match self {
            Style::Markdown => format!("**{t}**"),
            Style::Plain => t.to_string(),
        }
    }

    fn aside(self, t: &str) -> String {
        match self {
            Style::Markdown => format!("_{t}_"),
            Style::Plain => format!("({t})"),
        }
    }

    fn badge(self, t: &str) -> String {
        match self {
            Style::Markdown => format!("`{t}`"),
            Style::Plain => format!("[{t}]"),
        }
    }
}

/// What a status means for a claim, as a coder would say it.
fn badge(e: &Entry) -> &'static str {
    match (e.status(), e.system()) {
        // Without the licensed file dxpx knows only the public ranges: a number in one may
        // or may not be a code.
        (Status::Valid, System::Cpt) if e.title_note.is_empty() => "CPT code",
        (Status::Valid, System::Cpt) => {
            "in this CPT range — the licensed CPT file, when configured, decides whether it is a code"
        }
        (Status::Valid, _) => "billable",
        (Status::Header, System::Icd9Cm) => {
            "ICD-9-CM category — it needs more digits, and ICD-9-CM is not valid for services from 2015-10-01"
        }
        (Status::Header, _) => "header — not billable; code to a more specific code",
        (Status::Retired, System::Icd9Cm) => {
            "retired — ICD-9-CM is not valid for services from 2015-10-01"
        }
        (Status::Retired, _) => "deleted — not valid in the release in force",
        (Status::Invalid, System::Cpt) => "not in the public CPT ranges dxpx ships",
        (Status::Invalid, _) => "invalid — not in this release",
    }
}

/// The instructional notes in the order a coder reads them, with their headings.
const NOTE_TITLES: &[(&str, &str)] = &[
    ("includes", "Includes"),
    ("inclusionTerm", "Inclusion terms"),
    ("notes", "Notes"),
    ("excludes1", "Excludes1 (never coded together)"),
    (
        "excludes2",
        "Excludes2 (not included here; may be coded together)",
    ),
    ("codeFirst", "Code first"),
    ("useAdditionalCode", "Use additional code"),
    ("codeAlso", "Code also"),
    ("sevenChrNote", "7th character"),
];

/// Lists longer than this end with "… N more": a hover must fit on a screen.
const LIST_LIMIT: usize = 12;

/// A code explained: its set and release, title, status, place in the hierarchy, the
/// modifiers written with it (code and label), its notes, 7th characters, children, GEMs,
/// dates and Medicare Code Editor flags.
pub fn explain(e: &Entry, style: Style, modifiers: &[(String, String)]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "{} · {} · {}\n\n",
        style.bold(&e.code),
        e.system().name(),
        e.release
    );
    if !e.title.is_empty() {
        let _ = write!(s, "{}\n\n", e.title);
    }
    if !e.title_note.is_empty() {
        let _ = write!(s, "{}\n\n", style.aside(&e.title_note));
    }
    let _ = write!(s, "{}\n\n", style.badge(badge(e)));
    if !e.judged.is_empty() {
        let _ = write!(s, "{}\n\n", e.judged);
    }
    if !e.history.is_empty() {
        let _ = write!(s, "History: {}\n\n", e.history);
    }
    if let Some(weight) = payment(e) {
        let _ = write!(s, "{weight}\n\n");
    }
    if !e.hierarchy.is_empty() {
        let crumbs: Vec<String> = e
            .hierarchy
            .iter()
            .map(|(id, t)| format!("{id} {t}"))
            .collect();
        let _ = write!(s, "{}\n\n", crumbs.join(" › "));
    }
    for (md, label) in modifiers {
        let _ = write!(s, "Modifier {}: {label}\n\n", style.bold(&format!("-{md}")));
    }
    for (kind, title) in NOTE_TITLES {
        let notes: Vec<&Note> = e.notes.iter().filter(|n| n.kind == *kind).collect();
        list(&mut s, style, title, &notes, |n| {
            let from = if n.from != e.code {
                format!(" ({})", n.from)
            } else {
                String::new()
            };
            format!("{}{from}", n.text)
        });
    }
    // A full code already carries its 7th character.
    if e.code.len() < 8 {
        let title = format!("7th characters (from {})", e.seventh_from);
        list(
            &mut s,
            style,
            &title,
            &e.seventh.iter().collect::<Vec<_>>(),
            |(c, m)| format!("{c}: {m}"),
        );
    }
    let children: Vec<&(String, String)> = e.children.iter().collect();
    list(&mut s, style, "Codes under it", &children, |(c, t)| {
        format!("{c} {t}")
    });
    let direction = if e.system() == System::Icd9Cm {
        "ICD-10 equivalents (GEMs)"
    } else {
        "ICD-9-CM equivalents (GEMs)"
    };
    list(
        &mut s,
        style,
        direction,
        &e.gems.iter().collect::<Vec<_>>(),
        gem,
    );
    if !e.effective.is_empty() {
        let _ = write!(s, "Added {}, effective {}", e.added, e.effective);
        if !e.terminated.is_empty() {
            let _ = write!(s, ", terminated {}", e.terminated);
        }
        s.push('\n');
    } else if !e.terminated.is_empty() {
        let _ = writeln!(s, "Deleted from {}", e.terminated);
    }
    if !e.edit_flags.is_empty() {
        let _ = writeln!(s, "Medicare Code Editor: {}", e.edit_flags.join(", "));
    }
    s.trim_end().to_string()
}

/// A diagnosis's MS-DRG severity and CMS-HCC categories, a line each: "MS-DRG v44 (FY2027):
/// MCC · MDC 05 Diseases and disorders of the circulatory system".
pub fn payment(e: &Entry) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(sev) = &e.severity {
        let nearest = if sev.nearest {
            ", the nearest dxpx has"
        } else {
            ""
        };
        lines.push(format!(
            "{}{nearest}: {} · MDC {} {}",
            sev.grouper,
            sev.level.name(),
            sev.mdc,
            sev.mdc_title
        ));
    }
    if let Some(h) = &e.hccs {
        let categories: Vec<String> = h
            .categories
            .iter()
            .map(|c| format!("HCC {} {}", c.number, c.label))
            .collect();
        let categories = if h.code_is_newer {
            "not in this map, which is older than the code".to_string()
        } else if categories.is_empty() {
            "no HCC".to_string()
        } else {
            categories.join("; ")
        };
        lines.push(format!("{h}: {categories}"));
    }
    (!lines.is_empty()).then(|| lines.join("\n\n"))
}

/// A heading and its items, at most [`LIST_LIMIT`] of them; nothing when there are none.
fn list<T>(s: &mut String, style: Style, title: &str, items: &[T], line: impl Fn(&T) -> String) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "{}", style.bold(title));
    for item in items.iter().take(LIST_LIMIT) {
        let _ = writeln!(s, "- {}", line(item));
    }
    if items.len() > LIST_LIMIT {
        let _ = writeln!(s, "- … {} more", items.len() - LIST_LIMIT);
    }
    s.push('\n');
}

fn gem(g: &&GemTarget) -> String {
    let mut flags = Vec::new();
    if g.approximate {
        flags.push("approximate".to_string());
    }
    if g.no_map {
        flags.push("no map".to_string());
    }
    if g.combination {
        flags.push(format!(
            "combination: scenario {}, choice list {}",
            g.scenario, g.choice_list
        ));
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" ({})", flags.join(", "))
    };
    format!("{} {}{flags}", g.code, g.title)
}

/// The hover of a condition written in words: its status and section, the candidate codes
/// best first with the words that chose them, and the vocabulary phrase it matched.
pub fn explain_condition(
    c: &crate::hints::Condition,
    written: &str,
    release: &str,
    style: Style,
) -> String {
    let b = |t: &str| style.bold(t);
    let mut s = format!(
        "{} · {} · {} section{}\n\n",
        b(written),
        c.status.name(),
        c.section.name(),
        match &c.trigger {
            Some(t) => format!(" (\"{t}\")"),
            None => String::new(),
        }
    );
    s.push_str(if c.coded {
        "Coded here.\n\n"
    } else {
        "Not coded here. Candidates, best first:\n\n"
    });
    for (i, cand) in c.codes.iter().take(crate::hints::SHOWN).enumerate() {
        let why = if cand.because.is_empty() {
            String::new()
        } else {
            format!(" — the note says {}", cand.because.join(", "))
        };
        s.push_str(&format!(
            "{}. {} {}{why}\n",
            i + 1,
            b(&cand.code),
            cand.title
        ));
    }
    let origin = match c.origin {
        crate::hints::Origin::Title => "an ICD-10-CM title",
        crate::hints::Origin::InclusionTerm => "an ICD-10-CM inclusion term",
        crate::hints::Origin::Synonym => "dxpx's synonym list",
    };
    s.push_str(&format!(
        "\nMatched \"{}\", from {origin} ({release}).",
        c.phrase
    ));
    s
}
