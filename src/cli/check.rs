//! `dxpx check`: the rules over files and folders, for teams and CI.

use super::output::{Position, read_document};
use super::scan::mention_json;
use crate::analysis;
use crate::config::Config;
use crate::rules::{Finding, Rule, Severity, Suppression};
use crate::scan::{Mention, Scanner};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    /// JSON Lines: one object per line (`json` is the same).
    #[value(name = "jsonl", alias = "json")]
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Hint,
    Never,
}

impl FailOn {
    fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Error => s <= Severity::Error,
            FailOn::Warning => s <= Severity::Warning,
            FailOn::Info => s <= Severity::Info,
            FailOn::Hint => true,
        }
    }
}

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub fail_on: FailOn,
    pub suppressions: bool,
    pub config: Config,
    pub color: bool,
    /// Run the documentation hints too (documented-not-coded, more-specific-code).
    pub hints: bool,
}

struct Checked {
    path: PathBuf,
    text: String,
    mentions: Vec<Mention>,
    findings: Vec<Finding>,
    suppressions: Vec<Suppression>,
    /// Each encounter's or claim's numbers (visits with no code are left out).
    visits: Vec<crate::summary::VisitSummary>,
}

pub fn run(scanner: &Scanner, options: Options) -> ExitCode {
    let files = match collect(&options.paths, &options.config) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("dxpx: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    // The report is printed when every file is read, so the terminal shows progress first.
    let progress = super::output::Progress::new(files.len(), "checked", false);
    // Built once for every file (about half a second), only when asked for.
    let vocabulary = options
        .hints
        .then(|| crate::hints::Vocabulary::for_sets(scanner.sets()));
    let done = AtomicUsize::new(0);
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    let mut results: Vec<Option<Result<Checked, Skipped>>> = Vec::new();
    results.resize_with(files.len(), || None);
    let slots: Vec<std::sync::Mutex<Option<Result<Checked, Skipped>>>> =
        results.into_iter().map(std::sync::Mutex::new).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let result = check_file(scanner, &options.config, vocabulary.as_ref(), path);
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress.done(n);
                }
            });
        }
    });
    progress.finish();
    let mut checked = Vec::new();
    let (mut skipped, mut internal) = (0, 0);
    for slot in slots {
        match slot.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(c)) => checked.push(c),
            Some(Err(Skipped::Unreadable(e))) => {
                skipped += 1;
                eprintln!("dxpx: {e}");
            }
            Some(Err(Skipped::Internal(e))) => {
                skipped += 1;
                internal += 1;
                eprintln!("dxpx: {e}");
            }
            None => {}
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if options.suppressions {
        write_suppressions(&mut out, &checked, options.format)
    } else {
        match options.format {
            Format::Text => write_text(&mut out, &checked, options.color),
            Format::Json => write_json(&mut out, &checked),
            Format::Sarif => write_sarif(&mut out, &checked),
        }
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("dxpx: cannot write the report: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    }
    drop(out);
    let summary = summary(&checked, skipped);
    // The summary goes with the human report; machine formats keep stdout pure.
    if options.format == Format::Text && !options.suppressions {
        println!("{summary}");
    } else {
        eprintln!("{summary}");
    }
    let failing = checked
        .iter()
        .flat_map(|c| &c.findings)
        .any(|f| options.fail_on.fails(f.severity));
    if internal > 0 {
        ExitCode::from(super::EXIT_USAGE)
    } else if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Why a file was not checked.
enum Skipped {
    /// It could not be read as text (missing, binary, not UTF-8).
    Unreadable(super::output::Unreadable),
    /// A bug in dxpx while checking it.
    Internal(String),
}

fn check_file(
    scanner: &Scanner,
    config: &Config,
    vocabulary: Option<&crate::hints::Vocabulary>,
    path: &Path,
) -> Result<Checked, Skipped> {
    let text = read_document(path).map_err(Skipped::Unreadable)?;
    let stage = |what: &str, fault: crate::fault::Fault| {
        Skipped::Internal(format!(
            "{}: {fault} while {what}; skipped, the other files are still checked",
            path.display()
        ))
    };
    let name = path.to_string_lossy();
    let kind = analysis::Kind::detect(&name, None, &text);
    let (mentions, structure) = crate::fault::catch(|| analysis::read(scanner, kind, &text))
        .map_err(|f| stage("reading its codes", f))?;
    let hints = |scopes: &[crate::rules::Scope]| match vocabulary {
        Some(vocabulary) if kind == analysis::Kind::Note && config.documentation_hints => {
            let sets = scanner.sets();
            let conditions = crate::hints::conditions(vocabulary, sets, &text, &mentions, scopes);
            let fallback = config
                .as_of
                .unwrap_or_else(crate::codes::history::Day::today);
            crate::hints::findings(sets, fallback, &conditions, &text, &mentions, scopes)
        }
        _ => Vec::new(),
    };
    let (scopes, findings) = crate::fault::catch(|| {
        let sets = scanner.sets();
        analysis::check_with_hints(sets, config, &text, &mentions, structure.as_ref(), hints)
    })
    .map_err(|f| stage("applying the rules", f))?;
    let visits = crate::fault::catch(|| {
        let fallback = config
            .as_of
            .unwrap_or_else(crate::codes::history::Day::today);
        crate::summary::summarize(scanner.sets(), &mentions, &scopes, &findings, fallback)
    })
    .map_err(|f| stage("summing up its visits", f))?
    .into_iter()
    .filter(|v| v.diagnoses + v.procedures > 0)
    .collect();
    let suppressions = crate::fault::catch(|| crate::rules::suppress_list(&text))
        .map_err(|f| stage("reading its suppressions", f))?;
    Ok(Checked {
        path: path.to_path_buf(),
        mentions,
        findings,
        suppressions,
        text,
        visits,
    })
}

/// The files to check: each path given, and the documents under each folder (unreadable
/// entries of a folder are said on stderr and passed over).
pub(super) fn collect(paths: &[PathBuf], config: &Config) -> Result<Vec<PathBuf>, String> {
    let found = crate::workspace::documents(paths, config)?;
    for problem in &found.problems {
        eprintln!("dxpx: {problem}");
    }
    Ok(found.files)
}

fn summary(checked: &[Checked], skipped: usize) -> String {
    let codes: usize = checked.iter().map(|c| c.mentions.len()).sum();
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in checked.iter().flat_map(|c| &c.findings) {
        *by_rule.entry(f.rule.name()).or_default() += 1;
        *by_severity.entry(f.severity).or_default() += 1;
    }
    let total: usize = by_rule.values().sum();
    let mut s = format!(
        "{} file{} checked, {codes} code{} found, {total} finding{}",
        checked.len(),
        plural(checked.len()),
        plural(codes),
        plural(total)
    );
    if total > 0 {
        let sev: Vec<String> = by_severity
            .iter()
            .map(|(s, n)| format!("{n} {}{}", s.name(), plural(*n)))
            .collect();
        let rules: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
        s.push_str(&format!(" ({}): {}", sev.join(", "), rules.join(", ")));
    }
    if skipped > 0 {
        s.push_str(&format!("; {skipped} file{} skipped", plural(skipped)));
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Fixes printed under a finding in the text report.
const FIXES_SHOWN: usize = 4;

fn write_text(out: &mut impl Write, checked: &[Checked], color: bool) -> std::io::Result<()> {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    for c in checked {
        let pos = Position::index(&c.text);
        for f in &c.findings {
            let (line, col) = pos.utf16(&c.text, f.start);
            let sev = match f.severity {
                Severity::Error => paint("1;31", "error"),
                Severity::Warning => paint("1;33", "warning"),
                Severity::Info => paint("1;36", "info"),
                Severity::Hint => paint("1;32", "hint"),
            };
            writeln!(
                out,
                "{}:{}:{}: {sev} {}: {}",
                c.path.display(),
                line + 1,
                col + 1,
                paint("1", &f.id()),
                f.message
            )?;
            let (_, byte_col) = pos.bytes(f.start);
            let line_start = f.start - byte_col;
            let line_end = pos.line_end(&c.text, f.start);
            let source = &c.text[line_start..line_end];
            let gutter = format!("{}", line + 1);
            writeln!(out, "  {gutter} | {source}")?;
            let pad: String = c.text[line_start..f.start]
                .chars()
                .map(|ch| if ch == '\t' { '\t' } else { ' ' })
                .collect();
            let width = c.text[f.start..f.end.min(line_end).max(f.start)]
                .chars()
                .count()
                .max(1);
            writeln!(
                out,
                "  {} | {pad}{}",
                " ".repeat(gutter.len()),
                paint("1;31", &"^".repeat(width))
            )?;
            // What the message promises ("the suggested codes"): the fixes, the first few.
            let margin = " ".repeat(gutter.len());
            for fix in f.fixes.iter().take(FIXES_SHOWN) {
                writeln!(out, "  {margin} = {}: {}", paint("1;32", "fix"), fix.title)?;
            }
            if f.fixes.len() > FIXES_SHOWN {
                writeln!(
                    out,
                    "  {margin} = and {} more (`--format json` lists every fix)",
                    f.fixes.len() - FIXES_SHOWN
                )?;
            }
        }
        for v in &c.visits {
            let (line, _) = pos.utf16(&c.text, v.start);
            let date = v
                .date_of_service
                .as_deref()
                .map_or(String::new(), |d| format!(" {d}"));
            writeln!(
                out,
                "{}:{}: {}{date}: {v}",
                c.path.display(),
                line + 1,
                paint("2", "visit")
            )?;
        }
    }
    Ok(())
}

fn finding_json(c: &Checked, pos: &Position, f: &Finding) -> Value {
    let mention = c.mentions.iter().find(|m| m.start == f.start).or_else(|| {
        c.mentions
            .iter()
            .find(|m| m.modifiers.iter().any(|md| md.start == f.start))
    });
    let mut v = match mention {
        Some(m) => mention_json(&c.path, &c.text, pos, m),
        None => {
            let (line, character) = pos.utf16(&c.text, f.start);
            json!({"path": c.path.display().to_string(), "start": f.start, "end": f.end, "line": line, "character": character, "text": &c.text[f.start..f.end]})
        }
    };
    v["kind"] = json!("finding");
    v["start"] = json!(f.start);
    v["end"] = json!(f.end);
    v["rule"] = json!(f.id());
    v["severity"] = json!(f.severity.name());
    v["message"] = json!(f.message);
    v["related"] = Value::Array(
        f.related
            .iter()
            .map(|r| {
                let (line, character) = pos.utf16(&c.text, r.start);
                json!({"start": r.start, "end": r.end, "line": line, "character": character, "message": r.message})
            })
            .collect(),
    );
    v["fixes"] = Value::Array(f.fixes.iter().map(|x| json!(x.title)).collect());
    v
}

fn write_json(out: &mut impl Write, checked: &[Checked]) -> std::io::Result<()> {
    for c in checked {
        let pos = Position::index(&c.text);
        for f in &c.findings {
            writeln!(out, "{}", finding_json(c, &pos, f))?;
        }
        // After its findings, each visit's numbers: a line of kind "visit".
        for v in &c.visits {
            let (line, _) = pos.utf16(&c.text, v.start);
            let visit = json!({
                "start": v.start, "end": v.end, "line": line,
                "date_of_service": v.date_of_service, "diagnoses": v.diagnoses,
                "mcc": v.mcc, "cc": v.cc, "hccs": v.hccs, "procedures": v.procedures,
                "unsupported": v.unsupported, "summary": v.to_string(),
            });
            writeln!(
                out,
                "{}",
                json!({"kind": "visit", "path": c.path.display().to_string(), "visit": visit})
            )?;
        }
    }
    Ok(())
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn write_sarif(out: &mut impl Write, checked: &[Checked]) -> std::io::Result<()> {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.name(),
                "shortDescription": {"text": r.summary()},
                "defaultConfiguration": {"level": sarif_level(r.default_severity())},
                "properties": {"group": r.group().name()},
            })
        })
        .collect();
    let region = |c: &Checked, pos: &Position, start: usize, end: usize| {
        let (l1, c1) = pos.utf16(&c.text, start);
        let (l2, c2) = pos.utf16(&c.text, end);
        json!({"startLine": l1 + 1, "startColumn": c1 + 1, "endLine": l2 + 1, "endColumn": c2 + 1, "charOffset": c.text[..start].encode_utf16().count(), "charLength": c.text[start..end].encode_utf16().count()})
    };
    let mut results = Vec::new();
    for c in checked {
        let pos = Position::index(&c.text);
        let uri = sarif_uri(&c.path);
        for f in &c.findings {
            let rule_index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            let location = |start, end| json!({"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region(c, &pos, start, end)}});
            let mut result = json!({
                "ruleId": f.id(),
                "ruleIndex": rule_index,
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [location(f.start, f.end)],
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = Value::Array(
                    f.related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let mut l = location(r.start, r.end);
                            l["id"] = json!(i);
                            l["message"] = json!({"text": r.message});
                            l
                        })
                        .collect(),
                );
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "dxpx", "version": env!("CARGO_PKG_VERSION"), "semanticVersion": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// A relative path as a SARIF URI reference (forward slashes, spaces escaped).
fn sarif_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
}

fn write_suppressions(
    out: &mut impl Write,
    checked: &[Checked],
    format: Format,
) -> std::io::Result<()> {
    for c in checked {
        let pos = Position::index(&c.text);
        for s in &c.suppressions {
            let (line, col) = pos.utf16(&c.text, s.start);
            let rules = if s.rules.is_empty() {
                "all rules".to_string()
            } else {
                s.rules.join(", ")
            };
            match format {
                Format::Text => writeln!(
                    out,
                    "{}:{}:{}: suppresses {rules}: {}",
                    c.path.display(),
                    line + 1,
                    col + 1,
                    s.reason
                        .as_deref()
                        .map_or("NO REASON GIVEN".to_string(), |r| format!("reason \"{r}\""))
                )?,
                _ => writeln!(
                    out,
                    "{}",
                    json!({"path": c.path.display().to_string(), "line": line, "character": col, "rules": s.rules, "reason": s.reason})
                )?,
            }
        }
    }
    Ok(())
}
