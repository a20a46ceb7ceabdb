//! One typed configuration from `dxpx.toml` and the editor's settings.

use crate::codes::history::Day;
use crate::rules::{Group, Rule, Severity, UnknownName};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A procedure code or range and the diagnoses that support it (the diagnosis-mismatch
/// rule), with where the pairing comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportRule {
    pub name: String,
    #[serde(default)]
    pub source: String,
    /// `83036`, `80047-80076`.
    pub procedures: Vec<String>,
    /// `E11` (the code and everything below it), `E08-E13` (categories), `R73.09`.
    pub diagnoses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Severity per rule; `None` turns a rule off. Rules not here keep their default.
    pub severities: BTreeMap<Rule, Option<Severity>>,
    pub inlay_hints: bool,
    pub documentation_hints: bool,
    pub data_dir: Option<PathBuf>,
    pub cpt_file: Option<PathBuf>,
    /// The day to judge codes by where a document states no date of service (else today).
    pub as_of: Option<Day>,
    pub support: Vec<SupportRule>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            severities: BTreeMap::new(),
            inlay_hints: true,
            documentation_hints: true,
            data_dir: None,
            cpt_file: None,
            as_of: None,
            support: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    editor: EditorSection,
    #[serde(default)]
    data: DataSection,
    #[serde(default)]
    support: Vec<SupportRule>,
    #[serde(default)]
    check: CheckSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EditorSection {
    inlay_hints: Option<bool>,
    documentation_hints: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DataSection {
    dir: Option<PathBuf>,
    cpt_file: Option<PathBuf>,
    as_of: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// What is wrong with a `dxpx.toml` or the editor's settings. Each names where: the file
/// (and line) or the setting.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// TOML that does not parse, or a key dxpx does not know.
    Syntax {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A rule or group that does not exist, with the nearest that does.
    UnknownName { at: String, unknown: UnknownName },
    /// A severity that is not error, warning, info, hint or off.
    Severity {
        at: String,
        rule: Rule,
        value: String,
    },
    /// A setting that must be a string.
    NotAString { key: String },
    /// A date that is not YYYY-MM-DD.
    BadDate { at: String, value: String },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Read { path, error } => write!(f, "{}: {error}", path.display()),
            ConfigError::Syntax {
                path,
                line: Some(line),
                message,
            } => write!(f, "{}:{line}: {message}", path.display()),
            ConfigError::Syntax { path, message, .. } => {
                write!(f, "{}: {message}", path.display())
            }
            ConfigError::UnknownName { at, unknown } => write!(f, "{at}: {unknown}"),
            ConfigError::Severity { at, rule, value } => write!(
                f,
                "{at}: rule {rule}: severity {value:?} is not one of error, warning, info, hint, off"
            ),
            ConfigError::NotAString { key } => write!(f, "{key} must be a string"),
            ConfigError::BadDate { at, value } => {
                write!(
                    f,
                    "{at}: {value:?} is not a date (write YYYY-MM-DD, as 2026-10-01)"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// A severity as users write it, for `rule`; `off` turns it off. `at` says where it was
/// written.
fn parse_severity(at: &str, rule: Rule, value: &str) -> Result<Option<Severity>, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "off" | "none" | "false" => Ok(None),
        other => Severity::parse(other)
            .map(Some)
            .ok_or_else(|| ConfigError::Severity {
                at: at.to_string(),
                rule,
                value: value.to_string(),
            }),
    }
}

/// A day as users write it, YYYY-MM-DD; `at` says where it was written.
pub fn parse_day(at: &str, value: &str) -> Result<Day, ConfigError> {
    Day::parse(value).ok_or_else(|| ConfigError::BadDate {
        at: at.to_string(),
        value: value.to_string(),
    })
}

fn unknown(at: &str) -> impl FnOnce(UnknownName) -> ConfigError + '_ {
    move |unknown| ConfigError::UnknownName {
        at: at.to_string(),
        unknown,
    }
}

impl Config {
    /// Reads `dxpx.toml`; relative paths in it are relative to its folder. Errors name the
    /// file and line.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            line: e.span().map(|s| text[..s.start].lines().count().max(1)),
            message: e.message().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut config = Config::default();
        let at = format!("{}: [rules]", path.display());
        for (name, value) in &file.rules {
            let rule = Rule::parse(name).map_err(unknown(&at))?;
            config
                .severities
                .insert(rule, parse_severity(&at, rule, value)?);
        }
        if let Some(v) = file.editor.inlay_hints {
            config.inlay_hints = v;
        }
        if let Some(v) = file.editor.documentation_hints {
            config.documentation_hints = v;
        }
        config.data_dir = file.data.dir.map(|d| base.join(d));
        config.cpt_file = file.data.cpt_file.map(|f| base.join(f));
        if let Some(d) = &file.data.as_of {
            config.as_of = Some(parse_day(&format!("{}: [data] as-of", path.display()), d)?);
        }
        config.support = file.support;
        config.include = file.check.include;
        config.exclude = file.check.exclude;
        Ok(config)
    }

    /// Finds and reads `dxpx.toml` in `dir` or its parents; no file is the default config.
    pub fn discover(dir: &Path) -> Result<Config, ConfigError> {
        let mut here = Some(dir);
        while let Some(d) = here {
            let path = d.join("dxpx.toml");
            if path.is_file() {
                return Config::read(&path);
            }
            here = d.parent();
        }
        Ok(Config::default())
    }

    /// Reads the `dxpx.toml` at `path`.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Config::from_toml(&text, path)
    }

    /// Applies editor settings (`initializationOptions` or `workspace/didChangeConfiguration`),
    /// which take precedence over the file. Unknown keys are ignored; bad values are errors.
    pub fn apply_settings(&mut self, settings: &serde_json::Value) -> Result<(), ConfigError> {
        let settings = settings.get("dxpx").unwrap_or(settings);
        let string = |key: &str, value: &'_ serde_json::Value| {
            value
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| ConfigError::NotAString {
                    key: key.to_string(),
                })
        };
        if let Some(rules) = settings.get("rules").and_then(|r| r.as_object()) {
            for (name, value) in rules {
                let at = format!("rules.{name}");
                let rule = Rule::parse(name).map_err(unknown("rules"))?;
                let value = string(&at, value)?;
                self.severities
                    .insert(rule, parse_severity(&at, rule, &value)?);
            }
        }
        if let Some(groups) = settings.get("ruleGroups").and_then(|r| r.as_object()) {
            for (name, value) in groups {
                let at = format!("ruleGroups.{name}");
                let group = Group::parse(name).map_err(unknown("ruleGroups"))?;
                let value = string(&at, value)?;
                for rule in Rule::ALL.into_iter().filter(|r| r.group() == group) {
                    self.severities
                        .insert(rule, parse_severity(&at, rule, &value)?);
                }
            }
        }
        if let Some(v) = settings.get("inlayHints").and_then(|v| v.as_bool()) {
            self.inlay_hints = v;
        }
        if let Some(v) = settings.get("documentationHints").and_then(|v| v.as_bool()) {
            self.documentation_hints = v;
        }
        // An empty setting is the editor's default, not a choice: the project's dxpx.toml
        // keeps its own.
        if let Some(v) = settings.get("dataDir").and_then(|v| v.as_str()) {
            if !v.is_empty() {
                self.data_dir = Some(PathBuf::from(v));
            }
        }
        if let Some(v) = settings.get("cptFile").and_then(|v| v.as_str()) {
            if !v.is_empty() {
                self.cpt_file = Some(PathBuf::from(v));
            }
        }
        if let Some(v) = settings.get("asOf") {
            let v = string("asOf", v)?;
            if !v.trim().is_empty() {
                self.as_of = Some(parse_day("asOf", v.trim())?);
            }
        }
        Ok(())
    }

    /// The severity a rule reports at, or `None` when it is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        match self.severities.get(&rule) {
            Some(s) => *s,
            None => Some(rule.default_severity()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_file_and_names_the_line_of_an_error() {
        let c = Config::from_toml(
            "[rules]\nretired-code = \"warning\"\nexternal-cause-alone = \"off\"\n[editor]\ninlay-hints = false\n",
            Path::new("dxpx.toml"),
        )
        .unwrap();
        assert_eq!(c.severity(Rule::RetiredCode), Some(Severity::Warning));
        assert_eq!(c.severity(Rule::ExternalCauseAlone), None);
        assert!(!c.inlay_hints);
        let e = Config::from_toml(
            "[rules]\nretired-code = \"loud\"\n",
            Path::new("x/dxpx.toml"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ConfigError::Severity { rule: Rule::RetiredCode, value, .. } if value == "loud"),
            "{e}"
        );
        let e = Config::from_toml("\n[rules\n", Path::new("dxpx.toml")).unwrap_err();
        assert!(matches!(e, ConfigError::Syntax { line: Some(2), .. }));
        assert!(e.to_string().starts_with("dxpx.toml:2"), "{e}");
    }

    #[test]
    fn a_misspelt_rule_or_group_is_an_error_naming_the_key_and_the_nearest_id() {
        let e = Config::from_toml(
            "[rules]\nretired-cod = \"warning\"\n",
            Path::new("dxpx.toml"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ConfigError::UnknownName { unknown, .. } if unknown.nearest == "retired-code")
        );
        let e = e.to_string();
        assert!(e.contains("dxpx.toml") && e.contains("[rules]"), "{e}");
        assert!(
            e.contains("\"retired-cod\"") && e.contains("\"retired-code\""),
            "{e}"
        );
        let mut c = Config::default();
        let e = c
            .apply_settings(&serde_json::json!({"rules": {"dxpx/invalid-cod": "off"}}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("rules") && e.contains("\"invalid-code\""), "{e}");
        let e = c
            .apply_settings(&serde_json::json!({"ruleGroups": {"documentaton": "off"}}))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ruleGroups") && e.contains("\"documentation\""),
            "{e}"
        );
    }

    #[test]
    fn a_group_sets_each_of_its_rules() {
        let mut c = Config::default();
        c.apply_settings(&serde_json::json!({"ruleGroups": {"documentation": "off"}}))
            .unwrap();
        assert_eq!(c.severity(Rule::DocumentedNotCoded), None);
        assert_eq!(c.severity(Rule::MoreSpecificCode), None);
        assert_eq!(c.severity(Rule::InvalidCode), Some(Severity::Error));
    }

    #[test]
    fn the_as_of_date_is_read_and_a_bad_one_named() {
        let c =
            Config::from_toml("[data]\nas-of = \"2026-08-01\"\n", Path::new("dxpx.toml")).unwrap();
        assert_eq!(c.as_of, Day::parse("2026-08-01"));
        let e = Config::from_toml("[data]\nas-of = \"08/01/26\"\n", Path::new("dxpx.toml"))
            .unwrap_err();
        assert!(
            e.to_string().contains("[data] as-of") && e.to_string().contains("YYYY-MM-DD"),
            "{e}"
        );
        let mut c = Config::default();
        c.apply_settings(&serde_json::json!({"asOf": "2019-03-01"}))
            .unwrap();
        assert_eq!(c.as_of, Day::parse("2019-03-01"));
        assert!(
            c.apply_settings(&serde_json::json!({"asOf": "soon"}))
                .is_err()
        );
    }

    #[test]
    fn editor_settings_override() {
        let mut c = Config::default();
        c.apply_settings(&serde_json::json!({"dxpx": {"rules": {"dxpx/invalid-code": "hint"}, "inlayHints": false}}))
            .unwrap();
        assert_eq!(c.severity(Rule::InvalidCode), Some(Severity::Hint));
        assert!(!c.inlay_hints);
    }

    /// VS Code sends every setting, its defaults too: an empty `dataDir`, `cptFile` or
    /// `asOf` is no choice and leaves the project's dxpx.toml in force.
    #[test]
    fn empty_settings_keep_the_project_files_values() {
        let toml = "[data]\ndir = \"codesets\"\ncpt-file = \"cpt.tsv\"\nas-of = \"2026-08-01\"\n";
        let mut c = Config::from_toml(toml, Path::new("/project/dxpx.toml")).unwrap();
        c.apply_settings(&serde_json::json!({"dataDir": "", "cptFile": "", "asOf": ""}))
            .unwrap();
        assert_eq!(c.data_dir.as_deref(), Some(Path::new("/project/codesets")));
        assert_eq!(c.cpt_file.as_deref(), Some(Path::new("/project/cpt.tsv")));
        assert_eq!(c.as_of, Day::parse("2026-08-01"));
        c.apply_settings(&serde_json::json!({"dataDir": "/other"}))
            .unwrap();
        assert_eq!(c.data_dir.as_deref(), Some(Path::new("/other")));
    }
}
