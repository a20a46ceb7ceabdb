//! `dxpx check` as teams run it: text, JSON and SARIF output, exit codes and the summary,
//! on the examples and on the corpus.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(args: &[&str], paths: &[&Path]) -> Output {
    Command::new(common::dxpx())
        .arg("check")
        .args(args)
        .args(paths)
        .output()
        .unwrap()
}

#[test]
fn text_report_on_the_examples() {
    let out = check(&["--color", "never"], &[&root().join("examples")]);
    assert_eq!(out.status.code(), Some(1), "errors fail the run");
    let text = String::from_utf8(out.stdout).unwrap();
    // file:line:col: severity rule: message, then the line with the code underlined.
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("examples/charges.note:5:11: error dxpx/invalid-modifier: -2Z"),
        "{first}"
    );
    let mut lines = text.lines();
    lines.next();
    assert_eq!(lines.next().unwrap(), "  5 | CPT 99214-2Z");
    assert_eq!(lines.next().unwrap(), "    |           ^^");
    let summary = text.lines().last().unwrap();
    // Every example document: not the snapshots, the README or the configuration.
    let documents = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .filter(|e| {
            let path = e.as_ref().unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            !name.ends_with(".expected") && !name.ends_with(".md") && !name.ends_with(".toml")
        })
        .count();
    assert!(
        summary.starts_with(&format!("{documents} files checked, ")),
        "{summary}"
    );
    assert!(
        summary.contains("findings (") && summary.contains("unsupported-procedure 1"),
        "{summary}"
    );
    assert!(!text.contains("\x1b["), "no colour when asked for none");
}

