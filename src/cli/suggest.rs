//! `dxpx suggest`: the conditions notes document in words, with ranked candidate codes, their
//! status (current, negated, history, family, hypothetical) and whether the note codes them.

use super::output::{Position, each_document};
use crate::analysis::{self, Kind};
use crate::hints::{self, Condition, Vocabulary};
use crate::scan::Scanner;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Each condition's first `hints::SHOWN` candidates, or all of them with `all`.
pub fn suggest(scanner: &Scanner, paths: &[PathBuf], as_json: bool, all: bool) -> ExitCode {
    let vocab = Vocabulary::for_sets(scanner.sets());
    each_document(paths, |out, path, text| {
        let (mentions, _) = analysis::read(scanner, Kind::Note, text);
        let scopes = crate::rules::scope::encounters(text, &mentions);
        let mut conditions = hints::conditions(&vocab, scanner.sets(), text, &mentions, &scopes);
        if !all {
            conditions
                .iter_mut()
                .for_each(|c| c.codes.truncate(hints::SHOWN));
        }
        let positions = Position::index(text);
        for c in &conditions {
            if as_json {
                let _ = writeln!(out, "{}", condition_json(path, text, &positions, c));
            } else {
                let (line, col) = positions.utf16(text, c.start);
                let codes: Vec<&str> = c.codes.iter().map(|x| x.code.as_str()).collect();
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {} [{}{}] {}",
                    path.display(),
                    line + 1,
                    col + 1,
                    &text[c.start..c.end],
                    c.status.name(),
                    if c.coded { ", coded" } else { "" },
                    codes.join(" ")
                );
            }
        }
    })
}

fn condition_json(
    path: &Path,
    text: &str,
    positions: &Position,
    c: &Condition,
) -> serde_json::Value {
    let (line, character) = positions.utf16(text, c.start);
    json!({
        "path": path.display().to_string(),
        "start": c.start,
        "end": c.end,
        "line": line,
        "character": character,
        "text": &text[c.start..c.end],
        // The official phrase it was read as, in the title's words (the vocabulary's own
        // form is stems: "diabete").
        "phrase": official_phrase(&c.phrase, c.codes.first().map(|x| x.title.as_str())),
        "codes": c.codes.iter().map(|x| json!({"code": x.code, "title": x.title, "because": x.because})).collect::<Vec<_>>(),
        "status": c.status.name(),
        "trigger": c.trigger,
        "section": c.section.name(),
        // Two decimals: the f32 weights (0.8) would print as 0.800000011920929.
        "weight": (f64::from(c.section.weight()) * 100.0).round() / 100.0,
        "coded": c.coded,
    })
}

/// A vocabulary phrase in the words of its first candidate's title where the title has them
/// ("diabete" → "diabetes"), else as it is.
fn official_phrase(phrase: &str, title: Option<&str>) -> String {
    let title_words: Vec<&str> = title
        .unwrap_or_default()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    phrase
        .split(' ')
        .map(|stem| {
            title_words
                .iter()
                .find(|w| {
                    let w = w.to_lowercase();
                    w == stem || w.strip_suffix('s') == Some(stem)
                })
                .map_or_else(|| stem.to_string(), |w| w.to_lowercase())
        })
        .collect::<Vec<_>>()
        .join(" ")
}
