//! One typed configuration from `dxpx.toml` and the editor's settings.

use crate::rules::{Group, Rule, Severity};
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
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// A severity as users write it, for `rule`; `off` turns it off.
fn parse_severity(rule: Rule, value: &str) -> Result<Option<Severity>, String> {
    match value.to_ascii_lowercase().as_str() {
        "off" | "none" | "false" => Ok(None),
        other => Severity::parse(other).map(Some).ok_or_else(|| {
            format!("rule {rule}: severity {value:?} is not one of error, warning, info, hint, off")
        }),
    }
}

impl Config {
    /// Reads `dxpx.toml`; relative paths in it are relative to its folder. Errors name the
    /// file and line.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, String> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            match line {
                Some(l) => format!("{}:{l}: {}", path.display(), e.message()),
                None => format!("{}: {}", path.display(), e.message()),
            }
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut config = Config::default();
        for (name, value) in &file.rules {
            let at = |e: String| format!("{}: [rules] {e}", path.display());
            let rule = Rule::parse(name).map_err(at)?;
            config
                .severities
                .insert(rule, parse_severity(rule, value).map_err(at)?);
        }
        if let Some(v) = file.editor.inlay_hints {
            config.inlay_hints = v;
        }
        if let Some(v) = file.editor.documentation_hints {
            config.documentation_hints = v;
        }
        config.data_dir = file.data.dir.map(|d| base.join(d));
        config.cpt_file = file.data.cpt_file.map(|f| base.join(f));
        config.support = file.support;
        config.include = file.check.include;
        config.exclude = file.check.exclude;
        Ok(config)
    }

    /// Finds and reads `dxpx.toml` in `dir` or its parents; no file is the default config.
    pub fn discover(dir: &Path) -> Result<Config, String> {
        let mut here = Some(dir);
        while let Some(d) = here {
            let path = d.join("dxpx.toml");
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                return Config::from_toml(&text, &path);
            }
            here = d.parent();
        }
        Ok(Config::default())
    }

    /// Applies editor settings (`initializationOptions` or `workspace/didChangeConfiguration`),
    /// which take precedence over the file. Unknown keys are ignored; bad values are errors.
    pub fn apply_settings(&mut self, settings: &serde_json::Value) -> Result<(), String> {
        let settings = settings.get("dxpx").unwrap_or(settings);
        if let Some(rules) = settings.get("rules").and_then(|r| r.as_object()) {
            for (name, value) in rules {
                let rule = Rule::parse(name).map_err(|e| format!("rules: {e}"))?;
                let value = value
                    .as_str()
                    .ok_or_else(|| format!("rules.{name} must be a string"))?;
                self.severities.insert(rule, parse_severity(rule, value)?);
            }
        }
        if let Some(groups) = settings.get("ruleGroups").and_then(|r| r.as_object()) {
            for (name, value) in groups {
                let group = Group::parse(name).map_err(|e| format!("ruleGroups: {e}"))?;
                let value = value
                    .as_str()
                    .ok_or_else(|| format!("ruleGroups.{name} must be a string"))?;
                for rule in Rule::ALL.into_iter().filter(|r| r.group() == group) {
                    self.severities.insert(rule, parse_severity(rule, value)?);
                }
            }
        }
        if let Some(v) = settings.get("inlayHints").and_then(|v| v.as_bool()) {
            self.inlay_hints = v;
        }
        if let Some(v) = settings.get("documentationHints").and_then(|v| v.as_bool()) {
            self.documentation_hints = v;
        }
        if let Some(v) = settings.get("dataDir").and_then(|v| v.as_str()) {
            self.data_dir = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = settings.get("cptFile").and_then(|v| v.as_str()) {
            self.cpt_file = (!v.is_empty()).then(|| PathBuf::from(v));
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
        assert!(e.contains("loud"), "{e}");
        let e = Config::from_toml("\n[rules\n", Path::new("dxpx.toml")).unwrap_err();
        assert!(e.starts_with("dxpx.toml:2"), "{e}");
    }

    #[test]
    fn a_misspelt_rule_or_group_is_an_error_naming_the_key_and_the_nearest_id() {
        let e = Config::from_toml(
            "[rules]\nretired-cod = \"warning\"\n",
            Path::new("dxpx.toml"),
        )
        .unwrap_err();
        assert!(e.contains("dxpx.toml") && e.contains("[rules]"), "{e}");
        assert!(
            e.contains("\"retired-cod\"") && e.contains("\"retired-code\""),
            "{e}"
        );
        let mut c = Config::default();
        let e = c
            .apply_settings(&serde_json::json!({"rules": {"dxpx/invalid-cod": "off"}}))
            .unwrap_err();
        assert!(e.contains("rules") && e.contains("\"invalid-code\""), "{e}");
        let e = c
            .apply_settings(&serde_json::json!({"ruleGroups": {"documentaton": "off"}}))
            .unwrap_err();
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
    fn editor_settings_override() {
        let mut c = Config::default();
        c.apply_settings(&serde_json::json!({"dxpx": {"rules": {"dxpx/invalid-code": "hint"}, "inlayHints": false}}))
            .unwrap();
        assert_eq!(c.severity(Rule::InvalidCode), Some(Severity::Hint));
        assert!(!c.inlay_hints);
    }
}