#[test]
fn exit_codes() {
    let dir = std::env::temp_dir().join(format!("dxpx-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("clean.note"), "Dx: E11.9\nCPT 99213\n").unwrap();
    std::fs::write(dir.join("warn.note"), "Dx: W00.0XXA\n").unwrap();
    assert_eq!(
        check(&[], &[&dir.join("clean.note")]).status.code(),
        Some(0)
    );
    assert_eq!(
        check(&[], &[&dir.join("warn.note")]).status.code(),
        Some(0),
        "a warning is below --fail-on error"
    );
    assert_eq!(
        check(&["--fail-on", "warning"], &[&dir.join("warn.note")])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        check(&["--fail-on", "never"], &[&root().join("examples")])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        check(&[], &[&dir.join("missing.note")]).status.code(),
        Some(2),
        "a path that does not exist"
    );
    assert_eq!(
        check(&["--format", "xml"], &[&dir]).status.code(),
        Some(2),
        "a usage error"
    );
    std::fs::write(dir.join("dxpx.toml"), "[rules]\nno-such-rule = \"error\"\n").unwrap();
    let out = check(&[], &[&dir]);
    assert_eq!(out.status.code(), Some(2), "a malformed dxpx.toml");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rule"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn json_report_fields() {
    let out = check(&["--format", "json"], &[&root().join("examples")]);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Each line is a finding or a visit's numbers, which says its kind.
    assert!(
        lines
            .iter()
            .all(|l| l["kind"] == "finding" || l["kind"] == "visit")
    );
    let visits: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "visit").collect();
    assert!(
        visits.iter().any(|v| v["visit"]["summary"] == "1 Dx · 3 Px"
            && v["visit"]["date_of_service"] == "2026-11-02"),
        "{visits:#?}"
    );
    let findings: Vec<Value> = lines
        .into_iter()
        .filter(|l| l["kind"] == "finding")
        .collect();
    assert!(findings.len() >= 10);
    for f in &findings {
        for key in [
            "path",
            "start",
            "end",
            "line",
            "character",
            "text",
            "rule",
            "severity",
            "message",
            "related",
        ] {
            assert!(!f[key].is_null(), "{key} in {f}");
        }
    }
    let mismatch = findings
        .iter()
        .find(|f| f["rule"] == "dxpx/diagnosis-mismatch")
        .unwrap();
    for key in ["code", "system", "status", "modifiers", "evidence"] {
        assert!(
            !mismatch[key].is_null(),
            "{key}: the fields of the scan output"
        );
    }
    assert!(
        !mismatch["related"].as_array().unwrap().is_empty(),
        "the diagnoses that do not support it"
    );
    let summary = String::from_utf8(out.stderr).unwrap();
    assert!(
        summary.contains("files checked"),
        "the summary goes to stderr with machine formats: {summary}"
    );
}

/// SARIF 2.1.0, validated against the schema (see tests/sarif/prepare.sh, which .ci/run runs).
#[test]
fn sarif_validates_against_the_schema() {
    let tools = root().join("target/sarif-check");
    let (schema, python) = (tools.join("schema.json"), tools.join("venv/bin/python"));
    if !schema.exists() || !python.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs tests/sarif/prepare.sh first"
        );
        let reason = "the SARIF schema and validator are not fetched (run tests/sarif/prepare.sh)";
        eprintln!("skipped: {reason}");
        common::skipped(reason);
        return;
    }
    let dir = std::env::temp_dir().join(format!("dxpx-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut inputs: Vec<PathBuf> = vec![root().join("examples")];
    if let Some(shared) = common::shared() {
        for sub in [
            "labeled/notes",
            "charges",
            "x12",
            "fhir",
            "hl7v2",
            "mtsamples/dev_subset_300/notes",
        ] {
            inputs.push(shared.join("corpus").join(sub));
        }
    }
    let mut files = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let out = check(&["--format", "sarif", "--fail-on", "never"], &[input]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let file = dir.join(format!("{i}.sarif"));
        std::fs::write(&file, &out.stdout).unwrap();
        files.push(file);
    }
    let out = Command::new(&python)
        .arg(root().join("tests/sarif/validate.py"))
        .arg(&schema)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The whole corpus through the command line: every kind of document read, nothing fails.
#[test]
fn the_corpus_is_checked() {
    let Some(shared) = common::shared() else {
        return;
    };
    let out = check(&["--format", "json"], &[&shared.join("corpus")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the corpus has real findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let summary = stderr.lines().last().unwrap();
    assert!(
        summary.contains("files checked") && summary.contains("codes found"),
        "{summary}"
    );
    let findings: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for kind in [".csv", ".json", ".hl7", ".txt"] {
        assert!(
            findings
                .iter()
                .any(|f| f["path"].as_str().unwrap().ends_with(kind)),
            "findings in {kind} files"
        );
    }
    // The 4010 claims are from 1996-2013 and coded in ICD-9-CM, as their dates of service
    // required: none of their codes is retired on those dates.
    let retired_in_claims: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["path"].as_str().unwrap().ends_with(".837") && f["rule"] == "dxpx/retired-code"
        })
        .collect();
    assert!(retired_in_claims.is_empty(), "{retired_in_claims:?}");
}

/// The README's rule table is the registry: every rule with its id and default severity, in
/// the registry's order, and no rule the registry lacks.
#[test]
fn the_readme_rule_table_is_the_registry() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let table: Vec<(String, String)> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `dxpx/"))
        .map(|l| {
            let mut cells = l.split('|').map(str::trim);
            let id = cells.next().unwrap().trim_end_matches('`').to_string();
            (id, cells.next().unwrap().to_string())
        })
        .collect();
    let registry: Vec<(String, String)> = dxpx::rules::Rule::ALL
        .iter()
        .map(|r| {
            (
                r.name().to_string(),
                r.default_severity().name().to_string(),
            )
        })
        .collect();
    assert_eq!(table, registry);
}

/// `dxpx scan --explain` lists, after the mentions, the code-shaped tokens it did not take,
/// each with its reason.
#[test]
fn scan_explains_what_it_did_not_take() {
    let dir = std::env::temp_dir().join(format!("dxpx-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let note = dir.join("levels.note");
    std::fs::write(
        &note,
        "ASSESSMENT:\n1. Low back pain 724.2\n\nMRN 12345, temperature 103.9.\nTender at L45, L5S1.\nPatient seen 99214.\n",
    )
    .unwrap();
    let out = Command::new(common::dxpx())
        .args(["scan", "--explain", "--json"])
        .arg(&note)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let found: Vec<&str> = lines
        .iter()
        .filter(|l| l.get("code").is_some())
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["724.2"]);
    let rejected: Vec<(&str, &str)> = lines
        .iter()
        .filter_map(|l| Some((l["text"].as_str()?, l.get("rejected")?.as_str()?)))
        .collect();
    let reason = |token: &str| {
        rejected
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| panic!("{token} not listed: {rejected:?}"))
    };
    assert!(reason("12345").contains("\"MRN\""));
    assert!(reason("103.9").contains("measurement"));
    assert!(reason("L45").contains("not codes"));
    assert!(reason("99214").contains("shape of CPT"));
    // Without --explain, only the mention.
    let plain = Command::new(common::dxpx())
        .args(["scan", "--json"])
        .arg(&note)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(plain.stdout).unwrap().lines().count(), 1);
    std::fs::remove_dir_all(dir).ok();
}

