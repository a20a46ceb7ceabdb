//! `dxpx lookup` and `dxpx search`.

use crate::codes::history::Day;
use crate::codes::{CodeSets, Entry, System};
use serde_json::json;
use std::process::ExitCode;

/// `as_of`: judge each code by the release in force on that day (else the newest release's
/// view, with the code's history).
pub fn lookup(
    sets: &CodeSets,
    codes: &[String],
    system: Option<&str>,
    as_of: Option<Day>,
    as_json: bool,
) -> ExitCode {
    let system = match system.map(|s| System::from_name(s).ok_or(s)) {
        Some(Err(s)) => {
            eprintln!("dxpx: unknown system {s:?} (ICD-10-CM, ICD-10-PCS, ICD-9-CM, CPT, HCPCS)");
            return ExitCode::from(super::EXIT_USAGE);
        }
        Some(Ok(s)) => Some(s),
        None => None,
    };
    let (mut missing, mut internal) = (false, false);
    for code in codes {
        let entries = crate::fault::catch(|| match system {
            Some(s) => sets.lookup(code, s).into_iter().collect(),
            None => sets.lookup_any(code),
        });
        let entries: Vec<Entry> = match entries {
            Ok(mut entries) => {
                if let Some(day) = as_of {
                    for e in &mut entries {
                        sets.judge(e, day, "the as-of date");
                    }
                }
                entries
            }
            Err(fault) => {
                eprintln!("dxpx: looking up {code:?}: {fault}; the other codes go on");
                internal = true;
                continue;
            }
        };
        if entries.is_empty() {
            missing = true;
            if as_json {
                println!("{}", json!({"query": code, "found": false}));
            } else {
                println!("{code}: not a code in any of the loaded sets\n");
            }
        }
        for e in entries {
            if as_json {
                println!("{}", entry_json(code, &e));
            } else {
                println!(
                    "{}\n",
                    crate::ide::explain(&e, crate::ide::Style::Plain, &[])
                );
            }
        }
    }
    if internal {
        ExitCode::from(super::EXIT_USAGE)
    } else if missing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn entry_json(query: &str, e: &Entry) -> serde_json::Value {
    json!({
        "query": query,
        "found": true,
        "code": e.code,
        "system": e.system().name(),
        "release": e.release,
        "status": e.status().name(),
        "title": e.title,
        "short_title": e.short_title,
        "title_note": e.title_note,
        "history": e.history,
        "judged": e.judged,
        "hierarchy": e.hierarchy.iter().map(|(id, t)| json!({"id": id, "title": t})).collect::<Vec<_>>(),
        "children": e.children.iter().map(|(c, t)| json!({"code": c, "title": t})).collect::<Vec<_>>(),
        "notes": e.notes.iter().map(|n| json!({"kind": n.kind, "text": n.text, "from": n.from})).collect::<Vec<_>>(),
        "seventh_character": e.seventh.iter().map(|(c, m)| json!({"char": c, "meaning": m})).collect::<Vec<_>>(),
        "seventh_character_from": e.seventh_from,
        "gems": e.gems.iter().map(|g| json!({
            "code": g.code, "title": g.title, "approximate": g.approximate, "no_map": g.no_map,
            "combination": g.combination, "scenario": g.scenario, "choice_list": g.choice_list,
        })).collect::<Vec<_>>(),
        "edit_flags": e.edit_flags,
        "ms_drg": e.severity.as_ref().map(|s| json!({
            "grouper": s.grouper.to_string(), "version": s.grouper.0, "nearest": s.nearest,
            "severity": s.level.name(), "mdc": s.mdc, "mdc_title": s.mdc_title,
        })),
        "cms_hcc": e.hccs.as_ref().map(|h| json!({
            "model": "V28", "payment_year": h.payment_year, "nearest": h.nearest,
            "code_is_newer": h.code_is_newer,
            "categories": h.categories.iter().map(|c| json!({"hcc": c.number, "label": c.label})).collect::<Vec<_>>(),
        })),
        "added": e.added,
        "effective": e.effective,
        "terminated": e.terminated,
    })
}

pub fn search(sets: &CodeSets, words: &str, limit: usize, as_json: bool) -> ExitCode {
    let hits = sets.search(words, limit);
    for h in &hits {
        if as_json {
            println!(
                "{}",
                json!({
                    "code": h.code, "system": h.system.name(), "title": h.title,
                    "status": h.status.name(), "matched": h.matched, "score": h.score,
                })
            );
        } else {
            let via = if h.matched != h.title {
                format!("  (“{}”)", h.matched)
            } else {
                String::new()
            };
            println!("{:<9} {:<10} {}{via}", h.code, h.system.name(), h.title);
        }
    }
    if hits.is_empty() {
        if !as_json {
            println!("no codes match {words:?}");
        }
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
