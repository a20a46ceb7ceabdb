//! The scanner on real notes: the labelled set's gold spans, and no false alarms on the
//! untouched MTSamples notes. Runs `dxpx scan --json`, the path users take.

mod common;

use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn scan(files: &[PathBuf]) -> Vec<Value> {
    common::json_lines("scan", files)
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn labelled_notes_recall_and_precision() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("corpus/labeled");
    let gold = jsonl(&dir.join("gold.jsonl"));
    let files: Vec<PathBuf> = gold
        .iter()
        .map(|g| dir.join(g["file"].as_str().unwrap()))
        .collect();
    let found = scan(&files);
    let mut expected = HashSet::new();
    let mut statuses = std::collections::HashMap::new();
    for (g, file) in gold.iter().zip(&files) {
        for c in g["codes"].as_array().unwrap() {
            let key = (
                file.display().to_string(),
                c["offset"].as_u64().unwrap(),
                c["length"].as_u64().unwrap(),
                c["system"].as_str().unwrap().to_string(),
            );
            statuses.insert(key.clone(), c["status"].as_str().unwrap().to_string());
            expected.insert(key);
        }
    }
    let got: HashSet<_> = found
        .iter()
        .map(|m| {
            let (s, e) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
            (
                m["path"].as_str().unwrap().to_string(),
                s,
                e - s,
                m["system"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let tp = expected.intersection(&got).count() as f64;
    let recall = tp / expected.len() as f64;
    let precision = tp / got.len().max(1) as f64;
    let missed: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(recall >= 0.99, "recall {recall:.3}; missed {missed:?}");
    assert!(
        precision >= 0.99,
        "precision {precision:.3}; extra {extra:?}"
    );
    // Status as the gold names it (non-billable is dxpx's "header").
    for m in &found {
        let (s, e) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
        let key = (
            m["path"].as_str().unwrap().to_string(),
            s,
            e - s,
            m["system"].as_str().unwrap().to_string(),
        );
        if let Some(gold) = statuses.get(&key) {
            let ours = match m["status"].as_str().unwrap() {
                "header" => "non-billable",
                other => other,
            };
            assert_eq!(ours, gold, "status of {key:?}");
        }
    }
}

#[test]
fn untouched_notes_raise_almost_nothing_beyond_their_real_code_mentions() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("corpus/mtsamples/dev_subset_300");
    let mentions = jsonl(&dir.join("code_mentions.jsonl"));
    let mut files = Vec::new();
    let mut real: Vec<HashSet<String>> = Vec::new();
    for m in &mentions {
        let id = m["note_id"].as_u64().unwrap();
        files.push(dir.join(format!("notes/mts_{id:04}.txt")));
        let mut texts: HashSet<String> = HashSet::new();
        for t in m["codes_near_keywords"].as_array().unwrap() {
            texts.insert(t.as_str().unwrap().to_string());
        }
        for t in m["code_like_tokens"].as_array().unwrap() {
            texts.insert(t["text"].as_str().unwrap().to_string());
        }
        for k in m["code_keywords"].as_array().unwrap() {
            // Codes written right after their label ("ICD code 682.5") are real mentions.
            for w in k["context"]
                .as_str()
                .unwrap()
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
            {
                texts.insert(w.trim_end_matches('.').to_string());
            }
        }
        real.push(texts);
    }
    assert_eq!(files.len(), 300);
    let found = scan(&files);
    let extra: Vec<String> = found
        .iter()
        .filter(|m| {
            let path = m["path"].as_str().unwrap();
            let i = files
                .iter()
                .position(|f| f.display().to_string() == path)
                .unwrap();
            !real[i].contains(m["text"].as_str().unwrap())
        })
        .map(|m| format!("{} {} {}", m["path"], m["text"], m["evidence"]))
        .collect();
    eprintln!("mentions beyond the listed ones: {extra:#?}");
    assert!(extra.len() <= 3, "at most 1 per 100 notes: {extra:#?}");
}