/// A data folder or CPT file that is not there is a usage error naming it (exit 2), for every
/// command that reads the code sets: a typo must not check notes against the wrong release.
#[test]
fn a_missing_data_folder_or_cpt_file_is_exit_2() {
    let note = root().join("examples/office-visit.note");
    let runs: [&[&str]; 4] = [
        &["check", "--data-dir", "/nonexistent/dxpx-data"],
        &["lookup", "--data-dir", "/nonexistent/dxpx-data", "E11.9"],
        &["search", "--cpt-file", "/nonexistent/cpt.txt", "diabetes"],
        &["scan", "--data-dir", "/nonexistent/dxpx-data"],
    ];
    for args in runs {
        let mut command = Command::new(common::dxpx());
        command.args(args);
        if matches!(args[0], "check" | "scan") {
            command.arg(&note);
        }
        let out = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("/nonexistent/"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
    }
}

/// `scan` and `suggest` take folders as `check` does; a file without an extension is read
/// when it is text; a folder with no document in it is an error, not "0 files checked".
#[test]
fn folders_and_files_without_extensions() {
    let dir = std::env::temp_dir().join(format!("dxpx-folders-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(
        dir.join("notes/visit"),
        "Osteoarthritis of the right knee.\nDx: E11.9\nCPT 99213\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes/scan.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(common::dxpx()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let notes = dir.join("notes");
    let notes = notes.to_str().unwrap();
    let (code, out, _) = run(&["check", "--color", "never", notes]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 file checked, 2 codes found"), "{out}");
    let (code, out, err) = run(&["scan", "--json", notes]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.contains("\"E11.9\"") && !out.contains("scan.png"),
        "{out}"
    );
    let (code, out, err) = run(&["suggest", notes]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Osteoarthritis of the right knee"), "{out}");
    let empty = dir.join("empty");
    for command in ["check", "scan", "suggest"] {
        let (code, _, err) = run(&[command, empty.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(
            err.contains("no documents in this folder"),
            "{command}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Numbers in JSON are as a person would write them: a section weight of 0.8, not
/// 0.800000011920929.
#[test]
fn suggest_json_rounds_its_weights() {
    let out = Command::new(common::dxpx())
        .args(["suggest", "--json"])
        .arg(root().join("examples/documentation.note"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.is_empty());
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let weight = v["weight"].to_string();
        assert!(weight.len() <= 4, "{weight} in {line}");
    }
}

/// What users read is words, not the vocabulary's stems: the phrase a condition was read as
/// and the words that chose its code are written as the titles write them.
#[test]
fn suggest_shows_words_not_stems() {
    let dir = std::env::temp_dir().join(format!("dxpx-cli-stems-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fever.note");
    std::fs::write(
        &path,
        "ASSESSMENT: Type 2 diabetes with hyperglycemia. Fever with chills.\n",
    )
    .unwrap();
    let out = Command::new(common::dxpx())
        .args(["suggest", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let conditions: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let diabetes = conditions
        .iter()
        .find(|c| c["text"].as_str().unwrap().contains("diabetes"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(diabetes["phrase"], "type 2 diabetes", "{diabetes}");
    let words: Vec<&str> = conditions
        .iter()
        .flat_map(|c| c["codes"].as_array().unwrap())
        .flat_map(|x| x["because"].as_array().unwrap())
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(words.contains(&"hyperglycemia"), "{words:?}");
    for stem in ["diabete", "chill"] {
        assert!(!text.contains(&format!("\"{stem}\"")), "{stem} in {text}");
    }
    std::fs::remove_dir_all(dir).ok();
}

/// The text report shows the fixes its messages promise ("did you mean one of the suggested
/// codes?"), the first four and how many more; `--format jsonl` and `json` are one format.
#[test]
fn the_text_report_lists_the_fixes_and_jsonl_is_json() {
    let note = root().join("examples/invalid-codes.note");
    let out = Command::new(common::dxpx())
        .args(["check", "--fail-on", "never"])
        .arg(&note)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "  = fix: Replace with E11.9 Type 2 diabetes mellitus without complications\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  = and 12 more (`--format json` lists every fix)\n"),
        "S72.001's sixteen 7th characters: {text}"
    );
    let run = |format: &str| {
        Command::new(common::dxpx())
            .args(["check", "--fail-on", "never", "--format", format])
            .arg(&note)
            .output()
            .unwrap()
            .stdout
    };
    let jsonl = run("jsonl");
    assert!(!jsonl.is_empty());
    assert_eq!(jsonl, run("json"));
}

/// `data build` reads official files only: its help lists no code-set options; the commands
/// that read codes take them before or after their name.
#[test]
fn data_options_belong_to_the_commands_that_read_codes() {
    let help = |args: &[&str]| {
        let out = Command::new(common::dxpx()).args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let build = help(&["data", "build", "--help"]);
    assert!(
        build.contains("--from") && !build.contains("--data-dir") && !build.contains("--cpt-file"),
        "{build}"
    );
    for command in ["check", "scan", "suggest", "search", "lookup", "lsp"] {
        let text = help(&[command, "--help"]);
        assert!(
            text.contains("--data-dir") && text.contains("--as-of"),
            "{command}: {text}"
        );
    }
    for args in [
        &["--data-dir", "/nonexistent/dxpx-data", "lookup", "E11.9"][..],
        &["lookup", "E11.9", "--data-dir", "/nonexistent/dxpx-data"][..],
    ] {
        let out = Command::new(common::dxpx()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/dxpx-data"));
    }
}

/// Every argument of every command says what it is in `--help` (a bare `--limit <LIMIT>` or
/// `<CODES>...` teaches nothing).
#[test]
fn every_argument_has_help_text() {
    let commands: &[&[&str]] = &[
        &["check"],
        &["scan"],
        &["suggest"],
        &["search"],
        &["lookup"],
        &["lsp"],
        &["data"],
        &["data", "build"],
    ];
    for command in commands {
        let out = Command::new(common::dxpx())
            .args(*command)
            .arg("--help")
            .output()
            .unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            // Arguments are indented two to six spaces; a value list ("- text") ten.
            let indent = line.len() - t.len();
            let is_argument = (t.starts_with('-') || t.starts_with('<') || t.starts_with('['))
                && (2..=6).contains(&indent);
            if !is_argument || t.starts_with("-h, --help") {
                continue;
            }
            // Short help puts the text on the same line; long help on the next.
            let same_line = t.split("  ").filter(|p| !p.trim().is_empty()).count() > 1;
            let next_line = lines
                .get(i + 1)
                .is_some_and(|n| n.starts_with("          ") && !n.trim().is_empty());
            assert!(
                same_line || next_line,
                "{command:?}: {line:?} has no help text:\n{help}"
            );
        }
        if command == &["data"] {
            assert!(!help.contains("inspect"), "data builds only: {help}");
        }
    }
}

/// A long run shows how far it is on a terminal (here `script`'s pseudo-terminal), where the
/// report goes to a file; in a pipe, stderr stays free of it.
#[test]
fn long_runs_show_progress_on_a_terminal_only() {
    if Command::new("script").arg("--version").output().is_err() {
        common::skipped("long_runs_show_progress_on_a_terminal_only: no `script` (util-linux)");
        return;
    }
    let dir = root().join("target/tmp/progress-notes");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..200 {
        std::fs::write(
            dir.join(format!("n{i}.note")),
            "Dx: type 2 diabetes, E11.9\n",
        )
        .unwrap();
    }
    for (command, said) in [
        ("suggest", "[200/200] files read"),
        ("check", "[200/200] files checked"),
    ] {
        let out = dir.with_extension(format!("{command}.out"));
        let line = format!(
            "{} {command} {} > {}",
            common::dxpx().display(),
            dir.display(),
            out.display()
        );
        let terminal = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env_remove("CI")
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&terminal.stdout);
        assert!(shown.contains(said), "{command}: {shown:?}");
        assert!(std::fs::metadata(&out).unwrap().len() > 0);
        let piped = Command::new(common::dxpx())
            .args([command, dir.to_str().unwrap()])
            .env_remove("CI")
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&piped.stderr).contains("[200/200]"));
    }
}
